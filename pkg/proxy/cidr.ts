// IPv4 CIDR membership, for loadBalancerSourceRanges that include the node.

function ipv4ToInt(ip: string): number {
  return ip.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
}

export function cidrContains(cidr: string, ip: string): boolean {
  const [base, bitsText] = cidr.split('/');
  const size = 2 ** (32 - (bitsText === undefined ? 32 : Number(bitsText)));
  return Math.floor(ipv4ToInt(base) / size) === Math.floor(ipv4ToInt(ip) / size);
}
