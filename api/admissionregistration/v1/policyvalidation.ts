// ValidatingAdmissionPolicy and ValidatingAdmissionPolicyBinding field checks, after
// k8s pkg/apis/admissionregistration/validation, with upstream's messages. The CEL
// expressions are compiled by the registry (pkg/registry/admissionregistration/policy).
import type { KubeObject } from '../../meta/v1/types.js';
import type { LabelSelector } from '../../meta/v1/types.js';
import { validateLabelSelector } from '../../labels/selector.js';
import { type ErrorList, type Obj, arrAt, duplicate, forbidden, invalid, notSupported, objAt, objs, required, str } from '../../validation/field.js';
import { nameIsDNSSubdomain } from '../../validation/names.js';
import { validateObjectMeta, validateObjectMetaUpdate } from '../../validation/objectmeta.js';
import { validateRule } from './validation.js';
import { validateMatchConditionFields } from './matchconditions.js';

const FAILURE_POLICIES = ['Fail', 'Ignore'];
const MATCH_POLICIES = ['Equivalent', 'Exact'];
const REASONS = ['Forbidden', 'Invalid', 'RequestEntityTooLarge', 'Unauthorized'];
const VALIDATION_ACTIONS = ['Audit', 'Deny', 'Warn'];
const PARAMETER_NOT_FOUND_ACTIONS = ['Allow', 'Deny'];
const CEL_IDENTIFIER = /^[_a-zA-Z][_a-zA-Z0-9]*$/;

function validateMatchResources(m: Obj | undefined, field: string, requireRules: boolean): ErrorList {
  if (!m) return requireRules ? [required(field, '')] : [];
  const errs: ErrorList = [];
  const matchPolicy = m.matchPolicy;
  if (matchPolicy !== undefined && matchPolicy !== null && !MATCH_POLICIES.includes(String(matchPolicy)))
    errs.push(notSupported(`${field}.matchPolicy`, matchPolicy, MATCH_POLICIES));
  const rules = objs(m, 'resourceRules');
  if (requireRules && rules.length === 0) errs.push(required(`${field}.resourceRules`, ''));
  rules.forEach((r, i) => errs.push(...validateRule(r, `${field}.resourceRules[${i}]`)));
  objs(m, 'excludeResourceRules').forEach((r, i) => errs.push(...validateRule(r, `${field}.excludeResourceRules[${i}]`)));
  errs.push(...validateLabelSelector(objAt(m, 'namespaceSelector') as LabelSelector | undefined, `${field}.namespaceSelector`));
  errs.push(...validateLabelSelector(objAt(m, 'objectSelector') as LabelSelector | undefined, `${field}.objectSelector`));
  return errs;
}

function validatePolicySpec(spec: Obj | undefined): ErrorList {
  const errs: ErrorList = [];
  if (!spec) return [required('spec', '')];
  const failurePolicy = spec.failurePolicy;
  if (failurePolicy !== undefined && failurePolicy !== null && !FAILURE_POLICIES.includes(String(failurePolicy)))
    errs.push(notSupported('spec.failurePolicy', failurePolicy, FAILURE_POLICIES));
  const paramKind = objAt(spec, 'paramKind');
  if (paramKind) {
    const apiVersion = str(paramKind, 'apiVersion') ?? '';
    if (apiVersion === '') errs.push(required('spec.paramKind.apiVersion', ''));
    else if (apiVersion.split('/').length > 2 || apiVersion.split('/').some((p) => p === ''))
      errs.push(invalid('spec.paramKind.apiVersion', apiVersion, 'apiVersion must be in the form of group/version or version'));
    if (!str(paramKind, 'kind')) errs.push(required('spec.paramKind.kind', ''));
  }
  errs.push(...validateMatchResources(objAt(spec, 'matchConstraints'), 'spec.matchConstraints', true));
  const validations = objs(spec, 'validations');
  const auditAnnotations = objs(spec, 'auditAnnotations');
  if (validations.length === 0 && auditAnnotations.length === 0)
    errs.push(required('spec.validations', 'validations or auditAnnotations must contain at least one item'));
  validations.forEach((v, i) => {
    const f = `spec.validations[${i}]`;
    if (!str(v, 'expression')) errs.push(required(`${f}.expression`, ''));
    const message = str(v, 'message');
    if (message !== undefined) {
      if (message.trim() === '') errs.push(required(`${f}.message`, 'message must be non-empty if specified'));
      else if (message.includes('\n')) errs.push(invalid(`${f}.message`, message, 'message must not contain line breaks'));
    }
    const reason = v.reason;
    if (reason !== undefined && reason !== null && !REASONS.includes(String(reason))) errs.push(notSupported(`${f}.reason`, reason, REASONS));
  });
  const keys = new Set<string>();
  auditAnnotations.forEach((a, i) => {
    const f = `spec.auditAnnotations[${i}]`;
    const key = str(a, 'key') ?? '';
    if (key === '') errs.push(required(`${f}.key`, ''));
    else if (keys.has(key)) errs.push(duplicate(`${f}.key`, key));
    keys.add(key);
    if (!str(a, 'valueExpression')) errs.push(required(`${f}.valueExpression`, ''));
  });
  errs.push(...validateMatchConditionFields(objs(spec, 'matchConditions'), 'spec.matchConditions'));
  const variableNames = new Set<string>();
  objs(spec, 'variables').forEach((v, i) => {
    const f = `spec.variables[${i}]`;
    const name = str(v, 'name') ?? '';
    if (name === '') errs.push(required(`${f}.name`, ''));
    else if (!CEL_IDENTIFIER.test(name)) errs.push(invalid(`${f}.name`, name, 'name is not a valid CEL identifier'));
    else if (variableNames.has(name)) errs.push(duplicate(`${f}.name`, name));
    variableNames.add(name);
    if (!str(v, 'expression')) errs.push(required(`${f}.expression`, ''));
  });
  return errs;
}

