// podutil / controller helpers: which pods count as active, ready and available.
import type { Pod, PodCondition } from './types.js';

export function podReadyCondition(pod: Pod): PodCondition | undefined {
  return pod.status?.conditions?.find((c) => c.type === 'Ready');
}

/** podutil.IsPodReady: the Ready condition is True. */
export function isPodReady(pod: Pod): boolean {
  return podReadyCondition(pod)?.status === 'True';
}

/**
 * podutil.IsPodAvailable: ready, and ready for at least minReadySeconds (the
 * Ready condition's lastTransitionTime; a missing time only counts when minReadySeconds is 0).
 */
export function isPodAvailable(pod: Pod, minReadySeconds: number, now: number): boolean {
  if (!isPodReady(pod)) return false;
  if (minReadySeconds <= 0) return true;
  const t = podReadyCondition(pod)?.lastTransitionTime;
  if (!t) return false;
  return Date.parse(t) + minReadySeconds * 1000 < now;
}

/** controller.IsPodActive: not Succeeded/Failed and not being deleted. */
export function isPodActive(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed' && !pod.metadata.deletionTimestamp;
}

export function filterActivePods(pods: Pod[]): Pod[] {
  return pods.filter(isPodActive);
}

/** controller.PodKey: `namespace/name`, what UID-tracking expectations remember. */
export function podKey(pod: Pod): string {
  return `${pod.metadata.namespace ?? ''}/${pod.metadata.name ?? ''}`;
}
