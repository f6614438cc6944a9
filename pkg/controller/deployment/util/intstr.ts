// intstr.GetScaledValueFromIntOrPercent and the rolling-update fenceposts.
import type { Deployment } from '../../../../api/apps/v1/types.js';
import type { IntOrString } from '../types.js';

/** An int as is; "N%" of total, rounded up or down. Throws for anything else, as upstream errors. */
export function getScaledValueFromIntOrPercent(v: IntOrString | undefined, total: number, roundUp: boolean): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number') return v;
  const m = /^(-?\d+)%$/.exec(v);
  if (!m) {
    // A string holding a plain integer is invalid, as for intstr.
    throw new Error(`invalid value for IntOrString: invalid value ${JSON.stringify(v)}`);
  }
  const value = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(value) : Math.floor(value);
}

/**
 * ResolveFenceposts: surge rounds up, unavailable rounds down, and both being 0
 * would deadlock a rollout, so unavailable becomes 1.
 */
export function resolveFenceposts(
  maxSurge: IntOrString | undefined,
  maxUnavailable: IntOrString | undefined,
  desired: number,
): { surge: number; unavailable: number } {
  const surge = getScaledValueFromIntOrPercent(maxSurge, desired, true);
  let unavailable = getScaledValueFromIntOrPercent(maxUnavailable, desired, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable };
}

export function isRollingUpdate(d: Deployment): boolean {
  return (d.spec.strategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
}

export function replicasOf(d: Deployment): number {
  return d.spec.replicas ?? 1;
}

export function maxSurge(d: Deployment): number {
  if (!isRollingUpdate(d)) return 0;
  const ru = d.spec.strategy?.rollingUpdate;
  return resolveFenceposts(ru?.maxSurge, ru?.maxUnavailable, replicasOf(d)).surge;
}

export function maxUnavailable(d: Deployment): number {
  const replicas = replicasOf(d);
  if (!isRollingUpdate(d) || replicas === 0) return 0;
  const ru = d.spec.strategy?.rollingUpdate;
  const { unavailable } = resolveFenceposts(ru?.maxSurge, ru?.maxUnavailable, replicas);
  return Math.min(unavailable, replicas);
}
