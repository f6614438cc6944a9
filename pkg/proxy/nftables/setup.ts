// The fixed part of the kube-proxy table (upstream's setupNFTables): the base
// chains on the netfilter hooks, the jumps into the top-level chains, the
// masquerade chains and the verdict maps the services' elements go into.
// Written on every full sync; partial syncs leave it alone.
import {
  CLUSTER_IPS_CHECK_CHAIN,
  CLUSTER_IPS_SET,
  FILTER_FORWARD,
  FILTER_INPUT,
  FILTER_OUTPUT,
  FILTER_OUTPUT_PRE_DNAT,
  FILTER_PREROUTING_PRE_DNAT,
  FIREWALL_CHECK_CHAIN,
  FIREWALL_IPS_MAP,
  MARK_MASQ_CHAIN,
  MASQUERADING_CHAIN,
  NAT_OUTPUT,
  NAT_POSTROUTING,
  NAT_PREROUTING,
  NO_ENDPOINT_NODEPORTS_MAP,
  NO_ENDPOINT_SERVICES_MAP,
  NODEPORT_ENDPOINTS_CHECK_CHAIN,
  NODEPORT_IPS_SET,
  REJECT_CHAIN,
  SERVICE_ENDPOINTS_CHECK_CHAIN,
  SERVICE_IPS_MAP,
  SERVICE_NODEPORTS_MAP,
  SERVICES_CHAIN,
  TABLE,
} from './names.js';

interface BaseChain {
  name: string;
  type: 'filter' | 'nat';
  hook: 'prerouting' | 'input' | 'forward' | 'output' | 'postrouting';
  /** Numeric, as `nft list` prints it: dstnat is -100, srcnat 100; filtering before DNAT runs at dstnat-10. */
  priority: number;
}

export const BASE_CHAINS: BaseChain[] = [
  { name: FILTER_PREROUTING_PRE_DNAT, type: 'filter', hook: 'prerouting', priority: -110 },
  { name: FILTER_OUTPUT_PRE_DNAT, type: 'filter', hook: 'output', priority: -110 },
  { name: FILTER_FORWARD, type: 'filter', hook: 'forward', priority: 0 },
  { name: FILTER_INPUT, type: 'filter', hook: 'input', priority: 0 },
  { name: FILTER_OUTPUT, type: 'filter', hook: 'output', priority: 0 },
  { name: NAT_PREROUTING, type: 'nat', hook: 'prerouting', priority: -100 },
  { name: NAT_OUTPUT, type: 'nat', hook: 'output', priority: -100 },
  { name: NAT_POSTROUTING, type: 'nat', hook: 'postrouting', priority: 100 },
];

/** Jumps from the base chains into the top-level chains, in rule order. */
const JUMP_CHAINS: Array<{ dst: string; src: string; extra: string }> = [
  // Rejections for services without endpoints must look at the address before DNAT, but a
  // reject is only allowed in the input, forward and output hooks.
  { dst: NODEPORT_ENDPOINTS_CHECK_CHAIN, src: FILTER_INPUT, extra: 'ct state new' },
  { dst: SERVICE_ENDPOINTS_CHECK_CHAIN, src: FILTER_INPUT, extra: 'ct state new' },
  { dst: SERVICE_ENDPOINTS_CHECK_CHAIN, src: FILTER_FORWARD, extra: 'ct state new' },
  { dst: SERVICE_ENDPOINTS_CHECK_CHAIN, src: FILTER_OUTPUT, extra: 'ct state new' },
  { dst: FIREWALL_CHECK_CHAIN, src: FILTER_PREROUTING_PRE_DNAT, extra: 'ct state new' },
  { dst: FIREWALL_CHECK_CHAIN, src: FILTER_OUTPUT_PRE_DNAT, extra: 'ct state new' },
  { dst: SERVICES_CHAIN, src: NAT_OUTPUT, extra: '' },
  { dst: SERVICES_CHAIN, src: NAT_PREROUTING, extra: '' },
  { dst: MASQUERADING_CHAIN, src: NAT_POSTROUTING, extra: '' },
  // After DNAT, what still goes to a cluster IP went to a port the service does not have.
  { dst: CLUSTER_IPS_CHECK_CHAIN, src: FILTER_FORWARD, extra: 'ct state new' },
  { dst: CLUSTER_IPS_CHECK_CHAIN, src: FILTER_OUTPUT, extra: 'ct state new' },
];

/** The maps and sets services put elements into, flushed and refilled by a full sync. */
export const SERVICE_CONTAINERS: Array<{ kind: 'set' | 'map'; name: string }> = [
  { kind: 'set', name: CLUSTER_IPS_SET },
  { kind: 'map', name: SERVICE_IPS_MAP },
  { kind: 'map', name: FIREWALL_IPS_MAP },
  { kind: 'map', name: NO_ENDPOINT_SERVICES_MAP },
  { kind: 'map', name: NO_ENDPOINT_NODEPORTS_MAP },
  { kind: 'map', name: SERVICE_NODEPORTS_MAP },
];

export interface SetupOptions {
  /** As kube-proxy writes it, Go's %#08x ("0x4000" for bit 14). */
  masqueradeMark: string;
  /** Addresses NodePorts answer on; none means every local address but 127.0.0.0/8. */
  nodePortAddresses: string[];
  serviceCIDRs: string[];
}

