// Evaluating a CRD version's x-kubernetes-validations rules on a custom resource,
// after apiextensions-apiserver's schema/cel validation.go: a Validator per schema
// node with rules (and the nodes above them), compiled once; each rule runs with
// `self` the node's value and, for transition rules, `oldSelf` the value it
// correlates with in the old object (the same property, map key or list-map
// item); failures become field errors at the node (or the rule's fieldPath) with
// the rule's message, messageExpression and reason. Unchanged values keep passing
// (validation ratcheting): a rule without oldSelf that fails on a value equal to
// the old one is a warning.
import { Optional } from '@marcbachmann/cel-js';
import type { JSONSchemaProps, ValidationRule } from '../../../../api/apiextensions/v1/types.js';
import type { StatusCause } from '../../../../api/meta/v1/status.js';
import { CostBudget, CostLimitError } from '../../../cel/environment.js';
import { deepEqual } from '../../../../api/validation/field.js';
import { compileRules, environmentsFor, OLD_SCOPED_VAR_NAME, SCOPED_VAR_NAME, type CompilationResult, type RuleEnvironments } from './compilation.js';
import { toTypedCel } from './model.js';

/** Upstream's limit on an evaluated messageExpression (celconfig.MaxEvaluatedMessageExpressionSizeBytes). */
const MAX_EVALUATED_MESSAGE_EXPRESSION_SIZE_BYTES = 5 * 1024;

type Json = Record<string, unknown>;

export interface RuleValidationResult {
  causes: StatusCause[];
  /** Failures of unchanged values (ratcheted), as `<field>: <message>`. */
  warnings: string[];
}

function hasXValidations(s: JSONSchemaProps | undefined, depth = 0): boolean {
  if (!s || depth > 64) return false;
  if (s['x-kubernetes-validations']?.length) return true;
  if (itemsOf(s) && hasXValidations(itemsOf(s), depth + 1)) return true;
  if (additionalOf(s) && hasXValidations(additionalOf(s), depth + 1)) return true;
  return Object.values(s.properties ?? {}).some((p) => hasXValidations(p, depth + 1));
}

function itemsOf(s: JSONSchemaProps): JSONSchemaProps | undefined {
  return s.items && typeof s.items === 'object' && !Array.isArray(s.items) ? (s.items as JSONSchemaProps) : undefined;
}

function additionalOf(s: JSONSchemaProps): JSONSchemaProps | undefined {
  return typeof s.additionalProperties === 'object' ? (s.additionalProperties as JSONSchemaProps) : undefined;
}

// ---- field paths, as field.Path prints them (the root is "<nil>") ----

type FieldPath = string | undefined;
const child = (p: FieldPath, name: string): string => (p ? `${p}.${name}` : name);
const index = (p: FieldPath, i: number): string => `${p ?? ''}[${i}]`;
const key = (p: FieldPath, k: string): string => `${p ?? ''}[${k}]`;
const shown = (p: FieldPath): string => p ?? '<nil>';

