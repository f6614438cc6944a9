// admissionregistration.k8s.io/v1 validation after k8s pkg/apis/admissionregistration/validation:
// webhook configurations, with upstream's messages.
import type { KubeObject } from '../../meta/v1/types.js';
import { validateLabelSelector } from '../../labels/selector.js';
import type { LabelSelector } from '../../meta/v1/types.js';
import { type ErrorList, type Obj, arrAt, duplicate, invalid, notSupported, num, objAt, objs, required, str } from '../../validation/field.js';
import { nameIsDNSSubdomain } from '../../validation/names.js';
import { validateObjectMeta, validateObjectMetaUpdate } from '../../validation/objectmeta.js';
import { isDNS1035Label, isDNS1123Subdomain } from '../../util/validation.js';
import { validateMatchConditionFields } from './matchconditions.js';

const OPERATIONS = ['*', 'CONNECT', 'CREATE', 'DELETE', 'UPDATE'];
const SCOPES = ['*', 'Cluster', 'Namespaced'];
const FAILURE_POLICIES = ['Fail', 'Ignore'];
const MATCH_POLICIES = ['Equivalent', 'Exact'];
const REINVOCATION_POLICIES = ['IfNeeded', 'Never'];
/** v1 webhooks must declare they have no side effects (or none on dry run). */
const NO_SIDE_EFFECT_CLASSES = ['None', 'NoneOnDryRun'];
const SIDE_EFFECT_CLASSES = ['None', 'NoneOnDryRun', 'Some', 'Unknown'];
const ADMISSION_REVIEW_VERSIONS = ['v1', 'v1beta1'];

/** utilvalidation.IsFullyQualifiedName */
function validateFullyQualifiedName(name: string, field: string): ErrorList {
  if (name === '') return [required(field, '')];
  const errs = isDNS1123Subdomain(name).map((m) => invalid(field, name, m));
  if (errs.length === 0 && name.split('.').length < 3) errs.push(invalid(field, name, 'should be a domain with at least three segments separated by dots'));
  return errs;
}

function hasWildcardAndOthers(values: string[], wildcard = '*'): boolean {
  return values.includes(wildcard) && values.length > 1;
}

export function validateRule(rule: Obj, field: string): ErrorList {
  const errs: ErrorList = [];
  const operations = arrAt(rule, 'operations').map(String);
  if (operations.length === 0) errs.push(required(`${field}.operations`, ''));
  if (hasWildcardAndOthers(operations)) errs.push(invalid(`${field}.operations`, operations, "if '*' is present, must not specify other operations"));
  operations.forEach((op, i) => {
    if (!OPERATIONS.includes(op)) errs.push(notSupported(`${field}.operations[${i}]`, op, OPERATIONS));
  });
  const groups = arrAt(rule, 'apiGroups').map(String);
  if (groups.length === 0) errs.push(required(`${field}.apiGroups`, ''));
  if (hasWildcardAndOthers(groups)) errs.push(invalid(`${field}.apiGroups`, groups, "if '*' is present, must not specify other API groups"));
  const versions = arrAt(rule, 'apiVersions').map(String);
  if (versions.length === 0) errs.push(required(`${field}.apiVersions`, ''));
  if (hasWildcardAndOthers(versions)) errs.push(invalid(`${field}.apiVersions`, versions, "if '*' is present, must not specify other API versions"));
  versions.forEach((v, i) => {
    if (v === '') errs.push(required(`${field}.apiVersions[${i}]`, ''));
  });
  errs.push(...validateResources(arrAt(rule, 'resources').map(String), `${field}.resources`));
  const scope = rule.scope;
  if (scope !== undefined && scope !== null && !SCOPES.includes(String(scope))) errs.push(notSupported(`${field}.scope`, scope, SCOPES));
  return errs;
}

