// The Kubernetes list library (k8s.io/apiserver/pkg/cel/library/lists.go):
// isSorted, sum, min, max, indexOf and lastIndexOf on lists of comparable values.
import type { Environment } from '@marcbachmann/cel-js';
import { evalError } from './errors.js';

type Comparable = bigint | number | string | boolean | Uint8Array | Date;

/** CEL's ordering of two values of one comparable type (ints and doubles compare numerically). */
export function compare(a: unknown, b: unknown): number {
  const num = (v: unknown) => typeof v === 'bigint' || typeof v === 'number';
  if (num(a) && num(b)) {
    const x = a as bigint | number;
    const y = b as bigint | number;
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  if (a instanceof Uint8Array && b instanceof Uint8Array) return Buffer.compare(a, b);
  if (a instanceof Date && b instanceof Date) return Math.sign(a.getTime() - b.getTime());
  throw evalError('no such overload');
}

/** CEL equality of two values (lists and maps element by element). */
export function equal(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if ((typeof a === 'bigint' || typeof a === 'number') && (typeof b === 'bigint' || typeof b === 'number')) return a == b;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => equal(v, b[i]));
  if (a instanceof Map && b instanceof Map) {
    if (a.size !== b.size) return false;
    for (const [k, v] of a) if (!b.has(k) || !equal(v, b.get(k))) return false;
    return true;
  }
  if (a instanceof Uint8Array && b instanceof Uint8Array) return Buffer.compare(a, b) === 0;
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  return false;
}

function extreme(list: unknown[], sign: number, name: string): unknown {
  if (list.length === 0) throw evalError(`${name}(list) called on an empty list`);
  let best = list[0];
  for (const v of list.slice(1)) if (compare(v, best) * sign > 0) best = v;
  return best as Comparable;
}

function sum(list: unknown[]): unknown {
  if (list.length === 0) return 0n;
  if (list.every((v) => typeof v === 'bigint')) return (list as bigint[]).reduce((a, b) => a + b, 0n);
  if (list.every((v) => typeof v === 'number' || typeof v === 'bigint')) return list.reduce<number>((a, b) => a + Number(b), 0);
  throw evalError('sum(list) is only defined on lists of int, uint, double or duration');
}

export function registerLists(env: Environment): void {
  env
    .registerFunction('list.isSorted(): bool', (l: unknown[]) => l.every((v, i) => i === 0 || compare(l[i - 1], v) <= 0))
    .registerFunction('list.sum(): dyn', sum)
    .registerFunction('list.min(): dyn', (l: unknown[]) => extreme(l, -1, 'min'))
    .registerFunction('list.max(): dyn', (l: unknown[]) => extreme(l, 1, 'max'))
    .registerFunction('list.indexOf(dyn): int', (l: unknown[], v: unknown) => BigInt(l.findIndex((x) => equal(x, v))))
    .registerFunction('list.lastIndexOf(dyn): int', (l: unknown[], v: unknown) => {
      for (let i = l.length - 1; i >= 0; i--) if (equal(l[i], v)) return BigInt(i);
      return -1n;
    });
}
