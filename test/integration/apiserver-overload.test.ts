// Overload: the in-flight limits answer 429 with Retry-After instead of queueing, the
// request timeout answers 504, and slow clients are cut off; the apiserver serves
// normally afterwards and nothing refused was written.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Agent, request as httpsRequest } from 'node:https';
import { connect as tlsConnect } from 'node:tls';
import { request, startCluster, type TestCluster } from '../support/cluster.js';

const CMS = '/api/v1/namespaces/default/configmaps';
const REQUEST_TIMEOUT_MS = 2000;

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

let c: TestCluster;

function send(agent: Agent, method: string, path: string, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      new URL(path, c.url),
      {
        method,
        agent,
        ca: c.caCert,
        cert: c.adminCert.cert,
        key: c.adminCert.key,
        headers: {
          'content-type': 'application/json',
          ...(body ? { 'content-length': String(Buffer.byteLength(body)) } : {}),
        },
      },
      (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('apiserver under overload: in-flight limits', () => {
  beforeAll(async () => {
    c = await startCluster({ maxRequestsInflight: 8, maxMutatingRequestsInflight: 4 });
  });
  afterAll(async () => {
    await c?.stop();
  });

  it('2,000 concurrent requests, half of them creates: each is 2xx or 429, and exactly the 2xx creates are in etcd', async () => {
    // All 2,000 are sent at once, over 250 connections: 2,000 TLS handshakes on a loaded machine
    // would outlast the 32 s the server gives a connection to send its headers.
    const agent = new Agent({ keepAlive: true, maxSockets: 250, ca: c.caCert });
    const rssBefore = process.memoryUsage().rss;
    let rssMax = rssBefore;
    const sampler = setInterval(() => (rssMax = Math.max(rssMax, process.memoryUsage().rss)), 50);
    // Settled, not all: one failure must not leave the rest running into the next test.
    const settled = await Promise.allSettled(
      Array.from({ length: 2000 }, (_, i) =>
        i % 2 === 0
          ? send(agent, 'POST', CMS, JSON.stringify({ metadata: { name: `load-${i}` }, data: { i: String(i) } }))
          : send(agent, 'GET', `${CMS}?limit=5`),
      ),
    );
    clearInterval(sampler);
    agent.destroy();
    expect(settled.flatMap((r) => (r.status === 'rejected' ? [String(r.reason)] : [])).slice(0, 5)).toEqual([]);
    const answers = settled.map((r) => (r as PromiseFulfilledResult<Answer>).value);

    const statuses = new Map<number, number>();
    for (const a of answers) statuses.set(a.status, (statuses.get(a.status) ?? 0) + 1);
    expect([...statuses.keys()].filter((s) => !(s >= 200 && s < 300) && s !== 429)).toEqual([]);
    expect(statuses.get(429) ?? 0).toBeGreaterThan(0);
    const refused = answers.find((a) => a.status === 429)!;
    expect(refused.headers['retry-after']).toBe('1');
    expect(refused.body).toBe('Too many requests, please try again later.\n');

    const created = new Set(answers.flatMap((a, i) => (i % 2 === 0 && a.status === 201 ? [`load-${i}`] : [])));
    expect(created.size).toBeGreaterThan(0);
    const stored = await c.server.etcd.range('/registry/configmaps/default/load-');
    const inEtcd = new Set(stored.kvs.map((kv) => kv.key.slice('/registry/configmaps/default/'.length)));
    expect([...inEtcd].sort()).toEqual([...created].sort());

    // Bounded: no queue of 2,000 bodies and answers held at once.
    expect(rssMax - rssBefore).toBeLessThan(512 * 1024 * 1024);
    // And it serves normally right after.
    expect((await request(c, 'GET', `${CMS}/${[...created][0]}`)).status).toBe(200);
    expect((await request(c, 'POST', CMS, { body: '{"metadata":{"name":"after-load"}}', headers: { 'content-type': 'application/json' } })).status).toBe(201);
  });

  it('watches do not take in-flight seats', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: Infinity, ca: c.caCert });
    const watches = Array.from({ length: 20 }, () => send(agent, 'GET', `${CMS}?watch=true&timeoutSeconds=2`));
    await new Promise((r) => setTimeout(r, 300));
    const gets = await Promise.all(Array.from({ length: 4 }, () => send(agent, 'GET', `${CMS}?limit=1`)));
    expect(gets.map((g) => g.status)).toEqual([200, 200, 200, 200]);
    expect((await Promise.all(watches)).map((w) => w.status)).toEqual(Array(20).fill(200));
    agent.destroy();
  });
});

describe('apiserver under overload: request timeout and slow clients', () => {
  beforeAll(async () => {
    c = await startCluster({ requestTimeoutMs: REQUEST_TIMEOUT_MS });
  });
  afterAll(async () => {
    await c?.stop();
  });

  it('a request unanswered after --request-timeout is 504', async () => {
    const list = (await request(c, 'GET', `${CMS}?limit=1`)).json() as { metadata: { resourceVersion: string } };
    // A resourceVersion ahead of the store keeps a list waiting (3 s) for the cache to catch up.
    const started = Date.now();
    const r = await request(c, 'GET', `${CMS}?resourceVersion=${Number(list.metadata.resourceVersion) + 1000}`);
    expect(r.status).toBe(504);
    expect(Date.now() - started).toBeLessThan(REQUEST_TIMEOUT_MS + 900);
    expect(r.json()).toMatchObject({
      kind: 'Status',
      code: 504,
      reason: 'Timeout',
      message: 'Timeout: request did not complete within requested timeout - context deadline exceeded',
    });
    await new Promise((r2) => setTimeout(r2, 1500)); // the handler's late answer goes nowhere
    expect((await request(c, 'GET', `${CMS}?limit=1`)).status).toBe(200);
  });

  // Headers: Node answers 408 (headersTimeout); a body: the request timeout answers 504 and closes.
  for (const [what, head, trickle, answer] of [
    ['headers', 'GET /api/v1/namespaces/default/configmaps HTTP/1.1\r\nHost: x\r\n', 'X-Slow: a\r\n', /^HTTP\/1\.1 408 /],
    [
      'a body',
      'POST /api/v1/namespaces/default/configmaps HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n',
      ' ',
      /^HTTP\/1\.1 504 [^]*Connection: close[^]*"reason":"Timeout"[^]*$/,
    ],
  ] as const) {
    it(`a client trickling ${what} is cut off after a bounded time`, async () => {
      const u = new URL(c.url);
      const socket = tlsConnect({
        host: u.hostname,
        port: Number(u.port),
        ca: c.caCert,
        cert: c.adminCert.cert,
        key: c.adminCert.key,
        servername: 'localhost',
      });
      await new Promise<void>((resolve, reject) => socket.once('secureConnect', () => resolve()).once('error', reject));
      const started = Date.now();
      let received = '';
      socket.on('data', (d: Buffer) => (received += d.toString()));
      socket.write(head);
      const tick = setInterval(() => socket.writable && socket.write(trickle), 200);
      await new Promise<void>((resolve) => socket.once('close', () => resolve()));
      clearInterval(tick);
      const took = Date.now() - started;
      expect(took).toBeLessThan(REQUEST_TIMEOUT_MS * 3);
      expect(took).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS - 100);
      expect(received).toMatch(answer);
    });
  }
});
