// PriorityClass validation after k8s pkg/apis/scheduling/validation.
import type { KubeObject } from '../../meta/v1/types.js';
import { type ErrorList, forbidden, notSupported, required } from '../../validation/field.js';
import { nameIsDNSSubdomain } from '../../validation/names.js';
import { validateObjectMeta, validateObjectMetaUpdate } from '../../validation/objectmeta.js';

export const HIGHEST_USER_DEFINABLE_PRIORITY = 1000000000;

export function validatePriorityClass(pc: KubeObject): ErrorList {
  const errs = validateObjectMeta(pc.metadata, { nameFn: nameIsDNSSubdomain });
  if (typeof pc.value !== 'number') errs.push(required('value', ''));
  else if (!(pc.metadata.name ?? '').startsWith('system-') && pc.value > HIGHEST_USER_DEFINABLE_PRIORITY) {
    errs.push(forbidden('value', `maximum allowed value of a user defined priority is ${HIGHEST_USER_DEFINABLE_PRIORITY}`));
  }
  const pp = pc.preemptionPolicy;
  if (pp !== undefined && pp !== 'PreemptLowerPriority' && pp !== 'Never') errs.push(notSupported('preemptionPolicy', pp, ['Never', 'PreemptLowerPriority']));
  return errs;
}

export function validatePriorityClassUpdate(pc: KubeObject, old: KubeObject): ErrorList {
  const errs = validateObjectMetaUpdate(pc.metadata, old.metadata);
  if (pc.value !== old.value) errs.push(forbidden('value', 'may not be changed in an update.'));
  if (pc.preemptionPolicy !== old.preemptionPolicy) errs.push(forbidden('preemptionPolicy', 'may not be changed in an update.'));
  return errs;
}
