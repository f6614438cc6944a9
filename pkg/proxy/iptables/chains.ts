// kube-proxy's iptables chain names. The per-service names are the first 16
// characters of base32(sha256(servicePortName + protocol [+ endpoint])), so they
// fit iptables' 28-character limit and are the same on every node and in upstream.
import { sha256Base32 } from '../base32.js';

export const KUBE_SERVICES = 'KUBE-SERVICES';
export const KUBE_EXTERNAL_SERVICES = 'KUBE-EXTERNAL-SERVICES';
export const KUBE_NODEPORTS = 'KUBE-NODEPORTS';
export const KUBE_POSTROUTING = 'KUBE-POSTROUTING';
export const KUBE_MARK_MASQ = 'KUBE-MARK-MASQ';
export const KUBE_FORWARD = 'KUBE-FORWARD';
export const KUBE_PROXY_FIREWALL = 'KUBE-PROXY-FIREWALL';
export const KUBE_PROXY_CANARY = 'KUBE-PROXY-CANARY';
/** The kubelet's anti-martian chain, which kube-proxy duplicates when it opens NodePorts on localhost. */
export const KUBE_FIREWALL = 'KUBE-FIREWALL';

export type Table = 'filter' | 'nat' | 'mangle';

const SVC_PREFIX = 'KUBE-SVC-';
const SVL_PREFIX = 'KUBE-SVL-';
const FW_PREFIX = 'KUBE-FW-';
const EXT_PREFIX = 'KUBE-EXT-';
const SEP_PREFIX = 'KUBE-SEP-';

function hash16(s: string): string {
  return sha256Base32(s, 16);
}

/** portProtoHash: protocol is lower case ("tcp"). */
export function portProtoHash(servicePortName: string, protocol: string): string {
  return hash16(servicePortName + protocol);
}

export const servicePortPolicyClusterChain = (spn: string, protocol: string): string => SVC_PREFIX + portProtoHash(spn, protocol);
export const servicePortPolicyLocalChain = (spn: string, protocol: string): string => SVL_PREFIX + portProtoHash(spn, protocol);
export const serviceFirewallChain = (spn: string, protocol: string): string => FW_PREFIX + portProtoHash(spn, protocol);
export const serviceExternalChain = (spn: string, protocol: string): string => EXT_PREFIX + portProtoHash(spn, protocol);
/** endpoint is "ip:port". */
export const servicePortEndpointChain = (spn: string, protocol: string, endpoint: string): string => SEP_PREFIX + hash16(spn + protocol + endpoint);

/** Chains the proxier creates per service (and deletes when they are no longer used). */
export function isServiceChainName(chain: string): boolean {
  return (
    chain.startsWith(SVC_PREFIX) || chain.startsWith(SVL_PREFIX) || chain.startsWith(SEP_PREFIX) || chain.startsWith(FW_PREFIX) || chain.startsWith(EXT_PREFIX)
  );
}

/** A jump from a built-in chain into one of ours, ensured outside iptables-restore (the built-in chains are not ours to flush). */
export interface JumpChain {
  table: Table;
  dstChain: string;
  srcChain: string;
  comment: string;
  extraArgs: string[];
}

const NEW = ['-m', 'conntrack', '--ctstate', 'NEW'];

export const JUMP_CHAINS: JumpChain[] = [
  { table: 'filter', dstChain: KUBE_EXTERNAL_SERVICES, srcChain: 'INPUT', comment: 'kubernetes externally-visible service portals', extraArgs: NEW },
  { table: 'filter', dstChain: KUBE_EXTERNAL_SERVICES, srcChain: 'FORWARD', comment: 'kubernetes externally-visible service portals', extraArgs: NEW },
  { table: 'filter', dstChain: KUBE_NODEPORTS, srcChain: 'INPUT', comment: 'kubernetes health check service ports', extraArgs: [] },
  { table: 'filter', dstChain: KUBE_SERVICES, srcChain: 'FORWARD', comment: 'kubernetes service portals', extraArgs: NEW },
  { table: 'filter', dstChain: KUBE_SERVICES, srcChain: 'OUTPUT', comment: 'kubernetes service portals', extraArgs: NEW },
  { table: 'filter', dstChain: KUBE_FORWARD, srcChain: 'FORWARD', comment: 'kubernetes forwarding rules', extraArgs: [] },
  { table: 'filter', dstChain: KUBE_PROXY_FIREWALL, srcChain: 'INPUT', comment: 'kubernetes load balancer firewall', extraArgs: NEW },
  { table: 'filter', dstChain: KUBE_PROXY_FIREWALL, srcChain: 'OUTPUT', comment: 'kubernetes load balancer firewall', extraArgs: NEW },
  { table: 'filter', dstChain: KUBE_PROXY_FIREWALL, srcChain: 'FORWARD', comment: 'kubernetes load balancer firewall', extraArgs: NEW },
  { table: 'nat', dstChain: KUBE_SERVICES, srcChain: 'OUTPUT', comment: 'kubernetes service portals', extraArgs: [] },
  { table: 'nat', dstChain: KUBE_SERVICES, srcChain: 'PREROUTING', comment: 'kubernetes service portals', extraArgs: [] },
  { table: 'nat', dstChain: KUBE_POSTROUTING, srcChain: 'POSTROUTING', comment: 'kubernetes postrouting rules', extraArgs: [] },
];

/** Duplicates of the kubelet's jumps; created with the NodePort-on-localhost rule. */
export const KUBELET_JUMP_CHAINS: JumpChain[] = [
  { table: 'filter', dstChain: KUBE_FIREWALL, srcChain: 'INPUT', comment: '', extraArgs: [] },
  { table: 'filter', dstChain: KUBE_FIREWALL, srcChain: 'OUTPUT', comment: '', extraArgs: [] },
];

/** The arguments of a jump rule as given to iptables (-C/-I/-D). */
export function jumpRuleArgs(j: JumpChain): string[] {
  return [...j.extraArgs, ...(j.comment ? ['-m', 'comment', '--comment', j.comment] : []), '-j', j.dstChain];
}
