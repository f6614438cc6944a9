// What the proxy keeps per service port (upstream's BaseServicePortInfo): the
// Service's fields that decide rules, resolved for one IP family.
import { isIPv4 } from 'node:net';
import type { Service } from '../../api/core/v1/types.js';
import { portProtocol, type Protocol } from './types.js';

/** ServicePortName.String(): "ns/name:port", or "ns/name" for an unnamed port. */
export function servicePortNameString(namespace: string, name: string, port: string): string {
  return port ? `${namespace}/${name}:${port}` : `${namespace}/${name}`;
}

export interface ServicePortInfo {
  /** "ns/name" of the Service. */
  service: string;
  /** ServicePortName.String(). */
  name: string;
  portName: string;
  protocol: Protocol;
  clusterIP: string;
  port: number;
  /** 0 when the port has none. */
  nodePort: number;
  externalIPs: string[];
  loadBalancerVIPs: string[];
  loadBalancerSourceRanges: string[];
  /** 0 unless the Service asks for one (LoadBalancer with externalTrafficPolicy Local). */
  healthCheckNodePort: number;
  sessionAffinityClientIP: boolean;
  stickyMaxAgeSeconds: number;
  internalPolicyLocal: boolean;
  /** externalTrafficPolicy Local, for a Service reachable from outside at all. */
  externalPolicyLocal: boolean;
}

/** Default ClientIP affinity timeout (core/v1 DefaultClientIPServiceAffinitySeconds). */
export const DEFAULT_CLIENT_IP_AFFINITY_SECONDS = 10800;

/** Reachable through a NodePort, an external IP or a load balancer. */
export function externallyAccessible(sp: ServicePortInfo): boolean {
  return sp.nodePort !== 0 || sp.loadBalancerVIPs.length > 0 || sp.externalIPs.length > 0;
}

/** Some traffic to this port may go to endpoints on any node. */
export function usesClusterEndpoints(sp: ServicePortInfo): boolean {
  return !sp.internalPolicyLocal || (externallyAccessible(sp) && !sp.externalPolicyLocal);
}

/** Some traffic to this port may only go to endpoints on this node. */
export function usesLocalEndpoints(sp: ServicePortInfo): boolean {
  return sp.internalPolicyLocal || (externallyAccessible(sp) && sp.externalPolicyLocal);
}

/**
 * The IPv4 service ports of a Service, or none for Services the proxy leaves
 * alone: ExternalName, headless (clusterIP None) and those without a cluster IP.
 */
export function servicePortInfos(svc: Service): ServicePortInfo[] {
  const spec = svc.spec ?? {};
  if (spec.type === 'ExternalName') return [];
  const clusterIP = [spec.clusterIP, ...(spec.clusterIPs ?? [])].find((ip) => ip && ip !== 'None' && isIPv4(ip));
  if (!clusterIP) return [];
  const namespace = svc.metadata.namespace ?? '';
  const name = svc.metadata.name ?? '';
  const type = spec.type ?? 'ClusterIP';
  const externalIPs = (spec.externalIPs ?? []).filter((ip) => isIPv4(ip));
  // Ingress points with ipMode Proxy are reached through the load balancer, never captured locally.
  const loadBalancerVIPs =
    type === 'LoadBalancer'
      ? (svc.status?.loadBalancer?.ingress ?? []).filter((i) => i.ip && isIPv4(i.ip) && i.ipMode !== 'Proxy').map((i) => i.ip as string)
      : [];
  const loadBalancerSourceRanges =
    type === 'LoadBalancer' ? (spec.loadBalancerSourceRanges ?? []).map((r) => r.trim()).filter((r) => isIPv4(r.split('/')[0])) : [];
  // externalTrafficPolicy only means something for Services reachable from outside.
  const externalLocal = spec.externalTrafficPolicy === 'Local' && (type === 'NodePort' || type === 'LoadBalancer' || externalIPs.length > 0);
  const affinity = spec.sessionAffinity === 'ClientIP';
  const out: ServicePortInfo[] = [];
  for (const p of spec.ports ?? []) {
    const protocol = portProtocol(p.protocol);
    if (!protocol) continue;
    const portName = p.name ?? '';
    const info: ServicePortInfo = {
      service: `${namespace}/${name}`,
      name: servicePortNameString(namespace, name, portName),
      portName,
      protocol,
      clusterIP,
      port: p.port,
      nodePort: type === 'NodePort' || type === 'LoadBalancer' ? (p.nodePort ?? 0) : 0,
      externalIPs,
      loadBalancerVIPs,
      loadBalancerSourceRanges,
      healthCheckNodePort: type === 'LoadBalancer' && externalLocal ? (spec.healthCheckNodePort ?? 0) : 0,
      sessionAffinityClientIP: affinity,
      stickyMaxAgeSeconds: affinity ? (spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? DEFAULT_CLIENT_IP_AFFINITY_SECONDS) : 0,
      internalPolicyLocal: spec.internalTrafficPolicy === 'Local',
      externalPolicyLocal: false,
    };
    info.externalPolicyLocal = externalLocal && externallyAccessible(info);
    out.push(info);
  }
  return out;
}
