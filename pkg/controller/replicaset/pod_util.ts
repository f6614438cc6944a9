// controller helpers over pods: which pods count, and the key expectations remember.
import { isPodActive } from '../../../api/core/v1/pod.js';
import type { Pod } from '../../../api/core/v1/types.js';

export function filterActivePods(pods: Pod[]): Pod[] {
  return pods.filter(isPodActive);
}

/** controller.PodKey: `namespace/name`, what UID-tracking expectations remember. */
export function podKey(pod: Pod): string {
  return `${pod.metadata.namespace ?? ''}/${pod.metadata.name ?? ''}`;
}
