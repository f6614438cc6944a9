// RFC 6902 JSON patch (Content-Type application/json-patch+json), answered
// with the same errors as kube-apiserver: a body that does not decode as a
// list of operations is 400 BadRequest; an operation that fails to apply
// (including a failed `test`) is 422 Invalid with upstream's generic message;
// more than 10000 operations is 413.
import fjp from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';
import { StatusError, newBadRequest } from '../../../api/meta/v1/status.js';
import { clone, isObject } from './json.js';

/** kube-apiserver's maxJSONPatchOperations. */
export const MAX_JSON_PATCH_OPERATIONS = 10000;

function typeName(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  if (typeof v === 'object') return 'object';
  return typeof v;
}

export function applyJSONPatch(obj: object, ops: unknown): object {
  if (!Array.isArray(ops)) {
    throw newBadRequest(`json: cannot unmarshal ${typeName(ops)} into Go value of type jsonpatch.Patch`);
  }
  for (const op of ops) {
    if (!isObject(op)) throw newBadRequest(`json: cannot unmarshal ${typeName(op)} into Go value of type jsonpatch.Operation`);
  }
  if (ops.length > MAX_JSON_PATCH_OPERATIONS) {
    throw new StatusError(
      413,
      'RequestEntityTooLarge',
      `Request entity too large: The allowed maximum operations in a JSON patch is ${MAX_JSON_PATCH_OPERATIONS}, got ${ops.length}`,
    );
  }
  try {
    // validateOperation=true checks each op before applying; mutateDocument=false
    // leaves `obj` untouched even when a later op fails.
    const result = fjp.applyPatch(clone(obj), clone(ops) as Operation[], true, false, true);
    const doc: unknown = result.newDocument;
    if (!isObject(doc)) throw new Error('patch replaced the whole object with a non-object');
    return doc;
  } catch (err) {
    // Upstream uses NewGenericServerResponse(422, ...), which keeps only its generic message.
    const why = err instanceof Error ? err.message.split('\n')[0] : String(err);
    return throwInvalid(why);
  }
}

function throwInvalid(why: string): never {
  const e = new StatusError(422, 'Invalid', 'the server rejected our request due to an error in our request', {});
  // Keep the library's reason for logs; it is not part of the wire Status.
  Object.defineProperty(e, 'cause', { value: why, enumerable: false });
  throw e;
}