/** A field error as its StatusCause; value is the node's schema type, as upstream passes it. */
function fieldError(type: 'Invalid' | 'Forbidden' | 'Required' | 'Duplicate', field: FieldPath, value: string, detail: string): StatusCause {
  switch (type) {
    case 'Forbidden':
      return { reason: 'FieldValueForbidden', message: detail ? `Forbidden: ${detail}` : 'Forbidden', field: shown(field) };
    case 'Required':
      return { reason: 'FieldValueRequired', message: detail ? `Required value: ${detail}` : 'Required value', field: shown(field) };
    case 'Duplicate':
      return { reason: 'FieldValueDuplicate', message: `Duplicate value: ${JSON.stringify(value)}`, field: shown(field) };
    default:
      return { reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(value)}: ${detail}`, field: shown(field) };
  }
}

function fieldErrorForReason(field: FieldPath, value: string, detail: string, reason: string | undefined): StatusCause {
  if (reason === 'FieldValueForbidden') return fieldError('Forbidden', field, value, detail);
  if (reason === 'FieldValueRequired') return fieldError('Required', field, value, detail);
  if (reason === 'FieldValueDuplicate') return fieldError('Duplicate', field, value, detail);
  return fieldError('Invalid', field, value, detail);
}

function ruleErrorString(rule: ValidationRule): string {
  return rule.message ? rule.message.trim() : (rule.rule ?? '').trim();
}

function ruleMessageOrDefault(rule: ValidationRule): string {
  return rule.message ? rule.message.trim() : `failed rule: ${ruleErrorString(rule)}`;
}

/** An evaluation error as cel-go words the common ones. */
function evalErrorText(err: unknown): string {
  const e = err as { summary?: string; message?: string };
  const text = (e.summary ?? e.message ?? String(err)).split('\n')[0];
  const noKey = /^No such key: (.*)$/.exec(text);
  if (noKey) return `no such key: ${noKey[1]}`;
  return text;
}

// ---- correlation of new and old values, for ratcheting ----

/** A value and the old value it correlates with (upstream's common.CorrelatedObject). */
class Correlated {
  private equal?: boolean;

  constructor(
    readonly value: unknown,
    readonly old: unknown,
    readonly schema: JSONSchemaProps | undefined,
  ) {}

  cachedDeepEqual(): boolean {
    this.equal ??= deepEqual(this.value, this.old);
    return this.equal;
  }

  key(field: string): Correlated | undefined {
    const s = this.schema;
    if (!s || !isObject(this.value) || !isObject(this.old) || !Object.hasOwn(this.value, field) || !Object.hasOwn(this.old, field)) return undefined;
    const sub = s.properties && Object.hasOwn(s.properties, field) ? s.properties[field] : additionalOf(s);
    return new Correlated(this.value[field], this.old[field], sub);
  }

  index(i: number): Correlated | undefined {
    const s = this.schema;
    if (!s || !Array.isArray(this.value) || !Array.isArray(this.old)) return undefined;
    if (s['x-kubernetes-list-type'] !== 'map') return undefined;
    const old = mapListOld(s, this.old).get(this.value[i]);
    return old === undefined ? undefined : new Correlated(this.value[i], old, itemsOf(s));
  }
}

interface Ratcheting {
  current?: Correlated;
  nearestParent?: Correlated;
}

function shouldRatchetError(r: Ratcheting): boolean {
  if (r.current) return r.current.cachedDeepEqual();
  return r.nearestParent?.cachedDeepEqual() ?? false;
}

function ratchetKey(r: Ratcheting, field: string): Ratcheting {
  if (!r.current) return r;
  if (!r.nearestParent && (field === 'apiVersion' || field === 'kind')) return {};
  return { current: r.current.key(field), nearestParent: r.current };
}

function ratchetIndex(r: Ratcheting, i: number): Ratcheting {
  if (!r.current) return r;
  return { current: r.current.index(i), nearestParent: r.current };
}

function isObject(v: unknown): v is Json {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** The old items of a list-type=map list by their keys; get() finds the one a new item correlates with. */
function mapListOld(s: JSONSchemaProps, old: unknown[]): { get(item: unknown): unknown } {
  const keys = s['x-kubernetes-list-map-keys'] ?? [];
  const items = itemsOf(s);
  if (s['x-kubernetes-list-type'] !== 'map' || keys.length === 0) return { get: () => undefined };
  const keyOf = (item: unknown): string | undefined => {
    if (!isObject(item)) return undefined;
    return JSON.stringify(
      keys.map((k) => {
        if (Object.hasOwn(item, k)) return item[k];
        return items?.properties && Object.hasOwn(items.properties, k) ? (items.properties[k].default ?? null) : null;
      }),
    );
  };
  const byKey = new Map<string, unknown>();
  for (const o of old) {
    const k = keyOf(o);
    if (k !== undefined && !byKey.has(k)) byKey.set(k, o);
  }
  return {
    get: (item) => {
      const k = keyOf(item);
      return k === undefined ? undefined : byKey.get(k);
    },
  };
}

// ---- the validator tree ----

export class Validator {
  private items?: Validator;
  private properties?: Map<string, Validator>;
  private additionalProperties?: Validator;
  private compiled: CompilationResult[] = [];
  private rules: ValidationRule[] = [];
  private envs?: RuleEnvironments;

  private constructor(
    readonly schema: JSONSchemaProps,
    private readonly isResourceRoot: boolean,
  ) {}

  /** The validator of a schema (compiling every rule once); undefined when no rule is declared anywhere in it. */
  static for(schema: JSONSchemaProps | undefined, isResourceRoot = true): Validator | undefined {
    if (!schema || !hasXValidations(schema)) return undefined;
    return Validator.build(schema, isResourceRoot, 0);
  }

  private static build(schema: JSONSchemaProps, isResourceRoot: boolean, depth: number): Validator | undefined {
    if (depth > 64 || !hasXValidations(schema)) return undefined;
    const v = new Validator(schema, isResourceRoot);
    const rules = schema['x-kubernetes-validations'] ?? [];
    if (rules.length) {
      v.rules = rules;
      v.envs = environmentsFor(schema, isResourceRoot);
      v.compiled = v.envs
        ? compileRules(schema, v.envs)
        : rules.map(() => ({
            usesOldSelf: false,
            maxCost: 0,
            maxCardinality: 0,
            messageExpressionMaxCost: 0,
            error: { type: 'Internal' as const, detail: 'failed to convert to declType for CEL validation rules' },
          }));
    }
    const items = itemsOf(schema);
    if (items) v.items = Validator.build(items, items['x-kubernetes-embedded-resource'] === true, depth + 1);
    const additional = additionalOf(schema);
    if (additional) v.additionalProperties = Validator.build(additional, additional['x-kubernetes-embedded-resource'] === true, depth + 1);
    for (const [name, p] of Object.entries(schema.properties ?? {})) {
      const pv = Validator.build(p, p['x-kubernetes-embedded-resource'] === true, depth + 1);
      if (pv) (v.properties ??= new Map()).set(name, pv);
    }
    return v;
  }

  /**
   * Runs every rule on obj (old: the stored object on an update, for transition rules and
   * ratcheting), within upstream's per-request budget.
   */
  validate(obj: unknown, old: unknown, budget = new CostBudget()): RuleValidationResult {
    const out: RuleValidationResult = { causes: [], warnings: [] };
    const ratcheting: Ratcheting = old === undefined ? {} : { current: new Correlated(obj, old, this.schema) };
    this.validateNode(undefined, obj, old, ratcheting, budget, out);
    return out;
  }

  /** false once the budget is spent (no further rules run). */
  private validateNode(path: FieldPath, obj: unknown, old: unknown, r: Ratcheting, budget: CostBudget, out: RuleValidationResult): boolean {
    if (obj === null || obj === undefined) return true;
    if (old === null) old = undefined;
    if (!this.validateExpressions(path, obj, old, r, budget, out)) return false;
    if (Array.isArray(obj) && this.items) {
      const olds = Array.isArray(old) ? mapListOld(this.schema, old) : undefined;
      for (let i = 0; i < obj.length; i++) {
        if (!this.items.validateNode(index(path, i), obj[i], olds?.get(obj[i]), ratchetIndex(r, i), budget, out)) return false;
      }
    } else if (isObject(obj)) {
      const oldMap = isObject(old) ? old : undefined;
      const mapType = this.schema['x-kubernetes-map-type'];
      const correlatable = mapType === undefined || mapType === 'granular' || mapType === 'atomic';
      const oldOf = (k: string): unknown => (correlatable && oldMap && Object.hasOwn(oldMap, k) ? oldMap[k] : undefined);
      if (this.additionalProperties) {
        for (const [k, v] of Object.entries(obj)) {
          if (!this.additionalProperties.validateNode(key(path, k), v, oldOf(k), ratchetKey(r, k), budget, out)) return false;
        }
      }
      if (this.properties) {
        for (const [k, v] of Object.entries(obj)) {
          const sub = this.properties.get(k);
          if (sub && !sub.validateNode(child(path, k), v, oldOf(k), ratchetKey(r, k), budget, out)) return false;
        }
      }
    }
    return true;
  }

  private validateExpressions(path: FieldPath, obj: unknown, old: unknown, r: Ratcheting, budget: CostBudget, out: RuleValidationResult): boolean {
    if (this.compiled.length === 0) return true;
    const type = this.schema.type ?? '';
    if (budget.remaining <= 0) {
      out.causes.push(fieldError('Invalid', path, type, 'validation failed due to running out of cost budget, no further validation rules will be run'));
      return false;
    }
    const declType = this.envs?.declType;
    const self = toTypedCel(obj, declType);
    const oldSelf = old === undefined ? undefined : toTypedCel(old, declType);
    for (let i = 0; i < this.compiled.length; i++) {
      const compiled = this.compiled[i];
      const rule = this.rules[i];
      if (compiled.error) {
        out.causes.push(fieldError('Invalid', path, type, `rule compile error: ${compiled.error.detail}`));
        continue;
      }
      if (!compiled.program) continue;
      const optionalOldSelf = rule.optionalOldSelf === true;
      // Transition rules run only where there is an old value to compare with (unless oldSelf is optional).
      if (compiled.usesOldSelf && oldSelf === undefined && !optionalOldSelf) continue;
      const activation = new Map<string, unknown>([[SCOPED_VAR_NAME, self]]);
      if (optionalOldSelf) activation.set(OLD_SCOPED_VAR_NAME, oldSelf === undefined ? Optional.none() : Optional.of(oldSelf));
      else if (oldSelf !== undefined) activation.set(OLD_SCOPED_VAR_NAME, oldSelf);
      let result: unknown;
      try {
        result = compiled.program.evaluate(activation, budget);
      } catch (err) {
        if (err instanceof CostLimitError) {
          if (budget.remaining <= 0) {
            out.causes.push(fieldError('Invalid', path, type, 'validation failed due to running out of cost budget, no further validation rules will be run'));
          } else {
            out.causes.push(
              fieldError(
                'Invalid',
                path,
                type,
                `'operation cancelled: actual cost limit exceeded': no further validation rules will be run due to call cost exceeds limit for rule: ${ruleErrorString(rule)}`,
              ),
            );
          }
          return false;
        }
        const text = evalErrorText(err);
        if (/^no such overload|^found no matching overload/.test(text))
          out.causes.push(
            fieldError(
              'Invalid',
              path,
              type,
              `'${text}': call arguments did not match a supported operator, function or macro signature for rule: ${ruleErrorString(rule)}`,
            ),
          );
        else out.causes.push(fieldError('Invalid', path, type, `${text} evaluating rule: ${ruleErrorString(rule)}`));
        continue;
      }
      if (result === true) continue;
      const field = compiled.normalizedRuleFieldPath ? child(path, compiled.normalizedRuleFieldPath) : path;
      let message = ruleMessageOrDefault(rule);
      if (compiled.messageExpression) {
        const evaluated = this.evalMessageExpression(compiled, activation, budget);
        if (evaluated === false) {
          out.causes.push(
            fieldError(
              'Invalid',
              field,
              type,
              'messageExpression evaluation failed due to running out of cost budget, no further validation rules will be run',
            ),
          );
          return false;
        }
        if (evaluated !== undefined) message = evaluated;
      }
      const cause = fieldErrorForReason(field, type, message, rule.reason);
      if (!compiled.usesOldSelf && shouldRatchetError(r)) out.warnings.push(`${cause.field}: ${cause.message}`);
      else out.causes.push(cause);
    }
    return true;
  }

  /** The message, undefined to fall back to the rule's message (a runtime error, an empty or multi-line message), false past the budget. */
  private evalMessageExpression(compiled: CompilationResult, activation: ReadonlyMap<string, unknown>, budget: CostBudget): string | undefined | false {
    try {
      const v = compiled.messageExpression?.evaluate(activation, budget);
      if (typeof v !== 'string') return undefined;
      const trimmed = v.trim();
      if (trimmed.length === 0 || trimmed.length > MAX_EVALUATED_MESSAGE_EXPRESSION_SIZE_BYTES || /\n/.test(trimmed)) return undefined;
      return trimmed;
    } catch (err) {
      if (err instanceof CostLimitError) return false;
      return undefined;
    }
  }
}
