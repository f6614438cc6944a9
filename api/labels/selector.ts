// Label selectors as k8s.io/apimachinery/pkg/labels has them: the string form a
// `labelSelector` query parameter carries (parsed by a small lexer + recursive
// descent parser, errors worded as upstream), and metav1.LabelSelector
// (matchLabels + matchExpressions) converted to the same Selector.
import { StatusError } from '../meta/v1/status.js';
import type { LabelSelector } from '../meta/v1/types.js';
export type { LabelSelector, LabelSelectorRequirement } from '../meta/v1/types.js';
import { isQualifiedName, isValidLabelValue } from '../util/validation.js';
import { fieldInvalid } from './errors.js';

export type Labels = Record<string, string>;

/** selection.Operator values, spelled as Kubernetes spells them. */
export type Operator = '=' | '==' | '!=' | 'in' | 'notin' | 'exists' | '!' | 'gt' | 'lt';

export interface Requirement {
  key: string;
  operator: Operator;
  values: string[];
}

export class Selector {
  /** `nothing` is labels.Nothing(): matches no object at all (a nil metav1.LabelSelector). */
  constructor(
    readonly requirements: readonly Requirement[],
    private readonly nothing = false,
  ) {}

  matches(labels: Labels | undefined | null): boolean {
    if (this.nothing) return false;
    const ls = labels ?? {};
    return this.requirements.every((r) => requirementMatches(r, ls));
  }

  isEmpty(): boolean {
    return !this.nothing && this.requirements.length === 0;
  }

  /** True only for labels.Nothing(). */
  matchesNothing(): boolean {
    return this.nothing;
  }

  /** The value a selector pins `key` to (for `key=v`, `key==v`, `key in (v)`), if any. */
  requiresExactMatch(key: string): string | undefined {
    const r = this.requirements.find((x) => x.key === key);
    if (!r) return undefined;
    if ((r.operator === '=' || r.operator === '==' || r.operator === 'in') && r.values.length === 1) return r.values[0];
    return undefined;
  }

  toString(): string {
    if (this.nothing) return '';
    return this.requirements.map(requirementString).join(',');
  }
}

function has(ls: Labels, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(ls, key);
}

function requirementMatches(r: Requirement, ls: Labels): boolean {
  switch (r.operator) {
    case 'in':
    case '=':
    case '==':
      return has(ls, r.key) && r.values.includes(ls[r.key]);
    case 'notin':
    case '!=':
      return !has(ls, r.key) || !r.values.includes(ls[r.key]);
    case 'exists':
      return has(ls, r.key);
    case '!':
      return !has(ls, r.key);
    case 'gt':
    case 'lt': {
      if (!has(ls, r.key) || r.values.length !== 1) return false;
      const lv = parseInt64(ls[r.key]);
      const rv = parseInt64(r.values[0]);
      if (lv === undefined || rv === undefined) return false;
      return r.operator === 'gt' ? lv > rv : lv < rv;
    }
  }
}

function parseInt64(s: string): bigint | undefined {
  if (!/^[+-]?[0-9]+$/.test(s)) return undefined;
  const v = BigInt(s);
  if (v > 9223372036854775807n || v < -9223372036854775808n) return undefined;
  return v;
}

function requirementString(r: Requirement): string {
  let out = r.operator === '!' ? `!${r.key}` : r.key;
  switch (r.operator) {
    case 'exists':
    case '!':
      return out;
    case 'in':
      out += ' in ';
      break;
    case 'notin':
      out += ' notin ';
      break;
    case 'gt':
      out += '>';
      break;
    case 'lt':
      out += '<';
      break;
    default:
      out += r.operator;
  }
  const vals = r.values.length === 1 ? r.values[0] : [...r.values].sort().join(',');
  return r.operator === 'in' || r.operator === 'notin' ? `${out}(${vals})` : out + vals;
}

export function everything(): Selector {
  return new Selector([]);
}

export function nothing(): Selector {
  return new Selector([], true);
}

/** labels.SelectorFromSet: every key must equal its value. */
export function selectorFromSet(set: Labels | undefined | null): Selector {
  const reqs = Object.entries(set ?? {}).map(([key, v]): Requirement => ({ key, operator: '=', values: [v] }));
  return new Selector(sortByKey(reqs));
}

