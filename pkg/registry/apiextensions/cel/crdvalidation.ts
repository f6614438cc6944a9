// The x-kubernetes-validations of a CRD checked when the CRD is written, after
// apiextensions' ValidateCustomResourceDefinitionOpenAPISchema and its CEL context
// (cel_validation.go): each rule's fields, then every rule compiled against its
// node's type; a rule whose estimated cost (times how many values of its node one
// request can hold) exceeds StaticEstimatedCostLimit, a CRD version whose rules
// together exceed StaticEstimatedCRDCostLimit, and a transition rule under a list
// whose items cannot be correlated with the old ones are refused. So an expensive
// or broken rule is a 422 on the CRD, never a failure when custom resources are written.
import type { CustomResourceDefinition, JSONSchemaProps, ValidationRule } from '../../../../api/apiextensions/v1/types.js';
import type { KubeObject } from '../../../../api/meta/v1/types.js';
import { forbidden, invalid, notSupported, required, type ErrorList } from '../../../../api/validation/field.js';
import { structuralErrors } from '../../../../api/apiextensions/v1/structural.js';
import { costLimitMessage } from '../../../cel/cost.js';
import { compileRules, environmentsFor } from './compilation.js';
import { validFieldPath } from './fieldpath.js';

/** Upstream's limits (apiextensions validation.go). */
export const STATIC_ESTIMATED_COST_LIMIT = 10_000_000;
export const STATIC_ESTIMATED_CRD_COST_LIMIT = 100_000_000;

const SUPPORTED_REASONS = ['FieldValueDuplicate', 'FieldValueForbidden', 'FieldValueInvalid', 'FieldValueRequired'];

interface Context {
  /** How many values of this node one request can hold; undefined when the schema bounds it nowhere above. */
  cardinality: number | undefined;
  /** The highest path below which old values cannot be correlated (items of a list that is not list-type=map). */
  uncorrelatable?: string;
}

interface RuleCost {
  path: string;
  cost: number;
}

class TotalCost {
  total = 0;
  mostExpensive: RuleCost[] = [];

  observe(path: string, cost: number): void {
    this.total += cost;
    if (cost < STATIC_ESTIMATED_CRD_COST_LIMIT / 100) return; // under 1% of the limit
    this.mostExpensive.push({ path, cost });
    this.mostExpensive.sort((a, b) => b.cost - a.cost);
    this.mostExpensive.length = Math.min(this.mostExpensive.length, 4);
  }
}

/** Go's %#v of the internal ValidationRule, as field errors print the rule. */
function goRule(r: ValidationRule): { raw: string } {
  const q = (s: string | undefined) => JSON.stringify(s ?? '');
  // Go prints the pointers' addresses; a fixed one stands for a set pointer.
  const reason = r.reason === undefined ? '(*apiextensions.FieldValueErrorReason)(nil)' : '(*apiextensions.FieldValueErrorReason)(0xc000a1c000)';
  const optional = r.optionalOldSelf === undefined ? '(*bool)(nil)' : '(*bool)(0xc000a1c010)';
  return {
    raw: `apiextensions.ValidationRule{Rule:${q(r.rule)}, Message:${q(r.message)}, MessageExpression:${q(r.messageExpression)}, Reason:${reason}, FieldPath:${q(r.fieldPath)}, OptionalOldSelf:${optional}}`,
  };
}

const hasNewlines = (s: string) => /[\n\r]+/.test(s);

function itemsOf(s: JSONSchemaProps): JSONSchemaProps | undefined {
  return s.items && typeof s.items === 'object' && !Array.isArray(s.items) ? (s.items as JSONSchemaProps) : undefined;
}

function additionalOf(s: JSONSchemaProps): JSONSchemaProps | undefined {
  return typeof s.additionalProperties === 'object' ? (s.additionalProperties as JSONSchemaProps) : undefined;
}

/** extractMaxElements: how many children a value of this schema has at most (undefined: unbounded). */
function maxElements(s: JSONSchemaProps): number | undefined {
  if (s.type === 'object') return s.additionalProperties !== undefined ? (s.maxProperties === undefined ? undefined : Math.max(0, s.maxProperties)) : 1;
  if (s.type === 'array') return s.maxItems === undefined ? undefined : Math.max(0, s.maxItems);
  return 1;
}

