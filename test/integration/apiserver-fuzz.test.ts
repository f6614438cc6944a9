// Property-based fuzzing of the apiserver, run as its own process with
// --check-prototypes (it exits non-zero when a request changed a built-in
// prototype) against a real etcd. Random and mutated bodies (JSON, YAML,
// protobuf), patches of all four types, paths, query strings and headers; after
// each case: no 5xx but those kube-apiserver gives too (UPSTREAM_5XX), an answer
// within 30 s, no stack trace or engine message in the body, etcd unchanged by a
// refused request, the process still up. Bounded by FUZZ_MS (60 s here, 10 min in
// `make bench`, with a new seed each time); FUZZ_SEED replays a run. Inputs that once failed are FIXED_CASES.
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEtcd, type TestEtcd } from '../support/etcd.js';
import { startAPIServerProcess, type APIServerProcess } from '../bench/apiserver-process.js';
import { EtcdClient } from '../../pkg/storage/etcd.js';

const FUZZ_MS = Number(process.env.FUZZ_MS ?? 60_000);
// make test fuzzes the same inputs every run, so a red run is a change's doing; make bench explores new seeds.
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : 20261207;
const ANSWER_WITHIN_MS = 30_000;
jest.setTimeout(FUZZ_MS + 180_000);

interface Case {
  method: string;
  path: string;
  query: string;
  headers: Record<string, string>;
  body?: Buffer;
}
interface Answer {
  status: number;
  body: string;
}

/** 5xx kube-apiserver gives as well: strategic merge patch errors interpretStrategicMergePatchError leaves 500, and a resourceVersion ahead of the store (504). */
const UPSTREAM_5XX: Array<[number, RegExp]> = [
  [500, /unknown patch type|does not contain declared merge key|list element types are not identical|cannot merge lists without merge key/],
  [504, /^Timeout: Too large resource version/],
];

/** What a body must never show: stack frames and the JavaScript engine's own messages. */
const LEAKS =
  /\n\s+at |\.(js|ts):\d+|Maximum call stack|Unexpected token|in JSON at position|Cannot read propert|is not a function|is not iterable|is not defined|Invalid character in header|URI malformed|Cannot convert|RangeError|TypeError|SyntaxError/;

const NS = '/api/v1/namespaces/default';
const COLLECTIONS = [
  `${NS}/configmaps`,
  `${NS}/secrets`,
  `${NS}/pods`,
  '/apis/apps/v1/namespaces/default/deployments',
  '/api/v1/nodes',
  '/apis/coordination.k8s.io/v1/namespaces/default/leases',
  '/api/v1/namespaces',
];
const TARGETS = [
  `${NS}/configmaps/fuzz`,
  `${NS}/pods/fuzz`,
  '/apis/apps/v1/namespaces/default/deployments/fuzz',
  `${NS}/pods/fuzz/status`,
  '/apis/apps/v1/namespaces/default/deployments/fuzz/scale',
];
const HOSTILE_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  '$patch',
  '$retainKeys',
  '$setElementOrder/containers',
  '$deleteFromPrimitiveList/finalizers',
  'metadata',
  'spec',
  'status',
  'data',
  'labels',
  'apiVersion',
  'kind',
  'name',
  'containers',
  'replicas',
  'binaryData',
  '日本',
  '',
];
const CONTENT_TYPES = [
  'application/json',
  'application/yaml',
  'application/vnd.kubernetes.protobuf',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
  'application/json-patch+json',
  'application/apply-patch+yaml',
  'text/plain',
  'application/json; charset=utf-16',
  '',
];
const ACCEPTS = [
  'application/json',
  'application/yaml',
  'application/json;as=Table;v=v1;g=meta.k8s.io',
  'application/vnd.kubernetes.protobuf',
  '*/*',
  'text/html',
  'application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io',
];

function configMap(): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'fuzz', labels: { a: 'b' } }, data: { k: 'v' } };
}
function pod(): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'fuzz' },
    spec: { containers: [{ name: 'c', image: 'i', ports: [{ containerPort: 80 }] }], tolerations: [{ key: 'k', operator: 'Exists' }] },
  };
}
function deployment(): Record<string, unknown> {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'fuzz' },
    spec: {
      replicas: 1,
      selector: { matchLabels: { a: 'b' } },
      template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'i' }] } },
    },
  };
}

// ---- generators

