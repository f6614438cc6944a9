// tryUpdateNodeHealth's decision (upstream node_lifecycle_controller.go), pure: when the
// controller last heard from a node (its Ready heartbeat or its Lease's renewTime
// changing, timed by this controller's clock, not the kubelet's), and the conditions it
// writes once the grace period has passed without word.
import type { Lease } from '../../../api/coordination/v1/types.js';
import type { Node, NodeCondition } from '../../../api/core/v1/types.js';

export interface NodeHealth {
  /** When the controller last saw the node's status or Lease change (ms since the epoch). */
  probeTimestamp: number;
  heartbeat: string;
  leaseRenewTime: string;
}

/** The conditions the controller sets to Unknown (NetworkUnavailable is left alone, as upstream). */
export const MONITORED_CONDITIONS = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'];

function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * The health to keep for the node, and the conditions to write when its grace period has run
 * out and some monitored condition is not Unknown yet (undefined: nothing to write).
 */
export function healthUpdate(
  node: Node,
  lease: Lease | undefined,
  saved: NodeHealth | undefined,
  now: Date,
  periods: { grace: number; startupGrace: number },
): { health: NodeHealth; conditions?: NodeCondition[] } {
  const current = node.status?.conditions ?? [];
  const ready = current.find((c) => c.type === 'Ready');
  const heartbeat = ready?.lastHeartbeatTime ?? '';
  const leaseRenewTime = lease?.spec?.renewTime ?? '';
  const heard = !saved || saved.heartbeat !== heartbeat || (leaseRenewTime !== '' && saved.leaseRenewTime !== leaseRenewTime);
  const health: NodeHealth = { probeTimestamp: heard ? now.getTime() : saved.probeTimestamp, heartbeat, leaseRenewTime };
  // A node that never posted Ready gets the longer startup grace.
  const grace = ready ? periods.grace : periods.startupGrace;
  if (now.getTime() <= health.probeTimestamp + grace) return { health };
  const ts = rfc3339(now);
  let changed = false;
  const conditions = current.map((c) => {
    if (!MONITORED_CONDITIONS.includes(c.type) || c.status === 'Unknown') return c;
    changed = true;
    return { ...c, status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastTransitionTime: ts };
  });
  for (const type of MONITORED_CONDITIONS) {
    if (current.some((c) => c.type === type)) continue;
    changed = true;
    conditions.push({
      type,
      status: 'Unknown',
      reason: 'NodeStatusNeverUpdated',
      message: 'Kubelet never posted node status.',
      lastHeartbeatTime: node.metadata.creationTimestamp,
      lastTransitionTime: ts,
    });
  }
  return changed ? { health, conditions } : { health };
}
