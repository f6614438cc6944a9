// NodeUnschedulable: cordoned nodes (spec.unschedulable) take only pods that
// tolerate the node.kubernetes.io/unschedulable:NoSchedule taint (DaemonSet pods do).
import type { Pod, Taint } from '../../../../api/core/v1/types.js';
import { SUCCESS, unresolvable } from '../../framework/types.js';
import type { CycleState, FilterPlugin, NodeInfo, Status } from '../../framework/types.js';
import { tolerationsTolerateTaint } from '../../../util/taints.js';

export const NAME = 'NodeUnschedulable';
export const ERR_REASON_UNSCHEDULABLE = 'node(s) were unschedulable';
export const TAINT_NODE_UNSCHEDULABLE = 'node.kubernetes.io/unschedulable';

const UNSCHEDULABLE_TAINT: Taint = { key: TAINT_NODE_UNSCHEDULABLE, effect: 'NoSchedule' };

export class NodeUnschedulable implements FilterPlugin {
  readonly name = NAME;
  filter(_state: CycleState, pod: Pod, nodeInfo: NodeInfo): Status {
    if (!nodeInfo.node.spec?.unschedulable) return SUCCESS;
    if (tolerationsTolerateTaint(pod.spec?.tolerations, UNSCHEDULABLE_TAINT)) return SUCCESS;
    return { ...unresolvable(ERR_REASON_UNSCHEDULABLE), plugin: NAME };
  }
}
