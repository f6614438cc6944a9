// Defaulting for storage.k8s.io/v1 (SetDefaults_StorageClass).
import type { KubeObject } from '../../meta/v1/types.js';

export function setDefaultsStorageClass(sc: KubeObject): void {
  if (!sc.reclaimPolicy) sc.reclaimPolicy = 'Delete';
  if (!sc.volumeBindingMode) sc.volumeBindingMode = 'Immediate';
}
