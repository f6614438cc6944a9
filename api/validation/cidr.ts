// CIDR parsing for validation, as k8s.io/utils/net ParseCIDRSloppy reads one
// (IPv4 octets may carry leading zeros): the network address as a number and
// the prefix length, enough to check that one CIDR lies inside another.

export interface ParsedCIDR {
  family: 4 | 6;
  /** The address as written, as an unsigned integer of 32 or 128 bits. */
  address: bigint;
  prefix: number;
}

function parseIPv4Sloppy(s: string): bigint | undefined {
  const parts = s.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^[0-9]{1,3}$/.test(p) && Number(p) <= 255)) return undefined;
  return parts.reduce((acc, p) => (acc << 8n) | BigInt(Number(p)), 0n);
}

function parseIPv6(s: string): bigint | undefined {
  if (!/^[0-9A-Fa-f:.]+$/.test(s)) return undefined;
  let text = s;
  // A trailing dotted IPv4 part (::ffff:10.0.0.1) is two 16-bit groups.
  const lastColon = text.lastIndexOf(':');
  if (text.slice(lastColon + 1).includes('.')) {
    const v4 = parseIPv4Sloppy(text.slice(lastColon + 1));
    if (v4 === undefined) return undefined;
    text = `${text.slice(0, lastColon + 1)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (g: string) => (g === '' ? [] : g.split(':'));
  const head = groups(halves[0]);
  const rest = halves.length === 2 ? groups(halves[1]) : [];
  if ([...head, ...rest].some((g) => !/^[0-9A-Fa-f]{1,4}$/.test(g))) return undefined;
  const known = head.length + rest.length;
  if (halves.length === 1 ? known !== 8 : known > 7) return undefined;
  const words = [...head, ...Array<string>(8 - known).fill('0'), ...rest].map((g) => BigInt(parseInt(g, 16)));
  return words.reduce((acc, w) => (acc << 16n) | w, 0n);
}

/** The CIDR, or undefined when it is not one. */
export function parseCIDR(cidr: string): ParsedCIDR | undefined {
  const slash = cidr.indexOf('/');
  if (slash < 0) return undefined;
  const ip = cidr.slice(0, slash);
  const bits = cidr.slice(slash + 1);
  if (!/^[0-9]{1,3}$/.test(bits)) return undefined;
  const prefix = Number(bits);
  if (!ip.includes(':')) {
    const address = parseIPv4Sloppy(ip);
    return address === undefined || prefix > 32 ? undefined : { family: 4, address, prefix };
  }
  const address = parseIPv6(ip);
  return address === undefined || prefix > 128 ? undefined : { family: 6, address, prefix };
}

/** Whether inner's address lies in outer's network (Go's IPNet.Contains of inner.IP). */
export function cidrContains(outer: ParsedCIDR, inner: ParsedCIDR): boolean {
  if (outer.family !== inner.family) return false;
  const width = BigInt(outer.family === 4 ? 32 : 128);
  const shift = width - BigInt(outer.prefix);
  return outer.address >> shift === inner.address >> shift;
}

export const CIDR_ERROR = 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)';
