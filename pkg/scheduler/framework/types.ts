// The scheduling framework's shapes, after kube-scheduler's framework package:
// small plugin interfaces (PreFilter, Filter, PostFilter, PreScore, Score, Reserve,
// Bind) over a snapshot of NodeInfos. Plugins live in pkg/scheduler/plugins/<name>.
import type { Node, Pod } from '../../../api/core/v1/types.js';
import type { KubeObject } from '../../../api/meta/v1/types.js';

/** Resource amounts in the units the scheduler counts: milli-CPU, bytes, pod count, and any extended resource as an integer. */
export type ResourceList = Record<string, number>;

/** What the scheduler knows about one node: the node, the pods on it (bound or assumed) and their sums. */
export interface NodeInfo {
  node: Node;
  pods: Pod[];
  /** Sum of the pods' effective requests (cpu in millicores, memory/ephemeral-storage in bytes, pods count). */
  requested: ResourceList;
  allocatable: ResourceList;
  /** host ports in use: "protocol/hostIP/port". */
  usedPorts: Set<string>;
  /** Incremented on every change; lets plugins cache per-node work. */
  generation: number;
  /** Sum of the pods' requests with upstream's non-zero defaults (100m cpu, 200Mi memory per container without a request); what LeastAllocated/BalancedAllocation score. Set by the scheduler cache. */
  nonZeroRequested?: ResourceList;
}

export enum Code {
  Success = 0,
  Error = 1,
  Unschedulable = 2,
  /** Unschedulable, and preemption cannot help on this node (e.g. node selector mismatch). */
  UnschedulableAndUnresolvable = 3,
  Wait = 4,
  Skip = 5,
}

export interface Status {
  code: Code;
  /** Reasons as Kubernetes words them; FailedScheduling events count them per node, e.g. "Insufficient cpu". */
  reasons: string[];
  plugin?: string;
}

export const SUCCESS: Status = { code: Code.Success, reasons: [] };
/** A PreFilter/PreScore answer meaning "nothing to do for this pod": the plugin's Filter/Score is not run this cycle. */
export const SKIP: Status = { code: Code.Skip, reasons: [] };
export function unschedulable(...reasons: string[]): Status {
  return { code: Code.Unschedulable, reasons };
}
export function unresolvable(...reasons: string[]): Status {
  return { code: Code.UnschedulableAndUnresolvable, reasons };
}

/** Per-scheduling-cycle scratch space, keyed by plugin name. */
export class CycleState {
  private readonly data = new Map<string, unknown>();
  read<T>(key: string): T | undefined {
    return this.data.get(key) as T | undefined;
  }
  write(key: string, value: unknown): void {
    this.data.set(key, value);
  }
}

export interface Plugin {
  readonly name: string;
}

export interface PreFilterPlugin extends Plugin {
  /** Computes what Filter needs once per pod; may narrow the candidate nodes (returns node names) or reject the pod. */
  preFilter(state: CycleState, pod: Pod, nodes: NodeInfo[]): { status: Status; nodeNames?: Set<string> };
}

export interface FilterPlugin extends Plugin {
  filter(state: CycleState, pod: Pod, nodeInfo: NodeInfo): Status;
}

export interface PostFilterPlugin extends Plugin {
  /** Runs when no node fits (preemption): may nominate a node after making room. */
  postFilter(state: CycleState, pod: Pod, filteredStatuses: Map<string, Status>): Promise<{ status: Status; nominatedNodeName?: string }>;
}

export interface PreScorePlugin extends Plugin {
  preScore(state: CycleState, pod: Pod, nodes: NodeInfo[]): Status;
}

export const MAX_NODE_SCORE = 100;

export interface ScorePlugin extends Plugin {
  score(state: CycleState, pod: Pod, nodeInfo: NodeInfo): number;
  /** Maps raw scores onto 0..MAX_NODE_SCORE in place, when the plugin's raw scores are not already there. */
  normalizeScores?(state: CycleState, pod: Pod, scores: Map<string, number>): void;
  /** The plugin's weight in the sum (kube-scheduler's default profile weights). */
  readonly weight: number;
}

export interface ReservePlugin extends Plugin {
  reserve(state: CycleState, pod: Pod, nodeName: string): Promise<Status>;
  unreserve(state: CycleState, pod: Pod, nodeName: string): Promise<void>;
}

/** Read access to the rest of the cluster that some plugins need (pods everywhere, PVCs, PVs, priority classes). */
export interface ClusterLister {
  nodes(): NodeInfo[];
  nodeInfo(name: string): NodeInfo | undefined;
  /** Nodes with at least one pod that has pod affinity or anti-affinity terms (upstream HavePodsWithAffinityList); scanned from nodes() when absent. */
  havePodsWithAffinity?(): NodeInfo[];
  /** Nodes with at least one pod that has required anti-affinity terms (upstream HavePodsWithRequiredAntiAffinityList). */
  havePodsWithRequiredAntiAffinity?(): NodeInfo[];
  /** On how many nodes an image (by any of its names) is present (upstream ImageStateSummary.NumNodes); counted from nodes() when absent. */
  imageNumNodes?(image: string): number;
  get(apiVersion: string, plural: string, namespace: string | undefined, name: string): KubeObject | undefined;
  list(apiVersion: string, plural: string, namespace?: string): KubeObject[];
}

export interface Profile {
  schedulerName: string;
  /** Overrides the scheduler's percentageOfNodesToScore for this profile's pods. */
  percentageOfNodesToScore?: number;
  preFilter: PreFilterPlugin[];
  filter: FilterPlugin[];
  postFilter: PostFilterPlugin[];
  preScore: PreScorePlugin[];
  score: ScorePlugin[];
  reserve: ReservePlugin[];
}
