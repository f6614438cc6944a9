// NodeResourcesFit: the pod's requests must fit in what the node has left
// (filter); with the default LeastAllocated strategy, emptier nodes score higher.
import type { Pod } from '../../../../api/core/v1/types.js';
import { CycleState, MAX_NODE_SCORE, SUCCESS, unschedulable } from '../../framework/types.js';
import type { FilterPlugin, NodeInfo, PreFilterPlugin, PreScorePlugin, ResourceList, ScorePlugin, Status } from '../../framework/types.js';
import { isScalarResourceName, podRequests } from '../helper/resources.js';
import { DEFAULT_RESOURCES, nonZeroRequested, podScoringRequest, requestedAndAllocatable } from './resource_allocation.js';
import { leastRequestedScore, scorerFor, type ScoringStrategy } from './scoring.js';
import type { ResourceSpec } from './resource_allocation.js';

export const NAME = 'NodeResourcesFit';
const PRE_FILTER_KEY = 'PreFilter' + NAME;
const PRE_SCORE_KEY = 'PreScore' + NAME;

export interface InsufficientResource {
  resourceName: string;
  reason: string;
  requested: number;
  used: number;
  capacity: number;
}

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

export { leastRequestedScore } from './scoring.js';

/** What Filter compares, computed once per cycle: the pod's requests and the scalar resources among them. */
interface PreFilterState {
  req: ResourceList;
  cpu: number;
  memory: number;
  ephemeral: number;
  scalars: string[];
}

/** NodeResourcesFitArgs: the scoring strategy, and extended resources the filter does not check. */
export interface NodeResourcesFitOptions {
  scoringStrategy?: ScoringStrategy;
  /** Extended resources whose requests are not checked. */
  ignoredResources?: string[];
  /** Extended resource groups (the part before "/") whose requests are not checked. */
  ignoredResourceGroups?: string[];
}

function preFilterState(pod: Pod, ignored?: (name: string) => boolean): PreFilterState {
  const req = podRequests(pod);
  if (ignored) for (const name of Object.keys(req)) if (isScalarResourceName(name) && ignored(name)) delete req[name];
  return { req, cpu: req.cpu ?? 0, memory: req.memory ?? 0, ephemeral: req['ephemeral-storage'] ?? 0, scalars: Object.keys(req).filter(isScalarResourceName) };
}

/**
 * Whether anything the pod asks for does not fit: fitsRequest's question without building
 * the answer. Runs for every candidate node of every pod, so the fixed resources are read
 * by name rather than through a loop over keys.
 */
function anyInsufficient(s: PreFilterState, ni: NodeInfo): boolean {
  const alloc = ni.allocatable;
  const used = ni.requested;
  if (ni.pods.length + 1 > (alloc.pods ?? 0)) return true;
  if (s.cpu > 0 && s.cpu > (alloc.cpu ?? 0) - (used.cpu ?? 0)) return true;
  if (s.memory > 0 && s.memory > (alloc.memory ?? 0) - (used.memory ?? 0)) return true;
  if (s.ephemeral > 0 && s.ephemeral > (alloc['ephemeral-storage'] ?? 0) - (used['ephemeral-storage'] ?? 0)) return true;
  for (const name of s.scalars) {
    const want = s.req[name] ?? 0;
    if (want > 0 && want > (alloc[name] ?? 0) - (used[name] ?? 0)) return true;
  }
  return false;
}

function isDefaultSpec(resources: ResourceSpec[]): boolean {
  return resources.length === 2 && resources[0].name === 'cpu' && resources[1].name === 'memory' && resources[0].weight === 1 && resources[1].weight === 1;
}

export class NodeResourcesFit implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin {
  readonly name = NAME;
  readonly weight = 1;
  readonly resources: ResourceSpec[];
  readonly strategy: ScoringStrategy;
  private readonly defaultSpec: boolean;
  private readonly scorer: (requested: number[], allocatable: number[]) => number;
  private readonly ignored?: (name: string) => boolean;

  /** The default LeastAllocated over cpu and memory; a list of resources (older form) or NodeResourcesFitArgs otherwise. */
  constructor(opts: ResourceSpec[] | NodeResourcesFitOptions = {}) {
    const o: NodeResourcesFitOptions = Array.isArray(opts) ? { scoringStrategy: { type: 'LeastAllocated', resources: opts } } : opts;
    this.strategy = o.scoringStrategy ?? { type: 'LeastAllocated', resources: DEFAULT_RESOURCES };
    this.resources = this.strategy.resources.length ? this.strategy.resources : DEFAULT_RESOURCES;
    this.strategy = { ...this.strategy, resources: this.resources };
    this.defaultSpec = this.strategy.type === 'LeastAllocated' && isDefaultSpec(this.resources);
    this.scorer = scorerFor(this.strategy);
    const names = new Set(o.ignoredResources ?? []);
    const groups = new Set(o.ignoredResourceGroups ?? []);
    if (names.size || groups.size) this.ignored = (name) => names.has(name) || groups.has(name.split('/')[0]);
  }

  preFilter(state: CycleState, pod: Pod): { status: Status } {
    state.write(PRE_FILTER_KEY, preFilterState(pod, this.ignored));
    return { status: SUCCESS };
  }

  filter(state: CycleState, pod: Pod, nodeInfo: NodeInfo): Status {
    const s = state.read<PreFilterState>(PRE_FILTER_KEY) ?? preFilterState(pod, this.ignored);
    // The common case allocates nothing; the reasons are only built for a node that does not fit.
    if (!anyInsufficient(s, nodeInfo)) return SUCCESS;
    const insufficient = fitsRequest(s.req, nodeInfo);
    if (insufficient.length === 0) return SUCCESS;
    return { ...unschedulable(...insufficient.map((i) => i.reason)), plugin: NAME };
  }

  preScore(state: CycleState, pod: Pod): Status {
    state.write(PRE_SCORE_KEY, podScoringRequest(pod, false));
    return SUCCESS;
  }

  /** The strategy's weighted score over its resources, counting non-zero requests for cpu and memory. */
  score(state: CycleState, pod: Pod, nodeInfo: NodeInfo): number {
    const req = state.read<ResourceList>(PRE_SCORE_KEY) ?? podScoringRequest(pod, false);
    if (this.defaultSpec) {
      // LeastAllocated over cpu and memory, weight 1 each: the general path unrolled, as it runs per node per pod.
      const alloc = nodeInfo.allocatable;
      const nz = nonZeroRequested(nodeInfo);
      const ac = alloc.cpu ?? 0;
      const am = alloc.memory ?? 0;
      if (ac !== 0 && am !== 0) {
        return Math.trunc((leastRequestedScore((nz.cpu ?? 0) + (req.cpu ?? 0), ac) + leastRequestedScore((nz.memory ?? 0) + (req.memory ?? 0), am)) / 2);
      }
    }
    const { requested, allocatable } = requestedAndAllocatable(nodeInfo, req, this.resources, false);
    return this.scorer(requested, allocatable);
  }
}