/** validateResources: every resource, every subresource, one resource, resource/sub, every resource's sub, every sub of one resource; with the overlaps upstream refuses. */
function validateResources(resources: string[], field: string): ErrorList {
  if (resources.length === 0) return [required(field, '')];
  const errs: ErrorList = [];
  const withSub = new Set<string>(); // "pods/status"
  const subWithWildcard = new Set<string>(); // resources with "res/*"
  const resWithWildcardSub = new Set<string>(); // subresources with "*/sub"
  resources.forEach((r, i) => {
    const f = `${field}[${i}]`;
    if (r === '') {
      errs.push(required(f, ''));
      return;
    }
    if (r === '*/*' || r === '*') {
      if (resources.length > 1) errs.push(invalid(field, resources, `if '${r}' is present, must not specify other resources`));
      return;
    }
    const parts = r.split('/');
    if (parts.length > 2) {
      errs.push(invalid(f, r, 'must be resource or resource/subresource'));
      return;
    }
    if (parts.length === 2) {
      const [res, sub] = parts;
      if (res === '' || sub === '') errs.push(invalid(f, r, 'must be resource or resource/subresource'));
      if (sub === '*') subWithWildcard.add(res);
      if (res === '*') resWithWildcardSub.add(sub);
      withSub.add(r);
    }
  });
  for (const r of withSub) {
    const [res, sub] = r.split('/');
    if (sub !== '*' && subWithWildcard.has(res)) errs.push(invalid(field, r, `if '${res}/*' is present, must not specify ${r}`));
    if (res !== '*' && resWithWildcardSub.has(sub)) errs.push(invalid(field, r, `if '*/${sub}' is present, must not specify ${r}`));
  }
  return errs;
}

/** ValidateWebhookURL (forceHTTPS) */
function validateWebhookURL(url: string, field: string): ErrorList {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return [invalid(field, url, 'host must be specified')];
  }
  const errs: ErrorList = [];
  if (u.protocol !== 'https:') errs.push(invalid(field, url, "'https' is the only allowed URL scheme"));
  if (u.hostname === '') errs.push(invalid(field, url, 'host must be specified'));
  if (u.username || u.password) errs.push(invalid(field, url, 'user information is not permitted in the URL'));
  if (u.hash) errs.push(invalid(field, url, 'fragments are not permitted in the URL'));
  if (u.search) errs.push(invalid(field, url, 'query parameters are not permitted in the URL'));
  return errs;
}

/** A webhook's clientConfig (upstream's checks of url or service); also a CRD's conversion webhook's. */
export function validateClientConfig(cc: Obj | undefined, field: string): ErrorList {
  const url = str(cc, 'url');
  const service = objAt(cc, 'service');
  if ((url !== undefined) === (service !== undefined)) return [required(field, 'exactly one of url or service is required')];
  if (url !== undefined) return validateWebhookURL(url, `${field}.url`);
  const errs: ErrorList = [];
  const svc = service as Obj;
  if (!str(svc, 'name')) errs.push(required(`${field}.service.name`, 'service name is required'));
  if (!str(svc, 'namespace')) errs.push(required(`${field}.service.namespace`, 'service namespace is required'));
  const path = str(svc, 'path');
  if (path !== undefined && path !== '') {
    if (!path.startsWith('/')) errs.push(invalid(`${field}.service.path`, path, "must start with a '/'"));
    else if (path !== '/') {
      for (const step of path.slice(1).replace(/\/$/, '').split('/')) {
        if (step === '') {
          errs.push(invalid(`${field}.service.path`, path, 'segment[] may not be empty'));
          break;
        }
      }
    }
  }
  const port = num(svc, 'port');
  if (port !== undefined && (port < 1 || port > 65535))
    errs.push(invalid(`${field}.service.port`, port, 'port is not valid: must be between 1 and 65535, inclusive'));
  return errs;
}

