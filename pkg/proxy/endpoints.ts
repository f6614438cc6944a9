// The endpoints of a service port as the proxy sees them (upstream's
// EndpointSliceCache + BaseEndpointInfo), and how traffic policy splits them
// (upstream's CategorizeEndpoints).
import { isIPv4 } from 'node:net';
import { usesClusterEndpoints, usesLocalEndpoints, type ServicePortInfo } from './serviceport.js';
import type { EndpointSlice } from '../../api/discovery/v1/types.js';
import type { Protocol } from './types.js';

export interface EndpointInfo {
  ip: string;
  port: number;
  /** "ip:port", as it appears in DNAT targets and chain hashes. */
  endpoint: string;
  ready: boolean;
  serving: boolean;
  terminating: boolean;
  /** On this node (the slice's nodeName is the proxy's hostname). */
  isLocal: boolean;
}

/**
 * The IPv4 endpoints for one service port, merged over all of the Service's
 * slices and sorted by address; an address seen twice keeps its first (by slice
 * name) entry, preferring a ready one.
 */
export function endpointsForPort(slices: Iterable<EndpointSlice>, portName: string, protocol: Protocol, hostname: string): EndpointInfo[] {
  const byEndpoint = new Map<string, EndpointInfo>();
  const sorted = [...slices].sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
  for (const slice of sorted) {
    if (slice.addressType !== 'IPv4') continue;
    for (const p of slice.ports ?? []) {
      if ((p.name ?? '') !== portName || (p.protocol ?? 'TCP') !== protocol || !p.port) continue;
      for (const ep of slice.endpoints ?? []) {
        const ip = ep.addresses?.[0];
        if (!ip || !isIPv4(ip)) continue;
        const c = ep.conditions ?? {};
        const ready = c.ready ?? true;
        const info: EndpointInfo = {
          ip,
          port: p.port,
          endpoint: `${ip}:${p.port}`,
          ready,
          serving: c.serving ?? ready,
          terminating: c.terminating ?? false,
          isLocal: !!hostname && ep.nodeName === hostname,
        };
        const prev = byEndpoint.get(info.endpoint);
        if (!prev || (!prev.ready && info.ready)) byEndpoint.set(info.endpoint, info);
      }
    }
  }
  return [...byEndpoint.values()].sort((a, b) => compareEndpoints(a, b));
}

function compareEndpoints(a: EndpointInfo, b: EndpointInfo): number {
  const pa = a.ip.split('.').map(Number);
  const pb = b.ip.split('.').map(Number);
  for (let i = 0; i < 4; i++) if (pa[i] !== pb[i]) return pa[i] - pb[i];
  return a.port - b.port;
}

export interface CategorizedEndpoints {
  /** Used for traffic with "Cluster" policy: ready ones, or serving-terminating ones when none is ready. */
  clusterEndpoints: EndpointInfo[];
  /** Used for traffic with "Local" policy: this node's, by the same preference. */
  localEndpoints: EndpointInfo[];
  /** Every endpoint some rule of this service may send traffic to (each gets a KUBE-SEP chain). */
  allReachableEndpoints: EndpointInfo[];
  /** Whether the service has any usable endpoint anywhere in the cluster. */
  hasAnyEndpoints: boolean;
}

export function categorizeEndpoints(endpoints: EndpointInfo[], sp: ServicePortInfo): CategorizedEndpoints {
  let clusterEndpoints: EndpointInfo[] = [];
  let localEndpoints: EndpointInfo[] = [];
  let hasAnyEndpoints = false;
  const cluster = usesClusterEndpoints(sp);
  if (cluster) {
    clusterEndpoints = endpoints.filter((e) => e.ready);
    // With nothing ready anywhere, keep serving through endpoints that are shutting down but still serve.
    if (clusterEndpoints.length === 0) clusterEndpoints = endpoints.filter((e) => e.serving && e.terminating);
    hasAnyEndpoints = clusterEndpoints.length > 0;
  }
  if (!usesLocalEndpoints(sp)) return { clusterEndpoints, localEndpoints, allReachableEndpoints: clusterEndpoints, hasAnyEndpoints };

  let localReady = false;
  let localServingTerminating = false;
  for (const e of endpoints) {
    if (e.ready) {
      hasAnyEndpoints = true;
      if (e.isLocal) localReady = true;
    } else if (e.serving && e.terminating) {
      hasAnyEndpoints = true;
      if (e.isLocal) localServingTerminating = true;
    }
  }
  if (localReady) localEndpoints = endpoints.filter((e) => e.isLocal && e.ready);
  else if (localServingTerminating) localEndpoints = endpoints.filter((e) => e.isLocal && e.serving && e.terminating);
  if (!cluster) return { clusterEndpoints, localEndpoints, allReachableEndpoints: localEndpoints, hasAnyEndpoints };

  const seen = new Set<string>();
  const allReachableEndpoints: EndpointInfo[] = [];
  for (const e of [...clusterEndpoints, ...localEndpoints]) {
    if (seen.has(e.endpoint)) continue;
    seen.add(e.endpoint);
    allReachableEndpoints.push(e);
  }
  return { clusterEndpoints, localEndpoints, allReachableEndpoints, hasAnyEndpoints };
}
