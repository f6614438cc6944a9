// The StatefulSet controller against a real apiserver (no kubelet: the test marks
// pods Running/Ready itself through pods/<name>/status).
import type { PersistentVolumeClaim, Pod } from '../../api/core/v1/types.js';
import type { ControllerRevision, StatefulSet } from '../../api/apps/v1/types.js';
import { afterAll, beforeAll, describe, it, jest } from '@jest/globals';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { isStatus, type ResourceClient } from '../../pkg/client/rest.js';
import { StatefulSetController } from '../../pkg/controller/statefulset/stateful_set.js';
import { startCluster, type TestCluster } from '../support/cluster.js';
import { markPodReady, setPodStatus, sleep, startControllers, until, type RunningControllers } from '../support/controllers.js';

const WEB = join(process.cwd(), 'test/fixtures/examples/application/web/web.yaml');

jest.setTimeout(90_000);
describe('StatefulSet controller', () => {
  let c: TestCluster;
  let ctl: RunningControllers;
  let pods: ResourceClient<Pod>;
  let sets: ResourceClient<StatefulSet>;
  let pvcs: ResourceClient<PersistentVolumeClaim>;
  let revisions: ResourceClient<ControllerRevision>;

  beforeAll(async () => {
    c = await startCluster();
    ctl = startControllers(c, (h) => [[new StatefulSetController(h.context('statefulset-controller')), 2]]);
    const client = ctl.client;
    pods = client.resource<Pod>('v1', 'pods').namespace('default');
    sets = client.resource<StatefulSet>('apps/v1', 'statefulsets').namespace('default');
    pvcs = client.resource<PersistentVolumeClaim>('v1', 'persistentvolumeclaims').namespace('default');
    revisions = client.resource<ControllerRevision>('apps/v1', 'controllerrevisions').namespace('default');
  });
  afterAll(async () => {
    await ctl?.stop();
    await c?.stop();
  });

  async function getPod(name: string): Promise<Pod | undefined> {
    try {
      const p = await pods.get(name);
      return p.metadata.deletionTimestamp ? undefined : p;
    } catch (err) {
      if (isStatus(err, 404)) return undefined;
      throw err;
    }
  }

  async function podNames(prefix: string): Promise<string[]> {
    const list = await pods.list();
    return list.items
      .filter((p) => !p.metadata.deletionTimestamp && p.metadata.name?.startsWith(`${prefix}-`))
      .map((p) => p.metadata.name ?? '')
      .sort();
  }

  async function markReady(name: string): Promise<Pod> {
    const p = await until(`pod ${name}`, () => getPod(name));
    await markPodReady(c, 'default', name);
    return p;
  }

  const revisionOf = (p: Pod | undefined) => p?.metadata.labels?.['controller-revision-hash'];

  it('creates web-0, then web-1 only once web-0 is Ready, each with its claim and identity', async () => {
    await c.kubectl(['apply', '-f', WEB]);
    const set = await sets.get('web');
    const web0 = await until('web-0', () => getPod('web-0'));
    // OrderedReady: nothing more while web-0 is not Ready.
    await sleep(700);
    assert.deepEqual(await podNames('web'), ['web-0']);

    assert.equal(web0.spec?.hostname, 'web-0');
    assert.equal(web0.spec?.subdomain, 'nginx');
    const labels = web0.metadata.labels ?? {};
    assert.equal(labels['app.kubernetes.io/name'], 'nginx');
    assert.equal(labels['statefulset.kubernetes.io/pod-name'], 'web-0');
    assert.equal(labels['apps.kubernetes.io/pod-index'], '0');
    assert.match(labels['controller-revision-hash'] ?? '', /^web-[bcdfghjklmnpqrstvwxz2456789]+$/);
    assert.deepEqual(web0.metadata.ownerReferences, [
      { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: set.metadata.uid, controller: true, blockOwnerDeletion: true },
    ]);
    const www = web0.spec?.volumes?.find((v) => v.name === 'www');
    assert.deepEqual(www?.persistentVolumeClaim?.claimName, 'www-web-0');

    const pvc0 = await pvcs.get('www-web-0');
    assert.equal(pvc0.metadata.ownerReferences, undefined, 'Retain: the claim is not owned');
    assert.equal(pvc0.metadata.labels?.['app.kubernetes.io/name'], 'nginx');
    assert.deepEqual((pvc0.spec as { accessModes?: string[] }).accessModes, ['ReadWriteOnce']);

    await markReady('web-0');
    const web1 = await until('web-1', () => getPod('web-1'));
    assert.equal(web1.spec?.hostname, 'web-1');
    assert.equal(web1.metadata.labels?.['apps.kubernetes.io/pod-index'], '1');
    await pvcs.get('www-web-1');
    await markReady('web-1');

    const st = await until('2 ready', async () => {
      const s = (await sets.get('web')).status;
      return s?.readyReplicas === 2 && s.availableReplicas === 2 ? s : undefined;
    });
    assert.equal(st.replicas, 2);
    assert.equal(st.currentReplicas, 2);
    assert.equal(st.updatedReplicas, 2);
    assert.equal(st.currentRevision, revisionOf(web0));
    assert.equal(st.updateRevision, st.currentRevision);
    assert.equal(st.observedGeneration, (await sets.get('web')).metadata.generation);

    const get = await c.kubectl(['get', 'sts', 'web', '--no-headers']);
    assert.match(get.stdout, /^web\s+2\/2\s/);
    const rollout = await c.kubectl(['rollout', 'status', 'sts/web', '--timeout=10s']);
    // kubectl reports a RollingUpdate set with a (defaulted, 0) partition as a partitioned roll out.
    assert.match(rollout.stdout, /partitioned roll out complete: 2 new pods have been updated/);
  });

  it('scales up in order and down from the highest ordinal, one at a time, keeping the claims', async () => {
    await c.kubectl(['scale', 'sts', 'web', '--replicas=4']);
    await markReady('web-2');
    await markReady('web-3');
    await until('4 ready', async () => (await sets.get('web')).status?.readyReplicas === 4);

    const before = await pods.list();
    const deleted: string[] = [];
    const w = await pods.watch({ resourceVersion: before.metadata.resourceVersion }, (type, p) => {
      if (type === 'DELETED') deleted.push(p.metadata.name ?? '');
    });
    try {
      await c.kubectl(['scale', 'sts', 'web', '--replicas=1']);
      await until('only web-0 left', async () => (await podNames('web')).join() === 'web-0');
      await until('3 deletions seen', async () => deleted.length >= 3);
    } finally {
      w.stop();
    }
    assert.deepEqual(deleted, ['web-3', 'web-2', 'web-1']);
    for (const n of ['www-web-0', 'www-web-1', 'www-web-2', 'www-web-3']) await pvcs.get(n);
    await until('status 1/1', async () => {
      const s = (await sets.get('web')).status;
      return s?.replicas === 1 && s.readyReplicas === 1;
    });
  });

  it('Parallel creates every replica at once', async () => {
    await sets.create({
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'par' },
      spec: {
        serviceName: 'par',
        replicas: 3,
        podManagementPolicy: 'Parallel',
        selector: { matchLabels: { app: 'par' } },
        template: { metadata: { labels: { app: 'par' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } },
      },
    });
    const names = await until('3 pods of par', async () => {
      const n = await podNames('par');
      return n.length === 3 ? n : undefined;
    });
    assert.deepEqual(names, ['par-0', 'par-1', 'par-2']);
    for (const n of names) assert.equal((await pods.get(n)).status?.conditions?.find((x) => x.type === 'Ready')?.status === 'True', false);
  });

  it('OnDelete updates a pod only when the user deletes it', async () => {
    const old = await pods.get('par-1');
    await sets.patch('par', 'merge', { spec: { updateStrategy: { type: 'OnDelete', rollingUpdate: null } } });
    await sets.patch('par', 'merge', { spec: { template: { metadata: { annotations: { v: '2' } } } } });
    const st = await until('a new update revision', async () => {
      const s = (await sets.get('par')).status;
      return s?.updateRevision && s.updateRevision !== s.currentRevision ? s : undefined;
    });
    await sleep(700);
    const same = await pods.get('par-1');
    assert.equal(same.metadata.uid, old.metadata.uid);
    assert.equal(revisionOf(same), st.currentRevision);
    await pods.delete('par-1');
    const fresh = await until('par-1 recreated', async () => {
      const p = await getPod('par-1');
      return p && p.metadata.uid !== old.metadata.uid ? p : undefined;
    });
    assert.equal(revisionOf(fresh), st.updateRevision);
    assert.equal(fresh.metadata.annotations?.v, '2');
    assert.equal(revisionOf(await pods.get('par-0')), st.currentRevision);
  });

  it('persistentVolumeClaimRetentionPolicy Delete makes the set (and, on scale-down, the pod) own the claims', async () => {
    await sets.create({
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'db' },
      spec: {
        serviceName: 'db',
        replicas: 2,
        podManagementPolicy: 'Parallel',
        persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Delete' },
        selector: { matchLabels: { app: 'db' } },
        template: { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } },
        volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
      },
    });
    const set = await sets.get('db');
    const setRef = { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'db', uid: set.metadata.uid, blockOwnerDeletion: true };
    for (const n of ['data-db-0', 'data-db-1']) {
      const claim = await until(`${n} owned by db`, async () => {
        const cl = await pvcs.get(n);
        return cl.metadata.ownerReferences?.length ? cl : undefined;
      });
      assert.deepEqual(claim.metadata.ownerReferences, [setRef]);
    }
    await markReady('db-0');
    const db1 = await markReady('db-1');
    await sets.patch('db', 'merge', { spec: { replicas: 1 } });
    await until('db-1 gone', async () => (await getPod('db-1')) === undefined);
    const claim = await pvcs.get('data-db-1');
    assert.deepEqual(claim.metadata.ownerReferences, [
      setRef,
      { apiVersion: 'v1', kind: 'Pod', name: 'db-1', uid: db1.metadata.uid, blockOwnerDeletion: true },
    ]);
    assert.deepEqual((await pvcs.get('data-db-0')).metadata.ownerReferences, [setRef]);
  });

  it('RollingUpdate with a partition updates only ordinals at or above it, then all', async () => {
    await c.kubectl(['scale', 'sts', 'web', '--replicas=2']);
    const oldWeb1 = await markReady('web-1');
    const s0 = await until('2 ready', async () => {
      const s = (await sets.get('web')).status;
      return s?.readyReplicas === 2 && s.currentRevision === s.updateRevision ? s : undefined;
    });
    const r1 = s0.currentRevision ?? '';
    const oldWeb0 = await pods.get('web-0');
    assert.equal(revisionOf(oldWeb0), r1);

    await sets.patch('web', 'merge', {
      spec: {
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 1 } },
        template: {
          spec: {
            containers: [
              {
                name: 'nginx',
                image: 'registry.k8s.io/nginx-slim:0.24',
                ports: [{ containerPort: 80, name: 'web' }],
                volumeMounts: [{ name: 'www', mountPath: '/usr/share/nginx/html' }],
              },
            ],
          },
        },
      },
    });
    const newWeb1 = await until('web-1 recreated at the new revision', async () => {
      const p = await getPod('web-1');
      return p && p.metadata.uid !== oldWeb1.metadata.uid && revisionOf(p) !== r1 ? p : undefined;
    });
    const r2 = revisionOf(newWeb1) ?? '';
    assert.equal((newWeb1.spec as { containers: { image: string }[] }).containers[0].image, 'registry.k8s.io/nginx-slim:0.24');
    await markReady('web-1');
    const st = await until('partitioned status', async () => {
      const s = (await sets.get('web')).status;
      return s?.updatedReplicas === 1 && s.readyReplicas === 2 ? s : undefined;
    });
    assert.equal(st.updateRevision, r2);
    assert.equal(st.currentRevision, r1);
    assert.equal(st.currentReplicas, 1);
    // Below the partition nothing moves.
    await sleep(700);
    const web0 = await pods.get('web-0');
    assert.equal(web0.metadata.uid, oldWeb0.metadata.uid);
    assert.equal(revisionOf(web0), r1);

    const revs = (await revisions.list()).items.filter((r) => r.metadata.ownerReferences?.some((o) => o.name === 'web' && o.controller));
    const byName = new Map(revs.map((r) => [r.metadata.name, r]));
    assert.equal(byName.get(r1)?.revision, 1);
    assert.equal(byName.get(r2)?.revision, 2);
    const data = byName.get(r2)?.data as { spec: { template: { spec: { containers: { image: string }[] } } } };
    assert.equal(data.spec.template.spec.containers[0].image, 'registry.k8s.io/nginx-slim:0.24');

    await sets.patch('web', 'merge', { spec: { updateStrategy: { rollingUpdate: { partition: 0 } } } });
    await until('web-0 recreated at the new revision', async () => {
      const p = await getPod('web-0');
      return p && p.metadata.uid !== oldWeb0.metadata.uid && revisionOf(p) === r2 ? p : undefined;
    });
    await markReady('web-0');
    const done = await until('rollout complete', async () => {
      const s = (await sets.get('web')).status;
      return s?.currentRevision === r2 && s.updateRevision === r2 && s.readyReplicas === 2 ? s : undefined;
    });
    assert.equal(done.currentReplicas, 2);
    assert.equal(done.updatedReplicas, 2);
    const rollout = await c.kubectl(['rollout', 'status', 'sts/web', '--timeout=10s']);
    assert.match(rollout.stdout, /partitioned roll out complete: 2 new pods have been updated/);
  });

  it('recreates a deleted pod, and a failed one, under the same name', async () => {
    const old = await pods.get('web-0');
    await pods.delete('web-0');
    const fresh = await until('web-0 recreated', async () => {
      const p = await getPod('web-0');
      return p && p.metadata.uid !== old.metadata.uid ? p : undefined;
    });
    assert.equal(fresh.spec?.hostname, 'web-0');
    assert.equal(fresh.spec?.volumes?.find((v) => v.name === 'www')?.persistentVolumeClaim?.claimName, 'www-web-0');
    await markReady('web-0');

    const web1 = await pods.get('web-1');
    await setPodStatus(c, 'default', 'web-1', { phase: 'Failed', ready: false });
    await until('failed web-1 replaced', async () => {
      const p = await getPod('web-1');
      return p && p.metadata.uid !== web1.metadata.uid && p.status?.phase !== 'Failed' ? p : undefined;
    });
  });
});