function childContext(parent: Context, parentSchema: JSONSchemaProps, uncorrelatable?: string): Context {
  const max = maxElements(parentSchema);
  const cardinality = parent.cardinality === undefined || max === undefined ? undefined : parent.cardinality * max;
  return { cardinality, uncorrelatable: parent.uncorrelatable ?? uncorrelatable };
}

/** Rule field checks (SchemaErrors), then compile and cost checks (CELErrors), depth first. */
function walk(
  s: JSONSchemaProps,
  path: string,
  ctx: Context,
  isResourceRoot: boolean,
  total: TotalCost,
  out: { schema: ErrorList; cel: ErrorList },
  depth: number,
): void {
  if (depth > 64) return;
  const schemaErrorsBefore = out.schema.length;
  const additional = additionalOf(s);
  if (additional)
    walk(additional, `${path}.additionalProperties`, childContext(ctx, s), additional['x-kubernetes-embedded-resource'] === true, total, out, depth + 1);
  for (const [name, p] of Object.entries(s.properties ?? {})) {
    const mapType = s['x-kubernetes-map-type'];
    const correlatable = mapType === undefined || mapType === 'granular' || mapType === 'atomic';
    walk(
      p,
      `${path}.properties[${name}]`,
      childContext(ctx, s, correlatable ? undefined : path),
      p['x-kubernetes-embedded-resource'] === true,
      total,
      out,
      depth + 1,
    );
  }
  const items = itemsOf(s);
  if (items) {
    // Only list-type=map items correlate with old ones (set items are not correlated for rules).
    const uncorrelatable = s['x-kubernetes-list-type'] !== 'map' ? path : undefined;
    walk(items, `${path}.items`, childContext(ctx, s, uncorrelatable), items['x-kubernetes-embedded-resource'] === true, total, out, depth + 1);
  }
  const rules = s['x-kubernetes-validations'] ?? [];
  if (rules.length === 0) return;
  rules.forEach((rule, i) => {
    const p = `${path}.x-kubernetes-validations[${i}]`;
    const trimmedRule = (rule.rule ?? '').trim();
    const trimmedMsg = (rule.message ?? '').trim();
    if (trimmedRule.length === 0) out.schema.push(required(`${p}.rule`, 'rule is not specified'));
    else if (rule.message && trimmedMsg.length === 0) out.schema.push(invalid(`${p}.message`, rule.message, 'message must be non-empty if specified'));
    else if (hasNewlines(trimmedMsg)) out.schema.push(invalid(`${p}.message`, rule.message, 'message must not contain line breaks'));
    else if (hasNewlines(trimmedRule) && trimmedMsg.length === 0)
      out.schema.push(required(`${p}.message`, 'message must be specified if rule contains line breaks'));
    if (rule.messageExpression !== undefined && rule.messageExpression.length > 0 && rule.messageExpression.trim().length === 0)
      out.schema.push(required(`${p}.messageExpression`, 'messageExpression must be non-empty if specified'));
    if (rule.reason !== undefined && !SUPPORTED_REASONS.includes(rule.reason)) out.schema.push(notSupported(`${p}.reason`, rule.reason, SUPPORTED_REASONS));
    if (rule.fieldPath) {
      if (rule.fieldPath.trim().length === 0) out.schema.push(invalid(`${p}.fieldPath`, rule.fieldPath, 'fieldPath must be non-empty if specified'));
      if (hasNewlines(rule.fieldPath)) out.schema.push(invalid(`${p}.fieldPath`, rule.fieldPath, 'fieldPath must not contain line breaks'));
      if (validFieldPath(rule.fieldPath, s) instanceof Error) out.schema.push(invalid(`${p}.fieldPath`, rule.fieldPath, 'fieldPath must be a valid path'));
    }
  });
  // Rules under a schema that is itself wrong are not compiled: their errors would only mislead.
  if (out.schema.length > schemaErrorsBefore) return;
  const envs = environmentsFor(s, isResourceRoot);
  if (!envs) {
    out.cel.push({
      reason: 'InternalError',
      message: 'Internal error: internal error: failed to retrieve type information for x-kubernetes-validations',
      field: `${path}.x-kubernetes-validations`,
    });
    return;
  }
  compileRules(s, envs).forEach((cr, i) => {
    const rule = rules[i];
    const p = `${path}.x-kubernetes-validations[${i}]`;
    const expressionCost = cr.maxCost === 0 ? 0 : cr.maxCost * (ctx.cardinality ?? cr.maxCardinality);
    const ruleCost = costLimitMessage('estimated rule cost', expressionCost, STATIC_ESTIMATED_COST_LIMIT);
    if (ruleCost) out.cel.push(forbidden(`${p}.rule`, ruleCost));
    total.observe(`${p}.rule`, expressionCost);
    if (cr.error) {
      if (cr.error.type === 'Required') out.cel.push(required(`${p}.rule`, cr.error.detail));
      else out.cel.push(invalid(`${p}.rule`, goRule(rule), cr.error.detail));
    }
    if (cr.messageExpressionError) out.cel.push(invalid(`${p}.messageExpression`, goRule(rule), cr.messageExpressionError.detail));
    else if (cr.messageExpression) {
      const msgCost = costLimitMessage('estimated messageExpression cost', cr.messageExpressionMaxCost, STATIC_ESTIMATED_COST_LIMIT);
      if (msgCost) out.cel.push(forbidden(`${p}.messageExpression`, msgCost));
      total.observe(`${p}.messageExpression`, cr.messageExpressionMaxCost);
    }
    if (cr.usesOldSelf) {
      if (ctx.uncorrelatable !== undefined)
        out.cel.push(invalid(`${p}.rule`, rule.rule, `oldSelf cannot be used on the uncorrelatable portion of the schema within ${ctx.uncorrelatable}`));
    } else if (rule.optionalOldSelf !== undefined) {
      out.cel.push(invalid(`${p}.optionalOldSelf`, rule.optionalOldSelf, 'may not be set if oldSelf is not used in rule'));
    }
  });
}

