// The node IPAM controller (upstream pkg/controller/nodeipam, its range allocator):
// gives each Node without spec.podCIDRs one block of the cluster CIDR per family
// (--cluster-cidr, --node-cidr-mask-size), written as spec.podCIDR and
// spec.podCIDRs. Blocks that Nodes already hold are marked used when it starts
// and whenever a Node with blocks is seen; a deleted Node's blocks are freed.
// When the range is full the Node gets a CIDRNotAvailable event and is retried
// with backoff. The service range, where it overlaps, is never handed out.
import type { Node } from '../../../api/core/v1/types.js';
import { EventRecorder } from '../../client/events.js';
import type { SharedIndexInformer } from '../../client/informer.js';
import { isStatus, type ResourceClient } from '../../client/rest.js';
import { RateLimitingQueue, runWorkers } from '../../client/workqueue.js';
import { formatCIDR, overlaps, parseCIDR, type IPNet } from '../../util/ipnet.js';
import type { Controller, ControllerContext } from '../context.js';
import { CidrSet } from './cidr_set.js';

export interface NodeIpamOptions {
  /** --cluster-cidr: one CIDR, or one per family (dual-stack), comma-separated. */
  clusterCIDR?: string;
  /** --node-cidr-mask-size; default 24 for IPv4, 64 for IPv6. */
  nodeCIDRMaskSize?: number;
  /** --node-cidr-mask-size-ipv4 / -ipv6, for dual-stack. */
  nodeCIDRMaskSizeIPv4?: number;
  nodeCIDRMaskSizeIPv6?: number;
  /** --service-cluster-ip-range: blocks inside it are never handed out. */
  serviceClusterIPRange?: string;
}

/** The cluster CIDRs and the node mask size for each, checked as kube-controller-manager checks them. */
export function clusterCIDRsAndMasks(o: NodeIpamOptions): { cidrs: IPNet[]; masks: number[] } {
  if (!o.clusterCIDR?.trim()) throw new Error('Controller: Must specify --cluster-cidr if --allocate-node-cidrs is set');
  const texts = o.clusterCIDR.split(',').map((s) => s.trim());
  const cidrs = texts.map((t) => {
    try {
      return parseCIDR(t);
    } catch {
      throw new Error(`Controller: Invalid --cluster-cidr, failed to parse ${JSON.stringify(t)}`);
    }
  });
  if (cidrs.length > 2 || (cidrs.length === 2 && cidrs[0].family === cidrs[1].family))
    throw new Error('Controller: Invalid --cluster-cidr, a maximum of two cluster CIDRs, one of each IP family, is allowed');
  if (cidrs.length === 2 && o.nodeCIDRMaskSize !== undefined) throw new Error('usage of --node-cidr-mask-size is not allowed with dual-stack clusters');
  const masks = cidrs.map((c) =>
    c.family === 4 ? (o.nodeCIDRMaskSizeIPv4 ?? o.nodeCIDRMaskSize ?? 24) : (o.nodeCIDRMaskSizeIPv6 ?? o.nodeCIDRMaskSize ?? 64),
  );
  cidrs.forEach((c, i) => {
    if (c.prefix > masks[i])
      throw new Error(
        'Controller: Invalid --cluster-cidr, mask size of cluster CIDR must be less than or equal to --node-cidr-mask-size configured for CIDR family',
      );
  });
  return { cidrs, masks };
}

export class NodeIpamController implements Controller {
  readonly queue = new RateLimitingQueue<string>(undefined, 'node_ipam_controller');
  readonly cidrSets: CidrSet[];
  private readonly nodes: SharedIndexInformer<Node>;
  private readonly nodeClient: ResourceClient<Node>;
  private readonly recorder: EventRecorder;
  /** Nodes (by uid) written with blocks that the cache does not show yet: not allocated for twice. */
  private readonly assigned = new Set<string>();

  constructor(
    private readonly deps: ControllerContext,
    opts: NodeIpamOptions,
  ) {
    const { cidrs, masks } = clusterCIDRsAndMasks(opts);
    this.cidrSets = cidrs.map((c, i) => new CidrSet(c, masks[i]));
    for (const text of (opts.serviceClusterIPRange ?? '').split(',').filter((s) => s.trim())) {
      const service = parseCIDR(text.trim());
      for (const set of this.cidrSets) if (overlaps(set.clusterCIDR, service)) set.occupy(service);
    }
    this.nodes = deps.informers.forResource<Node>('v1', 'nodes');
    this.nodeClient = deps.client.resource<Node>('v1', 'nodes');
    // Upstream's allocator records as this component.
    this.recorder = new EventRecorder(deps.client, { component: 'cidrAllocator', log: (m) => deps.log(m) });
    this.nodes.addEventHandler({
      onAdd: (n) => this.queue.add(n.metadata.name ?? ''),
      onUpdate: (_, n) => {
        if (n.spec?.podCIDRs?.length) this.assigned.delete(n.metadata.uid ?? '');
        else this.queue.add(n.metadata.name ?? '');
      },
      onDelete: (n) => {
        this.assigned.delete(n.metadata.uid ?? '');
        this.releaseCIDRs(n);
      },
    });
  }

