// The namespace controller: when a namespace is deleted, delete everything in it,
// then remove the `kubernetes` finalizer so the apiserver can let it go.
import type { Namespace } from '../../../api/core/v1/types.js';
import type { CustomResourceDefinition } from '../../../api/apiextensions/v1/types.js';
import { isConditionTrue, resourceInfosFor } from '../../../api/apiextensions/v1/helpers.js';
import { BUILTIN_RESOURCES } from '../../../api/resources.js';
import { supportsVerbs } from '../../../api/resourceinfo.js';
import type { GroupVersionResource } from '../../client/rest.js';
import { RateLimitingQueue, runWorkers } from '../../client/workqueue.js';
import type { SharedIndexInformer } from '../../client/informer.js';
import type { Controller, ControllerContext } from '../context.js';

const FINALIZER = 'kubernetes';
/** How soon to look again while content is still going away (pods stopping, finalizers). */
const RECHECK_MS = 2000;

/** Every namespaced resource that can be listed and deleted, once, at the version listed first (the preferred one). */
export function namespacedResources(): GroupVersionResource[] {
  const seen = new Set<string>();
  const out: GroupVersionResource[] = [];
  for (const r of BUILTIN_RESOURCES) {
    const key = `${r.group}/${r.plural}`;
    if (!r.namespaced || seen.has(key) || !supportsVerbs(r, 'list', 'delete')) continue;
    seen.add(key);
    out.push({ group: r.group, version: r.version, resource: r.plural, namespaced: true, kind: r.kind });
  }
  return out;
}

/** The namespaced custom resources of Established CRDs, each at its preferred version (discovery lists them too). */
export function namespacedCustomResources(crds: CustomResourceDefinition[]): GroupVersionResource[] {
  const out: GroupVersionResource[] = [];
  for (const crd of crds) {
    if (crd.spec?.scope !== 'Namespaced' || !isConditionTrue(crd, 'Established')) continue;
    const preferred = resourceInfosFor(crd)[0];
    if (preferred) out.push({ group: preferred.group, version: preferred.version, resource: preferred.plural, namespaced: true, kind: preferred.kind });
  }
  return out;
}

export class NamespaceController implements Controller {
  private readonly queue = new RateLimitingQueue<string>(undefined, 'namespace');
  private readonly informer: SharedIndexInformer<Namespace>;
  private readonly crds: SharedIndexInformer<CustomResourceDefinition>;

  constructor(private readonly ctx: ControllerContext) {
    this.informer = ctx.informers.forResource<Namespace>('v1', 'namespaces');
    this.crds = ctx.informers.forResource<CustomResourceDefinition>('apiextensions.k8s.io/v1', 'customresourcedefinitions');
    const enqueue = (ns: Namespace) => {
      if (ns.metadata.deletionTimestamp) this.queue.add(ns.metadata.name ?? '');
    };
    this.informer.addEventHandler({ onAdd: enqueue, onUpdate: (_old, ns) => enqueue(ns) });
  }

  async run(workers: number, signal: AbortSignal): Promise<void> {
    signal.addEventListener('abort', () => this.queue.shutDown(), { once: true });
    await this.informer.waitForCacheSync();
    await this.crds.waitForCacheSync();
    await runWorkers(this.queue, workers, (name) => this.syncNamespace(name), { log: this.ctx.log });
  }

  async syncNamespace(name: string): Promise<void> {
    const ns = this.informer.lister.get(name);
    if (!ns?.metadata.deletionTimestamp || !(ns.spec?.finalizers ?? []).includes(FINALIZER)) return;
    const remaining = await this.deleteContent(name);
    if (remaining.length) {
      this.ctx.log.v(2)(`namespace ${name}: waiting for ${remaining.join(', ')}`);
      this.queue.addAfter(name, RECHECK_MS);
      return;
    }
    const finalizers = (ns.spec?.finalizers ?? []).filter((f) => f !== FINALIZER);
    const body: Namespace = { apiVersion: 'v1', kind: 'Namespace', metadata: { name, resourceVersion: ns.metadata.resourceVersion }, spec: { finalizers } };
    await this.ctx.client.rest.request('PUT', `/api/v1/namespaces/${encodeURIComponent(name)}/finalize`, { body });
    this.ctx.log(`namespace ${name}: emptied and finalized`);
  }

  /** Deletes every namespaced object in the namespace; returns what is still there. */
  private async deleteContent(namespace: string): Promise<string[]> {
    const remaining: string[] = [];
    for (const gvr of [...namespacedResources(), ...namespacedCustomResources(this.crds.lister.list())]) {
      const rc = this.ctx.client.resource(gvr).namespace(namespace);
      const list = await rc.list({ limit: 1 });
      if (!list.items.length) continue;
      await this.ctx.client.rest.request('DELETE', rc.path(), { query: { propagationPolicy: 'Background' } });
      const after = await rc.list({ limit: 1 });
      if (after.items.length) remaining.push(gvr.group ? `${gvr.resource}.${gvr.group}` : gvr.resource);
    }
    return remaining;
  }
}
