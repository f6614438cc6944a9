// client-go's SharedInformerFactory: one informer per resource (and selector) per
// process, shared by every controller in it, so N controllers cost one watch.
import type { KubeObject } from '../../api/meta/v1/types.js';
import { SharedIndexInformer, type InformerOptions } from './informer.js';
import { listerWatcherFor } from './reflector.js';
import type { Client, GroupVersionResource } from './rest.js';
import { NodeNameIndex, nodeNameIndexFunc, OwnerUIDIndex, ownerUIDIndexFunc, type Indexers } from './store.js';

export interface FactoryOptions {
  /** Resync period handed to informers (per handler; 0: none). */
  defaultResyncMs?: number;
  /** Watch only this namespace (all when unset). */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  log?: (msg: string) => void;
}

export class SharedInformerFactory {
  private readonly informers = new Map<string, SharedIndexInformer<KubeObject>>();
  private started = false;

  constructor(
    readonly client: Client,
    private readonly opts: FactoryOptions = {},
  ) {}

  /** The shared informer for a resource: forResource('v1', 'pods') or forResource(gvr). Created on first use. */
  forResource<T extends KubeObject = KubeObject>(gvr: GroupVersionResource | string, plural?: string): SharedIndexInformer<T> {
    const rc = this.client.resource<T>(gvr, plural);
    const g = rc.gvr;
    const key = `${g.group}/${g.version}/${g.resource}`;
    let inf = this.informers.get(key) as SharedIndexInformer<T> | undefined;
    if (!inf) {
      // Owner and node indexes are what controllers look up most (adoption, GC, per-node pods).
      const indexers: Indexers<T> = { [OwnerUIDIndex]: ownerUIDIndexFunc };
      if (g.group === '' && g.resource === 'pods') indexers[NodeNameIndex] = nodeNameIndexFunc;
      const opts: InformerOptions<T> = { resyncPeriodMs: this.opts.defaultResyncMs ?? 0, indexers, log: this.opts.log, name: key };
      const lw = listerWatcherFor(rc.namespace(g.namespaced ? this.opts.namespace : undefined), {
        labelSelector: this.opts.labelSelector,
        fieldSelector: this.opts.fieldSelector,
      });
      inf = new SharedIndexInformer<T>(lw, opts);
      this.informers.set(key, inf as unknown as SharedIndexInformer<KubeObject>);
      if (this.started) inf.run();
    }
    return inf;
  }

  /** Starts every informer requested so far, and any requested later. */
  start(): void {
    this.started = true;
    for (const inf of this.informers.values()) inf.run();
  }

  async waitForCacheSync(timeoutMs = 30_000): Promise<void> {
    await Promise.all([...this.informers.values()].map((i) => i.waitForCacheSync(timeoutMs)));
  }

  async shutdown(): Promise<void> {
    this.started = false;
    await Promise.all([...this.informers.values()].map((i) => i.stop()));
  }
}
