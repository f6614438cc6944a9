// The kubelet's pod-spec pieces against a real apiserver (real etcd): env and
// volumes read ConfigMaps/Secrets through the REST client, an updated ConfigMap
// reaches the mounted file (also through the kubelet's per-object watches), a
// claim provisioned by the local-path provisioner resolves to its directory, and
// service account tokens go through TokenRequest.
import { afterAll, beforeAll, describe, it, jest } from '@jest/globals';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, isStatus } from '../../pkg/client/rest.js';
import { logger } from '../../pkg/util/log.js';
import { PersistentVolumeBinderController } from '../../pkg/controller/volume/persistentvolume/pv_controller.js';
import { LocalPathProvisioner } from '../../pkg/controller/volume/localpath/provisioner.js';
import { resolveEnv, serviceEnv } from '../../pkg/kubelet/envvars.js';
import { VolumeManager, tokenRequester, type VolumeLookup } from '../../pkg/kubelet/volumes/index.js';
import { mountsUnder } from '../../pkg/kubelet/volumes/mount.js';
import { newWatchingConfigMapManager } from '../../pkg/kubelet/configmap/configmap_manager.js';
import { newWatchingSecretManager } from '../../pkg/kubelet/secret/secret_manager.js';
import type { ConfigMap, PersistentVolume, PersistentVolumeClaim, Pod, Secret, Service } from '../../api/core/v1/types.js';
import type { KubeObject } from '../../api/meta/v1/types.js';
import { startCluster, type TestCluster } from '../support/cluster.js';
import { startControllers, until, type RunningControllers } from '../support/controllers.js';

const isRoot = process.getuid?.() === 0;

