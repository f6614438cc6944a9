// SchemaNode → JSON Schema (draft-07 flavour that ajv compiles). Named types
// become `$ref`s into a `definitions` map, so recursive types (JSONSchemaProps)
// compile. Every value also accepts null: Kubernetes' JSON decoding treats an
// explicit null as "unset" (`creationTimestamp: null` is what kubectl prints).
import type { SchemaNode } from './types.js';

export type JSONSchema = Record<string, unknown>;

/** The ajv keyword checking base64 strings (format byte); see validate.ts. */
export const BYTE_KEYWORD = 'x-kubernetes-byte';

export const INTEGER_RANGES = new Map<string, [number, number]>([
  ['int32', [-2147483648, 2147483647]],
  // 2^63 is the nearest double to int64's bounds; a JSON number beyond them is out of range.
  ['int64', [-9223372036854775808, 9223372036854775807]],
]);

function nullable(...types: string[]): JSONSchema {
  return { type: [...types, 'null'] };
}

/** Converts a tree; named object types land in `definitions` (filled in place). */
export function toJSONSchema(node: SchemaNode, definitions: Record<string, JSONSchema>): JSONSchema {
  switch (node.type) {
    case 'object': {
      if (node.ref) {
        if (!(node.ref in definitions)) {
          definitions[node.ref] = {}; // reserve first: cycles refer back to it
          definitions[node.ref] = objectSchema(node, definitions);
        }
        return { $ref: `#/definitions/${node.ref}` };
      }
      return objectSchema(node, definitions);
    }
    case 'map':
      return { ...nullable('object'), additionalProperties: node.additionalProperties ? toJSONSchema(node.additionalProperties, definitions) : {} };
    case 'array':
      return { ...nullable('array'), items: node.items ? toJSONSchema(node.items, definitions) : {} };
    case 'string':
      // []byte: base64 (StdEncoding), as Go's JSON decoder reads it.
      return node.format === 'byte' ? { ...nullable('string'), [BYTE_KEYWORD]: true } : nullable('string');
    case 'date-time':
      return nullable('string');
    case 'integer': {
      // int32/int64 fields hold what Go's decoder can put into them: whole numbers in range.
      const range = node.format ? INTEGER_RANGES.get(node.format) : undefined;
      return range ? { ...nullable('integer'), minimum: range[0], maximum: range[1] } : nullable('integer');
    }
    case 'number':
      return nullable('number');
    case 'boolean':
      return nullable('boolean');
    case 'int-or-string':
      return nullable('integer', 'string');
    case 'quantity':
      return nullable('string', 'number');
    case 'any':
      return {};
  }
}

function objectSchema(node: SchemaNode, definitions: Record<string, JSONSchema>): JSONSchema {
  const properties: Record<string, JSONSchema> = {};
  for (const [name, child] of Object.entries(node.properties ?? {})) properties[name] = toJSONSchema(child, definitions);
  const out: JSONSchema = { ...nullable('object'), properties, additionalProperties: false };
  if (node.required && node.required.length > 0) out.required = [...node.required];
  return out;
}
