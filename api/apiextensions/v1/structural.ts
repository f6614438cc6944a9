// Custom resources against their CRD version's structural schema, after
// apiextensions-apiserver's schema packages: validation compiled once with ajv
// (kube-openapi's error wording), pruning of fields the schema does not know
// (reported for fieldValidation Strict/Warn), and defaulting from `default`.
import AjvModule from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { StatusCause } from '../../meta/v1/status.js';
import type { JSONSchemaProps } from './types.js';

const Ajv = AjvModule.default;

type Json = Record<string, unknown>;

export interface SchemaResult {
  causes: StatusCause[];
  /** Paths of the fields pruned (`spec.x`). */
  unknownFields: string[];
}

/** Formats kube-openapi checks; others are accepted as any string, as upstream ignores unknown formats. */
const FORMATS: Record<string, RegExp | ((s: string) => boolean)> = {
  'date-time': (s) => /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/.test(s) && !Number.isNaN(Date.parse(s)),
  date: (s) => /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(s)),
  uuid: /^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$/,
  email: /^[^@\s]+@[^@\s]+$/,
  ipv4: /^((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/,
  hostname: /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/i,
  byte: /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/,
  int32: () => true,
  int64: () => true,
  float: () => true,
  double: () => true,
  password: () => true,
};

// allErrors: every bad field at once, as the apiserver reports them.
const ajv = new Ajv({ allErrors: true, strict: false, logger: false, validateFormats: true });
for (const [name, check] of Object.entries(FORMATS)) ajv.addFormat(name, check instanceof RegExp ? check : { validate: check });
/** Marks x-kubernetes-int-or-string: a string or an integer. */
ajv.addKeyword({ keyword: 'x-int-or-string', schemaType: 'boolean', errors: false, validate: () => true });

/** Errors of the branches of oneOf, anyOf and not: the junctor's own error says it. */
const INSIDE_JUNCTOR = /\/(?:oneOf|anyOf|not)\//;

/** Go's %#v of an unstructured value, as field errors print it. */
export function goValue(v: unknown): string {
  if (v === null || v === undefined) return '"null"';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v !== 'object') return String(v);
  if (Array.isArray(v)) return `[]interface {}{${v.map(goValue).join(', ')}}`;
  const keys = Object.keys(v).sort();
  return `map[string]interface {}{${keys.map((k) => `${JSON.stringify(k)}:${goValue((v as Json)[k])}`).join(', ')}}`;
}

/** One version's schema: its validator compiled once. */
export class StructuralSchema {
  private readonly validateFn: ValidateFunction;

  constructor(readonly schema: JSONSchemaProps) {
    this.validateFn = ajv.compile(toAjv(schema, true) as object);
  }

  /** Prunes obj in place (unknown fields), then validates it; causes carry kube-openapi's messages. */
  validate(obj: Json, prune: boolean): SchemaResult {
    const unknownFields: string[] = [];
    if (prune) pruneObject(obj, this.schema, [], unknownFields, true);
    const causes: StatusCause[] = [];
    if (!this.validateFn(obj)) {
      const errors = (this.validateFn.errors ?? []).filter((e) => !INSIDE_JUNCTOR.test(e.schemaPath));
      // A value of the wrong type gets only its type error.
      const wrongType = new Set(errors.filter((e) => e.keyword === 'type').map((e) => e.instancePath));
      for (const err of errors) {
        if (err.keyword !== 'type' && err.keyword !== 'required' && wrongType.has(err.instancePath)) continue;
        const cause = causeOf(err, obj);
        if (cause && !causes.some((c) => c.field === cause.field && c.message === cause.message)) causes.push(cause);
      }
    }
    return { causes, unknownFields };
  }

  /** Fills absent fields that have a default (upstream's structural defaulting). */
  default(obj: Json): void {
    applyDefaults(obj, this.schema);
  }
}

