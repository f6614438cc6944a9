// NodeAffinity: spec.nodeSelector and required node affinity filter nodes;
// preferred terms add their weights to the score.
import type { Pod, PreferredSchedulingTerm } from '../../../../api/core/v1/types.js';
import { CycleState, SKIP, SUCCESS, unresolvable } from '../../framework/types.js';
import type { FilterPlugin, NodeInfo, PreFilterPlugin, PreScorePlugin, ScorePlugin, Status } from '../../framework/types.js';
import { nodeSelectorTermMatches, podMatchesNodeSelectorAndAffinityTerms, podNodeAffinity } from '../helper/nodeaffinity.js';
import { defaultNormalizeScore } from '../helper/normalize.js';

export const NAME = 'NodeAffinity';
export const ERR_REASON_POD = "node(s) didn't match Pod's node affinity/selector";
const PRE_SCORE_KEY = 'PreScore' + NAME;

export class NodeAffinity implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin {
  readonly name = NAME;
  readonly weight = 2;

  /** Upstream's PreFilter Skip: without a nodeSelector or required node affinity every node passes. */
  preFilter(_state: CycleState, pod: Pod): { status: Status } {
    const hasSelector = Object.keys(pod.spec?.nodeSelector ?? {}).length > 0;
    return { status: hasSelector || podNodeAffinity(pod)?.requiredDuringSchedulingIgnoredDuringExecution ? SUCCESS : SKIP };
  }

  filter(_state: CycleState, pod: Pod, nodeInfo: NodeInfo): Status {
    if (podMatchesNodeSelectorAndAffinityTerms(pod, nodeInfo.node)) return SUCCESS;
    return { ...unresolvable(ERR_REASON_POD), plugin: NAME };
  }

  preScore(state: CycleState, pod: Pod): Status {
    const terms = (podNodeAffinity(pod)?.preferredDuringSchedulingIgnoredDuringExecution ?? []).filter((t) => t.weight !== 0);
    state.write(PRE_SCORE_KEY, terms);
    // No preferred terms: every node would score 0 (upstream's PreScore Skip).
    return terms.length ? SUCCESS : SKIP;
  }

  score(state: CycleState, pod: Pod, nodeInfo: NodeInfo): number {
    const terms = state.read<PreferredSchedulingTerm[]>(PRE_SCORE_KEY) ?? podNodeAffinity(pod)?.preferredDuringSchedulingIgnoredDuringExecution ?? [];
    let sum = 0;
    for (const t of terms) if (nodeSelectorTermMatches(t.preference, nodeInfo.node)) sum += t.weight;
    return sum;
  }

  normalizeScores(_state: CycleState, _pod: Pod, scores: Map<string, number>): void {
    defaultNormalizeScore(scores, false);
  }
}
