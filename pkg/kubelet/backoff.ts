// client-go's flowcontrol.Backoff, as the kubelet uses it for crash loops (10 s
// doubling to 5 min) and image pulls. An entry is keyed by the event that started
// the wait (a container's finishedAt, a failed pull), so a container that ran
// fine for long enough starts again at the initial delay: entries untouched for
// twice the maximum (10 min) expire.

export class Backoff {
  private readonly entries = new Map<string, { backoffMs: number; lastUpdate: number }>();

  constructor(
    readonly initialMs: number,
    readonly maxMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** The current delay for id (0 if none). */
  get(id: string): number {
    return this.entries.get(id)?.backoffMs ?? 0;
  }

  /** Records another failure at eventTime: first delay initialMs, then doubling up to maxMs. */
  next(id: string, eventTime: number): void {
    const e = this.entries.get(id);
    if (!e || this.hasExpired(eventTime, e.lastUpdate)) {
      this.entries.set(id, { backoffMs: this.initialMs, lastUpdate: eventTime });
      return;
    }
    e.backoffMs = Math.min(e.backoffMs * 2, this.maxMs);
    e.lastUpdate = eventTime;
  }

  /** True while now is within the current delay counted from eventTime. */
  isInBackOffSince(id: string, eventTime: number): boolean {
    const e = this.entries.get(id);
    if (!e) return false;
    const now = this.now();
    if (this.hasExpired(now, e.lastUpdate)) return false;
    return now - eventTime < e.backoffMs;
  }

  /** True while now is within the current delay counted from the last failure (image pulls). */
  isInBackOffSinceUpdate(id: string): boolean {
    const e = this.entries.get(id);
    if (!e) return false;
    const now = this.now();
    if (this.hasExpired(now, e.lastUpdate)) return false;
    return now - e.lastUpdate < e.backoffMs;
  }

  /** When the delay counted from the last failure ends (ms), or 0 if there is none. */
  backOffUntilSinceUpdate(id: string): number {
    const e = this.entries.get(id);
    return e ? e.lastUpdate + e.backoffMs : 0;
  }

  /** When the delay counted from eventTime ends (ms), or 0 if there is none. */
  backOffUntil(id: string, eventTime: number): number {
    const e = this.entries.get(id);
    return e ? eventTime + e.backoffMs : 0;
  }

  reset(id: string): void {
    this.entries.delete(id);
  }

  /** Drops entries idle for twice the maximum. */
  gc(): void {
    const now = this.now();
    for (const [id, e] of this.entries) if (this.hasExpired(now, e.lastUpdate)) this.entries.delete(id);
  }

  private hasExpired(eventTime: number, lastUpdate: number): boolean {
    return eventTime - lastUpdate > this.maxMs * 2;
  }
}

/** The kubelet's crash-loop back-off: 10 s doubling to MaxContainerBackOff (300 s). */
export const CONTAINER_BACKOFF_INITIAL_MS = 10_000;
export const CONTAINER_BACKOFF_MAX_MS = 300_000;
