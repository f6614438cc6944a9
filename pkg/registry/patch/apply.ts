// Server-side apply and managedFields bookkeeping (metadata.managedFields with
// FieldsV1), after sigs.k8s.io/structured-merge-diff as kube-apiserver uses it:
//   - Apply merges the applied configuration into the live object, reports
//     conflicts with fields other managers own and that the apply would change
//     (unless forced, which moves ownership), makes the applier own exactly the
//     fields of its configuration, and removes fields it applied before but
//     dropped now when no other manager owns them;
//   - Update (create/update/patch) gives the request's manager the fields that
//     changed and takes them from everybody else.
import type { ManagedFieldsEntry } from '../../../api/meta/v1/types.js';
import type { SchemaNode } from '../../../api/schema/types.js';
import { StatusError, type ResourceRef } from '../../../api/meta/v1/status.js';
import { clone, deepEqual, isObject, type JSONObject } from './json.js';
import {
  decodeFieldsV1,
  encodeFieldsV1,
  fieldSetOf,
  flatten,
  isPrefix,
  listItemElement,
  parsePathKey,
  pathKey,
  pathString,
  type FieldPath,
  type FieldSet,
} from './fieldpath.js';
import { fieldSchema, isAtomicObject, isStruct, listKind } from './schema.js';
import { getOwn, hasOwn, setOwn } from '../../../api/util/ownkeys.js';

export interface Conflict {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion?: string;
  subresource?: string;
  /** The conflicting field as Kubernetes prints it, e.g. `.spec.replicas`. */
  field: string;
}

export interface ManagedFieldsOptions {
  /** The subresource the request is for ('' / undefined = the main resource). */
  subresource?: string;
  /**
   * Top-level fields never tracked. Default: ['status'] for the main resource;
   * for the status subresource every top-level field except `status`.
   */
  ignoredFields?: string[];
}

// Fields the apiserver never tracks (fieldmanager's stripMeta), plus managedFields itself.
const STRIPPED: FieldPath[] = [
  ['f:apiVersion'],
  ['f:kind'],
  ['f:metadata'],
  ...['name', 'namespace', 'creationTimestamp', 'selfLink', 'uid', 'clusterName', 'generation', 'resourceVersion', 'managedFields'].map((f) => [
    'f:metadata',
    `f:${f}`,
  ]),
];

function trackedFilter(opts: ManagedFieldsOptions | undefined): (p: FieldPath) => boolean {
  const onStatus = opts?.subresource === 'status';
  const ignored = new Set((opts?.ignoredFields ?? (onStatus ? [] : ['status'])).map((f) => `f:${f}`));
  return (p) => {
    if (STRIPPED.some((s) => s.length === p.length && isPrefix(s, p))) return false;
    if (isPrefix(['f:metadata', 'f:managedFields'], p)) return false;
    if (ignored.has(p[0])) return false;
    if (onStatus && !opts?.ignoredFields && p[0] !== 'f:status') return false;
    return true;
  };
}

function filterSet(set: FieldSet, keep: (p: FieldPath) => boolean): FieldSet {
  return new Set([...set].filter((k) => keep(parsePathKey(k))));
}

interface Managed {
  entry: ManagedFieldsEntry;
  set: FieldSet;
}

function entryId(e: ManagedFieldsEntry): string {
  return JSON.stringify([e.manager ?? '', e.operation ?? '', e.subresource ?? '']);
}

function decodeManaged(list: unknown): Managed[] {
  if (!Array.isArray(list)) return [];
  return list.filter(isObject).map((e) => ({ entry: e as ManagedFieldsEntry, set: decodeFieldsV1(e.fieldsV1) }));
}

/** managedFields of a request object: [] or [{}] resets, a valid list replaces, otherwise the live list is kept. */
function managedFor(old: JSONObject | undefined, updated: JSONObject): Managed[] {
  const mine = metadataOf(updated).managedFields;
  if (Array.isArray(mine)) {
    if (mine.length === 0 || (mine.length === 1 && isObject(mine[0]) && Object.keys(mine[0]).length === 0)) return [];
    const decoded = decodeManaged(mine);
    if (decoded.length > 0 && decoded.every((m) => m.entry.manager !== undefined)) return decoded;
  }
  return decodeManaged(old ? metadataOf(old).managedFields : undefined);
}

function metadataOf(o: JSONObject): JSONObject {
  return isObject(o.metadata) ? o.metadata : {};
}

