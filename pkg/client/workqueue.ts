// client-go's workqueue: a set-like FIFO where a key is never handed to two workers
// at once (processing set), adds of a key already waiting or being processed are
// coalesced (dirty set) and a key added while processing is re-queued on done();
// plus the delaying (addAfter) and rate-limited (addRateLimited) layers. A named queue
// reports its metrics when the process has a provider (workqueue_metrics.ts).
import { queueMetrics, type QueueMetrics } from './workqueue_metrics.js';

export interface RateLimiter<K> {
  /** How long to wait before processing key again; counts as a failure. */
  when(key: K): number;
  forget(key: K): void;
  numRequeues(key: K): number;
}

/** Per-item exponential backoff: base * 2^failures, capped (client-go: 5 ms, 1000 s). */
export class ItemExponentialFailureRateLimiter<K> implements RateLimiter<K> {
  private readonly failures = new Map<K, number>();
  constructor(
    readonly baseMs = 5,
    readonly maxMs = 1000_000,
  ) {}

  when(key: K): number {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    return Math.min(this.maxMs, this.baseMs * 2 ** n);
  }

  forget(key: K): void {
    this.failures.delete(key);
  }

  numRequeues(key: K): number {
    return this.failures.get(key) ?? 0;
  }
}

/** A token bucket over all items (client-go: 10 qps, burst 100): each call reserves a token. */
export class BucketRateLimiter<K> implements RateLimiter<K> {
  private tokens: number;
  private last: number;
  constructor(
    readonly qps = 10,
    readonly burst = 100,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = burst;
    this.last = now();
  }

  when(_key: K): number {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.qps);
    this.last = t;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens / this.qps) * 1000);
  }

  forget(_key: K): void {}

  numRequeues(_key: K): number {
    return 0;
  }
}

/** The longest delay of several limiters; requeue counts come from the one that counts most. */
export class MaxOfRateLimiter<K> implements RateLimiter<K> {
  private readonly limiters: RateLimiter<K>[];
  constructor(...limiters: RateLimiter<K>[]) {
    this.limiters = limiters;
  }

  when(key: K): number {
    let max = 0;
    for (const l of this.limiters) max = Math.max(max, l.when(key));
    return max;
  }

  forget(key: K): void {
    for (const l of this.limiters) l.forget(key);
  }

  numRequeues(key: K): number {
    let max = 0;
    for (const l of this.limiters) max = Math.max(max, l.numRequeues(key));
    return max;
  }
}

/** workqueue.DefaultControllerRateLimiter(). */
export function defaultControllerRateLimiter<K>(): RateLimiter<K> {
  return new MaxOfRateLimiter<K>(new ItemExponentialFailureRateLimiter<K>(5, 1000_000), new BucketRateLimiter<K>(10, 100));
}

export class RateLimitingQueue<K = string> {
  private queue: K[] = [];
  private head = 0;
  private readonly dirty = new Set<K>();
  private readonly processing = new Set<K>();
  private readonly waiting = new Map<K, { readyAt: number; timer: NodeJS.Timeout }>();
  private getters: ((v: { key: K; shutdown: false } | { key: undefined; shutdown: true }) => void)[] = [];
  private shuttingDown = false;
  private readonly metrics?: QueueMetrics;
  /** When each queued key was queued, and when each key in processing was taken (ms; with metrics only). */
  private readonly queuedAt = new Map<K, number>();
  private readonly takenAt = new Map<K, number>();

  constructor(
    readonly rateLimiter: RateLimiter<K> = defaultControllerRateLimiter<K>(),
    readonly name = '',
  ) {
    this.metrics = queueMetrics(name);
  }

  private taken(key: K, now: number): void {
    const queued = this.queuedAt.get(key);
    this.queuedAt.delete(key);
    this.metrics?.taken(queued === undefined ? 0 : (now - queued) / 1000);
    this.takenAt.set(key, now);
  }

