// pod-template-hash: controller.ComputeHash. Upstream feeds FNV-32a with a spew
// dump of the template (plus the collision count as 4 little-endian bytes) and
// renders the decimal sum with rand.SafeEncodeString. We hash a canonical JSON
// (keys sorted, nulls and empty values left out, so equal templates hash equally) instead
// of Go's printed form; the alphabet and encoding are upstream's.
import type { PodTemplateSpec } from '../types.js';
import { prune } from './replicasets.js';

const FNV32_OFFSET = 0x811c9dc5;
const FNV32_PRIME = 0x01000193;

export function fnv32a(bytes: Uint8Array, seed = FNV32_OFFSET): number {
  let h = seed >>> 0;
  for (const b of bytes) {
    h ^= b;
    h = Math.imul(h, FNV32_PRIME) >>> 0;
  }
  return h >>> 0;
}

/** JSON with object keys sorted at every level. */
export function canonicalJSON(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map((x) => (x === undefined ? 'null' : canonicalJSON(x))).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o).filter((k) => o[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJSON(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/** rand.SafeEncodeString: vowels and look-alike characters left out, so no words and no confusion. */
const ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';

export function safeEncodeString(s: string): string {
  let out = '';
  for (const b of Buffer.from(s)) out += ALPHANUMS[b % ALPHANUMS.length];
  return out;
}

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