/** The CRD schema as ajv's JSON schema: nullable, int-or-string and embedded resources spelled out; metadata left to ObjectMeta checks. */
function toAjv(s: JSONSchemaProps, root = false): Json {
  const out: Json = {};
  if (s['x-kubernetes-int-or-string']) {
    out.type = s.nullable ? ['integer', 'string', 'null'] : ['integer', 'string'];
  } else if (s.type) {
    out.type = s.nullable ? [s.type, 'null'] : s.type;
  }
  for (const k of [
    'enum',
    'pattern',
    'minimum',
    'maximum',
    'minLength',
    'maxLength',
    'minItems',
    'maxItems',
    'minProperties',
    'maxProperties',
    'multipleOf',
    'uniqueItems',
  ] as const) {
    if (s[k] !== undefined) out[k] = s[k];
  }
  if (s.format && s.type === 'string' && s.format in FORMATS) out.format = s.format;
  // OpenAPI v3.0's boolean exclusive bounds.
  if (s.exclusiveMinimum && s.minimum !== undefined) {
    delete out.minimum;
    out.exclusiveMinimum = s.minimum;
  }
  if (s.exclusiveMaximum && s.maximum !== undefined) {
    delete out.maximum;
    out.exclusiveMaximum = s.maximum;
  }
  if (s.enum && s.nullable) out.enum = [...s.enum, null];
  const required = [...(s.required ?? [])];
  if (s.properties) {
    // The root's metadata is ObjectMeta, checked by the registry; apiVersion and kind are the server's.
    const own = Object.entries(s.properties).filter(([name]) => !(root && (name === 'metadata' || name === 'apiVersion' || name === 'kind')));
    // fromEntries: property names are the CRD author's, `__proto__` included.
    out.properties = Object.fromEntries(own.map(([name, p]) => [name, toAjv(p)]));
  }
  if (s['x-kubernetes-embedded-resource']) required.push('apiVersion', 'kind');
  if (required.length) out.required = [...new Set(required)].filter((r) => !(root && (r === 'metadata' || r === 'apiVersion' || r === 'kind')));
  if (s.additionalProperties && typeof s.additionalProperties === 'object') out.additionalProperties = toAjv(s.additionalProperties as JSONSchemaProps);
  if (s.items && typeof s.items === 'object' && !Array.isArray(s.items)) out.items = toAjv(s.items as JSONSchemaProps);
  for (const k of ['allOf', 'anyOf', 'oneOf'] as const) {
    const list = s[k];
    if (list?.length) out[k] = list.map((x) => toAjv(x));
  }
  if (s.not) out.not = toAjv(s.not);
  return out;
}

function pathOf(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  return parent ? `${parent}.${key}` : key;
}

