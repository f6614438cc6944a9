// The CEL types of a CRD schema, after apiserver's cel/common SchemaDeclType and
// apiextensions' model.WithTypeAndObjectMeta: each object with properties is a
// message type whose fields are its (escaped) property names, each
// additionalProperties object a map, each array a list, scalars their CEL types,
// and x-kubernetes-int-or-string dyn. Every type carries the largest size a value
// of it can have in one request (maxLength, maxItems, maxProperties, or what the
// request size allows), which the cost estimates read.
import type { JSONSchemaProps } from '../../../../api/apiextensions/v1/types.js';
import { MAX_REQUEST_SIZE_BYTES } from '../../../cel/cost.js';

/** A value of a message type: its fields by escaped name (a Map, so a field the client named is never a property). */
export class CelObject extends Map<string, unknown> {}

export interface DeclField {
  /** The property name in the object (`foo-bar`); the CEL field is its escaped name (`foo__dash__bar`). */
  jsonName: string;
  type: DeclType;
}

interface Sized {
  /** Largest length (string), element count (list, map) a value can have. */
  maxElements: number;
  /** Smallest serialized size of a value, which bounds how many fit in a request. */
  minSize: number;
}

export type DeclType =
  | (Sized & { kind: 'object'; name: string; fields: Map<string, DeclField>; ctor: typeof CelObject })
  | (Sized & { kind: 'list'; elem: DeclType; listType?: string; listMapKeys?: string[] })
  | (Sized & { kind: 'map'; elem: DeclType })
  | (Sized & { kind: 'scalar'; cel: 'string' | 'int' | 'double' | 'bool' | 'bytes' | 'timestamp' | 'dyn' });

/** CEL's reserved words: properties so named are reached as `__name__`. */
const RESERVED = new Set([
  'true',
  'false',
  'null',
  'in',
  'as',
  'break',
  'const',
  'continue',
  'else',
  'for',
  'function',
  'if',
  'import',
  'let',
  'loop',
  'package',
  'namespace',
  'return',
  'var',
  'void',
  'while',
]);

/** A property name as a CEL field (upstream's cel.Escape); undefined when it cannot be one. */
export function escapeName(ident: string): string | undefined {
  if (ident.length === 0 || (ident[0] >= '0' && ident[0] <= '9')) return undefined;
  if (RESERVED.has(ident)) return `__${ident}__`;
  let ok = true;
  const out = ident.replace(/__|[-./]|[^a-zA-Z0-9-./_]/g, (s) => {
    if (s === '__') return '__underscores__';
    if (s === '.') return '__dot__';
    if (s === '-') return '__dash__';
    if (s === '/') return '__slash__';
    ok = false;
    return '';
  });
  return ok ? out : undefined;
}

const MIN_STRING_SIZE = 2; // ""
const MIN_BOOL_SIZE = 4; // true
const MIN_NUMBER_SIZE = 1; // 0
const DATE_SIZE = 12; // "2006-01-02"
const MAX_DATETIME_SIZE = 37; // RFC 3339 with nanoseconds and an offset, quoted
const MAX_DURATION_SIZE = 23;

const nonNegative = (n: number | undefined): number | undefined => (n === undefined ? undefined : Math.max(0, n));

function maxStringLength(s: JSONSchemaProps): number {
  const max = nonNegative(s.maxLength);
  if (max !== undefined) return max;
  if (s.enum?.length) return Math.max(...s.enum.map((e) => (typeof e === 'string' ? e.length : 0)));
  if (s.format === 'date') return DATE_SIZE;
  if (s.format === 'date-time') return MAX_DATETIME_SIZE;
  if (s.format === 'duration') return MAX_DURATION_SIZE;
  return MAX_REQUEST_SIZE_BYTES - 2;
}

/** A resource root (a custom resource, an embedded resource) always has apiVersion, kind, metadata.name and metadata.generateName. */
export function withTypeAndObjectMeta(s: JSONSchemaProps): JSONSchemaProps {
  const str: JSONSchemaProps = { type: 'string' };
  const props = Object.create(null) as Record<string, JSONSchemaProps>;
  Object.assign(props, s.properties ?? {});
  props.kind = str;
  props.apiVersion = str;
  props.metadata = { type: 'object', properties: { name: str, generateName: str } };
  return { ...s, properties: props };
}

