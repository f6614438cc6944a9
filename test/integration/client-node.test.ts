// @kubernetes/client-node, unmodified, against Timonel: typed API calls and its informer.
import { afterAll, beforeAll, describe, it, jest } from '@jest/globals';
import assert from 'node:assert/strict';
import { CoreV1Api, KubeConfig, makeInformer, type V1ConfigMap } from '@kubernetes/client-node';
import { until as waitUntil } from '../support/controllers.js';
import { startCluster, type TestCluster } from '../support/cluster.js';

/** These checks are cheap and synchronous: poll them often, for up to 10 s. */
const until = (what: string, check: () => boolean, timeoutMs = 10_000) => waitUntil(what, check, timeoutMs, 25);

jest.setTimeout(120_000);
describe('@kubernetes/client-node against the apiserver', () => {
  let c: TestCluster;
  let kc: KubeConfig;
  let core: CoreV1Api;
  beforeAll(async () => {
    c = await startCluster({ watchCacheSize: 20 });
    kc = new KubeConfig();
    kc.loadFromFile(c.kubeconfig);
    core = kc.makeApiClient(CoreV1Api);
  });
  afterAll(async () => {
    await c?.stop();
  });

  it('lists and creates with the typed API', async () => {
    const nss = await core.listNamespace();
    assert.ok(nss.items.some((n) => n.metadata?.name === 'kube-system'));
    const created = await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'typed' }, data: { a: '1' } } });
    assert.equal(created.metadata?.name, 'typed');
    assert.ok(created.metadata?.uid);
    const got = await core.readNamespacedConfigMap({ namespace: 'default', name: 'typed' });
    assert.deepEqual(got.data, { a: '1' });
  });

  it('its informer sees add, update and delete, and survives a 410 by relisting', async () => {
    const events: string[] = [];
    const errors: unknown[] = [];
    const informer = makeInformer<V1ConfigMap>(kc, '/api/v1/namespaces/default/configmaps', () => core.listNamespacedConfigMap({ namespace: 'default' }));
    informer.on('add', (o) => events.push(`add ${o.metadata?.name}`));
    informer.on('update', (o) => events.push(`update ${o.metadata?.name} ${o.data?.v ?? ''}`));
    informer.on('delete', (o) => events.push(`delete ${o.metadata?.name}`));
    let stopped = false;
    informer.on('error', (e) => {
      errors.push(e);
      // client-node stops on errors other than 410 (here: the apiserver restarting); restart it as a controller would.
      if (!stopped) setTimeout(() => void informer.start().catch(() => undefined), 200);
    });
    await informer.start();
    try {
      await until('the initial list', () => events.includes('add typed'));
      await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'watched' }, data: { v: '1' } } });
      await until('add', () => events.includes('add watched'));
      await core.patchNamespacedConfigMap({ namespace: 'default', name: 'watched', body: [{ op: 'replace', path: '/data/v', value: '2' }] });
      await until('update', () => events.includes('update watched 2'));
      await core.deleteNamespacedConfigMap({ namespace: 'default', name: 'watched' });
      await until('delete', () => events.includes('delete watched'));

      // Restart the apiserver while more than a cache window of changes happens:
      // the informer's resourceVersion is then too old (410) and it must relist.
      await c.restartServer();
      for (let i = 0; i < 30; i++) await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: `burst-${i}` } } });
      await c.restartServer();
      await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'after-relist' } } });
      await until('objects created while the informer was cut off', () => events.includes('add burst-29') && events.includes('add after-relist'), 30_000);
      const cached = informer.list().map((o) => o.metadata?.name);
      assert.ok(cached.includes('burst-0') && cached.includes('after-relist') && !cached.includes('watched'), cached.join(','));
    } finally {
      stopped = true;
      await informer.stop();
    }
  });

  it('a third-party controller written with plain client-node: its informer reacts and its writes land', async () => {
    // For every ConfigMap labelled mirror=yes, the controller keeps a Secret with the same data.
    const informer = makeInformer<V1ConfigMap>(
      kc,
      '/api/v1/namespaces/default/configmaps',
      () => core.listNamespacedConfigMap({ namespace: 'default', labelSelector: 'mirror=yes' }),
      'mirror=yes',
    );
    const reconcile = async (cm: V1ConfigMap) => {
      const name = `mirror-${cm.metadata?.name}`;
      const data = Object.fromEntries(Object.entries(cm.data ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]));
      try {
        await core.createNamespacedSecret({
          namespace: 'default',
          body: {
            metadata: { name, ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: cm.metadata?.name ?? '', uid: cm.metadata?.uid ?? '' }] },
            data,
          },
        });
      } catch {
        await core.replaceNamespacedSecret({ namespace: 'default', name, body: { metadata: { name }, data } });
      }
    };
    informer.on('add', (cm) => void reconcile(cm));
    informer.on('update', (cm) => void reconcile(cm));
    await informer.start();
    try {
      await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'src', labels: { mirror: 'yes' } }, data: { k: 'v1' } } });
      const read = async () =>
        core.readNamespacedSecret({ namespace: 'default', name: 'mirror-src' }).then(
          (s) => Buffer.from(s.data?.k ?? '', 'base64').toString(),
          () => '',
        );
      const readUntil = async (want: string) => {
        const deadline = Date.now() + 10_000;
        while ((await read()) !== want) {
          if (Date.now() > deadline) assert.fail(`the mirror secret never held ${want}`);
          await new Promise((r) => setTimeout(r, 50));
        }
      };
      await readUntil('v1');
      await core.patchNamespacedConfigMap({ namespace: 'default', name: 'src', body: [{ op: 'replace', path: '/data/k', value: 'v2' }] });
      await readUntil('v2');
    } finally {
      await informer.stop();
    }
  });
});
