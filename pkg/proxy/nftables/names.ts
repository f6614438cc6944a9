// kube-proxy's nftables names (pkg/proxy/nftables/proxier.go): one `ip` table,
// kube-proxy, holding every chain, set and map. Per-service names are
// "<prefix>-<8 chars of base32(sha256(name))>-<name>", where name is
// "ns/svc/protocol/portName" (and "__ip/port" for an endpoint): readable, and
// the same on every node and in upstream.
import { sha256Base32 } from '../base32.js';

export const KUBE_PROXY_TABLE = 'kube-proxy';
export const TABLE = `ip ${KUBE_PROXY_TABLE}`;

// service dispatch
export const SERVICES_CHAIN = 'services';
export const SERVICE_IPS_MAP = 'service-ips';
export const SERVICE_NODEPORTS_MAP = 'service-nodeports';
// IPs that accept NodePort traffic
export const NODEPORT_IPS_SET = 'nodeport-ips';
// ClusterIPs in use, and traffic to their other ports
export const CLUSTER_IPS_SET = 'cluster-ips';
export const CLUSTER_IPS_CHECK_CHAIN = 'cluster-ips-check';
// services with no endpoints
export const SERVICE_ENDPOINTS_CHECK_CHAIN = 'service-endpoints-check';
export const NODEPORT_ENDPOINTS_CHECK_CHAIN = 'nodeport-endpoints-check';
export const NO_ENDPOINT_SERVICES_MAP = 'no-endpoint-services';
export const NO_ENDPOINT_NODEPORTS_MAP = 'no-endpoint-nodeports';
export const REJECT_CHAIN = 'reject-chain';
// loadBalancerSourceRanges
export const FIREWALL_IPS_MAP = 'firewall-ips';
export const FIREWALL_CHECK_CHAIN = 'firewall-check';
// masquerading
export const MARK_MASQ_CHAIN = 'mark-for-masquerade';
export const MASQUERADING_CHAIN = 'masquerading';

/** Chains hooked into netfilter ("<type>-<hook>"). */
export const FILTER_PREROUTING_PRE_DNAT = 'filter-prerouting-pre-dnat';
export const FILTER_OUTPUT_PRE_DNAT = 'filter-output-pre-dnat';
export const FILTER_FORWARD = 'filter-forward';
export const FILTER_INPUT = 'filter-input';
export const FILTER_OUTPUT = 'filter-output';
export const NAT_PREROUTING = 'nat-prerouting';
export const NAT_OUTPUT = 'nat-output';
export const NAT_POSTROUTING = 'nat-postrouting';

/** knftables.NameLengthMax (256) less the longest prefix ("external-" and friends, 16 at most). */
const CHAIN_NAME_BASE_LENGTH_MAX = 256 - 16;

const SERVICE_PREFIX = 'service-';
const LOCAL_PREFIX = 'local-';
const EXTERNAL_PREFIX = 'external-';
const ENDPOINT_PREFIX = 'endpoint-';
const AFFINITY_PREFIX = 'affinity-';
const FIREWALL_PREFIX = 'firewall-';

/** hashAndTruncate: the hash keeps truncated names unique and tells near-identical names apart. */
export function hashAndTruncate(name: string): string {
  let out = `${sha256Base32(name, 8)}-${name}`;
  if (out.length > CHAIN_NAME_BASE_LENGTH_MAX) out = out.slice(0, CHAIN_NAME_BASE_LENGTH_MAX - 3) + '...';
  return out;
}

/** "HASH-ns/svc/tcp/portName" for a service port ("ns/svc" its Service, protocol lower case). */
export function servicePortChainNameBase(service: string, portName: string, protocol: string): string {
  return hashAndTruncate(`${service}/${protocol}/${portName}`);
}

/** "HASH-ns/svc/tcp/portName__ip/port" for an endpoint "ip:port". */
export function servicePortEndpointChainNameBase(service: string, portName: string, protocol: string, endpoint: string): string {
  const colon = endpoint.lastIndexOf(':');
  const ip = endpoint.slice(0, colon).replace(/:/g, '.');
  return hashAndTruncate(`${service}/${protocol}/${portName}__${ip}/${endpoint.slice(colon + 1)}`);
}

export const servicePortPolicyClusterChain = (base: string): string => SERVICE_PREFIX + base;
export const servicePortPolicyLocalChain = (base: string): string => LOCAL_PREFIX + base;
export const serviceExternalChain = (base: string): string => EXTERNAL_PREFIX + base;
export const serviceFirewallChain = (base: string): string => FIREWALL_PREFIX + base;
export const servicePortEndpointChain = (endpointBase: string): string => ENDPOINT_PREFIX + endpointBase;
export const servicePortEndpointAffinitySet = (endpointBase: string): string => AFFINITY_PREFIX + endpointBase;

/** Per-service chains always have a "/" in their names; the fixed ones never do. */
export function isServiceChainName(chain: string): boolean {
  return chain.includes('/');
}

export function isAffinitySetName(set: string): boolean {
  return set.startsWith(AFFINITY_PREFIX);
}
