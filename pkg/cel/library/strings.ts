// cel-go's ext.Strings functions that the CEL library does not have built in
// (it has trim, indexOf, lastIndexOf, substring, split and join): charAt,
// replace, reverse and format; and lowerAscii and upperAscii, which change ASCII
// letters only (the library's change every letter; environment.ts points calls here).
import type { Environment } from '@marcbachmann/cel-js';
import { evalError } from './errors.js';

/** Code points, so indices count characters as CEL's do (not UTF-16 units). */
const chars = (s: string): string[] => Array.from(s);

function replace(s: string, from: string, to: string, n: bigint): string {
  if (n < 0n) return s.split(from).join(to);
  let out = '';
  let rest = s;
  for (let i = 0n; i < n; i++) {
    const at = rest.indexOf(from);
    if (at < 0) break;
    out += rest.slice(0, at) + to;
    rest = rest.slice(at + from.length);
    if (from === '') {
      // An empty pattern matches before each character, as Go's strings.Replace.
      if (rest === '') return out;
      const [first] = chars(rest);
      out += first;
      rest = rest.slice(first.length);
    }
  }
  return out + rest;
}

/** The text of an argument of %s: CEL's string conversion of the value. */
function formatString(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  if (typeof v === 'number') return formatDouble(v);
  if (v === null) return 'null';
  if (v instanceof Uint8Array) return Buffer.from(v).toString();
  if (Array.isArray(v)) return `[${v.map(formatString).join(', ')}]`;
  if (v instanceof Map)
    return `{${[...v.entries()]
      .map(([k, val]) => [formatString(k), formatString(val)])
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, val]) => `${k}: ${val}`)
      .join(', ')}}`;
  return String(v);
}

function formatDouble(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? 'Infinity' : '-Infinity';
  return String(v);
}

function integer(v: unknown, verb: string): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'object' && v !== null && 'valueOf' in v && typeof v.valueOf() === 'bigint') return v.valueOf() as bigint; // uint
  throw evalError(`error during formatting: ${verb} clause can only be used on integers, was given ${typeName(v)}`);
}

function typeName(v: unknown): string {
  if (typeof v === 'string') return 'string';
  if (typeof v === 'number') return 'double';
  if (typeof v === 'boolean') return 'bool';
  if (v === null) return 'null_type';
  if (Array.isArray(v)) return 'list';
  if (v instanceof Map) return 'map';
  return typeof v;
}

/** string.format(list): the verbs of cel-go's ext strings: %s %d %f %e %x %X %o %b and %%, with a precision for %f and %e. */
export function format(template: string, args: unknown[]): string {
  let out = '';
  let next = 0;
  for (let i = 0; i < template.length; i++) {
    const c = template[i];
    if (c !== '%') {
      out += c;
      continue;
    }
    if (template[i + 1] === '%') {
      out += '%';
      i++;
      continue;
    }
    let j = i + 1;
    let precision: number | undefined;
    if (template[j] === '.') {
      const m = /^\.(\d+)/.exec(template.slice(j));
      if (!m) throw evalError('error during formatting: unable to find end of precision specifier');
      precision = Number(m[1]);
      j += m[0].length;
    }
    const verb = template[j];
    if (verb === undefined) throw evalError('error during formatting: unexpected end of string');
    if (next >= args.length) throw evalError(`index ${next} out of range`);
    const arg = args[next++];
    out += formatOne(verb, arg, precision);
    i = j;
  }
  return out;
}

function formatOne(verb: string, arg: unknown, precision: number | undefined): string {
  switch (verb) {
    case 's':
      return formatString(arg);
    case 'd':
      return typeof arg === 'number' ? formatDouble(arg) : integer(arg, 'decimal').toString();
    case 'f':
    case 'e': {
      const n = typeof arg === 'number' ? arg : typeof arg === 'bigint' ? Number(arg) : typeof arg === 'string' ? Number(arg) : NaN;
      if (typeof arg !== 'number' && typeof arg !== 'bigint' && typeof arg !== 'string')
        throw evalError(
          `error during formatting: ${verb === 'f' ? 'fixed-point' : 'scientific'} clause can only be used on doubles, was given ${typeName(arg)}`,
        );
      if (!Number.isFinite(n)) return formatDouble(n);
      if (verb === 'f') return n.toFixed(precision ?? 6);
      return n.toExponential(precision ?? 6).replace(/e([+-])(\d)$/, 'e$10$2');
    }
    case 'x':
    case 'X': {
      let s: string;
      if (typeof arg === 'string') s = Buffer.from(arg).toString('hex');
      else if (arg instanceof Uint8Array) s = Buffer.from(arg).toString('hex');
      else {
        const n = integer(arg, 'hex');
        s = n < 0n ? `-${(-n).toString(16)}` : n.toString(16);
      }
      return verb === 'X' ? s.toUpperCase() : s;
    }
    case 'o':
      return integer(arg, 'octal').toString(8);
    case 'b': {
      if (typeof arg === 'boolean') return arg ? '1' : '0';
      return integer(arg, 'binary').toString(2);
    }
    default:
      throw evalError(`could not parse formatting clause: unrecognized formatting clause "${verb}"`);
  }
}

export const LOWER_ASCII = 'lowerAsciiOnly';
export const UPPER_ASCII = 'upperAsciiOnly';

export function registerStrings(env: Environment): void {
  env
    .registerFunction(`string.${LOWER_ASCII}(): string`, (s: string) => s.replace(/[A-Z]+/g, (m) => m.toLowerCase()))
    .registerFunction(`string.${UPPER_ASCII}(): string`, (s: string) => s.replace(/[a-z]+/g, (m) => m.toUpperCase()))
    .registerFunction('string.charAt(int): string', (s: string, i: bigint) => {
      const cs = chars(s);
      if (i < 0n || i > BigInt(cs.length)) throw evalError(`index out of range: ${i}`);
      return cs[Number(i)] ?? '';
    })
    .registerFunction('string.replace(string, string): string', (s: string, from: string, to: string) => replace(s, from, to, -1n))
    .registerFunction('string.replace(string, string, int): string', replace)
    .registerFunction('string.reverse(): string', (s: string) => chars(s).reverse().join(''))
    .registerFunction('string.format(list): string', (s: string, args: unknown[]) => format(s, args));
}
