import { MAX_NODE_SCORE } from '../../framework/types.js';

/**
 * helper.DefaultNormalizeScore: scales scores so the highest becomes maxPriority;
 * reverse flips them (fewer is better). All-zero scores stay 0, or become
 * maxPriority when reversed.
 */
export function defaultNormalizeScore(scores: Map<string, number>, reverse: boolean, maxPriority = MAX_NODE_SCORE): void {
  let max = 0;
  for (const s of scores.values()) if (s > max) max = s;
  if (max === 0) {
    if (reverse) for (const k of scores.keys()) scores.set(k, maxPriority);
    return;
  }
  for (const [k, s] of scores) {
    let v = Math.trunc((maxPriority * s) / max);
    if (reverse) v = maxPriority - v;
    scores.set(k, v);
  }
}
