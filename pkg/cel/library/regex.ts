// Regular expressions in RE2 syntax and linear time, as upstream's (Go's regexp is
// RE2): matches, and the Kubernetes regex library (k8s.io/apiserver/pkg/cel/library/regex.go),
// find and findAll. They run on re2js, a port of RE2: JavaScript's RegExp
// backtracks, and a pattern such as `^(a+)+$` would let a request's string stall
// the apiserver. The CEL library's own `matches` uses RegExp, so compiled
// expressions call MATCHES_RE2 instead (see environment.ts).
import type { Environment } from '@marcbachmann/cel-js';
import { RE2JS } from 're2js';
import { evalError } from './errors.js';

/** The name `matches` calls are given in the expressions the apiserver runs. */
export const MATCHES_RE2 = 'matchesRE2';

const cache = new Map<string, RE2JS>();
const CACHE_SIZE = 256;

/** The compiled pattern; a bad one is Go's error (`error parsing regexp: missing closing ): ...`). */
export function compileRegex(pattern: string): RE2JS {
  const hit = cache.get(pattern);
  if (hit) return hit;
  let re: RE2JS;
  try {
    re = RE2JS.compile(pattern);
  } catch (err) {
    throw evalError((err as Error).message);
  }
  if (cache.size >= CACHE_SIZE) cache.clear();
  cache.set(pattern, re);
  return re;
}

function findAll(s: string, pattern: string, limit: bigint): string[] {
  const out: string[] = [];
  if (limit === 0n) return out;
  const m = compileRegex(pattern).matcher(s);
  while (m.find()) {
    out.push(m.group() ?? '');
    if (limit > 0n && BigInt(out.length) >= limit) break;
  }
  return out;
}

export function registerRegex(env: Environment): void {
  env
    .registerFunction(`string.${MATCHES_RE2}(string): bool`, (s: string, p: string) => compileRegex(p).matcher(s).find())
    .registerFunction('string.find(string): string', (s: string, p: string) => findAll(s, p, 1n)[0] ?? '')
    .registerFunction('string.findAll(string): list<string>', (s: string, p: string) => findAll(s, p, -1n))
    .registerFunction('string.findAll(string, int): list<string>', findAll);
}
