// IP networks of either family as big integers (the shape of Go's net.IPNet),
// for allocators that carve a range into blocks.
import { isIPv4, isIPv6 } from 'node:net';

export interface IPNet {
  /** 4 or 6. */
  family: 4 | 6;
  /** The network address (host bits cleared). */
  base: bigint;
  /** The prefix length. */
  prefix: number;
}

export const familyBits = (family: 4 | 6): number => (family === 4 ? 32 : 128);

/** The address as a number; undefined when it is not an IP address. */
export function parseIP(ip: string): { family: 4 | 6; value: bigint } | undefined {
  if (isIPv4(ip)) return { family: 4, value: ip.split('.').reduce((n, o) => (n << 8n) | BigInt(Number(o)), 0n) };
  if (!isIPv6(ip)) return undefined;
  let text = ip;
  const tail: bigint[] = [];
  // An embedded IPv4 tail (::ffff:1.2.3.4) counts as two groups.
  const dotted = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const v4 = parseIP(dotted[2])!.value;
    tail.push(v4 >> 16n, v4 & 0xffffn);
    text = dotted[1].endsWith('::') ? dotted[1] : dotted[1].slice(0, -1);
  }
  const [head, rest] = text.split('::');
  const groups = (s: string | undefined) => (s ? s.split(':').map((g) => BigInt(parseInt(g, 16))) : []);
  const left = groups(head);
  const right = [...groups(rest), ...tail];
  const missing = 8 - left.length - right.length;
  const all = rest === undefined ? [...left, ...tail] : [...left, ...Array<bigint>(missing).fill(0n), ...right];
  return { family: 6, value: all.reduce((n, g) => (n << 16n) | g, 0n) };
}

/** The address in its usual text form (IPv6 with the longest zero run compressed). */
export function formatIP(family: 4 | 6, value: bigint): string {
  if (family === 4) return [24n, 16n, 8n, 0n].map((s) => String((value >> s) & 0xffn)).join('.');
  const groups = Array.from({ length: 8 }, (_, i) => Number((value >> BigInt(112 - 16 * i)) & 0xffffn));
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) [bestStart, bestLen] = [i, j - i];
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

/** Parses "addr/prefix" as Go's net.ParseCIDR does: the result is the network (host bits cleared). */
export function parseCIDR(cidr: string): IPNet {
  const slash = cidr.indexOf('/');
  const ip = slash < 0 ? undefined : parseIP(cidr.slice(0, slash));
  const prefixText = slash < 0 ? '' : cidr.slice(slash + 1);
  const prefix = /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
  if (!ip || !(prefix <= familyBits(ip.family))) throw new Error(`invalid CIDR address: ${cidr}`);
  return { family: ip.family, prefix, base: ip.value & maskOf(ip.family, prefix) };
}

export function formatCIDR(n: IPNet): string {
  return `${formatIP(n.family, n.base)}/${n.prefix}`;
}

/** The netmask of a prefix length, as a number. */
export function maskOf(family: 4 | 6, prefix: number): bigint {
  const bits = BigInt(familyBits(family));
  return ((1n << bits) - 1n) ^ ((1n << (bits - BigInt(prefix))) - 1n);
}

/** Whether the two networks share any address (one contains the other). */
export function overlaps(a: IPNet, b: IPNet): boolean {
  if (a.family !== b.family) return false;
  const shorter = Math.min(a.prefix, b.prefix);
  const m = maskOf(a.family, shorter);
  return (a.base & m) === (b.base & m);
}
