// The annotations and class helpers the binder and provisioners share
// (component-helpers/storage/volume in Kubernetes).
import type { ObjectReference, PersistentVolume, PersistentVolumeClaim } from '../../../../api/core/v1/types.js';
import { BetaStorageClassAnnotation } from '../../../../api/storage/v1/storageclass.js';

// Annotations, with Kubernetes' names and values.
export const AnnBindCompleted = 'pv.kubernetes.io/bind-completed';
export const AnnBoundByController = 'pv.kubernetes.io/bound-by-controller';
export const AnnDynamicallyProvisioned = 'pv.kubernetes.io/provisioned-by';
export const AnnStorageProvisioner = 'volume.kubernetes.io/storage-provisioner';
export const AnnBetaStorageProvisioner = 'volume.beta.kubernetes.io/storage-provisioner';
export const AnnSelectedNode = 'volume.kubernetes.io/selected-node';

/** The claim's class: the beta annotation wins over spec.storageClassName, as in GetPersistentVolumeClaimClass. */
export function claimClass(claim: PersistentVolumeClaim): string {
  const ann = claim.metadata.annotations ?? {};
  if (Object.prototype.hasOwnProperty.call(ann, BetaStorageClassAnnotation)) return ann[BetaStorageClassAnnotation];
  return claim.spec?.storageClassName ?? '';
}

export function volumeClass(volume: PersistentVolume): string {
  const ann = volume.metadata.annotations ?? {};
  if (Object.prototype.hasOwnProperty.call(ann, BetaStorageClassAnnotation)) return ann[BetaStorageClassAnnotation];
  return volume.spec?.storageClassName ?? '';
}

/** The claim's provisioner, from the annotation the binder sets for external provisioners. */
export function claimProvisioner(claim: PersistentVolumeClaim): string | undefined {
  const ann = claim.metadata.annotations ?? {};
  return ann[AnnStorageProvisioner] ?? ann[AnnBetaStorageProvisioner];
}

/** IsVolumeBoundToClaim: the claimRef names the claim (and its uid, when the ref has one). */
export function isVolumeBoundToClaim(volume: PersistentVolume, claim: PersistentVolumeClaim): boolean {
  const ref = volume.spec?.claimRef;
  if (!ref) return false;
  if (ref.name !== claim.metadata.name || ref.namespace !== claim.metadata.namespace) return false;
  return !ref.uid || ref.uid === claim.metadata.uid;
}

/** The ObjectReference a PV's claimRef holds (GetReference of the claim). */
export function claimReference(claim: PersistentVolumeClaim): ObjectReference {
  return {
    kind: 'PersistentVolumeClaim',
    namespace: claim.metadata.namespace,
    name: claim.metadata.name,
    uid: claim.metadata.uid,
    apiVersion: 'v1',
    resourceVersion: claim.metadata.resourceVersion,
  };
}
