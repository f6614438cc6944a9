// Field-error text as k8s.io/apimachinery/pkg/util/validation/field prints it,
// e.g. `values[0][app]: Invalid value: "-x": <detail>`.

/** Renders a bad value the way field.Error does: strings quoted, numbers and booleans bare, lists as Go's %#v. */
export function formatBadValue(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return `[]string{${value.map((v) => JSON.stringify(v)).join(', ')}}`;
  return JSON.stringify(value);
}

/** The body of an "Invalid value" field error (what a StatusCause message carries). */
export function invalidBody(value: unknown, detail: string): string {
  const s = `Invalid value: ${formatBadValue(value)}`;
  return detail ? `${s}: ${detail}` : s;
}

/** The whole error string, `<field>: Invalid value: ...`. A nil field path prints as "<nil>". */
export function fieldInvalid(field: string, value: unknown, detail: string): string {
  return `${field}: ${invalidBody(value, detail)}`;
}
