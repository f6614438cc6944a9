// Defaulting for scheduling.k8s.io/v1 (SetDefaults_PriorityClass).
import type { KubeObject } from '../../meta/v1/types.js';

export function setDefaultsPriorityClass(pc: KubeObject): void {
  if (!pc.preemptionPolicy) pc.preemptionPolicy = 'PreemptLowerPriority';
}
