// flowcontrol.Backoff as the DaemonSet controller uses it for failed pods:
// per (DaemonSet, node) key, 1 s doubling to 15 min, reset after 2×max of quiet.
export class Backoff {
  private readonly entries = new Map<string, { backoff: number; lastUpdate: number }>();

  constructor(
    readonly initialMs = 1000,
    readonly maxMs = 15 * 60_000,
    readonly now: () => number = Date.now,
  ) {}

  get(key: string): number {
    return this.entries.get(key)?.backoff ?? 0;
  }

  /** Next: start at initialMs, or double (up to maxMs) unless the entry went stale. */
  next(key: string, now = this.now()): void {
    const e = this.entries.get(key);
    if (!e || now - e.lastUpdate > 2 * this.maxMs) {
      this.entries.set(key, { backoff: this.initialMs, lastUpdate: now });
      return;
    }
    e.backoff = Math.min(e.backoff * 2, this.maxMs);
    e.lastUpdate = now;
  }

  /** IsInBackOffSinceUpdate. */
  isInBackOffSinceUpdate(key: string, now = this.now()): boolean {
    const e = this.entries.get(key);
    return e !== undefined && now - e.lastUpdate < e.backoff;
  }

  /** GC: forget entries idle for longer than 2×max. */
  gc(now = this.now()): void {
    for (const [k, e] of this.entries) if (now - e.lastUpdate > 2 * this.maxMs) this.entries.delete(k);
  }
}
