// Strategic merge patch (Content-Type application/strategic-merge-patch+json)
// for built-in types, following k8s.io/apimachinery/pkg/util/strategicpatch as
// kube-apiserver applies it (MergeParallelList and IgnoreUnmatchedNulls on):
//   - maps merge key by key; null deletes a key;
//   - lists whose patchStrategy includes "merge" merge: lists of objects by
//     patchMergeKey, lists of primitives as an ordered set union; other lists
//     are replaced whole;
//   - directives: $patch: replace|delete|merge (in maps and list items),
//     $retainKeys, $setElementOrder/<field>, $deleteFromPrimitiveList/<field>.
// Errors map to Status the way apiserver's interpretStrategicMergePatchError
// does: malformed directives are 400, lists of lists are 422, the rest 500.
// Keys are data ("__proto__" included): only own properties are read and written.
import type { SchemaNode } from '../../../api/schema/types.js';
import { StatusError, newBadRequest, newInternalError } from '../../../api/meta/v1/status.js';
import { clone, deepEqual, goFormat, isObject, type JSONObject } from './json.js';
import { fieldSchema, patchStrategy } from './schema.js';
import { getOwn, hasOwn, setOwn } from '../../../api/util/ownkeys.js';

const DIRECTIVE = '$patch';
const RETAIN_KEYS = '$retainKeys';
const SET_ELEMENT_ORDER = '$setElementOrder/';
const DELETE_FROM_PRIMITIVE_LIST = '$deleteFromPrimitiveList/';

// Upstream mergepatch error texts.
const ERR_RETAIN_KEYS = 'invalid patch format of retainKeys';
const ERR_PRIMITIVE_LIST = 'invalid patch format of primitive list';
const ERR_SET_ELEMENT_ORDER = 'invalid patch format of setElementOrder list';
const ERR_LIST_OF_LISTS = 'lists of lists are not supported';

class PatchFailure extends Error {
  constructor(
    readonly code: 400 | 422 | 500,
    message: string,
  ) {
    super(message);
  }
}

function noMergeKey(m: unknown, key: string): PatchFailure {
  return new PatchFailure(500, `map: ${goFormat(m)} does not contain declared merge key: ${key}`);
}

export function applyStrategicMergePatch(original: object, patch: object, schema: SchemaNode | undefined): object {
  if (!isObject(patch)) throw newBadRequest('invalid JSON document');
  try {
    return mergeMap(clone(original) as JSONObject, clone(patch), schema);
  } catch (err) {
    if (!(err instanceof PatchFailure)) throw err;
    if (err.code === 400) throw newBadRequest(err.message);
    if (err.code === 422) throw new StatusError(422, 'Invalid', err.message, {});
    throw newInternalError(err);
  }
}

function mergeMap(original: JSONObject, patch: JSONObject, schema: SchemaNode | undefined): JSONObject {
  if (hasOwn(patch, DIRECTIVE)) {
    const directive = patch[DIRECTIVE];
    delete patch[DIRECTIVE];
    if (directive === 'replace') return mergeMap({}, patch, schema);
    if (directive === 'delete') return {};
    // Upstream rejects `$patch: merge` in a map; merging is what happens anyway, so accept it.
    if (directive !== 'merge') throw new PatchFailure(500, `unknown patch type: ${goFormat(directive)} in map: ${goFormat(patch)}`);
  }

  applyRetainKeys(original, patch);
  applySetElementOrder(original, patch, schema);

  const deletions: [string, unknown][] = [];
  for (const [k, patchV] of Object.entries(patch)) {
    if (k.startsWith(DELETE_FROM_PRIMITIVE_LIST)) {
      deletions.push([k.slice(DELETE_FROM_PRIMITIVE_LIST.length), patchV]);
      continue;
    }
    if (patchV === null) {
      delete original[k];
      continue;
    }
    if (isObject(patchV) && patchV[DIRECTIVE] === 'delete') {
      delete original[k];
      continue;
    }
    const child = fieldSchema(schema, k);
    setOwn(original, k, mergeValue(getOwn(original, k), patchV, child));
  }
  for (const [k, values] of deletions) {
    if (!Array.isArray(values)) throw new PatchFailure(400, ERR_PRIMITIVE_LIST);
    const current = getOwn(original, k);
    if (Array.isArray(current) && patchStrategy(fieldSchema(schema, k)).merge) {
      setOwn(
        original,
        k,
        current.filter((v) => !values.some((d) => deepEqual(d, v))),
      );
    }
  }
  return original;
}

