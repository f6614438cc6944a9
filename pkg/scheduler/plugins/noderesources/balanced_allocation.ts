// NodeResourcesBalancedAllocation: prefers nodes whose cpu and memory would be
// used in similar proportions with the pod placed (1 - std dev of the fractions).
import type { Pod } from '../../../../api/core/v1/types.js';
import { CycleState, MAX_NODE_SCORE, SKIP, SUCCESS } from '../../framework/types.js';
import type { NodeInfo, PreScorePlugin, ResourceList, ScorePlugin, Status } from '../../framework/types.js';
import { DEFAULT_RESOURCES, podScoringRequest, requestedAndAllocatable } from './resource_allocation.js';
import type { ResourceSpec } from './resource_allocation.js';

export const NAME = 'NodeResourcesBalancedAllocation';
const PRE_SCORE_KEY = 'PreScore' + NAME;

export function balancedResourceScore(requested: number[], allocatable: number[]): number {
  const fractions: number[] = [];
  let total = 0;
  for (let i = 0; i < requested.length; i++) {
    if (allocatable[i] === 0) continue;
    const f = Math.min(1, requested[i] / allocatable[i]);
    total += f;
    fractions.push(f);
  }
  let std = 0;
  if (fractions.length === 2) std = Math.abs((fractions[0] - fractions[1]) / 2);
  else if (fractions.length > 2) {
    const mean = total / fractions.length;
    std = Math.sqrt(fractions.reduce((s, f) => s + (f - mean) * (f - mean), 0) / fractions.length);
  }
  return Math.trunc((1 - std) * MAX_NODE_SCORE);
}

export class BalancedAllocation implements PreScorePlugin, ScorePlugin {
  readonly name = NAME;
  readonly weight = 1;
  constructor(readonly resources: ResourceSpec[] = DEFAULT_RESOURCES) {}

  preScore(state: CycleState, pod: Pod): Status {
    // Upstream counts actual requests here (useRequested), not the 100m/200Mi defaults.
    const req = podScoringRequest(pod, true);
    // A pod requesting none of the resources does not change balance: skip it (score 0 everywhere).
    const skip = this.resources.every((r) => !req[r.name]);
    state.write(PRE_SCORE_KEY, { req, skip });
    return skip ? SKIP : SUCCESS;
  }

  score(state: CycleState, pod: Pod, nodeInfo: NodeInfo): number {
    const s = state.read<{ req: ResourceList; skip: boolean }>(PRE_SCORE_KEY) ?? { req: podScoringRequest(pod, true), skip: false };
    if (s.skip) return 0;
    if (this.resources.length === 2) {
      // Two resources (the default cpu, memory): balancedResourceScore without its arrays, per node.
      const a = this.resources[0].name;
      const b = this.resources[1].name;
      const allocA = nodeInfo.allocatable[a] ?? 0;
      const allocB = nodeInfo.allocatable[b] ?? 0;
      if (allocA !== 0 && allocB !== 0) {
        const used = nodeInfo.requested;
        const fa = Math.min(1, ((used[a] ?? 0) + (s.req[a] ?? 0)) / allocA);
        const fb = Math.min(1, ((used[b] ?? 0) + (s.req[b] ?? 0)) / allocB);
        return Math.trunc((1 - Math.abs((fa - fb) / 2)) * MAX_NODE_SCORE);
      }
    }
    const { requested, allocatable } = requestedAndAllocatable(nodeInfo, s.req, this.resources, true);
    return balancedResourceScore(requested, allocatable);
  }
}
