// autoscaling/v1 Scale, the scale subresource's body: no generated type exists for
// it (it is served only as a subresource), so the HPA controller declares the part it reads.
import type { KubeObject } from '../../../api/meta/v1/types.js';

export interface Scale extends KubeObject {
  spec?: { replicas?: number };
  status?: { replicas?: number; selector?: string };
}
