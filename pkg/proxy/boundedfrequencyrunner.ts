// upstream's async.BoundedFrequencyRunner: runs fn when asked, but never more
// often than a token bucket allows (one token per minInterval, `burst` saved
// up), at least once per maxInterval, and never two at once.
export class BoundedFrequencyRunner {
  private tokens: number;
  private lastRefill: number;
  private timer?: NodeJS.Timeout;
  private nextAt = Infinity;
  private running = false;
  private pending = false;
  private stopped = true;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly fn: () => Promise<void>,
    private readonly minIntervalMs: number,
    private readonly maxIntervalMs: number,
    private readonly burst = 2,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = burst;
    this.lastRefill = now();
  }

  /** Starts the periodic runs (the first after maxInterval). */
  loop(): void {
    this.stopped = false;
    this.schedule(this.maxIntervalMs);
  }

  stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.nextAt = Infinity;
    return this.idle();
  }

  /** Asks for a run as soon as the rate limit allows. */
  run(): void {
    this.tryRun();
  }

  /** Asks for a run no later than ms from now (a retry after a failed run). */
  retryAfter(ms: number): void {
    this.schedule(ms);
  }

  /** Resolves when no run is in progress. */
  idle(): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private refill(): void {
    const now = this.now();
    if (this.minIntervalMs <= 0) {
      this.tokens = this.burst;
    } else {
      this.tokens = Math.min(this.burst, this.tokens + (now - this.lastRefill) / this.minIntervalMs);
    }
    this.lastRefill = now;
  }

  private tryRun(): void {
    if (this.stopped) return;
    if (this.running) {
      this.pending = true;
      return;
    }
    this.refill();
    if (this.tokens >= 1) {
      this.tokens -= 1;
      void this.exec();
      return;
    }
    this.schedule(Math.ceil((1 - this.tokens) * this.minIntervalMs));
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    const at = this.now() + ms;
    if (at >= this.nextAt) return;
    if (this.timer) clearTimeout(this.timer);
    this.nextAt = at;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.nextAt = Infinity;
        this.tryRun();
      },
      Math.max(0, ms),
    );
    this.timer.unref?.();
  }

  private async exec(): Promise<void> {
    this.running = true;
    this.pending = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.nextAt = Infinity;
    try {
      await this.fn();
    } catch {
      // fn reports its own failures (and asks for a retry); the loop goes on.
    } finally {
      this.running = false;
      this.schedule(this.maxIntervalMs);
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
      if (this.pending) this.tryRun();
    }
  }
}
