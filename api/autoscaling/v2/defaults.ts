// Defaulting for autoscaling/v2 (pkg/apis/autoscaling/v2/defaults.go): one replica
// at least, and 80% average CPU utilization when no metric is given.
import type { KubeObject } from '../../meta/v1/types.js';
import { arrAt, child, setIfAbsent } from '../../validation/field.js';

export const DEFAULT_CPU_UTILIZATION = 80;

export function setDefaultsHorizontalPodAutoscalerV2(hpa: KubeObject): void {
  const spec = child(hpa, 'spec');
  setIfAbsent(spec, 'minReplicas', 1);
  if (arrAt(spec, 'metrics').length === 0) {
    spec.metrics = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: DEFAULT_CPU_UTILIZATION } } }];
  }
}
