// May they: k8s.io/apiserver's authorizer.Attributes and Decision. The request
// attributes are derived from the path and method as upstream's RequestInfo does.
import type { FieldRequirement } from '../../api/fields/selector.js';
import type { UserInfo } from './user.js';

export interface Attributes {
  user: UserInfo;
  /** get, list, watch, create, update, patch, delete, deletecollection; for non-resource requests the lower-case HTTP method. Also impersonate, bind, escalate, approve, use. */
  verb: string;
  isResourceRequest: boolean;
  /** The request path, for non-resource requests (`/healthz`, `/api`, …). */
  path: string;
  apiGroup: string;
  apiVersion: string;
  namespace: string;
  resource: string;
  subresource: string;
  name: string;
  /**
   * The field selector of a list, watch or deletecollection, parsed (upstream's
   * GetFieldSelector, KEP-4601). Undefined when there is none or it does not parse:
   * a selector only narrows a request, so an authorizer then decides without it.
   */
  fieldSelector?: readonly FieldRequirement[];
}

export type Decision = 'Allow' | 'Deny' | 'NoOpinion';

export interface AuthorizerResult {
  decision: Decision;
  /** Why, for the audit log and access reviews. */
  reason: string;
}

export interface Authorizer {
  authorize(attrs: Attributes): AuthorizerResult | Promise<AuthorizerResult>;
}
