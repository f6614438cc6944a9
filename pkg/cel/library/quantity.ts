// The Kubernetes quantity library (k8s.io/apiserver/pkg/cel/library/quantity.go):
// quantity("1.5Gi") and its methods. A Quantity is held exactly, in nano-units
// (resource.Quantity's smallest scale; finer values round up as upstream's do).
import type { Environment } from '@marcbachmann/cel-js';
import { evalError } from './errors.js';

const PARSE_ERROR = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
const QUANTITY_RE = /^([+-]?)([0-9]*)(?:\.([0-9]*))?(?:([eE][+-]?[0-9]+)|(n|u|m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei))?$/;
const NANOS: Record<string, bigint> = {
  n: 1n,
  u: 1000n,
  m: 1000_000n,
  '': 1000_000_000n,
  k: 10n ** 12n,
  M: 10n ** 15n,
  G: 10n ** 18n,
  T: 10n ** 21n,
  P: 10n ** 24n,
  E: 10n ** 27n,
  Ki: 1024n * 10n ** 9n,
  Mi: 1024n ** 2n * 10n ** 9n,
  Gi: 1024n ** 3n * 10n ** 9n,
  Ti: 1024n ** 4n * 10n ** 9n,
  Pi: 1024n ** 5n * 10n ** 9n,
  Ei: 1024n ** 6n * 10n ** 9n,
};
const NANO = 1000_000_000n;
const MAX_INT64 = 2n ** 63n - 1n;
const MIN_INT64 = -(2n ** 63n);

export class Quantity {
  constructor(readonly nanos: bigint) {}

  static parse(s: string): Quantity | undefined {
    const m = QUANTITY_RE.exec(s);
    if (!m || (m[2] === '' && (m[3] ?? '') === '')) return undefined;
    const [, sign, whole, fraction = '', exponent, suffix = ''] = m;
    // value = digits / 10^len(fraction), scaled to nanos.
    let numerator = BigInt(`${whole || '0'}${fraction}`) * (exponent ? 1n : NANOS[suffix]) * (exponent ? NANO : 1n);
    let denominator = 10n ** BigInt(fraction.length);
    if (exponent) {
      const e = Number(exponent.slice(1));
      if (Math.abs(e) > 1000) return undefined;
      if (e >= 0) numerator *= 10n ** BigInt(e);
      else denominator *= 10n ** BigInt(-e);
    }
    // Round up (away from zero) below the nano scale.
    let nanos = numerator / denominator;
    if (numerator % denominator !== 0n) nanos += 1n;
    return new Quantity(sign === '-' ? -nanos : nanos);
  }

  compareTo(o: Quantity): number {
    return this.nanos < o.nanos ? -1 : this.nanos > o.nanos ? 1 : 0;
  }
}

function parse(s: string): Quantity {
  const q = Quantity.parse(s);
  if (!q) throw evalError(PARSE_ERROR);
  return q;
}

function asInteger(q: Quantity): bigint {
  if (q.nanos % NANO !== 0n) throw evalError('cannot convert value to integer');
  const v = q.nanos / NANO;
  if (v > MAX_INT64 || v < MIN_INT64) throw evalError('cannot convert value to integer');
  return v;
}

const T = 'kubernetes.Quantity';

export function registerQuantity(env: Environment): void {
  env
    .registerType(T, Quantity)
    .registerFunction(`quantity(string): ${T}`, parse)
    .registerFunction('isQuantity(string): bool', (s: string) => Quantity.parse(s) !== undefined)
    .registerFunction(`${T}.sign(): int`, (q: Quantity) => BigInt(q.compareTo(new Quantity(0n))))
    .registerFunction(`${T}.isInteger(): bool`, (q: Quantity) => q.nanos % NANO === 0n && q.nanos / NANO <= MAX_INT64 && q.nanos / NANO >= MIN_INT64)
    .registerFunction(`${T}.asInteger(): int`, asInteger)
    .registerFunction(`${T}.asApproximateFloat(): double`, (q: Quantity) => Number(q.nanos) / 1e9)
    .registerFunction(`${T}.add(${T}): ${T}`, (a: Quantity, b: Quantity) => new Quantity(a.nanos + b.nanos))
    .registerFunction(`${T}.add(int): ${T}`, (a: Quantity, b: bigint) => new Quantity(a.nanos + b * NANO))
    .registerFunction(`${T}.sub(${T}): ${T}`, (a: Quantity, b: Quantity) => new Quantity(a.nanos - b.nanos))
    .registerFunction(`${T}.sub(int): ${T}`, (a: Quantity, b: bigint) => new Quantity(a.nanos - b * NANO))
    .registerFunction(`${T}.isLessThan(${T}): bool`, (a: Quantity, b: Quantity) => a.compareTo(b) < 0)
    .registerFunction(`${T}.isGreaterThan(${T}): bool`, (a: Quantity, b: Quantity) => a.compareTo(b) > 0)
    .registerFunction(`${T}.compareTo(${T}): int`, (a: Quantity, b: Quantity) => BigInt(a.compareTo(b)));
}