function sortByKey(reqs: Requirement[]): Requirement[] {
  return [...reqs].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

// ---------------------------------------------------------------- NewRequirement

const BINARY_OPERATORS: Operator[] = ['in', 'notin', '=', '==', '!=', 'gt', 'lt'];

/** labels.NewRequirement's checks, returning Go-style error strings (aggregate of field errors). */
function checkRequirement(key: string, op: Operator, values: string[]): string | undefined {
  const errs: string[] = [];
  const keyErrs = isQualifiedName(key);
  if (keyErrs.length) errs.push(fieldInvalid('key', key, keyErrs.join('; ')));
  switch (op) {
    case 'in':
    case 'notin':
      if (values.length === 0) errs.push(fieldInvalid('values', values, "for 'in', 'notin' operators, values set can't be empty"));
      break;
    case '=':
    case '==':
    case '!=':
      if (values.length !== 1) errs.push(fieldInvalid('values', values, 'exact-match compatibility requires one single value'));
      break;
    case 'exists':
    case '!':
      if (values.length !== 0) errs.push(fieldInvalid('values', values, 'values set must be empty for exists and does not exist'));
      break;
    case 'gt':
    case 'lt':
      if (values.length !== 1) errs.push(fieldInvalid('values', values, "for 'Gt', 'Lt' operators, exactly one value is required"));
      values.forEach((v, i) => {
        if (parseInt64(v) === undefined) errs.push(fieldInvalid(`values[${i}]`, v, "for 'Gt', 'Lt' operators, the value must be an integer"));
      });
      break;
  }
  values.forEach((v, i) => {
    const vErrs = isValidLabelValue(v);
    if (vErrs.length) errs.push(fieldInvalid(`values[${i}][${key}]`, v, vErrs.join('; ')));
  });
  if (errs.length === 0) return undefined;
  return errs.length === 1 ? errs[0] : `[${errs.join(', ')}]`;
}

// ---------------------------------------------------------------- lexer

enum Tok {
  Error,
  EndOfString,
  ClosedPar,
  Comma,
  DoesNotExist,
  DoubleEquals,
  Equals,
  GreaterThan,
  Identifier,
  In,
  LessThan,
  NotEquals,
  NotIn,
  OpenPar,
}

const STRING_TO_TOKEN: Record<string, Tok> = {
  ')': Tok.ClosedPar,
  ',': Tok.Comma,
  '!': Tok.DoesNotExist,
  '==': Tok.DoubleEquals,
  '=': Tok.Equals,
  '>': Tok.GreaterThan,
  in: Tok.In,
  '<': Tok.LessThan,
  '!=': Tok.NotEquals,
  notin: Tok.NotIn,
  '(': Tok.OpenPar,
};

function tokenFor(s: string): Tok | undefined {
  return Object.prototype.hasOwnProperty.call(STRING_TO_TOKEN, s) ? STRING_TO_TOKEN[s] : undefined;
}

interface Scanned {
  tok: Tok;
  lit: string;
}

const isWhitespace = (ch: string): boolean => ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n';
const isSpecialSymbol = (ch: string): boolean => '=!(),><'.includes(ch) && ch.length === 1;

function lex(s: string): Scanned[] {
  const out: Scanned[] = [];
  let pos = 0;
  const read = (): string => (pos < s.length ? s[pos++] : '');
  for (;;) {
    let ch = read();
    while (ch !== '' && isWhitespace(ch)) ch = read();
    if (ch === '') {
      out.push({ tok: Tok.EndOfString, lit: '' });
      return out;
    }
    pos--;
    if (isSpecialSymbol(ch)) {
      // Longest operator made of special symbols: "!=", "==", "=", "!", ...
      let buf = '';
      let last: Scanned | undefined;
      for (;;) {
        const c = read();
        if (c === '') break;
        if (!isSpecialSymbol(c)) {
          pos--;
          break;
        }
        buf += c;
        const t = tokenFor(buf);
        if (t !== undefined) last = { tok: t, lit: buf };
        else if (last) {
          pos--;
          break;
        }
      }
      out.push(last ?? { tok: Tok.Error, lit: `error expected: keyword found '${buf}'` });
    } else {
      let buf = '';
      for (;;) {
        const c = read();
        if (c === '') break;
        if (isSpecialSymbol(c) || isWhitespace(c)) {
          pos--;
          break;
        }
        buf += c;
      }
      const t = tokenFor(buf);
      out.push({ tok: t ?? Tok.Identifier, lit: buf });
    }
  }
}

// ---------------------------------------------------------------- parser

class ParseError extends Error {}

class Parser {
  private pos = 0;
  constructor(private readonly items: Scanned[]) {}

  // In the Values context, the words "in" and "notin" are plain identifiers.
  lookahead(values: boolean): Scanned {
    return this.adjust(this.items[this.pos], values);
  }

  consume(values: boolean): Scanned {
    return this.adjust(this.items[this.pos++], values);
  }

  private adjust(s: Scanned, values: boolean): Scanned {
    if (values && (s.tok === Tok.In || s.tok === Tok.NotIn)) return { tok: Tok.Identifier, lit: s.lit };
    return s;
  }

  parse(): Requirement[] {
    const reqs: Requirement[] = [];
    for (;;) {
      const { tok, lit } = this.lookahead(true);
      switch (tok) {
        case Tok.Identifier:
        case Tok.DoesNotExist: {
          try {
            reqs.push(this.parseRequirement());
          } catch (e) {
            if (e instanceof ParseError) throw new ParseError(`unable to parse requirement: ${e.message}`);
            throw e;
          }
          const t = this.consume(true);
          if (t.tok === Tok.EndOfString) return reqs;
          if (t.tok === Tok.Comma) {
            const t2 = this.lookahead(true);
            if (t2.tok !== Tok.Identifier && t2.tok !== Tok.DoesNotExist) throw new ParseError(`found '${t2.lit}', expected: identifier after ','`);
          } else {
            throw new ParseError(`found '${t.lit}', expected: ',' or 'end of string'`);
          }
          break;
        }
        case Tok.EndOfString:
          return reqs;
        default:
          throw new ParseError(`found '${lit}', expected: !, identifier, or 'end of string'`);
      }
    }
  }

  private parseRequirement(): Requirement {
    const { key, operator } = this.parseKeyAndInferOperator();
    if (operator === 'exists' || operator === '!') return this.newRequirement(key, operator, []);
    const op = this.parseOperator();
    const values = op === 'in' || op === 'notin' ? this.parseValues() : this.parseExactValue();
    return this.newRequirement(key, op, [...values].sort());
  }

  private newRequirement(key: string, operator: Operator, values: string[]): Requirement {
    const err = checkRequirement(key, operator, values);
    if (err) throw new ParseError(err);
    return { key, operator, values };
  }

  private parseKeyAndInferOperator(): { key: string; operator: Operator | undefined } {
    let operator: Operator | undefined;
    let { tok, lit } = this.consume(true);
    if (tok === Tok.DoesNotExist) {
      operator = '!';
      ({ tok, lit } = this.consume(true));
    }
    if (tok !== Tok.Identifier) throw new ParseError(`found '${lit}', expected: identifier`);
    const keyErrs = isQualifiedName(lit);
    if (keyErrs.length) throw new ParseError(fieldInvalid('<nil>', lit, keyErrs.join('; ')));
    const next = this.lookahead(true).tok;
    if ((next === Tok.EndOfString || next === Tok.Comma) && operator !== '!') operator = 'exists';
    return { key: lit, operator };
  }

  private parseOperator(): Operator {
    const { tok, lit } = this.consume(false);
    switch (tok) {
      case Tok.In:
        return 'in';
      case Tok.Equals:
        return '=';
      case Tok.DoubleEquals:
        return '==';
      case Tok.GreaterThan:
        return 'gt';
      case Tok.LessThan:
        return 'lt';
      case Tok.NotIn:
        return 'notin';
      case Tok.NotEquals:
        return '!=';
      default:
        throw new ParseError(`found '${lit}', expected: ${BINARY_OPERATORS.join(', ')}`);
    }
  }

  private parseValues(): Set<string> {
    let { tok, lit } = this.consume(true);
    if (tok !== Tok.OpenPar) throw new ParseError(`found '${lit}' expected: '('`);
    ({ tok, lit } = this.lookahead(true));
    switch (tok) {
      case Tok.Identifier:
      case Tok.Comma: {
        const s = this.parseIdentifiersList();
        if (this.consume(true).tok !== Tok.ClosedPar) throw new ParseError(`found '${lit}', expected: ')'`);
        return s;
      }
      case Tok.ClosedPar:
        this.consume(true);
        return new Set(['']);
      default:
        throw new ParseError(`found '${lit}', expected: ',', ')' or identifier`);
    }
  }

  private parseIdentifiersList(): Set<string> {
    const s = new Set<string>();
    for (;;) {
      const { tok, lit } = this.consume(true);
      if (tok === Tok.Identifier) {
        s.add(lit);
        const t2 = this.lookahead(true);
        if (t2.tok === Tok.Comma) continue;
        if (t2.tok === Tok.ClosedPar) return s;
        throw new ParseError(`found '${t2.lit}', expected: ',' or ')'`);
      } else if (tok === Tok.Comma) {
        // "(,", ",)" and ",," each stand for an empty value.
        if (s.size === 0) s.add('');
        const t2 = this.lookahead(true).tok;
        if (t2 === Tok.ClosedPar) {
          s.add('');
          return s;
        }
        if (t2 === Tok.Comma) s.add('');
      } else {
        throw new ParseError(`found '${lit}', expected: ',', or identifier`);
      }
    }
  }

  private parseExactValue(): Set<string> {
    const next = this.lookahead(true).tok;
    if (next === Tok.EndOfString || next === Tok.Comma) return new Set(['']);
    const { tok, lit } = this.consume(true);
    if (tok === Tok.Identifier) return new Set([lit]);
    throw new ParseError(`found '${lit}', expected: identifier`);
  }
}

/** labels.Parse, returning the upstream error text on failure (no HTTP wrapping). */
export function tryParseSelector(selector: string): { selector: Selector } | { error: string } {
  try {
    const reqs = new Parser(lex(selector)).parse();
    return { selector: new Selector(sortByKey(reqs)) };
  } catch (e) {
    if (e instanceof ParseError) return { error: e.message };
    throw e;
  }
}

/** Parse a `labelSelector` query parameter; a malformed one is a 400 BadRequest as kube-apiserver answers. */
export function parseSelector(selector: string): Selector {
  const r = tryParseSelector(selector);
  if ('error' in r) throw new StatusError(400, 'BadRequest', r.error);
  return r.selector;
}

// ---------------------------------------------------------------- metav1.LabelSelector

const LABEL_SELECTOR_OPS: Record<string, Operator> = { In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!' };

/**
 * metav1.LabelSelectorAsSelector: a missing selector selects nothing, an empty
 * one everything. Throws an Error (message as upstream) for an invalid operator,
 * key or value; validation normally rejects those before they are stored.
 */
export function selectorFromLabelSelector(ls: LabelSelector | null | undefined): Selector {
  if (ls === null || ls === undefined) return nothing();
  const matchLabels = ls.matchLabels ?? {};
  const exprs = ls.matchExpressions ?? [];
  if (Object.keys(matchLabels).length + exprs.length === 0) return everything();
  const reqs: Requirement[] = [];
  for (const [k, v] of Object.entries(matchLabels)) {
    const err = checkRequirement(k, '=', [v]);
    if (err) throw new Error(err);
    reqs.push({ key: k, operator: '=', values: [v] });
  }
  for (const e of exprs) {
    const op = Object.prototype.hasOwnProperty.call(LABEL_SELECTOR_OPS, e.operator) ? LABEL_SELECTOR_OPS[e.operator] : undefined;
    if (!op) throw new Error(`${JSON.stringify(e.operator)} is not a valid label selector operator`);
    const values = [...(e.values ?? [])];
    const err = checkRequirement(e.key, op, values);
    if (err) throw new Error(err);
    reqs.push({ key: e.key, operator: op, values });
  }
  return new Selector(sortByKey(reqs));
}

/** The selector's string form, as `status.selector` of a scale subresource carries it ('' for an empty selector). */
export function labelSelectorAsString(ls: LabelSelector | null | undefined): string {
  return selectorFromLabelSelector(ls).toString();
}

/** metav1.FormatLabelSelector, for printer columns: '<none>' when empty, '<error>' when invalid. */
export function formatLabelSelector(ls: LabelSelector | null | undefined): string {
  let s: string;
  try {
    s = selectorFromLabelSelector(ls).toString();
  } catch {
    return '<error>';
  }
  return s.length === 0 ? '<none>' : s;
}

/** labels.FormatLabels: sorted `k=v` pairs joined by ',', or '<none>'. */
export function formatLabels(labels: Labels | undefined | null): string {
  const keys = Object.keys(labels ?? {}).sort();
  if (keys.length === 0) return '<none>';
  return keys.map((k) => `${k}=${(labels as Labels)[k]}`).join(',');
}

// Label and selector validation lives in validation.ts; re-exported for one import site.
export { validateLabelName, validateLabels, validateLabelSelector, validateLabelSelectorRequirement } from './validation.js';
