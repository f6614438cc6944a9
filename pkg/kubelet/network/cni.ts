// The CNI network configuration the kubelet writes for containerd's CRI plugin
// (what kubenet used to set up): a Linux bridge as the pods' gateway with
// host-local addresses from the node's pod CIDR, masquerading for traffic that
// leaves the node, and portmap for hostPort. Loopback needs no entry: containerd's
// CRI sets up lo in every sandbox itself.

export const CNI_VERSION = '1.0.0';
export const CONFLIST_NAME = '10-timonel.conflist';

export interface CNIConfigOptions {
  /** Bridge device name (≤ 15 characters), also the network's name. */
  bridge: string;
  /** The node's pod CIDR, e.g. 10.244.0.0/24. */
  podCIDR: string;
  /** The bridge's address and the pods' default gateway (first address of podCIDR). */
  gateway: string;
  /** Where host-local keeps its allocations; per kubelet so nodes on one machine never share them. */
  ipamDataDir: string;
  mtu?: number;
}

export function cniConflist(o: CNIConfigOptions): string {
  const bridge: Record<string, unknown> = {
    type: 'bridge',
    bridge: o.bridge,
    isGateway: true,
    ipMasq: true,
    hairpinMode: true,
    ipam: {
      type: 'host-local',
      ranges: [[{ subnet: o.podCIDR, gateway: o.gateway }]],
      routes: [{ dst: '0.0.0.0/0' }],
      dataDir: o.ipamDataDir,
    },
  };
  if (o.mtu) bridge.mtu = o.mtu;
  const conf = {
    cniVersion: CNI_VERSION,
    name: o.bridge,
    plugins: [bridge, { type: 'portmap', capabilities: { portMappings: true } }],
  };
  return JSON.stringify(conf, null, 2) + '\n';
}