  async run(workers: number, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return;
    signal.addEventListener('abort', () => this.queue.shutDown(), { once: true });
    this.deps.log('starting range CIDR allocator', { clusterCIDRs: this.cidrSets.map((s) => formatCIDR(s.clusterCIDR)).join(',') });
    this.deps.informers.start();
    await this.nodes.waitForCacheSync();
    // What the Nodes hold already is taken before anything is handed out.
    for (const node of this.nodes.lister.list()) this.occupyCIDRs(node);
    await runWorkers(this.queue, workers, (key) => this.syncNode(key), { log: (m) => this.deps.log(m) });
    this.deps.log('range CIDR allocator stopped');
  }

  /** AllocateOrOccupyCIDR for the Node of this name. */
  async syncNode(name: string): Promise<void> {
    const node = this.nodes.lister.get('', name);
    if (!node) return;
    if (node.spec?.podCIDRs?.length) {
      this.occupyCIDRs(node);
      return;
    }
    if (this.assigned.has(node.metadata.uid ?? '')) return;
    const allocated: IPNet[] = [];
    for (const [idx, set] of this.cidrSets.entries()) {
      try {
        allocated.push(set.allocateNext());
      } catch (err) {
        allocated.forEach((c, i) => this.cidrSets[i].release(c));
        void this.recordNodeStatusChange(node, 'CIDRNotAvailable');
        throw new Error(`failed to allocate cidr from cluster cidr at idx:${idx}: ${(err as Error).message}`);
      }
    }
    await this.updateCIDRsAllocation(name, allocated);
  }

  /** Writes the blocks to the Node, or gives them back if it has others by now or is gone. */
  private async updateCIDRsAllocation(name: string, allocated: IPNet[]): Promise<void> {
    const cidrs = allocated.map(formatCIDR);
    const release = () => allocated.forEach((c, i) => this.cidrSets[i].release(c));
    const current = this.nodes.lister.get('', name);
    const held = current?.spec?.podCIDRs ?? [];
    if (held.length === cidrs.length && held.every((c, i) => c === cidrs[i])) return;
    if (held.length) {
      this.deps.log('node already has a CIDR allocated; releasing the new one', { node: name, podCIDRs: held.join(',') });
      release();
      return;
    }
    try {
      const updated = await this.nodeClient.patch(name, 'strategic', { spec: { podCIDR: cidrs[0], podCIDRs: cidrs } });
      // Until the informer shows the write, a later sync of this Node must not allocate again.
      if (!this.nodes.lister.get('', name)?.spec?.podCIDRs?.length) this.assigned.add(updated.metadata.uid ?? '');
      this.deps.log('set node PodCIDR', { node: name, podCIDRs: cidrs.join(',') });
    } catch (err) {
      if (isStatus(err, 404)) return release();
      if (current) void this.recordNodeStatusChange(current, 'CIDRAssignmentFailed');
      // After a timeout the write may still land: keep the blocks rather than hand them out twice.
      if (!isStatus(err, 504)) release();
      throw err;
    }
  }

  /** occupyCIDRs: marks the Node's blocks used; a block outside the cluster CIDRs is an error. */
  private occupyCIDRs(node: Node): void {
    const name = node.metadata.name ?? '';
    for (const [idx, cidr] of (node.spec?.podCIDRs ?? []).entries()) {
      const set = this.cidrSets[idx];
      if (!set) throw new Error(`node:${name} has an allocated cidr: ${cidr} at index:${idx} that does not exist in cluster cidrs configuration`);
      try {
        set.occupy(cidr);
      } catch (err) {
        throw new Error(`failed to mark cidr[${cidr}] at idx [${idx}] as occupied for node: ${name}: ${(err as Error).message}`);
      }
    }
  }

  /** ReleaseCIDR; Nodes still waiting for a block are looked at again now that one is free. */
  private releaseCIDRs(node: Node): void {
    const cidrs = node.spec?.podCIDRs ?? [];
    for (const [idx, cidr] of cidrs.entries()) {
      try {
        this.cidrSets[idx]?.release(cidr);
        this.deps.log.v(4)('released CIDR for node', { node: node.metadata.name ?? '', cidr });
      } catch (err) {
        this.deps.log(`error when releasing CIDR ${cidr}: ${(err as Error).message}`);
      }
    }
    if (!cidrs.length) return;
    for (const waiting of this.nodes.lister.list()) if (!waiting.spec?.podCIDRs?.length) this.queue.add(waiting.metadata.name ?? '');
  }

  /** nodeutil.RecordNodeStatusChange: a Normal event on the Node whose reason is the new status. */
  private recordNodeStatusChange(node: Node, status: string): Promise<void> {
    const name = node.metadata.name ?? '';
    return this.recorder.event(node, 'Normal', status, `Node ${name} status is now: ${status}`, { apiVersion: 'v1', kind: 'Node' });
  }
}
