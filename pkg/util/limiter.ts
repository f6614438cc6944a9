// Bounds how much async work is in flight at once. The scheduler uses it for its
// API writes: Go's kube-scheduler binds in goroutines over one HTTP/2 connection
// under a client QPS limit; here every concurrent request is its own HTTPS/1.1
// socket, so an unbounded burst of bindings opens thousands of TLS connections
// and stalls the apiserver. The kubelet uses it for sandbox starts.

/** Runs async tasks with at most `limit` in flight; the rest wait in FIFO order. */
export class ConcurrencyLimiter {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(readonly limit: number) {
    if (!(limit >= 1)) throw new Error(`concurrency limit must be at least 1, got ${limit}`);
  }

  /** Tasks started and not yet finished. */
  get inFlight(): number {
    return this.active;
  }

  /** Tasks waiting for a free slot. */
  get queued(): number {
    return this.waiting.length;
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active++;
    try {
      return await task();
    } finally {
      // Hand the slot straight to the next waiter (active stays the same), or free it.
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}

/** client-go's flowcontrol token bucket: `qps` tokens a second, at most `burst` saved up. */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    readonly qps: number,
    readonly burst: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!(qps > 0) || !(burst >= 1)) throw new Error(`token bucket needs qps > 0 and burst >= 1, got ${qps}/${burst}`);
    this.tokens = burst;
    this.last = now();
  }

  private refill(): void {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) * this.qps) / 1000);
    this.last = t;
  }

  /** Takes a token if one is there. */
  tryAccept(): boolean {
    this.refill();
    if (this.tokens < 1) return false;
    this.tokens--;
    return true;
  }

  /** Milliseconds until a token will be there. */
  msUntilToken(): number {
    this.refill();
    return this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) * 1000) / this.qps);
  }
}

export interface BoundedWriterOptions {
  /** Writes start only while this says so. */
  ready?: () => boolean;
  onDrop?: (dropped: number) => void;
  retryMs?: number;
  /** A client-side rate limit on writes started. */
  rateLimit?: TokenBucket;
}

/**
 * Best-effort writes (Events) with a bounded backlog and a lower priority than
 * bindings: a write starts only while ready() says so (the scheduler: no binding is
 * waiting for a slot) and the rate limit has a token (kube-scheduler's client is
 * throttled to its clientConnection qps/burst), and past maxQueued the newest are
 * dropped, as client-go's event broadcaster drops when its 1000-event queue is full.
 * Call kick() when ready() may have turned true.
 */
export class BoundedWriter {
  private readonly queue: Array<() => Promise<unknown>> = [];
  private active = 0;
  private timer?: NodeJS.Timeout;
  dropped = 0;

  constructor(
    private readonly concurrency: number,
    private readonly maxQueued: number,
    private readonly opts: BoundedWriterOptions = {},
  ) {}

  /** Queues write; false when the backlog is full and it was dropped. */
  submit(write: () => Promise<unknown>): boolean {
    if (this.queue.length >= this.maxQueued) {
      this.dropped++;
      this.opts.onDrop?.(this.dropped);
      return false;
    }
    this.queue.push(write);
    this.kick();
    return true;
  }

  /** Starts queued writes while there is room and the writer may go. */
  kick(): void {
    while (this.active < this.concurrency && this.queue.length) {
      if (this.opts.ready && !this.opts.ready()) {
        // Whoever holds the priority normally kicks when done; this is only a backstop.
        this.retryIn(this.opts.retryMs ?? 200);
        return;
      }
      if (this.opts.rateLimit && !this.opts.rateLimit.tryAccept()) {
        this.retryIn(this.opts.rateLimit.msUntilToken());
        return;
      }
      const write = this.queue.shift() as () => Promise<unknown>;
      this.active++;
      void write()
        .catch(() => undefined)
        .finally(() => {
          this.active--;
          this.kick();
        });
    }
  }

  private retryIn(ms: number): void {
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.kick();
    }, ms).unref();
  }

  /** Writes queued or in flight. */
  get pending(): number {
    return this.active + this.queue.length;
  }

  /** Drops what has not started (at shutdown). */
  clear(): void {
    this.queue.length = 0;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
