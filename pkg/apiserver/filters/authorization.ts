// May they: the authorization filter's answers (k8s.io/apiserver's WithAuthorization
// and responsewriters.Forbidden). A request the authorizer does not allow is
// 403 with upstream's message, e.g.
//   pods is forbidden: User "viewer-a" cannot list resource "pods" in API group "" in the namespace "b"
// and an authorizer that fails is 500.
import { StatusError } from '../../../api/meta/v1/status.js';
import type { Attributes, Authorizer, AuthorizerResult } from '../../auth/authorizer.js';
import { goQuote as quote } from '../../util/goquote.js';

/** Allows everything: the default until an authorization mode is configured. */
export const ALWAYS_ALLOW: Authorizer = Object.freeze({
  authorize: (): AuthorizerResult => ALLOWED,
});
const ALLOWED: AuthorizerResult = Object.freeze({ decision: 'Allow', reason: '' });

// Messages must not read as HTML; quotes may stay.
function sanitize(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** responsewriters' forbiddenMessage: what the user cannot do, by scope. */
export function forbiddenMessage(a: Attributes): string {
  const user = quote(a.user?.name ?? '');
  if (!a.isResourceRequest) return `User ${user} cannot ${a.verb} path ${quote(a.path)}`;
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const where = a.namespace ? `in the namespace ${quote(a.namespace)}` : 'at the cluster scope';
  return `User ${user} cannot ${a.verb} resource ${quote(resource)} in API group ${quote(a.apiGroup)} ${where}`;
}

/**
 * responsewriters.Forbidden: apierrors.NewForbidden for the attributes' group and resource
 * (subresources are named in the message only), with the authorizer's reason appended.
 */
export function forbiddenError(a: Attributes, reason: string): StatusError {
  const msg = sanitize(forbiddenMessage(a));
  const err = reason ? `${msg}: ${reason}` : msg;
  const qualified = a.apiGroup ? `${a.resource}.${a.apiGroup}` : a.resource;
  let message: string;
  if (a.apiGroup === '' && a.resource === '') message = `forbidden: ${err}`;
  else if (a.name === '') message = `${qualified} is forbidden: ${err}`;
  else message = `${qualified} ${quote(a.name)} is forbidden: ${err}`;
  const details: { name?: string; group?: string; kind?: string } = {};
  if (a.name) details.name = a.name;
  if (a.apiGroup) details.group = a.apiGroup;
  if (a.resource) details.kind = a.resource;
  return new StatusError(403, 'Forbidden', message, details);
}

/** The authorizer's answer, synchronously when it gives one; a throw becomes a rejected promise. */
export function authorize(authorizer: Authorizer, a: Attributes): AuthorizerResult | Promise<AuthorizerResult> {
  try {
    return authorizer.authorize(a);
  } catch (err) {
    return Promise.reject(err);
  }
}
