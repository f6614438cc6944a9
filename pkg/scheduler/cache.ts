// kube-scheduler's internal/cache: one NodeInfo per node, summing the requests of
// the pods bound to it and of the pods the scheduler has *assumed* there (decided,
// binding in flight, not yet seen by the pod informer). Assuming is what lets the
// next pod be scheduled while the previous binding is still on the wire without
// double-booking the node.
import { parseQuantity } from '../registry/validation/quantity.js';
import type { Container, Node, NodeInfo, Pod, ResourceList } from './framework/types.js';

/** Upstream's defaults for containers without a request, used only for scoring (pkg/scheduler/util DefaultMilliCPURequest/DefaultMemoryRequest). */
export const DEFAULT_MILLI_CPU_REQUEST = 100;
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

/** How long an assumed pod whose binding finished may stay unconfirmed by the informer (upstream durationToExpireAssumedPod: 30 s when set). */
export const ASSUMED_POD_TTL_MS = 30_000;

/** A quantity in the scheduler's units: cpu in millicores (rounded up, as Quantity.MilliValue), everything else as an integer (rounded up). */
export function resourceAmount(resource: string, q: string | number | undefined): number {
  const v = parseQuantity(q);
  if (v === undefined || v <= 0) return 0;
  // Small epsilon so "0.1" * 1000 does not become 101 by float error.
  if (resource === 'cpu') return Math.ceil(v * 1000 - 1e-9);
  return Math.ceil(v - 1e-9);
}

/** Parses a ResourceList of quantity strings (allocatable, requests, overhead). */
export function parseResourceList(list: Record<string, string | number> | undefined): ResourceList {
  const out: ResourceList = {};
  for (const [k, v] of Object.entries(list ?? {})) out[k] = resourceAmount(k, v);
  return out;
}

function addInto(dst: ResourceList, src: ResourceList): void {
  for (const [k, v] of Object.entries(src)) dst[k] = (dst[k] ?? 0) + v;
}

function subtractFrom(dst: ResourceList, src: ResourceList): void {
  for (const [k, v] of Object.entries(src)) dst[k] = (dst[k] ?? 0) - v;
}

function maxInto(dst: ResourceList, src: ResourceList): void {
  for (const [k, v] of Object.entries(src)) if (v > (dst[k] ?? 0)) dst[k] = v;
}

type ContainerRequests = (c: Container) => ResourceList;

const plainRequests: ContainerRequests = (c) => parseResourceList(c.resources?.requests);
const nonZeroContainerRequests: ContainerRequests = (c) => {
  const r = parseResourceList(c.resources?.requests);
  if (!r.cpu) r.cpu = DEFAULT_MILLI_CPU_REQUEST;
  if (!r.memory) r.memory = DEFAULT_MEMORY_REQUEST;
  return r;
};

/**
 * Upstream's resource.PodRequests: the sum over containers (plus restartable "sidecar"
 * init containers, which keep running), max'd per resource with each regular init
 * container's request (plus the sidecars started before it), plus pod overhead.
 */
function computeRequests(pod: Pod, perContainer: ContainerRequests): ResourceList {
  const reqs: ResourceList = {};
  for (const c of pod.spec?.containers ?? []) addInto(reqs, perContainer(c));
  const sidecars: ResourceList = {};
  const initMax: ResourceList = {};
  for (const c of pod.spec?.initContainers ?? []) {
    const r = perContainer(c);
    if ((c as { restartPolicy?: string }).restartPolicy === 'Always') {
      addInto(reqs, r);
      addInto(sidecars, r);
      maxInto(initMax, { ...sidecars });
    } else {
      const effective = { ...r };
      addInto(effective, sidecars);
      maxInto(initMax, effective);
    }
  }
  maxInto(reqs, initMax);
  addInto(reqs, parseResourceList(pod.spec?.overhead));
  return reqs;
}

const requestsCache = new WeakMap<Pod, ResourceList>();
const nonZeroCache = new WeakMap<Pod, ResourceList>();

/** The pod's effective requests (cpu in millicores, bytes, extended resources as integers); a pod without requests counts 0. Do not mutate. */
export function podRequests(pod: Pod): ResourceList {
  let r = requestsCache.get(pod);
  if (!r) {
    r = computeRequests(pod, plainRequests);
    requestsCache.set(pod, r);
  }
  return r;
}

