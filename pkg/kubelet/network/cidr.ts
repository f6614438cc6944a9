// IPv4 CIDR arithmetic for node network setup (the node's pod CIDR, its gateway).

export interface IPv4CIDR {
  /** Network address as an unsigned 32-bit integer. */
  network: number;
  prefix: number;
}

export function parseIPv4(ip: string): number {
  const parts = ip.split('.');
  if (parts.length !== 4) throw new Error(`invalid IPv4 address ${JSON.stringify(ip)}`);
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) throw new Error(`invalid IPv4 address ${JSON.stringify(ip)}`);
    n = n * 256 + Number(p);
  }
  return n >>> 0;
}

export function formatIPv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

function mask(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/** Parses "10.244.1.0/24"; host bits set ("10.244.1.5/24") are an error, as net.ParseCIDR's caller would make them. */
export function parseCIDR(cidr: string): IPv4CIDR {
  const m = /^([0-9.]+)\/(\d{1,2})$/.exec(cidr.trim());
  if (!m || Number(m[2]) > 32) throw new Error(`invalid CIDR ${JSON.stringify(cidr)}: want an IPv4 network such as 10.244.0.0/24`);
  const prefix = Number(m[2]);
  const ip = parseIPv4(m[1]);
  const network = (ip & mask(prefix)) >>> 0;
  if (network !== ip) throw new Error(`invalid CIDR ${JSON.stringify(cidr)}: host bits are set (did you mean ${formatIPv4(network)}/${prefix}?)`);
  return { network, prefix };
}

export function formatCIDR(c: IPv4CIDR): string {
  return `${formatIPv4(c.network)}/${c.prefix}`;
}

export function cidrContains(c: IPv4CIDR, ip: string): boolean {
  return (parseIPv4(ip) & mask(c.prefix)) >>> 0 === c.network;
}

/** The first usable address, which the bridge (the pods' gateway) takes. */
export function firstIP(c: IPv4CIDR): string {
  return formatIPv4((c.network + 1) >>> 0);
}
