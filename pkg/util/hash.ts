// The hashing the controllers share for pod-template hashes and ControllerRevision
// names: a canonical JSON of the data, Go's FNV-32 hashes, and the decimal sum
// rendered with rand.SafeEncodeString's alphabet.

/** JSON with object keys sorted at every level, so equal data serialises (and hashes) alike. */
export function canonicalJSON(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map((x) => (x === undefined ? 'null' : canonicalJSON(x))).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJSON(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

const FNV32_OFFSET = 0x811c9dc5;
const FNV32_PRIME = 0x01000193;

/** Go's hash/fnv New32a (FNV-1a, 32 bit), continuing from seed. */
export function fnv32a(bytes: Uint8Array, seed = FNV32_OFFSET): number {
  let h = seed >>> 0;
  for (const b of bytes) h = Math.imul((h ^ b) >>> 0, FNV32_PRIME) >>> 0;
  return h >>> 0;
}

/** Go's hash/fnv New32 (FNV-1, 32 bit), continuing from seed. */
export function fnv32(bytes: Uint8Array, seed = FNV32_OFFSET): number {
  let h = seed >>> 0;
  for (const b of bytes) h = (Math.imul(h, FNV32_PRIME) ^ b) >>> 0;
  return h >>> 0;
}

/** rand.SafeEncodeString's alphabet: no vowels and no look-alikes, so hashes never spell words. */
export const SAFE_ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';

export function safeEncodeString(s: string): string {
  let out = '';
  for (const b of Buffer.from(s)) out += SAFE_ALPHANUMS[b % SAFE_ALPHANUMS.length];
  return out;
}
