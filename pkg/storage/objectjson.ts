// The JSON text of a stored object with its resourceVersion, without serialising
// the object a second time. Objects go to etcd with metadata first and without a
// resourceVersion (the key's revision is that), so what clients get is the stored
// text with "resourceVersion" put first into metadata: watch lines and create or
// update answers reuse the text written to etcd. (Only the apiserver writes under
// /registry/, so stored metadata never carries a resourceVersion of its own.)
import type { KubeObject } from '../../api/meta/v1/types.js';

const METADATA_FIRST = '{"metadata":{';

/** What goes to etcd for obj: metadata first, without resourceVersion. */
export function encodeStored(obj: KubeObject): string {
  const { metadata, ...rest } = obj;
  const { resourceVersion: _rv, ...meta } = metadata;
  const m = JSON.stringify(meta);
  const r = JSON.stringify(rest);
  return r === '{}' ? `{"metadata":${m}}` : `{"metadata":${m},${r.slice(1)}`;
}

/** The stored text with resourceVersion rv; undefined for text not written by encodeStored (metadata not first). */
export function withResourceVersion(stored: string, rv: number | string): string | undefined {
  if (!stored.startsWith(METADATA_FIRST)) return undefined;
  const rest = stored.slice(METADATA_FIRST.length);
  return `${METADATA_FIRST}"resourceVersion":"${rv}"${rest.startsWith('}') ? '' : ','}${rest}`;
}

/** Text made by withResourceVersion(stored, from), at resourceVersion to instead; undefined for any other text. */
export function replaceResourceVersion(text: string, from: number | string, to: number | string): string | undefined {
  const head = `${METADATA_FIRST}"resourceVersion":"${from}"`;
  return text.startsWith(head) ? `${METADATA_FIRST}"resourceVersion":"${to}"${text.slice(head.length)}` : undefined;
}

// Objects whose JSON is already known, e.g. one just written: the answer to its create.
const known = new WeakMap<object, string>();

/** Remembers json as the text of obj, which must not change afterwards. */
export function rememberJSON(obj: object, json: string | undefined): void {
  if (json !== undefined) known.set(obj, json);
}

/** Carries a remembered text over to a copy with the same content. */
export function copyJSON(from: object, to: object): void {
  const json = known.get(from);
  if (json !== undefined) known.set(to, json);
}

/** obj's JSON text: the remembered one, or JSON.stringify. */
export function objectJSON(obj: unknown): string {
  return (typeof obj === 'object' && obj !== null ? known.get(obj) : undefined) ?? JSON.stringify(obj);
}
