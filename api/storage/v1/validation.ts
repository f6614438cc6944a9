// StorageClass validation after k8s pkg/apis/storage/validation.
import type { KubeObject } from '../../meta/v1/types.js';
import { type ErrorList, deepEqual, forbidden, invalid, notSupported, required, validateImmutableField } from '../../validation/field.js';
import { isQualifiedName, nameIsDNSSubdomain } from '../../validation/names.js';
import { validateObjectMeta, validateObjectMetaUpdate } from '../../validation/objectmeta.js';

export function validateStorageClass(sc: KubeObject): ErrorList {
  const errs = validateObjectMeta(sc.metadata, { nameFn: nameIsDNSSubdomain });
  const p = typeof sc.provisioner === 'string' ? sc.provisioner : '';
  if (!p) errs.push(required('provisioner', ''));
  else errs.push(...isQualifiedName(p.toLowerCase()).map((m) => invalid('provisioner', p, m)));
  if (sc.reclaimPolicy !== undefined && sc.reclaimPolicy !== 'Delete' && sc.reclaimPolicy !== 'Retain')
    errs.push(notSupported('reclaimPolicy', sc.reclaimPolicy, ['Delete', 'Retain']));
  const mode = sc.volumeBindingMode;
  if (mode !== undefined && mode !== 'Immediate' && mode !== 'WaitForFirstConsumer')
    errs.push(notSupported('volumeBindingMode', mode, ['Immediate', 'WaitForFirstConsumer']));
  return errs;
}

export function validateStorageClassUpdate(sc: KubeObject, old: KubeObject): ErrorList {
  const errs = validateObjectMetaUpdate(sc.metadata, old.metadata);
  if (!deepEqual(sc.parameters, old.parameters)) errs.push(forbidden('parameters', 'updates to parameters are forbidden.'));
  if (sc.provisioner !== old.provisioner) errs.push(forbidden('provisioner', 'updates to provisioner are forbidden.'));
  if (sc.reclaimPolicy !== old.reclaimPolicy) errs.push(forbidden('reclaimPolicy', 'updates to reclaimPolicy are forbidden.'));
  errs.push(...validateImmutableField(sc.volumeBindingMode, old.volumeBindingMode, 'volumeBindingMode'));
  return errs;
}
