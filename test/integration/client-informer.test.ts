// pkg/client's informer against a real apiserver: events, lister, bookmarks, resuming
// a dropped watch without relisting, and relisting on 410. The informer talks to the
// apiserver through a TCP proxy the test can cut, which is how a connection really drops.
import { afterAll, beforeAll, describe, it, jest } from '@jest/globals';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import type { ConfigMap } from '../../api/core/v1/types.js';
import { SharedInformerFactory } from '../../pkg/client/factory.js';
import { SharedIndexInformer } from '../../pkg/client/informer.js';
import { listerWatcherFor } from '../../pkg/client/reflector.js';
import { Client, type ResourceClient } from '../../pkg/client/rest.js';
import { until as waitUntil } from '../support/controllers.js';
import { startCluster, type TestCluster } from '../support/cluster.js';

/** These checks are cheap and synchronous: poll them often, for up to 10 s. */
const until = (what: string, check: () => boolean, timeoutMs = 10_000) => waitUntil(what, check, timeoutMs, 20);

/** A TCP forwarder to the apiserver whose connections the test can drop, or refuse for a while. */
async function startProxy(targetPort: number) {
  const sockets = new Set<net.Socket>();
  let refusing = false;
  const server = net.createServer((inbound) => {
    if (refusing) return inbound.destroy();
    const outbound = net.connect(targetPort, '127.0.0.1');
    sockets.add(inbound).add(outbound);
    inbound.pipe(outbound).pipe(inbound);
    const close = () => {
      inbound.destroy();
      outbound.destroy();
      sockets.delete(inbound);
      sockets.delete(outbound);
    };
    inbound.on('error', close).on('close', close);
    outbound.on('error', close).on('close', close);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    dropAll() {
      for (const s of sockets) s.destroy();
    },
    refuse(v: boolean) {
      refusing = v;
    },
    close() {
      this.dropAll();
      server.close();
    },
  };
}

function clientVia(c: TestCluster, port: number): Client {
  const kc = new KubeConfig();
  kc.loadFromString(readFileSync(c.kubeconfig, 'utf8').replace(c.url, `https://127.0.0.1:${port}`));
  return new Client(kc);
}

jest.setTimeout(60_000);
describe('pkg/client informer', () => {
  let c: TestCluster;
  let direct: Client;
  let cms: ResourceClient<ConfigMap>;
  let proxy: Awaited<ReturnType<typeof startProxy>>;
  let viaProxy: Client;
  beforeAll(async () => {
    c = await startCluster({ watchCacheSize: 10, bookmarkIntervalMs: 200 });
    direct = Client.fromFile(c.kubeconfig);
    cms = direct.resource<ConfigMap>('v1', 'configmaps').namespace('default');
    proxy = await startProxy(c.server.config.securePort);
    viaProxy = clientVia(c, proxy.port);
  });
  afterAll(async () => {
    proxy?.close();
    viaProxy?.close();
    direct?.close();
    await c?.stop();
  });

  it('sees add, update and delete; the lister reflects them; late handlers get synthetic adds', async () => {
    await cms.create({ metadata: { name: 'pre', labels: { app: 'a' } } });
    const factory = new SharedInformerFactory(direct);
    const inf = factory.forResource<ConfigMap>('v1', 'configmaps');
    assert.equal(factory.forResource('v1', 'configmaps'), inf, 'one informer per resource');
    const events: string[] = [];
    inf.addEventHandler({
      onAdd: (o, initial) => events.push(`add ${o.metadata.name}${initial ? ' initial' : ''}`),
      onUpdate: (old, o) => events.push(`update ${o.metadata.name} ${old.data?.v ?? ''}->${o.data?.v ?? ''}`),
      onDelete: (o) => events.push(`delete ${o.metadata.name}`),
    });
    factory.start();
    await factory.waitForCacheSync();
    try {
      assert.ok(inf.hasSynced());
      assert.ok(events.includes('add pre initial'));
      await cms.create({ metadata: { name: 'w', labels: { app: 'b' } }, data: { v: '1' } });
      await until('add', () => events.includes('add w'));
      assert.equal(inf.lister.get('default', 'w')?.data?.v, '1');
      await cms.patch('w', 'merge', { data: { v: '2' } });
      await until('update', () => events.includes('update w 1->2'));
      assert.equal(inf.lister.get('default', 'w')?.data?.v, '2');
      assert.deepEqual(
        inf.lister.list('default', 'app=b').map((o) => o.metadata.name),
        ['w'],
      );
      assert.deepEqual(inf.lister.list('kube-system', 'app=b'), []);

      const late: string[] = [];
      inf.addEventHandler({ onAdd: (o) => late.push(o.metadata.name ?? '') });
      assert.ok(late.includes('pre') && late.includes('w'), `late handler replayed: ${late.join(',')}`);

      await cms.delete('w');
      await until('delete', () => events.includes('delete w'));
      assert.equal(inf.lister.get('default', 'w'), undefined);
    } finally {
      await factory.shutdown();
    }
  });

  it('honours bookmarks: a filtered informer moves its resourceVersion without events', async () => {
    const inf = new SharedIndexInformer<ConfigMap>(listerWatcherFor(cms, { labelSelector: 'app=nothing-matches' }));
    inf.run();
    await inf.waitForCacheSync();
    try {
      const start = Number(inf.lastSyncResourceVersion());
      const other = await cms.create({ metadata: { name: 'unrelated' } });
      const rv = Number(other.metadata.resourceVersion);
      assert.ok(rv > start);
      await until('a bookmark past the unrelated change', () => Number(inf.lastSyncResourceVersion()) >= rv);
      assert.equal(inf.indexer.size, 0);
    } finally {
      await inf.stop();
    }
  });

  it('resumes a dropped watch from its resourceVersion without relisting', async () => {
    const inf = new SharedIndexInformer<ConfigMap>(listerWatcherFor(viaProxy.resource<ConfigMap>('v1', 'configmaps').namespace('default')), {
      initialBackoffMs: 50,
    });
    const added: string[] = [];
    inf.addEventHandler({ onAdd: (o) => added.push(o.metadata.name ?? '') });
    inf.run();
    await inf.waitForCacheSync();
    try {
      assert.equal(inf.reflector.stats.lists, 1);
      const watchesBefore = inf.reflector.stats.watches;
      proxy.dropAll();
      // Fewer changes than the watch cache holds: the resourceVersion stays valid.
      for (let i = 0; i < 3; i++) await cms.create({ metadata: { name: `during-drop-${i}` } });
      await until('changes made while disconnected', () => added.includes('during-drop-2'));
      assert.equal(inf.reflector.stats.lists, 1, 'no relist');
      assert.ok(inf.reflector.stats.watches > watchesBefore, 'a new watch was started');
      assert.equal(inf.reflector.stats.relistsOnExpired, 0);
    } finally {
      await inf.stop();
    }
  });

  it('relists on 410 after an apiserver restart with more changes than the watch cache holds, and converges', async () => {
    const inf = new SharedIndexInformer<ConfigMap>(listerWatcherFor(viaProxy.resource<ConfigMap>('v1', 'configmaps').namespace('default')), {
      initialBackoffMs: 50,
    });
    const deleted: string[] = [];
    inf.addEventHandler({ onDelete: (o) => deleted.push(o.metadata.name ?? '') });
    inf.run();
    await inf.waitForCacheSync();
    try {
      assert.ok(inf.lister.get('default', 'pre'));
      proxy.refuse(true);
      proxy.dropAll();
      await c.restartServer();
      for (let i = 0; i < 15; i++) await cms.create({ metadata: { name: `burst-${i}` } });
      await cms.delete('pre');
      await cms.patch('burst-0', 'merge', { data: { v: 'changed' } });
      proxy.refuse(false);
      const server = await cms.list();
      const want = server.items.map((o) => `${o.metadata.name}@${o.metadata.resourceVersion}`).sort();
      const have = () =>
        inf.indexer
          .list()
          .map((o) => `${o.metadata.name}@${o.metadata.resourceVersion}`)
          .sort();
      await until('the cache to match the server', () => JSON.stringify(have()) === JSON.stringify(want), 15_000);
      assert.ok(inf.reflector.stats.relistsOnExpired >= 1, 'relisted because of 410');
      assert.equal(inf.reflector.stats.lists, 2);
      assert.ok(deleted.includes('pre'), 'the relist reported the deletion it missed');
    } finally {
      await inf.stop();
    }
  });
});
