// Hostile input through HTTP: keys a client chose ("__proto__", "constructor",
// "prototype") in every kind of body and patch never reach the apiserver's
// built-in prototypes, and stay data that round-trips.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { request, startCluster, type TestCluster } from '../support/cluster.js';

const CMS = '/api/v1/namespaces/default/configmaps';
const JSON_HDR = { 'content-type': 'application/json' };

const PATCH_TYPES: Array<[string, string]> = [
  ['merge', 'application/merge-patch+json'],
  ['strategic', 'application/strategic-merge-patch+json'],
];

const HOSTILE_OBJECTS = [
  '{"__proto__":{"labels":{"pwn":"yes"}}}',
  '{"metadata":{"__proto__":{"labels":{"pwn":"yes"}}}}',
  '{"metadata":{"labels":{"__proto__":{"pwn":"yes"}}}}',
  '{"constructor":{"prototype":{"pwn":"yes"}}}',
  '{"data":{"constructor":{"prototype":{"pwn":"yes"}}}}',
  '{"data":{"__proto__":{"pwn":"yes"}}}',
  '{"__proto__":{"__proto__":{"pwn":"yes"}}}',
];

describe('hostile keys through the apiserver', () => {
  let c: TestCluster;
  const changes: string[] = [];
  beforeAll(async () => {
    c = await startCluster({ onPrototypesChanged: (ch, req) => changes.push(`${req}: ${ch.join(', ')}`) });
    const r = await request(c, 'POST', CMS, { body: JSON.stringify({ metadata: { name: 'victim', labels: { app: 'v' } }, data: { a: '1' } }), headers: JSON_HDR });
    expect(r.status).toBe(201);
  });
  afterAll(async () => {
    await c?.stop();
  });

  async function expectUnpolluted(): Promise<void> {
    expect(changes).toEqual([]);
    expect(Object.getOwnPropertyNames(Object.prototype)).not.toContain('labels');
    expect(({} as Record<string, unknown>).pwn).toBeUndefined();
    // What the pollution broke: selectors matching every object, creates and updates refused.
    const listed = await request(c, 'GET', '/api/v1/configmaps?labelSelector=pwn%3Dyes');
    expect(listed.status).toBe(200);
    expect((listed.json() as { items: unknown[] }).items).toEqual([]);
    const name = `after-${Math.random().toString(36).slice(2, 8)}`;
    const created = await request(c, 'POST', `${CMS}?fieldValidation=Strict`, { body: JSON.stringify({ metadata: { name }, data: { k: 'v' } }), headers: JSON_HDR });
    expect(created.status).toBe(201);
    const lease = await request(c, 'POST', '/apis/coordination.k8s.io/v1/namespaces/default/leases', {
      body: JSON.stringify({ metadata: { name: `l-${name}` }, spec: { holderIdentity: 'me', leaseDurationSeconds: 15 } }), headers: JSON_HDR,
    });
    expect(lease.status).toBe(201);
    const renewed = await request(c, 'PATCH', `/apis/coordination.k8s.io/v1/namespaces/default/leases/l-${name}`, {
      body: JSON.stringify({ spec: { renewTime: '2024-01-01T00:00:00.000000Z' } }), headers: { 'content-type': 'application/merge-patch+json' },
    });
    expect(renewed.status).toBe(200);
  }

  for (const [name, type] of PATCH_TYPES) {
    for (const body of HOSTILE_OBJECTS) {
      it(`${name} patch ${body} is answered without 5xx and pollutes nothing`, async () => {
        const r = await request(c, 'PATCH', `${CMS}/victim`, { body, headers: { 'content-type': type } });
        expect(r.status).toBeLessThan(500);
        await expectUnpolluted();
      });
    }
  }

  it('server-side apply with "__proto__" keys pollutes nothing', async () => {
    const yaml = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: victim\n  __proto__:\n    labels: {pwn: "yes"}\n__proto__:\n  labels: {pwn: "yes"}\ndata:\n  __proto__: {pwn: "yes"}\n';
    const r = await request(c, 'PATCH', `${CMS}/victim?fieldManager=m&force=true`, { body: yaml, headers: { 'content-type': 'application/apply-patch+yaml' } });
    expect(r.status).toBeLessThan(500);
    await expectUnpolluted();
  });

  it('a JSON patch adding "__proto__" pollutes nothing', async () => {
    const ops = '[{"op":"add","path":"/__proto__/pwn","value":"yes"},{"op":"add","path":"/metadata/__proto__","value":{"pwn":"yes"}}]';
    const r = await request(c, 'PATCH', `${CMS}/victim`, { body: ops, headers: { 'content-type': 'application/json-patch+json' } });
    expect(r.status).toBeLessThan(500);
    await expectUnpolluted();
  });

  /** The hostile text with metadata.name set, as the wire text (a parsed "__proto__" key would survive JSON.stringify, but only raw text is sure to). */
  function named(body: string, name: string): string {
    return body.startsWith('{"metadata":{') ? body.replace('{"metadata":{', `{"metadata":{"name":"${name}",`) : body.replace(/^\{/, `{"metadata":{"name":"${name}"},`);
  }

  for (const body of HOSTILE_OBJECTS) {
    it(`create and update with ${body} pollute nothing`, async () => {
      const created = await request(c, 'POST', CMS, { body: named(body, 'hostile'), headers: JSON_HDR });
      expect(created.status).toBeLessThan(500);
      const updated = await request(c, 'PUT', `${CMS}/victim`, { body: named(body, 'victim'), headers: JSON_HDR });
      expect(updated.status).toBeLessThan(500);
      const yaml = await request(c, 'POST', CMS, { body: named(body, 'hostile-yaml'), headers: { 'content-type': 'application/yaml' } });
      expect(yaml.status).toBeLessThan(500);
      await request(c, 'DELETE', `${CMS}/hostile`);
      await request(c, 'DELETE', `${CMS}/hostile-yaml`);
      await expectUnpolluted();
    });
  }

  it('"__proto__" and "constructor" as data keys, and "constructor" and "prototype" as label keys, round-trip as data', async () => {
    const body = '{"metadata":{"name":"keys","labels":{"constructor":"c","prototype":"p"},"annotations":{"toString":"a","constructor":"b"}},"data":{"__proto__":"x","constructor":"y","toString":"z"}}';
    const created = await request(c, 'POST', CMS, { body, headers: JSON_HDR });
    expect(created.status).toBe(201);
    const got = JSON.parse((await request(c, 'GET', `${CMS}/keys`)).body) as { metadata: { labels: object; annotations: object }; data: object };
    expect(JSON.stringify(got.data)).toBe('{"__proto__":"x","constructor":"y","toString":"z"}');
    expect(JSON.stringify(got.metadata.labels)).toBe('{"constructor":"c","prototype":"p"}');
    expect(JSON.stringify(got.metadata.annotations)).toBe('{"toString":"a","constructor":"b"}');
    // Label selectors see only own labels: "constructor" exists on this object alone.
    const sel = JSON.parse((await request(c, 'GET', `${CMS}?labelSelector=constructor`)).body) as { items: Array<{ metadata: { name: string } }> };
    expect(sel.items.map((i) => i.metadata.name)).toEqual(['keys']);
    const none = JSON.parse((await request(c, 'GET', `${CMS}?labelSelector=toString`)).body) as { items: unknown[] };
    expect(none.items).toEqual([]);
    // Patches change and delete them as data.
    for (const [, type] of PATCH_TYPES) {
      const p = await request(c, 'PATCH', `${CMS}/keys`, { body: '{"data":{"__proto__":"x2","constructor":null}}', headers: { 'content-type': type } });
      expect(p.status).toBe(200);
      expect(JSON.stringify((JSON.parse(p.body) as { data: object }).data)).toBe('{"__proto__":"x2","toString":"z"}');
      const back = await request(c, 'PATCH', `${CMS}/keys`, { body: '{"data":{"constructor":"y"}}', headers: { 'content-type': type } });
      expect(back.status).toBe(200);
    }
    const applied = await request(c, 'PATCH', `${CMS}/keys?fieldManager=m&force=true`, {
      body: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: keys\ndata:\n  __proto__: applied\n', headers: { 'content-type': 'application/apply-patch+yaml' },
    });
    expect(applied.status).toBe(200);
    expect((JSON.parse(applied.body) as { data: Record<string, unknown> }).data).toEqual(JSON.parse('{"__proto__":"applied","constructor":"y","toString":"z"}'));
    await expectUnpolluted();
  });

  it('a Secret\'s stringData "__proto__" key is folded into data as data', async () => {
    const r = await request(c, 'POST', '/api/v1/namespaces/default/secrets', { body: '{"metadata":{"name":"s"},"stringData":{"__proto__":"v"}}', headers: JSON_HDR });
    expect(r.status).toBe(201);
    expect(JSON.stringify((JSON.parse(r.body) as { data: object }).data)).toBe('{"__proto__":"dg=="}');
    await expectUnpolluted();
  });
});
