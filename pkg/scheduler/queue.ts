// kube-scheduler's internal/queue PriorityQueue: three places a pending pod can be.
//  - activeQ: ready to be tried, highest spec.priority first, then oldest;
//  - backoffQ: failed recently, waiting out an exponential backoff (1 s doubling to 10 s);
//  - unschedulablePods: found no node; they stay until a cluster event that could make
//    them fit moves them back (node added/changed, pod deleted, ...), or until they have
//    waited 5 minutes (flushed every 30 s).
// A pod that failed while a move request happened during its own cycle goes to
// backoffQ rather than unschedulablePods, so the event that could help it is not lost.
import type { Pod } from '../../api/core/v1/types.js';
import { KeyedHeap } from './heap.js';
import { podKey } from './cache.js';

export const DEFAULT_POD_INITIAL_BACKOFF_MS = 1_000;
export const DEFAULT_POD_MAX_BACKOFF_MS = 10_000;
/** Upstream podMaxInUnschedulablePodsDuration. */
export const POD_MAX_IN_UNSCHEDULABLE_PODS_MS = 5 * 60_000;
const FLUSH_UNSCHEDULABLE_PERIOD_MS = 30_000;
const FLUSH_BACKOFF_PERIOD_MS = 1_000;

/** A pod in the queue plus its scheduling history (upstream QueuedPodInfo). */
export interface QueuedPodInfo {
  pod: Pod;
  /** When it was last added to a queue (ms since epoch); orders equal priorities and starts backoff. */
  timestamp: number;
  /** Scheduling attempts so far. */
  attempts: number;
  /** When it was first popped; the e2e latency metric starts here. */
  initialAttemptTimestamp?: number;
  /** When it was first added: the pod's enqueue time. */
  enqueuedAt: number;
  /** Plugins that rejected it in the last attempt. */
  unschedulablePlugins: Set<string>;
  /** Insertion order, breaking timestamp ties so equal pods come out first-in first-out. */
  seq?: number;
}

/** The cluster change that moves pods back (upstream framework.ClusterEvent labels). */
export type ClusterEvent =
  'NodeAdd' | 'NodeUpdate' | 'AssignedPodAdd' | 'AssignedPodUpdate' | 'AssignedPodDelete' | 'UnschedulableTimeout' | 'ForceActivate' | string;

export interface SchedulingQueueOptions {
  podInitialBackoffMs?: number;
  podMaxBackoffMs?: number;
  podMaxInUnschedulablePodsMs?: number;
  now?: () => number;
  log?: (msg: string) => void;
}

function podPriority(pod: Pod): number {
  return pod.spec?.priority ?? 0;
}

/** Whether an update could change the scheduling outcome: anything but status and bookkeeping metadata. */
export function isPodUpdated(oldPod: Pod, newPod: Pod): boolean {
  const strip = (p: Pod) =>
    JSON.stringify({ ...p, status: undefined, metadata: { ...p.metadata, resourceVersion: undefined, generation: undefined, managedFields: undefined } });
  return strip(oldPod) !== strip(newPod);
}

export class SchedulingQueue {
  private readonly activeQ: KeyedHeap<QueuedPodInfo>;
  private readonly backoffQ: KeyedHeap<QueuedPodInfo>;
  private readonly unschedulablePods = new Map<string, QueuedPodInfo>();
  /** Popped and being scheduled; updates are kept so a requeue uses the newest object. */
  private readonly inFlight = new Map<string, QueuedPodInfo>();
  private readonly waiters: Array<(p: QueuedPodInfo | undefined) => void> = [];
  private schedulingCycle = 0;
  private moveRequestCycle = -1;
  private closed = false;
  private wakeScheduled = false;
  private seq = 0;
  private timers: NodeJS.Timeout[] = [];
  private readonly initialBackoff: number;
  private readonly maxBackoff: number;
  private readonly maxInUnschedulable: number;
  private readonly now: () => number;