function withoutManagedFields(o: JSONObject | undefined): JSONObject {
  const c = clone(o ?? {});
  if (isObject(c.metadata)) delete c.metadata.managedFields;
  return c;
}

function apiVersionOf(o: JSONObject): string | undefined {
  return typeof o.apiVersion === 'string' ? o.apiVersion : undefined;
}

/** Sorted as kube-apiserver stores them: by operation, then time, manager, apiVersion, subresource. */
function writeManaged(obj: JSONObject, managed: Managed[]): JSONObject {
  const entries = managed
    .filter((m) => m.set.size > 0)
    .map((m) => {
      const e: ManagedFieldsEntry = {
        manager: m.entry.manager,
        operation: m.entry.operation,
        apiVersion: m.entry.apiVersion,
        time: m.entry.time,
        fieldsType: 'FieldsV1',
        fieldsV1: encodeFieldsV1(m.set),
      };
      if (m.entry.subresource) e.subresource = m.entry.subresource;
      return JSON.parse(JSON.stringify(e)) as ManagedFieldsEntry;
    });
  const cmp = (a?: string, b?: string): number => ((a ?? '') < (b ?? '') ? -1 : (a ?? '') > (b ?? '') ? 1 : 0);
  entries.sort(
    (p, q) =>
      cmp(p.operation, q.operation) || cmp(p.time, q.time) || cmp(p.manager, q.manager) || cmp(p.apiVersion, q.apiVersion) || cmp(p.subresource, q.subresource),
  );
  if (!isObject(obj.metadata)) obj.metadata = {};
  const md = obj.metadata as JSONObject;
  if (entries.length) md.managedFields = entries;
  else delete md.managedFields;
  return obj;
}

interface Comparison {
  added: FieldSet;
  modified: FieldSet;
  removed: FieldSet;
  /** Paths of struct-typed nodes: never owned on their own. */
  structNodes: FieldSet;
}

function compare(oldObj: unknown, newObj: unknown, schema: SchemaNode | undefined): Comparison {
  const a = flatten(oldObj, schema);
  const b = flatten(newObj, schema);
  const c: Comparison = { added: new Set(), modified: new Set(), removed: new Set(), structNodes: new Set() };
  for (const [k, n] of b) {
    if (n.structNode) c.structNodes.add(k);
    const o = a.get(k);
    if (!o) c.added.add(k);
    else if ((o.leaf || n.leaf) && !(o.leaf && n.leaf && deepEqual(o.value, n.value))) c.modified.add(k);
  }
  for (const k of a.keys()) if (!b.has(k)) c.removed.add(k);
  return c;
}

function union(...sets: FieldSet[]): FieldSet {
  const out: FieldSet = new Set();
  for (const s of sets) for (const k of s) out.add(k);
  return out;
}

function difference(a: FieldSet, b: FieldSet): FieldSet {
  return new Set([...a].filter((k) => !b.has(k)));
}

function intersection(a: FieldSet, b: FieldSet): FieldSet {
  return new Set([...a].filter((k) => b.has(k)));
}

/**
 * Server-side apply of `applied` (the decoded apply-patch body) by `manager`.
 * Returns the new object with metadata.managedFields updated, or the live
 * object unchanged plus `conflicts` when the apply conflicts and is not forced.
 */
