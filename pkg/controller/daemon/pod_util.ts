// The order in which the DaemonSet controller picks among pods on one node.
import type { Pod } from '../../../api/core/v1/types.js';

/** podByCreationTimestampAndPhase: bound pods first, then oldest, then by name. */
export function compareByCreationTimestampAndPhase(a: Pod, b: Pod): number {
  const ba = a.spec?.nodeName ? 0 : 1;
  const bb = b.spec?.nodeName ? 0 : 1;
  if (ba !== bb) return ba - bb;
  const ta = Date.parse(a.metadata.creationTimestamp ?? '') || 0;
  const tb = Date.parse(b.metadata.creationTimestamp ?? '') || 0;
  if (ta !== tb) return ta - tb;
  return (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');
}
