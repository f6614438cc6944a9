// Kubernetes REST semantics over HTTP against a real etcd: dry run, generateName,
// generation, subresources, finalizers, Table, watch, paging, deletecollection,
// preconditions, server-side apply, Service allocation, scope and discovery.
import { afterAll, beforeAll, describe, it, jest } from '@jest/globals';
import type { WatchEvent as MetaWatchEvent } from '../../api/meta/v1/types.js';
import assert from 'node:assert/strict';
import { request as httpsRequest } from 'node:https';
import type { ClientRequest } from 'node:http';
import { request, startCluster, type TestCluster } from '../support/cluster.js';

interface Meta {
  name?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  deletionTimestamp?: string;
  managedFields?: Array<{ manager?: string; operation?: string }>;
  continue?: string;
  remainingItemCount?: number;
}
interface Obj {
  kind?: string;
  apiVersion?: string;
  metadata: Meta;
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
  data?: Record<string, string>;
}
interface List {
  kind: string;
  metadata: Meta;
  items: Obj[];
}
interface Status {
  kind: string;
  status?: string;
  code: number;
  reason: string;
  message: string;
  details?: { causes?: Array<{ field?: string; reason: string; message: string }> };
}
type WatchEvent = MetaWatchEvent<Obj>;

const JSON_HDR = { 'content-type': 'application/json' };
const MERGE_HDR = { 'content-type': 'application/merge-patch+json' };

function deployment(name: string, replicas = 1): Obj {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'nginx:1.14.2' }] } },
    },
  };
}

function pod(name: string): Obj {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: 'nginx:1.14.2' }] } };
}

/** An open watch: events arrive as newline-delimited JSON; waitFor resolves once n have come. */
interface WatchStream {
  events: WatchEvent[];
  waitFor(n: number, timeoutMs?: number): Promise<WatchEvent[]>;
  /** Resolves when the server ends the response. */
  ended: Promise<void>;
  close(): void;
}

