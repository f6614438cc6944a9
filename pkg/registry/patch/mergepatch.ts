// RFC 7386 JSON merge patch (Content-Type application/merge-patch+json):
// objects merge key by key, null deletes a key, anything else (lists included)
// replaces. A patch that is not a JSON object is 400 "Invalid JSON Patch", as
// kube-apiserver reports jsonpatch.ErrBadJSONPatch. Keys are data ("__proto__"
// included): only own properties are read and written.
import { newBadRequest } from '../../../api/meta/v1/status.js';
import { getOwn, setOwn } from '../../../api/util/ownkeys.js';
import { clone, isObject, type JSONObject } from './json.js';

export function applyMergePatch(obj: object, patch: unknown): object {
  if (!isObject(patch)) throw newBadRequest('Invalid JSON Patch');
  return mergeObject(clone(obj) as JSONObject, patch);
}

function mergeObject(target: JSONObject, patch: JSONObject): JSONObject {
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) {
      delete target[k];
    } else if (isObject(v)) {
      const cur = getOwn(target, k);
      setOwn(target, k, mergeObject(isObject(cur) ? cur : {}, v));
    } else {
      setOwn(target, k, clone(v));
    }
  }
  return target;
}