/** Requests with upstream's non-zero defaults for cpu (100m) and memory (200Mi) per container: what scorers compare, so empty pods still spread. Do not mutate. */
export function nonZeroRequests(pod: Pod): ResourceList {
  let r = nonZeroCache.get(pod);
  if (!r) {
    const all = computeRequests(pod, nonZeroContainerRequests);
    r = { cpu: all.cpu ?? 0, memory: all.memory ?? 0 };
    nonZeroCache.set(pod, r);
  }
  return r;
}

/** The cache's key for a pod: its UID (a recreated pod with the same name is another pod). */
export function podKey(pod: Pod): string {
  return pod.metadata.uid ?? `${pod.metadata.namespace ?? ''}/${pod.metadata.name ?? ''}`;
}

/** host ports a pod uses, as "protocol/hostIP/port" (hostIP defaults to 0.0.0.0, protocol to TCP). */
export function podHostPorts(pod: Pod): string[] {
  const out: string[] = [];
  for (const c of pod.spec?.containers ?? []) {
    for (const p of c.ports ?? []) {
      if (!p.hostPort || p.hostPort <= 0) continue;
      out.push(`${p.protocol || 'TCP'}/${p.hostIP || '0.0.0.0'}/${p.hostPort}`);
    }
  }
  return out;
}

function emptyNodeInfo(node: Node | undefined): NodeInfo & { node: Node | undefined } {
  return {
    node: node as Node,
    pods: [],
    requested: {},
    nonZeroRequested: { cpu: 0, memory: 0 },
    allocatable: parseResourceList(node?.status?.allocatable),
    usedPorts: new Set(),
    generation: 0,
  };
}

interface PodState {
  pod: Pod;
  nodeName: string;
  assumed: boolean;
  bindingFinished: boolean;
  /** When an assumed pod whose binding finished is given up on (ms since epoch). */
  deadline?: number;
}

export interface SchedulerCacheOptions {
  /** How long a finished-binding assumed pod may stay unconfirmed; 0 disables expiry. */
  ttlMs?: number;
  now?: () => number;
  log?: (msg: string) => void;
}

export class SchedulerCache {
  private readonly nodes = new Map<string, NodeInfo>();
  private readonly pods = new Map<string, PodState>();
  private readonly ttlMs: number;
  private readonly now: () => number;
  private snapshotList?: NodeInfo[];
  private cleanupTimer?: NodeJS.Timeout;

  constructor(private readonly opts: SchedulerCacheOptions = {}) {
    this.ttlMs = opts.ttlMs ?? ASSUMED_POD_TTL_MS;
    this.now = opts.now ?? Date.now;
  }

  /** Expires assumed pods periodically (upstream: every second). */
  run(periodMs = 1_000): void {
    if (this.cleanupTimer) return;
    this.cleanupTimer = setInterval(() => this.cleanupExpiredAssumedPods(), periodMs);
    this.cleanupTimer.unref();
  }

  stop(): void {
    if (this.cleanupTimer) clearInterval(this.cleanupTimer);
    this.cleanupTimer = undefined;
  }

  // Nodes

  addNode(node: Node): void {
    const name = node.metadata.name ?? '';
    const info = this.nodes.get(name);
    if (info) {
      this.setNode(info, node);
      return;
    }
    this.nodes.set(name, emptyNodeInfo(node));
    this.snapshotList = undefined;
  }

  updateNode(_old: Node, node: Node): void {
    this.addNode(node);
  }

  removeNode(node: Node): void {
    const name = node.metadata.name ?? '';
    const info = this.nodes.get(name);
    if (!info) return;
    this.snapshotList = undefined;
    // Pods still bound there stay accounted (their deletes will come); keep a node-less entry for them.
    if (info.pods.length > 0) {
      (info as { node: Node | undefined }).node = undefined;
      info.allocatable = {};
      info.generation++;
    } else {
      this.nodes.delete(name);
    }
  }

  private setNode(info: NodeInfo, node: Node): void {
    const wasMissing = !info.node;
    info.node = node;
    info.allocatable = parseResourceList(node.status?.allocatable);
    info.generation++;
    if (wasMissing) this.snapshotList = undefined;
  }

  // Pods

  /** The scheduler decided pod goes to nodeName: count it there now, before the binding is observed. */
  assume(pod: Pod, nodeName: string): void {
    const key = podKey(pod);
    if (this.pods.has(key)) throw new Error(`pod ${pod.metadata.namespace}/${pod.metadata.name} is already in the scheduler cache`);
    const bound: Pod = { ...pod, spec: { ...pod.spec, nodeName } };
    this.pods.set(key, { pod: bound, nodeName, assumed: true, bindingFinished: false });
    this.addPodToNode(bound, nodeName);
  }

