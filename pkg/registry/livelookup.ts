// A namespace's objects of one kind for admission plugins, as upstream's
// ResourceQuota and LimitRanger read them (their lister plus liveLookupCache):
// from the watch cache, so a create costs no etcd round trip. The cache may not
// hold an object created a moment ago, so when it has none for a namespace a live
// (consistent) list answers instead and is remembered for 30 s.
import type { KubeObject } from '../../api/meta/v1/types.js';
import type { Store } from './store.js';

/** How long a live lookup is trusted (upstream's liveTTL). */
export const LIVE_LOOKUP_TTL_MS = 30_000;
/** Namespaces whose live lookups are remembered (upstream's LRU size). */
export const LIVE_LOOKUP_ENTRIES = 100;

interface LiveLookup<T> {
  expiry: number;
  items: T[];
}

export class LiveLookupLister<T extends KubeObject> {
  private readonly live = new Map<string, LiveLookup<T>>();
  private readonly inFlight = new Map<string, Promise<T[]>>();

  constructor(
    private readonly store: Store,
    private readonly now: () => number = Date.now,
  ) {}

  async list(namespace: string): Promise<T[]> {
    const cached = (await this.store.list({ namespace, resourceVersion: '0' })).items as T[];
    if (cached.length) return cached;
    const entry = this.live.get(namespace);
    if (entry && entry.expiry > this.now()) return entry.items;
    return this.liveLookup(namespace);
  }

  /** One consistent list per namespace at a time; concurrent callers share it. */
  private liveLookup(namespace: string): Promise<T[]> {
    let pending = this.inFlight.get(namespace);
    if (!pending) {
      pending = this.store
        .list({ namespace })
        .then(({ items }) => {
          this.live.delete(namespace); // re-inserted last: the Map's order is the LRU order
          this.live.set(namespace, { expiry: this.now() + LIVE_LOOKUP_TTL_MS, items: items as T[] });
          if (this.live.size > LIVE_LOOKUP_ENTRIES) this.live.delete(this.live.keys().next().value as string);
          return items as T[];
        })
        .finally(() => this.inFlight.delete(namespace));
      this.inFlight.set(namespace, pending);
    }
    return pending;
  }
}
