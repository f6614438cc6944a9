// The cost of an expression, in cel-go's units (about one per node visited, a
// tenth per character a string function reads), by one walk over the AST. The
// walk knows how large each list, map and string can be:
//   - before any request (estimateCost), inputs are unknown and bounded by the
//     largest request the apiserver accepts, as upstream bounds unknown sizes;
//   - at evaluation (actualCost), every path into the request (object.spec.containers,
//     c.env inside a comprehension over it) is resolved against the real values, so
//     the figure is an upper bound of what this evaluation can cost. It is charged
//     to the budget before the expression runs: an evaluation that could exceed
//     the budget never starts.
// The library has no cost hooks of its own, which is why this walk exists.
import type { ASTNode } from '@marcbachmann/cel-js';

/** Upstream's limits (k8s.io/apiserver/pkg/apis/cel/config.go). */
export const PER_CALL_LIMIT = 1_000_000;
export const RUNTIME_CEL_COST_BUDGET = 10_000_000;
/** An expression whose estimated cost exceeds this is refused where it is written (a CRD's rule). */
export const STATIC_ESTIMATED_COST_LIMIT = 10_000_000;
/** The largest request body; unknown strings, lists and maps are bounded by it. */
export const MAX_REQUEST_SIZE_BYTES = 3 * 1024 * 1024;

export class CostLimitError extends Error {}

interface Est {
  cost: number;
  /** Largest size (characters, elements, entries) the value can have. */
  size: number;
  /** The values this node can take, when known (only at evaluation). */
  values?: unknown[];
  /** The path from a variable to this node (`self.spec.items.*`), while it is one. */
  path?: string[];
}

/**
 * The largest size a path can have (maxItems, maxLength, maxProperties of a schema), for
 * estimates of expressions on declared types; `*` stands for every element of a list or map.
 */
export type DeclaredSize = (path: readonly string[]) => number | undefined;

interface Walk {
  unknownSize: number;
  declaredSize?: DeclaredSize;
  /** The activation, at evaluation. */
  activation?: ReadonlyMap<string, unknown>;
  perCallLimit: number;
}

const MACROS = new Set(['all', 'exists', 'exists_one', 'map', 'filter']);
/** Functions that read their receiver (or first argument) once through. */
const LINEAR = new Set([
  'contains',
  'startsWith',
  'endsWith',
  'indexOf',
  'lastIndexOf',
  'lowerAscii',
  'upperAscii',
  'trim',
  'replace',
  'split',
  'substring',
  'charAt',
  'reverse',
  'join',
  'format',
  'isSorted',
  'sum',
  'min',
  'max',
  'quantity',
  'isQuantity',
  'url',
  'isURL',
  'string',
  'bytes',
]);
const REGEX = new Set(['matches', 'matchesRE2', 'find', 'findAll']);
/** An authorizer check (upstream prices it high: it may call out of the process). */
const AUTHZ_CHECK_COST = 350_000;
/** Functions whose result is about as large as their receiver. */
const SAME_SIZE = new Set(['lowerAscii', 'upperAscii', 'trim', 'replace', 'split', 'substring', 'reverse', 'format', 'join', 'string', 'bytes']);

export function sizeOf(v: unknown): number {
  if (typeof v === 'string' || Array.isArray(v) || v instanceof Uint8Array) return v.length;
  if (v instanceof Map) return v.size;
  return 1;
}

function field(v: unknown, name: unknown): unknown[] {
  if (v instanceof Map) return v.has(name) ? [v.get(name)] : [];
  if (Array.isArray(v) && typeof name === 'bigint' && name >= 0n && name < BigInt(v.length)) return [v[Number(name)]];
  return [];
}

function known(values: unknown[] | undefined, w: Walk, path?: string[]): Est {
  if (!values) return { cost: 0, size: (path && w.declaredSize?.(path)) ?? w.unknownSize, path };
  return { cost: 0, size: values.reduce<number>((m, v) => Math.max(m, sizeOf(v)), 0), values, path };
}