/** The transaction lines that (re)create the fixed part, leaving every service container empty. */
export function setupLines(o: SetupOptions): string[] {
  const out: string[] = [`add table ${TABLE} { comment "rules for kube-proxy" ; }`];
  const rule = (chain: string, r: string) => out.push(`add rule ${TABLE} ${chain} ${r}`);
  for (const c of BASE_CHAINS) {
    out.push(`add chain ${TABLE} ${c.name} { type ${c.type} hook ${c.hook} priority ${c.priority} ; }`, `flush chain ${TABLE} ${c.name}`);
  }
  const created = new Set<string>();
  const ensureChain = (name: string, comment?: string) => {
    if (created.has(name)) return;
    created.add(name);
    out.push(comment ? `add chain ${TABLE} ${name} { comment ${JSON.stringify(comment)} ; }` : `add chain ${TABLE} ${name}`, `flush chain ${TABLE} ${name}`);
  };
  for (const j of JUMP_CHAINS) {
    ensureChain(j.dst);
    rule(j.src, `${j.extra ? j.extra + ' ' : ''}jump ${j.dst}`);
  }
  for (const c of [SERVICES_CHAIN, CLUSTER_IPS_CHECK_CHAIN, MASQUERADING_CHAIN, MARK_MASQ_CHAIN]) ensureChain(c);

  rule(MARK_MASQ_CHAIN, `mark set mark or ${o.masqueradeMark}`);
  rule(MASQUERADING_CHAIN, `mark and ${o.masqueradeMark} == 0 return`);
  // Clear the mark so a packet that comes around again is not masqueraded twice.
  rule(MASQUERADING_CHAIN, `mark set mark xor ${o.masqueradeMark}`);
  rule(MASQUERADING_CHAIN, 'masquerade fully-random');

  out.push(`add set ${TABLE} ${CLUSTER_IPS_SET} { type ipv4_addr ; comment "Active ClusterIPs" ; }`);
  rule(CLUSTER_IPS_CHECK_CHAIN, `ip daddr @${CLUSTER_IPS_SET} reject comment "Reject traffic to invalid ports of ClusterIPs"`);
  if (o.serviceCIDRs.length) rule(CLUSTER_IPS_CHECK_CHAIN, `ip daddr { ${o.serviceCIDRs.join(' , ')} } drop comment "Drop traffic to unallocated ClusterIPs"`);

  // "add" then "delete" removes a set that may or may not exist without failing.
  const matchAll = o.nodePortAddresses.length === 0;
  out.push(`add set ${TABLE} ${NODEPORT_IPS_SET} { type ipv4_addr ; comment "IPs that accept NodePort traffic" ; }`);
  if (matchAll) out.push(`delete set ${TABLE} ${NODEPORT_IPS_SET}`);
  else {
    out.push(`flush set ${TABLE} ${NODEPORT_IPS_SET}`);
    for (const ip of o.nodePortAddresses) out.push(`add element ${TABLE} ${NODEPORT_IPS_SET} { ${ip} }`);
  }

  out.push(
    `add map ${TABLE} ${NO_ENDPOINT_SERVICES_MAP} { type ipv4_addr . inet_proto . inet_service : verdict ; comment "vmap to drop or reject packets to services with no endpoints" ; }`,
    `add map ${TABLE} ${NO_ENDPOINT_NODEPORTS_MAP} { type inet_proto . inet_service : verdict ; comment "vmap to drop or reject packets to service nodeports with no endpoints" ; }`,
  );
  ensureChain(REJECT_CHAIN, 'helper for @no-endpoint-services / @no-endpoint-nodeports');
  rule(REJECT_CHAIN, 'reject');
  rule(SERVICE_ENDPOINTS_CHECK_CHAIN, `ip daddr . meta l4proto . th dport vmap @${NO_ENDPOINT_SERVICES_MAP}`);
  rule(
    NODEPORT_ENDPOINTS_CHECK_CHAIN,
    matchAll
      ? `ip daddr != 127.0.0.0/8 meta l4proto . th dport vmap @${NO_ENDPOINT_NODEPORTS_MAP}`
      : `ip daddr @${NODEPORT_IPS_SET} meta l4proto . th dport vmap @${NO_ENDPOINT_NODEPORTS_MAP}`,
  );

  out.push(
    `add map ${TABLE} ${FIREWALL_IPS_MAP} { type ipv4_addr . inet_proto . inet_service : verdict ; comment "destinations that are subject to LoadBalancerSourceRanges" ; }`,
  );
  ensureChain(FIREWALL_CHECK_CHAIN);
  rule(FIREWALL_CHECK_CHAIN, `ip daddr . meta l4proto . th dport vmap @${FIREWALL_IPS_MAP}`);

  out.push(
    `add map ${TABLE} ${SERVICE_IPS_MAP} { type ipv4_addr . inet_proto . inet_service : verdict ; comment "ClusterIP, ExternalIP and LoadBalancer IP traffic" ; }`,
    `add map ${TABLE} ${SERVICE_NODEPORTS_MAP} { type inet_proto . inet_service : verdict ; comment "NodePort traffic" ; }`,
  );
  rule(SERVICES_CHAIN, `ip daddr . meta l4proto . th dport vmap @${SERVICE_IPS_MAP}`);
  rule(
    SERVICES_CHAIN,
    matchAll
      ? `fib daddr type local ip daddr != 127.0.0.0/8 meta l4proto . th dport vmap @${SERVICE_NODEPORTS_MAP}`
      : `ip daddr @${NODEPORT_IPS_SET} meta l4proto . th dport vmap @${SERVICE_NODEPORTS_MAP}`,
  );

  for (const c of SERVICE_CONTAINERS) out.push(`flush ${c.kind} ${TABLE} ${c.name}`);
  return out;
}
