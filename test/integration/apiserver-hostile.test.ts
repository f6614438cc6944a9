// Hostile input through HTTP: keys a client chose ("__proto__", "constructor",
// "prototype") in every kind of body and patch never reach the apiserver's
// built-in prototypes, and stay data that round-trips.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connect as tlsConnect } from 'node:tls';
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
    const r = await request(c, 'POST', CMS, {
      body: JSON.stringify({ metadata: { name: 'victim', labels: { app: 'v' } }, data: { a: '1' } }),
      headers: JSON_HDR,
    });
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
    const created = await request(c, 'POST', `${CMS}?fieldValidation=Strict`, {
      body: JSON.stringify({ metadata: { name }, data: { k: 'v' } }),
      headers: JSON_HDR,
    });
    expect(created.status).toBe(201);
    const lease = await request(c, 'POST', '/apis/coordination.k8s.io/v1/namespaces/default/leases', {
      body: JSON.stringify({ metadata: { name: `l-${name}` }, spec: { holderIdentity: 'me', leaseDurationSeconds: 15 } }),
      headers: JSON_HDR,
    });
    expect(lease.status).toBe(201);
    const renewed = await request(c, 'PATCH', `/apis/coordination.k8s.io/v1/namespaces/default/leases/l-${name}`, {
      body: JSON.stringify({ spec: { renewTime: '2024-01-01T00:00:00.000000Z' } }),
      headers: { 'content-type': 'application/merge-patch+json' },
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
    const yaml =
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: victim\n  __proto__:\n    labels: {pwn: "yes"}\n__proto__:\n  labels: {pwn: "yes"}\ndata:\n  __proto__: {pwn: "yes"}\n';
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
    return body.startsWith('{"metadata":{')
      ? body.replace('{"metadata":{', `{"metadata":{"name":"${name}",`)
      : body.replace(/^\{/, `{"metadata":{"name":"${name}"},`);
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
    const body =
      '{"metadata":{"name":"keys","labels":{"constructor":"c","prototype":"p"},"annotations":{"toString":"a","constructor":"b"}},"data":{"__proto__":"x","constructor":"y","toString":"z"}}';
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
      body: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: keys\ndata:\n  __proto__: applied\n',
      headers: { 'content-type': 'application/apply-patch+yaml' },
    });
    expect(applied.status).toBe(200);
    expect((JSON.parse(applied.body) as { data: Record<string, unknown> }).data).toEqual(
      JSON.parse('{"__proto__":"applied","constructor":"y","toString":"z"}'),
    );
    await expectUnpolluted();
  });

  it('a Secret\'s stringData "__proto__" key is folded into data as data', async () => {
    const r = await request(c, 'POST', '/api/v1/namespaces/default/secrets', {
      body: '{"metadata":{"name":"s"},"stringData":{"__proto__":"v"}}',
      headers: JSON_HDR,
    });
    expect(r.status).toBe(201);
    expect(JSON.stringify((JSON.parse(r.body) as { data: object }).data)).toBe('{"__proto__":"dg=="}');
    await expectUnpolluted();
  });
});

