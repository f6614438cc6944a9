// HorizontalPodAutoscaler validation after k8s pkg/apis/autoscaling/validation.
import type { KubeObject } from '../../meta/v1/types.js';
import { type ErrorList, type Obj, invalid, notSupported, num, objAt, objs, required, str } from '../../validation/field.js';
import { isValidPathSegmentName, nameIsDNSSubdomain } from '../../validation/names.js';
import { validateObjectMeta } from '../../validation/objectmeta.js';

const METRIC_TYPES = ['ContainerResource', 'External', 'Object', 'Pods', 'Resource'];
const SOURCE_FIELD: Record<string, string> = {
  ContainerResource: 'containerResource',
  External: 'external',
  Object: 'object',
  Pods: 'pods',
  Resource: 'resource',
};

/** ValidateCrossVersionObjectReference + replica bounds, shared by v1 and v2. */
export function validateScaleBounds(spec: Obj): ErrorList {
  const errs: ErrorList = [];
  const ref = objAt(spec, 'scaleTargetRef') ?? {};
  const kind = str(ref, 'kind') ?? '';
  const name = str(ref, 'name') ?? '';
  if (!kind) errs.push(required('spec.scaleTargetRef.kind', ''));
  else errs.push(...isValidPathSegmentName(kind).map((m) => invalid('spec.scaleTargetRef.kind', kind, m)));
  if (!name) errs.push(required('spec.scaleTargetRef.name', ''));
  else errs.push(...isValidPathSegmentName(name).map((m) => invalid('spec.scaleTargetRef.name', name, m)));
  const min = num(spec, 'minReplicas');
  const max = num(spec, 'maxReplicas') ?? 0;
  if (min !== undefined && min < 1) errs.push(invalid('spec.minReplicas', min, 'must be greater than or equal to 1'));
  if (max < 1) errs.push(invalid('spec.maxReplicas', max, 'must be greater than 0'));
  if (min !== undefined && max < min) errs.push(invalid('spec.maxReplicas', max, 'must be greater than or equal to `minReplicas`'));
  return errs;
}

export function validateHorizontalPodAutoscalerV2(hpa: KubeObject): ErrorList {
  const errs = validateObjectMeta(hpa.metadata, { nameFn: nameIsDNSSubdomain });
  const spec = objAt(hpa, 'spec') ?? {};
  errs.push(...validateScaleBounds(spec));
  objs(spec, 'metrics').forEach((m, i) => {
    const f = `spec.metrics[${i}]`;
    const type = str(m, 'type') ?? '';
    if (!type) errs.push(required(`${f}.type`, 'must specify a metric source type'));
    else if (!METRIC_TYPES.includes(type)) errs.push(notSupported(`${f}.type`, type, METRIC_TYPES));
    else if (!objAt(m, SOURCE_FIELD[type])) errs.push(required(`${f}.${SOURCE_FIELD[type]}`, 'must populate information for the given metric source'));
    const others = Object.entries(SOURCE_FIELD).filter(([t, k]) => t !== type && m[k] !== undefined && m[k] !== null);
    if (others.length) errs.push(invalid(`${f}.${others[0][1]}`, { raw: '{...}' }, 'must populate the given metric source only'));
  });
  return errs;
}