export function validateValidatingAdmissionPolicy(obj: KubeObject): ErrorList {
  return [...validateObjectMeta(obj.metadata, { nameFn: nameIsDNSSubdomain }), ...validatePolicySpec(objAt(obj as Obj, 'spec'))];
}

export function validateValidatingAdmissionPolicyUpdate(obj: KubeObject, old: KubeObject): ErrorList {
  return validateObjectMetaUpdate(obj.metadata, old.metadata);
}

export function validateValidatingAdmissionPolicyBinding(obj: KubeObject): ErrorList {
  const errs = validateObjectMeta(obj.metadata, { nameFn: nameIsDNSSubdomain });
  const spec = objAt(obj as Obj, 'spec');
  if (!spec) return [...errs, required('spec', '')];
  if (!str(spec, 'policyName')) errs.push(required('spec.policyName', ''));
  const actions = arrAt(spec, 'validationActions').map(String);
  if (actions.length === 0) errs.push(required('spec.validationActions', 'at least one validation action is required'));
  const seen = new Set<string>();
  actions.forEach((a, i) => {
    if (seen.has(a)) errs.push(duplicate(`spec.validationActions[${i}]`, a));
    seen.add(a);
    if (!VALIDATION_ACTIONS.includes(a)) errs.push(notSupported(`spec.validationActions[${i}]`, a, VALIDATION_ACTIONS));
  });
  if (seen.has('Deny') && seen.has('Warn'))
    errs.push(
      invalid(
        'spec.validationActions',
        actions,
        'must not contain both Deny and Warn (repeating the same validation failure information in the API response and headers serves no purpose)',
      ),
    );
  const paramRef = objAt(spec, 'paramRef');
  if (paramRef) {
    const name = str(paramRef, 'name');
    const selector = objAt(paramRef, 'selector');
    if (name && selector) errs.push(forbidden('spec.paramRef.name', 'name and selector are mutually exclusive'));
    if (!name && !selector) errs.push(required('spec.paramRef', 'one of name or selector must be specified'));
    if (selector) errs.push(...validateLabelSelector(selector as LabelSelector, 'spec.paramRef.selector'));
    const action = paramRef.parameterNotFoundAction;
    if (action === undefined || action === null) errs.push(required('spec.paramRef.parameterNotFoundAction', ''));
    else if (!PARAMETER_NOT_FOUND_ACTIONS.includes(String(action)))
      errs.push(notSupported('spec.paramRef.parameterNotFoundAction', action, PARAMETER_NOT_FOUND_ACTIONS));
  }
  errs.push(...validateMatchResources(objAt(spec, 'matchResources'), 'spec.matchResources', false));
  return errs;
}

export function validateValidatingAdmissionPolicyBindingUpdate(obj: KubeObject, old: KubeObject): ErrorList {
  return validateObjectMetaUpdate(obj.metadata, old.metadata);
}
