// Lease validation after k8s pkg/apis/coordination/validation.
import type { KubeObject } from '../../meta/v1/types.js';
import { type ErrorList, objAt, validateNonnegative, validatePositive } from '../../validation/field.js';
import { nameIsDNSSubdomain } from '../../validation/names.js';
import { validateObjectMeta } from '../../validation/objectmeta.js';

export function validateLease(lease: KubeObject): ErrorList {
  const errs = validateObjectMeta(lease.metadata, { nameFn: nameIsDNSSubdomain });
  const spec = objAt(lease, 'spec') ?? {};
  errs.push(...validatePositive(spec.leaseDurationSeconds, 'spec.leaseDurationSeconds'));
  errs.push(...validateNonnegative(spec.leaseTransitions, 'spec.leaseTransitions'));
  return errs;
}
