// kube-scheduler's internal/cache: one NodeInfo per node, summing the requests of
// the pods bound to it and of the pods the scheduler has *assumed* there (decided,
// binding in flight, not yet seen by the pod informer). Assuming is what lets the
// next pod be scheduled while the previous binding is still on the wire without
// double-booking the node.
import type { Node, Pod, PodAffinity, PodAntiAffinity } from '../../api/core/v1/types.js';
import { podHostPorts } from './plugins/helper/nodeinfo.js';
import { nonZeroRequests, podRequests, resourceListFrom } from './plugins/helper/resources.js';
import type { NodeInfo, ResourceList } from './framework/types.js';

/** How long an assumed pod whose binding finished may stay unconfirmed by the informer (upstream durationToExpireAssumedPod: 30 s when set). */
export const ASSUMED_POD_TTL_MS = 30_000;

function sameResources(a: ResourceList, b: ResourceList): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) if (a[k] !== b[k]) return false;
  return true;
}

function addInto(dst: ResourceList, src: ResourceList): void {
  for (const [k, v] of Object.entries(src)) dst[k] = (dst[k] ?? 0) + v;
}

function subtractFrom(dst: ResourceList, src: ResourceList): void {
  for (const [k, v] of Object.entries(src)) dst[k] = (dst[k] ?? 0) - v;
}

/** The cache's key for a pod: its UID (a recreated pod with the same name is another pod). */
export function podKey(pod: Pod): string {
  return pod.metadata.uid ?? `${pod.metadata.namespace ?? ''}/${pod.metadata.name ?? ''}`;
}

function termCount(a: PodAffinity | PodAntiAffinity | undefined): number {
  return (a?.requiredDuringSchedulingIgnoredDuringExecution?.length ?? 0) + (a?.preferredDuringSchedulingIgnoredDuringExecution?.length ?? 0);
}

/** Whether the pod has any pod affinity or anti-affinity term (upstream PodInfo with affinity). */
export function podHasAffinityTerms(pod: Pod): boolean {
  const a = pod.spec?.affinity;
  return termCount(a?.podAffinity) + termCount(a?.podAntiAffinity) > 0;
}

/** Whether the pod has a required anti-affinity term. */
export function podHasRequiredAntiAffinity(pod: Pod): boolean {
  return (pod.spec?.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.length ?? 0) > 0;
}

/** NodeInfos holding at least one pod of a kind, counted per node, listed on demand. */
class NodeCounter {
  private readonly counts = new Map<NodeInfo, number>();
  private list?: NodeInfo[];

  add(info: NodeInfo, delta: number): void {
    const n = (this.counts.get(info) ?? 0) + delta;
    if (n > 0) {
      if (!this.counts.has(info)) this.list = undefined;
      this.counts.set(info, n);
    } else if (this.counts.delete(info)) this.list = undefined;
  }

  forget(info: NodeInfo): void {
    if (this.counts.delete(info)) this.list = undefined;
  }

  invalidate(): void {
    this.list = undefined;
  }

  /** The nodes, skipping entries whose Node object is gone. */
  nodes(): NodeInfo[] {
    this.list ??= [...this.counts.keys()].filter((n) => n.node);
    return this.list;
  }
}

