// pkg/storage against a real etcd: conditional writes, lists, paging, the watch cache.
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { StatusError } from '../../api/meta/v1/status.js';
import type { KubeObject } from '../../api/meta/v1/types.js';
import { BUILTIN_RESOURCES } from '../../api/resources.js';
import { EtcdClient, startCompactor } from '../../pkg/storage/etcd.js';
import { DELETE_OBJECT, ResourceStorage } from '../../pkg/storage/store.js';
import { withResourceVersion } from '../../pkg/storage/objectjson.js';
import { RegistryWatch } from '../../pkg/storage/registrywatch.js';
import { startEtcd, type TestEtcd } from '../support/etcd.js';

const configmaps = BUILTIN_RESOURCES.find((r) => r.plural === 'configmaps' && r.group === '')!;

function cm(ns: string, name: string, data: Record<string, string> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns }, data };
}

async function statusOf(p: Promise<unknown>): Promise<StatusError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof StatusError) return err;
    throw err;
  }
  assert.fail('expected a StatusError');
}

/** Counts calls of one of client's methods from now on. */
function countCalls(client: EtcdClient, method: 'get'): () => number {
  let n = 0;
  const original = client[method].bind(client);
  client[method] = ((...args: Parameters<EtcdClient['get']>) => {
    n++;
    return original(...args);
  }) as EtcdClient['get'];
  return () => n;
}

