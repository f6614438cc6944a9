// Objects keyed by names a client chose (labels, annotations, ConfigMap data,
// patch documents, map fields): such a key is data, as Kubernetes stores it in a
// Go map. On a plain object `o[k] = v` with k "__proto__" calls the prototype
// setter instead of storing the key, and `o[k]` with k "__proto__",
// "constructor", "toString"... reads Object.prototype or its methods; one more
// level of assignment through such a read pollutes every object in the process.
// These helpers read and write own properties only.

/** The own property k of o; undefined when o has none (inherited members are not data). */
export function getOwn(o: object, k: string): unknown {
  return Object.prototype.hasOwnProperty.call(o, k) ? (o as Record<string, unknown>)[k] : undefined;
}

export function hasOwn(o: object, k: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, k);
}

/** Stores k as an own, enumerable property, even when k is "__proto__". */
export function setOwn(o: object, k: string, v: unknown): void {
  if (k === '__proto__') Object.defineProperty(o, k, { value: v, writable: true, enumerable: true, configurable: true });
  else (o as Record<string, unknown>)[k] = v;
}

/** A plain object with the own properties of entries (Object.fromEntries, which also defines "__proto__" as data). */
export function fromEntries<V>(entries: Iterable<readonly [string, V]>): Record<string, V> {
  return Object.fromEntries(entries) as Record<string, V>;
}
