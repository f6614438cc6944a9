// The nftables share of one service port, laid out as kube-proxy's nftables
// mode lays it out (pkg/proxy/nftables/proxier.go syncProxyRules): its chains
// with their rules, its elements in the table's verdict maps and sets, and its
// affinity sets. Pure, so the proxier can keep each port's share between syncs
// and write only what changed.
import { cidrContains } from '../cidr.js';
import { categorizeEndpoints, type EndpointInfo } from '../endpoints.js';
import type { LocalTrafficDetector } from '../localdetector.js';
import { externallyAccessible, usesClusterEndpoints, usesLocalEndpoints, type ServicePortInfo } from '../serviceport.js';
import {
  CLUSTER_IPS_SET,
  FIREWALL_IPS_MAP,
  MARK_MASQ_CHAIN,
  NO_ENDPOINT_NODEPORTS_MAP,
  NO_ENDPOINT_SERVICES_MAP,
  REJECT_CHAIN,
  SERVICE_IPS_MAP,
  SERVICE_NODEPORTS_MAP,
  serviceExternalChain,
  serviceFirewallChain,
  servicePortChainNameBase,
  servicePortEndpointAffinitySet,
  servicePortEndpointChain,
  servicePortEndpointChainNameBase,
  servicePortPolicyClusterChain,
  servicePortPolicyLocalChain,
} from './names.js';

export interface NftRuleContext {
  masqueradeAll: boolean;
  localDetector: LocalTrafficDetector;
  nodeIP?: string;
}

/** An element of one of the table's sets or verdict maps. */
export interface NftElement {
  /** The set or map. */
  set: string;
  /** "172.30.0.41 . tcp . 80", "tcp . 30080", or an address. */
  key: string;
  /** A verdict ("goto service-...", "drop") for maps. */
  value?: string;
  comment?: string;
}

export interface NftServicePortRules {
  /** The port's chains in the order upstream creates them, each with its rules in order. */
  chains: Map<string, string[]>;
  elements: NftElement[];
  /** Affinity sets by name, with their timeout in seconds. */
  affinitySets: Map<string, number>;
  noLocalInternal: boolean;
  noLocalExternal: boolean;
  endpointCount: number;
  usableEndpoints: string[];
  hasEndpoints: boolean;
}

/** The element as `add element` writes it, inside the braces. */
export function elementText(e: NftElement): string {
  const comment = e.comment === undefined ? '' : ` comment ${JSON.stringify(e.comment)}`;
  return e.value === undefined ? `${e.key}${comment}` : `${e.key}${comment} : ${e.value}`;
}

/** knftables.Concat's "{ a , b }" for a set written inline. */
const inline = (items: string[]) => `{ ${items.join(' , ')} }`;

