// kube-scheduler's Scheduler: informers feed the cache (nodes, bound pods) and the
// queue (pending pods it is responsible for); one loop runs scheduleOne: pop →
// schedulePod (schedule_one.ts) → Reserve → assume → bind asynchronously, so the
// next pod is scheduled while the binding is in flight. Failures park the pod in
// the queue and are reported on it (PodScheduled condition + FailedScheduling event).
// Throughput rests on three things here (see schedulingLoop and limiter.ts): the loop
// steps out to the event loop every few milliseconds, bindings go out through a small
// window of keep-alive connections, and Events never take a connection a binding waits for.
import { hostname } from 'node:os';
import { isPodTerminal } from '../../api/core/v1/pod.js';
import type { Node, Pod, PodCondition } from '../../api/core/v1/types.js';
import type { KubeObject } from '../../api/meta/v1/types.js';
import { EventRecorder, isStatus, type Client, type SharedIndexInformer } from '../client/index.js';
import { SharedInformerFactory } from '../client/factory.js';
import { SchedulerCache } from './cache.js';
import { Code, CycleState, type ClusterLister, type NodeInfo, type Profile, type Status } from './framework/types.js';
import type { SchedulerMetrics } from './metrics.js';
import { SchedulingQueue, type QueuedPodInfo } from './queue.js';
import { FitError, schedulePod, statusMessage, type AlgorithmState } from './schedule_one.js';
import { BoundedWriter, ConcurrencyLimiter, TokenBucket } from '../util/limiter.js';

/** Resources the default plugins look up through the ClusterLister. */
const LISTED_RESOURCES: Array<[string, string]> = [
  ['v1', 'persistentvolumeclaims'],
  ['v1', 'persistentvolumes'],
  ['v1', 'namespaces'],
  ['storage.k8s.io/v1', 'storageclasses'],
  ['policy/v1', 'poddisruptionbudgets'],
  ['scheduling.k8s.io/v1', 'priorityclasses'],
];
const VOLUME_EVENTS: Array<[string, string, string]> = [
  ['v1', 'persistentvolumeclaims', 'PersistentVolumeClaim'],
  ['v1', 'persistentvolumes', 'PersistentVolume'],
  ['storage.k8s.io/v1', 'storageclasses', 'StorageClass'],
];
export { DEFAULT_SCHEDULER_NAME } from './profile.js';
import { DEFAULT_SCHEDULER_NAME } from './profile.js';

/** Upstream's event note limit: longer FailedScheduling messages are cut with "...". */
const NOTE_LENGTH_LIMIT = 1024;

/**
 * Bindings on the wire at once (each is one kept-alive HTTPS connection); see limiter.ts.
 * 32 let bindings fall behind pod creation in the scheduler bench (each waits for an
 * etcd commit); 64 keeps up with what the apiserver can create.
 */
export const DEFAULT_MAX_IN_FLIGHT_BINDINGS = 64;
/** Events on the wire at once, and how many may wait before new ones are dropped (client-go's broadcaster queue: 1000). */
const EVENT_CONCURRENCY = 4;
const MAX_QUEUED_EVENTS = 1000;
/**
 * Events leave at most this fast: kube-scheduler's default clientConnection qps and burst.
 * Under a burst of pods the rest wait in the queue above and the overflow is dropped,
 * instead of every Event costing the apiserver as much as the pod it is about.
 */
const EVENT_QPS = 50;
const EVENT_BURST = 100;
/** The scheduling loop gives I/O (watch events, binding answers) a turn at least this often. */
const YIELD_EVERY_MS = 2;

/** Plugins whose verdict can change when a pod lands on a node (others ignore AssignedPodAdd). */
const ASSIGNED_POD_SENSITIVE_PLUGINS = new Set(['InterPodAffinity', 'PodTopologySpread']);

export interface SchedulerOptions {
  client: Client;
  /**
   * The profile or profiles (one per schedulerName, as a KubeSchedulerConfiguration's), or a
   * builder given the scheduler's ClusterLister (plugins that read the cluster need it).
   */
  profile: Profile | Profile[] | ((lister: ClusterLister) => Profile | Profile[]);
  /** Shared informers; one is created when not given. */
  factory?: SharedInformerFactory;
  /** 0 (default): upstream's adaptive percentage. */
  percentageOfNodesToScore?: number;
  podInitialBackoffMs?: number;
  podMaxBackoffMs?: number;
  metrics?: SchedulerMetrics;
  log?: (msg: string) => void;
  /** -v=4-style per-pod logging. */
  logV?: (msg: string) => void;
  /** Record a Normal "Scheduled" event on each binding as upstream does (default true). */
  recordScheduledEvents?: boolean;
  /** Bindings in flight at once (default DEFAULT_MAX_IN_FLIGHT_BINDINGS); more wait, already assumed, in the cache. */
  maxInFlightBindings?: number;
}

