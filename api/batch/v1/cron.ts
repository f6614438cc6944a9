// Standard 5-field cron schedules (plus the @descriptors), checked the way the
// CronJob validation's parser does, with its error wording.
interface FieldBounds { min: number; max: number; names?: Record<string, number> }

const MONTHS: Record<string, number> = { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 };
const DAYS: Record<string, number> = { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 };
const FIELDS: FieldBounds[] = [
  { min: 0, max: 59 }, { min: 0, max: 23 }, { min: 1, max: 31 }, { min: 1, max: 12, names: MONTHS }, { min: 0, max: 6, names: DAYS },
];
const DESCRIPTORS = ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'];

function parseValue(s: string, f: FieldBounds): number {
  const named = f.names?.[s.toLowerCase()];
  if (named !== undefined) return named;
  if (!/^[0-9]+$/.test(s)) throw new Error(`failed to parse int from ${s}: strconv.Atoi: parsing ${JSON.stringify(s)}: invalid syntax`);
  return Number(s);
}

function checkRange(expr: string, f: FieldBounds): void {
  const [rangePart, stepPart, extra] = expr.split('/');
  if (extra !== undefined) throw new Error(`too many slashes: ${expr}`);
  let lo = f.min;
  let hi = f.max;
  if (rangePart !== '*' && rangePart !== '?') {
    const bounds = rangePart.split('-');
    if (bounds.length > 2) throw new Error(`too many hyphens: ${expr}`);
    lo = parseValue(bounds[0], f);
    hi = bounds.length === 2 ? parseValue(bounds[1], f) : lo;
  }
  if (stepPart !== undefined) {
    const step = parseValue(stepPart, f);
    if (step <= 0) throw new Error(`step of range should be a positive number: ${expr}`);
  }
  if (lo < f.min) throw new Error(`beginning of range (${lo}) below minimum (${f.min}): ${expr}`);
  if (hi > f.max) throw new Error(`end of range (${hi}) above maximum (${f.max}): ${expr}`);
  if (lo > hi) throw new Error(`beginning of range (${lo}) beyond end of range (${hi}): ${expr}`);
}

/** The parser's error message for a bad schedule, or undefined when it parses. */
export function cronScheduleError(schedule: string): string | undefined {
  const s = schedule.trim();
  if (s.startsWith('@')) {
    if (DESCRIPTORS.includes(s)) return undefined;
    if (s.startsWith('@every ')) return /^@every\s+([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$/.test(s) ? undefined : `failed to parse duration ${s}`;
    return `unrecognized descriptor: ${s}`;
  }
  const fields = s.split(/\s+/).filter((x) => x);
  if (fields.length !== 5) return `expected exactly 5 fields, found ${fields.length}: [${fields.join(' ')}]`;
  try {
    fields.forEach((field, i) => field.split(',').forEach((expr) => checkRange(expr, FIELDS[i])));
  } catch (e) {
    return (e as Error).message;
  }
  return undefined;
}
