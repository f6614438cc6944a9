// The core/v1 storage objects as the binder and provisioners read them, and the
// annotations they share (component-helpers/storage/volume in Kubernetes).
import type { KubeObject } from '../../../../api/meta/v1/types.js';
import type { LabelSelector } from '../../../../api/labels/selector.js';

export interface ClaimReference {
  kind?: string;
  namespace?: string;
  name?: string;
  uid?: string;
  apiVersion?: string;
  resourceVersion?: string;
}

export interface PersistentVolume extends KubeObject {
  spec?: {
    capacity?: Record<string, string>;
    accessModes?: string[];
    claimRef?: ClaimReference | null;
    persistentVolumeReclaimPolicy?: string;
    storageClassName?: string;
    volumeMode?: string;
    hostPath?: { path: string; type?: string };
    mountOptions?: string[];
    [field: string]: unknown;
  };
  status?: { phase?: string; message?: string; reason?: string; lastPhaseTransitionTime?: string };
}

export interface PersistentVolumeClaim extends KubeObject {
  spec?: {
    accessModes?: string[];
    resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
    selector?: LabelSelector | null;
    /** Absent (nil) and "" differ: nil takes the default class, "" asks for none. */
    storageClassName?: string | null;
    volumeName?: string;
    volumeMode?: string;
    [field: string]: unknown;
  };
  status?: { phase?: string; accessModes?: string[]; capacity?: Record<string, string>; [field: string]: unknown };
}

export interface StorageClass extends KubeObject {
  provisioner: string;
  parameters?: Record<string, string>;
  reclaimPolicy?: string;
  volumeBindingMode?: string;
  mountOptions?: string[];
  allowVolumeExpansion?: boolean;
}

// Annotations, with Kubernetes' names and values.
export const AnnBindCompleted = 'pv.kubernetes.io/bind-completed';
export const AnnBoundByController = 'pv.kubernetes.io/bound-by-controller';
export const AnnDynamicallyProvisioned = 'pv.kubernetes.io/provisioned-by';
export const AnnStorageProvisioner = 'volume.kubernetes.io/storage-provisioner';
export const AnnBetaStorageProvisioner = 'volume.beta.kubernetes.io/storage-provisioner';
export const AnnSelectedNode = 'volume.kubernetes.io/selected-node';
export const BetaStorageClassAnnotation = 'volume.beta.kubernetes.io/storage-class';
export const IsDefaultStorageClassAnnotation = 'storageclass.kubernetes.io/is-default-class';
export const BetaIsDefaultStorageClassAnnotation = 'storageclass.beta.kubernetes.io/is-default-class';

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

export function isDefaultStorageClass(sc: StorageClass): boolean {
  const ann = sc.metadata.annotations ?? {};
  return ann[IsDefaultStorageClassAnnotation] === 'true' || ann[BetaIsDefaultStorageClassAnnotation] === 'true';
}

/** GetDefaultClass: the newest default class (then by name), or undefined. */
export function defaultStorageClass(classes: StorageClass[]): StorageClass | undefined {
  const defaults = classes.filter(isDefaultStorageClass);
  defaults.sort(
    (a, b) =>
      String(b.metadata.creationTimestamp ?? '').localeCompare(String(a.metadata.creationTimestamp ?? '')) ||
      (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''),
  );
  return defaults[0];
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
export function claimReference(claim: PersistentVolumeClaim): ClaimReference {
  return {
    kind: 'PersistentVolumeClaim',
    namespace: claim.metadata.namespace,
    name: claim.metadata.name,
    uid: claim.metadata.uid,
    apiVersion: 'v1',
    resourceVersion: claim.metadata.resourceVersion,
  };
}
