// Field errors worded like k8s.io/apimachinery/pkg/util/validation/field: each
// becomes one metav1.StatusCause whose message is the error body (without the path).
import type { StatusCause } from '../meta/v1/status.js';
import { getOwn, setOwn } from '../util/ownkeys.js';

export type ErrorList = StatusCause[];

/** Formats a bad value the way Go's field.Error does (%q for strings, %#v for maps). */
export function formatValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (v === null || v === undefined) return '<nil>';
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return `[]string{${v.map((x) => JSON.stringify(x)).join(', ')}}`;
  if (isStringMap(v)) return goStringMap(v);
  return JSON.stringify(v);
}

function isStringMap(v: unknown): v is Record<string, string> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every((x) => typeof x === 'string');
}

/** Go's %#v of a map[string]string: keys sorted, no spaces. */
export function goStringMap(m: Record<string, string> | undefined): string {
  if (!m) return 'map[string]string(nil)';
  const keys = Object.keys(m).sort();
  return `map[string]string{${keys.map((k) => `${JSON.stringify(k)}:${JSON.stringify(m[k])}`).join(', ')}}`;
}

export function required(field: string, detail = ''): StatusCause {
  return { reason: 'FieldValueRequired', message: detail ? `Required value: ${detail}` : 'Required value', field };
}

/** `Invalid value: <v>: detail`; pass a preformatted value with {raw} to print it verbatim. */
export function invalid(field: string, value: unknown, detail: string): StatusCause {
  const shown =
    typeof value === 'object' && value !== null && 'raw' in value && Object.keys(value).length === 1
      ? String((value as { raw: unknown }).raw)
      : formatValue(value);
  return { reason: 'FieldValueInvalid', message: detail ? `Invalid value: ${shown}: ${detail}` : `Invalid value: ${shown}`, field };
}

export function notSupported(field: string, value: unknown, valid: string[]): StatusCause {
  const list = valid.map((v) => JSON.stringify(v)).join(', ');
  return { reason: 'FieldValueNotSupported', message: `Unsupported value: ${formatValue(value)}${valid.length ? `: supported values: ${list}` : ''}`, field };
}

export function duplicate(field: string, value: unknown): StatusCause {
  return { reason: 'FieldValueDuplicate', message: `Duplicate value: ${formatValue(value)}`, field };
}

export function notFound(field: string, value: unknown): StatusCause {
  return { reason: 'FieldValueNotFound', message: `Not found: ${formatValue(value)}`, field };
}

export function forbidden(field: string, detail: string): StatusCause {
  return { reason: 'FieldValueForbidden', message: `Forbidden: ${detail}`, field };
}

export function tooLong(field: string, max: number): StatusCause {
  return { reason: 'FieldValueTooLong', message: `Too long: must have at most ${max} bytes`, field };
}

export function tooMany(field: string, actual: number, max: number): StatusCause {
  return { reason: 'FieldValueTooMany', message: `Too many: ${actual}: must have at most ${max} items`, field };
}

export const FIELD_IMMUTABLE = 'field is immutable';

/** apimachinery's ValidateImmutableField: compares structurally. */
export function validateImmutableField(newVal: unknown, oldVal: unknown, field: string): ErrorList {
  return deepEqual(newVal, oldVal) ? [] : [invalid(field, newVal, FIELD_IMMUTABLE)];
}

/** Structural equality of JSON values; undefined, null and missing keys compare equal. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a == null || b == null) return a == null && b == null;
  if (typeof a !== typeof b || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => deepEqual(x, bb[i]));
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const keys = new Set([...Object.keys(ao), ...Object.keys(bo)]);
  for (const k of keys) if (!deepEqual(ao[k], bo[k])) return false;
  return true;
}

// --- small accessors for plain JSON objects ---

export type Obj = Record<string, unknown>;

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The object at obj[key], created if missing (for defaulting). */
export function child(obj: Obj, key: string): Obj {
  const v = getOwn(obj, key);
  if (isObj(v)) return v;
  const fresh: Obj = {};
  setOwn(obj, key, fresh);
  return fresh;
}

export function objAt(obj: Obj | undefined, key: string): Obj | undefined {
  const v = obj && getOwn(obj, key);
  return isObj(v) ? v : undefined;
}

export function arrAt(obj: Obj | undefined, key: string): unknown[] {
  const v = obj && getOwn(obj, key);
  return Array.isArray(v) ? v : [];
}

export function objs(obj: Obj | undefined, key: string): Obj[] {
  return arrAt(obj, key).map((x) => (isObj(x) ? x : {}));
}

export function str(obj: Obj | undefined, key: string): string | undefined {
  const v = obj && getOwn(obj, key);
  return typeof v === 'string' ? v : undefined;
}

export function num(obj: Obj | undefined, key: string): number | undefined {
  const v = obj && getOwn(obj, key);
  return typeof v === 'number' ? v : undefined;
}

export function setIfAbsent(obj: Obj, key: string, value: unknown): void {
  const v = getOwn(obj, key);
  if (v === undefined || v === null) setOwn(obj, key, value);
}

export function stringMap(v: unknown): Record<string, string> | undefined {
  if (!isObj(v)) return undefined;
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) setOwn(out, k, typeof x === 'string' ? x : String(x));
  return out;
}

/** Ranges the way validation messages print them. */
export function inclusiveRange(lo: number, hi: number): string {
  return `must be between ${lo} and ${hi}, inclusive`;
}

export function validateNonnegative(v: unknown, field: string): ErrorList {
  return typeof v === 'number' && v < 0 ? [invalid(field, v, 'must be greater than or equal to 0')] : [];
}

export function validatePositive(v: unknown, field: string): ErrorList {
  return typeof v === 'number' && v <= 0 ? [invalid(field, v, 'must be greater than 0')] : [];
}
