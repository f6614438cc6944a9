// Field paths and field sets as server-side apply tracks them, and their
// FieldsV1 encoding in metadata.managedFields. A path element is kept in its
// FieldsV1 spelling: `f:<field>`, `k:<json of list-map keys>`, `v:<json value>`
// (set item) or `i:<index>`; a FieldSet is a Set of JSON-encoded paths.
import type { SchemaNode } from '../../../api/schema/types.js';
import { isObject, type JSONObject } from './json.js';
import { fieldSchema, isAtomicObject, isStruct, isStructField, listKind } from './schema.js';

export type PathElement = string;
export type FieldPath = PathElement[];
export type FieldSet = Set<string>;

export function pathKey(p: FieldPath): string {
  return JSON.stringify(p);
}

export function parsePathKey(k: string): FieldPath {
  return JSON.parse(k) as FieldPath;
}

export function isPrefix(prefix: FieldPath, p: FieldPath): boolean {
  return prefix.length <= p.length && prefix.every((e, i) => e === p[i]);
}

/**
 * Defaults Kubernetes applies to list-map key fields, so that an applied item
 * without `protocol` names the same item as the defaulted live one.
 */
const LIST_MAP_KEY_DEFAULTS: Record<string, unknown> = { protocol: 'TCP' };

/** The `k:` element of a list-map item (keys sorted by name), or undefined when it has none of the keys. */
export function itemKeyElement(item: unknown, keys: string[]): PathElement | undefined {
  if (!isObject(item)) return undefined;
  const k: JSONObject = {};
  for (const name of [...keys].sort()) {
    const v = item[name] ?? LIST_MAP_KEY_DEFAULTS[name];
    if (v !== undefined) k[name] = v;
  }
  return Object.keys(k).length ? `k:${JSON.stringify(k)}` : undefined;
}

export function valueElement(v: unknown): PathElement {
  return `v:${JSON.stringify(v)}`;
}

/** The element naming the idx-th item of `list` under its schema. */
export function listItemElement(list: unknown[], idx: number, schema: SchemaNode | undefined): PathElement {
  const lk = listKind(schema);
  if (lk.kind === 'map') return itemKeyElement(list[idx], lk.keys) ?? `i:${idx}`;
  if (lk.kind === 'set') return valueElement(list[idx]);
  return `i:${idx}`;
}

/**
 * The set of fields a value sets, as server-side apply records an applied
 * configuration: scalars, atomic lists/maps, list items (with their fields),
 * entries of maps, and struct fields that are null or empty.
 */
export function fieldSetOf(obj: unknown, schema: SchemaNode | undefined): FieldSet {
  const set: FieldSet = new Set();
  collect(obj, schema, [], set);
  return set;
}

function collect(v: unknown, schema: SchemaNode | undefined, path: FieldPath, set: FieldSet): void {
  if (Array.isArray(v)) {
    const lk = listKind(schema);
    if (lk.kind === 'atomic') {
      if (path.length) set.add(pathKey(path));
      return;
    }
    v.forEach((_, i) => {
      const p = [...path, listItemElement(v, i, schema)];
      if (lk.kind === 'map') collect(v[i], schema?.items, p, set);
      set.add(pathKey(p));
    });
    return;
  }
  if (isObject(v) && !isAtomicObject(schema)) {
    for (const [k, child] of Object.entries(v)) {
      const p = [...path, `f:${k}`];
      collect(child, fieldSchema(schema, k), p, set);
      if (child === null || (isObject(child) && Object.keys(child).length === 0) || !isStructField(schema, k)) set.add(pathKey(p));
    }
    return;
  }
  if (path.length) set.add(pathKey(path));
}

export interface FlatNode {
  /** Leaves (scalars, atomic values, empty containers) carry their value for comparison. */
  leaf: boolean;
  value?: unknown;
  /** A struct-typed field with content: never owned on its own, only through its fields. */
  structNode: boolean;
}

