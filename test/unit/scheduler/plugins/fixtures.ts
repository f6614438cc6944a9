// Builders shared by the scheduler plugin unit tests.
import type { Container, Node, Pod, PodSpec, Taint } from '../../../../api/core/v1/types.js';
import { CycleState } from '../../../../pkg/scheduler/framework/types.js';
import type { ClusterLister, NodeInfo, Profile, Status } from '../../../../pkg/scheduler/framework/types.js';
import type { KubeObject } from '../../../../api/meta/v1/types.js';
import { newNodeInfo } from '../../../../pkg/scheduler/plugins/helper/nodeinfo.js';

export function makeNode(
  name: string,
  opts: {
    cpu?: string;
    memory?: string;
    pods?: string;
    labels?: Record<string, string>;
    taints?: Taint[];
    unschedulable?: boolean;
    extra?: Record<string, string>;
    images?: Array<{ names: string[]; sizeBytes: number }>;
  } = {},
): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...(opts.labels ?? {}) } },
    spec: { unschedulable: opts.unschedulable, taints: opts.taints },
    status: {
      allocatable: { cpu: opts.cpu ?? '4', memory: opts.memory ?? '8Gi', pods: opts.pods ?? '110', 'ephemeral-storage': '100Gi', ...(opts.extra ?? {}) },
      images: opts.images,
    },
  };
}

let uid = 0;
export function makePod(
  name: string,
  opts: {
    ns?: string;
    cpu?: string;
    memory?: string;
    labels?: Record<string, string>;
    nodeName?: string;
    priority?: number;
    spec?: Partial<PodSpec>;
    containers?: Container[];
    startTime?: string;
  } = {},
): Pod {
  const requests: Record<string, string> = {};
  if (opts.cpu) requests.cpu = opts.cpu;
  if (opts.memory) requests.memory = opts.memory;
  const pod: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: opts.ns ?? 'default', uid: `uid-${name}-${++uid}`, labels: opts.labels },
    spec: {
      containers: opts.containers ?? [{ name: 'c', image: 'nginx', resources: { requests } }],
      nodeName: opts.nodeName,
      priority: opts.priority,
      ...(opts.spec ?? {}),
    },
  };
  if (opts.startTime) pod.status = { startTime: opts.startTime };
  return pod;
}

export function nodeInfo(node: Node, pods: Pod[] = []): NodeInfo {
  return newNodeInfo(
    node,
    pods.map((p) => ({ ...p, spec: { ...p.spec, nodeName: node.metadata.name } })),
  );
}

/** A ClusterLister over fixed NodeInfos and objects keyed "apiVersion/plural/namespace/name". */
export class FakeLister implements ClusterLister {
  readonly objects = new Map<string, KubeObject>();
  constructor(public infos: NodeInfo[] = []) {}
  nodes(): NodeInfo[] {
    return this.infos;
  }
  nodeInfo(name: string): NodeInfo | undefined {
    return this.infos.find((n) => n.node.metadata.name === name);
  }
  add(apiVersion: string, plural: string, obj: KubeObject): this {
    this.objects.set(`${apiVersion}/${plural}/${obj.metadata.namespace ?? ''}/${obj.metadata.name}`, obj);
    return this;
  }
  get(apiVersion: string, plural: string, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.objects.get(`${apiVersion}/${plural}/${namespace ?? ''}/${name}`);
  }
  list(apiVersion: string, plural: string, namespace?: string): KubeObject[] {
    const prefix = `${apiVersion}/${plural}/`;
    return [...this.objects.entries()]
      .filter(([k, o]) => k.startsWith(prefix) && (namespace === undefined || o.metadata.namespace === namespace))
      .map(([, o]) => o);
  }
}

/** Runs a profile's prefilter + filter over nodes, like scheduleOne's findNodesThatFitPod. */
export function runFilters(profile: Profile, pod: Pod, nodes: NodeInfo[]): { state: CycleState; statuses: Map<string, Status>; feasible: NodeInfo[] } {
  const state = new CycleState();
  const statuses = new Map<string, Status>();
  for (const p of profile.preFilter) {
    const r = p.preFilter(state, pod, nodes);
    if (r.status.code !== 0 && r.status.code !== 5) {
      for (const n of nodes) statuses.set(n.node.metadata.name ?? '', r.status);
      return { state, statuses, feasible: [] };
    }
  }
  const feasible: NodeInfo[] = [];
  for (const n of nodes) {
    let ok = true;
    for (const f of profile.filter) {
      const s = f.filter(state, pod, n);
      if (s.code !== 0) {
        statuses.set(n.node.metadata.name ?? '', s);
        ok = false;
        break;
      }
    }
    if (ok) feasible.push(n);
  }
  return { state, statuses, feasible };
}

/** Runs preScore + score + normalize + weights over feasible nodes; returns total per node. */
export function runScores(profile: Profile, state: CycleState, pod: Pod, nodes: NodeInfo[]): Map<string, number> {
  for (const p of profile.preScore) p.preScore(state, pod, nodes);
  const total = new Map<string, number>(nodes.map((n) => [n.node.metadata.name ?? '', 0]));
  for (const s of profile.score) {
    const m = new Map<string, number>();
    for (const n of nodes) m.set(n.node.metadata.name ?? '', s.score(state, pod, n));
    s.normalizeScores?.(state, pod, m);
    for (const [k, v] of m) total.set(k, total.get(k)! + v * s.weight);
  }
  return total;
}

/** Scores nodes with one plugin (preScore, score, normalize), without weight. */
export function scoreWith(
  plugin: {
    preScore?: (s: CycleState, p: Pod, n: NodeInfo[]) => Status;
    score: (s: CycleState, p: Pod, n: NodeInfo) => number;
    normalizeScores?: (s: CycleState, p: Pod, m: Map<string, number>) => void;
  },
  pod: Pod,
  nodes: NodeInfo[],
  state = new CycleState(),
): Map<string, number> {
  plugin.preScore?.(state, pod, nodes);
  const m = new Map<string, number>();
  for (const n of nodes) m.set(n.node.metadata.name ?? '', plugin.score(state, pod, n));
  plugin.normalizeScores?.(state, pod, m);
  return m;
}