jest.setTimeout(90_000);
// Needs root for tmpfs mounts.
(isRoot ? describe : describe.skip)('kubelet pod spec against the apiserver', () => {
  let c: TestCluster;
  let ctl: RunningControllers;
  let client: Client;
  let dir: string;
  let localPathDir: string;

  const res = <T extends KubeObject>(resource: string, ns?: string) => client.resource<T>('v1', resource).namespace(ns);
  const orUndefined = async <T>(p: Promise<T>): Promise<T | undefined> => {
    try {
      return await p;
    } catch (err) {
      if (isStatus(err, 404)) return undefined;
      throw err;
    }
  };
  const lookup = (): VolumeLookup => ({
    configMap: (ns, name) => orUndefined(res<ConfigMap>('configmaps', ns).get(name)),
    secret: (ns, name) => orUndefined(res<Secret>('secrets', ns).get(name)),
    persistentVolumeClaim: (ns, name) => orUndefined(res<PersistentVolumeClaim>('persistentvolumeclaims', ns).get(name)),
    persistentVolume: (name) => orUndefined(res<PersistentVolume>('persistentvolumes').get(name)),
  });

  beforeAll(async () => {
    c = await startCluster();
    client = Client.fromFile(c.kubeconfig);
    dir = mkdtempSync(join(tmpdir(), 'timonel-kubelet-vol-'));
    localPathDir = mkdtempSync(join(tmpdir(), 'timonel-local-path-'));
    ctl = startControllers(c, (h) => {
      const ctx = h.context('test', logger('podspec-test', -1));
      return [
        [new PersistentVolumeBinderController(ctx), 1],
        [new LocalPathProvisioner(ctx, { localPathDir }), 1],
      ];
    });
  });
  afterAll(async () => {
    await ctl?.stop();
    client?.close();
    await c?.stop();
    if (dir) {
      for (const m of await mountsUnder(dir)) execFileSync('umount', [m]);
      rmSync(dir, { recursive: true, force: true });
    }
    if (localPathDir) rmSync(localPathDir, { recursive: true, force: true });
  });

  it('resolves env from real ConfigMaps, Secrets and Services', async () => {
    await c.kubectl(['create', 'configmap', 'app-cfg', '--from-literal=mode=fast', '--from-literal=level=3']);
    await c.kubectl(['create', 'secret', 'generic', 'app-secret', '--from-literal=password=hunter2']);
    await c.kubectl(['create', 'service', 'clusterip', 'redis', '--tcp=6379:6379']);
    const services = (await res<Service>('services').list()).items;
    const svcEnv = serviceEnv(services, 'default');
    assert.ok(svcEnv.REDIS_SERVICE_HOST, JSON.stringify(svcEnv));
    const container = {
      name: 'app',
      envFrom: [{ configMapRef: { name: 'app-cfg' }, prefix: 'CFG_' }],
      env: [
        { name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'app-secret', key: 'password' } } },
        { name: 'REDIS', value: '$(REDIS_SERVICE_HOST):$(REDIS_SERVICE_PORT)' },
      ],
    };
    const pod: Pod = { metadata: { name: 'env-pod', namespace: 'default', uid: 'env-uid' }, spec: { containers: [container] } };
    const env = Object.fromEntries((await resolveEnv(pod, container, lookup(), svcEnv)).map((e) => [e.key, e.value]));
    assert.equal(env.CFG_mode, 'fast');
    assert.equal(env.CFG_level, '3');
    assert.equal(env.PASSWORD, 'hunter2');
    assert.equal(env.REDIS, `${svcEnv.REDIS_SERVICE_HOST}:6379`);
    const missing = { name: 'app', env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'app-cfg', key: 'absent' } } }] };
    await assert.rejects(resolveEnv(pod, missing, lookup()), { message: "couldn't find key absent in ConfigMap default/app-cfg" });
  });

  it('mounts a ConfigMap and a Secret and carries a ConfigMap update into the file', async () => {
    const vm = new VolumeManager({ podsDir: join(dir, 'pods'), lookup: lookup() });
    const pod: Pod = {
      metadata: { name: 'vol-pod', namespace: 'default', uid: 'vol-uid' },
      spec: {
        containers: [
          {
            name: 'app',
            volumeMounts: [
              { name: 'cfg', mountPath: '/etc/app' },
              { name: 'sec', mountPath: '/secrets' },
            ],
          },
        ],
        volumes: [
          { name: 'cfg', configMap: { name: 'app-cfg' } },
          { name: 'sec', secret: { secretName: 'app-secret' } },
        ],
      },
    };
    await vm.setUp(pod);
    const [cfg, sec] = vm.mountsFor(pod, pod.spec.containers[0]);
    assert.equal(readFileSync(join(cfg.hostPath, 'mode'), 'utf8'), 'fast');
    assert.equal(readFileSync(join(sec.hostPath, 'password'), 'utf8'), 'hunter2');
    assert.equal((await mountsUnder(sec.hostPath)).length, 1, 'the secret lives on tmpfs');

    await c.kubectl(['patch', 'configmap', 'app-cfg', '--type=merge', '-p', '{"data":{"mode":"slow"}}']);
    await vm.refresh(pod);
    assert.equal(readFileSync(join(cfg.hostPath, 'mode'), 'utf8'), 'slow');
    await vm.tearDown('vol-uid');
    assert.equal(existsSync(join(dir, 'pods', 'vol-uid', 'volumes')), false);
  });

  it("through the kubelet's watching managers, a projected volume follows its ConfigMap and Secret", async () => {
    const pod: Pod = {
      metadata: { name: 'proj-pod', namespace: 'default', uid: 'proj-uid' },
      spec: {
        containers: [{ name: 'app', volumeMounts: [{ name: 'all', mountPath: '/etc/all' }] }],
        volumes: [{ name: 'all', projected: { sources: [{ configMap: { name: 'proj-cfg' } }, { secret: { name: 'proj-secret' } }] } }],
      },
    };
    await c.kubectl(['create', 'configmap', 'proj-cfg', '--from-literal=mode=fast']);
    await c.kubectl(['create', 'secret', 'generic', 'proj-secret', '--from-literal=token=one']);
    // As the kubelet wires them: a change to a watched object rewrites the volumes of the pods that use it.
    let vm: VolumeManager | undefined;
    const refresh = () => void vm?.refresh(pod);
    const configMaps = newWatchingConfigMapManager(client, { onChange: refresh });
    const secrets = newWatchingSecretManager(client, { onChange: refresh });
    vm = new VolumeManager({
      podsDir: join(dir, 'pods'),
      lookup: { ...lookup(), configMap: (ns, name) => configMaps.getObject(ns, name), secret: (ns, name) => secrets.getObject(ns, name) },
    });
    configMaps.registerPod(pod);
    secrets.registerPod(pod);
    try {
      await vm.setUp(pod);
      const [m] = vm.mountsFor(pod, pod.spec.containers[0]);
      const read = (f: string) => readFileSync(join(m.hostPath, f), 'utf8');
      assert.deepEqual([read('mode'), read('token')], ['fast', 'one']);
      await c.kubectl(['patch', 'configmap', 'proj-cfg', '--type=merge', '-p', '{"data":{"mode":"slow"}}']);
      await c.kubectl(['patch', 'secret', 'proj-secret', '--type=merge', '-p', `{"data":{"token":"${Buffer.from('two').toString('base64')}"}}`]);
      await until('both changes reach the files', () => read('mode') === 'slow' && read('token') === 'two');
    } finally {
      await vm.tearDown('proj-uid');
      await configMaps.stop();
      await secrets.stop();
    }
  });

  it('mounts a claim provisioned by the local-path provisioner at its directory', async () => {
    await c.kubectl(['apply', '-f', '-'], {
      input:
        'apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: data\nspec:\n  accessModes: [ReadWriteOnce]\n  resources:\n    requests:\n      storage: 1Gi\n',
    });
    const claim = await until('claim bound', async () => {
      const p = await orUndefined(res<PersistentVolumeClaim>('persistentvolumeclaims', 'default').get('data'));
      return p?.status?.phase === 'Bound' ? p : undefined;
    });
    const vm = new VolumeManager({ podsDir: join(dir, 'pods'), lookup: lookup() });
    const pod: Pod = {
      metadata: { name: 'pvc-pod', namespace: 'default', uid: 'pvc-uid' },
      spec: {
        containers: [{ name: 'app', volumeMounts: [{ name: 'data', mountPath: '/data' }] }],
        volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data' } }],
      },
    };
    await vm.setUp(pod);
    const [m] = vm.mountsFor(pod, pod.spec.containers[0]);
    assert.equal(m.hostPath, join(localPathDir, `default_data_${claim.spec?.volumeName}`));
    assert.ok(statSync(m.hostPath).isDirectory());
    await vm.tearDown('pvc-uid');
  });

  it('asks TokenRequest for service account tokens, or says clearly that it is not served', async () => {
    const pod: Pod = {
      metadata: { name: 'tok-pod', namespace: 'default', uid: 'tok-uid' },
      spec: { containers: [{ name: 'app' }], serviceAccountName: 'default' },
    };
    const source = tokenRequester(client.rest);
    let token: string | undefined;
    try {
      token = (await source(pod, { path: 'token', expirationSeconds: 3600 })).token;
    } catch (err) {
      assert.match((err as Error).message, /^failed to fetch token: /);
      // Either the apiserver lacks the subresource or the ServiceAccount is missing: both named.
      assert.match((err as Error).message, /does not serve TokenRequest|serviceaccounts? "default" not found/);
    }
    if (token !== undefined) assert.ok(token.length > 0);
  });
});