function openWatch(c: TestCluster, path: string): Promise<WatchStream> {
  return new Promise((resolve, reject) => {
    const events: WatchEvent[] = [];
    const waiters: Array<() => void> = [];
    let endResolve: () => void = () => {};
    const ended = new Promise<void>((r) => {
      endResolve = r;
    });
    let buf = '';
    const req: ClientRequest = httpsRequest(new URL(path, c.url), { method: 'GET', ca: c.caCert, cert: c.adminCert.cert, key: c.adminCert.key }, (res) => {
      if (res.statusCode !== 200) {
        let body = '';
        res.on('data', (d: Buffer) => {
          body += d.toString();
        });
        res.on('end', () => reject(new Error(`watch ${path}: ${res.statusCode} ${body}`)));
        return;
      }
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buf += chunk;
        let i: number;
        while ((i = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, i).trim();
          buf = buf.slice(i + 1);
          if (line) events.push(JSON.parse(line) as WatchEvent);
        }
        for (const w of waiters.splice(0)) w();
      });
      res.on('end', () => endResolve());
      res.on('close', () => endResolve());
      resolve({
        events,
        ended,
        close: () => req.destroy(),
        waitFor(n, timeoutMs = 10_000) {
          return new Promise((ok, fail) => {
            const timer = setTimeout(() => fail(new Error(`timed out waiting for ${n} events on ${path}; got ${JSON.stringify(events)}`)), timeoutMs);
            const check = () => {
              if (events.length >= n) {
                clearTimeout(timer);
                ok(events.slice());
              } else waiters.push(check);
            };
            check();
          });
        },
      });
    });
    req.on('error', (err) => {
      if ((err as NodeJS.ErrnoException).code !== 'ECONNRESET') reject(err);
    });
    req.end();
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

jest.setTimeout(120_000);
describe('Kubernetes REST semantics over HTTP', () => {
  let c: TestCluster;
  beforeAll(async () => {
    c = await startCluster();
  });
  afterAll(async () => {
    await c?.stop();
  });

  async function send(method: string, path: string, body?: unknown, headers: Record<string, string> = JSON_HDR) {
    if (body === undefined) return request(c, method, path, { headers });
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    // Node sends a DELETE body only with an explicit content-length (no chunked default for DELETE).
    return request(c, method, path, { body: text, headers: { ...headers, 'content-length': String(Buffer.byteLength(text)) } });
  }
  async function ok<T = Obj>(method: string, path: string, body?: unknown, headers?: Record<string, string>, want?: number): Promise<T> {
    const res = await send(method, path, body, headers);
    if (want !== undefined) assert.equal(res.status, want, `${method} ${path}: ${res.body}`);
    else assert.ok(res.status >= 200 && res.status < 300, `${method} ${path}: ${res.status} ${res.body}`);
    return res.json() as T;
  }
  async function status(method: string, path: string, body: unknown, headers: Record<string, string>, code: number, reason: string): Promise<Status> {
    const res = await send(method, path, body, headers);
    assert.equal(res.status, code, `${method} ${path}: ${res.body}`);
    const st = res.json() as Status;
    assert.equal(st.kind, 'Status');
    assert.equal(st.code, code);
    assert.equal(st.reason, reason, res.body);
    return st;
  }
  async function namespace(name: string): Promise<void> {
    await ok('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } }, JSON_HDR, 201);
  }

  it('dryRun=All on create, update, patch and delete answers like the real thing and stores nothing', async () => {
    const cms = '/api/v1/namespaces/default/configmaps';
    const dryCreate = await ok('POST', `${cms}?dryRun=All`, { metadata: { name: 'dry' }, data: { k: 'v' } }, JSON_HDR, 201);
    assert.equal(dryCreate.kind, 'ConfigMap');
    assert.equal(dryCreate.metadata.name, 'dry');
    assert.deepEqual(dryCreate.data, { k: 'v' });
    assert.equal((await send('GET', `${cms}/dry`)).status, 404, 'dry-run create stored nothing');

    const real = await ok('POST', cms, { metadata: { name: 'dry' }, data: { k: 'v' } }, JSON_HDR, 201);
    const rv = real.metadata.resourceVersion;
    const unchanged = async (what: string) => {
      const now = await ok('GET', `${cms}/dry`, undefined, undefined, 200);
      assert.deepEqual(now.data, { k: 'v' }, `${what} changed the data`);
      assert.equal(now.metadata.resourceVersion, rv, `${what} changed the resourceVersion`);
      assert.equal(now.metadata.deletionTimestamp, undefined);
    };

    const dryPut = await ok('PUT', `${cms}/dry?dryRun=All`, { metadata: { name: 'dry', resourceVersion: rv }, data: { k: 'put' } }, JSON_HDR, 200);
    assert.deepEqual(dryPut.data, { k: 'put' });
    assert.equal(dryPut.metadata.uid, real.metadata.uid);
    await unchanged('dry-run update');

    const dryPatch = await ok('PATCH', `${cms}/dry?dryRun=All`, { data: { k: 'patched' } }, MERGE_HDR, 200);
    assert.deepEqual(dryPatch.data, { k: 'patched' });
    await unchanged('dry-run patch');

    const dryDelete = await send('DELETE', `${cms}/dry?dryRun=All`);
    assert.equal(dryDelete.status, 200, dryDelete.body);
    // The answer's shape (Status vs object) is checked in its own test below; here: it names the object.
    const answer = dryDelete.json() as { details?: { name?: string }; metadata?: { name?: string } };
    assert.equal(answer.details?.name ?? answer.metadata?.name, 'dry', dryDelete.body);
    await unchanged('dry-run delete');
    await ok('DELETE', `${cms}/dry`, undefined, undefined, 200);
    assert.equal((await send('GET', `${cms}/dry`)).status, 404);
  });

  it('DELETE answers a Success Status for ConfigMaps (dry run too) and the deleted object for Pods', async () => {
    // Kubernetes: the generic store returns the object only when ReturnDeletedObject is set (pods), else a Status.
    const cms = '/api/v1/namespaces/default/configmaps';
    const created = await ok('POST', cms, { metadata: { name: 'del-shape' } }, JSON_HDR, 201);
    for (const q of ['?dryRun=All', '']) {
      const res = await send('DELETE', `${cms}/del-shape${q}`);
      assert.equal(res.status, 200, res.body);
      const st = res.json() as Status & { details?: { name?: string; kind?: string; uid?: string } };
      assert.equal(st.kind, 'Status', `DELETE${q}: ${res.body}`);
      assert.equal(st.status, 'Success');
      assert.deepEqual([st.details?.name, st.details?.kind, st.details?.uid], ['del-shape', 'configmaps', created.metadata.uid]);
    }
    await ok('POST', '/api/v1/namespaces/default/pods', pod('del-shape'), JSON_HDR, 201);
    const podDel = await ok('DELETE', '/api/v1/namespaces/default/pods/del-shape?gracePeriodSeconds=0', undefined, undefined, 200);
    assert.equal(podDel.kind, 'Pod');
    assert.equal(podDel.metadata.name, 'del-shape');
  });

  it('generateName appends 5 random characters; two creates get different names', async () => {
    const body = { metadata: { generateName: 'gen-' }, data: { a: 'b' } };
    const a = await ok('POST', '/api/v1/namespaces/default/configmaps', body, JSON_HDR, 201);
    const b = await ok('POST', '/api/v1/namespaces/default/configmaps', body, JSON_HDR, 201);
    // utilrand.String: consonants and digits without look-alikes.
    assert.match(a.metadata.name ?? '', /^gen-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    assert.match(b.metadata.name ?? '', /^gen-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    assert.notEqual(a.metadata.name, b.metadata.name);
    await ok('GET', `/api/v1/namespaces/default/configmaps/${a.metadata.name}`, undefined, undefined, 200);
  });

  it('metadata.generation: 1 on create, bumps on spec change, not on label change or status update', async () => {
    const path = '/apis/apps/v1/namespaces/default/deployments';
    const created = await ok('POST', path, deployment('gen'), JSON_HDR, 201);
    assert.equal(created.metadata.generation, 1);
    const scaled = await ok('PATCH', `${path}/gen`, { spec: { replicas: 2 } }, MERGE_HDR, 200);
    assert.equal(scaled.metadata.generation, 2);
    const labelled = await ok('PATCH', `${path}/gen`, { metadata: { labels: { tier: 'web' } } }, MERGE_HDR, 200);
    assert.equal(labelled.metadata.labels?.tier, 'web');
    assert.equal(labelled.metadata.generation, 2, 'a label change does not bump generation');
    const current = await ok('GET', `${path}/gen`);
    current.status = { observedGeneration: 2, replicas: 0 };
    const statusUpdated = await ok('PUT', `${path}/gen/status`, current, JSON_HDR, 200);
    assert.equal(statusUpdated.status?.observedGeneration, 2);
    assert.equal(statusUpdated.metadata.generation, 2, 'a status update does not bump generation');
    const again = await ok('GET', `${path}/gen`);
    assert.equal(again.metadata.generation, 2);
  });

  it('status subresource writes only status; the main resource ignores status', async () => {
    const path = '/apis/apps/v1/namespaces/default/deployments';
    await ok('POST', path, deployment('stat'), JSON_HDR, 201);
    const cur = await ok('GET', `${path}/stat`);
    (cur.spec as { replicas: number }).replicas = 7;
    cur.status = { observedGeneration: 1, replicas: 1, updatedReplicas: 1 };
    const put = await ok('PUT', `${path}/stat/status`, cur, JSON_HDR, 200);
    assert.equal((put.spec as { replicas: number }).replicas, 1, 'spec change through /status is ignored');
    assert.equal(put.status?.replicas, 1);
    assert.equal(put.status?.updatedReplicas, 1);

    const patched = await ok('PATCH', `${path}/stat/status`, { spec: { replicas: 9 }, status: { updatedReplicas: 0 } }, MERGE_HDR, 200);
    assert.equal((patched.spec as { replicas: number }).replicas, 1, 'spec change through PATCH /status is ignored');
    assert.equal(patched.status?.updatedReplicas, 0);
    assert.equal(patched.status?.replicas, 1);

    const main = await ok('GET', `${path}/stat`);
    main.status = { observedGeneration: 1, replicas: 5 };
    (main.spec as { replicas: number }).replicas = 3;
    const updated = await ok('PUT', `${path}/stat`, main, JSON_HDR, 200);
    assert.equal((updated.spec as { replicas: number }).replicas, 3);
    assert.equal(updated.status?.replicas, 1, 'status change through the main resource is ignored');
    const stored = await ok('GET', `${path}/stat`);
    assert.equal(stored.status?.replicas, 1);
    assert.equal((stored.spec as { replicas: number }).replicas, 3);
  });

  it('scale subresource: autoscaling/v1 Scale, merge patch sets replicas, negative is 422', async () => {
    const path = '/apis/apps/v1/namespaces/default/deployments';
    await ok('POST', path, deployment('scaly', 2), JSON_HDR, 201);
    const scale = await ok<Obj & { spec: { replicas: number }; status: { replicas: number; selector: string } }>(
      'GET',
      `${path}/scaly/scale`,
      undefined,
      undefined,
      200,
    );
    assert.equal(scale.kind, 'Scale');
    assert.equal(scale.apiVersion, 'autoscaling/v1');
    assert.equal(scale.metadata.name, 'scaly');
    assert.equal(scale.spec.replicas, 2);
    assert.equal(scale.status.selector, 'app=scaly');
    const patched = await ok<{ spec: { replicas: number } }>('PATCH', `${path}/scaly/scale`, { spec: { replicas: 4 } }, MERGE_HDR, 200);
    assert.equal(patched.spec.replicas, 4);
    const d = await ok('GET', `${path}/scaly`);
    assert.equal((d.spec as { replicas: number }).replicas, 4);
    await status('PATCH', `${path}/scaly/scale`, { spec: { replicas: -1 } }, MERGE_HDR, 422, 'Invalid');
    const after = await ok('GET', `${path}/scaly`);
    assert.equal((after.spec as { replicas: number }).replicas, 4);
  });

  it('finalizers hold a deleted object until removed; no new finalizers while deleting', async () => {
    const cms = '/api/v1/namespaces/default/configmaps';
    await ok('POST', cms, { metadata: { name: 'held', finalizers: ['example.com/hold'] } }, JSON_HDR, 201);
    const del = await ok('DELETE', `${cms}/held`, undefined, undefined, 200);
    assert.equal(del.kind, 'ConfigMap', 'the pending object comes back, not a Status');
    assert.ok(del.metadata.deletionTimestamp);
    const still = await ok('GET', `${cms}/held`, undefined, undefined, 200);
    assert.ok(still.metadata.deletionTimestamp);
    assert.deepEqual(still.metadata.finalizers, ['example.com/hold']);

    await status('PATCH', `${cms}/held`, { metadata: { finalizers: ['example.com/hold', 'example.com/new'] } }, MERGE_HDR, 422, 'Invalid');
    assert.deepEqual((await ok('GET', `${cms}/held`)).metadata.finalizers, ['example.com/hold']);

    await ok('PATCH', `${cms}/held`, { metadata: { finalizers: null } }, MERGE_HDR, 200);
    assert.equal((await send('GET', `${cms}/held`)).status, 404);
  });

  it('Table responses carry the pod columns and PartialObjectMetadata rows', async () => {
    await ok('POST', '/api/v1/namespaces/default/pods', pod('tabled'), JSON_HDR, 201);
    const res = await send('GET', '/api/v1/namespaces/default/pods', undefined, { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' });
    assert.equal(res.status, 200, res.body);
    const table = res.json() as {
      kind: string;
      apiVersion: string;
      columnDefinitions: Array<{ name: string; priority: number }>;
      rows: Array<{ cells: unknown[]; object: Obj }>;
    };
    assert.equal(table.kind, 'Table');
    assert.equal(table.apiVersion, 'meta.k8s.io/v1');
    assert.deepEqual(
      table.columnDefinitions.map((col) => col.name),
      ['Name', 'Ready', 'Status', 'Restarts', 'Age', 'IP', 'Node', 'Nominated Node', 'Readiness Gates'],
    );
    assert.deepEqual(
      table.columnDefinitions.map((col) => col.priority),
      [0, 0, 0, 0, 0, 1, 1, 1, 1],
    );
    const row = table.rows.find((r) => r.cells[0] === 'tabled');
    assert.ok(row, JSON.stringify(table.rows));
    assert.equal(row.cells[1], '0/1');
    assert.equal(row.cells[2], 'Pending');
    assert.equal(row.object.kind, 'PartialObjectMetadata');
    assert.equal(row.object.apiVersion, 'meta.k8s.io/v1');
    assert.equal(row.object.metadata.name, 'tabled');
    assert.equal(row.object.spec, undefined);

    const single = await send('GET', '/api/v1/namespaces/default/pods/tabled?includeObject=Object', undefined, {
      accept: 'application/json;as=Table;v=v1;g=meta.k8s.io',
    });
    const one = single.json() as { kind: string; rows: Array<{ object: Obj }> };
    assert.equal(one.kind, 'Table');
    assert.equal(one.rows.length, 1);
    assert.equal(one.rows[0].object.kind, 'Pod');
    assert.ok(one.rows[0].object.spec);
  });

  it('a label-filtered watch sees ADDED when an object starts matching and DELETED when it stops', async () => {
    await namespace('watch-filter');
    const cms = '/api/v1/namespaces/watch-filter/configmaps';
    const w = await openWatch(c, `${cms}?watch=1&labelSelector=app%3Dx`);
    try {
      await ok('POST', cms, { metadata: { name: 'w1' }, data: { n: '0' } }, JSON_HDR, 201);
      await ok('PATCH', `${cms}/w1`, { metadata: { labels: { app: 'x' } } }, MERGE_HDR, 200);
      await ok('PATCH', `${cms}/w1`, { data: { n: '1' } }, MERGE_HDR, 200);
      await ok('PATCH', `${cms}/w1`, { metadata: { labels: { app: null } } }, MERGE_HDR, 200);
      await ok('PATCH', `${cms}/w1`, { data: { n: '2' } }, MERGE_HDR, 200);
      const events = await w.waitFor(3);
      await sleep(300);
      assert.deepEqual(
        w.events.map((e) => e.type),
        ['ADDED', 'MODIFIED', 'DELETED'],
      );
      assert.equal(events[0].object.metadata.name, 'w1');
      assert.equal(events[0].object.metadata.labels?.app, 'x');
      // The DELETED event carries the object as it now is (no longer matching).
      assert.equal(events[2].object.metadata.labels?.app, undefined);
    } finally {
      w.close();
    }
  });

  it('allowWatchBookmarks=true gets BOOKMARK events carrying only a resourceVersion', async () => {
    const b = await startCluster({ bookmarkIntervalMs: 200 });
    try {
      const w = await openWatch(b, '/api/v1/namespaces/default/configmaps?watch=1&allowWatchBookmarks=true');
      try {
        await request(b, 'POST', '/api/v1/namespaces/default/configmaps', { body: JSON.stringify({ metadata: { name: 'bm' } }), headers: JSON_HDR });
        const deadline = Date.now() + 10_000;
        let bookmark: WatchEvent | undefined;
        while (!bookmark && Date.now() < deadline) {
          await w.waitFor(w.events.length + 1, deadline - Date.now());
          bookmark = w.events.find((e) => e.type === 'BOOKMARK');
        }
        assert.ok(bookmark, JSON.stringify(w.events));
        assert.equal(bookmark.object.kind, 'ConfigMap');
        assert.equal(bookmark.object.apiVersion, 'v1');
        assert.match(bookmark.object.metadata.resourceVersion ?? '', /^\d+$/);
        assert.equal(bookmark.object.metadata.name, undefined);
        assert.equal(bookmark.object.metadata.uid, undefined);
        assert.equal(bookmark.object.data, undefined);
      } finally {
        w.close();
      }
    } finally {
      await b.stop();
    }
  });

  it('timeoutSeconds=1 ends a watch after about a second', async () => {
    const start = Date.now();
    const res = await send('GET', '/api/v1/namespaces/default/configmaps?watch=1&timeoutSeconds=1');
    const took = Date.now() - start;
    assert.equal(res.status, 200);
    assert.ok(took >= 900 && took < 3000, `watch took ${took} ms`);
  });

  it('a watch from a list resourceVersion gets only later changes', async () => {
    await namespace('watch-rv');
    const cms = '/api/v1/namespaces/watch-rv/configmaps';
    await ok('POST', cms, { metadata: { name: 'before' } }, JSON_HDR, 201);
    const list = await ok<List>('GET', cms);
    assert.deepEqual(
      list.items.map((i) => i.metadata.name),
      ['before'],
    );
    await ok('POST', cms, { metadata: { name: 'later' } }, JSON_HDR, 201);
    const res = await send('GET', `${cms}?watch=1&timeoutSeconds=1&resourceVersion=${list.metadata.resourceVersion}`);
    assert.equal(res.status, 200);
    const events = res.body
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as WatchEvent);
    assert.deepEqual(
      events.map((e) => `${e.type} ${e.object.metadata.name}`),
      ['ADDED later'],
    );
  });

  it('sendInitialEvents=true streams the current objects then an initial-events-end BOOKMARK', async () => {
    await namespace('watch-initial');
    const cms = '/api/v1/namespaces/watch-initial/configmaps';
    await ok('POST', cms, { metadata: { name: 'one' } }, JSON_HDR, 201);
    await ok('POST', cms, { metadata: { name: 'two' } }, JSON_HDR, 201);
    const w = await openWatch(c, `${cms}?watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true`);
    try {
      const events = await w.waitFor(3);
      assert.deepEqual(
        events.slice(0, 2).map((e) => e.type),
        ['ADDED', 'ADDED'],
      );
      assert.deepEqual(
        events
          .slice(0, 2)
          .map((e) => e.object.metadata.name)
          .sort(),
        ['one', 'two'],
      );
      assert.equal(events[2].type, 'BOOKMARK');
      assert.equal(events[2].object.metadata.annotations?.['k8s.io/initial-events-end'], 'true');
      assert.match(events[2].object.metadata.resourceVersion ?? '', /^\d+$/);
      await ok('POST', cms, { metadata: { name: 'three' } }, JSON_HDR, 201);
      const more = await w.waitFor(4);
      assert.equal(more[3].type, 'ADDED');
      assert.equal(more[3].object.metadata.name, 'three');
    } finally {
      w.close();
    }
  });

  it('list paging: limit/continue walk one snapshot; resourceVersion=0 and Exact are served', async () => {
    await namespace('paging');
    const cms = '/api/v1/namespaces/paging/configmaps';
    for (let i = 0; i < 5; i++) await ok('POST', cms, { metadata: { name: `p${i}` } }, JSON_HDR, 201);
    const first = await ok<List>('GET', `${cms}?limit=2`);
    assert.equal(first.items.length, 2);
    assert.ok(first.metadata.continue, 'first page has a continue token');
    // A write between pages does not show up: continuation reads the first page's snapshot.
    await ok('POST', cms, { metadata: { name: 'p9-late' } }, JSON_HDR, 201);
    const names = first.items.map((i) => i.metadata.name);
    let page = first;
    while (page.metadata.continue) {
      page = await ok<List>('GET', `${cms}?limit=2&continue=${encodeURIComponent(page.metadata.continue)}`);
      assert.equal(page.metadata.resourceVersion, first.metadata.resourceVersion, 'every page has the same resourceVersion');
      names.push(...page.items.map((i) => i.metadata.name));
    }
    assert.deepEqual(names, ['p0', 'p1', 'p2', 'p3', 'p4']);

    const fromCache = await ok<List>('GET', `${cms}?resourceVersion=0`);
    assert.equal(fromCache.items.length, 6);
    const current = await ok<List>('GET', cms);
    const exact = await ok<List>('GET', `${cms}?resourceVersion=${current.metadata.resourceVersion}&resourceVersionMatch=Exact`);
    assert.equal(exact.metadata.resourceVersion, current.metadata.resourceVersion);
    assert.equal(exact.items.length, 6);
  });

  it('a paged list without selectors reports metadata.remainingItemCount', async () => {
    await namespace('remaining');
    const cms = '/api/v1/namespaces/remaining/configmaps';
    for (let i = 0; i < 5; i++) await ok('POST', cms, { metadata: { name: `r${i}` } }, JSON_HDR, 201);
    const first = await ok<List>('GET', `${cms}?limit=2`);
    assert.equal(first.metadata.remainingItemCount, 3, JSON.stringify(first.metadata));
    const second = await ok<List>('GET', `${cms}?limit=2&continue=${encodeURIComponent(first.metadata.continue ?? '')}`);
    assert.equal(second.metadata.remainingItemCount, 1, JSON.stringify(second.metadata));
    const last = await ok<List>('GET', `${cms}?limit=2&continue=${encodeURIComponent(second.metadata.continue ?? '')}`);
    assert.equal(last.metadata.remainingItemCount, undefined);
    assert.equal(last.metadata.continue, undefined);
  });

  it('deletecollection with a labelSelector deletes only the matching objects', async () => {
    await namespace('dc');
    const cms = '/api/v1/namespaces/dc/configmaps';
    for (const [name, tier] of [
      ['a1', 'a'],
      ['a2', 'a'],
      ['a3', 'a'],
      ['b1', 'b'],
      ['b2', 'b'],
    ]) {
      await ok('POST', cms, { metadata: { name, labels: { tier } } }, JSON_HDR, 201);
    }
    const res = await send('DELETE', `${cms}?labelSelector=tier%3Da`);
    assert.equal(res.status, 200, res.body);
    const left = await ok<List>('GET', cms);
    assert.deepEqual(left.items.map((i) => i.metadata.name).sort(), ['b1', 'b2']);
  });

  it('a delete precondition on the wrong uid is 409 Conflict and deletes nothing', async () => {
    const cms = '/api/v1/namespaces/default/configmaps';
    await ok('POST', cms, { metadata: { name: 'precond' } }, JSON_HDR, 201);
    await status('DELETE', `${cms}/precond`, { kind: 'DeleteOptions', apiVersion: 'v1', preconditions: { uid: 'wrong' } }, JSON_HDR, 409, 'Conflict');
    await ok('GET', `${cms}/precond`, undefined, undefined, 200);
  });

  it('server-side apply: create, managedFields, conflicts, force, and a required fieldManager', async () => {
    const path = '/api/v1/namespaces/default/configmaps/ssa';
    const APPLY = { 'content-type': 'application/apply-patch+yaml' };
    const doc = (v: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa\ndata:\n  key: ${v}\n`;
    const created = await ok('PATCH', `${path}?fieldManager=a`, doc('a-value'), APPLY, 201);
    assert.deepEqual(created.data, { key: 'a-value' });
    assert.ok(
      created.metadata.managedFields?.some((m) => m.manager === 'a' && m.operation === 'Apply'),
      JSON.stringify(created.metadata.managedFields),
    );

    const st = await status('PATCH', `${path}?fieldManager=b`, doc('b-value'), APPLY, 409, 'Conflict');
    assert.ok(
      st.details?.causes?.some((cause) => cause.reason === 'FieldManagerConflict' && cause.field === '.data.key'),
      JSON.stringify(st),
    );
    assert.deepEqual((await ok('GET', path)).data, { key: 'a-value' });

    const forced = await ok('PATCH', `${path}?fieldManager=b&force=true`, doc('b-value'), APPLY, 200);
    assert.deepEqual(forced.data, { key: 'b-value' });
    assert.ok(forced.metadata.managedFields?.some((m) => m.manager === 'b' && m.operation === 'Apply'));

    await status('PATCH', path, doc('c-value'), APPLY, 400, 'BadRequest');
  });

  it('Service allocation: distinct clusterIPs in 10.96.0.0/12, nodePorts in 30000-32767, a taken IP is 422', async () => {
    const svcs = '/api/v1/namespaces/default/services';
    const svc = (name: string, spec: Record<string, unknown> = {}) => ({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name },
      spec: { selector: { app: name }, ports: [{ port: 80 }], ...spec },
    });
    const inRange = (ip: string) => {
      const [a, b] = ip.split('.').map(Number);
      return a === 10 && b >= 96 && b <= 111;
    };
    const one = await ok('POST', svcs, svc('svc-one'), JSON_HDR, 201);
    const two = await ok('POST', svcs, svc('svc-two'), JSON_HDR, 201);
    const ip1 = String(one.spec?.clusterIP);
    const ip2 = String(two.spec?.clusterIP);
    assert.ok(inRange(ip1), ip1);
    assert.ok(inRange(ip2), ip2);
    assert.notEqual(ip1, ip2);
    assert.notEqual(ip1, '10.96.0.1');
    assert.notEqual(ip2, '10.96.0.1');
    assert.deepEqual(one.spec?.clusterIPs, [ip1]);
    const kube = await send('GET', `${svcs}/kubernetes`);
    if (kube.status === 200) assert.equal((kube.json() as Obj).spec?.clusterIP, '10.96.0.1');

    const np = await ok('POST', svcs, svc('svc-np', { type: 'NodePort' }), JSON_HDR, 201);
    const nodePort = (np.spec?.ports as Array<{ nodePort: number }>)[0].nodePort;
    assert.ok(nodePort >= 30000 && nodePort <= 32767, String(nodePort));

    await status('POST', svcs, svc('svc-dup', { clusterIP: ip1 }), JSON_HDR, 422, 'Invalid');
    assert.equal((await send('GET', `${svcs}/svc-dup`)).status, 404);
  });

  it('a namespaced kind through the cluster-scoped path: POST is 405 MethodNotAllowed, a name under it is 404', async () => {
    // /api/v1/configmaps only lists and watches across namespaces (kubernetes/kubernetes#12737: POST there is 405).
    await status('POST', '/api/v1/configmaps', { metadata: { name: 'noscope', namespace: 'default' } }, JSON_HDR, 405, 'MethodNotAllowed');
    // deletecollection exists only per namespace (the selector keeps a wrong server from touching others' objects).
    await status('DELETE', '/api/v1/configmaps?labelSelector=scope-test%3Dnone', undefined, {}, 405, 'MethodNotAllowed');
    await status('GET', '/api/v1/configmaps/noscope', undefined, {}, 404, 'NotFound');
    await status('DELETE', '/api/v1/configmaps/noscope', undefined, {}, 404, 'NotFound');
    assert.equal((await send('GET', '/api/v1/namespaces/default/configmaps/noscope')).status, 404, 'nothing was created');
  });

  it('a cluster-scoped kind through a namespaced path is 404; GET /api/v1/pods lists every namespace', async () => {
    await status('POST', '/api/v1/namespaces/default/namespaces', { metadata: { name: 'nested' } }, JSON_HDR, 404, 'NotFound');
    await status('GET', '/api/v1/namespaces/default/nodes/x', undefined, {}, 404, 'NotFound');
    assert.equal((await send('GET', '/api/v1/namespaces/nested')).status, 404, 'nothing was created');

    await namespace('other-pods');
    await ok('POST', '/api/v1/namespaces/default/pods', pod('everywhere-a'), JSON_HDR, 201);
    await ok('POST', '/api/v1/namespaces/other-pods/pods', pod('everywhere-b'), JSON_HDR, 201);
    const all = await ok<List>('GET', '/api/v1/pods');
    assert.equal(all.kind, 'PodList');
    const found = all.items.map((p) => `${p.metadata.namespace}/${p.metadata.name}`);
    assert.ok(found.includes('default/everywhere-a'), found.join(' '));
    assert.ok(found.includes('other-pods/everywhere-b'), found.join(' '));
  });

  it('discovery: aggregated APIGroupDiscoveryList and the /api/v1 resource list', async () => {
    const res = await send('GET', '/apis', undefined, { accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json' });
    assert.equal(res.status, 200, res.body);
    assert.match(String(res.headers['content-type']), /as=APIGroupDiscoveryList/);
    const agg = res.json() as { kind: string; apiVersion: string; items: Array<{ metadata: { name: string } }> };
    assert.equal(agg.kind, 'APIGroupDiscoveryList');
    assert.equal(agg.apiVersion, 'apidiscovery.k8s.io/v2');
    assert.ok(agg.items.some((g) => g.metadata.name === 'apps'));

    const v1 = await ok<{
      kind: string;
      groupVersion: string;
      resources: Array<{ name: string; shortNames?: string[]; namespaced: boolean; kind: string; verbs: string[] }>;
    }>('GET', '/api/v1');
    assert.equal(v1.kind, 'APIResourceList');
    assert.equal(v1.groupVersion, 'v1');
    const pods = v1.resources.find((r) => r.name === 'pods');
    assert.ok(pods);
    assert.deepEqual(pods.shortNames, ['po']);
    assert.equal(pods.namespaced, true);
    assert.equal(pods.kind, 'Pod');
    assert.ok(pods.verbs.includes('watch'));
    assert.ok(v1.resources.some((r) => r.name === 'pods/status' && r.kind === 'Pod'));
  });
});
