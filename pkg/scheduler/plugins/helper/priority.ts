import type { Pod } from '../../../../api/core/v1/types.js';
import type { PriorityClass } from '../../../../api/scheduling/v1/types.js';
import type { ClusterLister } from '../../framework/types.js';

/**
 * corev1helpers.PodPriority: spec.priority, which admission fills from the
 * PriorityClass; falls back to looking the class up, then 0.
 */
export function podPriority(pod: Pod, lister?: ClusterLister): number {
  if (typeof pod.spec?.priority === 'number') return pod.spec.priority;
  const cls = pod.spec?.priorityClassName;
  if (cls && lister) {
    const pc = lister.get('scheduling.k8s.io/v1', 'priorityclasses', undefined, cls) as PriorityClass | undefined;
    if (pc && typeof pc.value === 'number') return pc.value;
  }
  return 0;
}
