// Defaulting for autoscaling/v1 (pkg/apis/autoscaling/v1/defaults.go).
import type { KubeObject } from '../../meta/v1/types.js';
import { child, setIfAbsent } from '../../validation/field.js';

export function setDefaultsHorizontalPodAutoscalerV1(hpa: KubeObject): void {
  setIfAbsent(child(hpa, 'spec'), 'minReplicas', 1);
}