describe('requests kube-apiserver answers with 4xx are not 500s', () => {
  let c: TestCluster;
  const changes: string[] = [];
  beforeAll(async () => {
    c = await startCluster({ onPrototypesChanged: (ch, req) => changes.push(`${req}: ${ch.join(', ')}`) });
    const r = await request(c, 'POST', CMS, { body: JSON.stringify({ metadata: { name: 'victim' }, data: { a: '1' } }), headers: JSON_HDR });
    expect(r.status).toBe(201);
  });
  afterAll(async () => {
    expect(changes).toEqual([]);
    await c?.stop();
  });

  it("malformed percent-encoding in a path is 400, as Go's URL parser answers; %c0%ae decodes and is 404", async () => {
    for (const path of [`${CMS}/%zz`, `${CMS}/%`, `${CMS}/a%2`, '/api/v1/namespaces/%zz/configmaps', '/apis/apps/v1/%/deployments', '/version/%zz']) {
      const r = await request(c, 'GET', path);
      expect([path, r.status, r.body]).toEqual([path, 400, '400 Bad Request']);
    }
    const r = await request(c, 'GET', `${CMS}/%c0%ae`);
    expect(r.status).toBe(404);
    expect((r.json() as { reason: string }).reason).toBe('NotFound');
    const escaped = await request(c, 'GET', `${CMS}/vict%69m`);
    expect(escaped.status).toBe(200);
  });

  /** A body nesting depth arrays and objects in all (the outer object included), the deep part under data.a. */
  function deep(depth: number, head = '{"metadata":{"name":"deep"},"data":{"a":'): string {
    const inner = depth - 2;
    return `${head}${'['.repeat(inner)}${']'.repeat(inner)}}}`;
  }

  const WRITES: Array<[string, string, string, Record<string, string>]> = [
    ['create', 'POST', CMS, JSON_HDR],
    ['JSON merge patch', 'PATCH', `${CMS}/victim`, { 'content-type': 'application/merge-patch+json' }],
    ['strategic merge patch', 'PATCH', `${CMS}/victim`, { 'content-type': 'application/strategic-merge-patch+json' }],
    ['server-side apply', 'PATCH', `${CMS}/victim?fieldManager=m`, { 'content-type': 'application/apply-patch+yaml' }],
  ];

  for (const [what, method, path, headers] of WRITES) {
    it(`${what}: nesting 10,000 deep is answered (no 5xx), 10,001 is 400 exceeded max depth`, async () => {
      const head = what === 'server-side apply' ? '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"victim"},"data":{"a":' : undefined;
      const ok = await request(c, method, path, { body: deep(10_000, head), headers });
      expect(ok.status).toBeGreaterThanOrEqual(400); // data values are strings
      expect(ok.status).toBeLessThan(500);
      expect(ok.body).not.toMatch(/exceeded max depth|call stack/);
      const over = await request(c, method, path, { body: deep(10_001, head), headers });
      expect(over.status).toBe(400);
      expect((over.json() as { message: string }).message).toBe('the request body nests arrays and objects more than 10000 levels deep (exceeded max depth)');
      if (what.includes('merge')) return; // YAML is no patch type
      const yaml = await request(c, method, path, {
        body: `${'- '.repeat(10_001)}x\n`,
        headers: { 'content-type': what === 'server-side apply' ? headers['content-type'] : 'application/yaml' },
      });
      expect(yaml.status).toBe(400);
      expect(yaml.body).not.toMatch(/call stack/);
      // The same through YAML nesting the parser cannot take (it recurses): 400 without the engine's words.
      const block = await request(c, method, path, {
        body: `${'{a: '.repeat(5_000)}1${'}'.repeat(5_000)}`,
        headers: { 'content-type': what === 'server-side apply' ? headers['content-type'] : 'application/yaml' },
      });
      expect(block.status).toBe(400);
      expect(block.body).not.toMatch(/call stack/);
    });
  }

  it('a non-ASCII unknown field name gives a Warning header (ASCII, escaped), after one write', async () => {
    const r = await request(c, 'POST', `${CMS}?fieldValidation=Warn`, { body: '{"metadata":{"name":"warned"},"日本":1,"x\\ny":2}', headers: JSON_HDR });
    expect(r.status).toBe(201);
    // Escaped as Go's %q does: Node can send no header characters beyond Latin-1, nor controls.
    const warning = ([] as string[]).concat(r.headers.warning ?? []).join(', ');
    expect(warning).toContain('299 - "unknown field \\"\\u65e5\\u672c\\""');
    expect(warning).toContain('299 - "unknown field \\"x\\u000ay\\""');
    const again = await request(c, 'GET', `${CMS}/warned`);
    expect(again.status).toBe(200);
  });

  it('a continue token with a resourceVersion ahead of etcd is 504 Too large resource version with Retry-After', async () => {
    const list = (await request(c, 'GET', `${CMS}?limit=1`)).json() as { metadata: { resourceVersion: string } };
    const ahead = Number(list.metadata.resourceVersion) + 1000;
    const token = Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: ahead, start: 'default/' })).toString('base64url');
    const r = await request(c, 'GET', `${CMS}?limit=1&continue=${token}`);
    expect(r.status).toBe(504);
    expect(r.headers['retry-after']).toBe('1');
    const st = r.json() as { reason: string; message: string; details: { causes: unknown[]; retryAfterSeconds: number } };
    expect(st.reason).toBe('Timeout');
    expect(st.message).toMatch(new RegExp(`^Timeout: Too large resource version: ${ahead}, current: \\d+$`));
    expect(st.details).toEqual({ causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }], retryAfterSeconds: 1 });
    expect(r.body).not.toMatch(/etcdserver|mvcc/);
    for (const rv of [0, -1, 1.5]) {
      const bad = Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv, start: 'default/' })).toString('base64url');
      expect((await request(c, 'GET', `${CMS}?limit=1&continue=${bad}`)).status).toBe(400);
    }
  });
});