export function applyPatch(
  live: object | undefined,
  applied: object,
  manager: string,
  force: boolean,
  schema: SchemaNode | undefined,
  now: string,
  opts?: ManagedFieldsOptions,
): { object: object; conflicts?: Conflict[] } {
  const liveObj = live as JSONObject | undefined;
  const managed = decodeManaged(liveObj ? metadataOf(liveObj).managedFields : undefined);
  const tracked = trackedFilter(opts);
  const base = withoutManagedFields(liveObj);
  const config = withoutManagedFields(applied as JSONObject);

  const merged = mergeApplied(base, config, schema) as JSONObject;
  const myId = entryId({ manager, operation: 'Apply', subresource: opts?.subresource || undefined });
  const mine = managed.find((m) => entryId(m.entry) === myId);
  const others = managed.filter((m) => m !== mine);

  const cmp = compare(base, merged, schema);
  const changed = filterSet(union(cmp.added, cmp.modified), tracked);
  const conflicts: Conflict[] = [];
  const taken = new Map<Managed, FieldSet>();
  for (const m of others) {
    const clash = intersection(m.set, changed);
    if (clash.size === 0) continue;
    taken.set(m, clash);
    for (const k of clash) {
      conflicts.push({
        manager: m.entry.manager ?? '',
        operation: m.entry.operation ?? 'Update',
        apiVersion: m.entry.apiVersion,
        subresource: m.entry.subresource,
        field: pathString(parsePathKey(k)),
      });
    }
  }
  if (conflicts.length && !force) return { object: clone(live ?? {}), conflicts: sortConflicts(conflicts) };
  for (const [m, clash] of taken) m.set = difference(m.set, clash);

  const newSet = filterSet(fieldSetOf(config, schema), tracked);
  const lastSet = mine?.set ?? new Set<string>();
  const ownedByOthers = union(...others.map((m) => m.set));
  const owned = union(newSet, ownedByOthers);
  const result = prune(merged, difference(difference(lastSet, newSet), ownedByOthers), owned, schema);

  const unchanged = deepEqual(result, base);
  const entry: ManagedFieldsEntry = {
    manager,
    operation: 'Apply',
    apiVersion: apiVersionOf(config) ?? apiVersionOf(result),
    // Like upstream, a no-op apply does not move the timestamp.
    time: unchanged && mine?.entry.time ? mine.entry.time : now,
  };
  if (opts?.subresource) entry.subresource = opts.subresource;
  const next = [...others, { entry, set: newSet }];
  return { object: writeManaged(result, next) };
}

/**
 * managedFields for a create/update/patch (operation Update) by `manager`:
 * changed fields move to `manager`, removed fields leave every manager's set.
 */
export function updateManagedFields(
  old: object | undefined,
  updated: object,
  manager: string,
  operation: 'Update',
  schema: SchemaNode | undefined,
  now: string,
  subresource?: string,
  opts?: Omit<ManagedFieldsOptions, 'subresource'>,
): object {
  const oldObj = old as JSONObject | undefined;
  const newObj = updated as JSONObject;
  const fullOpts: ManagedFieldsOptions = { ...opts, subresource };
  const tracked = trackedFilter(fullOpts);
  const managed = managedFor(oldObj, newObj);
  const result = withoutManagedFields(newObj);
  const cmp = compare(withoutManagedFields(oldObj), result, schema);
  const changed = filterSet(difference(union(cmp.added, cmp.modified), cmp.structNodes), tracked);
  const removed = cmp.removed;

  const myId = entryId({ manager, operation, subresource: subresource || undefined });
  let mine = managed.find((m) => entryId(m.entry) === myId);
  for (const m of managed) {
    m.set = difference(m.set, removed);
    if (m !== mine) m.set = difference(m.set, changed);
  }
  if (changed.size > 0) {
    if (!mine) {
      mine = { entry: { manager, operation }, set: new Set() };
      if (subresource) mine.entry.subresource = subresource;
      managed.push(mine);
    }
    mine.set = union(mine.set, changed);
    mine.entry = { ...mine.entry, apiVersion: apiVersionOf(result), time: now };
  }
  return writeManaged(result, managed);
}

/**
 * managedFields of a newly created object whose request carried none: the
 * manager owns every field the object sets. This is what updateManagedFields
 * computes against no old object, built as one FieldsV1 tree in a single walk
 * instead of through JSON-encoded path sets (creates are the hottest write).
 */
export function createdManagedFields(obj: object, manager: string, schema: SchemaNode | undefined, now: string): ManagedFieldsEntry[] | undefined {
  const root: FieldsNode = { member: false, children: new Map() };
  const o = obj as JSONObject;
  for (const [k, v] of Object.entries(o)) {
    // Top level: status is never tracked on the main resource; apiVersion, kind and metadata are not owned themselves.
    if (k === 'status') continue;
    const node = childNode(root, `f:${k}`);
    if (k === 'metadata') walkCreatedMetadata(v, fieldSchema(schema, k), node);
    else walkCreated(v, fieldSchema(schema, k), node, false);
    if (k === 'apiVersion' || k === 'kind') node.member = false;
  }
  const fieldsV1 = emitFieldsNode(root);
  if (!fieldsV1) return undefined;
  const entry: ManagedFieldsEntry = { manager, operation: 'Update' };
  const apiVersion = apiVersionOf(o);
  if (apiVersion !== undefined) entry.apiVersion = apiVersion;
  entry.time = now;
  entry.fieldsType = 'FieldsV1';
  entry.fieldsV1 = fieldsV1;
  return [entry];
}

interface FieldsNode {
  member: boolean;
  children: Map<string, FieldsNode>;
}

