// The iptables rules of one service port, laid out as kube-proxy's iptables
// mode lays them out (pkg/proxy/iptables/proxier.go syncProxyRules): pure, so
// the proxier can keep each port's rules and rewrite only the ports that changed.
import { cidrContains } from '../cidr.js';
export { cidrContains };
import { categorizeEndpoints, type EndpointInfo } from '../endpoints.js';
import { externallyAccessible, usesClusterEndpoints, usesLocalEndpoints, type ServicePortInfo } from '../serviceport.js';
import {
  KUBE_MARK_MASQ,
  serviceExternalChain,
  serviceFirewallChain,
  servicePortEndpointChain,
  servicePortPolicyClusterChain,
  servicePortPolicyLocalChain,
} from './chains.js';

export {
  detectLocalByBridgeInterface,
  detectLocalByCIDR,
  detectLocalByInterfaceNamePrefix,
  NO_LOCAL_DETECTOR,
  type LocalTrafficDetector,
} from '../localdetector.js';
import type { LocalTrafficDetector } from '../localdetector.js';

export interface RuleContext {
  masqueradeAll: boolean;
  localDetector: LocalTrafficDetector;
  /** Over 1000 endpoints: per-endpoint comments are left out to keep the ruleset small (as upstream). */
  largeClusterMode: boolean;
  nodeIP?: string;
}

/**
 * One service port's share of the ruleset. Top-level chain entries are rule
 * specs without the leading "-A CHAIN" (the proxier appends, inserts or deletes
 * them); the port's own nat chains come with complete "-A" lines.
 */
export interface ServicePortRules {
  natServices: string[];
  natNodePorts: string[];
  filterServices: string[];
  filterExternalServices: string[];
  filterNodePorts: string[];
  filterFirewall: string[];
  /** KUBE-SVC/SVL/EXT/FW/SEP chains this port uses. */
  natChains: string[];
  natRules: string[];
  /** internalTrafficPolicy/externalTrafficPolicy Local with no local endpoint (for the no-local-endpoints metric). */
  noLocalInternal: boolean;
  noLocalExternal: boolean;
  /** Endpoints of this port whether usable or not (what decides large-cluster mode). */
  endpointCount: number;
  /** Usable endpoints ("ip:port") and whether any exists: what conntrack clean-up compares between syncs. */
  usableEndpoints: string[];
  hasEndpoints: boolean;
}

/** The statistic match's probability for the i-th of n endpoints, formatted as upstream (%0.10f). */
export function probability(n: number): string {
  return (1 / n).toFixed(10);
}

