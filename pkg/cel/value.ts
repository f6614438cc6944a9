// Kubernetes objects as CEL values. JSON integers become CEL ints (bigint) and
// other numbers doubles, as upstream's unstructured conversion reads them; JSON
// objects become Maps, so a key the client chose (`__proto__`, `constructor`) is
// only ever a map key and never a property lookup on a plain object.

/** The CEL value of a decoded JSON value; depth is bounded by the decoder's own limit. */
export function toCel(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return Number.isInteger(v) ? BigInt(v) : v;
  if (Array.isArray(v)) return v.map(toCel);
  if (typeof v === 'object') {
    const m = new Map<string, unknown>();
    for (const [k, val] of Object.entries(v as Record<string, unknown>)) if (val !== undefined) m.set(k, toCel(val));
    return m;
  }
  return v;
}

/** A CEL result as JSON-shaped data (for messages and audit annotations). */
export function fromCel(v: unknown): unknown {
  if (typeof v === 'bigint') return Number(v);
  if (Array.isArray(v)) return v.map(fromCel);
  if (v instanceof Map) {
    const o: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
    for (const [k, val] of v) o[String(k)] = fromCel(val);
    return o;
  }
  return v;
}
