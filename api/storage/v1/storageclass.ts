// The default StorageClass (component-helpers/storage/volume in Kubernetes): the
// class marked with the is-default-class annotation, the newest when several are.
import type { StorageClass } from './types.js';

/** The claim and volume annotation that predates spec.storageClassName; it wins over the field. */
export const BetaStorageClassAnnotation = 'volume.beta.kubernetes.io/storage-class';
export const IsDefaultStorageClassAnnotation = 'storageclass.kubernetes.io/is-default-class';
export const BetaIsDefaultStorageClassAnnotation = 'storageclass.beta.kubernetes.io/is-default-class';

export function isDefaultStorageClass(sc: Pick<StorageClass, 'metadata'>): boolean {
  const ann = sc.metadata?.annotations ?? {};
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
