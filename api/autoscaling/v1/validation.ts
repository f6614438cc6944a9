// autoscaling/v1 HorizontalPodAutoscaler validation: the v2 rules on its single CPU target.
import type { KubeObject } from '../../meta/v1/types.js';
import { type ErrorList, objAt, validateNonnegative } from '../../validation/field.js';
import { nameIsDNSSubdomain } from '../../validation/names.js';
import { validateObjectMeta } from '../../validation/objectmeta.js';
import { validateScaleBounds } from '../v2/validation.js';

export function validateHorizontalPodAutoscalerV1(hpa: KubeObject): ErrorList {
  const errs = validateObjectMeta(hpa.metadata, { nameFn: nameIsDNSSubdomain });
  const spec = objAt(hpa, 'spec') ?? {};
  errs.push(...validateScaleBounds(spec));
  errs.push(...validateNonnegative(spec.targetCPUUtilizationPercentage, 'spec.targetCPUUtilizationPercentage'));
  return errs;
}
