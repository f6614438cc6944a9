// ClusterIP allocation over the service CIDR, after k8s pkg/registry/core/service/ipallocator.
// Pure helpers: the service registry keeps the set of used IPs (from etcd) and calls these.
// IPv4 only, like the single-stack cluster Timonel runs.

export const DEFAULT_SERVICE_CIDR = '10.96.0.0/12';

export class RangeFullError extends Error {
  constructor(what: string) {
    super(`range is full`);
    this.name = 'RangeFullError';
    this.what = what;
  }
  readonly what: string;
}

export interface IPv4Range {
  cidr: string;
  /** The network address as an unsigned 32-bit number. */
  network: number;
  /** Addresses in the CIDR, including network and broadcast. */
  size: number;
}

export function ipToNumber(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^(0|[1-9][0-9]{0,2})$/.test(p) && Number(p) <= 255)) return undefined;
  return parts.reduce((acc, p) => acc * 256 + Number(p), 0);
}

export function numberToIP(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');
}

export function parseCIDR(cidr: string): IPv4Range {
  const [ip, bitsText] = cidr.split('/');
  const addr = ipToNumber(ip ?? '');
  const bits = Number(bitsText);
  if (addr === undefined || !/^[0-9]+$/.test(bitsText ?? '') || bits < 0 || bits > 32) throw new Error(`invalid CIDR address: ${cidr}`);
  const size = 2 ** (32 - bits);
  return { cidr, network: addr - (addr % size), size };
}

/** The first usable address: Kubernetes reserves it for the `kubernetes` service in the default namespace. */
export function kubernetesServiceIP(cidr: string): string {
  const r = parseCIDR(cidr);
  return numberToIP(r.network + 1);
}

/** Offsets [first, last] of allocatable addresses: the network and broadcast addresses are never handed out (except in /31 and /32). */
function usable(r: IPv4Range): [number, number] {
  if (r.size <= 2) return [0, r.size - 1];
  return [1, r.size - 2];
}

export function rangeContains(cidr: string, ip: string): boolean {
  const r = parseCIDR(cidr);
  const n = ipToNumber(ip);
  if (n === undefined) return false;
  const [lo, hi] = usable(r);
  return n >= r.network + lo && n <= r.network + hi;
}

export interface AllocateOptions {
  /** Allow the address reserved for the `kubernetes` service (only that service's own registration passes this). */
  forKubernetesService?: boolean;
}

/** The lowest free address, skipping the ones in `used` and the kubernetes service's. Throws RangeFullError when none is left. */
export function allocateNextIP(cidr: string, used: ReadonlySet<string>, opts: AllocateOptions = {}): string {
  const r = parseCIDR(cidr);
  const [lo, hi] = usable(r);
  const reserved = kubernetesServiceIP(cidr);
  for (let off = lo; off <= hi; off++) {
    const ip = numberToIP(r.network + off);
    if (used.has(ip)) continue;
    if (ip === reserved && !opts.forKubernetesService) continue;
    return ip;
  }
  throw new RangeFullError('serviceIP');
}

/** Checks a requested clusterIP; returns the upstream error message or undefined when it may be taken. */
export function checkRequestedIP(cidr: string, ip: string, used: ReadonlySet<string>): string | undefined {
  if (!rangeContains(cidr, ip)) return `failed to allocate IP ${ip}: the provided IP (${ip}) is not in the valid range. The range of valid IPs is ${cidr}`;
  if (used.has(ip)) return `failed to allocate IP ${ip}: provided IP is already allocated`;
  return undefined;
}