function childNode(n: FieldsNode, e: string): FieldsNode {
  let c = n.children.get(e);
  if (!c) n.children.set(e, (c = { member: false, children: new Map() }));
  return c;
}

// The metadata fields fieldmanager strips (see STRIPPED); managedFields is skipped whole.
const STRIPPED_METADATA = new Set(['name', 'namespace', 'creationTimestamp', 'selfLink', 'uid', 'clusterName', 'generation', 'resourceVersion']);

function walkCreatedMetadata(v: unknown, schema: SchemaNode | undefined, node: FieldsNode): void {
  if (!isObject(v) || isAtomicObject(schema) || Object.keys(v).length === 0) {
    node.member = false; // ['f:metadata'] itself is stripped
    return;
  }
  for (const [k, child] of Object.entries(v)) {
    if (k === 'managedFields') continue;
    const c = childNode(node, `f:${k}`);
    walkCreated(child, fieldSchema(schema, k), c, false);
    if (STRIPPED_METADATA.has(k)) c.member = false;
  }
  node.member = false;
}

/** Marks node (the path of v) and its descendants the way flatten() + compare() find them added. */
function walkCreated(v: unknown, schema: SchemaNode | undefined, node: FieldsNode, isItem: boolean): void {
  if (Array.isArray(v)) {
    const lk = listKind(schema);
    if (lk.kind === 'atomic' || v.length === 0) {
      node.member = true;
      return;
    }
    node.member = false; // a list is owned only through its items
    for (let i = 0; i < v.length; i++) {
      const c = childNode(node, listItemElement(v, i, schema));
      if (lk.kind === 'map') walkCreated(v[i], schema?.items, c, true);
      else c.member = true;
    }
    return;
  }
  if (isObject(v) && !isAtomicObject(schema) && Object.keys(v).length > 0) {
    node.member = isItem || !isStruct(schema);
    for (const [k, child] of Object.entries(v)) walkCreated(child, fieldSchema(schema, k), childNode(node, `f:${k}`), false);
    return;
  }
  node.member = true;
}

function emitFieldsNode(n: FieldsNode): JSONObject | undefined {
  const names = [...n.children.keys()].sort((a, b) => elementRank(a) - elementRank(b) || (a < b ? -1 : a > b ? 1 : 0));
  const kids: Array<[string, JSONObject]> = [];
  for (const name of names) {
    const c = emitFieldsNode(n.children.get(name)!);
    if (c) kids.push([name, c]);
  }
  if (!n.member && kids.length === 0) return undefined;
  const o: JSONObject = {};
  if (n.member && kids.length > 0) o['.'] = {};
  for (const [name, c] of kids) o[name] = c;
  return o;
}

function elementRank(e: string): number {
  switch (e[0]) {
    case 'f':
      return 0;
    case 'v':
      return 1;
    case 'i':
      return 2;
    case 'k':
      return 3;
    default:
      return 4;
  }
}

