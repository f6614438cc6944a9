// NodeName: a pod that names its node (spec.nodeName) fits only there.
import type { Pod } from '../../../../api/core/v1/types.js';
import { SUCCESS, unresolvable } from '../../framework/types.js';
import type { CycleState, FilterPlugin, NodeInfo, Status } from '../../framework/types.js';

export const NAME = 'NodeName';
export const ERR_REASON = "node(s) didn't match the requested node name";

export class NodeName implements FilterPlugin {
  readonly name = NAME;
  filter(_state: CycleState, pod: Pod, nodeInfo: NodeInfo): Status {
    const want = pod.spec?.nodeName;
    if (!want || want === nodeInfo.node.metadata.name) return SUCCESS;
    return { ...unresolvable(ERR_REASON), plugin: NAME };
  }
}
