// Defaulting for discovery.k8s.io/v1 (pkg/apis/discovery/v1/defaults.go).
import type { KubeObject } from '../../meta/v1/types.js';
import { objs } from '../../validation/field.js';

export function setDefaultsEndpointSlice(slice: KubeObject): void {
  for (const p of objs(slice, 'ports')) if (!p.protocol) p.protocol = 'TCP';
}
