// Resource lists as quota arithmetic sees them (upstream's pkg/quota/v1/resources.go):
// names to values, added, subtracted, masked and compared.
import { formatQuantity, parseQuantity, type Quantity } from '../../../api/resource/quantity.js';

/** A ResourceList's values; a Map, as resource names come from clients. */
export type Usage = Map<string, number>;

/** A ResourceList from the wire (malformed quantities are left out; validation refuses them). */
export function toUsage(list: { [key: string]: Quantity } | undefined | null): Usage {
  const out: Usage = new Map();
  if (!list || typeof list !== 'object') return out;
  for (const [name, q] of Object.entries(list)) {
    const v = parseQuantity(q);
    if (v !== undefined) out.set(name, v);
  }
  return out;
}

/** Memory and storage read best in binary units when they divide evenly. */
function binaryResource(name: string): boolean {
  return /memory|storage|hugepages/.test(name);
}

/** The canonical text of one resource's value. */
export function formatResource(name: string, value: number): string {
  return formatQuantity(value, binaryResource(name));
}

/** A ResourceList for the wire, in name order. */
export function fromUsage(usage: Usage): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const name of [...usage.keys()].sort()) out[name] = formatResource(name, usage.get(name) as number);
  return { ...out };
}

export function add(a: Usage, b: Usage): Usage {
  const out = new Map(a);
  for (const [k, v] of b) out.set(k, (out.get(k) ?? 0) + v);
  return out;
}

export function subtract(a: Usage, b: Usage): Usage {
  const out = new Map(a);
  for (const [k, v] of b) out.set(k, (out.get(k) ?? 0) - v);
  return out;
}

/** quota.Mask: only the named resources. */
export function mask(u: Usage, names: Iterable<string>): Usage {
  const out: Usage = new Map();
  for (const n of names) if (u.has(n)) out.set(n, u.get(n) as number);
  return out;
}

/** quota.IsZero: every value is zero. */
export function isZero(u: Usage): boolean {
  for (const v of u.values()) if (v !== 0) return false;
  return true;
}

/** quota.LessThanOrEqual: whether a <= b for every resource b limits, and the resources where it is not. */
export function lessThanOrEqual(a: Usage, b: Usage): { allowed: boolean; exceeded: string[] } {
  const exceeded: string[] = [];
  for (const [k, v] of a) {
    const limit = b.get(k);
    // A tiny tolerance: values are doubles, and 0.1 + 0.2 must fit under 300m.
    if (limit !== undefined && v > limit + 1e-9 * Math.max(1, Math.abs(limit))) exceeded.push(k);
  }
  return { allowed: exceeded.length === 0, exceeded: exceeded.sort() };
}

/** prettyPrint: `name=quantity` in name order, joined with commas. */
export function prettyPrint(u: Usage): string {
  return [...u.keys()]
    .sort()
    .map((k) => `${k}=${formatResource(k, u.get(k) as number)}`)
    .join(',');
}

export function sameUsage(a: Usage, b: Usage): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) === undefined || Math.abs((b.get(k) as number) - v) > 1e-9 * Math.max(1, Math.abs(v))) return false;
  return true;
}
