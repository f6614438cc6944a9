// Service ClusterIP and NodePort allocation, after upstream's
// pkg/registry/core/service/storage/alloc.go. What is in use is read from the
// stored Services; addresses handed out but not yet written are held in memory
// so two concurrent creates never get the same one (one apiserver per etcd).
import type { KubeObject } from '../../../../api/meta/v1/types.js';
import { newInvalid, type StatusCause } from '../../../../api/meta/v1/status.js';
import { RangeFullError, allocateNextIP, checkRequestedIP } from './ipallocator.js';
import { allocateNextNodePort, checkRequestedNodePort, type PortRange } from './portallocator.js';
import type { ServiceSpec } from '../../../../api/core/v1/types.js';
import type { StoreHooks } from '../../store.js';
import type { ResourceStorage } from '../../../storage/store.js';

const RESERVATION_MS = 60_000;

/** --service-node-port-range syntax: "30000-32767". */
function parseNodePortRange(s: string): PortRange {
  const m = /^(\d+)-(\d+)$/.exec(s.trim());
  if (!m || Number(m[2]) < Number(m[1])) throw new Error(`invalid service node port range ${JSON.stringify(s)}: want BASE-LAST`);
  return { base: Number(m[1]), size: Number(m[2]) - Number(m[1]) + 1 };
}

export function serviceHooks(storage: ResourceStorage, cidr: string, nodePortRange: string): StoreHooks {
  const reservedIPs = new Map<string, number>();
  const reservedPorts = new Map<number, number>();
  const range = parseNodePortRange(nodePortRange);
  const isKubernetesService = (obj: KubeObject) => obj.metadata.name === 'kubernetes' && obj.metadata.namespace === 'default';

  async function inUse(exclude?: KubeObject): Promise<{ ips: Set<string>; ports: Set<number> }> {
    const { items } = await storage.list({});
    // Reservations are read after the await, so allocation that follows is atomic with them.
    const now = Date.now();
    for (const [k, t] of reservedIPs) if (now - t > RESERVATION_MS) reservedIPs.delete(k);
    for (const [k, t] of reservedPorts) if (now - t > RESERVATION_MS) reservedPorts.delete(k);
    const ips = new Set(reservedIPs.keys());
    const ports = new Set(reservedPorts.keys());
    for (const svc of items) {
      if (exclude && svc.metadata.uid === exclude.metadata.uid) continue;
      const spec = (svc.spec ?? {}) as ServiceSpec;
      for (const ip of spec.clusterIPs ?? (spec.clusterIP ? [spec.clusterIP] : [])) ips.add(ip);
      for (const p of spec.ports ?? []) if (p.nodePort) ports.add(p.nodePort);
    }
    return { ips, ports };
  }

  async function allocate(obj: KubeObject, old: KubeObject | undefined): Promise<void> {
    const spec = (obj.spec ?? {}) as ServiceSpec;
    const oldSpec = (old?.spec ?? {}) as ServiceSpec;
    const name = obj.metadata.name ?? '';
    const causes: StatusCause[] = [];
    const used = await inUse(old);
    if (spec.type === 'ExternalName') {
      delete spec.clusterIP;
      delete spec.clusterIPs;
    } else {
      if (!spec.clusterIP && oldSpec.clusterIP) spec.clusterIP = oldSpec.clusterIP;
      if (!spec.clusterIP) {
        try {
          spec.clusterIP = allocateNextIP(cidr, used.ips, { forKubernetesService: isKubernetesService(obj) });
          reservedIPs.set(spec.clusterIP, Date.now());
        } catch (err) {
          if (!(err instanceof RangeFullError)) throw err;
          causes.push({ reason: 'FieldValueInvalid', field: 'spec.clusterIPs', message: 'Internal error: failed to allocate a serviceIP: range is full' });
        }
      } else if (spec.clusterIP !== 'None' && spec.clusterIP !== oldSpec.clusterIP) {
        const why = checkRequestedIP(cidr, spec.clusterIP, used.ips);
        if (why) causes.push({ reason: 'FieldValueInvalid', field: 'spec.clusterIPs', message: `Invalid value: []string{"${spec.clusterIP}"}: ${why}` });
        else reservedIPs.set(spec.clusterIP, Date.now());
      }
      if (spec.clusterIP) spec.clusterIPs = [spec.clusterIP];
    }
    const wantsNodePorts = spec.type === 'NodePort' || spec.type === 'LoadBalancer';
    (spec.ports ?? []).forEach((p, i) => {
      if (!wantsNodePorts) {
        delete p.nodePort;
        return;
      }
      const previous = (oldSpec.ports ?? []).find((o) => o.port === p.port && (o.protocol ?? 'TCP') === (p.protocol ?? 'TCP'))?.nodePort;
      if (!p.nodePort && previous) p.nodePort = previous;
      if (!p.nodePort) {
        try {
          p.nodePort = allocateNextNodePort(used.ports, range);
          used.ports.add(p.nodePort);
          reservedPorts.set(p.nodePort, Date.now());
        } catch (err) {
          if (!(err instanceof RangeFullError)) throw err;
          causes.push({
            reason: 'FieldValueInvalid',
            field: `spec.ports[${i}].nodePort`,
            message: 'Internal error: failed to allocate a nodePort: range is full',
          });
        }
      } else if (p.nodePort !== previous) {
        const why = checkRequestedNodePort(p.nodePort, used.ports, range);
        if (why) causes.push({ reason: 'FieldValueInvalid', field: `spec.ports[${i}].nodePort`, message: `Invalid value: ${p.nodePort}: ${why}` });
        else {
          used.ports.add(p.nodePort);
          reservedPorts.set(p.nodePort, Date.now());
        }
      }
    });
    if (causes.length) throw newInvalid('Service', '', name, causes);
    obj.spec = spec;
  }

  return {
    beforeCreate: (obj) => allocate(obj, undefined),
    beforeUpdate: (obj, old) => allocate(obj, old),
    async afterDelete(obj) {
      const spec = (obj.spec ?? {}) as ServiceSpec;
      if (spec.clusterIP) reservedIPs.delete(spec.clusterIP);
      for (const p of spec.ports ?? []) if (p.nodePort) reservedPorts.delete(p.nodePort);
    },
  };
}