function isObject(v: unknown): v is Json {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * Drops what the schema does not specify; embedded resources keep apiVersion, kind and metadata.
 * path holds the segments down to value; a field's path is only spelled out when it is pruned
 * (most writes prune nothing, and every create goes through here).
 */
function pruneObject(value: unknown, s: JSONSchemaProps | undefined, path: Array<string | number>, pruned: string[], root = false): void {
  if (!s) return;
  if (Array.isArray(value)) {
    const items = s.items as JSONSchemaProps | undefined;
    if (!items || typeof items !== 'object') return;
    for (let i = 0; i < value.length; i++) {
      path.push(i);
      pruneObject(value[i], items, path, pruned);
      path.pop();
    }
    return;
  }
  if (!isObject(value)) return;
  const preserve = s['x-kubernetes-preserve-unknown-fields'] === true;
  const additional = typeof s.additionalProperties === 'object' ? (s.additionalProperties as JSONSchemaProps) : undefined;
  const keepsMeta = root || s['x-kubernetes-embedded-resource'] === true;
  for (const key of Object.keys(value)) {
    const prop = s.properties && Object.hasOwn(s.properties, key) ? s.properties[key] : undefined;
    if (keepsMeta && (key === 'apiVersion' || key === 'kind' || key === 'metadata')) {
      if (!root && key === 'metadata' && isObject(value.metadata)) pruneEmbeddedMetadata(value.metadata);
      continue;
    }
    const next = prop ?? additional;
    if (next) {
      // Only objects and arrays have anything to prune.
      const child = value[key];
      if (child === null || typeof child !== 'object') continue;
      path.push(key);
      pruneObject(child, next, path, pruned);
      path.pop();
    } else if (s.additionalProperties === true || preserve) continue;
    else {
      pruned.push(joinPath(path, key));
      delete value[key];
    }
  }
}

function joinPath(path: Array<string | number>, last: string): string {
  let out = '';
  for (const k of path) out = pathOf(out, k);
  return pathOf(out, last);
}

const EMBEDDED_METADATA = new Set(['name', 'namespace', 'generateName', 'labels', 'annotations', 'finalizers', 'ownerReferences']);

function pruneEmbeddedMetadata(meta: Json): void {
  for (const key of Object.keys(meta)) if (!EMBEDDED_METADATA.has(key)) delete meta[key];
}

/** Each schema's properties as entries, listed once (every write defaults). */
const propertyEntries = new WeakMap<JSONSchemaProps, Array<[string, JSONSchemaProps]>>();

function entriesOf(s: JSONSchemaProps): Array<[string, JSONSchemaProps]> {
  let e = propertyEntries.get(s);
  if (!e) propertyEntries.set(s, (e = Object.entries(s.properties ?? {})));
  return e;
}

function applyDefaults(value: unknown, s: JSONSchemaProps | undefined): void {
  if (!s) return;
  if (Array.isArray(value)) {
    const items = s.items as JSONSchemaProps | undefined;
    if (items && typeof items === 'object') for (const v of value) applyDefaults(v, items);
    return;
  }
  if (!isObject(value)) return;
  if (s.properties) {
    for (const [key, prop] of entriesOf(s)) {
      if (!Object.hasOwn(value, key) && prop.default !== undefined) {
        // A default object or list is copied: each object gets its own.
        const v = prop.default !== null && typeof prop.default === 'object' ? structuredClone(prop.default) : prop.default;
        Object.defineProperty(value, key, { value: v, enumerable: true, writable: true, configurable: true });
      }
      const child = Object.hasOwn(value, key) ? value[key] : undefined;
      if (child !== null && typeof child === 'object') applyDefaults(child, prop);
    }
  }
  if (typeof s.additionalProperties === 'object') {
    for (const key of Object.keys(value)) applyDefaults(value[key], s.additionalProperties as JSONSchemaProps);
  }
}

/** The JSON path of an ajv instance path (`/spec/items/0/x` → `spec.items[0].x`). */
function fieldPath(instancePath: string, extra?: string): string {
  let out = '';
  for (const raw of instancePath.split('/').slice(1)) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    out = /^\d+$/.test(seg) ? `${out}[${seg}]` : pathOf(out, seg);
  }
  return extra === undefined ? out : pathOf(out, extra);
}

function valueAt(obj: unknown, instancePath: string): unknown {
  let cur: unknown = obj;
  for (const raw of instancePath.split('/').slice(1)) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = Object.hasOwn(cur, seg) ? (cur as Json)[seg] : undefined;
  }
  return cur;
}

function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

