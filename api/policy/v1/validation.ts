// PodDisruptionBudget validation after k8s pkg/apis/policy/validation.
import type { KubeObject } from '../../meta/v1/types.js';
import { type ErrorList, invalid, notSupported, objAt } from '../../validation/field.js';
import { nameIsDNSSubdomain } from '../../validation/names.js';
import { asLabelSelector, validateLabelSelector, validateObjectMeta } from '../../validation/objectmeta.js';
import { validateIntOrPercent } from '../../apps/v1/validation.js';

export function validatePodDisruptionBudget(pdb: KubeObject): ErrorList {
  const errs = validateObjectMeta(pdb.metadata, { nameFn: nameIsDNSSubdomain });
  const spec = objAt(pdb, 'spec') ?? {};
  const hasMin = spec.minAvailable !== undefined && spec.minAvailable !== null;
  const hasMax = spec.maxUnavailable !== undefined && spec.maxUnavailable !== null;
  if (hasMin && hasMax) errs.push(invalid('spec', spec, 'minAvailable and maxUnavailable cannot be both set'));
  errs.push(...validateIntOrPercent(spec.minAvailable, 'spec.minAvailable', true));
  errs.push(...validateIntOrPercent(spec.maxUnavailable, 'spec.maxUnavailable', true));
  errs.push(...validateLabelSelector(asLabelSelector(spec.selector), 'spec.selector'));
  const policy = spec.unhealthyPodEvictionPolicy;
  if (policy !== undefined && policy !== 'IfHealthyBudget' && policy !== 'AlwaysAllow')
    errs.push(notSupported('spec.unhealthyPodEvictionPolicy', policy, ['AlwaysAllow', 'IfHealthyBudget']));
  return errs;
}
