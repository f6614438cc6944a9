// The service load-balancer controller, as k3s's ServiceLB does it on a
// machine without a cloud: a `type: LoadBalancer` Service gets
// status.loadBalancer.ingress = the nodes' InternalIP addresses, and the proxy
// (which serves every load-balancer ingress IP, as kube-proxy does) answers the
// Service's ports on them, so the EXTERNAL-IP answers from the host. As on
// k3s, a port is served for one Service only: a later Service asking for a
// port and protocol already taken stays <pending> until it is free.
import type { Node, Service } from '../../../api/core/v1/types.js';
import type { SharedIndexInformer } from '../../client/informer.js';
import { isStatus, type ResourceClient } from '../../client/rest.js';
import { metaNamespaceKeyFunc, splitMetaNamespaceKey } from '../../client/store.js';
import { RateLimitingQueue, runWorkers } from '../../client/workqueue.js';
import type { Controller, ControllerContext } from '../context.js';

/** Services another load-balancer implementation owns carry a spec.loadBalancerClass; this one takes those without. */
export function isServiceLB(svc: Service): boolean {
  return svc.spec?.type === 'LoadBalancer' && !svc.spec.loadBalancerClass && !svc.metadata.deletionTimestamp;
}

/** The node addresses a load balancer is served on: each node's InternalIP, sorted (ExternalIP where a node has one). */
export function nodeIngressIPs(nodes: Node[]): string[] {
  const ips = new Set<string>();
  for (const n of nodes) {
    if (n.metadata.deletionTimestamp) continue;
    const addrs = n.status?.addresses ?? [];
    const ip = addrs.find((a) => a.type === 'ExternalIP')?.address ?? addrs.find((a) => a.type === 'InternalIP')?.address;
    if (ip) ips.add(ip);
  }
  return [...ips].sort();
}

function portKeys(svc: Service): string[] {
  return (svc.spec?.ports ?? []).map((p) => `${p.protocol ?? 'TCP'}/${p.port}`);
}

/** Oldest first, then by namespace/name: who keeps a port two Services ask for. */
function olderFirst(a: Service, b: Service): number {
  const ta = a.metadata.creationTimestamp ?? '';
  const tb = b.metadata.creationTimestamp ?? '';
  return ta < tb ? -1 : ta > tb ? 1 : metaNamespaceKeyFunc(a) < metaNamespaceKeyFunc(b) ? -1 : 1;
}

/** The ports of svc that an older load-balancer Service already serves. */
export function conflictingPorts(svc: Service, all: Service[]): string[] {
  const mine = new Set(portKeys(svc));
  const key = metaNamespaceKeyFunc(svc);
  const taken = new Set<string>();
  for (const other of all.filter(isServiceLB).sort(olderFirst)) {
    if (metaNamespaceKeyFunc(other) === key) break;
    for (const p of portKeys(other)) if (mine.has(p)) taken.add(p);
  }
  return [...taken].sort();
}

export class ServiceLBController implements Controller {
  readonly queue = new RateLimitingQueue<string>(undefined, 'servicelb');
  private readonly services: SharedIndexInformer<Service>;
  private readonly nodes: SharedIndexInformer<Node>;
  private readonly client: ResourceClient<Service>;

  constructor(private readonly deps: ControllerContext) {
    this.services = deps.informers.forResource<Service>('v1', 'services');
    this.nodes = deps.informers.forResource<Node>('v1', 'nodes');
    this.client = deps.client.resource<Service>('v1', 'services');
    // Any Service may free or take a port another one waits for: look at every load-balancer Service.
    const all = () => {
      for (const s of this.services.lister.list()) if (isServiceLB(s) || s.status?.loadBalancer?.ingress?.length) this.queue.add(metaNamespaceKeyFunc(s));
    };
    this.services.addEventHandler({ onAdd: all, onUpdate: all, onDelete: all });
    this.nodes.addEventHandler({ onAdd: all, onUpdate: (a, b) => nodeIngressIPs([a]).join() !== nodeIngressIPs([b]).join() && all(), onDelete: all });
  }

  async run(workers: number, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return;
    signal.addEventListener('abort', () => this.queue.shutDown(), { once: true });
    this.deps.log('starting service load-balancer controller', { workers });
    this.deps.informers.start();
    await Promise.all([this.services.waitForCacheSync(), this.nodes.waitForCacheSync()]);
    await runWorkers(this.queue, workers, (key) => this.sync(key), { log: (m) => this.deps.log(m) });
    this.deps.log('service load-balancer controller stopped');
  }

  /** The ingress the Service should show: node addresses, none while pending or when not a load balancer of ours. */
  desiredIngress(svc: Service): { ingress: { ip: string; ipMode: 'VIP' }[]; conflicts: string[] } {
    if (!isServiceLB(svc)) return { ingress: [], conflicts: [] };
    const conflicts = conflictingPorts(svc, this.services.lister.list());
    if (conflicts.length) return { ingress: [], conflicts };
    return { ingress: nodeIngressIPs(this.nodes.lister.list()).map((ip) => ({ ip, ipMode: 'VIP' as const })), conflicts };
  }

  async sync(key: string): Promise<void> {
    const { namespace, name } = splitMetaNamespaceKey(key);
    const svc = this.services.lister.get(namespace, name);
    if (!svc) return;
    // A Service of another class is that implementation's to write.
    if (svc.spec?.type === 'LoadBalancer' && svc.spec.loadBalancerClass) return;
    const { ingress, conflicts } = this.desiredIngress(svc);
    const current = svc.status?.loadBalancer?.ingress ?? [];
    if (JSON.stringify(current.map((i) => i.ip).sort()) === JSON.stringify(ingress.map((i) => i.ip))) {
      return;
    }
    if (conflicts.length)
      void this.deps.recorder.event(svc, 'Warning', 'PortInUse', `port ${conflicts.join(', ')} is served for an older LoadBalancer Service; waiting for it`, {
        apiVersion: 'v1',
        kind: 'Service',
      });
    const next: Service = { ...svc, status: { ...svc.status, loadBalancer: ingress.length ? { ingress } : {} } };
    try {
      await this.client.namespace(namespace).updateStatus(next);
      this.deps.log.v(2)('load balancer status', { service: key, ingress: ingress.map((i) => i.ip).join(',') || '<pending>' });
    } catch (err) {
      if (isStatus(err, 404)) return;
      throw err; // A conflict retries with the informer's newer copy.
    }
  }
}
