// The quotas of a namespace, for admission (upstream's quotaAccessor): read from
// the watch cache, so a create in a namespace costs no etcd round trip. The cache
// may not hold a quota created a moment ago, so when it has none for a namespace
// a live (consistent) list answers instead and is remembered for 30 s. Admission
// charges a quota through a guarded update of the stored object, so a stale copy
// here can never let usage pass the hard limit.
import type { ResourceQuota } from '../../../../api/core/v1/types.js';
import type { Store } from '../../store.js';

/** How long a live lookup is trusted (upstream's liveTTL). */
export const LIVE_LOOKUP_TTL_MS = 30_000;
/** Namespaces whose live lookups are remembered (upstream's LRU size). */
export const LIVE_LOOKUP_ENTRIES = 100;

interface LiveLookup {
  expiry: number;
  items: ResourceQuota[];
}

export class QuotaAccessor {
  private readonly live = new Map<string, LiveLookup>();
  private readonly inFlight = new Map<string, Promise<ResourceQuota[]>>();

  constructor(
    private readonly quotas: Store,
    private readonly now: () => number = Date.now,
  ) {}

  async getQuotas(namespace: string): Promise<ResourceQuota[]> {
    const cached = (await this.quotas.list({ namespace, resourceVersion: '0' })).items as ResourceQuota[];
    if (cached.length) return cached;
    const entry = this.live.get(namespace);
    if (entry && entry.expiry > this.now()) return entry.items;
    return this.liveLookup(namespace);
  }

  /** One consistent list per namespace at a time; concurrent callers share it. */
  private liveLookup(namespace: string): Promise<ResourceQuota[]> {
    let pending = this.inFlight.get(namespace);
    if (!pending) {
      pending = this.quotas
        .list({ namespace })
        .then(({ items }) => {
          this.live.delete(namespace); // re-inserted last: the Map's order is the LRU order
          this.live.set(namespace, { expiry: this.now() + LIVE_LOOKUP_TTL_MS, items: items as ResourceQuota[] });
          if (this.live.size > LIVE_LOOKUP_ENTRIES) this.live.delete(this.live.keys().next().value as string);
          return items as ResourceQuota[];
        })
        .finally(() => this.inFlight.delete(namespace));
      this.inFlight.set(namespace, pending);
    }
    return pending;
  }
}
