// The Kubernetes regex library (k8s.io/apiserver/pkg/cel/library/regex.go):
// find and findAll. Patterns are RE2 syntax; the leading flag groups RE2 allows
// ((?i), (?s), (?m)) become JavaScript flags, and patterns are compiled once.
import type { Environment } from '@marcbachmann/cel-js';
import { evalError } from './errors.js';

const cache = new Map<string, RegExp>();
const CACHE_SIZE = 256;

/** The global RegExp for an RE2 pattern; an error names the pattern as upstream does. */
export function compileRegex(pattern: string): RegExp {
  const hit = cache.get(pattern);
  if (hit) return hit;
  let source = pattern;
  let flags = 'gu';
  const m = /^\(\?([ims]+)\)/.exec(source);
  if (m) {
    flags += m[1];
    source = source.slice(m[0].length);
  }
  let re: RegExp;
  try {
    re = new RegExp(source, flags);
  } catch (err) {
    throw evalError(`error parsing regexp: ${(err as Error).message}`);
  }
  if (cache.size >= CACHE_SIZE) cache.clear();
  cache.set(pattern, re);
  return re;
}

function findAll(s: string, pattern: string, limit: bigint): string[] {
  const re = compileRegex(pattern);
  const out: string[] = [];
  if (limit === 0n) return out;
  for (const m of s.matchAll(re)) {
    out.push(m[0]);
    if (limit > 0n && BigInt(out.length) >= limit) break;
  }
  return out;
}

export function registerRegex(env: Environment): void {
  env
    .registerFunction('string.find(string): string', (s: string, p: string) => findAll(s, p, 1n)[0] ?? '')
    .registerFunction('string.findAll(string): list<string>', (s: string, p: string) => findAll(s, p, -1n))
    .registerFunction('string.findAll(string, int): list<string>', findAll);
}
