// The web view's model: what the page draws, computed from API objects alone.
// Nodes are columns (conditions, allocatable against requested CPU and memory);
// pods are cards (phase and readiness as one colour, restarts, usage from the
// metrics API); pods the scheduler has not placed sit in a column of their own
// with its reason. Pure functions, so the page's content is tested without a
// cluster. The types at the end are what the server sends the page
// (web/dashboard imports them; this file imports types and pure helpers only).
import type { Container, Node, Pod } from '../../api/core/v1/types.js';
import type { PodMetrics } from '../../api/metrics/v1beta1/types.js';
import { parseQuantity } from '../../api/resource/quantity.js';

/** How a card is coloured: one word the stylesheet keys on. */
export type CardState = 'ready' | 'not-ready' | 'pending' | 'succeeded' | 'failed' | 'terminating' | 'unknown';

export interface Usage {
  /** Millicores. */
  cpu: number;
  /** Bytes. */
  memory: number;
}

export interface PodCard {
  /** namespace/name */
  key: string;
  namespace: string;
  name: string;
  uid: string;
  /** The node it is bound to; '' while unscheduled (the pending column). */
  node: string;
  phase: string;
  ready: boolean;
  state: CardState;
  /** A container's waiting or terminated reason worth showing (CrashLoopBackOff, ErrImagePull, ...). */
  reason: string;
  /** Why the scheduler has not placed it: the PodScheduled condition's reason and message. */
  schedulingMessage: string;
  restarts: number;
  containers: string[];
  labels: Record<string, string>;
  /** The controlling owner, e.g. "ReplicaSet/web-5d8f7" ('' for a bare pod). */
  owner: string;
  usage: Usage | null;
  /** Requests summed as the scheduler sums them. */
  requests: Usage;
}

export interface NodeCondition {
  type: string;
  status: string;
  reason: string;
  message: string;
}

export interface NodeColumn {
  name: string;
  ready: boolean;
  unschedulable: boolean;
  /** Every condition, in the order the kubelet reports them. */
  conditions: NodeCondition[];
  /** Conditions that are bad news: Ready not True, or a pressure condition True. */
  problems: string[];
  allocatable: Usage;
  /** Requests of the pods bound to it that still hold resources. */
  requested: Usage;
  podCount: number;
  labels: Record<string, string>;
}

function dict(src: Record<string, string> | undefined): Record<string, string> {
  const out = Object.create(null) as Record<string, string>;
  for (const [k, v] of Object.entries(src ?? {})) out[k] = v;
  return out;
}

/** CPU quantity → millicores (rounded up, as the scheduler counts milli-units). */
export function milliCPU(q: unknown): number {
  const v = parseQuantity(q);
  return v === undefined ? 0 : Math.ceil(v * 1000 - 1e-9);
}

/** Memory quantity → bytes. */
export function bytes(q: unknown): number {
  const v = parseQuantity(q);
  return v === undefined ? 0 : Math.ceil(v);
}

function containerRequests(c: Container): Usage {
  const r = c.resources?.requests as Record<string, unknown> | undefined;
  return { cpu: milliCPU(r?.cpu), memory: bytes(r?.memory) };
}

/**
 * A pod's requests as the scheduler's NodeResourcesFit counts them: the sum of its
 * containers (restartable init containers, i.e. sidecars, included), at least the
 * largest plain init container plus the sidecars before it, plus the pod overhead.
 */
export function podRequests(pod: Pod): Usage {
  const sum: Usage = { cpu: 0, memory: 0 };
  for (const c of pod.spec?.containers ?? []) {
    const r = containerRequests(c);
    sum.cpu += r.cpu;
    sum.memory += r.memory;
  }
  const sidecars: Usage = { cpu: 0, memory: 0 };
  const initMax: Usage = { cpu: 0, memory: 0 };
  for (const c of pod.spec?.initContainers ?? []) {
    const r = containerRequests(c);
    if (c.restartPolicy === 'Always') {
      sidecars.cpu += r.cpu;
      sidecars.memory += r.memory;
      sum.cpu += r.cpu;
      sum.memory += r.memory;
    } else {
      initMax.cpu = Math.max(initMax.cpu, sidecars.cpu + r.cpu);
      initMax.memory = Math.max(initMax.memory, sidecars.memory + r.memory);
    }
  }
  const overhead = pod.spec?.overhead as Record<string, unknown> | undefined;
  return {
    cpu: Math.max(sum.cpu, initMax.cpu) + milliCPU(overhead?.cpu),
    memory: Math.max(sum.memory, initMax.memory) + bytes(overhead?.memory),
  };
}

/** Pods in a terminal phase hold nothing on their node (the scheduler's cache drops them too). */
export function holdsResources(pod: Pod): boolean {
  return pod.status?.phase !== 'Succeeded' && pod.status?.phase !== 'Failed';
}

function podReady(pod: Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** The reason a container is held up or died, the one `kubectl get pods` shows in STATUS. */
function containerReason(pod: Pod): string {
  for (const s of [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])]) {
    const waiting = s.state?.waiting?.reason;
    if (waiting && waiting !== 'PodInitializing' && waiting !== 'ContainerCreating') return waiting;
    const terminated = s.state?.terminated?.reason;
    if (terminated && terminated !== 'Completed') return terminated;
  }
  return pod.status?.reason ?? '';
}

