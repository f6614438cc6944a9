// Compiling the x-kubernetes-validations rules of one schema node, after
// apiextensions-apiserver's schema/cel compilation.go: `self` (and `oldSelf`, an
// optional for optionalOldSelf rules) typed from the node's structural schema,
// each rule checked to be a bool, its messageExpression a string, and the worst
// case cost of each estimated from the schema's declared sizes.
import type { Environment } from '@marcbachmann/cel-js';
import type { JSONSchemaProps, ValidationRule } from '../../../../api/apiextensions/v1/types.js';
import { CelEnvironment, CompileError, type CompiledExpression } from '../../../cel/environment.js';
import { MAX_REQUEST_SIZE_BYTES } from '../../../cel/cost.js';
import { celEqual, celTypeName, declTypeAt, schemaDeclType, TypeNamer, type DeclType } from './model.js';
import { validFieldPath } from './fieldpath.js';

export const SCOPED_VAR_NAME = 'self';
export const OLD_SCOPED_VAR_NAME = 'oldSelf';

export interface RuleError {
  type: 'Invalid' | 'Required' | 'Internal';
  detail: string;
}

export interface CompilationResult {
  program?: CompiledExpression;
  error?: RuleError;
  usesOldSelf: boolean;
  /** The rule's estimated worst-case cost for one evaluation. */
  maxCost: number;
  /** How many values of this node one request can hold (by the node's smallest serialized size). */
  maxCardinality: number;
  messageExpression?: CompiledExpression;
  messageExpressionError?: RuleError;
  messageExpressionMaxCost: number;
  /** The rule's fieldPath as a field path (`spec.x`), when it names a field of the node. */
  normalizedRuleFieldPath?: string;
}

/** cel-go's issue text: the message, then the source line and a caret under the column. */
function issues(expression: string, err: CompileError): string {
  const m = /^ERROR: <input>:(\d+):(\d+): /.exec(err.message);
  if (!m) return err.message;
  const line = expression.split('\n')[Number(m[1]) - 1];
  if (line === undefined) return err.message;
  const snippet = line.replace(/\t/g, ' ');
  const column = Number(m[2]) - 1;
  return `${err.message}\n | ${snippet}\n | ${'.'.repeat(Math.min(column, [...snippet].length))}^`;
}

function usesVariable(node: unknown, name: string): boolean {
  if (Array.isArray(node)) return node.some((n) => usesVariable(n, name));
  if (typeof node !== 'object' || node === null || !('op' in node)) return false;
  const n = node as { op: string; args: unknown };
  if (n.op === 'id') return n.args === name;
  if (n.op === 'value') return false;
  return usesVariable(n.args, name);
}

/** Registers every message type of a DeclType tree, with CEL equality between values of each. */
function registerTypes(env: Environment, types: ReadonlyArray<Extract<DeclType, { kind: 'object' }>>): void {
  // Children were named (and listed) before their parents, so each field's type is known when its parent registers.
  for (const t of types) {
    const fields = Object.create(null) as Record<string, string>;
    for (const [name, f] of t.fields) fields[name] = celTypeName(f.type);
    env.registerType(t.name, { ctor: t.ctor, fields });
    env.registerOperator(`${t.name} == ${t.name}`, (a: unknown, b: unknown) => celEqual(a, b));
  }
}

/** The environments of one node: oldSelf plain and oldSelf optional. */
export class RuleEnvironments {
  readonly plain: CelEnvironment;
  readonly optional: CelEnvironment;

  constructor(
    readonly declType: DeclType,
    namer: TypeNamer,
  ) {
    const type = celTypeName(declType);
    const configure = (env: Environment) => registerTypes(env, namer.types);
    this.plain = new CelEnvironment(
      [
        [SCOPED_VAR_NAME, type],
        [OLD_SCOPED_VAR_NAME, type],
      ],
      configure,
    );
    this.optional = new CelEnvironment(
      [
        [SCOPED_VAR_NAME, type],
        [OLD_SCOPED_VAR_NAME, `optional<${type}>`],
      ],
      configure,
    );
  }

  /** The largest size a path from self or oldSelf can have, from the schema. */
  declaredSize = (path: readonly string[]): number | undefined => {
    if (path[0] !== SCOPED_VAR_NAME && path[0] !== OLD_SCOPED_VAR_NAME) return undefined;
    return declTypeAt(this.declType, path.slice(1))?.maxElements;
  };
}

/** The node's CEL type and environments; undefined when the schema has no CEL type. */
export function environmentsFor(schema: JSONSchemaProps, isResourceRoot: boolean): RuleEnvironments | undefined {
  const namer = new TypeNamer();
  const declType = schemaDeclType(schema, isResourceRoot, namer);
  if (!declType) return undefined;
  return new RuleEnvironments(declType, namer);
}

function compileExpression(env: CelEnvironment, expression: string): CompiledExpression | CompileError {
  try {
    return env.compile(expression);
  } catch (err) {
    return err instanceof CompileError ? err : new CompileError(String((err as Error).message ?? err));
  }
}

/** Compiles every rule of a node (upstream's Compile). */
export function compileRules(schema: JSONSchemaProps, envs: RuleEnvironments): CompilationResult[] {
  const maxCardinality = Math.floor(MAX_REQUEST_SIZE_BYTES / (envs.declType.minSize + 1));
  return (schema['x-kubernetes-validations'] ?? []).map((rule) => compileRule(schema, rule, envs, maxCardinality));
}

function compileRule(schema: JSONSchemaProps, rule: ValidationRule, envs: RuleEnvironments, maxCardinality: number): CompilationResult {
  const result: CompilationResult = { usesOldSelf: false, maxCost: 0, maxCardinality: 0, messageExpressionMaxCost: 0 };
  const text = rule.rule ?? '';
  if (text.trim().length === 0) return result;
  const env = rule.optionalOldSelf === true ? envs.optional : envs.plain;
  const compiled = compileExpression(env, text);
  if (compiled instanceof CompileError) {
    result.error = { type: 'Invalid', detail: `compilation failed: ${issues(text, compiled)}` };
    return result;
  }
  if (compiled.outputType !== 'bool') {
    result.error = { type: 'Invalid', detail: 'cel expression must evaluate to a bool' };
    return result;
  }
  result.usesOldSelf = usesVariable(compiled.ast, OLD_SCOPED_VAR_NAME);
  result.maxCost = compiled.estimatedCost(envs.declaredSize);
  result.maxCardinality = maxCardinality;
  result.program = compiled;
  if (rule.messageExpression) {
    const message = compileExpression(env, rule.messageExpression);
    if (message instanceof CompileError) {
      result.messageExpressionError = { type: 'Invalid', detail: `messageExpression compilation failed: ${issues(rule.messageExpression, message)}` };
      return result;
    }
    if (message.outputType !== 'string') {
      result.messageExpressionError = { type: 'Invalid', detail: 'messageExpression must evaluate to a string' };
      return result;
    }
    result.messageExpression = message;
    result.messageExpressionMaxCost = message.estimatedCost(envs.declaredSize);
  }
  if (rule.fieldPath) {
    const path = validFieldPath(rule.fieldPath, schema);
    if (typeof path === 'string') result.normalizedRuleFieldPath = path;
  }
  return result;
}