let typeCounter = 0;

/** Names message types: one root name per compiled schema, children named by their path under it. */
export class TypeNamer {
  readonly root = `selfType${++typeCounter}`;
  readonly types: Array<Extract<DeclType, { kind: 'object' }>> = [];
}

/** The CEL type of a schema; undefined where there is none (an array without items, an untyped value). */
export function schemaDeclType(s: JSONSchemaProps, isResourceRoot: boolean, namer: TypeNamer, name = namer.root, depth = 0): DeclType | undefined {
  if (depth > 64) return undefined;
  if (s['x-kubernetes-int-or-string']) return { kind: 'scalar', cel: 'dyn', minSize: 1, maxElements: MAX_REQUEST_SIZE_BYTES - 2 };
  if (isResourceRoot) s = withTypeAndObjectMeta(s);
  switch (s.type) {
    case 'array': {
      const items = s.items && typeof s.items === 'object' && !Array.isArray(s.items) ? (s.items as JSONSchemaProps) : undefined;
      if (!items) return undefined;
      const elem = schemaDeclType(items, items['x-kubernetes-embedded-resource'] === true, namer, `${name}.items`, depth + 1);
      if (!elem) return undefined;
      const maxElements = nonNegative(s.maxItems) ?? Math.floor((MAX_REQUEST_SIZE_BYTES - 2) / (elem.minSize + 1));
      const list: DeclType = { kind: 'list', elem, maxElements, minSize: 2 };
      if (s['x-kubernetes-list-type']) list.listType = s['x-kubernetes-list-type'];
      if (s['x-kubernetes-list-map-keys']?.length) list.listMapKeys = [...s['x-kubernetes-list-map-keys']];
      return list;
    }
    case 'object': {
      const additional = typeof s.additionalProperties === 'object' ? (s.additionalProperties as JSONSchemaProps) : undefined;
      if (additional) {
        const elem = schemaDeclType(additional, additional['x-kubernetes-embedded-resource'] === true, namer, `${name}.values`, depth + 1);
        if (!elem) return undefined;
        // each entry is at least "":<value>, and a comma
        const maxElements = nonNegative(s.maxProperties) ?? Math.floor((MAX_REQUEST_SIZE_BYTES - 2) / (MIN_STRING_SIZE + elem.minSize + 2));
        return { kind: 'map', elem, maxElements, minSize: 2 };
      }
      const fields = new Map<string, DeclField>();
      const required = new Set(s.required ?? []);
      let minSize = 2;
      let unescapable = 0;
      for (const [prop, ps] of Object.entries(s.properties ?? {})) {
        const escaped = escapeName(prop);
        const childName = `${name}.${escaped ?? `unescapable${++unescapable}`}`;
        const t = schemaDeclType(ps, ps['x-kubernetes-embedded-resource'] === true, namer, childName, depth + 1);
        if (!t) continue;
        if (escaped) fields.set(escaped, { jsonName: prop, type: t });
        if (required.has(prop) && ps.default === undefined) minSize += prop.length + t.minSize + 4;
      }
      const ctor = class extends CelObject {};
      const obj: DeclType = { kind: 'object', name, fields, ctor, minSize, maxElements: fields.size };
      namer.types.push(obj);
      return obj;
    }
    case 'string':
      if (s.format === 'byte') return { kind: 'scalar', cel: 'bytes', minSize: MIN_STRING_SIZE, maxElements: maxStringLength(s) };
      if (s.format === 'date' || s.format === 'date-time') return { kind: 'scalar', cel: 'timestamp', minSize: MIN_STRING_SIZE, maxElements: 1 };
      return { kind: 'scalar', cel: 'string', minSize: MIN_STRING_SIZE, maxElements: maxStringLength(s) };
    case 'boolean':
      return { kind: 'scalar', cel: 'bool', minSize: MIN_BOOL_SIZE, maxElements: 1 };
    case 'number':
      return { kind: 'scalar', cel: 'double', minSize: MIN_NUMBER_SIZE, maxElements: 1 };
    case 'integer':
      return { kind: 'scalar', cel: 'int', minSize: MIN_NUMBER_SIZE, maxElements: 1 };
  }
  // Untyped (x-kubernetes-preserve-unknown-fields alone): nothing a rule can read.
  return undefined;
}

