// Loose readers for stored objects: the printers see JSON, not typed structs, and
// read absent fields as Go's zero values.

export type Obj = Record<string, unknown>;

export function rec(v: unknown): Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {};
}

export function arr(v: unknown): Obj[] {
  return Array.isArray(v) ? v.map(rec) : [];
}

export function strs(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

export function str(v: unknown): string {
  if (v === undefined || v === null) return '';
  return typeof v === 'string' ? v : String(v);
}

export function num(v: unknown, dflt = 0): number {
  return typeof v === 'number' && Number.isFinite(v) ? Math.trunc(v) : dflt;
}

export function optStr(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** Parses an RFC 3339 (micro)timestamp; undefined for missing/zero ones. */
export function parseTime(v: unknown): number | undefined {
  if (typeof v !== 'string' || v === '') return undefined;
  // Date.parse wants at most millisecond precision.
  const t = Date.parse(v.replace(/(\.\d{3})\d+/, '$1'));
  return Number.isNaN(t) ? undefined : t;
}

/** An IntOrString as Go's String() prints it. */
export function intOrString(v: unknown): string {
  return typeof v === 'number' ? String(Math.trunc(v)) : str(v);
}

/** A resource.Quantity as stored; a missing one is Go's zero Quantity, "0". */
export function quantity(v: unknown): string {
  if (typeof v === 'number') return String(v);
  return typeof v === 'string' && v !== '' ? v : '0';
}
