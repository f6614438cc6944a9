// How to tell traffic from this cluster's pods (upstream's LocalTrafficDetector),
// as iptables match arguments and as nftables expressions.

export interface LocalTrafficDetector {
  implemented: boolean;
  /** iptables match arguments for "from a local pod" / "not from a local pod". */
  ifLocal: string;
  ifNotLocal: string;
  /** The same as nftables expressions. */
  ifLocalNFT: string;
  ifNotLocalNFT: string;
}

export const NO_LOCAL_DETECTOR: LocalTrafficDetector = { implemented: false, ifLocal: '', ifNotLocal: '', ifLocalNFT: '', ifNotLocalNFT: '' };

/** --detect-local-mode ClusterCIDR. */
export function detectLocalByCIDR(cidr: string): LocalTrafficDetector {
  return { implemented: true, ifLocal: `-s ${cidr}`, ifNotLocal: `! -s ${cidr}`, ifLocalNFT: `ip saddr ${cidr}`, ifNotLocalNFT: `ip saddr != ${cidr}` };
}

/** --detect-local-mode BridgeInterface. */
export function detectLocalByBridgeInterface(iface: string): LocalTrafficDetector {
  return { implemented: true, ifLocal: `-i ${iface}`, ifNotLocal: `! -i ${iface}`, ifLocalNFT: `iifname "${iface}"`, ifNotLocalNFT: `iifname != "${iface}"` };
}

/** --detect-local-mode InterfaceNamePrefix. */
export function detectLocalByInterfaceNamePrefix(prefix: string): LocalTrafficDetector {
  return {
    implemented: true,
    ifLocal: `-i ${prefix}+`,
    ifNotLocal: `! -i ${prefix}+`,
    ifLocalNFT: `iifname "${prefix}*"`,
    ifNotLocalNFT: `iifname != "${prefix}*"`,
  };
}
