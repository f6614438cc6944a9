// The resourcequota controller (pkg/controller/resourcequota): keeps every
// ResourceQuota's status.hard equal to its spec.hard and status.used equal to what
// the namespace's objects use. A quota is synced when it changes, when a pod of its
// namespace comes, changes or goes (pods free quota most often), and on a periodic
// full resync that catches every other kind. Custom resources count as
// `count/<plural>.<group>`.
import type { Pod, ResourceQuota } from '../../../api/core/v1/types.js';
import type { KubeObject } from '../../../api/meta/v1/types.js';
import { BUILTIN_RESOURCES } from '../../../api/resources.js';
import type { SharedIndexInformer } from '../../client/informer.js';
import { isStatus, type ResourceClient } from '../../client/rest.js';
import { metaNamespaceKeyFunc, splitMetaNamespaceKey } from '../../client/store.js';
import { RateLimitingQueue, runWorkers } from '../../client/workqueue.js';
import { countResourceName, matchingResources, quotaMatches, usageOf } from '../../util/quota/evaluator.js';
import type { CustomResourceDefinition } from '../../../api/apiextensions/v1/types.js';
import { add, fromUsage, mask, sameUsage, toUsage, type Usage } from '../../util/quota/resources.js';
import type { Controller, ControllerContext } from '../context.js';

export interface ResourceQuotaControllerOptions {
  /** --resource-quota-sync-period: how often every quota is recalculated (default 5 minutes). */
  resyncPeriodMs?: number;
}

/** The namespaced kinds a quota can count, once each, at the version listed first. */
const COUNTED_KINDS = (() => {
  const seen = new Set<string>();
  return BUILTIN_RESOURCES.filter((r) => {
    const key = `${r.group}/${r.plural}`;
    if (!r.namespaced || seen.has(key) || (r.verbs && !r.verbs.includes('list'))) return false;
    seen.add(key);
    return true;
  });
})();

export class ResourceQuotaController implements Controller {
  readonly queue = new RateLimitingQueue<string>(undefined, 'resourcequota_primary');
  private readonly quotaInformer: SharedIndexInformer<ResourceQuota>;
  private readonly podInformer: SharedIndexInformer<Pod>;
  private readonly quotaClient: ResourceClient<ResourceQuota>;
  private readonly resyncPeriodMs: number;

  constructor(
    private readonly deps: ControllerContext,
    opts: ResourceQuotaControllerOptions = {},
  ) {
    this.resyncPeriodMs = opts.resyncPeriodMs ?? 5 * 60_000;
    this.quotaInformer = deps.informers.forResource<ResourceQuota>('v1', 'resourcequotas');
    this.podInformer = deps.informers.forResource<Pod>('v1', 'pods');
    this.quotaClient = deps.client.resource<ResourceQuota>('v1', 'resourcequotas');
    this.quotaInformer.addEventHandler({
      onAdd: (q) => this.queue.add(metaNamespaceKeyFunc(q)),
      onUpdate: (_, q) => {
        if (needsSync(q)) this.queue.add(metaNamespaceKeyFunc(q));
      },
    });
    const podChanged = (pod: Pod) => this.enqueueNamespace(pod.metadata.namespace ?? '');
    this.podInformer.addEventHandler({
      onAdd: podChanged,
      onUpdate: (old, cur) => {
        // Usage changes when a pod turns terminal or starts deleting; admission counted the rest.
        if (old.status?.phase !== cur.status?.phase || old.metadata.deletionTimestamp !== cur.metadata.deletionTimestamp) podChanged(cur);
      },
      onDelete: podChanged,
    });
  }

  private enqueueNamespace(namespace: string): void {
    for (const q of this.quotaInformer.lister.list(namespace)) this.queue.add(metaNamespaceKeyFunc(q));
  }

  async run(workers: number, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return;
    const timer = setInterval(() => {
      for (const q of this.quotaInformer.lister.list()) this.queue.add(metaNamespaceKeyFunc(q));
    }, this.resyncPeriodMs);
    signal.addEventListener(
      'abort',
      () => {
        clearInterval(timer);
        this.queue.shutDown();
      },
      { once: true },
    );
    this.deps.log('starting resource quota controller', { workers });
    this.deps.informers.start();
    await Promise.all([this.quotaInformer.waitForCacheSync(), this.podInformer.waitForCacheSync()]);
    await runWorkers(this.queue, workers, (key) => this.syncResourceQuota(key), { log: (m) => this.deps.log(m) });
    this.deps.log('resource quota controller stopped');
  }

