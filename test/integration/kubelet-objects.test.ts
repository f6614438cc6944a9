// The kubelet's Secret and ConfigMap managers against a real apiserver (real
// etcd): each object a registered pod refers to is listed and watched on its own
// (fieldSelector=metadata.name), changes reach the pods that use it, and the
// watch ends when the last pod using it goes. The Node authorizer's side of these
// reads is in rbac-components.test.ts.
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import assert from 'node:assert/strict';
import type { ConfigMap, Pod, Secret } from '../../api/core/v1/types.js';
import { Client } from '../../pkg/client/rest.js';
import { newWatchingConfigMapManager, type ConfigMapManager } from '../../pkg/kubelet/configmap/configmap_manager.js';
import { newWatchingSecretManager, type SecretManager } from '../../pkg/kubelet/secret/secret_manager.js';
import { startCluster, type TestCluster } from '../support/cluster.js';
import { until } from '../support/controllers.js';

jest.setTimeout(60_000);
describe('kubelet object managers (watch strategy)', () => {
  let c: TestCluster;
  let client: Client;
  let secrets: SecretManager;
  let configMaps: ConfigMapManager;
  const changes: string[] = [];
  /** Watches of secrets before any manager's: the apiserver's own. */
  let baseWatches = 0;

  const watchers = (plural: string) => {
    const store = c.server.registry.store('', 'v1', plural);
    assert.ok(store, plural);
    return store.storage.cache.watcherCount;
  };
  const pod = (name: string, uid: string, spec: Partial<Pod['spec']>): Pod => ({
    metadata: { name, namespace: 'objs', uid },
    spec: { containers: [{ name: 'c', image: 'i' }], ...spec },
  });
  const secret = (name: string, data: Record<string, string>, extra: Partial<Secret> = {}): Secret => ({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace: 'objs' },
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
    ...extra,
  });
  const configMap = (name: string, data: Record<string, string>): ConfigMap => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace: 'objs' },
    data,
  });

  beforeAll(async () => {
    c = await startCluster();
    client = Client.fromFile(c.kubeconfig);
    await c.kubectl(['create', 'namespace', 'objs']);
    baseWatches = watchers('secrets');
    const onChange = (kind: string) => (ns: string, name: string) => changes.push(`${kind} ${ns}/${name}`);
    secrets = newWatchingSecretManager(client, { onChange: onChange('secret') });
    configMaps = newWatchingConfigMapManager(client, { onChange: onChange('configmap') });
  });
  afterAll(async () => {
    await secrets?.stop();
    await configMaps?.stop();
    client?.close();
    await c?.stop();
  });

  it('reads what registered pods refer to, and nothing else', async () => {
    await client
      .resource<Secret>('v1', 'secrets')
      .namespace('objs')
      .create(secret('db', { password: 'hunter2' }));
    await client
      .resource<ConfigMap>('v1', 'configmaps')
      .namespace('objs')
      .create(configMap('app', { mode: 'fast' }));
    await client
      .resource<Secret>('v1', 'secrets')
      .namespace('objs')
      .create(secret('unrelated', { k: 'v' }));
    const p = pod('web', 'uid-web', {
      volumes: [{ name: 's', secret: { secretName: 'db' } }],
      containers: [{ name: 'c', image: 'i', envFrom: [{ configMapRef: { name: 'app' } }] }],
    });
    secrets.registerPod(p);
    configMaps.registerPod(p);
    expect(Buffer.from((await secrets.getObject('objs', 'db'))?.data?.password ?? '', 'base64').toString()).toBe('hunter2');
    expect((await configMaps.getObject('objs', 'app'))?.data).toEqual({ mode: 'fast' });
    await until('one watch for the one secret', () => watchers('secrets') === baseWatches + 1);
    await assert.rejects(secrets.getObject('objs', 'unrelated'), { message: 'secret "objs"/"unrelated" not registered' });
    await assert.rejects(configMaps.getObject('objs', 'db'), { message: 'configmap "objs"/"db" not registered' });
    expect(secrets.podsReferencing('objs', 'db')).toEqual(['uid-web']);
  });

  it("a change, a creation and a deletion reach the pods that use the object; the first read doesn't count as one", async () => {
    expect(changes).toEqual([]);
    const cms = client.resource<ConfigMap>('v1', 'configmaps').namespace('objs');
    const current = await cms.get('app');
    await cms.update({ ...current, data: { mode: 'slow' } });
    await until('the update is seen', () => changes.includes('configmap objs/app'));
    expect((await configMaps.getObject('objs', 'app'))?.data).toEqual({ mode: 'slow' });

    // A pod whose secret does not exist yet: read as missing, then seen when it is made.
    const later = pod('later', 'uid-later', { volumes: [{ name: 's', secret: { secretName: 'later' } }] });
    secrets.registerPod(later);
    expect(await secrets.getObject('objs', 'later')).toBeUndefined();
    await client
      .resource<Secret>('v1', 'secrets')
      .namespace('objs')
      .create(secret('later', { k: 'v' }));
    await until('the creation is seen', () => changes.includes('secret objs/later'));
    expect((await secrets.getObject('objs', 'later'))?.metadata.name).toBe('later');

    changes.length = 0;
    await client.resource<Secret>('v1', 'secrets').namespace('objs').delete('later');
    await until('the deletion is seen', () => changes.includes('secret objs/later'));
    expect(await secrets.getObject('objs', 'later')).toBeUndefined();
    secrets.unregisterPod(later);
  });

  it('references are counted per pod; the last pod to go ends the watch', async () => {
    await until('only the watch of db is left', () => watchers('secrets') === baseWatches + 1);
    const twin = pod('twin', 'uid-twin', { imagePullSecrets: [{ name: 'db' }] });
    secrets.registerPod(twin);
    expect(secrets.podsReferencing('objs', 'db').sort()).toEqual(['uid-twin', 'uid-web']);
    expect(watchers('secrets')).toBe(baseWatches + 1); // still the one watch
    secrets.unregisterPod(pod('web', 'uid-web', {}));
    expect((await secrets.getObject('objs', 'db'))?.metadata.name).toBe('db');
    // An updated pod that no longer refers to it lets go of it too.
    secrets.registerPod({ ...twin, spec: { ...twin.spec, imagePullSecrets: [] } });
    await assert.rejects(secrets.getObject('objs', 'db'), { message: 'secret "objs"/"db" not registered' });
    await until('the watch is closed', () => watchers('secrets') === baseWatches);
  });

  it('an immutable object is read once and no longer watched', async () => {
    await client
      .resource<Secret>('v1', 'secrets')
      .namespace('objs')
      .create(secret('frozen', { k: 'v' }, { immutable: true }));
    const p = pod('frozen', 'uid-frozen', { volumes: [{ name: 's', secret: { secretName: 'frozen' } }] });
    secrets.registerPod(p);
    await until('the watch starts', () => watchers('secrets') === baseWatches + 1);
    expect((await secrets.getObject('objs', 'frozen'))?.immutable).toBe(true);
    await until('the watch is closed', () => watchers('secrets') === baseWatches);
    // Still readable from what was seen.
    expect((await secrets.getObject('objs', 'frozen'))?.metadata.name).toBe('frozen');
    secrets.unregisterPod(p);
  });
});