/** The CEL type name of a DeclType, as the library declares it. */
export function celTypeName(t: DeclType): string {
  switch (t.kind) {
    case 'object':
      return t.name;
    case 'list':
      return `list<${celTypeName(t.elem)}>`;
    case 'map':
      return `map<string, ${celTypeName(t.elem)}>`;
    case 'scalar':
      return t.cel;
  }
}

/** The field of an object type or the element of a list or map, along a cost path (`spec`, `*`). */
export function declTypeAt(root: DeclType, path: readonly string[]): DeclType | undefined {
  let cur: DeclType | undefined = root;
  for (const seg of path) {
    if (!cur) return undefined;
    if (cur.kind === 'object') cur = cur.fields.get(seg)?.type;
    else if (cur.kind === 'list' || cur.kind === 'map') cur = seg === '*' ? cur.elem : cur.kind === 'map' ? cur.elem : undefined;
    else return undefined;
  }
  return cur;
}

function base64Bytes(s: string): Uint8Array | string {
  try {
    return new Uint8Array(Buffer.from(s, 'base64'));
  } catch {
    return s;
  }
}

/**
 * A decoded JSON value as a CEL value of its DeclType (upstream's UnstructuredToVal):
 * objects become instances of their message type holding only the declared fields,
 * integers bigints, and values the type does not describe dyn values.
 */
export function toTypedCel(v: unknown, t: DeclType | undefined): unknown {
  if (v === null || v === undefined) return null;
  if (!t) return untyped(v);
  switch (t.kind) {
    case 'object': {
      if (typeof v !== 'object' || Array.isArray(v)) return untyped(v);
      const out = new t.ctor();
      for (const [name, f] of t.fields) {
        if (!Object.hasOwn(v, f.jsonName)) continue;
        const fv = (v as Record<string, unknown>)[f.jsonName];
        if (fv === undefined) continue;
        out.set(name, toTypedCel(fv, f.type));
      }
      return out;
    }
    case 'list':
      return Array.isArray(v) ? v.map((e) => toTypedCel(e, t.elem)) : untyped(v);
    case 'map': {
      if (typeof v !== 'object' || Array.isArray(v)) return untyped(v);
      const m = new Map<string, unknown>();
      for (const [k, e] of Object.entries(v)) if (e !== undefined) m.set(k, toTypedCel(e, t.elem));
      return m;
    }
    case 'scalar':
      if (t.cel === 'double' && typeof v === 'number') return v;
      if (t.cel === 'bytes' && typeof v === 'string') return base64Bytes(v);
      if (t.cel === 'timestamp' && typeof v === 'string') {
        const d = new Date(v);
        return Number.isNaN(d.getTime()) ? v : d;
      }
      return untyped(v);
  }
}

function untyped(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return Number.isInteger(v) ? BigInt(v) : v;
  if (Array.isArray(v)) return v.map(untyped);
  if (typeof v === 'object') {
    const m = new Map<string, unknown>();
    for (const [k, e] of Object.entries(v as Record<string, unknown>)) if (e !== undefined) m.set(k, untyped(e));
    return m;
  }
  return v;
}

/** CEL equality of two values of one type (message types compare field by field). */
export function celEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === 'bigint' && typeof b === 'number') return Number(a) === b;
  if (typeof a === 'number' && typeof b === 'bigint') return a === Number(b);
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => celEqual(x, b[i]));
  if (a instanceof Map && b instanceof Map) {
    if (a.size !== b.size) return false;
    for (const [k, v] of a) if (!b.has(k) || !celEqual(v, b.get(k))) return false;
    return true;
  }
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  if (a instanceof Uint8Array && b instanceof Uint8Array) return a.length === b.length && a.every((x, i) => x === b[i]);
  return false;
}