/** Every node of a value keyed by path, for comparing two versions of an object. */
export function flatten(obj: unknown, schema: SchemaNode | undefined): Map<string, FlatNode> {
  const out = new Map<string, FlatNode>();
  walkFlat(obj, schema, [], out);
  return out;
}

function walkFlat(v: unknown, schema: SchemaNode | undefined, path: FieldPath, out: Map<string, FlatNode>, isItem = false): void {
  const put = (n: FlatNode): void => {
    if (path.length) out.set(pathKey(path), n);
  };
  if (Array.isArray(v)) {
    const lk = listKind(schema);
    if (lk.kind === 'atomic' || v.length === 0) return put({ leaf: true, value: v, structNode: false });
    put({ leaf: false, structNode: true });
    v.forEach((item, i) => {
      const p = [...path, listItemElement(v, i, schema)];
      if (lk.kind === 'map') walkFlat(item, schema?.items, p, out, true);
      else out.set(pathKey(p), { leaf: true, value: item, structNode: false });
    });
    return;
  }
  if (isObject(v) && !isAtomicObject(schema) && Object.keys(v).length > 0) {
    // Struct fields are owned only through their fields; list items and maps (labels...) are owned themselves too.
    put({ leaf: false, structNode: !isItem && isStruct(schema) });
    for (const [k, child] of Object.entries(v)) walkFlat(child, fieldSchema(schema, k), [...path, `f:${k}`], out);
    return;
  }
  put({ leaf: true, value: v, structNode: false });
}

function elementRank(e: string): number {
  return ({ f: 0, v: 1, i: 2, k: 3 } as Record<string, number>)[e[0]] ?? 4;
}

/** FieldsV1 JSON: nested `f:`/`k:`/`v:`/`i:` keys, `.: {}` marking a member that also has children. */
export function encodeFieldsV1(set: FieldSet): JSONObject {
  /** One element of the path tree; members are the fields the set names. */
  interface PathNode {
    member: boolean;
    children: Map<string, PathNode>;
  }
  const root: PathNode = { member: false, children: new Map() };
  for (const key of set) {
    let n = root;
    for (const e of parsePathKey(key)) {
      let c = n.children.get(e);
      if (!c) n.children.set(e, (c = { member: false, children: new Map() }));
      n = c;
    }
    n.member = true;
  }
  const emit = (n: PathNode): JSONObject => {
    const o: JSONObject = {};
    if (n.member && n.children.size > 0) o['.'] = {};
    const names = [...n.children.keys()].sort((a, b) => elementRank(a) - elementRank(b) || (a < b ? -1 : a > b ? 1 : 0));
    for (const name of names) o[name] = emit(n.children.get(name)!);
    return o;
  };
  return emit(root);
}

export function decodeFieldsV1(fields: unknown): FieldSet {
  const set: FieldSet = new Set();
  const walk = (o: unknown, path: FieldPath): void => {
    if (!isObject(o)) return;
    const keys = Object.keys(o);
    if (path.length && (keys.length === 0 || keys.includes('.'))) set.add(pathKey(path));
    for (const k of keys) if (k !== '.') walk(o[k], [...path, k]);
  };
  walk(fields, []);
  return set;
}

/** A path as Kubernetes prints it in conflicts: .spec.containers[name="nginx"].image */
export function pathString(p: FieldPath): string {
  return p
    .map((e) => {
      const body = e.slice(2);
      switch (e[0]) {
        case 'f':
          return `.${body}`;
        case 'k': {
          const keys = JSON.parse(body) as JSONObject;
          return `[${Object.keys(keys)
            .map((k) => `${k}=${JSON.stringify(keys[k])}`)
            .join(',')}]`;
        }
        case 'v':
          return `[=${body}]`;
        case 'i':
          return `[${body}]`;
        default:
          return e;
      }
    })
    .join('');
}
