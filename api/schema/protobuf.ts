// Encodes a swagger 2.0 JSON document as gnostic's openapi_v2.Document protobuf
// (github.com/google/gnostic openapiv2/OpenAPIv2.proto), which kubectl asks for
// with `Accept: application/com.github.proto-openapi.spec.v2@v1.0+protobuf`.
// protobufjs' Writer does the wire format; only the handful of messages kubectl
// reads are written, field by field, with gnostic's field numbers.
import protobuf from 'protobufjs/minimal.js';

type Json = Record<string, unknown>;
type Writer = protobuf.Writer;

const LEN = 2;
const VARINT = 0;

function str(w: Writer, field: number, s: unknown): void {
  if (typeof s === 'string' && s !== '') w.uint32((field << 3) | LEN).string(s);
}

function strs(w: Writer, field: number, list: unknown): void {
  if (Array.isArray(list)) for (const s of list) w.uint32((field << 3) | LEN).string(String(s));
}

function bool(w: Writer, field: number, b: unknown): void {
  if (b === true) w.uint32((field << 3) | VARINT).bool(true);
}

/** A nested message: body writes its fields, the Writer prefixes their length. */
function msg(w: Writer, field: number, body: () => void): void {
  w.uint32((field << 3) | LEN).fork();
  body();
  w.ldelim();
}

// NamedAny { name = 1; Any value = 2 } with Any { yaml = 2 }: JSON is valid YAML.
function vendorExtensions(w: Writer, field: number, obj: Json): void {
  for (const [k, v] of Object.entries(obj)) {
    if (!k.startsWith('x-')) continue;
    msg(w, field, () => {
      str(w, 1, k);
      msg(w, 2, () => str(w, 2, `${JSON.stringify(v)}\n`));
    });
  }
}

function schema(w: Writer, s: Json): void {
  str(w, 1, s.$ref);
  str(w, 2, s.format);
  str(w, 3, s.title);
  str(w, 4, s.description);
  strs(w, 19, s.required);
  const ap = s.additionalProperties;
  if (typeof ap === 'boolean') msg(w, 21, () => bool(w, 2, ap));
  else if (ap && typeof ap === 'object') msg(w, 21, () => msg(w, 1, () => schema(w, ap as Json)));
  if (typeof s.type === 'string') msg(w, 22, () => strs(w, 1, [s.type]));
  if (s.items && typeof s.items === 'object') msg(w, 23, () => msg(w, 1, () => schema(w, s.items as Json)));
  if (Array.isArray(s.allOf)) for (const a of s.allOf) msg(w, 24, () => schema(w, a as Json));
  if (s.properties && typeof s.properties === 'object') {
    msg(w, 25, () => {
      for (const [name, p] of Object.entries(s.properties as Record<string, Json>)) {
        msg(w, 1, () => {
          str(w, 1, name);
          msg(w, 2, () => schema(w, p));
        });
      }
    });
  }
  bool(w, 27, s.readOnly);
  vendorExtensions(w, 31, s);
}

function parameter(w: Writer, p: Json): void {
  if (typeof p.$ref === 'string') {
    msg(w, 2, () => str(w, 1, p.$ref)); // JsonReference
    return;
  }
  if (p.in === 'body') {
    msg(w, 1, () =>
      msg(w, 1, () => {
        str(w, 1, p.description);
        str(w, 2, p.name);
        str(w, 3, p.in);
        bool(w, 4, p.required);
        if (p.schema) msg(w, 5, () => schema(w, p.schema as Json));
      }),
    );
    return;
  }
  // QueryParameterSubSchema (3) / PathParameterSubSchema (4) share these numbers for the fields used.
  const which = p.in === 'path' ? 4 : p.in === 'header' ? 1 : 3;
  msg(w, 1, () =>
    msg(w, 2, () =>
      msg(w, which, () => {
        bool(w, 1, p.required);
        str(w, 2, p.in);
        str(w, 3, p.description);
        str(w, 4, p.name);
        str(w, which === 3 ? 6 : 5, p.type);
        vendorExtensions(w, which === 3 ? 23 : 22, p);
      }),
    ),
  );
}

function operation(w: Writer, op: Json): void {
  strs(w, 1, op.tags);
  str(w, 3, op.description);
  str(w, 5, op.operationId);
  strs(w, 6, op.produces);
  strs(w, 7, op.consumes);
  for (const p of (op.parameters as Json[] | undefined) ?? []) msg(w, 8, () => parameter(w, p));
  msg(w, 9, () => {
    for (const [code, r] of Object.entries((op.responses as Record<string, Json> | undefined) ?? {})) {
      msg(w, 1, () => {
        str(w, 1, code);
        msg(w, 2, () =>
          msg(w, 1, () => {
            str(w, 1, r.description);
            if (r.schema) msg(w, 2, () => msg(w, 1, () => schema(w, r.schema as Json)));
          }),
        );
      });
    }
  });
  strs(w, 10, op.schemes);
  vendorExtensions(w, 13, op);
}

const OPERATION_FIELDS: Record<string, number> = { get: 2, put: 3, post: 4, delete: 5, options: 6, head: 7, patch: 8 };

function pathItem(w: Writer, item: Json): void {
  for (const [verb, field] of Object.entries(OPERATION_FIELDS)) {
    if (item[verb]) msg(w, field, () => operation(w, item[verb] as Json));
  }
  for (const p of (item.parameters as Json[] | undefined) ?? []) msg(w, 9, () => parameter(w, p));
  vendorExtensions(w, 10, item);
}

/** openapi_v2.Document bytes for a swagger 2.0 JSON document. */
export function encodeOpenAPIV2Document(doc: Json): Buffer {
  const w = protobuf.Writer.create();
  const info = (doc.info as Json | undefined) ?? {};
  str(w, 1, doc.swagger);
  msg(w, 2, () => {
    str(w, 1, info.title);
    str(w, 2, info.version);
    str(w, 3, info.description);
  });
  str(w, 3, doc.host);
  str(w, 4, doc.basePath);
  strs(w, 5, doc.schemes);
  strs(w, 6, doc.consumes);
  strs(w, 7, doc.produces);
  if (doc.paths && typeof doc.paths === 'object') {
    msg(w, 8, () => {
      for (const [name, item] of Object.entries(doc.paths as Record<string, Json>)) {
        msg(w, 2, () => {
          str(w, 1, name);
          msg(w, 2, () => pathItem(w, item));
        });
      }
    });
  }
  if (doc.definitions && typeof doc.definitions === 'object') {
    msg(w, 9, () => {
      for (const [name, s] of Object.entries(doc.definitions as Record<string, Json>)) {
        msg(w, 1, () => {
          str(w, 1, name);
          msg(w, 2, () => schema(w, s));
        });
      }
    });
  }
  const bytes = w.finish();
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