describe("values Go's decoder and validation refuse are refused", () => {
  let c: TestCluster;
  const deploys = '/apis/apps/v1/namespaces/default/deployments';
  beforeAll(async () => {
    c = await startCluster();
  });
  afterAll(async () => {
    await c?.stop();
  });

  function deployment(name: string, replicas: string): string {
    return (
      `{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"${name}"},"spec":{"replicas":${replicas},"selector":{"matchLabels":{"a":"b"}},` +
      '"template":{"metadata":{"labels":{"a":"b"}},"spec":{"containers":[{"name":"c","image":"i"}]}}}}'
    );
  }

  async function expectInvalid(method: string, path: string, body: string, field: string, headers: Record<string, string> = JSON_HDR): Promise<void> {
    const r = await request(c, method, path, { body, headers });
    expect([r.status, (r.json() as { reason: string }).reason]).toEqual([422, 'Invalid']);
    expect((r.json() as { details: { causes: Array<{ field: string }> } }).details.causes.map((x) => x.field)).toContain(field);
  }

  it('int32 and int64 fields take whole numbers in range only', async () => {
    for (const v of ['1e308', '2147483648', '-2147483649', '1.5']) await expectInvalid('POST', deploys, deployment('d', v), 'spec.replicas');
    expect((await request(c, 'GET', deploys)).json()).toMatchObject({ items: [] });
    const ok = await request(c, 'POST', deploys, { body: deployment('max', '2147483647'), headers: JSON_HDR });
    expect(ok.status).toBe(201);
    // Through a patch too.
    await expectInvalid('PATCH', `${deploys}/max`, '{"spec":{"replicas":1e308}}', 'spec.replicas', { 'content-type': 'application/merge-patch+json' });
    // int64: activeDeadlineSeconds of a Job.
    const job = (v: string): string =>
      `{"metadata":{"name":"j"},"spec":{"activeDeadlineSeconds":${v},"template":{"spec":{"restartPolicy":"Never","containers":[{"name":"c","image":"i"}]}}}}`;
    await expectInvalid('POST', '/apis/batch/v1/namespaces/default/jobs', job('1e19'), 'spec.activeDeadlineSeconds');
    expect((await request(c, 'POST', '/apis/batch/v1/namespaces/default/jobs', { body: job('4294967296'), headers: JSON_HDR })).status).toBe(201);
  });

  it('binaryData and Secret data must be base64', async () => {
    await expectInvalid('POST', CMS, '{"metadata":{"name":"b"},"binaryData":{"k":"not base64!"}}', 'binaryData.k');
    await expectInvalid('POST', '/api/v1/namespaces/default/secrets', '{"metadata":{"name":"s"},"data":{"k":"YWJj"}}'.replace('YWJj', 'YWJ'), 'data.k');
    expect(
      (await request(c, 'POST', CMS, { body: '{"metadata":{"name":"b"},"binaryData":{"k":"YWJj","l":"YQ==","m":"YWI=\\n"}}', headers: JSON_HDR })).status,
    ).toBe(201);
    expect(
      (await request(c, 'POST', '/api/v1/namespaces/default/secrets', { body: '{"metadata":{"name":"s"},"data":{"k":"YWJj"}}', headers: JSON_HDR })).status,
    ).toBe(201);
  });

  it('metadata fields the server sets still need their types: uid [1], creationTimestamp 12', async () => {
    await expectInvalid('POST', CMS, '{"metadata":{"name":"u","uid":[1]}}', 'metadata.uid');
    await expectInvalid('POST', CMS, '{"metadata":{"name":"t","creationTimestamp":12}}', 'metadata.creationTimestamp');
    await expectInvalid('POST', CMS, '{"metadata":{"name":"g","generation":"1"}}', 'metadata.generation');
    expect((await request(c, 'GET', `${CMS}/u`)).status).toBe(404);
  });

  it('fields a kind does not have are dropped, not stored: status on a ConfigMap', async () => {
    const r = await request(c, 'POST', CMS, { body: '{"metadata":{"name":"st"},"status":{"phase":"x"},"data":{"a":"1"}}', headers: JSON_HDR });
    expect(r.status).toBe(201);
    expect(String(r.headers.warning)).toContain('unknown field \\"status\\"');
    const got = (await request(c, 'GET', `${CMS}/st`)).json() as Record<string, unknown>;
    expect(got.status).toBeUndefined();
    expect(got.data).toEqual({ a: '1' });
    const patched = await request(c, 'PATCH', `${CMS}/st`, {
      body: '{"status":{"phase":"y"},"spec":{}}',
      headers: { 'content-type': 'application/merge-patch+json' },
    });
    expect(patched.status).toBe(200);
    expect((await request(c, 'GET', `${CMS}/st`)).json()).not.toHaveProperty('status');
  });
});

