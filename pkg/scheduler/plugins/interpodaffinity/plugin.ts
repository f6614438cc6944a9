// InterPodAffinity: required pod (anti-)affinity as a filter, preferred terms as a score.
import type { Pod } from '../../../../api/core/v1/types.js';
import { CycleState, SKIP, SUCCESS } from '../../framework/types.js';
import type { ClusterLister, FilterPlugin, NodeInfo, PreFilterPlugin, PreScorePlugin, ScorePlugin, Status } from '../../framework/types.js';
import { computePreFilterState, filterNode } from './filtering.js';
import type { PreFilterState } from './filtering.js';
import { computeTopologyScore, normalize, scoreNode } from './scoring.js';
import type { TopologyScore } from './scoring.js';
import { namespaceLabelsFrom } from './terms.js';

export const NAME = 'InterPodAffinity';
const PRE_FILTER_KEY = 'PreFilter' + NAME;
const PRE_SCORE_KEY = 'PreScore' + NAME;

export class InterPodAffinity implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin {
  readonly name = NAME;
  readonly weight = 2;
  constructor(private readonly lister?: ClusterLister) {}

  preFilter(state: CycleState, pod: Pod, nodes: NodeInfo[]): { status: Status } {
    const withAnti = this.lister?.havePodsWithRequiredAntiAffinity?.();
    const s = computePreFilterState(pod, nodes, namespaceLabelsFrom(this.lister), withAnti);
    state.write(PRE_FILTER_KEY, s);
    // No required terms of its own and no existing pod's anti-affinity against it: nothing to filter.
    const nothing = s.affinityTerms.length === 0 && s.antiAffinityTerms.length === 0 && s.existingAntiAffinityCounts.size === 0;
    return { status: nothing ? SKIP : SUCCESS };
  }

  filter(state: CycleState, pod: Pod, nodeInfo: NodeInfo): Status {
    let s = state.read<PreFilterState>(PRE_FILTER_KEY);
    if (!s) {
      s = computePreFilterState(pod, this.lister?.nodes() ?? [nodeInfo], namespaceLabelsFrom(this.lister));
      state.write(PRE_FILTER_KEY, s);
    }
    return filterNode(s, nodeInfo, NAME);
  }

  preScore(state: CycleState, pod: Pod, nodes: NodeInfo[]): Status {
    // Existing pods on every node count, not only on the feasible ones.
    const ts = computeTopologyScore(pod, this.lister?.nodes() ?? nodes, namespaceLabelsFrom(this.lister), this.lister?.havePodsWithAffinity?.());
    state.write(PRE_SCORE_KEY, ts);
    // No term matched anywhere: every node would score 0 (upstream's PreScore Skip).
    return ts.size ? SUCCESS : SKIP;
  }

  score(state: CycleState, pod: Pod, nodeInfo: NodeInfo): number {
    const ts = state.read<TopologyScore>(PRE_SCORE_KEY) ?? computeTopologyScore(pod, this.lister?.nodes() ?? [nodeInfo], namespaceLabelsFrom(this.lister));
    return scoreNode(ts, nodeInfo);
  }

  normalizeScores(_state: CycleState, _pod: Pod, scores: Map<string, number>): void {
    normalize(scores);
  }
}
