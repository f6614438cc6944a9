// A CRD version's schema as the SchemaNode tree server-side apply and managedFields
// read (x-kubernetes-list-type, -list-map-keys, -map-type), with ObjectMeta's own
// schema under metadata, as upstream's structured-merge-diff type for custom resources.
import type { SchemaNode } from '../../schema/types.js';
import { schemaForModel } from '../../schema/build.js';
import type { JSONSchemaProps } from './types.js';

/** Bounded: a schema nested deeper than this is free-form below (CRD schemas are small trees). */
const MAX_DEPTH = 64;

function node(s: JSONSchemaProps, depth: number): SchemaNode {
  if (depth > MAX_DEPTH) return { type: 'any' };
  if (s['x-kubernetes-int-or-string']) return { type: 'int-or-string' };
  const out: SchemaNode = { type: 'any' };
  if (s.description) out.description = s.description;
  switch (s.type) {
    case 'object': {
      if (s.properties && Object.keys(s.properties).length > 0) {
        out.type = 'object';
        const props = Object.create(null) as Record<string, SchemaNode>;
        for (const [k, v] of Object.entries(s.properties)) props[k] = node(v, depth + 1);
        out.properties = props;
        if (s.required?.length) out.required = [...s.required];
      } else if (s.additionalProperties && typeof s.additionalProperties === 'object') {
        out.type = 'map';
        out.additionalProperties = node(s.additionalProperties as JSONSchemaProps, depth + 1);
      } else out.type = s['x-kubernetes-embedded-resource'] ? 'object' : 'map';
      break;
    }
    case 'array':
      out.type = 'array';
      if (s.items && typeof s.items === 'object' && !Array.isArray(s.items)) out.items = node(s.items as JSONSchemaProps, depth + 1);
      break;
    case 'string':
    case 'integer':
    case 'number':
    case 'boolean':
      out.type = s.type;
      break;
  }
  const listType = s['x-kubernetes-list-type'];
  if (listType === 'atomic' || listType === 'set' || listType === 'map') out.listType = listType;
  if (s['x-kubernetes-list-map-keys']?.length) out.listMapKeys = [...s['x-kubernetes-list-map-keys']];
  const mapType = s['x-kubernetes-map-type'];
  if (mapType === 'atomic' || mapType === 'granular') out.mapType = mapType;
  if (s.format) out.format = s.format;
  return out;
}

export function customResourceSchemaNode(s: JSONSchemaProps | undefined): SchemaNode {
  const root: SchemaNode = s ? node(s, 0) : { type: 'any' };
  const props = Object.create(null) as Record<string, SchemaNode>;
  Object.assign(props, root.properties ?? {});
  const meta = schemaForModel('V1ObjectMeta');
  if (meta) props.metadata = meta;
  props.apiVersion = { type: 'string' };
  props.kind = { type: 'string' };
  return { ...root, type: 'object', properties: props };
}
