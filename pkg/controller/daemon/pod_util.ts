// podutil helpers the DaemonSet controller needs: readiness, availability, ordering.
import type { Pod } from './types.js';

export function isPodReady(pod: Pod): boolean {
  return pod.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
}

/** podutil.IsPodAvailable: ready for at least minReadySeconds (per the Ready condition's lastTransitionTime). */
export function isPodAvailable(pod: Pod, minReadySeconds: number, now: number): boolean {
  if (!isPodReady(pod)) return false;
  if (minReadySeconds <= 0) return true;
  const t = pod.status?.conditions?.find((c) => c.type === 'Ready')?.lastTransitionTime;
  return t !== undefined && Date.parse(t) + minReadySeconds * 1000 < now;
}

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