describe('a Content-Length that does not match the body', () => {
  let c: TestCluster;
  beforeAll(async () => {
    c = await startCluster();
  });
  afterAll(async () => {
    await c?.stop();
  });

  /** Writes raw bytes on a TLS connection, optionally ends it after endAfterMs, and returns all the server said. */
  function raw(bytes: string, endAfterMs?: number): Promise<string> {
    const { hostname, port } = new URL(c.url);
    return new Promise((resolve, reject) => {
      let got = '';
      const s = tlsConnect({ host: hostname, port: Number(port), ca: c.caCert, cert: c.adminCert.cert, key: c.adminCert.key, servername: 'localhost' }, () => {
        s.write(bytes);
        if (endAfterMs !== undefined) setTimeout(() => s.end(), endAfterMs);
      });
      s.setEncoding('utf8');
      s.on('data', (d: string) => (got += d));
      s.on('error', reject);
      s.on('close', () => resolve(got));
      setTimeout(() => s.destroy(), 5000);
    });
  }

  function head(length: number, body: string): string {
    return `POST ${CMS} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\nConnection: close\r\n\r\n${body}`;
  }

  it('shorter than the body: the request is read as declared and refused, the rest is not a request; nothing is written', async () => {
    const body = JSON.stringify({ metadata: { name: 'cl-short' }, data: { k: 'v' } });
    const answer = await raw(head(10, body));
    const statuses = [...answer.matchAll(/^HTTP\/1\.1 (\d{3})/gm)].map((m) => Number(m[1]));
    expect(statuses.length).toBeGreaterThan(0);
    for (const s of statuses) expect(s >= 400 && s < 500).toBe(true);
    expect((await request(c, 'GET', `${CMS}/cl-short`)).status).toBe(404);
  });

  it('longer than the body, then the client goes: nothing is written and the server serves on', async () => {
    const body = JSON.stringify({ metadata: { name: 'cl-long' }, data: { k: 'v' } });
    const answer = await raw(head(body.length + 100, body), 500);
    expect(answer).not.toMatch(/^HTTP\/1\.1 [25]\d\d/m);
    expect((await request(c, 'GET', `${CMS}/cl-long`)).status).toBe(404);
    expect((await request(c, 'GET', CMS)).status).toBe(200);
  });
});
