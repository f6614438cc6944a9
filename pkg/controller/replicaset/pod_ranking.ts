// controller.ActivePodsWithRanks: the order in which surplus pods are deleted,
// cheapest to lose first. Upstream's keys, in upstream's order:
//   1. unassigned (no spec.nodeName) < assigned
//   2. Pending < Unknown < Running
//   3. not ready < ready
//   4. lower controller.kubernetes.io/pod-deletion-cost < higher
//   5. more related pods on the same node (higher rank) < fewer
//   6. both ready: ready for a shorter time < longer
//   7. higher container restart count < lower
//   8. newer creationTimestamp < older
// Simplified: 6 and 8 compare plain times (upstream's LogarithmicScaleDown
// buckets ages by powers of two and breaks ties by UID).
import { getPodReadyCondition, isPodReady } from '../../../api/core/v1/pod.js';
import type { Pod } from '../../../api/core/v1/types.js';

export const POD_DELETION_COST_ANNOTATION = 'controller.kubernetes.io/pod-deletion-cost';

const PHASE_ORDER: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

export interface RankedPod {
  pod: Pod;
  /** How many related pods share this pod's node; doubled-up pods go first. */
  rank: number;
}

function deletionCost(pod: Pod): number {
  const v = pod.metadata.annotations?.[POD_DELETION_COST_ANNOTATION];
  if (v === undefined) return 0;
  const n = Number(v);
  // Upstream rejects non-integers (treated as 0 here: an invalid annotation must not break scale-down).
  return Number.isInteger(n) ? n : 0;
}

function maxRestarts(pod: Pod): number {
  let max = 0;
  for (const c of pod.status?.containerStatuses ?? []) max = Math.max(max, c.restartCount ?? 0);
  return max;
}

/** Missing times sort first ("empty < newer < older"); returns <0 when a goes first. */
function newerFirst(a: string | null | undefined, b: string | null | undefined): number {
  const ta = a ? Date.parse(a) : NaN;
  const tb = b ? Date.parse(b) : NaN;
  const za = Number.isNaN(ta);
  const zb = Number.isNaN(tb);
  if (za && zb) return 0;
  if (za) return -1;
  if (zb) return 1;
  return tb - ta;
}

/** Comparator: negative when a should be deleted before b. */
export function compareForDeletion(a: RankedPod, b: RankedPod): number {
  const pa = a.pod;
  const pb = b.pod;
  const assignedA = pa.spec?.nodeName ? 1 : 0;
  const assignedB = pb.spec?.nodeName ? 1 : 0;
  if (assignedA !== assignedB) return assignedA - assignedB;
  const phaseA = PHASE_ORDER[pa.status?.phase ?? 'Pending'] ?? 0;
  const phaseB = PHASE_ORDER[pb.status?.phase ?? 'Pending'] ?? 0;
  if (phaseA !== phaseB) return phaseA - phaseB;
  const readyA = isPodReady(pa) ? 1 : 0;
  const readyB = isPodReady(pb) ? 1 : 0;
  if (readyA !== readyB) return readyA - readyB;
  const costA = deletionCost(pa);
  const costB = deletionCost(pb);
  if (costA !== costB) return costA - costB;
  if (a.rank !== b.rank) return b.rank - a.rank;
  if (readyA && readyB) {
    const byReady = newerFirst(getPodReadyCondition(pa)?.lastTransitionTime, getPodReadyCondition(pb)?.lastTransitionTime);
    if (byReady !== 0) return byReady;
  }
  const restartsA = maxRestarts(pa);
  const restartsB = maxRestarts(pb);
  if (restartsA !== restartsB) return restartsB - restartsA;
  return newerFirst(pa.metadata.creationTimestamp, pb.metadata.creationTimestamp);
}

/**
 * getPodsToDelete: the first diff of pods in deletion order. Each pod's rank is
 * the number of relatedPods (this ReplicaSet's and its siblings') on its node.
 */
export function getPodsToDelete(pods: Pod[], relatedPods: Pod[], diff: number): Pod[] {
  if (diff >= pods.length) return pods.slice();
  const onNode = new Map<string, number>();
  for (const p of relatedPods) {
    const node = p.spec?.nodeName ?? '';
    onNode.set(node, (onNode.get(node) ?? 0) + 1);
  }
  const ranked: RankedPod[] = pods.map((pod) => ({ pod, rank: onNode.get(pod.spec?.nodeName ?? '') ?? 0 }));
  ranked.sort(compareForDeletion);
  return ranked.slice(0, diff).map((r) => r.pod);
}
