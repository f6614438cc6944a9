// RuntimeClass validation after k8s pkg/apis/node/validation.
import type { KubeObject } from '../../meta/v1/types.js';
import { type ErrorList, invalid, objAt, objs, validateImmutableField } from '../../validation/field.js';
import { nameIsDNSLabel, nameIsDNSSubdomain } from '../../validation/names.js';
import { validateLabels, validateObjectMeta, validateObjectMetaUpdate } from '../../validation/objectmeta.js';
import { validateResources, validateTolerations } from '../../core/v1/podvalidation.js';

export function validateRuntimeClass(rc: KubeObject): ErrorList {
  const errs = validateObjectMeta(rc.metadata, { nameFn: nameIsDNSSubdomain });
  const handler = typeof rc.handler === 'string' ? rc.handler : '';
  errs.push(...nameIsDNSLabel(handler, false).map((m) => invalid('handler', handler, m)));
  const overhead = objAt(rc, 'overhead');
  // The overhead is checked as a container's resource limits are.
  if (overhead) errs.push(...validateResources({ limits: objAt(overhead, 'podFixed') ?? {} }, 'overhead'));
  const scheduling = objAt(rc, 'scheduling');
  if (scheduling) {
    errs.push(...validateLabels(scheduling.nodeSelector, 'scheduling.nodeSelector'));
    errs.push(...validateTolerations(objs(scheduling, 'tolerations'), 'scheduling.tolerations'));
  }
  return errs;
}

export function validateRuntimeClassUpdate(rc: KubeObject, old: KubeObject): ErrorList {
  return [...validateObjectMetaUpdate(rc.metadata, old.metadata), ...validateImmutableField(rc.handler, old.handler, 'handler')];
}
