// The PersistentVolume binder and the local-path provisioner against a real
// apiserver, with the provisioner's directories in a throwaway directory.
import type { StatefulSet } from '../../api/apps/v1/types.js';
import type { PersistentVolume, PersistentVolumeClaim } from '../../api/core/v1/types.js';
import type { KubeObject } from '../../api/meta/v1/types.js';
import { afterAll, beforeAll, describe, it, jest } from '@jest/globals';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { logger } from '../../pkg/util/log.js';
import { PersistentVolumeBinderController } from '../../pkg/controller/volume/persistentvolume/pv_controller.js';
import { LocalPathProvisioner, localPathStorageClass } from '../../pkg/controller/volume/localpath/provisioner.js';
import { request, startCluster, type TestCluster } from '../support/cluster.js';
import { startControllers, until, type RunningControllers } from '../support/controllers.js';

const JSON_HDR = { 'content-type': 'application/json' };
const NS = '/api/v1/namespaces/default';

jest.setTimeout(90_000);
describe('persistentvolume binder and local-path provisioner', () => {
  let c: TestCluster;
  let ctl: RunningControllers;
  let localPathDir: string;

  const get = async <T>(path: string): Promise<T | undefined> => {
    const res = await request(c, 'GET', path);
    return res.status === 200 ? (res.json() as T) : undefined;
  };
  const pvc = (name: string) => get<PersistentVolumeClaim>(`${NS}/persistentvolumeclaims/${name}`);
  const pv = (name: string) => get<PersistentVolume>(`/api/v1/persistentvolumes/${name}`);
  const post = async (path: string, body: unknown): Promise<void> => {
    const res = await request(c, 'POST', path, { body: JSON.stringify(body), headers: JSON_HDR });
    assert.equal(res.status, 201, res.body);
  };
  const eventsFor = async (name: string): Promise<Array<{ reason: string; message: string; type: string; source?: { component?: string } }>> => {
    const list =
      (await get<{ items: Array<{ involvedObject: { name: string }; reason: string; message: string; type: string }> }>(`${NS}/events`))?.items ?? [];
    return list.filter((e) => e.involvedObject.name === name);
  };
  const boundClaim = (name: string) =>
    until(`${name} Bound`, async () => {
      const p = await pvc(name);
      return p?.status?.phase === 'Bound' ? p : undefined;
    });

  beforeAll(async () => {
    c = await startCluster();
    localPathDir = mkdtempSync(join(tmpdir(), 'timonel-local-path-'));
    ctl = startControllers(c, (h) => {
      const ctx = h.context('test', logger('volume-test', -1));
      return [
        [new PersistentVolumeBinderController(ctx), 2],
        [new LocalPathProvisioner(ctx, { localPathDir }), 2],
      ];
    });
  });
  afterAll(async () => {
    await ctl?.stop();
    await c?.stop();
    if (localPathDir) rmSync(localPathDir, { recursive: true, force: true });
  });

  it('creates the default local-path StorageClass, as shipped in manifests/', async () => {
    const shipped = parse(readFileSync('manifests/storageclass-local-path.yaml', 'utf8')) as Record<string, unknown>;
    assert.deepEqual(shipped, JSON.parse(JSON.stringify(localPathStorageClass())));
    await until('local-path class', () => get('/apis/storage.k8s.io/v1/storageclasses/local-path'));
    const table = (await c.kubectl(['get', 'storageclass'])).stdout;
    assert.match(table, /local-path \(default\)\s+timonel\.io\/local-path\s+Delete\s+Immediate\s+false/);
  });

  it('binds a claim to a matching static volume both ways, and releases a Retain volume when the claim goes', async () => {
    await c.kubectl(['apply', '-f', 'test/fixtures/examples/pods/storage/pv-volume.yaml']);
    await until('task-pv-volume Available', async () => ((await pv('task-pv-volume'))?.status?.phase === 'Available' ? true : undefined));
    await c.kubectl(['apply', '-f', 'test/fixtures/examples/pods/storage/pv-claim.yaml']);
    const claim = await boundClaim('task-pv-claim');
    assert.equal(claim.spec?.volumeName, 'task-pv-volume');
    assert.equal(claim.spec?.storageClassName, 'manual');
    assert.deepEqual(claim.status?.accessModes, ['ReadWriteOnce']);
    assert.deepEqual(claim.status?.capacity, { storage: '10Gi' });
    assert.equal(claim.metadata.annotations?.['pv.kubernetes.io/bind-completed'], 'yes');
    assert.equal(claim.metadata.annotations?.['pv.kubernetes.io/bound-by-controller'], 'yes');

    const volume = await until('task-pv-volume Bound', async () => {
      const v = await pv('task-pv-volume');
      return v?.status?.phase === 'Bound' ? v : undefined;
    });
    const { resourceVersion, ...ref } = volume.spec?.claimRef ?? {};
    assert.deepEqual(ref, { kind: 'PersistentVolumeClaim', namespace: 'default', name: 'task-pv-claim', uid: claim.metadata.uid, apiVersion: 'v1' });
    assert.ok(resourceVersion);
    assert.equal(volume.metadata.annotations?.['pv.kubernetes.io/bound-by-controller'], 'yes');

    const out = (await c.kubectl(['get', 'pv,pvc'])).stdout;
    assert.match(out, /persistentvolume\/task-pv-volume\s+10Gi\s+RWO\s+Retain\s+Bound\s+default\/task-pv-claim\s+manual\s/);
    assert.match(out, /persistentvolumeclaim\/task-pv-claim\s+Bound\s+task-pv-volume\s+10Gi\s+RWO\s+manual\s/);

    await c.kubectl(['delete', 'pvc', 'task-pv-claim']);
    await until('task-pv-volume Released', async () => ((await pv('task-pv-volume'))?.status?.phase === 'Released' ? true : undefined));
    assert.match((await c.kubectl(['get', 'pv', 'task-pv-volume'])).stdout, /Retain\s+Released\s+default\/task-pv-claim/);
  });

  it('gives a claim without a class the default class and provisions a directory for it; deleting the claim removes both', async () => {
    await post(`${NS}/persistentvolumeclaims`, {
      metadata: { name: 'data' },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '2Gi' } } },
    });
    const claim = await boundClaim('data');
    const pvName = `pvc-${claim.metadata.uid}`;
    assert.equal(claim.spec?.storageClassName, 'local-path');
    assert.equal(claim.spec?.volumeName, pvName);
    assert.deepEqual(claim.status?.capacity, { storage: '2Gi' });
    assert.equal(claim.metadata.annotations?.['volume.kubernetes.io/storage-provisioner'], 'timonel.io/local-path');
    assert.equal(claim.metadata.annotations?.['pv.kubernetes.io/bound-by-controller'], 'yes');

    const volume = await pv(pvName);
    assert.ok(volume);
    const dir = join(localPathDir, `default_data_${pvName}`);
    assert.deepEqual(volume.spec?.hostPath, { path: dir, type: 'DirectoryOrCreate' });
    assert.equal(volume.spec?.persistentVolumeReclaimPolicy, 'Delete');
    assert.equal(volume.spec?.storageClassName, 'local-path');
    assert.deepEqual(volume.spec?.capacity, { storage: '2Gi' });
    assert.deepEqual(volume.spec?.accessModes, ['ReadWriteOnce']);
    assert.equal(volume.spec?.claimRef?.uid, claim.metadata.uid);
    assert.equal(volume.metadata.annotations?.['pv.kubernetes.io/provisioned-by'], 'timonel.io/local-path');
    assert.ok(statSync(dir).isDirectory());

    // Events are written after the objects they report on: wait for them.
    await until('ProvisioningSucceeded and ExternalProvisioning events', async () => {
      const events = await eventsFor('data');
      return (
        events.some((e) => e.reason === 'ProvisioningSucceeded' && e.message === `Successfully provisioned volume ${pvName}`) &&
        events.some((e) => e.reason === 'ExternalProvisioning')
      );
    });

    const out = (await c.kubectl(['get', 'pvc', 'data'])).stdout;
    assert.match(out, new RegExp(`data\\s+Bound\\s+${pvName}\\s+2Gi\\s+RWO\\s+local-path\\s`));

    const described = (await c.kubectl(['describe', 'pvc', 'data'])).stdout;
    assert.match(described, /StorageClass:\s+local-path/);
    assert.match(
      described,
      /Normal\s+ExternalProvisioning\s+.*persistentvolume-controller\s+Waiting for a volume to be created either by the external provisioner 'timonel\.io\/local-path'/,
    );
    assert.match(described, new RegExp(`Normal\\s+ProvisioningSucceeded\\s+.*timonel\\.io/local-path_\\S+\\s+Successfully provisioned volume ${pvName}`));

    await c.kubectl(['delete', 'pvc', 'data']);
    await until('the provisioned volume deleted', async () =>
      (await request(c, 'GET', `/api/v1/persistentvolumes/${pvName}`)).status === 404 ? true : undefined,
    );
    assert.equal(existsSync(dir), false);
  });

  it('does not bind a claim to a volume smaller than its request', async () => {
    await post('/api/v1/persistentvolumes', {
      metadata: { name: 'small' },
      spec: { capacity: { storage: '10Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/mnt/small' }, storageClassName: '' },
    });
    await until('small Available', async () => ((await pv('small'))?.status?.phase === 'Available' ? true : undefined));
    await post(`${NS}/persistentvolumeclaims`, {
      metadata: { name: 'big' },
      spec: { storageClassName: '', accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '20Gi' } } },
    });
    const event = await until('FailedBinding', async () => (await eventsFor('big')).find((e) => e.reason === 'FailedBinding'));
    assert.equal(event.message, 'no persistent volumes available for this claim and no storage class is set');
    assert.equal(event.type, 'Normal');
    const claim = await pvc('big');
    assert.equal(claim?.status?.phase, 'Pending');
    assert.equal(claim?.spec?.volumeName, undefined);
    assert.equal(claim?.spec?.storageClassName, '');
    assert.equal((await pv('small'))?.status?.phase, 'Available');
    assert.match((await c.kubectl(['get', 'pvc', 'big'])).stdout, /big\s+Pending\s+/);

    // A fitting claim takes the smallest volume that fits, of its class and access modes.
    const vol = (name: string, storage: string, accessModes: string[], storageClassName: string) =>
      post('/api/v1/persistentvolumes', {
        metadata: { name },
        spec: { capacity: { storage }, accessModes, hostPath: { path: `/mnt/${name}` }, storageClassName },
      });
    await vol('tiny', '1Gi', ['ReadWriteOnce'], '');
    await vol('bigger', '15Gi', ['ReadWriteOnce'], '');
    await vol('rwx', '6Gi', ['ReadWriteOnce', 'ReadWriteMany'], '');
    await vol('other-class', '6Gi', ['ReadWriteOnce'], 'slow');
    for (const n of ['tiny', 'bigger', 'rwx', 'other-class'])
      await until(`${n} Available`, async () => ((await pv(n))?.status?.phase === 'Available' ? true : undefined));
    await post(`${NS}/persistentvolumeclaims`, {
      metadata: { name: 'fits' },
      spec: { storageClassName: '', accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '5Gi' } } },
    });
    assert.equal((await boundClaim('fits')).spec?.volumeName, 'small');
    await post(`${NS}/persistentvolumeclaims`, {
      metadata: { name: 'shared' },
      spec: { storageClassName: '', accessModes: ['ReadWriteMany'], resources: { requests: { storage: '5Gi' } } },
    });
    assert.equal((await boundClaim('shared')).spec?.volumeName, 'rwx');
    assert.equal((await pvc('big'))?.status?.phase, 'Pending');
  });

  it('binds pre-bound volumes and claims only to each other', async () => {
    await post('/api/v1/persistentvolumes', {
      metadata: { name: 'reserved' },
      spec: {
        capacity: { storage: '1Gi' },
        accessModes: ['ReadWriteOnce'],
        hostPath: { path: '/mnt/reserved' },
        storageClassName: 'manual',
        claimRef: { namespace: 'default', name: 'owner' },
      },
    });
    await post('/api/v1/persistentvolumes', {
      metadata: { name: 'named' },
      spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/mnt/named' }, storageClassName: 'manual' },
    });
    await until('reserved Available', async () => ((await pv('reserved'))?.status?.phase === 'Available' ? true : undefined));
    await until('named Available', async () => ((await pv('named'))?.status?.phase === 'Available' ? true : undefined));
    // "stranger" would fit "reserved", but it is kept for "owner"; "named" goes to the claim naming it.
    await post(`${NS}/persistentvolumeclaims`, {
      metadata: { name: 'picky' },
      spec: { storageClassName: 'manual', volumeName: 'named', accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
    });
    assert.equal((await boundClaim('picky')).spec?.volumeName, 'named');
    await post(`${NS}/persistentvolumeclaims`, {
      metadata: { name: 'stranger' },
      spec: { storageClassName: 'manual', accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
    });
    await post(`${NS}/persistentvolumeclaims`, {
      metadata: { name: 'owner' },
      spec: { storageClassName: 'manual', accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
    });
    const owner = await boundClaim('owner');
    assert.equal(owner.spec?.volumeName, 'reserved');
    assert.equal((await pv('reserved'))?.spec?.claimRef?.uid, owner.metadata.uid);
    const stranger = await pvc('stranger');
    assert.equal(stranger?.status?.phase, 'Pending');
    const failed = await until('ProvisioningFailed for stranger', async () => (await eventsFor('stranger')).find((e) => e.reason === 'ProvisioningFailed'));
    assert.equal(failed.message, 'storageclass.storage.k8s.io "manual" not found');
  });

  it('binds StatefulSet volumeClaimTemplates claims through the provisioner', async () => {
    const docs = parseAllDocuments(readFileSync('test/fixtures/examples/application/web/web.yaml', 'utf8')).map((d) => d.toJS() as KubeObject);
    const sts = docs.find((d) => d.kind === 'StatefulSet') as StatefulSet | undefined;
    assert.ok(sts);
    const [template] = sts.spec.volumeClaimTemplates ?? [];
    assert.ok(template);
    // Named and labelled as the StatefulSet controller makes them: <template>-<set>-<ordinal>.
    for (const ordinal of [0, 1]) {
      await post(`${NS}/persistentvolumeclaims`, {
        metadata: { name: `${template.metadata.name}-${sts.metadata.name}-${ordinal}`, labels: sts.spec.selector.matchLabels },
        spec: template.spec,
      });
    }
    for (const name of ['www-web-0', 'www-web-1']) {
      const claim = await boundClaim(name);
      assert.equal(claim.spec?.storageClassName, 'local-path');
      assert.deepEqual(claim.status?.capacity, { storage: '1Gi' });
      assert.ok(statSync(join(localPathDir, `default_${name}_${claim.spec?.volumeName}`)).isDirectory());
    }
    const out = (await c.kubectl(['get', 'pv'])).stdout;
    assert.match(out, /pvc-\S+\s+1Gi\s+RWO\s+Delete\s+Bound\s+default\/www-web-0\s+local-path\s/);
    assert.match(out, /pvc-\S+\s+1Gi\s+RWO\s+Delete\s+Bound\s+default\/www-web-1\s+local-path\s/);
  });
});
