// RBAC validation after k8s pkg/apis/rbac/validation.
import type { KubeObject } from '../../meta/v1/types.js';
import { type ErrorList, type Obj, arrAt, deepEqual, invalid, isObj, notSupported, objAt, objs, required, str } from '../../validation/field.js';
import { nameIsPathSegment, isDNS1123Subdomain } from '../../validation/names.js';
import { validateObjectMeta, validateObjectMetaUpdate, validateLabelSelector, asLabelSelector } from '../../validation/objectmeta.js';
import { RBAC_GROUP } from './defaults.js';

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.map(String) : [];
}

export function validatePolicyRule(rule: Obj, namespaced: boolean, field: string): ErrorList {
  const errs: ErrorList = [];
  if (strings(rule.verbs).length === 0) errs.push(required(`${field}.verbs`, 'verbs must contain at least one value'));
  const urls = strings(rule.nonResourceURLs);
  if (urls.length > 0) {
    if (namespaced) errs.push(invalid(`${field}.nonResourceURLs`, urls, 'namespaced rules cannot apply to non-resource URLs'));
    if (strings(rule.apiGroups).length || strings(rule.resources).length || strings(rule.resourceNames).length) {
      errs.push(invalid(`${field}.nonResourceURLs`, urls, 'rules cannot apply to both regular resources and non-resource URLs'));
    }
    return errs;
  }
  if (strings(rule.apiGroups).length === 0) errs.push(required(`${field}.apiGroups`, 'resource rules must supply at least one api group'));
  if (strings(rule.resources).length === 0) errs.push(required(`${field}.resources`, 'resource rules must supply at least one resource'));
  return errs;
}

export function validateRole(role: KubeObject): ErrorList {
  const errs = validateObjectMeta(role.metadata, { nameFn: nameIsPathSegment });
  objs(role, 'rules').forEach((r, i) => errs.push(...validatePolicyRule(r, true, `rules[${i}]`)));
  return errs;
}

export function validateClusterRole(role: KubeObject): ErrorList {
  const errs = validateObjectMeta(role.metadata, { nameFn: nameIsPathSegment });
  objs(role, 'rules').forEach((r, i) => errs.push(...validatePolicyRule(r, false, `rules[${i}]`)));
  const agg = objAt(role, 'aggregationRule');
  if (agg) {
    const selectors = arrAt(agg, 'clusterRoleSelectors');
    if (selectors.length === 0)
      errs.push(required('aggregationRule.clusterRoleSelectors', 'at least one clusterRoleSelector required if aggregationRule is non-nil'));
    selectors.forEach((s, i) => errs.push(...validateLabelSelector(asLabelSelector(s), `aggregationRule.clusterRoleSelectors[${i}]`)));
  }
  return errs;
}

function validateSubject(s: Obj, namespaced: boolean, field: string): ErrorList {
  const errs: ErrorList = [];
  const name = str(s, 'name') ?? '';
  if (!name) errs.push(required(`${field}.name`, ''));
  const kind = str(s, 'kind') ?? '';
  switch (kind) {
    case 'ServiceAccount':
      if (name) errs.push(...isDNS1123Subdomain(name).map((m) => invalid(`${field}.name`, name, m)));
      if (s.apiGroup) errs.push(notSupported(`${field}.apiGroup`, s.apiGroup, ['']));
      if (!namespaced && !s.namespace) errs.push(required(`${field}.namespace`, ''));
      break;
    case 'User':
    case 'Group':
      if (s.apiGroup !== RBAC_GROUP) errs.push(notSupported(`${field}.apiGroup`, s.apiGroup ?? '', [RBAC_GROUP]));
      break;
    default:
      errs.push(notSupported(`${field}.kind`, kind, ['ServiceAccount', 'User', 'Group']));
  }
  return errs;
}

function validateBinding(binding: KubeObject, namespaced: boolean): ErrorList {
  const errs = validateObjectMeta(binding.metadata, { nameFn: nameIsPathSegment });
  const ref = objAt(binding, 'roleRef') ?? {};
  if (ref.apiGroup !== RBAC_GROUP) errs.push(notSupported('roleRef.apiGroup', ref.apiGroup ?? '', [RBAC_GROUP]));
  const kinds = namespaced ? ['Role', 'ClusterRole'] : ['ClusterRole'];
  if (!kinds.includes(String(ref.kind))) errs.push(notSupported('roleRef.kind', ref.kind ?? '', kinds));
  if (!str(ref, 'name')) errs.push(required('roleRef.name', ''));
  objs(binding, 'subjects').forEach((s, i) => errs.push(...validateSubject(s, namespaced, `subjects[${i}]`)));
  return errs;
}

export const validateRoleBinding = (b: KubeObject): ErrorList => validateBinding(b, true);
export const validateClusterRoleBinding = (b: KubeObject): ErrorList => validateBinding(b, false);

export function validateBindingUpdate(b: KubeObject, old: KubeObject): ErrorList {
  const errs = validateObjectMetaUpdate(b.metadata, old.metadata);
  if (!deepEqual(b.roleRef, old.roleRef)) errs.push(invalid('roleRef', isObj(b.roleRef) ? b.roleRef : {}, 'cannot change roleRef'));
  return errs;
}