/** The errors of one version's schema rules; path is the schema's (`spec.versions[0].schema.openAPIV3Schema`). */
export function validateSchemaValidationRules(schema: JSONSchemaProps, path: string): ErrorList {
  // Rules are only compiled on a structural schema (the schema's own errors are reported besides).
  if (structuralErrors(schema, path).length > 0) return [];
  const total = new TotalCost();
  const out = { schema: [] as ErrorList, cel: [] as ErrorList };
  walk(schema, path, { cardinality: 1 }, true, total, out, 0);
  const errs = [...out.schema, ...out.cel];
  if (total.total > STATIC_ESTIMATED_CRD_COST_LIMIT) {
    for (const e of total.mostExpensive)
      errs.push(forbidden(e.path, 'contributed to estimated rule cost total exceeding cost limit for entire OpenAPIv3 schema'));
    const msg = costLimitMessage(
      'x-kubernetes-validations estimated rule cost total for entire OpenAPIv3 schema',
      total.total,
      STATIC_ESTIMATED_CRD_COST_LIMIT,
    );
    if (msg) errs.push(forbidden(path, msg));
  }
  return errs;
}

/** Results of recent schemas: a CRD's status writes validate it again with the same schemas. */
const recent = new Map<string, ErrorList>();
const RECENT_MAX = 64;

function cachedValidateRules(schema: JSONSchemaProps, path: string): ErrorList {
  const key = `${path}\n${JSON.stringify(schema)}`;
  let errs = recent.get(key);
  if (!errs) {
    errs = validateSchemaValidationRules(schema, path);
    if (recent.size >= RECENT_MAX) recent.delete(recent.keys().next().value as string);
    recent.set(key, errs);
  }
  return errs.map((e) => ({ ...e }));
}

/** Every version's rules (the CRD strategy's CEL check, on create and update). */
export function validateCustomResourceDefinitionRules(obj: KubeObject): ErrorList {
  const crd = obj as CustomResourceDefinition;
  const versions = Array.isArray(crd.spec?.versions) ? crd.spec.versions : [];
  const errs: ErrorList = [];
  versions.forEach((v, i) => {
    const schema = v?.schema?.openAPIV3Schema;
    if (schema && typeof schema === 'object' && JSON.stringify(schema).includes('"x-kubernetes-validations"'))
      errs.push(...cachedValidateRules(schema, `spec.versions[${i}].schema.openAPIV3Schema`));
  });
  return errs;
}
