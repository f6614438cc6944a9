// How the kubelet names things in messages, as upstream's format package and Go's
// time.Duration do, so events and waiting messages read like Kubernetes'.
import type { Pod } from '../../api/core/v1/types.js';

/** format.Pod: "name_namespace(uid)". */
export function formatPod(pod: Pick<Pod, 'metadata'>): string {
  return `${pod.metadata.name ?? ''}_${pod.metadata.namespace ?? ''}(${pod.metadata.uid ?? ''})`;
}

/** Go's time.Duration.String for a duration in milliseconds: "500ms", "10s", "1m20s", "5m0s", "1.5s". */
export function goDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (ms < 1000) return `${ms}ms`;
  const totalS = ms / 1000;
  const h = Math.floor(totalS / 3600);
  const m = Math.floor((totalS % 3600) / 60);
  const s = +(totalS % 60).toFixed(3);
  if (h > 0) return `${h}h${m}m${s}s`;
  if (m > 0) return `${m}m${s}s`;
  return `${s}s`;
}

export function rfc3339(d: Date | number = new Date()): string {
  return new Date(d).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
