// How many replicas each ReplicaSet should have (deployment_util.go):
// NewRSNewReplicas for rollouts, GetProportion for proportional scaling.
import type { Deployment, ReplicaSet } from '../../../../api/apps/v1/types.js';
import { getDesiredReplicasAnnotation, getMaxReplicasAnnotation } from './annotations.js';
import { getScaledValueFromIntOrPercent, isRollingUpdate, maxSurge, replicasOf } from './intstr.js';
import { replicaCount, rsReplicas } from './replicasets.js';

/** NewRSNewReplicas: the new ReplicaSet grows as far as maxSurge allows (Recreate: straight to replicas). */
export function newRSNewReplicas(d: Deployment, allRSs: (ReplicaSet | undefined)[], newRS: ReplicaSet): number {
  if (!isRollingUpdate(d)) return replicasOf(d);
  const replicas = replicasOf(d);
  const surge = getScaledValueFromIntOrPercent(d.spec.strategy?.rollingUpdate?.maxSurge, replicas, true);
  const current = replicaCount(allRSs);
  const maxTotal = replicas + surge;
  if (current >= maxTotal) return rsReplicas(newRS);
  const scaleUp = Math.min(maxTotal - current, replicas - rsReplicas(newRS));
  return rsReplicas(newRS) + scaleUp;
}

/** IsSaturated: the new ReplicaSet is at full size and all its pods are available. */
export function isSaturated(d: Deployment, rs: ReplicaSet | undefined): boolean {
  if (!rs) return false;
  const desired = getDesiredReplicasAnnotation(rs);
  if (desired === undefined) return false;
  const replicas = replicasOf(d);
  return rsReplicas(rs) === replicas && desired === replicas && (rs.status?.availableReplicas ?? 0) === replicas;
}

/** integer.RoundToInt32: half away from zero. */
function roundHalfAway(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

/** getReplicaSetFraction: this ReplicaSet's share of the new size, from the size it was scaled for (max-replicas). */
function replicaSetFraction(rs: ReplicaSet, d: Deployment): number {
  if (replicasOf(d) === 0) return -rsReplicas(rs);
  const deploymentReplicas = replicasOf(d) + maxSurge(d);
  const annotated = getMaxReplicasAnnotation(rs) ?? d.status?.replicas ?? 0;
  // Upstream divides by an annotation that is never 0 for a scaled ReplicaSet; guard anyway.
  if (annotated === 0) return 0;
  return roundHalfAway((rsReplicas(rs) * deploymentReplicas) / annotated) - rsReplicas(rs);
}

/** GetProportion: how many replicas to add to (or remove from) rs in a proportional scale. */
export function getProportion(rs: ReplicaSet | undefined, d: Deployment, toAdd: number, added: number): number {
  if (!rs || rsReplicas(rs) === 0 || toAdd === 0 || toAdd === added) return 0;
  const fraction = replicaSetFraction(rs, d);
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}
