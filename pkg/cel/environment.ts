// CEL for the apiserver: one environment per set of declared variables, with the
// Kubernetes extension library, compiling expressions once (parse + type check)
// and evaluating them under upstream's cost limits.
//
// The CEL library is @marcbachmann/cel-js: it parses and type-checks against
// declared variable types, has the standard macros (has, all, exists, exists_one,
// map, filter, cel.bind) and optional types, registers custom functions and types
// by their CEL signature, and exposes a plain AST that the cost walk (cost.ts)
// reads. @bufbuild/cel was the other candidate; it needs protobuf descriptors for
// typed declarations and has no optional types, while Kubernetes objects are
// untyped JSON.
import { Environment, type ASTNode } from '@marcbachmann/cel-js';
import { registerKubernetesLibrary } from './library/index.js';
import { MATCHES_RE2 } from './library/regex.js';
import { LOWER_ASCII, UPPER_ASCII } from './library/strings.js';
import { CostLimitError, PER_CALL_LIMIT, RUNTIME_CEL_COST_BUDGET, actualCost, estimateCost, type DeclaredSize } from './cost.js';

/** A CEL type as the library writes it: 'dyn', 'bool', 'map<string, dyn>', ... */
export type CelTypeName = string;

/** What went wrong compiling, worded as cel-go's issues: `ERROR: <input>:1:5: undeclared reference to 'x'`. */
export class CompileError extends Error {
  constructor(
    message: string,
    /** Where in the expression (an offset), when known. */
    readonly offset?: number,
  ) {
    super(message);
  }
}

/** The cost still available to one evaluation (of all a policy's expressions, as upstream's budget). */
export class CostBudget {
  constructor(public remaining = RUNTIME_CEL_COST_BUDGET) {}

  charge(cost: number): void {
    if (cost > this.remaining) {
      this.remaining = 0;
      throw new CostLimitError('operation cancelled: actual cost limit exceeded');
    }
    this.remaining -= cost;
  }
}

export class CompiledExpression {
  constructor(
    readonly expression: string,
    readonly ast: ASTNode,
    private readonly program: (ctx: Record<string, unknown>) => unknown,
    /** The type the checker gave the result. */
    readonly outputType: CelTypeName,
  ) {}

  /** The worst-case cost over inputs of the declared sizes (a schema's maxItems, maxLength, ...), unknown ones bounded by the request size. */
  estimatedCost(declaredSize?: DeclaredSize): number {
    return estimateCost(this.ast, declaredSize);
  }

  /**
   * Runs the expression; throws CostLimitError past the budget or the per-call limit, or the
   * library's EvaluationError. The result is a Promise when an asynchronous function (an
   * authorizer check) took part: see evaluateAsync.
   */
  evaluate(activation: ReadonlyMap<string, unknown>, budget = new CostBudget()): unknown {
    budget.charge(actualCost(this.ast, activation, PER_CALL_LIMIT));
    const ctx = Object.create(null) as Record<string, unknown>;
    for (const [k, v] of activation) ctx[k] = v;
    return this.program(ctx);
  }

  /** evaluate, awaiting asynchronous functions. */
  async evaluateAsync(activation: ReadonlyMap<string, unknown>, budget = new CostBudget()): Promise<unknown> {
    return await this.evaluate(activation, budget);
  }
}

function position(input: string, offset: number): string {
  const before = input.slice(0, Math.max(0, offset));
  const line = before.split('\n').length;
  const column = offset - (before.lastIndexOf('\n') + 1) + 1;
  return `<input>:${line}:${column}`;
}