/** Merges one field's patch value into its current value (undefined when absent). */
function mergeValue(current: unknown, patchV: unknown, schema: SchemaNode | undefined): unknown {
  const strategy = patchStrategy(schema);
  if (isObject(patchV)) {
    if (!isObject(current) || strategy.replace) return mergeMap({}, patchV, schema);
    return mergeMap(current, patchV, schema);
  }
  if (Array.isArray(patchV)) {
    if (!strategy.merge) return patchV;
    return mergeList(Array.isArray(current) ? current : [], patchV, schema);
  }
  return patchV;
}

function mergeList(original: unknown[], patch: unknown[], schema: SchemaNode | undefined): unknown[] {
  if (original.length === 0 && patch.length === 0) return original;
  const all = [...original, ...patch];
  if (all.some((v) => Array.isArray(v))) throw new PatchFailure(422, ERR_LIST_OF_LISTS);
  const mergeKey = schema?.patchMergeKey;
  const itemSchema = schema?.items;

  if (!all.some(isObject)) {
    // Primitives: ordered set union.
    const merged: unknown[] = [];
    for (const v of all) if (!merged.some((m) => m === v)) merged.push(v);
    return orderMerged(merged, patch, original, (v) => v);
  }
  if (!all.every(isObject)) throw new PatchFailure(500, `list element types are not identical: ${goFormat([original, patch])}`);
  if (!mergeKey) throw new PatchFailure(500, 'cannot merge lists without merge key for type map');

  // Special elements first: $patch: delete removes by key, $patch: replace makes the rest the whole list.
  let base = original as JSONObject[];
  const items: JSONObject[] = [];
  let replace = false;
  for (const v of patch as JSONObject[]) {
    if (!hasOwn(v, DIRECTIVE)) {
      items.push(v);
      continue;
    }
    const d = v[DIRECTIVE];
    if (d === 'delete') {
      if (!hasOwn(v, mergeKey)) throw noMergeKey(v, mergeKey);
      base = base.filter((o) => getOwn(o, mergeKey) !== v[mergeKey]);
    } else if (d === 'replace') {
      replace = true;
    } else if (d === 'merge') {
      // Upstream: "merging lists cannot yet be specified in the patch"; merging is the default, so a no-op here.
      const rest = { ...v };
      delete rest[DIRECTIVE];
      if (Object.keys(rest).length > 0) items.push(rest);
    } else {
      throw new PatchFailure(500, `unknown patch type: ${goFormat(d)} in map: ${goFormat(v)}`);
    }
  }
  if (replace) return items.map((v) => mergeMap({}, v, itemSchema));

  const merged = [...base];
  for (const v of items) {
    if (!hasOwn(v, mergeKey)) throw noMergeKey(v, mergeKey);
    const i = merged.findIndex((o) => getOwn(o, mergeKey) === v[mergeKey]);
    if (i >= 0) merged[i] = mergeMap(merged[i], v, itemSchema);
    else merged.push(mergeMap({}, v, itemSchema));
  }
  const key = (v: unknown): unknown => (isObject(v) ? getOwn(v, mergeKey) : undefined);
  return orderMerged(merged, items, base, key);
}

/**
 * Upstream's order normalisation: items named in the patch keep the patch's
 * relative order, server-only items keep the live order, and the two are
 * interleaved by their positions in the live list.
 */
