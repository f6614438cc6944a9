// The values an admission expression sees: the request's objects in the request's
// version, the AdmissionRequest as a webhook would receive it, the namespace of the
// request, and a policy's params and variables.
import type { KubeObject } from '../../../../api/meta/v1/types.js';
import { Authorizer, type AuthorizeFunc } from '../../../cel/library/authz.js';
import { toCel } from '../../../cel/value.js';
import type { AdmissionAttributes } from '../webhook/attributes.js';
import { reviewRequest } from '../webhook/request.js';

/** Checks as the request's user (or a service account): given by the registry, which holds the apiserver's authorizer. */
export type RequestAuthorizer = (attr: AdmissionAttributes) => AuthorizeFunc;

/** The activation of one request; params and variables are added per policy evaluation. */
export function admissionActivation(attr: AdmissionAttributes, namespaceObject?: KubeObject, authorize?: RequestAuthorizer): Map<string, unknown> {
  const request = reviewRequest('', attr);
  delete request.uid;
  delete request.object;
  delete request.oldObject;
  return new Map<string, unknown>([
    ['object', toCel(attr.object ?? null)],
    ['oldObject', toCel(attr.oldObject ?? null)],
    ['request', toCel(request)],
    ['namespaceObject', toCel(namespaceObject ?? null)],
    [
      'authorizer',
      new Authorizer(authorize?.(attr) ?? allowAll, {
        group: attr.group,
        version: attr.version,
        resource: attr.resource,
        subresource: attr.subresource,
        namespace: attr.namespace,
        name: attr.name,
      }),
    ],
  ]);
}

/** Without an authorizer (the apiserver authorises nothing), every check is allowed. */
const allowAll: AuthorizeFunc = () => ({ allowed: true, reason: '' });
