// A ValidatingAdmissionPolicy compiled once, when it is written or read from the
// watch cache: its selectors parsed and each CEL expression type-checked in the
// policy's environment (params declared when it has a paramKind; variables always).
import type { MatchResources, ValidatingAdmissionPolicy } from '../../../../api/admissionregistration/v1/types.js';
import { selectorFromLabelSelector, type Selector } from '../../../../api/labels/selector.js';
import type { StatusCause } from '../../../../api/meta/v1/status.js';
import { invalid } from '../../../../api/validation/field.js';
import type { CompiledExpression } from '../../../cel/environment.js';
import { compileAdmissionExpression, type Declarations } from '../cel/compile.js';
import { MatchConditions, matchConditionErrors } from '../cel/matchconditions.js';

/** An expression and what compiling it gave. */
export interface Compiled {
  expression: string;
  compiled?: CompiledExpression;
  /** The compiler's message ("compilation failed: ..."), when it does not compile. */
  error?: string;
}

export interface CompiledMatch {
  resources: MatchResources;
  namespaceSelector: Selector;
  objectSelector: Selector;
}

export interface CompiledValidation extends Compiled {
  message?: string;
  messageExpression?: Compiled;
  reason?: string;
}

export interface CompiledPolicy {
  policy: ValidatingAdmissionPolicy;
  name: string;
  failurePolicy: 'Fail' | 'Ignore';
  match: CompiledMatch;
  matchConditions: MatchConditions;
  variables: Array<Compiled & { name: string }>;
  validations: CompiledValidation[];
  auditAnnotations: Array<Compiled & { key: string }>;
}

export function compileMatch(m: MatchResources | undefined): CompiledMatch {
  const resources = m ?? {};
  return {
    resources,
    namespaceSelector: selectorFromLabelSelector(resources.namespaceSelector ?? {}),
    objectSelector: selectorFromLabelSelector(resources.objectSelector ?? {}),
  };
}

function compile(expression: unknown, d: Declarations, returnTypes?: readonly string[]): Compiled {
  const text = typeof expression === 'string' ? expression : '';
  const r = compileAdmissionExpression(text, d, returnTypes);
  return 'compiled' in r ? { expression: text, compiled: r.compiled } : { expression: text, error: r.error };
}

export function declarationsOf(policy: ValidatingAdmissionPolicy): Declarations {
  return { params: !!policy.spec?.paramKind, variables: true };
}

export function compilePolicy(policy: ValidatingAdmissionPolicy): CompiledPolicy {
  const spec = policy.spec ?? {};
  const d = declarationsOf(policy);
  return {
    policy,
    name: policy.metadata.name ?? '',
    failurePolicy: spec.failurePolicy === 'Ignore' ? 'Ignore' : 'Fail',
    match: compileMatch(spec.matchConstraints),
    matchConditions: MatchConditions.compile(spec.matchConditions, d),
    variables: (spec.variables ?? []).map((v) => ({ name: v.name, ...compile(v.expression, d) })),
    validations: (spec.validations ?? []).map((v) => ({
      ...compile(v.expression, d, ['bool']),
      message: v.message,
      reason: v.reason,
      messageExpression: v.messageExpression ? compile(v.messageExpression, d, ['string']) : undefined,
    })),
    auditAnnotations: (spec.auditAnnotations ?? []).map((a) => ({ key: a.key, ...compile(a.valueExpression, d, ['string', 'null_type']) })),
  };
}

/** 422 causes for every expression of a policy that does not compile, at upstream's field paths. */
export function policyCompileErrors(policy: ValidatingAdmissionPolicy): StatusCause[] {
  const spec = policy.spec;
  if (!spec || typeof spec !== 'object') return [];
  const d = declarationsOf(policy);
  const errs: StatusCause[] = [];
  const check = (expression: unknown, field: string, returnTypes?: readonly string[]) => {
    if (typeof expression !== 'string' || expression === '') return;
    const c = compile(expression, d, returnTypes);
    if (c.error) errs.push(invalid(field, expression, c.error));
  };
  (Array.isArray(spec.validations) ? spec.validations : []).forEach((v, i) => {
    check(v?.expression, `spec.validations[${i}].expression`, ['bool']);
    check(v?.messageExpression, `spec.validations[${i}].messageExpression`, ['string']);
  });
  (Array.isArray(spec.variables) ? spec.variables : []).forEach((v, i) => check(v?.expression, `spec.variables[${i}].expression`));
  (Array.isArray(spec.auditAnnotations) ? spec.auditAnnotations : []).forEach((a, i) =>
    check(a?.valueExpression, `spec.auditAnnotations[${i}].valueExpression`, ['string', 'null_type']),
  );
  if (Array.isArray(spec.matchConditions)) errs.push(...matchConditionErrors(spec.matchConditions, 'spec.matchConditions', d));
  return errs;
}