  constructor(private readonly opts: SchedulingQueueOptions = {}) {
    this.initialBackoff = opts.podInitialBackoffMs ?? DEFAULT_POD_INITIAL_BACKOFF_MS;
    this.maxBackoff = opts.podMaxBackoffMs ?? DEFAULT_POD_MAX_BACKOFF_MS;
    this.maxInUnschedulable = opts.podMaxInUnschedulablePodsMs ?? POD_MAX_IN_UNSCHEDULABLE_PODS_MS;
    this.now = opts.now ?? Date.now;
    this.activeQ = new KeyedHeap((a, b) => {
      const pa = podPriority(a.pod);
      const pb = podPriority(b.pod);
      if (pa !== pb) return pa > pb;
      return a.timestamp !== b.timestamp ? a.timestamp < b.timestamp : (a.seq ?? 0) < (b.seq ?? 0);
    });
    this.backoffQ = new KeyedHeap((a, b) => this.backoffExpiry(a) < this.backoffExpiry(b));
  }

  /** Starts the periodic flushes (backoffQ every second, long-unschedulable pods every 30 s). */
  run(): void {
    if (this.timers.length) return;
    this.timers.push(setInterval(() => this.flushBackoffQCompleted(), FLUSH_BACKOFF_PERIOD_MS));
    this.timers.push(setInterval(() => this.flushUnschedulablePodsLeftover(), FLUSH_UNSCHEDULABLE_PERIOD_MS));
    for (const t of this.timers) t.unref();
  }

  /** Stops timers; pending and future pop() calls resolve undefined. */
  close(): void {
    this.closed = true;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    for (const w of this.waiters.splice(0)) w(undefined);
  }

  /** The current scheduling cycle (incremented by every pop). */
  get cycle(): number {
    return this.schedulingCycle;
  }

  /** A new pending pod. */
  add(pod: Pod): void {
    const key = podKey(pod);
    if (this.inFlight.has(key)) {
      (this.inFlight.get(key) as QueuedPodInfo).pod = pod;
      return;
    }
    const existing = this.activeQ.get(key) ?? this.backoffQ.get(key) ?? this.unschedulablePods.get(key);
    if (existing) {
      this.update(existing.pod, pod);
      return;
    }
    const now = this.now();
    this.pushActive(key, { pod, timestamp: now, enqueuedAt: now, attempts: 0, unschedulablePlugins: new Set() });
  }

  /** A pending pod changed. Pods parked as unschedulable are retried when the change could matter. */
  update(oldPod: Pod, newPod: Pod): void {
    const key = podKey(newPod);
    const flying = this.inFlight.get(key);
    if (flying) {
      flying.pod = newPod;
      return;
    }
    for (const q of [this.activeQ, this.backoffQ]) {
      const info = q.get(key);
      if (info) {
        info.pod = newPod;
        q.push(key, info); // priority may have changed
        return;
      }
    }
    const info = this.unschedulablePods.get(key);
    if (info) {
      info.pod = newPod;
      if (isPodUpdated(oldPod, newPod)) {
        this.unschedulablePods.delete(key);
        this.requeueFromUnschedulable(key, info);
      }
      return;
    }
    this.add(newPod);
  }

  delete(pod: Pod): void {
    const key = podKey(pod);
    this.activeQ.delete(key);
    this.backoffQ.delete(key);
    this.unschedulablePods.delete(key);
    this.inFlight.delete(key);
  }