/** The elements a comprehension's variable takes: list elements, or map keys. */
function elements(values: unknown[] | undefined): unknown[] | undefined {
  if (!values) return undefined;
  const out: unknown[] = [];
  for (const v of values) {
    if (Array.isArray(v)) out.push(...(v as unknown[]));
    else if (v instanceof Map) out.push(...v.keys());
  }
  return out;
}

function call(cost: number, w: Walk, name: string): number {
  if (cost > w.perCallLimit) throw new CostLimitError(`operation cancelled: actual cost limit exceeded (${name})`);
  return cost;
}

function walk(node: ASTNode, scope: ReadonlyMap<string, Est>, w: Walk): Est {
  switch (node.op) {
    case 'value':
      return { cost: 0, size: sizeOf(node.args), values: [node.args] };
    case 'id': {
      const bound = scope.get(node.args);
      if (bound) return { ...bound, cost: 1 };
      const a = w.activation;
      const v = known(a ? (a.has(node.args) ? [a.get(node.args)] : []) : undefined, w, [node.args]);
      return { ...v, cost: 1 };
    }
    case '.':
    case '.?': {
      const base = walk(node.args[0], scope, w);
      const v = known(
        base.values?.flatMap((x) => field(x, node.args[1])),
        w,
        base.path && [...base.path, node.args[1]],
      );
      return { ...v, cost: base.cost + 1 };
    }
    case '[]':
    case '[?]': {
      const base = walk(node.args[0], scope, w);
      const key = walk(node.args[1], scope, w);
      const k = key.values?.length === 1 ? key.values[0] : undefined;
      const v = known(k === undefined ? undefined : base.values?.flatMap((x) => field(x, k)), w, base.path && [...base.path, '*']);
      return { ...v, cost: base.cost + key.cost + 1 };
    }
    case 'list': {
      const items = node.args.map((a) => walk(a, scope, w));
      const values = items.every((i) => i.values?.length === 1) ? [items.map((i) => (i.values as unknown[])[0])] : undefined;
      return { cost: items.reduce((s, i) => s + i.cost, 1), size: items.length, values };
    }
    case 'map': {
      const cost = node.args.reduce((s, [k, v]) => s + walk(k, scope, w).cost + walk(v, scope, w).cost, 1);
      return { cost, size: node.args.length };
    }
    case '?:': {
      const [c, a, b] = node.args.map((n) => walk(n, scope, w));
      return { cost: c.cost + Math.max(a.cost, b.cost), size: Math.max(a.size, b.size) };
    }
    case '&&':
    case '||': {
      const [a, b] = node.args.map((n) => walk(n, scope, w));
      return { cost: a.cost + b.cost, size: 1 };
    }
    case '!_':
    case '-_': {
      const a = walk(node.args, scope, w);
      return { cost: a.cost + 1, size: 1 };
    }
    case 'call':
      return callCost(node.args[0], undefined, node.args[1], scope, w);
    case 'rcall':
      return callCost(node.args[0], node.args[1], node.args[2], scope, w);
    default: {
      // Binary operators.
      const [a, b] = (node.args as [ASTNode, ASTNode]).map((n) => walk(n, scope, w));
      let cost = a.cost + b.cost + 1;
      let size = 1;
      if (node.op === '+') size = a.size + b.size;
      if (node.op === 'in') cost += b.size;
      if ((node.op === '+' || node.op === '==' || node.op === '!=' || node.op === '<' || node.op === '>') && (a.size > 1 || b.size > 1))
        cost += Math.ceil(0.1 * Math.min(Math.max(a.size, b.size), w.unknownSize));
      return { cost, size: Math.min(size, w.unknownSize) };
    }
  }
}