function orderMerged(merged: unknown[], patchOrder: unknown[], serverOrder: unknown[], key: (v: unknown) => unknown): unknown[] {
  const inPatch = new Set(patchOrder.map(key));
  const patchItems = merged.filter((v) => inPatch.has(key(v)));
  const serverOnly = merged.filter((v) => !inPatch.has(key(v)));
  return normalizeElementOrder(patchItems, serverOnly, patchOrder, serverOrder, key);
}

function normalizeElementOrder(
  patchItems: unknown[],
  serverOnly: unknown[],
  patchOrder: unknown[],
  serverOrder: unknown[],
  key: (v: unknown) => unknown,
): unknown[] {
  const indexIn = (list: unknown[], v: unknown): number => {
    const k = key(v);
    return list.findIndex((x) => key(x) === k);
  };
  const sortBy = (items: unknown[], order: unknown[]): unknown[] => {
    const pos = (v: unknown): number => {
      const i = indexIn(order, v);
      return i < 0 ? Number.MAX_SAFE_INTEGER : i;
    };
    return items
      .map((v, i) => ({ v, i, p: pos(v) }))
      .sort((a, b) => a.p - b.p || a.i - b.i)
      .map((x) => x.v);
  };
  const right = sortBy(patchItems, patchOrder);
  const left = sortBy(serverOnly, serverOrder);
  // mergeSortedSlice: a server-only item goes first only when both items are in the live list and it was ahead there.
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (i >= left.length) out.push(right[j++]);
    else if (j >= right.length) out.push(left[i++]);
    else {
      const li = indexIn(serverOrder, left[i]);
      const ri = indexIn(serverOrder, right[j]);
      if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++]);
      else out.push(right[j++]);
    }
  }
  return out;
}

/** $retainKeys: keys of the live map not listed are cleared; every key the patch sets must be listed. */
function applyRetainKeys(original: JSONObject, patch: JSONObject): void {
  if (!hasOwn(patch, RETAIN_KEYS)) return;
  const list = patch[RETAIN_KEYS];
  delete patch[RETAIN_KEYS];
  if (!Array.isArray(list)) throw new PatchFailure(400, ERR_RETAIN_KEYS);
  const keep = new Set(list);
  for (const [k, v] of Object.entries(patch)) {
    if (v === null || k.startsWith(DELETE_FROM_PRIMITIVE_LIST) || k.startsWith(SET_ELEMENT_ORDER)) continue;
    if (!keep.has(k)) throw new PatchFailure(400, ERR_RETAIN_KEYS);
  }
  for (const k of Object.keys(original)) if (!keep.has(k)) delete original[k];
}

/** $setElementOrder/<field>: merge the field now, then order it as the directive lists. */
function applySetElementOrder(original: JSONObject, patch: JSONObject, schema: SchemaNode | undefined): void {
  for (const directiveKey of Object.keys(patch)) {
    if (!directiveKey.startsWith(SET_ELEMENT_ORDER)) continue;
    const order = patch[directiveKey];
    delete patch[directiveKey];
    if (!Array.isArray(order)) throw new PatchFailure(400, ERR_SET_ELEMENT_ORDER);
    const field = directiveKey.slice(SET_ELEMENT_ORDER.length);
    const fs = fieldSchema(schema, field);
    const current = getOwn(original, field);
    const patchList = getOwn(patch, field);
    if (current !== undefined && !Array.isArray(current)) throw new PatchFailure(400, ERR_SET_ELEMENT_ORDER);
    if (patchList !== undefined && patchList !== null && !Array.isArray(patchList)) throw new PatchFailure(400, ERR_SET_ELEMENT_ORDER);
    let merged: unknown[];
    if (Array.isArray(patchList)) {
      merged = mergeValue(current, patchList, fs) as unknown[];
      delete patch[field];
    } else if (Array.isArray(current)) {
      merged = current;
    } else {
      continue;
    }
    const mergeKey = fs?.patchMergeKey;
    const key = (v: unknown): unknown => (mergeKey && isObject(v) ? getOwn(v, mergeKey) : v);
    setOwn(original, field, orderMerged(merged, order, Array.isArray(current) ? current : [], key));
  }
}