// Long on purpose: it follows the per-service-port section of upstream's syncProxyRules rule by
// rule and in the same order, so the chain layout can be checked against it.
export function buildServicePortRules(sp: ServicePortInfo, endpoints: EndpointInfo[], ctx: RuleContext): ServicePortRules {
  const protocol = sp.protocol.toLowerCase();
  const spn = sp.name;
  const proto = `-m ${protocol} -p ${protocol}`;
  const { clusterEndpoints, localEndpoints, allReachableEndpoints, hasAnyEndpoints: hasEndpoints } = categorizeEndpoints(endpoints, sp);

  const clusterPolicyChain = servicePortPolicyClusterChain(spn, protocol);
  const usesClusterPolicyChain = clusterEndpoints.length > 0 && usesClusterEndpoints(sp);
  const localPolicyChain = servicePortPolicyLocalChain(spn, protocol);
  const usesLocalPolicyChain = localEndpoints.length > 0 && usesLocalEndpoints(sp);

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
  const externalTrafficChain = serviceExternalChain(spn, protocol);
  // The short-circuit rules for local traffic are needed even without externally usable endpoints.
  const usesExternalTrafficChain = hasEndpoints && externallyAccessible(sp);
  const fwChain = serviceFirewallChain(spn, protocol);
  const usesFWChain = hasEndpoints && sp.loadBalancerVIPs.length > 0 && sp.loadBalancerSourceRanges.length > 0;
  const loadBalancerTrafficChain = usesFWChain ? fwChain : externalTrafficChain;

  let internalFilterTarget = '';
  let internalFilterComment = '';
  let externalFilterTarget = '';
  let externalFilterComment = '';
  let noLocalInternal = false;
  let noLocalExternal = false;
  if (!hasEndpoints) {
    // Nothing anywhere: no nat rules at all, only filter rules rejecting the service's addresses.
    internalFilterTarget = 'REJECT';
    internalFilterComment = `"${spn} has no endpoints"`;
    externalFilterTarget = 'REJECT';
    externalFilterComment = internalFilterComment;
  } else {
    if (!hasInternalEndpoints) {
      internalFilterTarget = 'DROP';
      internalFilterComment = `"${spn} has no local endpoints"`;
      noLocalInternal = true;
    }
    if (!hasExternalEndpoints) {
      externalFilterTarget = 'DROP';
      externalFilterComment = `"${spn} has no local endpoints"`;
      noLocalExternal = true;
    }
  }

  const r: ServicePortRules = {
    natServices: [],
    natNodePorts: [],
    filterServices: [],
    filterExternalServices: [],
    filterNodePorts: [],
    filterFirewall: [],
    natChains: [],
    natRules: [],
    noLocalInternal,
    noLocalExternal,
    endpointCount: endpoints.length,
    usableEndpoints: allReachableEndpoints.map((e) => e.endpoint),
    hasEndpoints,
  };

  // Capture the cluster IP.
  const clusterIPMatch = `${proto} -d ${sp.clusterIP} --dport ${sp.port}`;
  if (hasInternalEndpoints) {
    r.natServices.push(`-m comment --comment "${spn} cluster IP" ${clusterIPMatch} -j ${internalPolicyChain}`);
  } else {
    r.filterServices.push(`-m comment --comment ${internalFilterComment} ${clusterIPMatch} -j ${internalFilterTarget}`);
  }

  // Capture external IPs.
  for (const ip of sp.externalIPs) {
    if (hasEndpoints) r.natServices.push(`-m comment --comment "${spn} external IP" ${proto} -d ${ip} --dport ${sp.port} -j ${externalTrafficChain}`);
    if (!hasExternalEndpoints)
      r.filterExternalServices.push(`-m comment --comment ${externalFilterComment} ${proto} -d ${ip} --dport ${sp.port} -j ${externalFilterTarget}`);
  }

  // Capture load-balancer ingress.
  for (const ip of sp.loadBalancerVIPs) {
    if (hasEndpoints) r.natServices.push(`-m comment --comment "${spn} loadbalancer IP" ${proto} -d ${ip} --dport ${sp.port} -j ${loadBalancerTrafficChain}`);
    if (usesFWChain) r.filterFirewall.push(`-m comment --comment "${spn} traffic not accepted by ${fwChain}" ${proto} -d ${ip} --dport ${sp.port} -j DROP`);
  }
  if (!hasExternalEndpoints) {
    for (const ip of sp.loadBalancerVIPs)
      r.filterExternalServices.push(`-m comment --comment ${externalFilterComment} ${proto} -d ${ip} --dport ${sp.port} -j ${externalFilterTarget}`);
  }

  // Capture node ports.
  if (sp.nodePort !== 0) {
    if (hasEndpoints) r.natNodePorts.push(`-m comment --comment ${spn} ${proto} --dport ${sp.nodePort} -j ${externalTrafficChain}`);
    if (!hasExternalEndpoints)
      r.filterExternalServices.push(
        `-m comment --comment ${externalFilterComment} -m addrtype --dst-type LOCAL ${proto} --dport ${sp.nodePort} -j ${externalFilterTarget}`,
      );
  }

  // Health check node ports are always accepted, local endpoints or not.
  if (sp.healthCheckNodePort !== 0) {
    r.filterNodePorts.push(`-m comment --comment "${spn} health check node port" -m tcp -p tcp --dport ${sp.healthCheckNodePort} -j ACCEPT`);
  }

  // Internal traffic: masquerade what does not come from a local pod (or everything with --masquerade-all).
  if (hasInternalEndpoints) {
    const args = `-m comment --comment "${spn} cluster IP" ${clusterIPMatch}`;
    if (ctx.masqueradeAll) r.natRules.push(`-A ${internalPolicyChain} ${args} -j ${KUBE_MARK_MASQ}`);
    else if (ctx.localDetector.implemented) r.natRules.push(`-A ${internalPolicyChain} ${args} ${ctx.localDetector.ifNotLocal} -j ${KUBE_MARK_MASQ}`);
  }

  // External traffic: every external destination jumps to the EXT chain, which then picks the policy chain.
  if (usesExternalTrafficChain) {
    r.natChains.push(externalTrafficChain);
    if (!sp.externalPolicyLocal) {
      // Endpoints may be on other nodes: masquerade so replies come back through this node.
      r.natRules.push(`-A ${externalTrafficChain} -m comment --comment "masquerade traffic for ${spn} external destinations" -j ${KUBE_MARK_MASQ}`);
    } else {
      if (ctx.localDetector.implemented) {
        // Pods going to an external address of a service behave as if they went out and came back: no policy applies.
        r.natRules.push(
          `-A ${externalTrafficChain} -m comment --comment "pod traffic for ${spn} external destinations" ${ctx.localDetector.ifLocal} -j ${clusterPolicyChain}`,
        );
      }
      // The host itself must be masqueraded: its source would be the (local) external address.
      r.natRules.push(
        `-A ${externalTrafficChain} -m comment --comment "masquerade LOCAL traffic for ${spn} external destinations" -m addrtype --src-type LOCAL -j ${KUBE_MARK_MASQ}`,
      );
      r.natRules.push(
        `-A ${externalTrafficChain} -m comment --comment "route LOCAL traffic for ${spn} external destinations" -m addrtype --src-type LOCAL -j ${clusterPolicyChain}`,
      );
    }
    if (hasExternalEndpoints) r.natRules.push(`-A ${externalTrafficChain} -j ${externalPolicyChain}`);
  }

  // The load balancer source-range firewall.
  if (usesFWChain) {
    r.natChains.push(fwChain);
    const args = `-A ${fwChain} -m comment --comment "${spn} loadbalancer IP"`;
    let allowFromNode = false;
    for (const cidr of sp.loadBalancerSourceRanges) {
      r.natRules.push(`${args} -s ${cidr} -j ${externalTrafficChain}`);
      if (ctx.nodeIP && cidrContains(cidr, ctx.nodeIP)) allowFromNode = true;
    }
    // A VIP that is also a local address loops back with itself as source; let the node through.
    if (allowFromNode) for (const ip of sp.loadBalancerVIPs) r.natRules.push(`${args} -s ${ip} -j ${externalTrafficChain}`);
    // Whatever falls off the end was not DNATed and is dropped by KUBE-PROXY-FIREWALL.
    r.natRules.push(`-A ${fwChain} -m comment --comment "other traffic to ${spn} will be dropped by KUBE-PROXY-FIREWALL"`);
  }

  if (usesClusterPolicyChain) {
    r.natChains.push(clusterPolicyChain);
    writeServiceToEndpointRules(r.natRules, sp, clusterPolicyChain, clusterEndpoints, ctx);
  }
  if (usesLocalPolicyChain) {
    r.natChains.push(localPolicyChain);
    writeServiceToEndpointRules(r.natRules, sp, localPolicyChain, localEndpoints, ctx);
  }

  // One chain per endpoint: hairpin masquerade, affinity bookkeeping, DNAT.
  for (const ep of allReachableEndpoints) {
    const chain = servicePortEndpointChain(spn, protocol, ep.endpoint);
    r.natChains.push(chain);
    const head = ctx.largeClusterMode ? `-A ${chain}` : `-A ${chain} -m comment --comment ${spn}`;
    r.natRules.push(`${head} -s ${ep.ip} -j ${KUBE_MARK_MASQ}`);
    const affinity = sp.sessionAffinityClientIP ? ` -m recent --name ${chain} --set` : '';
    r.natRules.push(`${head}${affinity} ${proto} -j DNAT --to-destination ${ep.endpoint}`);
  }
  return r;
}

function writeServiceToEndpointRules(out: string[], sp: ServicePortInfo, svcChain: string, endpoints: EndpointInfo[], ctx: RuleContext): void {
  const protocol = sp.protocol.toLowerCase();
  const head = (ep: EndpointInfo) => (ctx.largeClusterMode ? `-A ${svcChain}` : `-A ${svcChain} -m comment --comment "${sp.name} -> ${ep.endpoint}"`);
  // Affinity first: a client seen recently goes back to the endpoint it had.
  if (sp.sessionAffinityClientIP) {
    for (const ep of endpoints) {
      const epChain = servicePortEndpointChain(sp.name, protocol, ep.endpoint);
      out.push(`${head(ep)} -m recent --name ${epChain} --rcheck --seconds ${sp.stickyMaxAgeSeconds} --reap -j ${epChain}`);
    }
  }
  // Then spread: rule i of n matches with probability 1/(n-i), the last always.
  const n = endpoints.length;
  endpoints.forEach((ep, i) => {
    const epChain = servicePortEndpointChain(sp.name, protocol, ep.endpoint);
    const stat = i < n - 1 ? ` -m statistic --mode random --probability ${probability(n - i)}` : '';
    out.push(`${head(ep)}${stat} -j ${epChain}`);
  });
}
