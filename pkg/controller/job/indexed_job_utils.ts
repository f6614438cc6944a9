// Completion indexes of Indexed Jobs (pkg/controller/job/indexed_job_utils.go):
// the index a pod carries, and sets of indexes written as intervals, "1,3-5,7".
import type { Pod } from '../../../api/core/v1/types.js';
import { JOB_COMPLETION_INDEX_ANNOTATION } from './types.js';

export const UNKNOWN_COMPLETION_INDEX = -1;

/** getCompletionIndex: the annotation (the label is a copy), or -1 when absent or malformed. */
export function getCompletionIndex(pod: Pod): number {
  const v = pod.metadata.annotations?.[JOB_COMPLETION_INDEX_ANNOTATION] ?? pod.metadata.labels?.[JOB_COMPLETION_INDEX_ANNOTATION];
  if (v === undefined || !/^[0-9]+$/.test(v)) return UNKNOWN_COMPLETION_INDEX;
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : UNKNOWN_COMPLETION_INDEX;
}

/** parseIndexesFromString: indexes below completions in an interval string; malformed parts are skipped. */
export function parseIndexes(s: string | undefined, completions: number): Set<number> {
  const out = new Set<number>();
  if (!s) return out;
  for (const part of s.split(',')) {
    const m = /^([0-9]+)(?:-([0-9]+))?$/.exec(part.trim());
    if (!m) continue;
    const first = Number(m[1]);
    const last = m[2] === undefined ? first : Number(m[2]);
    for (let i = first; i <= Math.min(last, completions - 1); i++) out.add(i);
  }
  return out;
}

/** orderedIntervals.String: ascending, consecutive runs as "first-last". */
export function formatIndexes(indexes: Iterable<number>): string {
  const sorted = [...new Set(indexes)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

/** firstPendingIndexes: the lowest `count` indexes neither succeeded nor held by an active pod. */
export function firstPendingIndexes(succeeded: Set<number>, activePods: Pod[], count: number, completions: number): number[] {
  const taken = new Set<number>(succeeded);
  for (const p of activePods) taken.add(getCompletionIndex(p));
  const out: number[] = [];
  for (let i = 0; i < completions && out.length < count; i++) if (!taken.has(i)) out.push(i);
  return out;
}
