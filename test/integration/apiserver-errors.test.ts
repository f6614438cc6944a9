// Bad input through HTTP: the right Status code and reason, and nothing written.
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { request as httpsRequest } from 'node:https';
import { gzipSync } from 'node:zlib';
import { request, startCluster, type TestCluster } from '../support/cluster.js';

interface Status {
  kind: string;
  code: number;
  reason: string;
  message: string;
  details?: { causes?: Array<{ field?: string; reason: string; message: string }> };
}

const JSON_HDR = { 'content-type': 'application/json' };

function deployment(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'nginx:1.14.2' }] } },
      ...extra,
    },
  };
}

describe('apiserver bad input', () => {
  let c: TestCluster;
  const deploys = '/apis/apps/v1/namespaces/default/deployments';
  beforeAll(async () => {
    // A token user, so that bearer tokens are looked at (and a wrong one is refused).
    c = await startCluster({ tokens: [{ token: 'a-known-token', user: { name: 'someone', groups: [] } }] });
  });
  afterAll(async () => {
    await c?.stop();
  });

  async function expectStatus(
    method: string,
    path: string,
    body: string | Buffer | undefined,
    headers: Record<string, string>,
    code: number,
    reason: string,
  ): Promise<Status> {
    const res = await request(c, method, path, { body, headers });
    assert.equal(res.status, code, res.body);
    const st = res.json() as Status;
    assert.equal(st.kind, 'Status');
    assert.equal(st.code, code);
    assert.equal(st.reason, reason);
    assert.doesNotMatch(res.body, /at .*\.js:\d+/, 'no stack trace');
    return st;
  }

  async function count(path: string): Promise<number> {
    return ((await request(c, 'GET', path)).json() as { items: unknown[] }).items.length;
  }

  it('malformed JSON is 400 and nothing is written', async () => {
    await expectStatus('POST', deploys, '{"apiVersion": "apps/v1", "kind":', JSON_HDR, 400, 'BadRequest');
    assert.equal(await count(deploys), 0);
  });

  it('malformed YAML is 400', async () => {
    await expectStatus('POST', deploys, 'metadata: [unclosed', { 'content-type': 'application/yaml' }, 400, 'BadRequest');
  });

  it('unknown group, version or resource is 404', async () => {
    await expectStatus('GET', '/apis/nosuch.example.com/v1/things', undefined, {}, 404, 'NotFound');
    await expectStatus('GET', '/apis/apps/v9/deployments', undefined, {}, 404, 'NotFound');
    await expectStatus('GET', '/api/v1/namespaces/default/widgets', undefined, {}, 404, 'NotFound');
  });

  it('a schema violation is 422 Invalid naming the field', async () => {
    const st = await expectStatus('POST', deploys, JSON.stringify(deployment('bad-type', { replicas: 'three' })), JSON_HDR, 422, 'Invalid');
    assert.ok(
      st.details?.causes?.some((cause) => cause.field === 'spec.replicas'),
      JSON.stringify(st),
    );
    assert.equal(await count(deploys), 0);
  });

  it('a selector that does not match the template labels is 422', async () => {
    const d = deployment('mismatch');
    (d.spec as { selector: unknown }).selector = { matchLabels: { app: 'other' } };
    const st = await expectStatus('POST', deploys, JSON.stringify(d), JSON_HDR, 422, 'Invalid');
    assert.ok(
      st.details?.causes?.some((cause) => cause.field === 'spec.template.metadata.labels'),
      JSON.stringify(st),
    );
  });

  it('an invalid name is 422 with the DNS-1123 message', async () => {
    const st = await expectStatus('POST', deploys, JSON.stringify(deployment('Bad_Name')), JSON_HDR, 422, 'Invalid');
    assert.ok(
      st.details?.causes?.some((cause) => cause.field === 'metadata.name'),
      JSON.stringify(st),
    );
  });

  it('an unknown field under fieldValidation=Strict is 400 strict decoding error', async () => {
    const d = deployment('strict');
    (d.spec as Record<string, unknown>).replicaz = 2;
    const st = await expectStatus('POST', `${deploys}?fieldValidation=Strict`, JSON.stringify(d), JSON_HDR, 400, 'BadRequest');
    assert.match(st.message, /strict decoding error: unknown field "spec.replicaz"/);
    const warn = await request(c, 'POST', `${deploys}?fieldValidation=Warn`, { body: JSON.stringify(d), headers: JSON_HDR });
    assert.equal(warn.status, 201);
    assert.match(String(warn.headers.warning), /^299 - "unknown field \\"spec.replicaz\\""$/);
  });

  it('a body namespace different from the URL namespace is 400', async () => {
    const d = deployment('elsewhere');
    (d.metadata as Record<string, unknown>).namespace = 'kube-system';
    await expectStatus('POST', deploys, JSON.stringify(d), JSON_HDR, 400, 'BadRequest');
  });

  it('creating an existing object is 409 AlreadyExists; a stale resourceVersion is 409 Conflict', async () => {
    const body = JSON.stringify(deployment('twice'));
    const created = await request(c, 'POST', deploys, { body, headers: JSON_HDR });
    assert.equal(created.status, 201);
    await expectStatus('POST', deploys, body, JSON_HDR, 409, 'AlreadyExists');
    const obj = created.json() as { metadata: { resourceVersion: string } };
    const upd = await request(c, 'PUT', `${deploys}/twice`, {
      body: JSON.stringify({ ...deployment('twice', { replicas: 2 }), metadata: { name: 'twice', resourceVersion: obj.metadata.resourceVersion } }),
      headers: JSON_HDR,
    });
    assert.equal(upd.status, 200, upd.body);
    await expectStatus(
      'PUT',
      `${deploys}/twice`,
      JSON.stringify({ ...deployment('twice', { replicas: 3 }), metadata: { name: 'twice', resourceVersion: obj.metadata.resourceVersion } }),
      JSON_HDR,
      409,
      'Conflict',
    );
    const now = (await request(c, 'GET', `${deploys}/twice`)).json() as { spec: { replicas: number } };
    assert.equal(now.spec.replicas, 2);
  });

  it('50 parallel updates from stale copies: one wins per version, the rest get 409, none lost', async () => {
    const created = (
      await request(c, 'POST', '/api/v1/namespaces/default/configmaps', {
        body: JSON.stringify({ metadata: { name: 'counter' }, data: { n: '0' } }),
        headers: JSON_HDR,
      })
    ).json() as { metadata: { resourceVersion: string } };
    const rv = created.metadata.resourceVersion;
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        request(c, 'PUT', '/api/v1/namespaces/default/configmaps/counter', {
          body: JSON.stringify({ metadata: { name: 'counter', resourceVersion: rv }, data: { n: String(i + 1) } }),
          headers: JSON_HDR,
        }),
      ),
    );
    const ok = results.filter((r) => r.status === 200);
    assert.equal(ok.length, 1);
    assert.equal(results.filter((r) => r.status === 409).length, 49);
    const final = (await request(c, 'GET', '/api/v1/namespaces/default/configmaps/counter')).json() as { data: { n: string } };
    assert.equal(final.data.n, (ok[0].json() as { data: { n: string } }).data.n);
  });

  it('a body over 3 MiB is 413', async () => {
    const big = JSON.stringify({ metadata: { name: 'big' }, data: { x: 'a'.repeat(3 * 1024 * 1024 + 10) } });
    await expectStatus('POST', '/api/v1/namespaces/default/configmaps', big, JSON_HDR, 413, 'RequestEntityTooLarge');
  });

  it('a chunked body over 3 MiB (no Content-Length) is 413 and nothing is written', async () => {
    const big = JSON.stringify({ metadata: { name: 'big-chunked' }, data: { x: 'a'.repeat(3 * 1024 * 1024 + 10) } });
    const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      // No content-length: node sends the body chunked, so only counting the bytes can stop it.
      const req = httpsRequest(
        new URL('/api/v1/namespaces/default/configmaps', c.url),
        { method: 'POST', ca: c.caCert, cert: c.adminCert.cert, key: c.adminCert.key, headers: JSON_HDR },
        (r) => {
          let text = '';
          r.on('data', (d: Buffer) => (text += d));
          r.on('end', () => resolve({ status: r.statusCode ?? 0, body: text }));
        },
      );
      req.on('error', reject);
      for (let i = 0; i < big.length; i += 64 * 1024) req.write(big.slice(i, i + 64 * 1024));
      req.end();
    });
    assert.equal(res.status, 413, res.body);
    assert.equal((JSON.parse(res.body) as Status).reason, 'RequestEntityTooLarge');
    assert.equal((await request(c, 'GET', '/api/v1/namespaces/default/configmaps/big-chunked')).status, 404);
  });

  it('a resource request with a wrong token is 401, with or without a body', async () => {
    await expectStatus('GET', '/api/v1/namespaces/default/pods', undefined, { authorization: 'Bearer wrong' }, 401, 'Unauthorized');
    await expectStatus(
      'POST',
      '/api/v1/namespaces/default/configmaps',
      JSON.stringify({ metadata: { name: 'sneaky' } }),
      { ...JSON_HDR, authorization: 'Bearer wrong' },
      401,
      'Unauthorized',
    );
    assert.equal((await request(c, 'GET', '/api/v1/namespaces/default/configmaps/sneaky')).status, 404);
    await expectStatus('GET', '/apis/apps/v1', undefined, { authorization: 'Bearer wrong' }, 401, 'Unauthorized');
  });

  it('a gzip-encoded body is inflated', async () => {
    const body = gzipSync(JSON.stringify({ metadata: { name: 'zipped' }, data: { a: 'b' } }));
    const res = await request(c, 'POST', '/api/v1/namespaces/default/configmaps', { body, headers: { ...JSON_HDR, 'content-encoding': 'gzip' } });
    assert.equal(res.status, 201, res.body);
    assert.deepEqual((res.json() as { data: unknown }).data, { a: 'b' });
  });

  it('an unsupported media type is 415', async () => {
    await expectStatus('POST', deploys, '<xml/>', { 'content-type': 'application/xml' }, 415, 'UnsupportedMediaType');
    await expectStatus('PATCH', `${deploys}/twice`, '{}', { 'content-type': 'text/plain' }, 415, 'UnsupportedMediaType');
  });

  it('creating in a missing namespace is 404', async () => {
    await expectStatus('POST', '/api/v1/namespaces/nope/configmaps', JSON.stringify({ metadata: { name: 'x' } }), JSON_HDR, 404, 'NotFound');
  });

  it('a terminating namespace refuses new content with 403', async () => {
    await request(c, 'POST', '/api/v1/namespaces', { body: JSON.stringify({ metadata: { name: 'doomed' } }), headers: JSON_HDR });
    const del = await request(c, 'DELETE', '/api/v1/namespaces/doomed');
    assert.equal(del.status, 200);
    const ns = (await request(c, 'GET', '/api/v1/namespaces/doomed')).json() as { status: { phase: string }; metadata: { deletionTimestamp?: string } };
    assert.equal(ns.status.phase, 'Terminating');
    assert.ok(ns.metadata.deletionTimestamp);
    await expectStatus('POST', '/api/v1/namespaces/doomed/configmaps', JSON.stringify({ metadata: { name: 'x' } }), JSON_HDR, 403, 'Forbidden');
  });

  it('getting a missing object is 404 with the Kubernetes message', async () => {
    const st = await expectStatus('GET', `${deploys}/ghost`, undefined, {}, 404, 'NotFound');
    assert.equal(st.message, 'deployments.apps "ghost" not found');
  });

  it('a watch from a resourceVersion older than the cache window ends with a 410 Expired event', async () => {
    const small = await startCluster({ watchCacheSize: 10 });
    try {
      const list = (await request(small, 'GET', '/api/v1/namespaces/default/configmaps')).json() as { metadata: { resourceVersion: string } };
      for (let i = 0; i < 15; i++)
        await request(small, 'POST', '/api/v1/namespaces/default/configmaps', { body: JSON.stringify({ metadata: { name: `cm-${i}` } }), headers: JSON_HDR });
      const res = await request(small, 'GET', `/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=${list.metadata.resourceVersion}`);
      const ev = JSON.parse(res.body.trim().split('\n')[0]) as { type: string; object: Status };
      assert.equal(ev.type, 'ERROR');
      assert.equal(ev.object.code, 410);
      assert.equal(ev.object.reason, 'Expired');
    } finally {
      await small.stop();
    }
  });
});
