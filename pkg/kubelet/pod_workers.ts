// podWorkers (upstream pod_workers.go): one serialized worker per pod UID. Updates
// arriving while a sync runs are coalesced into one more sync afterwards, so a pod
// is never synced twice at once and never misses its latest state; different pods
// sync in parallel. A sync may ask to run again later (a back-off ending, the
// periodic resync); a failed sync is retried with a growing delay.

export interface SyncOutcome {
  /** Run again after this many ms (undefined: only when something happens). */
  requeueAfterMs?: number;
  /** The pod is finished with for good: forget its worker. */
  done?: boolean;
}

export type SyncPodFn = (uid: string) => Promise<SyncOutcome>;

interface Worker {
  running: boolean;
  pending: boolean;
  timer?: NodeJS.Timeout;
  timerAt?: number;
  failures: number;
  /** A sync of the pod has succeeded once (later ones are updates). */
  synced?: boolean;
}

export interface PodWorkersOptions {
  sync: SyncPodFn;
  log: (msg: string) => void;
  /** First retry delay after a failed sync (doubling up to maxRetryMs). */
  retryMs?: number;
  maxRetryMs?: number;
  /** A successful sync's duration, by upstream's operation (create: the pod's first, update: the rest). */
  observeSync?: (operation: 'create' | 'update', seconds: number) => void;
}

export class PodWorkers {
  private readonly workers = new Map<string, Worker>();
  private stopped = false;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly opts: PodWorkersOptions) {}

  /** Asks for a sync of the pod now (coalesced with one already queued or running). */
  update(uid: string): void {
    if (this.stopped) return;
    let w = this.workers.get(uid);
    if (!w) {
      w = { running: false, pending: false, failures: 0 };
      this.workers.set(uid, w);
    }
    w.pending = true;
    if (!w.running) void this.loop(uid, w);
  }

  /** Asks for a sync after delayMs, unless one is already due earlier. */
  updateAfter(uid: string, delayMs: number): void {
    if (this.stopped) return;
    let w = this.workers.get(uid);
    if (!w) {
      w = { running: false, pending: false, failures: 0 };
      this.workers.set(uid, w);
    }
    const at = Date.now() + Math.max(0, delayMs);
    if (w.timer && w.timerAt !== undefined && w.timerAt <= at) return;
    if (w.timer) clearTimeout(w.timer);
    w.timerAt = at;
    w.timer = setTimeout(
      () => {
        w.timer = undefined;
        w.timerAt = undefined;
        this.update(uid);
      },
      Math.max(0, delayMs),
    );
  }

  has(uid: string): boolean {
    return this.workers.has(uid);
  }

  uids(): string[] {
    return [...this.workers.keys()];
  }

  isBusy(): boolean {
    for (const w of this.workers.values()) if (w.running || w.pending) return true;
    return false;
  }

  /** Resolves when no sync is running or pending (tests). */
  async waitIdle(): Promise<void> {
    if (!this.isBusy()) return;
    await new Promise<void>((r) => this.idleWaiters.push(r));
  }

  stop(): void {
    this.stopped = true;
    for (const w of this.workers.values()) if (w.timer) clearTimeout(w.timer);
  }

  private async loop(uid: string, w: Worker): Promise<void> {
    w.running = true;
    while (w.pending && !this.stopped) {
      w.pending = false;
      let outcome: SyncOutcome;
      const start = performance.now();
      const first = !w.synced;
      try {
        outcome = await this.opts.sync(uid);
        w.synced = true;
        this.opts.observeSync?.(first ? 'create' : 'update', (performance.now() - start) / 1000);
        w.failures = 0;
      } catch (err) {
        w.failures++;
        const base = this.opts.retryMs ?? 1000;
        const delay = Math.min(base * 2 ** (w.failures - 1), this.opts.maxRetryMs ?? 30_000);
        this.opts.log(`error syncing pod ${uid}, retrying in ${delay} ms: ${(err as Error)?.stack ?? String(err)}`);
        outcome = { requeueAfterMs: delay };
      }
      if (outcome.done) {
        if (w.timer) clearTimeout(w.timer);
        if (!w.pending) {
          this.workers.delete(uid);
          break;
        }
        continue;
      }
      if (outcome.requeueAfterMs !== undefined) this.updateAfter(uid, outcome.requeueAfterMs);
    }
    w.running = false;
    if (!this.isBusy()) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const f of waiters) f();
    }
  }
}
