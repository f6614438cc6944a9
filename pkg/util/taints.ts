// Taints and tolerations as v1helper matches them; shared by the scheduler's
// plugins and the DaemonSet controller, which must agree on where pods may run.

import type { Taint, Toleration } from '../../api/core/v1/types.js';

/** v1.Toleration.ToleratesTaint ("" is Equal, as in the API). */
export function toleratesTaint(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  switch (t.operator ?? 'Equal') {
    case 'Exists':
      return true;
    case 'Equal':
    case '':
      return (t.value ?? '') === (taint.value ?? '');
    default:
      return false;
  }
}

export function tolerationsTolerateTaint(tolerations: Toleration[] | undefined, taint: Taint): boolean {
  return (tolerations ?? []).some((t) => toleratesTaint(t, taint));
}

/** v1helper.FindMatchingUntoleratedTaint: the first taint passing the filter that no toleration tolerates. */
export function findMatchingUntoleratedTaint<T extends Taint>(
  taints: T[] | undefined,
  tolerations: Toleration[] | undefined,
  filter: (t: T) => boolean,
): T | undefined {
  for (const taint of taints ?? []) {
    if (filter(taint) && !tolerationsTolerateTaint(tolerations, taint)) return taint;
  }
  return undefined;
}