const key = fc.oneof(fc.constantFrom(...HOSTILE_KEYS), fc.string({ maxLength: 8 }));
const scalar = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom(1e308, -1e308, 2 ** 31, 2 ** 63, 0.5, 'YWJj', '%zz', 'Exists', 'delete', 'replace', 'merge'),
);
const { value } = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(key, tie('value'), { maxKeys: 5 }),
  ),
}));

/** A valid object with random changes at random places: the parser accepts it, the layers behind it see the hostility. */
const mutated = fc
  .tuple(fc.constantFrom(configMap, pod, deployment), fc.array(fc.tuple(fc.array(key, { minLength: 1, maxLength: 4 }), value), { maxLength: 4 }))
  .map(([make, edits]) => {
    const o = make() as Record<string, unknown>;
    for (const [path, v] of edits) {
      let cur: Record<string, unknown> = o;
      for (const k of path.slice(0, -1)) {
        const next = Object.prototype.hasOwnProperty.call(cur, k) ? cur[k] : undefined;
        if (next === null || typeof next !== 'object') {
          const fresh = {};
          Object.defineProperty(cur, k, { value: fresh, enumerable: true, writable: true, configurable: true });
          cur = fresh;
        } else cur = next as Record<string, unknown>;
      }
      Object.defineProperty(cur, path[path.length - 1], { value: v, enumerable: true, writable: true, configurable: true });
    }
    return o;
  });

const deepText = fc
  .tuple(fc.constantFrom(9_999, 10_000, 10_001, 20_000), fc.constantFrom('[', '{"a":'))
  .map(([n, open]) => `${open.repeat(n)}1${(open === '[' ? ']' : '}').repeat(n)}`);

const body = fc.oneof(
  mutated.map((o) => JSON.stringify(o)),
  value.map((v) => JSON.stringify(v) ?? 'null'),
  mutated
    .map((o) => JSON.stringify(o))
    .chain((s) =>
      fc
        .tuple(fc.nat(s.length), fc.nat(s.length), fc.string({ maxLength: 4 }))
        .map(([a, b, ins]) => s.slice(0, Math.min(a, b)) + ins + s.slice(Math.max(a, b))),
    ),
  fc.string({ maxLength: 64 }),
  fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.concat([Buffer.from('k8s\0'), Buffer.from(b)]).toString('latin1')),
  deepText,
  fc.constantFrom(
    '{"__proto__":{"labels":{"pwn":"yes"}}}',
    '{"$patch":"bogus"}',
    '[{"op":"add","path":"/__proto__/x","value":1}]',
    'a: &a [*a]',
    '- - - -',
    '{a: {b: [c, {d: e}]}}',
    '\ufeff{}',
    '{"metadata":{"name":"fuzz"},"data":{"k":"\\ud800"}}',
  ),
);

const segment = fc.oneof(
  fc.constantFrom(
    'fuzz',
    'default',
    'status',
    'scale',
    'binding',
    'eviction',
    'finalize',
    'log',
    '%zz',
    '%',
    '%c0%ae',
    '%2F',
    '..',
    '.',
    '__proto__',
    'constructor',
    'configmaps',
    'pods',
    'namespaces',
  ),
  fc.string({ maxLength: 6 }).map(encodeURIComponent),
);
const path = fc.oneof(
  fc.constantFrom(...COLLECTIONS, ...TARGETS),
  fc
    .tuple(
      fc.constantFrom(...COLLECTIONS, ...TARGETS, '/api/v1', '/apis/apps/v1', '/apis', '/api', '/version', '/openapi/v2', '/openapi/v3/api/v1'),
      fc.array(segment, { maxLength: 3 }),
    )
    .map(([p, extra]) => [p, ...extra].join('/')),
);