/** The 409 kube-apiserver returns for apply conflicts (NewApplyConflict). */
export function conflictError(conflicts: Conflict[], _ref?: ResourceRef): StatusError {
  const sorted = sortConflicts(conflicts);
  const causes = sorted.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with ${printManager(c)}`, field: c.field }));
  let message: string;
  if (sorted.length === 1) {
    message = `Apply failed with 1 conflict: conflict with ${printManager(sorted[0])}: ${sorted[0].field}`;
  } else {
    const byManager = new Map<string, string[]>();
    for (const c of sorted) {
      const m = printManager(c);
      byManager.set(m, [...(byManager.get(m) ?? []), c.field]);
    }
    const lines: string[] = [];
    for (const m of [...byManager.keys()].sort()) {
      lines.push(`conflicts with ${m}:`);
      for (const f of byManager.get(m)!) lines.push(`- ${f}`);
    }
    message = `Apply failed with ${sorted.length} conflicts: ${lines.join('\n')}`;
  }
  // Upstream's apply conflict carries only the causes in details.
  return new StatusError(409, 'Conflict', message, { causes });
}

function printManager(c: Conflict): string {
  let s = JSON.stringify(c.manager);
  if (c.subresource) s += ` with subresource ${JSON.stringify(c.subresource)}`;
  if (c.operation === 'Update') s += ` using ${c.apiVersion ?? ''}`;
  return s;
}

function sortConflicts(cs: Conflict[]): Conflict[] {
  return [...cs].sort((a, b) => (a.manager < b.manager ? -1 : a.manager > b.manager ? 1 : a.field < b.field ? -1 : a.field > b.field ? 1 : 0));
}

/** live ⊕ config: config values win, list-maps and sets merge by key, atomic values are replaced, null removes. */
function mergeApplied(live: unknown, config: unknown, schema: SchemaNode | undefined): unknown {
  if (config === undefined) return clone(live);
  if (config === null) return undefined;
  if (Array.isArray(config) && Array.isArray(live)) {
    const lk = listKind(schema);
    if (lk.kind === 'atomic') return clone(config);
    const elem = (list: unknown[], i: number): string => listItemElement(list, i, schema);
    const out: unknown[] = [];
    const used = new Set<number>();
    live.forEach((item, i) => {
      const e = elem(live, i);
      const ci = config.findIndex((_, j) => elem(config, j) === e);
      if (ci >= 0) {
        used.add(ci);
        out.push(lk.kind === 'map' ? mergeApplied(item, config[ci], schema?.items) : clone(config[ci]));
      } else {
        out.push(clone(item));
      }
    });
    config.forEach((item, j) => {
      if (!used.has(j)) out.push(lk.kind === 'map' ? mergeApplied(undefined, item, schema?.items) : clone(item));
    });
    return out;
  }
  if (isObject(config) && isObject(live) && schema?.mapType !== 'atomic') {
    const out = clone(live);
    for (const [k, v] of Object.entries(config)) {
      const m = mergeApplied(getOwn(live, k), v, fieldSchema(schema, k));
      if (m === undefined) delete out[k];
      else setOwn(out, k, m);
    }
    return out;
  }
  if (isObject(config) && schema?.mapType !== 'atomic') return mergeApplied({}, config, schema);
  if (Array.isArray(config) && listKind(schema).kind !== 'atomic') return mergeApplied([], config, schema);
  return clone(config);
}

/** Removes the fields in `toRemove` unless something beneath them is still owned. */
function prune(obj: JSONObject, toRemove: FieldSet, owned: FieldSet, schema: SchemaNode | undefined): JSONObject {
  const ownedPaths = [...owned].map(parsePathKey);
  const paths = [...toRemove].map(parsePathKey).sort((a, b) => a.length - b.length);
  for (const p of paths) {
    if (ownedPaths.some((o) => o.length > p.length && isPrefix(p, o))) continue;
    removeAt(obj, p, schema);
  }
  return obj;
}

function childOf(node: unknown, e: string, schema: SchemaNode | undefined): { value: unknown; schema: SchemaNode | undefined; index?: number } | undefined {
  if (e.startsWith('f:')) {
    if (!isObject(node)) return undefined;
    const k = e.slice(2);
    return hasOwn(node, k) ? { value: node[k], schema: fieldSchema(schema, k) } : undefined;
  }
  if (!Array.isArray(node)) return undefined;
  const idx = node.findIndex((_, i) => listItemElement(node, i, schema) === e);
  return idx >= 0 ? { value: node[idx], schema: schema?.items, index: idx } : undefined;
}

function removeAt(root: JSONObject, path: FieldPath, schema: SchemaNode | undefined): void {
  const chain: { node: unknown; schema: SchemaNode | undefined }[] = [{ node: root, schema }];
  for (const e of path.slice(0, -1)) {
    const c = childOf(chain[chain.length - 1].node, e, chain[chain.length - 1].schema);
    if (!c) return;
    chain.push({ node: c.value, schema: c.schema });
  }
  const last = path[path.length - 1];
  const parent = chain[chain.length - 1];
  const hit = childOf(parent.node, last, parent.schema);
  if (!hit) return;
  if (hit.index !== undefined) (parent.node as unknown[]).splice(hit.index, 1);
  else delete (parent.node as JSONObject)[last.slice(2)];
  // Like structured-merge-diff's removal, a list or map left empty by it goes too.
  for (let i = chain.length - 1; i > 0; i--) {
    const node = chain[i].node;
    const empty = Array.isArray(node) ? node.length === 0 : isObject(node) && Object.keys(node).length === 0;
    if (!empty) break;
    const up = chain[i - 1];
    const hitUp = childOf(up.node, path[i - 1], up.schema);
    if (!hitUp) break;
    if (hitUp.index !== undefined) (up.node as unknown[]).splice(hitUp.index, 1);
    else delete (up.node as JSONObject)[path[i - 1].slice(2)];
  }
}

export { pathKey, fieldSetOf, encodeFieldsV1, decodeFieldsV1 };
