// resource.Quantity parsing, enough to compare requests with limits.
const SUFFIX: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

const QUANTITY_RE = /^([+-]?[0-9]+(?:\.[0-9]*)?|[+-]?\.[0-9]+)(?:([eE][+-]?[0-9]+)|(n|u|m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei))?$/;

/** A resource.Quantity as on the wire: a string ("100m", "1Gi"); clients may also send a plain number. */
export type Quantity = string | number;

/** The value of a quantity string ("500m", "1Gi", "1e3"), or undefined when malformed. */
export function parseQuantity(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v !== 'string') return undefined;
  const m = QUANTITY_RE.exec(v.trim());
  if (!m) return undefined;
  const base = Number(m[1]);
  if (m[2]) return base * 10 ** Number(m[2].slice(1));
  return base * SUFFIX[m[3] ?? ''];
}

export const QUANTITY_ERROR = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

const BINARY_SUFFIXES: Array<[string, number]> = [
  ['Ei', 2 ** 60],
  ['Pi', 2 ** 50],
  ['Ti', 2 ** 40],
  ['Gi', 2 ** 30],
  ['Mi', 2 ** 20],
  ['Ki', 2 ** 10],
];
const DECIMAL_SUFFIXES: Array<[string, number]> = [
  ['E', 1e18],
  ['P', 1e15],
  ['T', 1e12],
  ['G', 1e9],
  ['M', 1e6],
  ['k', 1e3],
];

/** Whether a quantity is written with a binary suffix (its sums keep that format, as resource.Quantity's Add does). */
export function isBinaryQuantity(v: unknown): boolean {
  return typeof v === 'string' && /[KMGTPE]i$/.test(v.trim());
}

/**
 * The canonical text of a value, as resource.Quantity's String: BinarySI uses the
 * largest binary suffix that divides it exactly, DecimalSI the largest power of
 * 1000; fractions are written in milli (or nano) units.
 */
export function formatQuantity(value: number, binary = false): string {
  if (value === 0) return '0';
  const sign = value < 0 ? '-' : '';
  const abs = Math.abs(value);
  const whole = Math.round(abs);
  if (Math.abs(abs - whole) < 1e-9 * Math.max(1, abs)) {
    for (const [suffix, unit] of binary ? [...BINARY_SUFFIXES, ...DECIMAL_SUFFIXES] : DECIMAL_SUFFIXES) {
      if (whole >= unit && whole % unit === 0) return `${sign}${whole / unit}${suffix}`;
    }
    return `${sign}${whole}`;
  }
  const milli = Math.round(abs * 1e3);
  if (Math.abs(abs * 1e3 - milli) < 1e-6) return `${sign}${milli}m`;
  return `${sign}${Math.round(abs * 1e9)}n`;
}
