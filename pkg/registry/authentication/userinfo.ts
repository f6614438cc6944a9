// The metadata of a review's answer.
import type { KubeObject, ObjectMeta } from '../../../api/meta/v1/types.js';

/** The request's metadata, answered back as upstream does for objects it does not store. */
export function reviewMetadata(obj: KubeObject): ObjectMeta {
  const meta = obj.metadata;
  const given = meta && typeof meta === 'object' && !Array.isArray(meta) ? meta : {};
  return { creationTimestamp: null, ...given } as unknown as ObjectMeta;
}
