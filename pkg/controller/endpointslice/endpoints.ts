// What a Service's endpoints should be: pure functions over the Service and its
// pods, shared by the EndpointSlice and the legacy Endpoints controllers.
import { isPodReady, isPodTerminal } from '../../../api/core/v1/pod.js';
import type { Pod, Service, ServicePort } from '../../../api/core/v1/types.js';

/** A service port resolved on one pod: what an EndpointSlice or Endpoints port lists. */
export interface ResolvedPort {
  name: string;
  port: number;
  protocol: string;
}

export interface EndpointEntry {
  pod: Pod;
  address: string;
  ready: boolean;
  serving: boolean;
  terminating: boolean;
  ports: ResolvedPort[];
}

/** A service port's target on one pod: a number, or a named container port (undefined if the pod has no such port). */
export function resolveTargetPort(sp: ServicePort, pod: Pod): number | undefined {
  const target = sp.targetPort ?? sp.port;
  if (typeof target === 'number') return target;
  if (/^\d+$/.test(target)) return Number(target);
  const protocol = sp.protocol ?? 'TCP';
  for (const c of pod.spec?.containers ?? []) {
    for (const p of c.ports ?? []) if (p.name === target && (p.protocol ?? 'TCP') === protocol) return p.containerPort;
  }
  return undefined;
}

/** The endpoints for a selector Service: pods that match, have an IP and have not finished. */
export function desiredEndpoints(svc: Service, pods: Pod[]): EndpointEntry[] {
  const out: EndpointEntry[] = [];
  for (const pod of pods) {
    const ip = pod.status?.podIP;
    if (!ip || isPodTerminal(pod)) continue;
    const terminating = !!pod.metadata.deletionTimestamp;
    const ready = isPodReady(pod);
    const ports: ResolvedPort[] = [];
    for (const sp of svc.spec?.ports ?? []) {
      const port = resolveTargetPort(sp, pod);
      if (port !== undefined) ports.push({ name: sp.name ?? '', port, protocol: sp.protocol ?? 'TCP' });
    }
    out.push({
      pod,
      address: ip,
      ready: (ready || !!svc.spec?.publishNotReadyAddresses) && !terminating,
      serving: ready || !!svc.spec?.publishNotReadyAddresses,
      terminating,
      ports,
    });
  }
  return out.sort((a, b) => (a.pod.metadata.name ?? '').localeCompare(b.pod.metadata.name ?? ''));
}

/** Endpoints grouped by their resolved ports, as each EndpointSlice carries one port list. */
export function groupByPorts(entries: EndpointEntry[]): Map<string, { ports: ResolvedPort[]; entries: EndpointEntry[] }> {
  const groups = new Map<string, { ports: ResolvedPort[]; entries: EndpointEntry[] }>();
  for (const e of entries) {
    const key = JSON.stringify(e.ports);
    const g = groups.get(key) ?? { ports: e.ports, entries: [] };
    g.entries.push(e);
    groups.set(key, g);
  }
  return groups;
}
