// Reads the patch metadata of a SchemaNode the way strategic merge patch and
// server-side apply interpret it. An undefined schema means "no metadata":
// lists are atomic and maps are merged key by key.
import type { SchemaNode } from '../../../api/schema/types.js';

/** Schema of field `key` inside an object/map node. */
export function fieldSchema(node: SchemaNode | undefined, key: string): SchemaNode | undefined {
  if (!node) return undefined;
  // Own properties only: a field named "constructor" is not Object.prototype.constructor.
  const p = node.properties && Object.prototype.hasOwnProperty.call(node.properties, key) ? node.properties[key] : undefined;
  return p ?? node.additionalProperties;
}

/** True when `key` is a declared property of a struct (not an entry of a map). */
export function isStructField(node: SchemaNode | undefined, key: string): boolean {
  return !!node?.properties && Object.prototype.hasOwnProperty.call(node.properties, key);
}

/** A struct with declared properties (as opposed to map[string]X or free-form JSON). */
export function isStruct(node: SchemaNode | undefined): boolean {
  return !!node && node.type === 'object' && !!node.properties && Object.keys(node.properties).length > 0;
}

export interface PatchStrategy {
  merge: boolean;
  retainKeys: boolean;
  replace: boolean;
  mergeKey?: string;
}

/** x-kubernetes-patch-strategy / x-kubernetes-patch-merge-key, as strategic merge patch uses them. */
export function patchStrategy(node: SchemaNode | undefined): PatchStrategy {
  const parts = (node?.patchStrategy ?? '').split(',').map((s) => s.trim());
  return {
    merge: parts.includes('merge'),
    retainKeys: parts.includes('retainKeys'),
    replace: parts.includes('replace'),
    mergeKey: node?.patchMergeKey,
  };
}

export type ListKind = { kind: 'atomic' } | { kind: 'set' } | { kind: 'map'; keys: string[] };

/**
 * How server-side apply treats a list: x-kubernetes-list-type when present,
 * otherwise derived from the patch strategy (merge + key = map, merge alone = set),
 * the same fallback Kubernetes uses when it converts OpenAPI to its apply schema.
 */
export function listKind(node: SchemaNode | undefined): ListKind {
  if (!node) return { kind: 'atomic' };
  if (node.listType === 'atomic') return { kind: 'atomic' };
  if (node.listType === 'set') return { kind: 'set' };
  if (node.listType === 'map') {
    const keys = node.listMapKeys?.length ? node.listMapKeys : node.patchMergeKey ? [node.patchMergeKey] : [];
    return keys.length ? { kind: 'map', keys } : { kind: 'atomic' };
  }
  const ps = patchStrategy(node);
  if (ps.merge) return ps.mergeKey ? { kind: 'map', keys: [ps.mergeKey] } : { kind: 'set' };
  return { kind: 'atomic' };
}

/** Objects are atomic when x-kubernetes-map-type is atomic (e.g. LabelSelector). */
export function isAtomicObject(node: SchemaNode | undefined): boolean {
  return node?.mapType === 'atomic';
}