function issue(expression: string, err: unknown): CompileError {
  const e = err as { summary?: string; message?: string; range?: { start: number } };
  let summary = e.summary ?? e.message ?? String(err);
  let start = e.range?.start ?? 0;
  // cel-go's wording for the commonest mistakes.
  const unknown = /^Unknown variable: (.*)$/.exec(summary);
  if (unknown) summary = `undeclared reference to '${unknown[1]}' (in container '')`;
  const noField = /^No such key: (.*)$/.exec(summary);
  if (noField) {
    summary = `undefined field '${noField[1]}'`;
    start = Math.max(0, start - 1); // cel-go points at the '.'
  }
  return new CompileError(`ERROR: ${position(expression, start)}: ${summary}`, start);
}

let base: Environment | undefined;

/** The library's environment with the Kubernetes functions; each CelEnvironment clones it. */
function baseEnvironment(): Environment {
  base ??= (() => {
    const env = new Environment({
      enableOptionalTypes: true,
      homogeneousAggregateLiterals: false,
      limits: { maxAstNodes: 10_000, maxDepth: 100, maxListElements: 1000, maxMapEntries: 1000, maxCallArguments: 32 },
    });
    registerKubernetesLibrary(env);
    return env;
  })();
  return base;
}

export class CelEnvironment {
  private readonly env: Environment;

  /** configure: registers types and operators of this environment's own (a CRD schema's message types) before the variables. */
  constructor(variables: Iterable<[string, CelTypeName]>, configure?: (env: Environment) => void) {
    this.env = baseEnvironment().clone();
    configure?.(this.env);
    for (const [name, type] of variables) this.env.registerVariable(name, type);
  }

  /** Parses and type-checks; returnTypes, when given, are the result types allowed ('bool', 'string'). */
  compile(expression: string, returnTypes?: readonly CelTypeName[]): CompiledExpression {
    let parsed: ReturnType<Environment['parse']>;
    try {
      parsed = this.env.parse(expression);
    } catch (err) {
      throw issue(expression, err);
    }
    const checked = parsed.check();
    if (!checked.valid) throw issue(expression, checked.error);
    const type = checked.type ?? 'dyn';
    if (returnTypes && type !== 'dyn' && !returnTypes.includes(type)) throw new CompileError(`must evaluate to ${returnTypes.join(' or ')} but got ${type}`);
    // What runs is a second parse whose calls of the library's `matches`, `lowerAscii` and
    // `upperAscii` go to upstream's versions (REPLACED): checked as written above, so that
    // messages name them as written, and again here, where the checker binds the calls.
    const runnable = this.env.parse(expression);
    if (replaceBuiltins(runnable.ast)) runnable.check();
    else return new CompiledExpression(expression, parsed.ast, parsed as unknown as (ctx: Record<string, unknown>) => unknown, type);
    return new CompiledExpression(expression, runnable.ast, runnable as unknown as (ctx: Record<string, unknown>) => unknown, type);
  }
}

/** Receiver functions of the CEL library that differ from upstream's, and what calls them instead. */
const REPLACED: ReadonlyMap<string, { name: string; args: number }> = new Map([
  ['matches', { name: MATCHES_RE2, args: 1 }], // RE2, linear time (regex.ts)
  ['lowerAscii', { name: LOWER_ASCII, args: 0 }], // ASCII letters only (strings.ts)
  ['upperAscii', { name: UPPER_ASCII, args: 0 }],
]);

/** Points the calls of an AST that REPLACED names at upstream's versions; whether there was one. */
function replaceBuiltins(node: ASTNode): boolean {
  let found = false;
  const visit = (n: unknown): void => {
    if (Array.isArray(n)) {
      n.forEach(visit);
      return;
    }
    if (typeof n !== 'object' || n === null || !('op' in n)) return;
    const node = n as ASTNode;
    const replacement = node.op === 'rcall' ? REPLACED.get(node.args[0]) : undefined;
    if (node.op === 'rcall' && replacement && node.args[2].length === replacement.args) {
      (node.args as unknown[])[0] = replacement.name;
      found = true;
    }
    if (node.op !== 'value' && node.op !== 'id') visit(node.args);
  };
  visit(node);
  return found;
}

export { CostLimitError } from './cost.js';