function podName(pod: KubeObject): string {
  return `${pod.metadata.namespace ?? ''}/${pod.metadata.name ?? ''}`;
}

function sameJSON(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Whether a node change could let an unschedulable pod fit (upstream's NodeUpdate sub-events). */
function nodeSchedulingPropertiesChanged(oldNode: Node, newNode: Node): boolean {
  return (
    (oldNode.spec?.unschedulable ?? false) !== (newNode.spec?.unschedulable ?? false) ||
    !sameJSON(oldNode.spec?.taints ?? [], newNode.spec?.taints ?? []) ||
    !sameJSON(oldNode.metadata.labels ?? {}, newNode.metadata.labels ?? {}) ||
    !sameJSON(oldNode.status?.allocatable ?? {}, newNode.status?.allocatable ?? {}) ||
    !sameJSON(oldNode.metadata.annotations ?? {}, newNode.metadata.annotations ?? {}) ||
    !sameJSON(
      (oldNode.status?.conditions ?? []).map((c) => [c.type, c.status]),
      (newNode.status?.conditions ?? []).map((c) => [c.type, c.status]),
    )
  );
}

/**
 * Runs cycle until it resolves false or stopped() is true. While pods wait, a cycle
 * (pop, algorithm, assume) resolves through microtasks only, and a loop of those never
 * lets the event loop reach I/O: binding answers and watch events would wait until the
 * whole queue was drained, and the bindings would then leave all at once. So the loop
 * steps out to the event loop (setImmediate) every yieldEveryMs.
 */
export async function schedulingLoop(
  cycle: () => Promise<boolean>,
  stopped: () => boolean,
  onError: (err: unknown) => void,
  yieldEveryMs = YIELD_EVERY_MS,
): Promise<void> {
  let lastYield = performance.now();
  while (!stopped()) {
    try {
      if (!(await cycle())) break;
    } catch (err) {
      onError(err);
    }
    if (performance.now() - lastYield >= yieldEveryMs) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      lastYield = performance.now();
    }
  }
}

export class Scheduler {
  readonly schedulerCache: SchedulerCache;
  readonly queue: SchedulingQueue;
  readonly factory: SharedInformerFactory;
  /** The first profile. */
  readonly profile: Profile;
  /** Every profile by schedulerName; they share the queue and the cache, as upstream's. */
  readonly profiles = new Map<string, Profile>();
  readonly lister: ClusterLister;
  /** The first profile's recorder (each profile records as its schedulerName). */
  readonly recorder: EventRecorder;
  private readonly recorders = new Map<string, EventRecorder>();
  private readonly podInformer: SharedIndexInformer<Pod>;
  private readonly nodeInformer: SharedIndexInformer<Node>;
  private readonly alg: AlgorithmState;
  private readonly log: (msg: string) => void;
  private readonly logV: (msg: string) => void;
  private readonly ownFactory: boolean;
  private loop?: Promise<void>;
  private stopped = false;
  private readonly inFlightBindings = new Set<Promise<void>>();
  private readonly bindLimiter: ConcurrencyLimiter;
  private readonly eventWriter: BoundedWriter;

  constructor(private readonly opts: SchedulerOptions) {
    this.log = opts.log ?? (() => undefined);
    this.logV = opts.logV ?? (() => undefined);
    this.ownFactory = !opts.factory;
    this.factory = opts.factory ?? new SharedInformerFactory(opts.client, { log: this.log });
    this.schedulerCache = new SchedulerCache({ log: this.log });
    this.queue = new SchedulingQueue({ podInitialBackoffMs: opts.podInitialBackoffMs, podMaxBackoffMs: opts.podMaxBackoffMs });
    this.alg = { nextStartNodeIndex: 0, percentageOfNodesToScore: opts.percentageOfNodesToScore };
    this.podInformer = this.factory.forResource<Pod>('v1', 'pods');
    this.nodeInformer = this.factory.forResource<Node>('v1', 'nodes');
    // What the default plugins read besides pods and nodes: informers started (and synced) with the rest,
    // so a first scheduling attempt never sees an empty cache.
    for (const [apiVersion, plural] of LISTED_RESOURCES) this.factory.forResource(apiVersion, plural);
    // A claim bound or a volume made after a pod failed VolumeBinding may let it fit now (upstream's
    // VolumeBinding EventsToRegister: PVC/PV/StorageClass add and update).
    for (const [apiVersion, plural, event] of VOLUME_EVENTS) {
      this.factory.forResource(apiVersion, plural).addEventHandler({
        onAdd: () => this.queue.moveAllToActiveOrBackoffQueue(`${event}Add`, (info) => info.unschedulablePlugins.has('VolumeBinding')),
        onUpdate: () => this.queue.moveAllToActiveOrBackoffQueue(`${event}Update`, (info) => info.unschedulablePlugins.has('VolumeBinding')),
      });
    }
    const factory = this.factory;
    const cache = this.schedulerCache;
    this.lister = {
      nodes: () => cache.snapshot(),
      nodeInfo: (name) => cache.nodeInfo(name),
      havePodsWithAffinity: () => cache.havePodsWithAffinity(),
      imageNumNodes: (image) => cache.imageNumNodes(image),
      havePodsWithRequiredAntiAffinity: () => cache.havePodsWithRequiredAntiAffinity(),
      get: (apiVersion, plural, namespace, name) => {
        const l = factory.forResource(apiVersion, plural).lister;
        return namespace ? l.get(namespace, name) : l.get(name);
      },
      list: (apiVersion, plural, namespace) => factory.forResource(apiVersion, plural).lister.list(namespace),
    };
    const built = typeof opts.profile === 'function' ? opts.profile(this.lister) : opts.profile;
    const list = Array.isArray(built) ? built : [built];
    if (list.length === 0) throw new Error('at least one profile is required');
    for (const profile of list) {
      const name = profile.schedulerName || DEFAULT_SCHEDULER_NAME;
      if (this.profiles.has(name)) throw new Error(`duplicate profile with scheduler name "${name}"`);
      this.profiles.set(name, profile);
      this.recorders.set(name, new EventRecorder(opts.client, { component: name, host: hostname(), log: this.log }));
    }
    this.profile = list[0];
    this.recorder = this.recorders.get(this.schedulerName) as EventRecorder;
    opts.metrics?.setPendingPodsSource(() => this.queue.pendingPods());
    this.bindLimiter = new ConcurrencyLimiter(opts.maxInFlightBindings ?? DEFAULT_MAX_IN_FLIGHT_BINDINGS);
    opts.metrics?.setBindingsSource(() => this.inFlightBindings.size);
    this.eventWriter = new BoundedWriter(EVENT_CONCURRENCY, MAX_QUEUED_EVENTS, {
      // Events yield to bindings: they are written while no binding waits for a slot.
      ready: () => this.bindLimiter.queued === 0,
      rateLimit: new TokenBucket(EVENT_QPS, EVENT_BURST),
      onDrop: (n) => {
        if (n === 1 || n % 1000 === 0) this.log(`event queue full, ${n} event(s) dropped so far`);
      },
    });
  }

  get schedulerName(): string {
    return this.profile.schedulerName || DEFAULT_SCHEDULER_NAME;
  }

  /** Whether a profile schedules pod: its schedulerName (default default-scheduler) is one of theirs. */
  responsibleFor(pod: Pod): boolean {
    return this.profiles.has(pod.spec?.schedulerName || DEFAULT_SCHEDULER_NAME);
  }

  /** The profile of the pod's schedulerName (the first one for a pod no profile claims). */
  profileFor(pod: Pod): Profile {
    return this.profiles.get(pod.spec?.schedulerName || DEFAULT_SCHEDULER_NAME) ?? this.profile;
  }

  /** Wires the informers, waits for them to sync, and starts the scheduling loop. */
  async start(): Promise<void> {
    this.addEventHandlers();
    this.factory.start();
    await this.factory.waitForCacheSync();
    this.schedulerCache.run();
    this.queue.run();
    this.loop = this.runLoop();
    this.log(`scheduler started profiles=${[...this.profiles.keys()].join(',')} nodes=${this.schedulerCache.snapshot().length}`);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.queue.close();
    await this.loop;
    await Promise.allSettled([...this.inFlightBindings]);
    this.eventWriter.clear();
    this.schedulerCache.stop();
    if (this.ownFactory) await this.factory.shutdown();
  }

  private runLoop(): Promise<void> {
    return schedulingLoop(
      () => this.scheduleOne(),
      () => this.stopped,
      (err) => {
        this.log(`scheduleOne failed unexpectedly: ${(err as Error)?.stack ?? String(err)}`);
      },
    );
  }

  /** Records an Event without waiting; see BoundedWriter. */
  private recordEvent(profile: Profile, obj: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string): void {
    const recorder = this.recorders.get(profile.schedulerName || DEFAULT_SCHEDULER_NAME) ?? this.recorder;
    this.eventWriter.submit(() => recorder.event(obj, type, reason, message, { apiVersion: 'v1', kind: 'Pod' }));
  }

  private addEventHandlers(): void {
    this.podInformer.addEventHandler({
      onAdd: (pod) => {
        if (isPodTerminal(pod)) return;
        if (pod.spec?.nodeName) {
          this.schedulerCache.addPod(pod);
          this.queue.moveAllToActiveOrBackoffQueue('AssignedPodAdd', (info) =>
            [...info.unschedulablePlugins].some((p) => ASSIGNED_POD_SENSITIVE_PLUGINS.has(p)),
          );
        } else if (this.responsibleFor(pod)) {
          this.queue.add(pod);
        }
      },
      onUpdate: (oldPod, pod) => {
        if (oldPod === pod) return; // resync
        const wasAssigned = Boolean(oldPod.spec?.nodeName);
        if (isPodTerminal(pod)) {
          // A finished pod frees its node (upstream's informer filters terminal pods out: a delete).
          if (wasAssigned) {
            this.schedulerCache.removePod(oldPod);
            this.queue.moveAllToActiveOrBackoffQueue('AssignedPodDelete');
          } else this.queue.delete(pod);
          return;
        }
        if (pod.spec?.nodeName) {
          if (!wasAssigned) this.queue.delete(pod); // bound (by us, or by someone else)
          this.schedulerCache.updatePod(oldPod, pod);
          if (!wasAssigned) {
            this.queue.moveAllToActiveOrBackoffQueue('AssignedPodAdd', (info) =>
              [...info.unschedulablePlugins].some((p) => ASSIGNED_POD_SENSITIVE_PLUGINS.has(p)),
            );
          } else if (!sameJSON(oldPod.metadata.labels ?? {}, pod.metadata.labels ?? {})) {
            this.queue.moveAllToActiveOrBackoffQueue('AssignedPodUpdate');
          }
        } else if (this.responsibleFor(pod)) {
          this.queue.update(oldPod, pod);
        }
      },
      onDelete: (pod) => {
        if (pod.spec?.nodeName) {
          this.schedulerCache.removePod(pod);
          this.queue.moveAllToActiveOrBackoffQueue('AssignedPodDelete');
        } else {
          this.queue.delete(pod);
        }
      },
    });
    this.nodeInformer.addEventHandler({
      onAdd: (node) => {
        this.schedulerCache.addNode(node);
        this.queue.moveAllToActiveOrBackoffQueue('NodeAdd');
      },
      onUpdate: (oldNode, node) => {
        this.schedulerCache.updateNode(oldNode, node);
        if (oldNode !== node && nodeSchedulingPropertiesChanged(oldNode, node)) this.queue.moveAllToActiveOrBackoffQueue('NodeUpdate');
      },
      onDelete: (node) => this.schedulerCache.removeNode(node),
    });
  }

  /** Whether the pod should not be scheduled now: deleted, being deleted, already bound or assumed. */
  private skipPodSchedule(pod: Pod): boolean {
    if (pod.metadata.deletionTimestamp) return true;
    const current = this.podInformer.lister.get(pod.metadata.namespace ?? '', pod.metadata.name ?? '');
    if (!current || current.metadata.uid !== pod.metadata.uid || current.spec?.nodeName) return true;
    return this.schedulerCache.isAssumed(pod);
  }

  /** One scheduling cycle. Resolves false when the queue is closed. */
  async scheduleOne(): Promise<boolean> {
    const info = await this.queue.pop();
    if (!info) return false;
    const pod = info.pod;
    if (this.skipPodSchedule(pod)) {
      this.logV(`skipping pod=${podName(pod)}`);
      this.queue.done(pod);
      return true;
    }
    this.logV(`attempting to schedule pod=${podName(pod)} attempt=${info.attempts}`);
    const start = performance.now();
    const cycle = this.queue.cycle;
    const state = new CycleState();
    const profile = this.profileFor(pod);
    const profileName = profile.schedulerName || DEFAULT_SCHEDULER_NAME;
    // A profile's percentageOfNodesToScore overrides the global one.
    this.alg.percentageOfNodesToScore = profile.percentageOfNodesToScore ?? this.opts.percentageOfNodesToScore;
    let host: string;
    try {
      host = schedulePod(profile, state, pod, this.schedulerCache.snapshot(), this.alg).suggestedHost;
    } catch (err) {
      if (err instanceof FitError) {
        await this.runPostFilter(profile, state, pod, err);
        info.unschedulablePlugins = err.unschedulablePlugins;
        this.opts.metrics?.observeAttempt('unschedulable', profileName, (performance.now() - start) / 1000);
        this.logV(`unable to schedule pod=${podName(pod)} err=${JSON.stringify(err.message)}`);
        await this.handleSchedulingFailure(info, err, cycle, true);
      } else {
        this.opts.metrics?.observeAttempt('error', profileName, (performance.now() - start) / 1000);
        this.log(`error scheduling pod=${podName(pod)}: ${(err as Error)?.message ?? String(err)}`);
        await this.handleSchedulingFailure(info, err as Error, cycle, false);
      }
      return true;
    }

    // Reserve, then assume: from here on the cache counts the pod on host.
    const reserveStatus = await this.runReserve(profile, state, pod, host);
    if (reserveStatus.code !== Code.Success) {
      await this.runUnreserve(profile, state, pod, host);
      const unsched = reserveStatus.code === Code.Unschedulable || reserveStatus.code === Code.UnschedulableAndUnresolvable;
      this.opts.metrics?.observeAttempt(unsched ? 'unschedulable' : 'error', profileName, (performance.now() - start) / 1000);
      const err = unsched
        ? new FitError(
            pod,
            this.schedulerCache.snapshot().length,
            new Map([[host, reserveStatus]]),
            '',
            new Set(reserveStatus.plugin ? [reserveStatus.plugin] : []),
          )
        : new Error(`running Reserve plugin "${reserveStatus.plugin ?? ''}": ${statusMessage(reserveStatus)}`);
      await this.handleSchedulingFailure(info, err, cycle, unsched);
      return true;
    }
    this.schedulerCache.assume(pod, host);
    this.queue.done(pod);
    const binding = this.bindingCycle(profile, info, state, host, cycle, start).finally(() => this.inFlightBindings.delete(binding));
    this.inFlightBindings.add(binding);
    return true;
  }

  private async runPostFilter(profile: Profile, state: CycleState, pod: Pod, err: FitError): Promise<void> {
    const reasons: string[] = [];
    for (const pl of profile.postFilter) {
      try {
        const r = await pl.postFilter(state, pod, err.nodeToStatus);
        if (r.status.code === Code.Success) {
          if (r.nominatedNodeName) this.logV(`preemption nominated node pod=${podName(pod)} node=${r.nominatedNodeName}`);
          reasons.length = 0;
          break;
        }
        reasons.push(...r.status.reasons);
      } catch (e) {
        this.log(`PostFilter plugin ${pl.name} failed pod=${podName(pod)}: ${(e as Error)?.message ?? String(e)}`);
      }
    }
    if (reasons.length) err.postFilterMsg = reasons.join(', ');
  }

  private async runReserve(profile: Profile, state: CycleState, pod: Pod, host: string): Promise<Status> {
    for (const pl of profile.reserve) {
      const st = await pl.reserve(state, pod, host);
      if (st.code !== Code.Success) return st.plugin ? st : { ...st, plugin: pl.name };
    }
    return { code: Code.Success, reasons: [] };
  }

  private async runUnreserve(profile: Profile, state: CycleState, pod: Pod, host: string): Promise<void> {
    // Upstream unreserves in reverse order.
    for (const pl of [...profile.reserve].reverse()) {
      try {
        await pl.unreserve(state, pod, host);
      } catch (e) {
        this.log(`Unreserve plugin ${pl.name} failed pod=${podName(pod)}: ${(e as Error)?.message ?? String(e)}`);
      }
    }
  }

  /** POST pods/<name>/binding; on failure undo the assumption and retry the pod after a backoff. */
  private async bindingCycle(profile: Profile, info: QueuedPodInfo, state: CycleState, host: string, cycle: number, start: number): Promise<void> {
    const pod = info.pod;
    const profileName = profile.schedulerName || DEFAULT_SCHEDULER_NAME;
    const pods = this.opts.client.resource<Pod>('v1', 'pods');
    try {
      const body = {
        apiVersion: 'v1',
        kind: 'Binding',
        metadata: { name: pod.metadata.name, namespace: pod.metadata.namespace, uid: pod.metadata.uid },
        target: { apiVersion: 'v1', kind: 'Node', name: host },
      };
      try {
        await this.bindLimiter.run(() => this.opts.client.rest.request('POST', pods.path(pod.metadata.namespace, pod.metadata.name, 'binding'), { body }));
      } finally {
        this.eventWriter.kick();
      }
    } catch (err) {
      this.log(`failed to bind pod=${podName(pod)} node=${host}: ${(err as Error)?.message ?? String(err)}`);
      await this.runUnreserve(profile, state, pod, host);
      this.schedulerCache.forget(pod);
      // The resources it held in the cache are free again.
      this.queue.moveAllToActiveOrBackoffQueue('AssignedPodDelete');
      this.opts.metrics?.observeAttempt('error', profileName, (performance.now() - start) / 1000);
      if (!isStatus(err, 404)) await this.handleSchedulingFailure(info, err as Error, cycle, false);
      return;
    }
    this.schedulerCache.finishBinding(pod);
    const seconds = (performance.now() - start) / 1000;
    this.opts.metrics?.observeAttempt('scheduled', profileName, seconds);
    this.opts.metrics?.e2eSchedulingDuration.observe(
      { result: 'scheduled', profile: profileName },
      (Date.now() - (info.initialAttemptTimestamp ?? Date.now())) / 1000 + seconds,
    );
    this.logV(`successfully bound pod=${podName(pod)} node=${host}`);
    if (this.opts.recordScheduledEvents ?? true) {
      this.recordEvent(profile, pod, 'Normal', 'Scheduled', `Successfully assigned ${podName(pod)} to ${host}`);
    }
  }

  /**
   * Upstream handleSchedulingFailure: requeue (unless the pod is gone or bound), record a
   * FailedScheduling event, and set PodScheduled=False with the reason and message.
   */
  private async handleSchedulingFailure(info: QueuedPodInfo, err: Error, cycle: number, unschedulable: boolean): Promise<void> {
    const pod = info.pod;
    const current = this.podInformer.lister.get(pod.metadata.namespace ?? '', pod.metadata.name ?? '');
    if (!current || current.metadata.uid !== pod.metadata.uid || current.spec?.nodeName) {
      this.queue.done(pod);
      return;
    }
    this.queue.addUnschedulableIfNotPresent(info, cycle, unschedulable);
    const reason = err instanceof FitError ? 'Unschedulable' : 'SchedulerError';
    const message = err.message;
    const note = message.length > NOTE_LENGTH_LIMIT ? message.slice(0, NOTE_LENGTH_LIMIT - 3) + '...' : message;
    this.recordEvent(this.profileFor(current), current, 'Warning', 'FailedScheduling', note);
    await this.updatePodScheduledCondition(current, reason, message);
  }

  /** PUT pods/<name>/status with PodScheduled=False, only when the condition changes. */
  private async updatePodScheduledCondition(pod: Pod, reason: string, message: string): Promise<void> {
    const conditions: PodCondition[] = pod.status?.conditions ?? [];
    const old = conditions.find((c) => c.type === 'PodScheduled');
    if (old && old.status === 'False' && old.reason === reason && old.message === message) return;
    const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    const cond: PodCondition = {
      type: 'PodScheduled',
      status: 'False',
      reason,
      message,
      lastProbeTime: null,
      lastTransitionTime: old && old.status === 'False' ? old.lastTransitionTime : now,
    };
    // The body carries a null time, which the Pod type cannot express: write it as a plain object.
    const next: KubeObject = {
      ...pod,
      apiVersion: 'v1',
      kind: 'Pod',
      status: { ...pod.status, conditions: old ? conditions.map((c) => (c === old ? cond : c)) : [...conditions, cond] },
    };
    try {
      await this.opts.client.resource('v1', 'pods').namespace(pod.metadata.namespace).updateStatus(next);
    } catch (e) {
      // A conflict means the pod changed; the next attempt writes the condition again.
      if (!isStatus(e, 409) && !isStatus(e, 404))
        this.log(`failed to update PodScheduled condition pod=${podName(pod)}: ${(e as Error)?.message ?? String(e)}`);
    }
  }

  /** Nodes known to the cache (for tests and debugging). */
  nodeInfos(): NodeInfo[] {
    return this.schedulerCache.snapshot();
  }
}