/** kube-openapi's messages (k8s.io/kube-openapi/pkg/validation/errors), as apiextensions-apiserver reports them. */
function causeOf(err: ErrorObject, obj: unknown): StatusCause | undefined {
  const params = err.params as Record<string, unknown>;
  const field = fieldPath(err.instancePath);
  const name = field || 'body';
  const value = valueAt(obj, err.instancePath);
  const shown = goValue(value);
  const bad = (message: string): StatusCause => ({ reason: 'FieldValueInvalid', message: `Invalid value: ${shown}: ${message}`, field });
  switch (err.keyword) {
    case 'required':
      return { reason: 'FieldValueRequired', message: 'Required value', field: fieldPath(err.instancePath, String(params.missingProperty)) };
    case 'type': {
      const expected = String(params.type)
        .split(',')
        .filter((t) => t !== 'null');
      const actual = jsonType(value);
      const want = expected.length === 2 && expected.includes('integer') && expected.includes('string') ? 'integer,string' : expected.join(',');
      return { reason: 'FieldValueTypeInvalid', message: `Invalid value: "${actual}": ${name} in body must be of type ${want}: "${actual}"`, field };
    }
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).filter((v) => v !== null).map((v) => goValue(v));
      return { reason: 'FieldValueNotSupported', message: `Unsupported value: ${shown}: supported values: ${allowed.join(', ')}`, field };
    }
    case 'pattern':
      return bad(`${name} in body should match '${String(params.pattern)}'`);
    case 'format':
      return bad(`${name} in body must be of type ${String(params.format)}: ${shown}`);
    case 'minimum':
      return bad(`${name} in body should be greater than or equal to ${String(params.limit)}`);
    case 'maximum':
      return bad(`${name} in body should be less than or equal to ${String(params.limit)}`);
    case 'exclusiveMinimum':
      return bad(`${name} in body should be greater than ${String(params.limit)}`);
    case 'exclusiveMaximum':
      return bad(`${name} in body should be less than ${String(params.limit)}`);
    case 'multipleOf':
      return bad(`${name} in body should be a multiple of ${String(params.multipleOf)}`);
    case 'minLength':
      return bad(`${name} in body should be at least ${String(params.limit)} chars long`);
    case 'maxLength':
      return { reason: 'FieldValueTooLong', message: `Too long: may not be more than ${String(params.limit)} bytes`, field };
    case 'minItems':
      return bad(`${name} in body should have at least ${String(params.limit)} items`);
    case 'maxItems':
      return { reason: 'FieldValueTooMany', message: `Too many: ${(value as unknown[]).length}: must have at most ${String(params.limit)} items`, field };
    case 'uniqueItems':
      return {
        reason: 'FieldValueDuplicate',
        message: `Duplicate value: ${goValue((value as unknown[])[Number(params.i)])}`,
        field: `${field}[${String(params.i)}]`,
      };
    case 'minProperties':
      return bad(`${name} in body should have at least ${String(params.limit)} properties`);
    case 'maxProperties':
      return {
        reason: 'FieldValueTooMany',
        message: `Too many: ${Object.keys(value as object).length}: must have at most ${String(params.limit)} items`,
        field,
      };
    case 'oneOf':
      return bad(`${name} in body must validate one and only one schema (oneOf)`);
    case 'anyOf':
      return bad(`${name} in body must validate at least one schema (anyOf)`);
    case 'not':
      return bad(`${name} in body must not validate the schema (not)`);
    case 'allOf':
      return undefined; // each failing branch reports its own errors
    default:
      return bad(err.message ?? 'invalid');
  }
}

/**
 * Why a schema is not structural (upstream's NonStructuralSchema causes, the common ones):
 * every specified field has a type, unless it is int-or-string or preserves unknown fields;
 * the root is an object.
 */
export function structuralErrors(s: JSONSchemaProps, path: string): StatusCause[] {
  const errs: StatusCause[] = [];
  const walk = (node: JSONSchemaProps, p: string, inJunctor: boolean) => {
    if (!inJunctor && !node.type && !node['x-kubernetes-int-or-string'] && !node['x-kubernetes-preserve-unknown-fields']) {
      errs.push({ reason: 'FieldValueRequired', field: `${p}.type`, message: 'Required value: must not be empty for specified object fields' });
    }
    if (!inJunctor && node.type === 'object' && node.properties && typeof node.additionalProperties === 'object') {
      errs.push({
        reason: 'FieldValueForbidden',
        field: `${p}.additionalProperties`,
        message: 'Forbidden: additionalProperties and properties are mutual exclusive',
      });
    }
    for (const [k, v] of Object.entries(node.properties ?? {})) walk(v, `${p}.properties[${k}]`, inJunctor);
    if (node.items && typeof node.items === 'object' && !Array.isArray(node.items)) walk(node.items as JSONSchemaProps, `${p}.items`, inJunctor);
    if (typeof node.additionalProperties === 'object') walk(node.additionalProperties as JSONSchemaProps, `${p}.additionalProperties`, inJunctor);
    for (const k of ['allOf', 'anyOf', 'oneOf'] as const) (node[k] ?? []).forEach((x, i) => walk(x, `${p}.${k}[${i}]`, true));
    if (node.not) walk(node.not, `${p}.not`, true);
  };
  if (s.type !== 'object')
    errs.push({ reason: 'FieldValueNotSupported', field: `${path}.type`, message: `Unsupported value: "${s.type ?? ''}": supported values: "object"` });
  walk(s, path, false);
  return errs;
}
