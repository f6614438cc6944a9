// pod-template-hash: controller.ComputeHash. Upstream feeds FNV-32a with a spew
// dump of the template (plus the collision count as 4 little-endian bytes) and
// renders the decimal sum with rand.SafeEncodeString. We hash a canonical JSON
// (keys sorted, nulls and empty values left out, so equal templates hash equally) instead
// of Go's printed form; the alphabet and encoding are upstream's.
import type { PodTemplateSpec } from '../../../../api/core/v1/types.js';
import { prune } from './replicasets.js';
import { canonicalJSON, fnv32a, safeEncodeString } from '../../../util/hash.js';

export function computeHash(template: PodTemplateSpec, collisionCount?: number): string {
  // Pruned first, so a template equal to another by equalIgnoreHash also hashes the same.
  let h = fnv32a(Buffer.from(canonicalJSON(prune(template) ?? {})));
  if (collisionCount !== undefined && collisionCount !== null) {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(collisionCount >>> 0);
    h = fnv32a(b, h);
  }
  return safeEncodeString(String(h));
}
