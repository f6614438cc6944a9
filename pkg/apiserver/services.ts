// Service ClusterIP and NodePort allocation. What is in use is read from the
// stored Services; addresses handed out but not yet written are held in memory
// so two concurrent creates never get the same one (one apiserver per etcd).
import type { KubeObject } from '../../api/meta/v1/types.js';
import { newInvalid, type StatusCause } from '../../api/meta/v1/status.js';
import { allocateIP, allocateNodePort, ipInCIDR, parseNodePortRange } from '../registry/core/ipallocator.js';
import type { StoreHooks } from '../registry/store.js';
import type { ResourceStorage } from '../storage/store.js';

interface ServicePort { name?: string; port?: number; protocol?: string; nodePort?: number }
interface ServiceSpec { type?: string; clusterIP?: string; clusterIPs?: string[]; ports?: ServicePort[] }

const RESERVATION_MS = 60_000;

export function serviceHooks(storage: ResourceStorage, cidr: string, nodePortRange: string): StoreHooks {
  const reservedIPs = new Map<string, number>();
  const reservedPorts = new Map<number, number>();
  const range = parseNodePortRange(nodePortRange);

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
        const ip = allocateIP(cidr, used.ips);
        if (!ip) causes.push({ reason: 'FieldValueInvalid', field: 'spec.clusterIPs', message: `Internal error: failed to allocate a serviceIP: range is full` });
        else {
          spec.clusterIP = ip;
          reservedIPs.set(ip, Date.now());
        }
      } else if (spec.clusterIP !== 'None' && spec.clusterIP !== oldSpec.clusterIP) {
        if (!ipInCIDR(spec.clusterIP, cidr)) {
          causes.push({ reason: 'FieldValueInvalid', field: 'spec.clusterIPs', message: `Invalid value: []string{"${spec.clusterIP}"}: failed to allocate IP ${spec.clusterIP}: the provided IP (${spec.clusterIP}) is not in the valid range. The range of valid IPs is ${cidr}` });
        } else if (used.ips.has(spec.clusterIP)) {
          causes.push({ reason: 'FieldValueInvalid', field: 'spec.clusterIPs', message: `Invalid value: []string{"${spec.clusterIP}"}: failed to allocate IP ${spec.clusterIP}: provided IP is already allocated` });
        } else reservedIPs.set(spec.clusterIP, Date.now());
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
        const port = allocateNodePort(range, used.ports);
        if (port === undefined) causes.push({ reason: 'FieldValueInvalid', field: `spec.ports[${i}].nodePort`, message: 'Internal error: failed to allocate a nodePort: range is full' });
        else {
          p.nodePort = port;
          used.ports.add(port);
          reservedPorts.set(port, Date.now());
        }
      } else if (p.nodePort !== previous) {
        if (p.nodePort < range.base || p.nodePort >= range.base + range.size) {
          causes.push({ reason: 'FieldValueInvalid', field: `spec.ports[${i}].nodePort`, message: `Invalid value: ${p.nodePort}: provided port is not in the valid range. The range of valid ports is ${nodePortRange}` });
        } else if (used.ports.has(p.nodePort)) {
          causes.push({ reason: 'FieldValueInvalid', field: `spec.ports[${i}].nodePort`, message: `Invalid value: ${p.nodePort}: provided port is already allocated` });
        } else {
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
