// NodeResourcesFit: the pod's requests must fit in what the node has left
// (filter); with the default LeastAllocated strategy, emptier nodes score higher.
import { CycleState, MAX_NODE_SCORE, SUCCESS, unschedulable } from '../../framework/types.js';
import type { FilterPlugin, NodeInfo, Pod, PreFilterPlugin, PreScorePlugin, ResourceList, ScorePlugin, Status } from '../../framework/types.js';
import { isScalarResourceName, podRequests } from '../helper/resources.js';
import { DEFAULT_RESOURCES, podScoringRequest, requestedAndAllocatable } from './resource_allocation.js';
import type { ResourceSpec } from './resource_allocation.js';

export const NAME = 'NodeResourcesFit';
const PRE_FILTER_KEY = 'PreFilter' + NAME;
const PRE_SCORE_KEY = 'PreScore' + NAME;

export interface InsufficientResource { resourceName: string; reason: string; requested: number; used: number; capacity: number }

/** noderesources.fitsRequest: every resource the pod asks for that the node lacks, in upstream's order. */
export function fitsRequest(podRequest: ResourceList, nodeInfo: NodeInfo): InsufficientResource[] {
  const out: InsufficientResource[] = [];
  const allowedPods = nodeInfo.allocatable.pods ?? 0;
  if (nodeInfo.pods.length + 1 > allowedPods) {
    out.push({ resourceName: 'pods', reason: 'Too many pods', requested: 1, used: nodeInfo.pods.length, capacity: allowedPods });
  }
  const check = (name: string): void => {
    const want = podRequest[name] ?? 0;
    if (want <= 0) return;
    const alloc = nodeInfo.allocatable[name] ?? 0;
    const used = nodeInfo.requested[name] ?? 0;
    if (want > alloc - used) out.push({ resourceName: name, reason: `Insufficient ${name}`, requested: want, used, capacity: alloc });
  };
  check('cpu');
  check('memory');
  check('ephemeral-storage');
  for (const name of Object.keys(podRequest)) if (isScalarResourceName(name)) check(name);
  return out;
}

/** resource_allocation leastRequestedScore: the unrequested share of the node, 0..100. */
export function leastRequestedScore(requested: number, capacity: number): number {
  if (capacity === 0 || requested > capacity) return 0;
  return Math.trunc(((capacity - requested) * MAX_NODE_SCORE) / capacity);
}

export class NodeResourcesFit implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin {
  readonly name = NAME;
  readonly weight = 1;
  constructor(readonly resources: ResourceSpec[] = DEFAULT_RESOURCES) {}

  preFilter(state: CycleState, pod: Pod): { status: Status } {
    state.write(PRE_FILTER_KEY, podRequests(pod));
    return { status: SUCCESS };
  }

  filter(state: CycleState, pod: Pod, nodeInfo: NodeInfo): Status {
    const req = state.read<ResourceList>(PRE_FILTER_KEY) ?? podRequests(pod);
    const insufficient = fitsRequest(req, nodeInfo);
    if (insufficient.length === 0) return SUCCESS;
    return { ...unschedulable(...insufficient.map((i) => i.reason)), plugin: NAME };
  }

  preScore(state: CycleState, pod: Pod): Status {
    state.write(PRE_SCORE_KEY, podScoringRequest(pod, false));
    return SUCCESS;
  }

  /** LeastAllocated: weighted mean over cpu and memory of the share left free, counting non-zero requests. */
  score(state: CycleState, pod: Pod, nodeInfo: NodeInfo): number {
    const req = state.read<ResourceList>(PRE_SCORE_KEY) ?? podScoringRequest(pod, false);
    const { requested, allocatable } = requestedAndAllocatable(nodeInfo, req, this.resources, false);
    let nodeScore = 0;
    let weightSum = 0;
    for (let i = 0; i < requested.length; i++) {
      if (allocatable[i] === 0) continue;
      nodeScore += leastRequestedScore(requested[i], allocatable[i]) * this.resources[i].weight;
      weightSum += this.resources[i].weight;
    }
    return weightSum === 0 ? 0 : Math.trunc(nodeScore / weightSum);
  }
}
