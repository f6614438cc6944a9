// The garbage collector against a real apiserver, with no other controller running:
// owners and dependents are plain ConfigMaps, Secrets, Deployments and ReplicaSets
// linked by hand-written ownerReferences.
import { afterAll, beforeAll, describe, it, jest } from '@jest/globals';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { isStatus, type ResourceClient } from '../../pkg/client/rest.js';
import { GarbageCollector } from '../../pkg/controller/garbagecollector/garbagecollector.js';
import { logger } from '../../pkg/util/log.js';
import type { KubeObject, OwnerReference } from '../../api/meta/v1/types.js';
import { startCluster, type TestCluster } from '../support/cluster.js';
import { sleep, startControllers, until, type RunningControllers } from '../support/controllers.js';

const NS = 'default';

function ownerRef(owner: KubeObject, extra: Partial<OwnerReference> = {}): OwnerReference {
  return { apiVersion: owner.apiVersion ?? 'v1', kind: owner.kind ?? 'ConfigMap', name: owner.metadata.name ?? '', uid: owner.metadata.uid ?? '', ...extra };
}

jest.setTimeout(90_000);
describe('garbage collector', () => {
  let c: TestCluster;
  let ctl: RunningControllers;
  let gc: GarbageCollector;
  let cms: ResourceClient;
  let secrets: ResourceClient;

  beforeAll(async () => {
    c = await startCluster();
    ctl = startControllers(c, (h) => [
      [(gc = new GarbageCollector(h.context('garbage-collector-controller', logger('garbage-collector', Number(process.env.TIMONEL_TEST_V ?? 0))))), 2],
    ]);
    cms = ctl.client.resource('v1', 'configmaps').namespace(NS);
    secrets = ctl.client.resource('v1', 'secrets').namespace(NS);
  });
  afterAll(async () => {
    await ctl?.stop();
    await c?.stop();
  });

  const configMap = (name: string, owners: OwnerReference[] = [], finalizers?: string[]) =>
    cms.create({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name, ownerReferences: owners.length ? owners : undefined, finalizers },
      data: { k: 'v' },
    } as KubeObject);
  const secret = (name: string, owners: OwnerReference[]) =>
    secrets.create({ apiVersion: 'v1', kind: 'Secret', metadata: { name, ownerReferences: owners }, type: 'Opaque' } as KubeObject);

  /** Resolves once the collector's graph holds each object as its informer reported it (not only as someone's owner). */
  const observed = (...objs: KubeObject[]) =>
    until(`the collector to observe ${objs.map((o) => o.metadata.name).join(', ')}`, () =>
      objs.every((o) => gc.graph.get(o.metadata.uid ?? '')?.virtual === false),
    );

  /** Resolves true once GET answers 404. */
  const gone = (rc: ResourceClient, name: string) => async () => {
    try {
      await rc.get(name);
      return false;
    } catch (err) {
      if (isStatus(err, 404)) return true;
      throw err;
    }
  };

  it('background: deleting the owner deletes its dependents', async () => {
    const owner = await configMap('bg-owner');
    const depCm = await configMap('bg-dep-cm', [ownerRef(owner)]);
    const depSecret = await secret('bg-dep-secret', [ownerRef(owner)]);
    const unrelated = await configMap('bg-unrelated');
    await observed(owner, depCm, depSecret);
    await sleep(300); // a live owner leaves them alone
    assert.equal((await cms.get('bg-dep-cm')).metadata.uid !== undefined, true);

    await cms.delete('bg-owner', { propagationPolicy: 'Background' });
    await until('ConfigMap dependent collected', gone(cms, 'bg-dep-cm'));
    await until('Secret dependent collected', gone(secrets, 'bg-dep-secret'));
    assert.equal((await cms.get('bg-unrelated')).metadata.uid, unrelated.metadata.uid);
  });

  it('foreground: the owner waits for blocking dependents, including one held by its own finalizer', async () => {
    const owner = await configMap('fg-owner');
    const dep = await configMap('fg-dep', [ownerRef(owner, { blockOwnerDeletion: true })]);
    const heldDep = await configMap('fg-held', [ownerRef(owner, { blockOwnerDeletion: true })], ['example.com/hold']);
    await observed(owner, dep, heldDep);

    await cms.delete('fg-owner', { propagationPolicy: 'Foreground' });
    const waiting = await cms.get('fg-owner');
    assert.ok(waiting.metadata.deletionTimestamp, 'owner is marked for deletion');
    assert.deepEqual(waiting.metadata.finalizers, ['foregroundDeletion']);

    await until('plain dependent deleted', gone(cms, 'fg-dep'));
    const held = await until('held dependent marked for deletion', async () => {
      const h = await cms.get('fg-held');
      return h.metadata.deletionTimestamp ? h : undefined;
    });
    assert.deepEqual(held.metadata.finalizers, ['example.com/hold']);
    await sleep(500);
    const still = await cms.get('fg-owner');
    assert.equal(still.metadata.uid, owner.metadata.uid, 'owner still waits for the held dependent');
    assert.deepEqual(still.metadata.finalizers, ['foregroundDeletion']);

    await cms.patch('fg-held', 'merge', { metadata: { finalizers: null } });
    await until('held dependent gone', gone(cms, 'fg-held'));
    await until('owner gone once no blocking dependent remains', gone(cms, 'fg-owner'));
  });

  it('foreground: a dependent without blockOwnerDeletion is deleted but does not hold the owner', async () => {
    const owner = await configMap('fg2-owner');
    const dependent = await configMap('fg2-dep', [ownerRef(owner)], ['example.com/hold']);
    await observed(owner, dependent);
    await cms.delete('fg2-owner', { propagationPolicy: 'Foreground' });
    await until('owner gone', gone(cms, 'fg2-owner'));
    const dep = await until('dependent marked for deletion', async () => {
      const d = await cms.get('fg2-dep');
      return d.metadata.deletionTimestamp ? d : undefined;
    });
    assert.ok(dep.metadata.deletionTimestamp);
    await cms.patch('fg2-dep', 'merge', { metadata: { finalizers: null } });
    await until('dependent gone', gone(cms, 'fg2-dep'));
  });

  it('foreground cascades: a dependent with blocking dependents of its own is deleted in the foreground too', async () => {
    const a = await configMap('chain-a');
    const b = await configMap('chain-b', [ownerRef(a, { blockOwnerDeletion: true })]);
    const leaf = await configMap('chain-c', [ownerRef(b, { blockOwnerDeletion: true })], ['example.com/hold']);
    await observed(a, b, leaf);

    await cms.delete('chain-a', { propagationPolicy: 'Foreground' });
    const middle = await until('middle object deleting its dependents', async () => {
      const m = await cms.get('chain-b');
      return m.metadata.deletionTimestamp ? m : undefined;
    });
    assert.deepEqual(middle.metadata.finalizers, ['foregroundDeletion']);
    await until('leaf marked for deletion', async () => (await cms.get('chain-c')).metadata.deletionTimestamp !== undefined);
    await sleep(300);
    assert.ok((await cms.get('chain-a')).metadata.deletionTimestamp, 'root still waits');
    await cms.get('chain-b');

    await cms.patch('chain-c', 'merge', { metadata: { finalizers: null } });
    await until('leaf gone', gone(cms, 'chain-c'));
    await until('middle gone', gone(cms, 'chain-b'));
    await until('root gone', gone(cms, 'chain-a'));
  });

  it('orphan: the owner goes, the dependent stays without its ownerReference', async () => {
    const owner = await configMap('orphan-owner');
    const other = await configMap('orphan-other');
    const dep = await configMap('orphan-dep', [ownerRef(owner, { blockOwnerDeletion: true, controller: true })]);
    const dep2 = await secret('orphan-dep2', [ownerRef(owner), ownerRef(other)]);
    await observed(owner, other, dep, dep2);

    await cms.delete('orphan-owner', { propagationPolicy: 'Orphan' });
    await until('owner gone', gone(cms, 'orphan-owner'));
    const after1 = await cms.get('orphan-dep');
    assert.equal(after1.metadata.uid, dep.metadata.uid);
    assert.equal((after1.metadata.ownerReferences ?? []).length, 0);
    const after2 = await secrets.get('orphan-dep2');
    assert.equal(after2.metadata.uid, dep2.metadata.uid);
    assert.deepEqual(
      after2.metadata.ownerReferences?.map((r) => r.uid),
      [other.metadata.uid],
    );
    await sleep(500);
    assert.equal((await cms.get('orphan-dep')).metadata.uid, dep.metadata.uid, 'orphan is not collected later');
  });

  it('two owners, one deleted: the dependent stays and loses only the dangling reference', async () => {
    const a = await configMap('two-a');
    const b = await configMap('two-b');
    const dep = await configMap('two-dep', [ownerRef(a), ownerRef(b)]);
    await observed(a, b, dep);

    await cms.delete('two-a');
    const patched = await until('dangling reference removed', async () => {
      const d = await cms.get('two-dep');
      return d.metadata.ownerReferences?.length === 1 ? d : undefined;
    });
    assert.equal(patched.metadata.uid, dep.metadata.uid);
    assert.equal(patched.metadata.ownerReferences?.[0]?.uid, b.metadata.uid);
    await sleep(500);
    assert.equal((await cms.get('two-dep')).metadata.uid, dep.metadata.uid, 'still there');

    await cms.delete('two-b');
    await until('dependent collected once its last owner is gone', gone(cms, 'two-dep'));
  });

  it('a dependent whose owner never existed is collected', async () => {
    const ghost: OwnerReference = { apiVersion: 'v1', kind: 'ConfigMap', name: 'never-was', uid: randomUUID() };
    await configMap('ghost-dep', [ghost]);
    await until('dependent of a missing owner collected', gone(cms, 'ghost-dep'));
  });

  it('an owner reference with the right name but another uid is dangling', async () => {
    await configMap('samename');
    await configMap('samename-dep', [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'samename', uid: randomUUID() }]);
    await until('dependent collected', gone(cms, 'samename-dep'));
    await cms.get('samename');
  });

  it('a namespaced owner only counts in its own namespace', async () => {
    await ctl.client.resource('v1', 'namespaces').create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'gc-other' } } as KubeObject);
    const owner = await configMap('ns-owner');
    const otherCms = ctl.client.resource('v1', 'configmaps').namespace('gc-other');
    await otherCms.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cross-dep', ownerReferences: [ownerRef(owner)] } } as KubeObject);
    const local = await configMap('ns-local-dep', [ownerRef(owner)]);
    await until('cross-namespace dependent collected', gone(otherCms, 'cross-dep'));
    await sleep(300);
    assert.equal((await cms.get('ns-local-dep')).metadata.uid, local.metadata.uid, 'same-namespace dependent kept');
  });

  it('kubectl delete deployment removes its ReplicaSets', async () => {
    const deployments = ctl.client.resource('apps/v1', 'deployments').namespace(NS);
    const rss = ctl.client.resource('apps/v1', 'replicasets').namespace(NS);
    const labels = { app: 'web' };
    const template = { metadata: { labels }, spec: { containers: [{ name: 'web', image: 'nginx:1.14.2' }] } };
    const d = await deployments.create({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: { replicas: 1, selector: { matchLabels: labels }, template },
    } as KubeObject);
    const ref = ownerRef(d, { controller: true, blockOwnerDeletion: true });
    const owned: KubeObject[] = [];
    for (const name of ['web-1', 'web-2']) {
      owned.push(
        await rss.create({
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          metadata: { name, labels, ownerReferences: [ref] },
          spec: { replicas: 0, selector: { matchLabels: labels }, template },
        } as KubeObject),
      );
    }
    await observed(d, ...owned);
    const out = await c.kubectl(['delete', 'deployment', 'web']);
    assert.match(out.stdout, /deployment\.apps "web" deleted/);
    await until('ReplicaSet web-1 collected', gone(rss, 'web-1'));
    await until('ReplicaSet web-2 collected', gone(rss, 'web-2'));
  });
});
