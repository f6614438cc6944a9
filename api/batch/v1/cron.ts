// Standard 5-field cron schedules (plus the @descriptors and @every), parsed the
// way the CronJob validation and controller's parser (robfig/cron ParseStandard)
// does, with its error wording, and their next activation times in a time zone.
interface FieldBounds {
  min: number;
  max: number;
  names?: Record<string, number>;
}

const MONTHS: Record<string, number> = { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 };
const DAYS: Record<string, number> = { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 };
const FIELDS: FieldBounds[] = [
  { min: 0, max: 59 },
  { min: 0, max: 23 },
  { min: 1, max: 31 },
  { min: 1, max: 12, names: MONTHS },
  { min: 0, max: 6, names: DAYS },
];
const DESCRIPTORS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

function parseValue(s: string, f: FieldBounds): number {
  const named = f.names?.[s.toLowerCase()];
  if (named !== undefined) return named;
  if (!/^[0-9]+$/.test(s)) throw new Error(`failed to parse int from ${s}: strconv.Atoi: parsing ${JSON.stringify(s)}: invalid syntax`);
  return Number(s);
}

/** One field's values; `star` when it was `*` or `?` with step 1 (it matters for the day-of-month/day-of-week rule). */
interface FieldSet {
  values: Set<number>;
  star: boolean;
}

function parseRange(expr: string, f: FieldBounds, into: FieldSet): void {
  const [rangePart, stepPart, extra] = expr.split('/');
  if (extra !== undefined) throw new Error(`too many slashes: ${expr}`);
  let lo = f.min;
  let hi = f.max;
  let star = false;
  const bounds = rangePart.split('-');
  if (rangePart === '*' || rangePart === '?') star = true;
  else {
    if (bounds.length > 2) throw new Error(`too many hyphens: ${expr}`);
    lo = parseValue(bounds[0], f);
    hi = bounds.length === 2 ? parseValue(bounds[1], f) : lo;
  }
  let step = 1;
  if (stepPart !== undefined) {
    step = parseValue(stepPart, f);
    if (step <= 0) throw new Error(`step of range should be a positive number: ${expr}`);
    // "N/step" means "N-max/step".
    if (bounds.length === 1 && !star) hi = f.max;
    if (step > 1) star = false;
  }
  if (lo < f.min) throw new Error(`beginning of range (${lo}) below minimum (${f.min}): ${expr}`);
  if (hi > f.max) throw new Error(`end of range (${hi}) above maximum (${f.max}): ${expr}`);
  if (lo > hi) throw new Error(`beginning of range (${lo}) beyond end of range (${hi}): ${expr}`);
  for (let v = lo; v <= hi; v += step) into.values.add(v);
  if (star) into.star = true;
}

/** A parsed schedule: `next(t)` is its first activation strictly after t, or undefined if none within five years. */
export interface CronSchedule {
  next(after: Date): Date | undefined;
}

/** Go's time.ParseDuration for @every, in milliseconds. */
function parseGoDuration(s: string): number {
  const units: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  const re = /([0-9]+(?:\.[0-9]+)?)(ns|us|µs|ms|s|m|h)/gy;
  let total = 0;
  let m: RegExpExecArray | null;
  let end = 0;
  while ((m = re.exec(s)) !== null) {
    total += Number(m[1]) * units[m[2]];
    end = re.lastIndex;
  }
  if (end !== s.length || s.length === 0) throw new Error(`failed to parse duration ${s}`);
  return total;
}

/**
 * parseCronSchedule: cron.ParseStandard. timeZone is an IANA name (spec.timeZone);
 * undefined means the controller process's local zone, as upstream.
 */