function callCost(name: string, receiver: ASTNode | undefined, args: ASTNode[], scope: ReadonlyMap<string, Est>, w: Walk): Est {
  if (receiver && MACROS.has(name) && args.length >= 2 && args[0].op === 'id') {
    const range = walk(receiver, scope, w);
    const element = known(elements(range.values), w, range.path && [...range.path, '*']);
    const inner = new Map(scope);
    inner.set(args[0].args as string, element);
    const body = args.slice(1).reduce((s, a) => s + walk(a, inner, w).cost, 0);
    const cost = range.cost + range.size * (body + 1);
    return { cost, size: name === 'map' || name === 'filter' ? range.size : 1 };
  }
  if (receiver && name === 'bind' && receiver.op === 'id' && receiver.args === 'cel' && args.length === 3 && args[0].op === 'id') {
    const init = walk(args[1], scope, w);
    const inner = new Map(scope);
    inner.set(args[0].args as string, init);
    const body = walk(args[2], inner, w);
    return { cost: init.cost + body.cost, size: body.size, values: body.values };
  }
  if (!receiver && name === 'has') {
    const a = args[0] ? walk(args[0], scope, w) : { cost: 0 };
    return { cost: a.cost + 1, size: 1 };
  }
  const r = receiver ? walk(receiver, scope, w) : undefined;
  const as = args.map((a) => walk(a, scope, w));
  const subject = r ?? as[0];
  const base = (r?.cost ?? 0) + as.reduce((s, a) => s + a.cost, 0);
  let own = 1;
  if (subject && LINEAR.has(name)) own += Math.ceil(0.1 * subject.size) + as.reduce((s, a) => s + Math.ceil(0.1 * a.size), 0);
  if (subject && REGEX.has(name)) {
    const pattern = r ? as[0] : as[1];
    own += Math.ceil(0.1 * subject.size) * (1 + Math.ceil(0.25 * (pattern?.size ?? 1)));
  }
  if (name === 'check' && receiver) own += AUTHZ_CHECK_COST;
  if (subject && (name === 'indexOf' || name === 'lastIndexOf') && r && !r.values?.every((v) => typeof v === 'string')) own += subject.size;
  call(own, w, name);
  const size = subject && SAME_SIZE.has(name) ? subject.size : name === 'getQuery' ? w.unknownSize : 1;
  return { cost: base + own, size: Math.min(size, w.unknownSize) };
}

/** The worst-case cost of an expression over inputs whose sizes are declared (declaredSize) or else unknown. */
export function estimateCost(ast: ASTNode, declaredSize?: DeclaredSize, unknownSize = MAX_REQUEST_SIZE_BYTES): number {
  try {
    return walk(ast, new Map(), { unknownSize, declaredSize, perCallLimit: Infinity }).cost;
  } catch {
    return Infinity;
  }
}

/** The most this evaluation can cost, with the activation's real sizes; throws CostLimitError past perCallLimit. */
export function actualCost(ast: ASTNode, activation: ReadonlyMap<string, unknown>, perCallLimit = PER_CALL_LIMIT): number {
  return walk(ast, new Map(), { unknownSize: MAX_REQUEST_SIZE_BYTES, activation, perCallLimit }).cost;
}

/**
 * Upstream's message for an estimate over a limit (apiextensions' getCostErrorMessage), e.g.
 * `estimated rule cost exceeds budget by factor of more than 100x (try simplifying the rule, ...)`;
 * undefined within the limit.
 */
export function costLimitMessage(costName: string, cost: number, limit = STATIC_ESTIMATED_COST_LIMIT): string | undefined {
  if (cost <= limit) return undefined;
  const f = cost / limit;
  const factor = f > 100 ? 'more than 100x' : f < 1.5 ? `${f.toFixed(6)}x` : `${f.toFixed(1)}x`;
  return `${costName} exceeds budget by factor of ${factor} (try simplifying the rule, or adding maxItems, maxProperties, and maxLength where arrays, maps, and strings are declared)`;
}