function emptyNodeInfo(node: Node | undefined): NodeInfo & { node: Node | undefined } {
  return {
    node: node as Node,
    pods: [],
    requested: {},
    nonZeroRequested: { cpu: 0, memory: 0 },
    allocatable: resourceListFrom(node?.status?.allocatable),
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
  private readonly withAffinity = new NodeCounter();
  /** Image name -> nodes whose status.images list it (each node counted once per name). */
  private readonly imageNodes = new Map<string, number>();
  private readonly withRequiredAntiAffinity = new NodeCounter();

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
    this.countImages(node, 1);
    this.invalidateLists();
  }

  private countImages(node: Node | undefined, delta: number): void {
    const images = node?.status?.images;
    if (!images?.length) return;
    const names = new Set<string>();
    for (const img of images) for (const n of img.names ?? []) names.add(n);
    for (const n of names) {
      const c = (this.imageNodes.get(n) ?? 0) + delta;
      if (c > 0) this.imageNodes.set(n, c);
      else this.imageNodes.delete(n);
    }
  }

  /** On how many nodes the image is present. */
  imageNumNodes(image: string): number {
    return this.imageNodes.get(image) ?? 0;
  }

  private invalidateLists(): void {
    this.snapshotList = undefined;
    this.withAffinity.invalidate();
    this.withRequiredAntiAffinity.invalidate();
  }

  updateNode(_old: Node, node: Node): void {
    this.addNode(node);
  }

  removeNode(node: Node): void {
    const name = node.metadata.name ?? '';
    const info = this.nodes.get(name);
    if (!info) return;
    this.invalidateLists();
    this.countImages(info.node, -1);
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
    if (info.node !== node) {
      this.countImages(info.node, -1);
      this.countImages(node, 1);
    }
    info.node = node;
    info.allocatable = resourceListFrom(node.status?.allocatable);
    info.generation++;
    if (wasMissing) this.invalidateLists();
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
    if (st && st.nodeName === nodeName && this.replacePodOnNode(st.pod, pod, nodeName)) {
      // The usual case: the informer confirms an assumed pod where it was assumed.
      this.pods.set(key, { pod, nodeName, assumed: false, bindingFinished: true });
      return;
    }
    if (st) {
      this.removePodFromNode(st.pod, st.nodeName);
    }
    this.pods.set(key, { pod, nodeName, assumed: false, bindingFinished: true });
    this.addPodToNode(pod, nodeName);
  }

  /**
   * Swaps the node's copy of a pod for a newer object in place when nothing the sums
   * count changed (requests, host ports, affinity), so confirming a binding does not
   * rebuild the node. False when a full remove + add is needed.
   */
  private replacePodOnNode(old: Pod, pod: Pod, nodeName: string): boolean {
    const info = this.nodes.get(nodeName);
    if (!info) return false;
    const key = podKey(old);
    const i = info.pods.findIndex((p) => podKey(p) === key);
    if (i < 0) return false;
    if (!sameResources(podRequests(old), podRequests(pod)) || !sameResources(nonZeroRequests(old), nonZeroRequests(pod))) return false;
    if (podHostPorts(old).join() !== podHostPorts(pod).join()) return false;
    if (podHasAffinityTerms(old) !== podHasAffinityTerms(pod) || podHasRequiredAntiAffinity(old) !== podHasRequiredAntiAffinity(pod)) return false;
    info.pods[i] = pod;
    info.generation++;
    return true;
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
    addInto((info.nonZeroRequested ??= {}), nonZeroRequests(pod));
    for (const p of podHostPorts(pod)) info.usedPorts.add(p);
    if (podHasAffinityTerms(pod)) this.withAffinity.add(info, 1);
    if (podHasRequiredAntiAffinity(pod)) this.withRequiredAntiAffinity.add(info, 1);
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
    subtractFrom((info.nonZeroRequested ??= {}), nonZeroRequests(old));
    // Ports are a set: rebuild from the remaining pods so a port shared by two pods is not lost.
    if (info.usedPorts.size) info.usedPorts = new Set(info.pods.flatMap(podHostPorts));
    if (podHasAffinityTerms(old)) this.withAffinity.add(info, -1);
    if (podHasRequiredAntiAffinity(old)) this.withRequiredAntiAffinity.add(info, -1);
    info.generation++;
    if (!info.node && info.pods.length === 0) {
      this.nodes.delete(nodeName);
      this.withAffinity.forget(info);
      this.withRequiredAntiAffinity.forget(info);
    }
  }

  // Reads

  /** The NodeInfo of every known node, in a stable order. The objects are live: read them within one synchronous stretch and never mutate them. */
  snapshot(): NodeInfo[] {
    if (!this.snapshotList) this.snapshotList = [...this.nodes.values()].filter((n) => n.node);
    return this.snapshotList;
  }

  /** Nodes with pods that have pod (anti-)affinity terms; same liveness rules as snapshot(). */
  havePodsWithAffinity(): NodeInfo[] {
    return this.withAffinity.nodes();
  }

  /** Nodes with pods that have required anti-affinity terms. */
  havePodsWithRequiredAntiAffinity(): NodeInfo[] {
    return this.withRequiredAntiAffinity.nodes();
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