// Long on purpose: it follows the per-service-port section of upstream's syncProxyRules in the same order.
export function buildServicePortRules(sp: ServicePortInfo, endpoints: EndpointInfo[], ctx: NftRuleContext): NftServicePortRules {
  const protocol = sp.protocol.toLowerCase();
  const spn = sp.name;
  const base = servicePortChainNameBase(sp.service, sp.portName, protocol);
  const epBase = (ep: EndpointInfo) => servicePortEndpointChainNameBase(sp.service, sp.portName, protocol, ep.endpoint);
  const { clusterEndpoints, localEndpoints, allReachableEndpoints, hasAnyEndpoints: hasEndpoints } = categorizeEndpoints(endpoints, sp);

  const r: NftServicePortRules = {
    chains: new Map(),
    elements: [],
    affinitySets: new Map(),
    noLocalInternal: false,
    noLocalExternal: false,
    endpointCount: endpoints.length,
    usableEndpoints: allReachableEndpoints.map((e) => e.endpoint),
    hasEndpoints,
  };
  const chain = (name: string) => {
    let rules = r.chains.get(name);
    if (!rules) r.chains.set(name, (rules = []));
    return rules;
  };

  for (const ep of allReachableEndpoints) chain(servicePortEndpointChain(epBase(ep)));

  const clusterPolicyChain = servicePortPolicyClusterChain(base);
  const usesClusterPolicyChain = clusterEndpoints.length > 0 && usesClusterEndpoints(sp);
  if (usesClusterPolicyChain) chain(clusterPolicyChain);
  const localPolicyChain = servicePortPolicyLocalChain(base);
  const usesLocalPolicyChain = localEndpoints.length > 0 && usesLocalEndpoints(sp);
  if (usesLocalPolicyChain) chain(localPolicyChain);

  let internalPolicyChain = clusterPolicyChain;
  let hasInternalEndpoints = hasEndpoints;
  if (sp.internalPolicyLocal) {
    internalPolicyChain = localPolicyChain;
    if (localEndpoints.length === 0) hasInternalEndpoints = false;
  }
  let externalPolicyChain = clusterPolicyChain;
  let hasExternalEndpoints = hasEndpoints;
  if (sp.externalPolicyLocal) {
    externalPolicyChain = localPolicyChain;
    if (localEndpoints.length === 0) hasExternalEndpoints = false;
  }
  const externalTrafficChain = serviceExternalChain(base);
  // The short-circuit rules for local traffic are needed even without externally usable endpoints.
  const usesExternalTrafficChain = hasEndpoints && externallyAccessible(sp);
  if (usesExternalTrafficChain) chain(externalTrafficChain);

  let internalVerdict = '';
  let externalVerdict = '';
  if (!hasEndpoints) {
    // Nothing anywhere: only elements that reject the service's destinations.
    internalVerdict = `goto ${REJECT_CHAIN}`;
    externalVerdict = internalVerdict;
  } else {
    if (!hasInternalEndpoints) {
      internalVerdict = 'drop';
      r.noLocalInternal = true;
    }
    if (!hasExternalEndpoints) {
      externalVerdict = 'drop';
      r.noLocalExternal = true;
    }
  }
  const key = (ip: string) => `${ip} . ${protocol} . ${sp.port}`;

  // Capture the cluster IP.
  r.elements.push({ set: CLUSTER_IPS_SET, key: sp.clusterIP });
  if (hasInternalEndpoints) r.elements.push({ set: SERVICE_IPS_MAP, key: key(sp.clusterIP), value: `goto ${internalPolicyChain}` });
  else r.elements.push({ set: NO_ENDPOINT_SERVICES_MAP, key: key(sp.clusterIP), value: internalVerdict, comment: spn });

  // Capture external IPs.
  for (const ip of sp.externalIPs) {
    if (hasEndpoints) r.elements.push({ set: SERVICE_IPS_MAP, key: key(ip), value: `goto ${externalTrafficChain}` });
    if (!hasExternalEndpoints) r.elements.push({ set: NO_ENDPOINT_SERVICES_MAP, key: key(ip), value: externalVerdict, comment: spn });
  }

  // The load balancer source-range firewall.
  const usesFWChain = sp.loadBalancerVIPs.length > 0 && sp.loadBalancerSourceRanges.length > 0;
  const fwChain = serviceFirewallChain(base);
  if (usesFWChain) {
    const sources = [...sp.loadBalancerSourceRanges];
    // A VIP that is also a local address loops back with itself as source; let the node through.
    if (ctx.nodeIP && sp.loadBalancerSourceRanges.some((cidr) => cidrContains(cidr, ctx.nodeIP as string))) sources.push(...sp.loadBalancerVIPs);
    chain(fwChain).push(`ip saddr != ${inline(sources)} drop`);
  }

  // Capture load-balancer ingress.
  for (const ip of sp.loadBalancerVIPs) {
    if (hasEndpoints) r.elements.push({ set: SERVICE_IPS_MAP, key: key(ip), value: `goto ${externalTrafficChain}` });
    if (usesFWChain) r.elements.push({ set: FIREWALL_IPS_MAP, key: key(ip), value: `goto ${fwChain}` });
  }
  if (!hasExternalEndpoints) {
    for (const ip of sp.loadBalancerVIPs) r.elements.push({ set: NO_ENDPOINT_SERVICES_MAP, key: key(ip), value: externalVerdict, comment: spn });
  }

  // Capture node ports.
  if (sp.nodePort !== 0) {
    const npKey = `${protocol} . ${sp.nodePort}`;
    if (hasEndpoints) r.elements.push({ set: SERVICE_NODEPORTS_MAP, key: npKey, value: `goto ${externalTrafficChain}` });
    if (!hasExternalEndpoints) r.elements.push({ set: NO_ENDPOINT_NODEPORTS_MAP, key: npKey, value: externalVerdict, comment: spn });
  }

  // Internal traffic: masquerade what does not come from a local pod (or everything with --masquerade-all).
  if (hasInternalEndpoints) {
    if (ctx.masqueradeAll) chain(internalPolicyChain).push(`ip daddr ${sp.clusterIP} jump ${MARK_MASQ_CHAIN}`);
    else if (ctx.localDetector.implemented)
      chain(internalPolicyChain).push(`ip daddr ${sp.clusterIP} ${ctx.localDetector.ifNotLocalNFT} jump ${MARK_MASQ_CHAIN}`);
  }

  // External traffic: every external destination goes to the external chain, which picks the policy chain.
  if (usesExternalTrafficChain) {
    const ext = chain(externalTrafficChain);
    if (!sp.externalPolicyLocal) {
      // Endpoints may be on other nodes: masquerade so replies come back through this node.
      ext.push(`jump ${MARK_MASQ_CHAIN}`);
    } else {
      // Pods going to an external address of a service behave as if they went out and came back: no policy applies.
      if (ctx.localDetector.implemented) ext.push(`${ctx.localDetector.ifLocalNFT} goto ${clusterPolicyChain} comment "short-circuit pod traffic"`);
      // The host itself must be masqueraded: its source would be the (local) external address.
      ext.push(`fib saddr type local jump ${MARK_MASQ_CHAIN} comment "masquerade local traffic"`);
      ext.push(`fib saddr type local goto ${clusterPolicyChain} comment "short-circuit local traffic"`);
    }
    if (hasExternalEndpoints) ext.push(`goto ${externalPolicyChain}`);
  }

  // One affinity set per endpoint: a client seen recently goes back to the endpoint it had.
  if (sp.sessionAffinityClientIP)
    for (const ep of allReachableEndpoints) r.affinitySets.set(servicePortEndpointAffinitySet(epBase(ep)), sp.stickyMaxAgeSeconds);

  const writeServiceToEndpointRules = (svcChain: string, eps: EndpointInfo[]) => {
    const rules = chain(svcChain);
    if (sp.sessionAffinityClientIP) {
      for (const ep of eps) rules.push(`ip saddr @${servicePortEndpointAffinitySet(epBase(ep))} goto ${servicePortEndpointChain(epBase(ep))}`);
    }
    rules.push(...spreadRules(eps.map((ep) => servicePortEndpointChain(epBase(ep)))));
  };
  if (usesClusterPolicyChain) writeServiceToEndpointRules(clusterPolicyChain, clusterEndpoints);
  if (usesLocalPolicyChain) writeServiceToEndpointRules(localPolicyChain, localEndpoints);

  // One chain per endpoint: hairpin masquerade, affinity bookkeeping, DNAT.
  for (const ep of allReachableEndpoints) {
    const rules = chain(servicePortEndpointChain(epBase(ep)));
    rules.push(`ip saddr ${ep.ip} jump ${MARK_MASQ_CHAIN}`);
    if (sp.sessionAffinityClientIP) rules.push(`update @${servicePortEndpointAffinitySet(epBase(ep))} { ip saddr }`);
    rules.push(`meta l4proto ${protocol} dnat to ${ep.endpoint}`);
  }
  return r;
}

/**
 * The load-balancing rules of a service chain: rule i of n goes to endpoint i
 * when a fresh `numgen random mod (n-i)` is 0, the last one always, so each
 * endpoint gets 1/n of the connections, as iptables mode's statistic rules.
 *
 * Upstream writes one `numgen random mod n vmap { 0 : goto ..., 1 : goto ... }`
 * instead, but every such rule is an anonymous set, and the kernel gives each new
 * one a name by scanning every set of the table (nf_tables_set_alloc_name, sscanf
 * per set): measured here on 6.18, 3,000 of them take 1 s and 6,000 take 3.8 s,
 * so a full sync at 10,000 services spent 70 s there. The cascade has no sets
 * and the same distribution.
 */
export function spreadRules(endpointChains: string[]): string[] {
  const n = endpointChains.length;
  return endpointChains.map((c, i) => (i < n - 1 ? `numgen random mod ${n - i} 0 goto ${c}` : `goto ${c}`));
}
