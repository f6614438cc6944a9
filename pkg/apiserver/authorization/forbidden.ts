// The 403 a refused request gets, worded as kube-apiserver's responsewriters.Forbidden:
// `pods is forbidden: User "viewer-a" cannot list resource "pods" in API group "" in the namespace "b"`.
import { StatusError } from '../../../api/meta/v1/status.js';
import type { Attributes } from '../../auth/authorizer.js';

export function forbiddenMessage(attrs: Attributes): string {
  const user = JSON.stringify(attrs.user?.name ?? '');
  if (!attrs.isResourceRequest) return `User ${user} cannot ${attrs.verb} path ${JSON.stringify(attrs.path)}`;
  const resource = attrs.subresource ? `${attrs.resource}/${attrs.subresource}` : attrs.resource;
  const what = `User ${user} cannot ${attrs.verb} resource ${JSON.stringify(resource)} in API group ${JSON.stringify(attrs.apiGroup)}`;
  return attrs.namespace ? `${what} in the namespace ${JSON.stringify(attrs.namespace)}` : `${what} at the cluster scope`;
}

/** The Status error for a request the authorizer did not allow; reason is the authorizer's. */
export function newForbiddenRequest(attrs: Attributes, reason: string): StatusError {
  const msg = reason ? `${forbiddenMessage(attrs)}: ${reason}` : forbiddenMessage(attrs);
  const group = attrs.isResourceRequest ? attrs.apiGroup : '';
  const resource = attrs.isResourceRequest ? attrs.resource : '';
  const qualified = group ? `${resource}.${group}` : resource;
  let message: string;
  if (!qualified) message = `forbidden: ${msg}`;
  else if (!attrs.name) message = `${qualified} is forbidden: ${msg}`;
  else message = `${qualified} ${JSON.stringify(attrs.name)} is forbidden: ${msg}`;
  const details = JSON.parse(JSON.stringify({ name: attrs.name || undefined, group: group || undefined, kind: resource || undefined })) as Record<
    string,
    string
  >;
  return new StatusError(403, 'Forbidden', message, details);
}
