// The REST storage of pkg/registry against a real etcd, without HTTP: pods/binding,
// pods/eviction, scale and namespaces/finalize, and the per-kind rules the generic
// store takes from strategies. A "stale cache" below is the watch cache answering
// with an older copy, which every read-modify-write must survive by retrying on etcd's.
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { StatusError } from '../../api/meta/v1/status.js';
import type { KubeObject } from '../../api/meta/v1/types.js';
import { BUILTIN_RESOURCES } from '../../api/resources.js';
import { EtcdClient } from '../../pkg/storage/etcd.js';
import { ResourceStorage } from '../../pkg/storage/store.js';
import { RegistryWatch } from '../../pkg/storage/registrywatch.js';
import { Registry } from '../../pkg/registry/registry.js';
import type { RequestContext, Store } from '../../pkg/registry/store.js';
import { startEtcd, type TestEtcd } from '../support/etcd.js';

const NS = 'rest';

function ctx(extra: Partial<RequestContext> = {}): RequestContext {
  return { namespace: NS, dryRun: false, fieldManager: 'test', fieldValidation: 'Strict', warnings: [], ...extra };
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

function pod(name: string, labels: Record<string, string> = { app: 'web' }, extra: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: NS, labels, ...extra },
    spec: { containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.10' }] },
  };
}

/**
 * The watch cache of store answers with stale (an older copy of the object) until the
 * returned function is called, which asserts that the stale copy was used.
 */
function staleCache(store: Store, stale: KubeObject): () => void {
  const cache = store.storage.cache;
  const original = cache.getCopy;
  const key = store.storage.key(stale.metadata.namespace, stale.metadata.name ?? '');
  let served = 0;
  cache.getCopy = (k: string) => {
    if (k !== key) return original.call(cache, k);
    served++;
    return structuredClone(stale);
  };
  return () => {
    cache.getCopy = original;
    assert.ok(served > 0, 'the stale copy was read');
  };
}

