// Encodes a swagger 2.0 JSON document as gnostic's openapi_v2.Document protobuf
// (github.com/google/gnostic openapiv2/OpenAPIv2.proto), which kubectl asks for
// with `Accept: application/com.github.proto-openapi.spec.v2@v1.0+protobuf`.
// Hand-written: only a handful of messages are needed, and the wire format of
// strings, bools and nested messages is a few lines. Field numbers are gnostic's.

type Json = Record<string, unknown>;

function varint(n: number): Buffer {
  const bytes: number[] = [];
  while (n > 0x7f) {
    bytes.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  bytes.push(n);
  return Buffer.from(bytes);
}

function bytesField(field: number, data: Buffer): Buffer {
  return Buffer.concat([varint((field << 3) | 2), varint(data.length), data]);
}

function str(field: number, s: unknown): Buffer {
  return typeof s === 'string' && s !== '' ? bytesField(field, Buffer.from(s, 'utf8')) : Buffer.alloc(0);
}

function strs(field: number, list: unknown): Buffer {
  return Array.isArray(list) ? Buffer.concat(list.map((s) => bytesField(field, Buffer.from(String(s), 'utf8')))) : Buffer.alloc(0);
}

function bool(field: number, b: unknown): Buffer {
  return b === true ? Buffer.from([field << 3, 1]) : Buffer.alloc(0);
}

function msg(field: number, data: Buffer): Buffer {
  return bytesField(field, data);
}

// NamedAny { name = 1; Any value = 2 } with Any { yaml = 2 }: JSON is valid YAML.
function vendorExtensions(field: number, obj: Json): Buffer {
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(obj)) {
    if (!k.startsWith('x-')) continue;
    parts.push(msg(field, Buffer.concat([str(1, k), msg(2, str(2, `${JSON.stringify(v)}\n`))])));
  }
  return Buffer.concat(parts);
}

function schema(s: Json): Buffer {
  const parts: Buffer[] = [str(1, s.$ref), str(2, s.format), str(3, s.title), str(4, s.description), strs(19, s.required)];
  const ap = s.additionalProperties;
  if (typeof ap === 'boolean') parts.push(msg(21, bool(2, ap)));
  else if (ap && typeof ap === 'object') parts.push(msg(21, msg(1, schema(ap as Json))));
  if (typeof s.type === 'string') parts.push(msg(22, strs(1, [s.type])));
  if (s.items && typeof s.items === 'object') parts.push(msg(23, msg(1, schema(s.items as Json))));
  if (Array.isArray(s.allOf)) for (const a of s.allOf) parts.push(msg(24, schema(a as Json)));
  if (s.properties && typeof s.properties === 'object') {
    const props = Object.entries(s.properties as Record<string, Json>).map(([name, p]) => msg(1, Buffer.concat([str(1, name), msg(2, schema(p))])));
    parts.push(msg(25, Buffer.concat(props)));
  }
  parts.push(bool(27, s.readOnly), vendorExtensions(31, s));
  return Buffer.concat(parts);
}

function parameter(p: Json): Buffer {
  if (typeof p.$ref === 'string') return msg(2, str(1, p.$ref)); // JsonReference
  if (p.in === 'body') {
    const body = Buffer.concat([str(1, p.description), str(2, p.name), str(3, p.in), bool(4, p.required), p.schema ? msg(5, schema(p.schema as Json)) : Buffer.alloc(0)]);
    return msg(1, msg(1, body));
  }
  // QueryParameterSubSchema (3) / PathParameterSubSchema (4) share these numbers for the fields used.
  const which = p.in === 'path' ? 4 : p.in === 'header' ? 1 : 3;
  const typeField = which === 3 ? 6 : 5;
  const sub = Buffer.concat([bool(1, p.required), str(2, p.in), str(3, p.description), str(4, p.name), str(typeField, p.type), vendorExtensions(which === 3 ? 23 : 22, p)]);
  return msg(1, msg(2, msg(which, sub)));
}

function operation(op: Json): Buffer {
  const parts: Buffer[] = [strs(1, op.tags), str(3, op.description), str(5, op.operationId), strs(6, op.produces), strs(7, op.consumes)];
  for (const p of (op.parameters as Json[] | undefined) ?? []) parts.push(msg(8, parameter(p)));
  const responses = Object.entries((op.responses as Record<string, Json> | undefined) ?? {}).map(([code, r]) => {
    const response = Buffer.concat([str(1, r.description), r.schema ? msg(2, msg(1, schema(r.schema as Json))) : Buffer.alloc(0)]);
    return msg(1, Buffer.concat([str(1, code), msg(2, msg(1, response))]));
  });
  parts.push(msg(9, Buffer.concat(responses)), strs(10, op.schemes), vendorExtensions(13, op));
  return Buffer.concat(parts);
}

const OPERATION_FIELDS: Record<string, number> = { get: 2, put: 3, post: 4, delete: 5, options: 6, head: 7, patch: 8 };

function pathItem(item: Json): Buffer {
  const parts: Buffer[] = [];
  for (const [verb, field] of Object.entries(OPERATION_FIELDS)) {
    if (item[verb]) parts.push(msg(field, operation(item[verb] as Json)));
  }
  for (const p of (item.parameters as Json[] | undefined) ?? []) parts.push(msg(9, parameter(p)));
  parts.push(vendorExtensions(10, item));
  return Buffer.concat(parts);
}

/** openapi_v2.Document bytes for a swagger 2.0 JSON document. */
export function encodeOpenAPIV2Document(doc: Json): Buffer {
  const info = (doc.info as Json | undefined) ?? {};
  const parts: Buffer[] = [str(1, doc.swagger), msg(2, Buffer.concat([str(1, info.title), str(2, info.version), str(3, info.description)]))];
  parts.push(str(3, doc.host), str(4, doc.basePath), strs(5, doc.schemes), strs(6, doc.consumes), strs(7, doc.produces));
  if (doc.paths && typeof doc.paths === 'object') {
    const paths = Object.entries(doc.paths as Record<string, Json>).map(([name, item]) => msg(2, Buffer.concat([str(1, name), msg(2, pathItem(item))])));
    parts.push(msg(8, Buffer.concat(paths)));
  }
  if (doc.definitions && typeof doc.definitions === 'object') {
    const defs = Object.entries(doc.definitions as Record<string, Json>).map(([name, s]) => msg(1, Buffer.concat([str(1, name), msg(2, schema(s))])));
    parts.push(msg(9, Buffer.concat(defs)));
  }
  return Buffer.concat(parts);
}
