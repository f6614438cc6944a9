// Field selectors as k8s.io/apimachinery/pkg/fields parses them: comma-joined
// `field=value`, `field==value`, `field!=value` terms, where a value may escape
// `\`, `,` and `=` with a backslash. Matching goes through fieldsOf(), the
// per-resource set of selectable fields.
import { StatusError } from '../meta/v1/status.js';
import type { KubeObject } from '../meta/v1/types.js';
import type { ResourceInfo } from '../resourceinfo.js';
import { fieldsOf, supportedFieldLabels } from './fields.js';

export { fieldsOf, supportedFieldLabels } from './fields.js';

export type FieldOperator = '=' | '==' | '!=';

export interface FieldRequirement {
  field: string;
  operator: FieldOperator;
  value: string;
}

export class FieldSelector {
  constructor(readonly requirements: readonly FieldRequirement[]) {}

  /** A field missing from `fields` reads as "", as fields.Set.Get does. */
  matches(fields: Record<string, string>): boolean {
    return this.requirements.every((r) => {
      const v = Object.prototype.hasOwnProperty.call(fields, r.field) ? fields[r.field] : '';
      return r.operator === '!=' ? v !== r.value : v === r.value;
    });
  }

  isEmpty(): boolean {
    return this.requirements.length === 0;
  }

  /** The value the selector pins `field` to with `=`/`==`, if any (e.g. metadata.name for a single-object watch). */
  requiresExactMatch(field: string): string | undefined {
    return this.requirements.find((r) => r.field === field && r.operator !== '!=')?.value;
  }

  toString(): string {
    return this.requirements.map((r) => `${r.field}${r.operator === '!=' ? '!=' : '='}${escapeValue(r.value)}`).join(',');
  }
}

/** Splits on unescaped commas; escaped ones stay in the term, backslash included. */
function splitTerms(selector: string): string[] {
  if (selector.length === 0) return [];
  const terms: string[] = [];
  let start = 0;
  let inSlash = false;
  for (let i = 0; i < selector.length; i++) {
    const c = selector[i];
    if (inSlash) inSlash = false;
    else if (c === '\\') inSlash = true;
    else if (c === ',') {
      terms.push(selector.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(selector.slice(start));
  return terms;
}

// "==" is tried before "=" so that `a==b` does not leave "=b" as the value.
const TERM_OPERATORS: FieldOperator[] = ['!=', '==', '='];

/** The first recognised operator splits the term; the left side has no escaping. */
function splitTerm(term: string): { lhs: string; op: FieldOperator; rhs: string } | undefined {
  for (let i = 0; i < term.length; i++) {
    for (const op of TERM_OPERATORS) {
      if (term.startsWith(op, i)) return { lhs: term.slice(0, i), op, rhs: term.slice(i + op.length) };
    }
  }
  return undefined;
}

/** fields.EscapeValue */
export function escapeValue(s: string): string {
  return s.replace(/[\\,=]/g, (c) => `\\${c}`);
}

/** fields.UnescapeValue; the messages are upstream's (the unescaped rune prints as its code point, as Go's %v does). */
export function unescapeValue(s: string): string {
  if (!/[\\,=]/.test(s)) return s;
  let out = '';
  let inSlash = false;
  for (const c of s) {
    if (inSlash) {
      if (c === '\\' || c === ',' || c === '=') out += c;
      else throw new Error(`invalid field selector: invalid escape sequence: \\${c}`);
      inSlash = false;
      continue;
    }
    if (c === '\\') inSlash = true;
    else if (c === ',' || c === '=') throw new Error(`invalid field selector: unescaped character in value: ${c.codePointAt(0)}`);
    else out += c;
  }
  if (inSlash) throw new Error('invalid field selector: invalid escape sequence: \\');
  return out;
}

/** fields.ParseSelector, throwing an Error with upstream's text. Terms are sorted, as upstream sorts them. */
export function tryParseFieldSelector(selector: string): FieldSelector {
  const parts = splitTerms(selector).sort();
  const reqs: FieldRequirement[] = [];
  for (const part of parts) {
    if (part === '') continue;
    const t = splitTerm(part);
    if (!t) throw new Error(`invalid selector: '${selector}'; can't understand '${part}'`);
    reqs.push({ field: t.lhs, operator: t.op, value: unescapeValue(t.rhs) });
  }
  return new FieldSelector(reqs);
}

/** Parse a `fieldSelector` query parameter; malformed is a 400 BadRequest. */
export function parseFieldSelector(selector: string): FieldSelector {
  try {
    return tryParseFieldSelector(selector);
  } catch (e) {
    throw new StatusError(400, 'BadRequest', (e as Error).message);
  }
}

/**
 * Parse and check a `fieldSelector` for one resource: a field the resource does
 * not support is a 400 BadRequest "field label not supported: <field>". Legacy
 * aliases (pods' spec.host) are rewritten to their current names.
 */
export function parseFieldSelectorFor(resource: ResourceInfo, selector: string): FieldSelector {
  const parsed = parseFieldSelector(selector);
  const supported = supportedFieldLabels(resource);
  const reqs = parsed.requirements.map((r) => {
    let field = r.field;
    if (resource.group === '' && resource.plural === 'pods' && field === 'spec.host') field = 'spec.nodeName';
    if (supported && !supported.includes(field)) throw new StatusError(400, 'BadRequest', `field label not supported: ${r.field}`);
    return { ...r, field };
  });
  return new FieldSelector(reqs);
}

/** Whether `obj` (of `resource`) satisfies the selector. */
export function matchesFieldSelector(resource: ResourceInfo, obj: KubeObject, selector: FieldSelector): boolean {
  return selector.isEmpty() || selector.matches(fieldsOf(resource, obj));
}