export function parseCronSchedule(schedule: string, timeZone?: string): CronSchedule {
  let s = schedule.trim();
  if (s.startsWith('@every ')) {
    // ConstantDelaySchedule: at least a second, whole seconds.
    let ms: number;
    try {
      ms = parseGoDuration(s.slice('@every '.length).trim());
    } catch {
      throw new Error(`failed to parse duration ${s}`);
    }
    const delay = Math.max(1000, Math.floor(ms / 1000) * 1000);
    return { next: (after) => new Date(Math.floor(after.getTime() / 1000) * 1000 + delay) };
  }
  if (s.startsWith('@')) {
    const spec = DESCRIPTORS[s];
    if (!spec) throw new Error(`unrecognized descriptor: ${s}`);
    s = spec;
  }
  const fields = s.split(/\s+/).filter((x) => x);
  if (fields.length !== 5) throw new Error(`expected exactly 5 fields, found ${fields.length}: [${fields.join(' ')}]`);
  const sets = fields.map((field, i) => {
    const set: FieldSet = { values: new Set(), star: false };
    for (const expr of field.split(',')) parseRange(expr, FIELDS[i], set);
    return set;
  });
  return new SpecSchedule(sets[0], sets[1], sets[2], sets[3], sets[4], timeZone);
}

/** The parser's error message for a bad schedule, or undefined when it parses. */
export function cronScheduleError(schedule: string): string | undefined {
  try {
    parseCronSchedule(schedule);
  } catch (e) {
    return (e as Error).message;
  }
  return undefined;
}

// ---- next activation, in wall-clock time of a zone ----

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string | undefined): Intl.DateTimeFormat {
  const key = timeZone ?? '';
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(key, f);
  }
  return f;
}

/** The wall-clock time at instant ms in the zone, expressed as if it were UTC (minute precision). */
function wallAsUTC(ms: number, timeZone: string | undefined): number {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(ms))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour % 24, parts.minute);
}

/** The zone's offset from UTC at an instant, in milliseconds (minute precision). */
export function zoneOffsetMs(date: Date, timeZone: string | undefined): number {
  const ms = Math.floor(date.getTime() / 60_000) * 60_000;
  return wallAsUTC(ms, timeZone) - ms;
}

/** The instant showing wall time `wall` in the zone; undefined when it does not exist (a DST gap). */
function instantOfWall(wall: number, timeZone: string | undefined): number | undefined {
  const first = wall - (wallAsUTC(wall, timeZone) - wall);
  const second = wall - (wallAsUTC(first, timeZone) - first);
  // Of two matches (a repeated hour), take the earlier, as a clock going forward meets it first.
  const candidates = [first, second].filter((t) => wallAsUTC(t, timeZone) === wall).sort((a, b) => a - b);
  return candidates[0];
}

class SpecSchedule implements CronSchedule {
  constructor(
    private readonly minute: FieldSet,
    private readonly hour: FieldSet,
    private readonly dom: FieldSet,
    private readonly month: FieldSet,
    private readonly dow: FieldSet,
    private readonly timeZone: string | undefined,
  ) {}

  /** robfig's dayMatches: with either day field `*`, both must match; otherwise either may. */
  private dayMatches(cal: Date): boolean {
    const domMatch = this.dom.values.has(cal.getUTCDate());
    const dowMatch = this.dow.values.has(cal.getUTCDay());
    return this.dom.star || this.dow.star ? domMatch && dowMatch : domMatch || dowMatch;
  }

  next(after: Date): Date | undefined {
    // The first whole minute at or after the next whole second.
    const start = Math.ceil((Math.floor(after.getTime() / 1000) * 1000 + 1000) / 60_000) * 60_000;
    // Walk wall-clock time (a UTC Date used as a calendar), skipping whole months/days/hours that cannot match.
    let cal = new Date(wallAsUTC(start, this.timeZone));
    const lastYear = cal.getUTCFullYear() + 5;
    while (cal.getUTCFullYear() <= lastYear) {
      const y = cal.getUTCFullYear();
      const mo = cal.getUTCMonth();
      const d = cal.getUTCDate();
      const h = cal.getUTCHours();
      if (!this.month.values.has(mo + 1)) {
        cal = new Date(Date.UTC(y, mo + 1, 1));
        continue;
      }
      if (!this.dayMatches(cal)) {
        cal = new Date(Date.UTC(y, mo, d + 1));
        continue;
      }
      if (!this.hour.values.has(h)) {
        cal = new Date(Date.UTC(y, mo, d, h + 1));
        continue;
      }
      if (!this.minute.values.has(cal.getUTCMinutes())) {
        cal = new Date(cal.getTime() + 60_000);
        continue;
      }
      const t = instantOfWall(cal.getTime(), this.timeZone);
      if (t !== undefined && t >= start) return new Date(t);
      cal = new Date(cal.getTime() + 60_000);
    }
    return undefined;
  }
}