const queryParam = fc.oneof(
  fc.tuple(
    fc.constantFrom('labelSelector', 'fieldSelector'),
    fc.oneof(
      fc.string({ maxLength: 12 }),
      fc.constantFrom('a in ()', 'a notin (b,', 'a=b,!c', 'metadata.name=fuzz', 'spec.nodeName!=', 'x>1', 'a in (b),c', '=', '!'),
    ),
  ),
  fc.tuple(
    fc.constant('continue'),
    fc.oneof(
      fc.string({ maxLength: 12 }),
      fc
        .tuple(fc.integer({ min: -5, max: 2 ** 40 }), fc.string({ maxLength: 6 }))
        .map(([rv, start]) => Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv, start })).toString('base64url')),
    ),
  ),
  fc.tuple(
    fc.constantFrom('resourceVersion', 'limit', 'timeoutSeconds', 'gracePeriodSeconds'),
    fc.oneof(fc.integer({ min: -2, max: 2 ** 40 }).map(String), fc.string({ maxLength: 6 }), fc.constantFrom('0', '1e3', '99999999999999999999')),
  ),
  fc.tuple(
    fc.constantFrom('resourceVersionMatch', 'fieldValidation', 'fieldManager', 'dryRun', 'propagationPolicy', 'pretty'),
    fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('Exact', 'NotOlderThan', 'Strict', 'Warn', 'Ignore', 'All', 'Orphan', 'Foreground')),
  ),
  fc.tuple(fc.constantFrom('force', 'orphanDependents', 'allowWatchBookmarks'), fc.constantFrom('True', 'true', '1', 't', 'False', '0', 'yes', '')),
);
const query = fc.array(queryParam, { maxLength: 4 }).map((ps) => ps.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&'));

const request = fc
  .record({
    method: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE'),
    path,
    query,
    contentType: fc.constantFrom(...CONTENT_TYPES),
    accept: fc.constantFrom(...ACCEPTS),
    body: fc.option(body, { nil: undefined, freq: 4 }),
  })
  .map((r): Case => {
    // A PATCH's body needs a patch type; the fuzz would otherwise test 415 most of the time.
    const headers: Record<string, string> = { accept: r.accept };
    if (r.contentType) headers['content-type'] = r.contentType;
    const q = r.query.includes('fieldManager') || !r.contentType.startsWith('application/apply') ? r.query : `${r.query}&fieldManager=fuzz`;
    return {
      method: r.method,
      path: r.path,
      query: q,
      headers,
      body: r.body === undefined ? undefined : Buffer.from(r.body, r.body.startsWith('k8s\0') ? 'latin1' : 'utf8'),
    };
  });

/** Inputs that once failed, replayed first on every run. */
const FIXED_CASES: Case[] = [
  // A YAML alias inside its own anchor made a cyclic value: 500 "Converting circular structure to JSON".
  {
    method: 'PATCH',
    path: `${NS}/pods/fuzz/status`,
    query: 'fieldManager=fuzz',
    headers: { accept: 'application/json', 'content-type': 'application/apply-patch+yaml' },
    body: Buffer.from('a: &a [*a]'),
  },
  {
    method: 'PATCH',
    path: `${NS}/configmaps/fuzz`,
    query: '',
    headers: { 'content-type': 'application/merge-patch+json' },
    body: Buffer.from('{"__proto__":{"labels":{"pwn":"yes"}}}'),
  },
  {
    method: 'PATCH',
    path: `${NS}/configmaps/fuzz`,
    query: '',
    headers: { 'content-type': 'application/strategic-merge-patch+json' },
    body: Buffer.from('{"__proto__":{"labels":{"pwn":"yes"}}}'),
  },
  { method: 'GET', path: `${NS}/configmaps/%zz`, query: '', headers: {} },
  { method: 'GET', path: `${NS}/configmaps/%`, query: '', headers: {} },
  {
    method: 'POST',
    path: `${NS}/configmaps`,
    query: '',
    headers: { 'content-type': 'application/json' },
    body: Buffer.from(`{"a":${'['.repeat(10_000)}${']'.repeat(10_000)}}`),
  },
  {
    method: 'PATCH',
    path: `${NS}/configmaps/fuzz`,
    query: '',
    headers: { 'content-type': 'application/strategic-merge-patch+json' },
    body: Buffer.from(`{"data":${'{"a":'.repeat(5_000)}1${'}'.repeat(5_000)}}`),
  },
  {
    method: 'POST',
    path: `${NS}/configmaps`,
    query: 'fieldValidation=Warn',
    headers: { 'content-type': 'application/json' },
    body: Buffer.from('{"metadata":{"name":"warn"},"日本":1}'),
  },
  {
    method: 'GET',
    path: `${NS}/configmaps`,
    query: `limit=1&continue=${Buffer.from('{"v":"meta.k8s.io/v1","rv":99999999,"start":"default/"}').toString('base64url')}`,
    headers: {},
  },
  {
    method: 'POST',
    path: '/apis/apps/v1/namespaces/default/deployments',
    query: '',
    headers: { 'content-type': 'application/json' },
    body: Buffer.from(JSON.stringify(deployment()).replace('"replicas":1', '"replicas":1e308')),
  },
  { method: 'POST', path: `${NS}/configmaps`, query: '', headers: { 'content-type': 'application/json' }, body: Buffer.alloc(3 * 1024 * 1024 + 1, 0x20) },
  {
    method: 'PATCH',
    path: '/apis/apps/v1/namespaces/default/deployments/fuzz/scale',
    query: 'fieldManager=f',
    headers: { 'content-type': 'application/vnd.kubernetes.protobuf' },
    body: Buffer.from('{}'),
  },
  { method: 'POST', path: '/apis/finalize//%c0%ae', query: '', headers: {}, body: Buffer.from('{}') },
  {
    method: 'POST',
    path: '/apis/coordination.k8s.io/v1/namespaces/default/leases',
    query: '',
    headers: { 'content-type': 'application/json' },
    body: Buffer.from('&"},"spec"'),
  },
];

describe('apiserver fuzz', () => {
  let etcd: TestEtcd;
  let apiserver: APIServerProcess;
  let etcdClient: EtcdClient;
  let agent: Agent;
  let dir: string;

  beforeAll(async () => {
    etcd = await startEtcd();
    dir = mkdtempSync(join(tmpdir(), 'timonel-fuzz-'));
    apiserver = await startAPIServerProcess({ etcdEndpoint: etcd.endpoint, dir, args: ['--check-prototypes'] });
    etcdClient = new EtcdClient([etcd.endpoint]);
    agent = new Agent({ keepAlive: true, ca: apiserver.caCert, maxSockets: 4 });
    for (const [p, o] of [
      [`${NS}/configmaps`, configMap()],
      [`${NS}/pods`, pod()],
      ['/apis/apps/v1/namespaces/default/deployments', deployment()],
    ] as const) {
      const r = await send({ method: 'POST', path: p, query: '', headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify(o)) });
      expect(r.status).toBe(201);
    }
  });
  afterAll(async () => {
    agent?.destroy();
    etcdClient?.close();
    await apiserver?.stop();
    await etcd?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  function send(c: Case): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const url = `${apiserver.url}${c.path}${c.query ? `?${c.query}` : ''}`;
      const headers = { ...c.headers, ...(c.body ? { 'content-length': String(c.body.length) } : {}) };
      const req = httpsRequest(url, { method: c.method, agent, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      req.setTimeout(ANSWER_WITHIN_MS, () => req.destroy(new Error(`no answer within ${ANSWER_WITHIN_MS / 1000} s`)));
      req.on('error', reject);
      req.end(c.body);
    });
  }

  function alive(): boolean {
    try {
      process.kill(apiserver.pid, 0);
      return true;
    } catch {
      return false;
    }
  }

  /** One case and every check on it; throws with what went wrong. */
  async function check(c: Case): Promise<void> {
    const before = await etcdClient.currentRevision();
    let a: Answer;
    try {
      a = await send(c);
    } catch (err) {
      throw new Error(`${(err as Error).message}; apiserver ${alive() ? 'up' : 'gone'}:\n${apiserver.logTail()}`);
    }
    const where = `${c.method} ${c.path}?${c.query} → ${a.status} ${a.body.slice(0, 300)}`;
    if (a.status >= 500) {
      let message = '';
      try {
        message = (JSON.parse(a.body) as { message?: string }).message ?? '';
      } catch {
        /* not a Status */
      }
      if (!UPSTREAM_5XX.some(([code, re]) => code === a.status && re.test(message))) throw new Error(`5xx: ${where}`);
    }
    if (a.status >= 400 && LEAKS.test(a.body)) throw new Error(`engine text or stack in the answer: ${where}`);
    if (a.status >= 400 && a.status !== 504 && (await etcdClient.currentRevision()) !== before) throw new Error(`refused, yet etcd changed: ${where}`);
    if (!alive()) throw new Error(`the apiserver exited after ${where}:\n${apiserver.logTail()}`);
  }

  it(`random and hostile requests for ${FUZZ_MS / 1000} s: no 5xx, leak, pollution or write on refusal`, async () => {
    for (const c of FIXED_CASES) await check(c);
    let tried = FIXED_CASES.length;
    const started = Date.now();
    await fc.assert(
      fc.asyncProperty(request, async (c) => {
        tried++;
        await check(c);
      }),
      { seed: SEED, numRuns: 10_000_000, interruptAfterTimeLimit: FUZZ_MS, markInterruptAsFailure: false, endOnFailure: true },
    );
    const readyz = await send({ method: 'GET', path: '/readyz', query: '', headers: {} });
    expect(readyz.status).toBe(200);
    expect(alive()).toBe(true);
    console.log(`fuzz: ${tried} inputs tried in ${Math.round((Date.now() - started) / 1000)} s (FUZZ_SEED=${SEED})`);
  });
});