describe('registry REST storage', () => {
  let etcd: TestEtcd;
  let client: EtcdClient;
  let hub: RegistryWatch;
  let registry: Registry;
  let pods: Store;
  let pdbs: Store;
  let namespaces: Store;
  let deployments: Store;

  beforeAll(async () => {
    etcd = await startEtcd();
    client = new EtcdClient([etcd.endpoint]);
    hub = new RegistryWatch(client, () => undefined);
    const storageOpts = { hub, watchCacheSize: 100, bookmarkIntervalMs: 60_000, log: () => undefined };
    registry = new Registry(BUILTIN_RESOURCES, (info) => new ResourceStorage(client, info, storageOpts), {
      serviceClusterIPRange: '10.96.0.0/12',
      serviceNodePortRange: '30000-32767',
      // No serviceaccount controller makes `default` accounts here (as in upstream's integration servers).
      disabledAdmissionPlugins: ['ServiceAccount'],
    });
    await registry.startCaches();
    pods = registry.store('', 'v1', 'pods')!;
    pdbs = registry.store('policy', 'v1', 'poddisruptionbudgets')!;
    namespaces = registry.store('', 'v1', 'namespaces')!;
    deployments = registry.store('apps', 'v1', 'deployments')!;
    await namespaces.create(ctx({ namespace: undefined }), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
  });
  afterAll(async () => {
    await registry.stop();
    await hub.stop();
    client.close();
    await etcd.stop();
  });

  describe('pods/binding (BindingREST)', () => {
    const bind = (name: string, node: string, extra: Record<string, unknown> = {}, c = ctx()) =>
      registry.binding!.create(c, name, { metadata: { name, ...extra }, target: { kind: 'Node', name: node } });

    it("binds: nodeName, PodScheduled=True and the binding's annotations", async () => {
      await pods.create(ctx(), pod('b1', undefined, { annotations: { kept: 'yes' } }));
      await bind('b1', 'node-a', { annotations: { 'scheduler.example/decision': 'x' } });
      const got = await pods.get(ctx(), 'b1');
      assert.equal((got.spec as { nodeName?: string }).nodeName, 'node-a');
      const scheduled = ((got.status as { conditions?: Array<{ type: string; status: string }> }).conditions ?? []).find((c) => c.type === 'PodScheduled');
      assert.equal(scheduled?.status, 'True');
      assert.deepEqual(got.metadata.annotations, { kept: 'yes', 'scheduler.example/decision': 'x' });
    });

    it("refuses a pod already bound and a pod being deleted with upstream's Conflicts on pods/binding", async () => {
      const bound = await statusOf(bind('b1', 'node-b'));
      assert.equal(bound.code, 409);
      assert.equal(bound.message, 'Operation cannot be fulfilled on pods/binding "b1": pod b1 is already assigned to node "node-a"');
      assert.equal(bound.details?.kind, 'pods/binding');
      await pods.create(ctx(), pod('b-leaving', undefined, { finalizers: ['example.com/hold'] }));
      await pods.delete(ctx(), 'b-leaving', {});
      const leaving = await statusOf(bind('b-leaving', 'node-a'));
      assert.equal(leaving.code, 409);
      assert.equal(leaving.message, 'Operation cannot be fulfilled on pods/binding "b-leaving": pod b-leaving is being deleted, cannot be assigned to a host');
      assert.equal((await statusOf(bind('b-missing', 'node-a'))).code, 404);
      const mismatch = await statusOf(registry.binding!.create(ctx(), 'b1', { metadata: { name: 'other' }, target: { name: 'n' } }));
      assert.equal(mismatch.code, 400);
      assert.equal(mismatch.message, 'name in URL does not match name in Binding object');
      const noTarget = await statusOf(registry.binding!.create(ctx(), 'b1', { metadata: { name: 'b1' }, target: {} }));
      assert.equal(noTarget.code, 422);
    });

    it("a stale cached pod costs a retry on etcd's copy, never the newer write", async () => {
      const before = await pods.create(ctx(), pod('b-stale'));
      await pods.patch(ctx(), 'b-stale', 'merge', { metadata: { labels: { step: 'patched' } } });
      const restore = staleCache(pods, before);
      try {
        await bind('b-stale', 'node-c');
      } finally {
        restore();
      }
      const got = await pods.get(ctx(), 'b-stale');
      assert.equal(got.metadata.labels?.step, 'patched');
      assert.equal((got.spec as { nodeName?: string }).nodeName, 'node-c');
    });

    it("a stale cached copy that looks bound is checked again on etcd's", async () => {
      const fresh = await pods.create(ctx(), pod('b-unbound'));
      const restore = staleCache(pods, { ...fresh, spec: { ...(fresh.spec as object), nodeName: 'ghost' } });
      try {
        await bind('b-unbound', 'node-d');
      } finally {
        restore();
      }
      assert.equal(((await pods.get(ctx(), 'b-unbound')).spec as { nodeName?: string }).nodeName, 'node-d');
    });

    it('concurrent bindings of one pod: exactly one wins', async () => {
      await pods.create(ctx(), pod('b-contended'));
      const results = await Promise.allSettled(['w', 'x', 'y', 'z'].map((n) => bind('b-contended', n)));
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
      for (const r of results) if (r.status === 'rejected') assert.equal((r.reason as StatusError).code, 409);
    });

    it('dryRun checks and writes nothing', async () => {
      const created = await pods.create(ctx(), pod('b-dry'));
      await bind('b-dry', 'node-a', {}, ctx({ dryRun: true }));
      const got = await pods.get(ctx(), 'b-dry');
      assert.equal(got.metadata.resourceVersion, created.metadata.resourceVersion);
      assert.equal((got.spec as { nodeName?: string }).nodeName, undefined);
    });
  });

  describe('pods/eviction (EvictionREST)', () => {
    /** A running, ready pod. */
    async function runningPod(name: string, labels: Record<string, string>, ready = true): Promise<void> {
      const created = await pods.create(ctx(), pod(name, labels));
      await pods.update(ctx(), name, { ...created, status: { phase: 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] } }, 'status');
    }
    /** A budget over pods labelled app=<app>, with the status the disruption controller would write. */
    async function budget(app: string, status: Record<string, unknown>): Promise<void> {
      const created = await pdbs.create(ctx(), {
        apiVersion: 'policy/v1',
        kind: 'PodDisruptionBudget',
        metadata: { name: `${app}-pdb`, namespace: NS },
        spec: { minAvailable: 2, selector: { matchLabels: { app } } },
      });
      await pdbs.update(
        ctx(),
        `${app}-pdb`,
        { ...created, status: { observedGeneration: 1, currentHealthy: 3, desiredHealthy: 2, expectedPods: 3, ...status } },
        'status',
      );
    }
    const evict = (name: string, c = ctx()) => registry.eviction!.create(c, name, { metadata: { name } });
    const pdbStatus = async (app: string) =>
      (await pdbs.get(ctx(), `${app}-pdb`)).status as { disruptionsAllowed?: number; disruptedPods?: Record<string, string> };

    it("spends the budget, then refuses with 429 and upstream's message", async () => {
      for (const n of ['e1', 'e2', 'e3']) await runningPod(n, { app: 'evict' });
      await budget('evict', { disruptionsAllowed: 1 });
      await evict('e1');
      assert.equal(await pods.getIfExists(ctx(), 'e1'), undefined);
      const st = await pdbStatus('evict');
      assert.equal(st.disruptionsAllowed, 0);
      assert.ok(st.disruptedPods?.e1, 'the evicted pod is recorded for the disruption controller');
      const refused = await statusOf(evict('e2'));
      assert.equal(refused.code, 429);
      assert.equal(refused.reason, 'TooManyRequests');
      assert.equal(refused.message, "Cannot evict pod as it would violate the pod's disruption budget.");
      assert.deepEqual(refused.details?.causes, [
        { reason: 'DisruptionBudget', message: 'The disruption budget evict-pdb needs 2 healthy pods and has 3 currently' },
      ]);
      assert.ok(await pods.getIfExists(ctx(), 'e2'));
    });

    it('concurrent evictions spend exactly what the budget allows', async () => {
      const names = ['c1', 'c2', 'c3', 'c4', 'c5'];
      for (const n of names) await runningPod(n, { app: 'conc' });
      await budget('conc', { disruptionsAllowed: 2, currentHealthy: 5 });
      const results = await Promise.allSettled(names.map((n) => evict(n)));
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 2);
      for (const r of results) if (r.status === 'rejected') assert.equal((r.reason as StatusError).code, 429);
      assert.equal((await pdbStatus('conc')).disruptionsAllowed, 0);
    });

    it("a stale cached budget that still allows a disruption is checked again on etcd's", async () => {
      await runningPod('s1', { app: 'stale' });
      await budget('stale', { disruptionsAllowed: 1 });
      const old = await pdbs.get(ctx(), 'stale-pdb');
      await pdbs.update(ctx(), 'stale-pdb', { ...old, status: { ...(old.status as object), disruptionsAllowed: 0 } }, 'status');
      const restore = staleCache(pdbs, old);
      try {
        assert.equal((await statusOf(evict('s1'))).code, 429);
      } finally {
        restore();
      }
    });

    it('a budget the controller has not observed yet refuses with 429', async () => {
      await runningPod('g1', { app: 'gen' });
      await budget('gen', { disruptionsAllowed: 1, observedGeneration: 0 });
      const refused = await statusOf(evict('g1'));
      assert.equal(refused.code, 429);
      assert.deepEqual(refused.details?.causes, [
        { reason: 'DisruptionBudget', message: 'The disruption budget gen-pdb is still being processed by the server.' },
      ]);
    });

    it('a pending pod is deleted without its budget; an unready one spends nothing while the budget is met', async () => {
      await budget('free', { disruptionsAllowed: 0 });
      await pods.create(ctx(), pod('p-pending', { app: 'free' }));
      await evict('p-pending');
      assert.equal(await pods.getIfExists(ctx(), 'p-pending'), undefined);
      await runningPod('p-unready', { app: 'free' }, false);
      await evict('p-unready');
      assert.equal(await pods.getIfExists(ctx(), 'p-unready'), undefined);
      assert.equal((await pdbStatus('free')).disruptionsAllowed, 0);
    });

    it('dryRun checks the budget and changes nothing', async () => {
      await runningPod('d1', { app: 'dry' });
      await budget('dry', { disruptionsAllowed: 1 });
      const pdbBefore = await pdbs.get(ctx(), 'dry-pdb');
      await evict('d1', ctx({ dryRun: true }));
      assert.ok(await pods.getIfExists(ctx(), 'd1'));
      assert.equal((await pdbs.get(ctx(), 'dry-pdb')).metadata.resourceVersion, pdbBefore.metadata.resourceVersion);
      await registry.eviction!.create(ctx(), 'd1', { metadata: { name: 'd1' }, deleteOptions: { dryRun: ['All'] } });
      assert.ok(await pods.getIfExists(ctx(), 'd1'));
      const mismatch = await statusOf(registry.eviction!.create(ctx(), 'd1', { metadata: { name: 'other' } }));
      assert.equal(mismatch.message, 'name in URL does not match name in Eviction object');
    });
  });

  describe('scale (ScaleREST)', () => {
    const deployment = (name: string): KubeObject => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, namespace: NS },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: name } },
        template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } },
      },
    });

    it("GET, PUT and PATCH of the Scale view write spec.replicas through the deployment's update", async () => {
      await deployments.create(ctx(), deployment('web'));
      const scale = registry.scale(deployments)!;
      const got = await scale.get(ctx(), 'web');
      assert.deepEqual(
        { kind: got.kind, apiVersion: got.apiVersion, spec: got.spec, status: got.status },
        { kind: 'Scale', apiVersion: 'autoscaling/v1', spec: { replicas: 1 }, status: { replicas: 0, selector: 'app=web' } },
      );
      const put = await scale.update(ctx(), 'web', { ...got, spec: { replicas: 5 } });
      assert.equal(put.spec?.replicas, 5);
      const d = await deployments.get(ctx(), 'web');
      assert.equal((d.spec as { replicas: number }).replicas, 5);
      assert.equal(d.metadata.generation, 2);
      assert.equal((await scale.patch(ctx(), 'web', 'merge', { spec: { replicas: 3 } })).spec?.replicas, 3);
      assert.equal((await scale.patch(ctx(), 'web', 'json', [{ op: 'replace', path: '/spec/replicas', value: 4 }])).spec?.replicas, 4);
      assert.equal((await deployments.get(ctx(), 'web')).metadata.generation, 4);
    });

    it('refuses a stale resourceVersion (409) and negative replicas (422); the same replicas is no write; dryRun writes nothing', async () => {
      const scale = registry.scale(deployments)!;
      const stale = await scale.get(ctx(), 'web');
      await scale.patch(ctx(), 'web', 'merge', { spec: { replicas: 6 } });
      assert.equal((await statusOf(scale.update(ctx(), 'web', { ...stale, spec: { replicas: 7 } }))).code, 409);
      const invalid = await statusOf(
        scale.update(ctx(), 'web', { kind: 'Scale', apiVersion: 'autoscaling/v1', metadata: { name: 'web' }, spec: { replicas: -1 } }),
      );
      assert.equal(invalid.code, 422);
      assert.equal(invalid.message, 'Scale.autoscaling "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0');
      const current = await scale.get(ctx(), 'web');
      const same = await scale.update(ctx(), 'web', { ...current, metadata: { name: 'web' }, spec: { replicas: 6 } });
      assert.equal(same.metadata.resourceVersion, current.metadata.resourceVersion);
      const dry = await scale.update(ctx({ dryRun: true }), 'web', { ...current, spec: { replicas: 9 } });
      assert.equal(dry.spec?.replicas, 9);
      assert.equal((await scale.get(ctx(), 'web')).spec?.replicas, 6);
    });

    it('a PUT without resourceVersion on a stale cached copy keeps the newer write', async () => {
      const before = await deployments.get(ctx(), 'web');
      await deployments.patch(ctx(), 'web', 'merge', { metadata: { labels: { tier: 'front' } } });
      const restore = staleCache(deployments, before);
      try {
        await registry
          .scale(deployments)!
          .update(ctx(), 'web', { kind: 'Scale', apiVersion: 'autoscaling/v1', metadata: { name: 'web' }, spec: { replicas: 2 } });
      } finally {
        restore();
      }
      const d = await deployments.get(ctx(), 'web');
      assert.equal(d.metadata.labels?.tier, 'front');
      assert.equal((d.spec as { replicas: number }).replicas, 2);
    });
  });

  describe('namespaces/finalize (FinalizeREST)', () => {
    const nsCtx = ctx({ namespace: undefined });

    it('sets spec.finalizers; a deleted namespace whose finalizers are all gone goes', async () => {
      await namespaces.create(nsCtx, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'fin' } });
      const kept = await registry.finalize!.update(nsCtx, 'fin', { spec: { finalizers: [] } });
      assert.equal((kept.spec as { finalizers?: string[] } | undefined)?.finalizers, undefined);
      assert.ok(await namespaces.getIfExists(nsCtx, 'fin'), 'a namespace not being deleted stays');
      await namespaces.create(nsCtx, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'fin2' } });
      const { object, deleted } = await namespaces.delete(nsCtx, 'fin2', {});
      assert.equal(deleted, false);
      assert.equal((object.status as { phase?: string }).phase, 'Terminating');
      await registry.finalize!.update(nsCtx, 'fin2', { spec: { finalizers: ['kubernetes'] } });
      assert.ok(await namespaces.getIfExists(nsCtx, 'fin2'));
      await registry.finalize!.update(nsCtx, 'fin2', { spec: { finalizers: [] } });
      assert.equal(await namespaces.getIfExists(nsCtx, 'fin2'), undefined);
      assert.equal((await statusOf(registry.finalize!.update(nsCtx, 'fin', { spec: { finalizers: 'kubernetes' } }))).code, 400);
      assert.equal((await statusOf(registry.finalize!.update(nsCtx, 'never', { spec: { finalizers: [] } }))).code, 404);
    });

    it('system namespaces cannot be deleted; objects cannot be created in a terminating namespace', async () => {
      await namespaces.create(nsCtx, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } });
      assert.equal((await statusOf(namespaces.delete(nsCtx, 'default', {}))).code, 403);
      await namespaces.create(nsCtx, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'closing' } });
      const closing = await namespaces.delete(nsCtx, 'closing', {});
      // Admission reads the watch cache first.
      await namespaces.storage.cache.waitUntilFresh(Number(closing.object.metadata.resourceVersion));
      const late = pod('late');
      late.metadata.namespace = 'closing';
      const refused = await statusOf(pods.create(ctx({ namespace: 'closing' }), late));
      assert.equal(refused.code, 403);
      assert.match(refused.message, /unable to create new content in namespace closing because it is being terminated/);
    });
  });

  describe('per-kind rules from strategies', () => {
    it('a kind with a spec always has one, written as {} when a client leaves it out or sends null', async () => {
      const nodes = registry.store('', 'v1', 'nodes')!;
      const cluster = ctx({ namespace: undefined });
      const created = await nodes.create(cluster, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'spec-default' } });
      assert.deepEqual(created.spec, {});
      const updated = await nodes.update(cluster, 'spec-default', { ...created, spec: null });
      assert.deepEqual(updated.spec, {});
      const pcs = registry.store('scheduling.k8s.io', 'v1', 'priorityclasses')!;
      const pc = await pcs.create(cluster, { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'no-spec' }, value: 10 });
      assert.equal(Object.hasOwn(pc, 'spec'), false, 'a kind without a spec gets none');
    });
    it('generation counts spec changes only for kinds that track it', async () => {
      const cm = await registry
        .store('', 'v1', 'configmaps')!
        .create(ctx(), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'g', generation: 7 }, data: { a: '1' } });
      assert.equal(cm.metadata.generation, undefined);
      const d = await deployments.get(ctx(), 'web');
      const labelled = await deployments.patch(ctx(), 'web', 'merge', { metadata: { labels: { more: 'x' } } });
      assert.equal(labelled.object.metadata.generation, d.metadata.generation);
    });

    it("a Node keeps the status it is created with; a Pod's is reset", async () => {
      const nodes = registry.store('', 'v1', 'nodes')!;
      const node = await nodes.create(ctx({ namespace: undefined }), {
        apiVersion: 'v1',
        kind: 'Node',
        metadata: { name: 'n1' },
        status: { capacity: { cpu: '2' } },
      });
      assert.deepEqual((node.status as { capacity?: unknown }).capacity, { cpu: '2' });
      const p = await pods.create(ctx(), { ...pod('with-status'), status: { phase: 'Running' } });
      assert.equal((p.status as { phase?: string }).phase, 'Pending');
    });

    it('a pod on a node is deleted gracefully, one without a node at once; the last finalizer gone deletes', async () => {
      await pods.create(ctx(), { ...pod('graceful'), spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'nginx' }] } });
      const graceful = await pods.delete(ctx(), 'graceful', {});
      assert.equal(graceful.deleted, false);
      assert.equal(graceful.object.metadata.deletionGracePeriodSeconds, 30);
      assert.ok(graceful.object.metadata.deletionTimestamp);
      assert.equal((await pods.delete(ctx(), 'graceful', { gracePeriodSeconds: 0 })).deleted, true);
      await pods.create(ctx(), pod('unscheduled'));
      assert.equal((await pods.delete(ctx(), 'unscheduled', {})).deleted, true);
      await pods.create(ctx(), pod('held', undefined, { finalizers: ['example.com/hold'] }));
      assert.equal((await pods.delete(ctx(), 'held', {})).deleted, false);
      const last = await pods.patch(ctx(), 'held', 'merge', { metadata: { finalizers: null } });
      assert.ok(last.object.metadata.deletionTimestamp);
      assert.equal(await pods.getIfExists(ctx(), 'held'), undefined);
    });

    it("hasDependents sees owner references in every resource's cache", async () => {
      const owner = await registry.store('', 'v1', 'configmaps')!.create(ctx(), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'owner' } });
      const uid = owner.metadata.uid ?? '';
      assert.equal(registry.hasDependents(uid), false);
      const dep = await pods.create(ctx(), pod('dependent', undefined, { ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid }] }));
      await pods.storage.cache.waitUntilFresh(Number(dep.metadata.resourceVersion));
      assert.equal(registry.hasDependents(uid), true);
    });
  });
});
