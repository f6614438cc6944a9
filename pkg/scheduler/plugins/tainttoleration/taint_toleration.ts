// TaintToleration: NoSchedule/NoExecute taints must be tolerated (filter);
// fewer untolerated PreferNoSchedule taints score higher.
import type { Pod, Toleration } from '../../../../api/core/v1/types.js';
import { CycleState, SKIP, SUCCESS, unresolvable } from '../../framework/types.js';
import type { FilterPlugin, NodeInfo, PreScorePlugin, ScorePlugin, Status } from '../../framework/types.js';
import { defaultNormalizeScore } from '../helper/normalize.js';
import { findMatchingUntoleratedTaint, tolerationsTolerateTaint } from '../../../util/taints.js';

export const NAME = 'TaintToleration';
const PRE_SCORE_KEY = 'PreScore' + NAME;

export class TaintToleration implements FilterPlugin, PreScorePlugin, ScorePlugin {
  readonly name = NAME;
  readonly weight = 3;

  filter(_state: CycleState, pod: Pod, nodeInfo: NodeInfo): Status {
    const taint = findMatchingUntoleratedTaint(nodeInfo.node.spec?.taints, pod.spec?.tolerations, (t) => t.effect === 'NoSchedule' || t.effect === 'NoExecute');
    if (!taint) return SUCCESS;
    return { ...unresolvable(`node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`), plugin: NAME };
  }

  preScore(state: CycleState, pod: Pod, nodes: NodeInfo[]): Status {
    // Only tolerations that can apply to PreferNoSchedule taints matter here.
    const tols = (pod.spec?.tolerations ?? []).filter((t) => !t.effect || t.effect === 'PreferNoSchedule');
    state.write(PRE_SCORE_KEY, tols);
    // Without a PreferNoSchedule taint on any candidate every node scores the same,
    // which cannot change the choice: skip the per-node work.
    const anyPreferNoSchedule = nodes.some((ni) => ni.node.spec?.taints?.some((t) => t.effect === 'PreferNoSchedule'));
    return anyPreferNoSchedule ? SUCCESS : SKIP;
  }

  score(state: CycleState, pod: Pod, nodeInfo: NodeInfo): number {
    const tols = state.read<Toleration[]>(PRE_SCORE_KEY) ?? pod.spec?.tolerations ?? [];
    let n = 0;
    for (const taint of nodeInfo.node.spec?.taints ?? []) {
      if (taint.effect === 'PreferNoSchedule' && !tolerationsTolerateTaint(tols, taint)) n++;
    }
    return n;
  }

  normalizeScores(_state: CycleState, _pod: Pod, scores: Map<string, number>): void {
    defaultNormalizeScore(scores, true);
  }
}