function validateWebhook(hook: Obj, field: string, mutating: boolean, requireNoSideEffects: boolean): ErrorList {
  const errs = validateFullyQualifiedName(str(hook, 'name') ?? '', `${field}.name`);
  objs(hook, 'rules').forEach((rule, i) => errs.push(...validateRule(rule, `${field}.rules[${i}]`)));
  const failurePolicy = hook.failurePolicy;
  if (failurePolicy !== undefined && failurePolicy !== null && !FAILURE_POLICIES.includes(String(failurePolicy)))
    errs.push(notSupported(`${field}.failurePolicy`, failurePolicy, FAILURE_POLICIES));
  const matchPolicy = hook.matchPolicy;
  if (matchPolicy !== undefined && matchPolicy !== null && !MATCH_POLICIES.includes(String(matchPolicy)))
    errs.push(notSupported(`${field}.matchPolicy`, matchPolicy, MATCH_POLICIES));
  const sideEffects = hook.sideEffects;
  const classes = requireNoSideEffects ? NO_SIDE_EFFECT_CLASSES : SIDE_EFFECT_CLASSES;
  if (sideEffects === undefined || sideEffects === null) errs.push(required(`${field}.sideEffects`, `must specify one of ${classes.join(', ')}`));
  else if (!classes.includes(String(sideEffects))) errs.push(notSupported(`${field}.sideEffects`, sideEffects, classes));
  const timeout = hook.timeoutSeconds;
  if (typeof timeout === 'number' && (timeout > 30 || timeout < 1))
    errs.push(invalid(`${field}.timeoutSeconds`, timeout, 'the timeout value must be between 1 and 30 seconds'));
  if (mutating) {
    const reinvocation = hook.reinvocationPolicy;
    if (reinvocation !== undefined && reinvocation !== null && !REINVOCATION_POLICIES.includes(String(reinvocation)))
      errs.push(notSupported(`${field}.reinvocationPolicy`, reinvocation, REINVOCATION_POLICIES));
  }
  errs.push(...validateLabelSelector(objAt(hook, 'namespaceSelector') as LabelSelector | undefined, `${field}.namespaceSelector`));
  errs.push(...validateLabelSelector(objAt(hook, 'objectSelector') as LabelSelector | undefined, `${field}.objectSelector`));
  errs.push(...validateAdmissionReviewVersions(arrAt(hook, 'admissionReviewVersions').map(String), `${field}.admissionReviewVersions`));
  errs.push(...validateClientConfig(objAt(hook, 'clientConfig'), `${field}.clientConfig`));
  errs.push(...validateMatchConditionFields(objs(hook, 'matchConditions'), `${field}.matchConditions`));
  return errs;
}

function validateAdmissionReviewVersions(versions: string[], field: string): ErrorList {
  if (versions.length === 0) return [required(field, `must specify one of ${ADMISSION_REVIEW_VERSIONS.join(', ')}`)];
  const errs: ErrorList = [];
  const seen = new Set<string>();
  versions.forEach((v, i) => {
    if (seen.has(v)) errs.push(duplicate(`${field}[${i}]`, v));
    seen.add(v);
    for (const m of isDNS1035Label(v)) errs.push(invalid(`${field}[${i}]`, v, m));
  });
  if (!versions.some((v) => ADMISSION_REVIEW_VERSIONS.includes(v)))
    errs.push(invalid(field, versions, `must include at least one of ${ADMISSION_REVIEW_VERSIONS.join(', ')}`));
  return errs;
}

/**
 * Configurations stored before v1 may say sideEffects Some or Unknown and keep saying
 * it on update; new ones, and those that declared none, must declare none.
 */
function validateConfiguration(obj: KubeObject, mutating: boolean, old?: KubeObject): ErrorList {
  const errs = validateObjectMeta(obj.metadata, { nameFn: nameIsDNSSubdomain });
  if (old) errs.push(...validateObjectMetaUpdate(obj.metadata, old.metadata));
  const requireNoSideEffects = !old || objs(old as Obj, 'webhooks').every((h) => NO_SIDE_EFFECT_CLASSES.includes(String(h.sideEffects)));
  const names = new Set<string>();
  objs(obj as Obj, 'webhooks').forEach((hook, i) => {
    const field = `webhooks[${i}]`;
    errs.push(...validateWebhook(hook, field, mutating, requireNoSideEffects));
    const name = str(hook, 'name') ?? '';
    if (name && names.has(name)) errs.push(duplicate(`${field}.name`, name));
    names.add(name);
  });
  return errs;
}

export const validateValidatingWebhookConfiguration = (obj: KubeObject): ErrorList => validateConfiguration(obj, false);
export const validateMutatingWebhookConfiguration = (obj: KubeObject): ErrorList => validateConfiguration(obj, true);
export const validateValidatingWebhookConfigurationUpdate = (obj: KubeObject, old: KubeObject): ErrorList => validateConfiguration(obj, false, old);
export const validateMutatingWebhookConfigurationUpdate = (obj: KubeObject, old: KubeObject): ErrorList => validateConfiguration(obj, true, old);