  /**
   * The objects of one kind in a namespace, listed from the apiserver rather than a
   * cache: a stale cache would take back what admission just charged for an object
   * it has not seen yet.
   */
  private async objectsOf(group: string, version: string, plural: string, namespace: string): Promise<KubeObject[]> {
    const apiVersion = group === '' ? version : `${group}/${version}`;
    const builtin = BUILTIN_RESOURCES.some((r) => r.group === group && r.version === version && r.plural === plural);
    const resource = builtin
      ? this.deps.client.resource(apiVersion, plural)
      : this.deps.client.resource({ group, version, resource: plural, namespaced: true });
    const list = await resource.namespace(namespace).list();
    return list.items;
  }

  /**
   * The custom resources a quota counts (`count/<plural>.<group>` naming no built-in kind): the
   * namespaced CRDs of those names, at their storage version (upstream finds them by discovery).
   */
  private async customKinds(hard: string[]): Promise<Array<{ group: string; version: string; plural: string }>> {
    const builtin = new Set(COUNTED_KINDS.map((r) => countResourceName(r.group, r.plural)));
    const wanted = new Set(hard.filter((h) => h.startsWith('count/') && h.includes('.') && !builtin.has(h)).map((h) => h.slice('count/'.length)));
    if (wanted.size === 0) return [];
    const crds = await this.deps.client
      .resource<CustomResourceDefinition>({ group: 'apiextensions.k8s.io', version: 'v1', resource: 'customresourcedefinitions', namespaced: false })
      .list();
    const out: Array<{ group: string; version: string; plural: string }> = [];
    for (const crd of crds.items) {
      const version = crd.spec.versions.find((v) => v.storage)?.name;
      if (!wanted.has(crd.metadata.name ?? '') || crd.spec.scope !== 'Namespaced' || !version) continue;
      if (!crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')) continue;
      out.push({ group: crd.spec.group, version, plural: crd.status?.acceptedNames?.plural ?? crd.spec.names.plural });
    }
    return out;
  }

  /** What the namespace's objects use of the quota's resources (CalculateUsage). */
  async calculateUsage(quota: ResourceQuota): Promise<Usage> {
    const namespace = quota.metadata.namespace ?? '';
    const hard = Object.keys(quota.spec?.hard ?? {});
    let usage: Usage = new Map();
    for (const info of [...COUNTED_KINDS, ...(await this.customKinds(hard))]) {
      if (matchingResources(info.group, info.plural, hard).length === 0) continue;
      for (const obj of await this.objectsOf(info.group, info.version, info.plural, namespace)) {
        if (quotaMatches(quota, info.group, info.plural, obj, hard)) usage = add(usage, usageOf(info.group, info.plural, obj));
      }
    }
    const used = mask(usage, hard);
    for (const k of hard) if (!used.has(k)) used.set(k, 0);
    return used;
  }

  /** syncResourceQuota: writes status.hard and status.used when they differ from what they should be. */
  async syncResourceQuota(key: string): Promise<void> {
    const { namespace, name } = splitMetaNamespaceKey(key);
    const quota = this.quotaInformer.lister.get(namespace, name);
    if (!quota || quota.metadata.deletionTimestamp) return;
    const hard = toUsage(quota.spec?.hard);
    const used = await this.calculateUsage(quota);
    if (sameUsage(hard, toUsage(quota.status?.hard)) && sameUsage(used, toUsage(quota.status?.used))) return;
    try {
      await this.quotaClient.namespace(namespace).updateStatus({ ...quota, status: { hard: fromUsage(hard), used: fromUsage(used) } });
    } catch (err) {
      // A quota that changed meanwhile is synced again from its update event.
      if (isStatus(err, 404)) return;
      if (isStatus(err, 409)) {
        this.queue.addRateLimited(key);
        return;
      }
      throw err;
    }
  }
}

/** A quota whose status does not reflect its spec yet. */
function needsSync(q: ResourceQuota): boolean {
  const hard = toUsage(q.spec?.hard);
  const used = toUsage(q.status?.used);
  return !sameUsage(hard, toUsage(q.status?.hard)) || [...hard.keys()].some((k) => !used.has(k));
}
