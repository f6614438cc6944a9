// The values an admission expression sees: the request's objects in the request's
// version, the AdmissionRequest as a webhook would receive it, the namespace of the
// request, and a policy's params and variables.
import type { KubeObject } from '../../../../api/meta/v1/types.js';
import { toCel } from '../../../cel/value.js';
import type { AdmissionAttributes } from '../webhook/attributes.js';
import { reviewRequest } from '../webhook/request.js';

/** The activation of one request; params and variables are added per policy evaluation. */
export function admissionActivation(attr: AdmissionAttributes, namespaceObject?: KubeObject): Map<string, unknown> {
  const request = reviewRequest('', attr);
  delete request.uid;
  delete request.object;
  delete request.oldObject;
  return new Map<string, unknown>([
    ['object', toCel(attr.object ?? null)],
    ['oldObject', toCel(attr.oldObject ?? null)],
    ['request', toCel(request)],
    ['namespaceObject', toCel(namespaceObject ?? null)],
  ]);
}