  /** The binding call returned: start the clock after which an unconfirmed assumption expires. */
  finishBinding(pod: Pod): void {
    const st = this.pods.get(podKey(pod));
    if (!st || !st.assumed) return;
    st.bindingFinished = true;
    if (this.ttlMs > 0) st.deadline = this.now() + this.ttlMs;
  }

  /** The binding failed: undo the assumption. */
  forget(pod: Pod): void {
    const key = podKey(pod);
    const st = this.pods.get(key);
    if (!st || !st.assumed) return;
    this.removePodFromNode(st.pod, st.nodeName);
    this.pods.delete(key);
  }

  isAssumed(pod: Pod): boolean {
    return this.pods.get(podKey(pod))?.assumed ?? false;
  }

  /** A bound pod seen by the informer; confirms an assumption (moving it if the binding went elsewhere). */
  addPod(pod: Pod): void {
    const nodeName = pod.spec?.nodeName;
    if (!nodeName) return;
    const key = podKey(pod);
    const st = this.pods.get(key);
    if (st) {
      this.removePodFromNode(st.pod, st.nodeName);
    }
    this.pods.set(key, { pod, nodeName, assumed: false, bindingFinished: true });
    this.addPodToNode(pod, nodeName);
  }

  updatePod(_old: Pod, pod: Pod): void {
    this.addPod(pod);
  }

  removePod(pod: Pod): void {
    const key = podKey(pod);
    const st = this.pods.get(key);
    if (!st) return;
    this.removePodFromNode(st.pod, st.nodeName);
    this.pods.delete(key);
  }

  /** Drops assumed pods whose binding finished more than ttl ago and were never observed bound. */
  cleanupExpiredAssumedPods(): void {
    const now = this.now();
    for (const [key, st] of this.pods) {
      if (st.assumed && st.bindingFinished && st.deadline !== undefined && now >= st.deadline) {
        this.opts.log?.(`assumed pod expired pod=${st.pod.metadata.namespace}/${st.pod.metadata.name} node=${st.nodeName}`);
        this.removePodFromNode(st.pod, st.nodeName);
        this.pods.delete(key);
      }
    }
  }

  private addPodToNode(pod: Pod, nodeName: string): void {
    let info = this.nodes.get(nodeName);
    if (!info) {
      // The pod informer can be ahead of the node informer; keep the pod under a node-less entry.
      info = emptyNodeInfo(undefined);
      this.nodes.set(nodeName, info);
    }
    info.pods.push(pod);
    addInto(info.requested, podRequests(pod));
    info.requested.pods = (info.requested.pods ?? 0) + 1;
    addInto(info.nonZeroRequested ??= {}, nonZeroRequests(pod));
    for (const p of podHostPorts(pod)) info.usedPorts.add(p);
    info.generation++;
  }

  private removePodFromNode(pod: Pod, nodeName: string): void {
    const info = this.nodes.get(nodeName);
    if (!info) return;
    const key = podKey(pod);
    const i = info.pods.findIndex((p) => podKey(p) === key);
    if (i < 0) return;
    const [old] = info.pods.splice(i, 1);
    subtractFrom(info.requested, podRequests(old));
    info.requested.pods = (info.requested.pods ?? 0) - 1;
    subtractFrom(info.nonZeroRequested ??= {}, nonZeroRequests(old));
    // Ports are a set: rebuild from the remaining pods so a port shared by two pods is not lost.
    info.usedPorts = new Set(info.pods.flatMap(podHostPorts));
    info.generation++;
    if (!info.node && info.pods.length === 0) this.nodes.delete(nodeName);
  }

  // Reads

  /** The NodeInfo of every known node, in a stable order. The objects are live: read them within one synchronous stretch and never mutate them. */
  snapshot(): NodeInfo[] {
    if (!this.snapshotList) this.snapshotList = [...this.nodes.values()].filter((n) => n.node);
    return this.snapshotList;
  }

  nodeInfo(name: string): NodeInfo | undefined {
    const info = this.nodes.get(name);
    return info?.node ? info : undefined;
  }

  /** Counts for tests and debugging. */
  stats(): { nodes: number; pods: number; assumed: number } {
    let assumed = 0;
    for (const st of this.pods.values()) if (st.assumed) assumed++;
    return { nodes: this.snapshot().length, pods: this.pods.size, assumed };
  }
}