  /** The next pod to schedule, waiting while activeQ is empty; undefined once closed. */
  pop(): Promise<QueuedPodInfo | undefined> {
    if (this.closed) return Promise.resolve(undefined);
    const info = this.activeQ.pop();
    if (info) return Promise.resolve(this.startAttempt(info));
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private startAttempt(info: QueuedPodInfo): QueuedPodInfo {
    this.schedulingCycle++;
    info.attempts++;
    info.initialAttemptTimestamp ??= this.now();
    this.inFlight.set(podKey(info.pod), info);
    return info;
  }

  /** The attempt ended with the pod bound or assumed (or dropped): it leaves the queue. */
  done(pod: Pod): void {
    this.inFlight.delete(podKey(pod));
  }

  /**
   * The attempt failed: park the pod. unschedulable=false (an error, e.g. a failed binding)
   * always backs off; an unschedulable pod waits for a cluster event unless one came
   * during its cycle.
   */
  addUnschedulableIfNotPresent(info: QueuedPodInfo, podSchedulingCycle: number, unschedulable = true): void {
    const key = podKey(info.pod);
    const latest = this.inFlight.get(key);
    this.inFlight.delete(key);
    if (latest) info.pod = latest.pod;
    if (this.closed || this.activeQ.has(key) || this.backoffQ.has(key) || this.unschedulablePods.has(key)) return;
    info.timestamp = this.now();
    if (!unschedulable || this.moveRequestCycle >= podSchedulingCycle) {
      this.backoffQ.push(key, info);
    } else {
      this.unschedulablePods.set(key, info);
    }
  }

  /** A cluster event that could make unschedulable pods fit: retry them all (backing-off ones via backoffQ). */
  moveAllToActiveOrBackoffQueue(event: ClusterEvent, preCheck?: (info: QueuedPodInfo) => boolean): void {
    if (this.unschedulablePods.size) this.opts.log?.(`moving unschedulable pods event=${event} count=${this.unschedulablePods.size}`);
    for (const [key, info] of this.unschedulablePods) {
      if (preCheck && !preCheck(info)) continue;
      this.unschedulablePods.delete(key);
      this.requeueFromUnschedulable(key, info);
    }
    // Only an event relevant to every pod makes pods failing in this very cycle retry
    // (upstream filters per plugin through QueueingHints; a pre-checked event is a narrow one).
    if (!preCheck) this.moveRequestCycle = this.schedulingCycle;
  }

  /** Move backoffQ pods whose backoff has expired into activeQ. */
  flushBackoffQCompleted(): void {
    const now = this.now();
    for (;;) {
      const head = this.backoffQ.peek();
      if (!head || this.backoffExpiry(head) > now) break;
      this.backoffQ.pop();
      this.pushActive(podKey(head.pod), head);
    }
  }

  /** Retry pods that have sat in unschedulablePods longer than the limit (5 minutes). */
  flushUnschedulablePodsLeftover(): void {
    const now = this.now();
    for (const [key, info] of this.unschedulablePods) {
      if (now - info.timestamp > this.maxInUnschedulable) {
        this.unschedulablePods.delete(key);
        this.requeueFromUnschedulable(key, info);
      }
    }
  }

  /** Exponential backoff for the pod's attempts: initial·2^(attempts−1), capped at max. */
  backoffDuration(info: QueuedPodInfo): number {
    let d = this.initialBackoff;
    for (let i = 1; i < info.attempts; i++) {
      d *= 2;
      if (d >= this.maxBackoff) return this.maxBackoff;
    }
    return Math.min(d, this.maxBackoff);
  }

  backoffExpiry(info: QueuedPodInfo): number {
    return info.timestamp + this.backoffDuration(info);
  }

  /** Counts per queue, for the pending_pods metric. */
  pendingPods(): { active: number; backoff: number; unschedulable: number } {
    return { active: this.activeQ.size, backoff: this.backoffQ.size, unschedulable: this.unschedulablePods.size };
  }

  /** Where a pod is: 'active' | 'backoff' | 'unschedulable' | 'inFlight' | undefined. */
  whereIs(pod: Pod): string | undefined {
    const key = podKey(pod);
    if (this.activeQ.has(key)) return 'active';
    if (this.backoffQ.has(key)) return 'backoff';
    if (this.unschedulablePods.has(key)) return 'unschedulable';
    if (this.inFlight.has(key)) return 'inFlight';
    return undefined;
  }

  private requeueFromUnschedulable(key: string, info: QueuedPodInfo): void {
    if (this.backoffExpiry(info) > this.now()) this.backoffQ.push(key, info);
    else this.pushActive(key, info);
  }

  private pushActive(key: string, info: QueuedPodInfo): void {
    info.seq = ++this.seq;
    this.activeQ.push(key, info);
    if (this.waiters.length && !this.wakeScheduled) {
      // Wake the waiting pop() after the current synchronous batch of events, so the
      // highest priority pod of the batch is the one handed out.
      this.wakeScheduled = true;
      queueMicrotask(() => {
        this.wakeScheduled = false;
        while (this.waiters.length && this.activeQ.size) {
          const waiter = this.waiters.shift() as (p: QueuedPodInfo | undefined) => void;
          waiter(this.startAttempt(this.activeQ.pop() as QueuedPodInfo));
        }
      });
    }
  }
}
