// events.k8s.io/v1 Event validation: the new API requires who reported what, and when.
import type { KubeObject } from '../../meta/v1/types.js';
import { type ErrorList, notSupported, required } from '../../validation/field.js';
import { nameIsDNSSubdomain } from '../../validation/names.js';
import { validateObjectMeta } from '../../validation/objectmeta.js';

export function validateEventV1(ev: KubeObject): ErrorList {
  const errs = validateObjectMeta(ev.metadata, { nameFn: nameIsDNSSubdomain });
  if (!ev.eventTime) errs.push(required('eventTime', ''));
  if (ev.type !== 'Normal' && ev.type !== 'Warning') errs.push(notSupported('type', ev.type ?? '', ['Normal', 'Warning']));
  for (const k of ['reportingController', 'reportingInstance', 'action', 'reason']) if (!ev[k]) errs.push(required(k, ''));
  return errs;
}
