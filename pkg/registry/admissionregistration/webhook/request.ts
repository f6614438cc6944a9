// The AdmissionRequest of an AdmissionReview (admission.k8s.io/v1), as webhooks
// receive it and as admission CEL expressions see it in `request`.
import { userInfoOf } from '../../../auth/user.js';
import type { AdmissionAttributes } from './attributes.js';

export function reviewRequest(uid: string, attr: AdmissionAttributes): Record<string, unknown> {
  const gvr = { group: attr.group, version: attr.version, resource: attr.resource };
  const gvk = { group: attr.group, version: attr.version, kind: attr.kind };
  const request: Record<string, unknown> = {
    uid,
    kind: gvk,
    resource: gvr,
    requestKind: gvk,
    requestResource: gvr,
    operation: attr.operation,
    userInfo: attr.user ? userInfoOf(attr.user) : {},
    object: attr.object ?? null,
    oldObject: attr.oldObject ?? null,
    dryRun: attr.dryRun,
    options: attr.options ?? null,
  };
  if (attr.subresource) {
    request.subResource = attr.subresource;
    request.requestSubResource = attr.subresource;
  }
  if (attr.name) request.name = attr.name;
  if (attr.namespace) request.namespace = attr.namespace;
  return request;
}