describe('etcd storage', () => {
  let etcd: TestEtcd;
  let client: EtcdClient;
  let store: ResourceStorage;
  let hub: RegistryWatch;

  beforeAll(async () => {
    etcd = await startEtcd();
    client = new EtcdClient([etcd.endpoint]);
    hub = new RegistryWatch(client, () => undefined);
    store = new ResourceStorage(client, configmaps, { hub, watchCacheSize: 50, bookmarkIntervalMs: 200, log: () => undefined });
  });
  afterAll(async () => {
    await store.stop();
    await hub.stop();
    client.close();
    await etcd.stop();
  });

  it('stores under the Kubernetes key layout with resourceVersion = mod revision', async () => {
    const created = await store.create(cm('a', 'one', { k: 'v' }));
    const { kv } = await client.get('/registry/configmaps/a/one');
    assert.ok(kv);
    assert.equal(created.metadata.resourceVersion, String(kv.modRevision));
    assert.equal(JSON.parse(kv.value.toString()).metadata.resourceVersion, undefined);
    const again = await statusOf(store.create(cm('a', 'one')));
    assert.equal(again.code, 409);
    assert.equal(again.reason, 'AlreadyExists');
  });

  it('50 concurrent updates from the same stale copy: exactly one wins, the rest get 409', async () => {
    const base = await store.create(cm('a', 'race', { n: '0' }));
    const rv = Number(base.metadata.resourceVersion);
    const results = await Promise.allSettled(Array.from({ length: 50 }, (_, i) => store.update(cm('a', 'race', { n: String(i + 1) }), rv)));
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
    assert.equal(won.length, 1);
    assert.equal(lost.length, 49);
    for (const l of lost) assert.equal((l.reason as StatusError).code, 409);
    const final = await store.get('a', 'race');
    assert.equal(
      final?.data && (final.data as Record<string, string>).n,
      ((won[0] as PromiseFulfilledResult<KubeObject>).value.data as Record<string, string>).n,
    );
  });

  it('guaranteedUpdate: 50 concurrent read-modify-writes lose none, each starting from the cache', async () => {
    await store.cache.start();
    const counter = await store.create(cm('gu', 'counter', { n: '0' }));
    await store.cache.waitUntilFresh(Number(counter.metadata.resourceVersion));
    const gets = countCalls(client, 'get');
    await Promise.all(
      Array.from({ length: 50 }, () =>
        store.guaranteedUpdate('gu', 'counter', (cur) => {
          const data = cur.data as Record<string, string>;
          data.n = String(Number(data.n) + 1);
          return cur;
        }),
      ),
    );
    // Conflicts are answered with etcd's current value, so no update re-reads the object.
    assert.equal(gets(), 0);
    const final = await store.get('gu', 'counter');
    assert.equal((final?.data as Record<string, string>).n, '50');
  });

  it("guaranteedUpdate: nothing to write is no write; a precondition refused on a stale copy is checked again on etcd's", async () => {
    await store.cache.start();
    const created = await store.create(cm('gu', 'same', { k: 'v' }));
    const unchanged = await store.guaranteedUpdate('gu', 'same', () => undefined);
    assert.equal(unchanged.metadata.resourceVersion, created.metadata.resourceVersion);
    // Written behind the cache's back and checked at once: the first try may see the old copy.
    const newer = await store.update({ ...created, data: { k: 'w' } }, Number(created.metadata.resourceVersion));
    const seen: string[] = [];
    const out = await store.guaranteedUpdate('gu', 'same', (cur) => {
      seen.push(cur.metadata.resourceVersion ?? '');
      if (cur.metadata.resourceVersion !== newer.metadata.resourceVersion) throw new StatusError(409, 'Conflict', 'stale');
      return { ...cur, data: { k: 'x' } };
    });
    assert.equal((out.data as Record<string, string>).k, 'x');
    assert.equal(seen[seen.length - 1], newer.metadata.resourceVersion);
  });

  it('guaranteedUpdate: DELETE_OBJECT deletes guarded on the revision; a missing object is 404', async () => {
    await store.create(cm('gu', 'doomed'));
    const gone = await store.guaranteedUpdate('gu', 'doomed', () => DELETE_OBJECT);
    assert.equal(gone.metadata.name, 'doomed');
    assert.equal(await store.get('gu', 'doomed'), undefined);
    const missing = await statusOf(store.guaranteedUpdate('gu', 'doomed', () => undefined));
    assert.equal(missing.code, 404);
  });

  it('lists answer with the stored text, from etcd and from the cache; a value in another layout gets its kind', async () => {
    await store.create(cm('text', 'a', { k: 'v' }));
    // Written by something else: no metadata first, no kind.
    const foreign = await client.create('/registry/configmaps/text/b', Buffer.from('{"data":{"k":"w"},"metadata":{"name":"b","namespace":"text"}}'));
    assert.ok(foreign.ok);
    const consistent = await store.listMaybeJSON({ namespace: 'text', asJSON: true });
    await store.cache.waitUntilFresh(Number(consistent.resourceVersion));
    const cached = await store.listMaybeJSON({ namespace: 'text', asJSON: true, resourceVersion: '0' });
    for (const res of [consistent, cached]) {
      assert.equal(res.itemsJSON?.length, 2);
      const [a, b] = (res.itemsJSON ?? []).map((j) => JSON.parse(j) as KubeObject);
      const { kv } = await client.get('/registry/configmaps/text/a');
      assert.equal(res.itemsJSON?.[0], withResourceVersion(kv!.value.toString(), kv!.modRevision));
      assert.equal(a.kind, 'ConfigMap');
      assert.deepEqual([b.kind, b.metadata.resourceVersion, (b.data as Record<string, string>).k], ['ConfigMap', String(foreign.ok && foreign.revision), 'w']);
    }
  });

  it('a consistent read whose cache stays behind reads etcd instead', async () => {
    const stuckHub = new RegistryWatch(client, () => undefined);
    const stuck = new ResourceStorage(client, configmaps, { hub: stuckHub, watchCacheSize: 50, bookmarkIntervalMs: 60_000, log: () => undefined });
    try {
      await stuck.cache.start();
      await stuckHub.stop(); // the cache keeps its snapshot but hears of nothing more
      const created = await store.create(cm('behind', 'x', { v: '1' }));
      const got = await stuck.getConsistent('behind', 'x');
      assert.equal(got?.metadata.resourceVersion, created.metadata.resourceVersion);
    } finally {
      await stuck.stop();
    }
  });

  it("consistent reads come from the cache only once it has etcd's current revision; a burst shares two revision reads", async () => {
    await store.cache.start();
    const created = await store.create(cm('cr', 'x', { v: '1' }));
    // Written straight to etcd and read back at once: the read must wait for the watch to bring it.
    const res = await client.update(
      '/registry/configmaps/cr/x',
      Buffer.from(JSON.stringify({ ...created, data: { v: '2' } })),
      Number(created.metadata.resourceVersion),
    );
    assert.ok(res.ok);
    const got = await store.getConsistent('cr', 'x');
    assert.equal((got?.data as Record<string, string>).v, '2');
    assert.equal(got?.metadata.resourceVersion, String(res.ok && res.revision));
    const listed = await store.list({ namespace: 'cr' });
    assert.equal((listed.items[0].data as Record<string, string>).v, '2');

    let reads = 0;
    const original = client.currentRevision.bind(client);
    client.currentRevision = () => {
      reads++;
      return original();
    };
    try {
      const all = await Promise.all(Array.from({ length: 100 }, () => store.getConsistent('cr', 'x')));
      assert.ok(all.every((o) => (o?.data as Record<string, string>).v === '2'));
      assert.ok(reads <= 2, `${reads} revision reads for 100 concurrent consistent reads`);
    } finally {
      client.currentRevision = original;
    }
  });

  it('lists consistently, pages with limit/continue, and filters by namespace', async () => {
    for (let i = 0; i < 7; i++) await store.create(cm('paged', `item-${i}`));
    await store.create(cm('other', 'item-x'));
    const first = await store.list({ namespace: 'paged', limit: 3 });
    assert.deepEqual(
      first.items.map((o) => o.metadata.name),
      ['item-0', 'item-1', 'item-2'],
    );
    assert.ok(first.continue);
    await store.create(cm('paged', 'item-7')); // written after the first page: not in this list
    const second = await store.list({ namespace: 'paged', limit: 3, continue: first.continue });
    assert.deepEqual(
      second.items.map((o) => o.metadata.name),
      ['item-3', 'item-4', 'item-5'],
    );
    assert.equal(second.resourceVersion, first.resourceVersion);
    const third = await store.list({ namespace: 'paged', limit: 3, continue: second.continue });
    assert.deepEqual(
      third.items.map((o) => o.metadata.name),
      ['item-6'],
    );
    assert.equal(third.continue, undefined);
    const bad = await statusOf(store.list({ namespace: 'paged', continue: 'not-a-token' }));
    assert.equal(bad.code, 400);
  });

  it('serves resourceVersion=0 lists and watches from the cache, one event per change', async () => {
    await store.cache.start();
    const seen: string[] = [];
    const cancel = await store.watch(
      { namespace: 'w', resourceVersion: String(store.cache.resourceVersion) },
      {
        onEvent: (type, ev) => seen.push(`${type} ${ev.object.metadata.name}`),
        onClose: () => undefined,
      },
    );
    const a = await store.create(cm('w', 'a'));
    await store.create(cm('elsewhere', 'b'));
    const a2 = await store.update({ ...a, data: { x: '1' } }, Number(a.metadata.resourceVersion));
    await store.delete(a2);
    const deadline = Date.now() + 5000;
    while (seen.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    cancel();
    assert.deepEqual(seen, ['ADDED a', 'MODIFIED a', 'DELETED a']);
    const cached = await store.list({ resourceVersion: '0', namespace: 'paged' });
    assert.equal(cached.items.length, 8);
  });

  it("a watch from a list of another resource's newer revision starts at once (global progress)", async () => {
    await store.cache.start();
    // A write elsewhere in the registry moves the revision past anything configmaps saw.
    const other = await client.create('/registry/secrets/x/unrelated', Buffer.from('{"metadata":{"name":"unrelated"}}'));
    assert.ok(other.ok);
    const started = Date.now();
    const cancel = await store.watch({ resourceVersion: String(other.revision) }, { onEvent: () => undefined, onClose: () => undefined });
    cancel();
    assert.ok(Date.now() - started < 1000, `watch waited ${Date.now() - started} ms for progress`);
  });

  it('a resourceVersion older than the cache window gives 410 Expired', async () => {
    const start = store.cache.resourceVersion;
    for (let i = 0; i < 60; i++) await store.create(cm('churn', `c-${i}`)); // window holds 50 events
    const err = await statusOf(store.watch({ resourceVersion: String(start) }, { onEvent: () => undefined, onClose: () => undefined }));
    assert.equal(err.code, 410);
    assert.equal(err.reason, 'Expired');
  });

  it('the compactor keeps history bounded: a revision two intervals old is compacted', async () => {
    const old = (await store.list({})).resourceVersion;
    await store.create(cm('compactor', 'x'));
    const stop = startCompactor(client, 100, () => undefined);
    try {
      const deadline = Date.now() + 5000;
      let gone = false;
      while (!gone && Date.now() < deadline) {
        await store.create(cm('compactor', `tick-${Date.now()}`));
        gone = await store.list({ resourceVersion: old, resourceVersionMatch: 'Exact' }).then(
          () => false,
          (e: StatusError) => e.code === 410,
        );
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.ok(gone, 'old revision still readable after compaction intervals');
    } finally {
      stop();
    }
  });

  it('a thousand watchers share the one etcd watch of the cache', async () => {
    const got: number[] = new Array(1000).fill(0);
    const cancels = await Promise.all(
      got.map((_, i) =>
        store.watch({ namespace: 'fan', resourceVersion: String(store.cache.resourceVersion) }, { onEvent: () => got[i]++, onClose: () => undefined }),
      ),
    );
    assert.equal(store.cache.watcherCount, 1000);
    await store.create(cm('fan', 'one'));
    const deadline = Date.now() + 5000;
    while (got.some((n) => n === 0) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    for (const c of cancels) c();
    assert.ok(
      got.every((n) => n === 1),
      'every watcher got the event exactly once',
    );
    assert.equal(store.cache.watcherCount, 0);
  });

  it('a compacted revision gives 410 for exact lists', async () => {
    const before = (await store.list({})).resourceVersion;
    await store.create(cm('compact', 'x'));
    await client.compact(await client.currentRevision());
    const err = await statusOf(store.list({ resourceVersion: before, resourceVersionMatch: 'Exact' }));
    assert.equal(err.code, 410);
  });
});
