// Decode-time validation of an object against its kind's schema: wrong types and
// missing required fields become 422 causes worded like Kubernetes' OpenAPI
// validation; fields the schema does not know are returned as paths
// (`spec.template.spec.containers[0].imagee`) for the apiserver to turn into a
// 400 `strict decoding error` (fieldValidation=Strict) or Warning headers (Warn).
import AjvModule from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { StatusCause } from '../meta/v1/status.js';
import { BUILTIN_RESOURCES } from '../resources.js';
import { schemaForKind } from './build.js';
import { BYTE_KEYWORD, toJSONSchema, type JSONSchema } from './jsonschema.js';

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export interface ValidationResult {
  causes: StatusCause[];
  unknownFields: string[];
}

const Ajv = AjvModule.default;
// allErrors: report every bad field at once, as the apiserver does.
const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
const validators = new Map<string, ValidateFunction | undefined>();
ajv.addKeyword({ keyword: BYTE_KEYWORD, type: 'string', schemaType: 'boolean', errors: false, validate: (_: boolean, data: string) => isBase64(data) });

/** base64.StdEncoding as Go's JSON decoder uses it for []byte: padded, line breaks ignored. */
export function isBase64(s: string): boolean {
  return /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(s.includes('\n') || s.includes('\r') ? s.replace(/[\r\n]/g, '') : s);
}

// All served kinds share one ajv schema holding every definition, so PodSpec and
// friends compile once, not once per kind that embeds a pod template.
const SHARED_ID = 'timonel-definitions';
let sharedDefinitions: Record<string, JSONSchema> | undefined;

function shared(): Record<string, JSONSchema> {
  if (sharedDefinitions) return sharedDefinitions;
  const definitions: Record<string, JSONSchema> = {};
  for (const r of BUILTIN_RESOURCES) {
    const node = schemaForKind(r.group, r.version, r.kind);
    if (node) toJSONSchema(node, definitions);
  }
  ajv.addSchema({ $id: SHARED_ID, definitions: rebase(definitions) as Record<string, JSONSchema> });
  sharedDefinitions = definitions;
  return definitions;
}

// Local `#/definitions/x` refs → refs into the shared schema.
function rebase(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(rebase);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = k === '$ref' && typeof v === 'string' && v.startsWith('#/definitions/') ? `${SHARED_ID}${v}` : rebase(v);
  }
  return out;
}

function validatorFor(group: string, version: string, kind: string): ValidateFunction | undefined {
  const key = `${group}/${version}/${kind}`;
  if (validators.has(key)) return validators.get(key);
  const node = schemaForKind(group, version, kind);
  let fn: ValidateFunction | undefined;
  if (node?.ref && node.ref in shared()) {
    fn = ajv.compile({ $ref: `${SHARED_ID}#/definitions/${node.ref}` });
  } else if (node) {
    const definitions: Record<string, JSONSchema> = {};
    const root = toJSONSchema(node, definitions);
    fn = ajv.compile({ ...root, definitions });
  }
  validators.set(key, fn);
  return fn;
}

/** Whether a schema exists (and so validation applies) for the kind. */
export function hasSchema(group: string, version: string, kind: string): boolean {
  return validatorFor(group, version, kind) !== undefined;
}

/**
 * Validates a decoded object; kinds without a schema validate clean. With prune, fields the
 * schema does not know are removed from obj, as Go's decoder drops them (a ConfigMap keeps no
 * `status`).
 */
export function validateObject(
  group: string,
  version: string,
  kind: string,
  obj: unknown,
  opts: { unknownFields: FieldValidation; prune?: boolean },
): ValidationResult {
  const validate = validatorFor(group, version, kind);
  const result: ValidationResult = { causes: [], unknownFields: [] };
  if (!validate || validate(obj)) return result;
  const errors = validate.errors ?? [];
  for (const err of errors) {
    addError(result, err, obj, opts.unknownFields);
  }
  if (opts.prune) {
    for (const err of errors) {
      if (err.keyword !== 'additionalProperties') continue;
      const parent = valueAt(obj, err.instancePath);
      if (parent !== null && typeof parent === 'object')
        delete (parent as Record<string, unknown>)[String((err.params as Record<string, unknown>).additionalProperty)];
    }
  }
  return result;
}

function addError(result: ValidationResult, err: ErrorObject, obj: unknown, mode: FieldValidation): void {
  const params = err.params as Record<string, unknown>;
  switch (err.keyword) {
    case 'additionalProperties': {
      if (mode === 'Ignore') return;
      result.unknownFields.push(fieldPath(obj, err.instancePath, String(params.additionalProperty)));
      return;
    }
    case 'required': {
      const field = fieldPath(obj, err.instancePath, String(params.missingProperty));
      result.causes.push({ reason: 'FieldValueRequired', message: 'Required value', field });
      return;
    }
    case 'type': {
      const field = fieldPath(obj, err.instancePath);
      const expected = String(params.type)
        .split(',')
        .filter((t) => t !== 'null')
        .join(',');
      const actual = jsonTypeName(valueAt(obj, err.instancePath));
      // kube-openapi's wording, as the apiserver reports it for schema type errors.
      result.causes.push({
        reason: 'FieldValueTypeInvalid',
        message: `Invalid value: "${actual}": ${field || 'body'} in body must be of type ${expected}: "${actual}"`,
        field,
      });
      return;
    }
    case 'minimum':
    case 'maximum': {
      // kube-openapi's wording (errors.TooSmall / TooLarge).
      const field = fieldPath(obj, err.instancePath);
      const bound = err.keyword === 'maximum' ? 'less than or equal to' : 'greater than or equal to';
      result.causes.push({
        reason: 'FieldValueInvalid',
        message: `Invalid value: ${String(valueAt(obj, err.instancePath))}: ${field} in body should be ${bound} ${String(params.limit)}`,
        field,
      });
      return;
    }
    case BYTE_KEYWORD: {
      const field = fieldPath(obj, err.instancePath);
      const v = JSON.stringify(valueAt(obj, err.instancePath));
      result.causes.push({ reason: 'FieldValueInvalid', message: `Invalid value: ${v}: ${field} in body must be of type byte: ${v}`, field });
      return;
    }
    default: {
      const field = fieldPath(obj, err.instancePath);
      result.causes.push({ reason: 'FieldValueInvalid', message: `Invalid value: ${err.message ?? 'invalid'}`, field });
    }
  }
}

/** The strict-decoding message the apiserver sends for unknown fields. */
export function unknownFieldsMessage(paths: string[]): string {
  return `strict decoding error: ${paths.map((p) => `unknown field "${p}"`).join(', ')}`;
}

function pointerSegments(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function valueAt(obj: unknown, pointer: string): unknown {
  let cur = obj;
  for (const seg of pointerSegments(pointer)) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[seg];
  }
  return cur;
}

/** JSON pointer → Kubernetes field path: array elements as [i], object keys dotted. */
function fieldPath(obj: unknown, pointer: string, last?: string): string {
  let out = '';
  let cur = obj;
  for (const seg of pointerSegments(pointer)) {
    if (Array.isArray(cur)) out += `[${seg}]`;
    else out += out === '' ? seg : `.${seg}`;
    cur = cur !== null && typeof cur === 'object' ? (cur as Record<string, unknown>)[seg] : undefined;
  }
  if (last !== undefined) out += out === '' ? last : `.${last}`;
  return out;
}

function jsonTypeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  if (typeof v === 'object') return 'object';
  return typeof v;
}
