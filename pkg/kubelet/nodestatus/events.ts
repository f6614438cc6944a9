// The Events the kubelet records about its Node (upstream nodestatus/setters.go and
// kubelet.recordNodeStatusEvent): each pressure condition records NodeHas... when it is
// new or changes status, Ready records NodeReady / NodeNotReady only when an existing
// condition changes status. The message is "Node <name> status is now: <reason>".
import type { NodeCondition, ObjectReference } from '../../../api/core/v1/types.js';

/** Reasons by condition type, for status True and False. */
const PRESSURE_EVENTS: ReadonlyMap<string, { True: string; False: string }> = new Map([
  ['MemoryPressure', { True: 'NodeHasInsufficientMemory', False: 'NodeHasSufficientMemory' }],
  ['DiskPressure', { True: 'NodeHasDiskPressure', False: 'NodeHasNoDiskPressure' }],
  ['PIDPressure', { True: 'NodeHasInsufficientPID', False: 'NodeHasSufficientPID' }],
]);

/** The event reasons that going from old to next conditions records, in condition order. */
export function nodeConditionEvents(old: NodeCondition[] | undefined, next: NodeCondition[]): string[] {
  const reasons: string[] = [];
  for (const c of next) {
    const prev = old?.find((o) => o.type === c.type);
    const pressure = PRESSURE_EVENTS.get(c.type);
    if (pressure) {
      if ((c.status === 'True' || c.status === 'False') && prev?.status !== c.status) reasons.push(pressure[c.status]);
    } else if (c.type === 'Ready' && prev && prev.status !== c.status) {
      reasons.push(c.status === 'True' ? 'NodeReady' : 'NodeNotReady');
    }
  }
  return reasons;
}

/** The message of a node status Event. */
export function nodeStatusEventMessage(nodeName: string, reason: string): string {
  return `Node ${nodeName} status is now: ${reason}`;
}

/** The kubelet's reference to its Node: the node's name serves as its uid, as upstream's kubelet does. */
export function kubeletNodeRef(nodeName: string): ObjectReference {
  return { kind: 'Node', name: nodeName, uid: nodeName };
}
