// What the access reviews ask of the apiserver's authorization: its authorizer
// (may this user do this?) and its rule resolver (what may this user do here?).
// The apiserver builds both (pkg/apiserver/authorization) and hands them to the
// registry; after upstream's pkg/registry/authorization/util.
import type { NonResourceAttributes, NonResourceRule, ResourceAttributes, ResourceRule } from '../../../api/authorization/v1/types.js';
import type { Attributes, Authorizer } from '../../auth/authorizer.js';
import type { UserInfo } from '../../auth/user.js';

/** The rules a user holds in a namespace, as SelfSubjectRulesReview reports them. */
export interface SubjectRules {
  resourceRules: ResourceRule[];
  nonResourceRules: NonResourceRule[];
  /** Some authorizer could not list everything it would allow (the node authorizer never can). */
  incomplete: boolean;
  evaluationError?: string;
}

export interface SubjectRulesResolver {
  rulesFor(user: UserInfo, namespace: string): SubjectRules | Promise<SubjectRules>;
}

export interface APIAuthorization {
  authorizer: Authorizer;
  rules: SubjectRulesResolver;
}

export function resourceAttributesFrom(user: UserInfo, a: ResourceAttributes): Attributes {
  return {
    user,
    verb: a.verb ?? '',
    isResourceRequest: true,
    path: '',
    apiGroup: a.group ?? '',
    apiVersion: a.version ?? '',
    namespace: a.namespace ?? '',
    resource: a.resource ?? '',
    subresource: a.subresource ?? '',
    name: a.name ?? '',
  };
}

export function nonResourceAttributesFrom(user: UserInfo, a: NonResourceAttributes): Attributes {
  return {
    user,
    verb: a.verb ?? '',
    isResourceRequest: false,
    path: a.path ?? '',
    apiGroup: '',
    apiVersion: '',
    namespace: '',
    resource: '',
    subresource: '',
    name: '',
  };
}

/** The user a SubjectAccessReview asks about; extra's keys are the client's, so they go into a Map. */
export function userFromSpec(spec: { user?: string; groups?: string[]; uid?: string; extra?: Record<string, string[]> }): UserInfo {
  const user: UserInfo = { name: spec.user ?? '', groups: [...(spec.groups ?? [])] };
  if (spec.uid) user.uid = spec.uid;
  if (spec.extra && typeof spec.extra === 'object')
    user.extra = new Map(Object.entries(spec.extra).map(([k, v]) => [k, Array.isArray(v) ? v.map(String) : []]));
  return user;
}