  add(key: K): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.dirty.add(key);
    // Being processed: done() re-queues it, so no worker picks it up in parallel.
    if (this.processing.has(key)) return;
    this.push(key);
  }

  private push(key: K): void {
    const g = this.getters.shift();
    if (this.metrics) {
      this.metrics.added();
      if (g) this.taken(key, performance.now());
      else this.queuedAt.set(key, performance.now());
    }
    if (g) {
      this.dirty.delete(key);
      this.processing.add(key);
      g({ key, shutdown: false });
    } else this.queue.push(key);
  }

  len(): number {
    return this.queue.length - this.head;
  }

  /** The next key, once one is available; shutdown is true when the queue is shut down and drained. */
  get(): Promise<{ key: K; shutdown: false } | { key: undefined; shutdown: true }> {
    if (this.len() > 0) {
      const key = this.queue[this.head++];
      // Compact occasionally so a long-lived queue does not grow without bound.
      if (this.head > 1024 && this.head * 2 > this.queue.length) {
        this.queue = this.queue.slice(this.head);
        this.head = 0;
      }
      this.dirty.delete(key);
      this.processing.add(key);
      if (this.metrics) this.taken(key, performance.now());
      return Promise.resolve({ key, shutdown: false });
    }
    if (this.shuttingDown) return Promise.resolve({ key: undefined, shutdown: true });
    return new Promise((resolve) => this.getters.push(resolve));
  }

  /** Marks key as no longer being processed; if it was added meanwhile, it is queued again now. */
  done(key: K): void {
    if (this.metrics) {
      const taken = this.takenAt.get(key);
      this.takenAt.delete(key);
      if (taken !== undefined) this.metrics.done((performance.now() - taken) / 1000);
    }
    this.processing.delete(key);
    if (this.dirty.has(key)) this.push(key);
  }

  /** Adds key after ms; of several pending delays for one key the earliest wins. */
  addAfter(key: K, ms: number): void {
    if (this.shuttingDown) return;
    if (ms <= 0) {
      this.add(key);
      return;
    }
    const readyAt = Date.now() + ms;
    const w = this.waiting.get(key);
    if (w && w.readyAt <= readyAt) return;
    if (w) clearTimeout(w.timer);
    const timer = setTimeout(() => {
      this.waiting.delete(key);
      this.add(key);
    }, ms);
    this.waiting.set(key, { readyAt, timer });
  }

  /** Adds key after the rate limiter's delay (per-item backoff, overall bucket). */
  addRateLimited(key: K): void {
    this.metrics?.retried();
    this.addAfter(key, this.rateLimiter.when(key));
  }

  /** Clears key's failure history (call on success). */
  forget(key: K): void {
    this.rateLimiter.forget(key);
  }

  numRequeues(key: K): number {
    return this.rateLimiter.numRequeues(key);
  }

  /** Stops accepting keys; waiting getters get shutdown once the queue is drained. */
  shutDown(): void {
    this.shuttingDown = true;
    for (const w of this.waiting.values()) clearTimeout(w.timer);
    this.waiting.clear();
    const getters = this.getters;
    this.getters = [];
    for (const g of getters) g({ key: undefined, shutdown: true });
  }

  shuttingDownNow(): boolean {
    return this.shuttingDown;
  }
}

export interface RunWorkersOptions {
  log?: (msg: string) => void;
}

/**
 * Runs n workers: each takes a key, calls sync, forgets the key on success and
 * re-adds it rate-limited on failure. Resolves when the queue is shut down and drained.
 */
export async function runWorkers<K>(queue: RateLimitingQueue<K>, n: number, sync: (key: K) => Promise<void>, opts: RunWorkersOptions = {}): Promise<void> {
  const worker = async () => {
    for (;;) {
      const item = await queue.get();
      if (item.shutdown) return;
      const key = item.key;
      try {
        await sync(key);
        queue.forget(key);
      } catch (err) {
        opts.log?.(
          `${queue.name || 'workqueue'}: syncing ${String(key)} failed (requeue ${queue.numRequeues(key) + 1}): ${(err as Error)?.message ?? String(err)}`,
        );
        queue.addRateLimited(key);
      } finally {
        queue.done(key);
      }
    }
  };
  await Promise.all(Array.from({ length: n }, worker));
}
