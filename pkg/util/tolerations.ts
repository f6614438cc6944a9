// Merging toleration lists, after upstream's pkg/util/tolerations: a toleration
// another one already covers is left out.
import { isDeepStrictEqual } from 'node:util';
import type { Toleration } from '../../api/core/v1/types.js';

function same(a: Toleration, b: Toleration): boolean {
  const norm = (t: Toleration) => ({
    key: t.key ?? '',
    operator: t.operator ?? '',
    value: t.value ?? '',
    effect: t.effect ?? '',
    tolerationSeconds: t.tolerationSeconds ?? null,
  });
  return isDeepStrictEqual(norm(a), norm(b));
}

/** isSuperset: whether ss tolerates everything t does. */
export function isSuperset(ss: Toleration, t: Toleration): boolean {
  if (same(ss, t)) return true;
  const ssKey = ss.key ?? '';
  // An empty key with operator Exists matches every key and value.
  if ((t.key ?? '') !== ssKey && (ssKey !== '' || ss.operator !== 'Exists')) return false;
  // An empty effect matches every effect.
  if ((t.effect ?? '') !== (ss.effect ?? '') && (ss.effect ?? '') !== '') return false;
  if (ss.effect === 'NoExecute' && typeof ss.tolerationSeconds === 'number') {
    if (typeof t.tolerationSeconds !== 'number' || t.tolerationSeconds > ss.tolerationSeconds) return false;
  }
  switch (ss.operator ?? '') {
    case 'Equal':
    case '':
      return t.operator === 'Equal' && (t.value ?? '') === (ss.value ?? '');
    case 'Exists':
      return true;
    default:
      return false;
  }
}

/** MergeTolerations: first then second, without the tolerations a kept one is a superset of. */
export function mergeTolerations(first: Toleration[], second: Toleration[]): Toleration[] {
  const all = [...first, ...second];
  const merged: Toleration[] = [];
  all.forEach((t, i) => {
    if (merged.some((m) => isSuperset(m, t))) return;
    // Of two equal tolerations the first is kept.
    if (all.slice(i + 1).some((later) => !same(t, later) && isSuperset(later, t))) return;
    merged.push(t);
  });
  return merged;
}