function cardState(pod: Pod, ready: boolean): CardState {
  if (pod.metadata.deletionTimestamp) return 'terminating';
  switch (pod.status?.phase) {
    case 'Running':
      return ready ? 'ready' : 'not-ready';
    case 'Succeeded':
      return 'succeeded';
    case 'Failed':
      return 'failed';
    case 'Pending':
    case undefined:
      return 'pending';
    default:
      return 'unknown';
  }
}

/** The pod's usage from its PodMetrics: the containers' CPU (millicores) and memory summed. */
export function usageOf(m: PodMetrics | undefined): Usage | null {
  if (!m) return null;
  const u: Usage = { cpu: 0, memory: 0 };
  for (const c of m.containers ?? []) {
    const usage = c.usage as Record<string, unknown> | undefined;
    u.cpu += milliCPU(usage?.cpu);
    u.memory += bytes(usage?.memory);
  }
  return u;
}

export function podKey(pod: { metadata: { namespace?: string; name?: string } }): string {
  return `${pod.metadata.namespace ?? ''}/${pod.metadata.name ?? ''}`;
}

export function podCard(pod: Pod, usage: Usage | null = null): PodCard {
  const ready = podReady(pod);
  const scheduled = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
  const controller = pod.metadata.ownerReferences?.find((o) => o.controller) ?? pod.metadata.ownerReferences?.[0];
  const schedulingMessage = !pod.spec?.nodeName && scheduled?.status === 'False' ? [scheduled.reason, scheduled.message].filter(Boolean).join(': ') : '';
  return {
    key: podKey(pod),
    namespace: pod.metadata.namespace ?? '',
    name: pod.metadata.name ?? '',
    uid: pod.metadata.uid ?? '',
    node: pod.spec?.nodeName ?? '',
    phase: pod.status?.phase ?? 'Pending',
    ready,
    state: cardState(pod, ready),
    reason: containerReason(pod),
    schedulingMessage,
    restarts: (pod.status?.containerStatuses ?? []).reduce((n, s) => n + (s.restartCount ?? 0), 0),
    containers: (pod.spec?.containers ?? []).map((c) => c.name),
    labels: dict(pod.metadata.labels),
    owner: controller ? `${controller.kind}/${controller.name}` : '',
    usage,
    requests: podRequests(pod),
  };
}

const PRESSURE = new Set(['MemoryPressure', 'DiskPressure', 'PIDPressure', 'NetworkUnavailable']);

/** A node's column; `pods` are the pods bound to it (the ones in a terminal phase are left out of requested). */
export function nodeColumn(node: Node, pods: Iterable<Pod>): NodeColumn {
  const conditions: NodeCondition[] = (node.status?.conditions ?? []).map((c) => ({
    type: c.type,
    status: c.status,
    reason: c.reason ?? '',
    message: c.message ?? '',
  }));
  const ready = conditions.some((c) => c.type === 'Ready' && c.status === 'True');
  const problems = conditions.filter((c) => (c.type === 'Ready' ? c.status !== 'True' : PRESSURE.has(c.type) && c.status === 'True')).map((c) => c.type);
  const requested: Usage = { cpu: 0, memory: 0 };
  let podCount = 0;
  for (const pod of pods) {
    if (!holdsResources(pod)) continue;
    podCount++;
    const r = podRequests(pod);
    requested.cpu += r.cpu;
    requested.memory += r.memory;
  }
  const alloc = node.status?.allocatable as Record<string, unknown> | undefined;
  return {
    name: node.metadata.name ?? '',
    ready,
    unschedulable: node.spec?.unschedulable === true,
    conditions,
    problems,
    allocatable: { cpu: milliCPU(alloc?.cpu), memory: bytes(alloc?.memory) },
    requested,
    podCount,
    labels: dict(node.metadata.labels),
  };
}

/** The whole page: every node column (by name) and every pod card (by namespace and name). */
export interface ClusterView {
  nodes: NodeColumn[];
  pods: PodCard[];
}

export function clusterView(nodes: Node[], pods: Pod[], metrics: Map<string, Usage> = new Map()): ClusterView {
  const byNode = new Map<string, Pod[]>();
  for (const p of pods) {
    const n = p.spec?.nodeName;
    if (n) byNode.set(n, [...(byNode.get(n) ?? []), p]);
  }
  return {
    nodes: nodes.map((n) => nodeColumn(n, byNode.get(n.metadata.name ?? '') ?? [])).sort((a, b) => a.name.localeCompare(b.name)),
    pods: pods.map((p) => podCard(p, metrics.get(podKey(p)) ?? null)).sort((a, b) => a.key.localeCompare(b.key)),
  };
}

/** One change on the cluster stream (the `changes` event carries a list of them). */
export type Change =
  | { type: 'pod'; card: PodCard }
  | { type: 'pod-delete'; key: string; namespace: string }
  | { type: 'node'; column: NodeColumn }
  | { type: 'node-delete'; name: string };

/** One link of a pod's owner chain. */
export interface OwnerLink {
  kind: string;
  name: string;
  /** False when the owner could not be read (gone, or a kind the chain does not follow). */
  found: boolean;
}

/** One of a pod's events, as the detail panel lists it. */
export interface EventLine {
  type: string;
  reason: string;
  message: string;
  count: number;
  /** The last time it happened (RFC 3339). */
  time: string;
  source: string;
}
