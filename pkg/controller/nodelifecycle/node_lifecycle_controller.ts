// The node lifecycle controller (pkg/controller/nodelifecycle upstream), its health
// monitor: every --node-monitor-period it looks at each Node's status heartbeat and its
// Lease in kube-node-lease. A node heard from neither for --node-monitor-grace-period
// (--node-startup-grace-period before it first posted Ready) gets Ready and the pressure
// conditions set to Unknown. It records, as source `node-controller`, RegisteredNode for
// each node it starts knowing, RemovingNode for one deleted, and NodeNotReady when it
// takes a Ready node's Ready away. Taints and eviction of the pods of lost nodes are not
// done here.
import type { Lease } from '../../../api/coordination/v1/types.js';
import type { Node, NodeCondition, ObjectReference } from '../../../api/core/v1/types.js';
import { EventRecorder } from '../../client/events.js';
import type { SharedIndexInformer } from '../../client/informer.js';
import { isStatus } from '../../client/rest.js';
import type { Controller, ControllerContext } from '../context.js';
import { healthUpdate, type NodeHealth } from './health.js';

export const NODE_LEASE_NAMESPACE = 'kube-node-lease';

export interface NodeLifecycleOptions {
  /** --node-monitor-period (5 s). */
  nodeMonitorPeriodMs?: number;
  /** --node-monitor-grace-period (50 s since 1.32). */
  nodeMonitorGracePeriodMs?: number;
  /** --node-startup-grace-period (1 m). */
  nodeStartupGracePeriodMs?: number;
  now?: () => Date;
}

/** The reference upstream's node controller files Events against (RecordNodeEvent, RecordNodeStatusChange). */
export function nodeRef(node: Node): ObjectReference {
  return JSON.parse(JSON.stringify({ kind: 'Node', name: node.metadata.name, uid: node.metadata.uid, apiVersion: 'v1' })) as ObjectReference;
}

export class NodeLifecycleController implements Controller {
  private readonly nodes: SharedIndexInformer<Node>;
  private readonly leases: SharedIndexInformer<Lease>;
  private readonly recorder: EventRecorder;
  /** What the monitor saw last, by node name. */
  private readonly health = new Map<string, NodeHealth>();
  /** Nodes known, by name, with their uid (classifyNodes upstream). */
  private readonly known = new Map<string, Node>();
  private readonly period: number;
  private readonly grace: number;
  private readonly startupGrace: number;
  private readonly now: () => Date;

  constructor(
    private readonly ctx: ControllerContext,
    opts: NodeLifecycleOptions = {},
  ) {
    this.nodes = ctx.informers.forResource<Node>('v1', 'nodes');
    this.leases = ctx.informers.forResource<Lease>('coordination.k8s.io/v1', 'leases');
    this.recorder = new EventRecorder(ctx.client, { component: 'node-controller', log: (m) => ctx.log(m) });
    this.period = opts.nodeMonitorPeriodMs ?? 5_000;
    this.grace = opts.nodeMonitorGracePeriodMs ?? 50_000;
    this.startupGrace = opts.nodeStartupGracePeriodMs ?? 60_000;
    this.now = opts.now ?? (() => new Date());
  }

  async run(_workers: number, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return;
    this.ctx.log('starting node lifecycle controller');
    this.ctx.informers.start();
    await Promise.all([this.nodes.waitForCacheSync(), this.leases.waitForCacheSync()]);
    while (!signal.aborted) {
      await this.monitorNodeHealth().catch((err: unknown) => this.ctx.log(`node health monitoring failed: ${(err as Error).message}`));
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(t);
          signal.removeEventListener('abort', done);
          resolve();
        };
        const t = setTimeout(done, this.period);
        signal.addEventListener('abort', done, { once: true });
      });
    }
    this.ctx.log('node lifecycle controller stopped');
  }

  /** One pass over every node: new and deleted nodes, then each node's health. */
  async monitorNodeHealth(): Promise<void> {
    const nodes = this.nodes.lister.list();
    const seen = new Set<string>();
    for (const node of nodes) {
      const name = node.metadata.name ?? '';
      seen.add(name);
      if (this.known.get(name)?.metadata.uid !== node.metadata.uid) {
        this.known.set(name, node);
        this.health.delete(name);
        void this.recorder.record(nodeRef(node), 'Normal', 'RegisteredNode', `Node ${name} event: Registered Node ${name} in Controller`);
      }
    }
    for (const [name, node] of this.known) {
      if (seen.has(name)) continue;
      this.known.delete(name);
      this.health.delete(name);
      void this.recorder.record(nodeRef(node), 'Normal', 'RemovingNode', `Node ${name} event: Removing Node ${name} from Controller`);
    }
    for (const node of nodes) await this.tryUpdateNodeHealth(node);
  }

  private async tryUpdateNodeHealth(node: Node): Promise<void> {
    const name = node.metadata.name ?? '';
    const lease = this.leases.lister.get(NODE_LEASE_NAMESPACE, name);
    const now = this.now();
    const { health, conditions } = healthUpdate(node, lease, this.health.get(name), now, { grace: this.grace, startupGrace: this.startupGrace });
    this.health.set(name, health);
    if (!conditions) return;
    const observedReady = readyOf(node.status?.conditions);
    const updated: Node = { ...node, status: { ...node.status, conditions } };
    try {
      await this.ctx.client.resource<Node>('v1', 'nodes').updateStatus(updated);
    } catch (err) {
      // A kubelet's write or a deletion won the race: the next pass sees the new state.
      if (isStatus(err, 409) || isStatus(err, 404)) return;
      throw err;
    }
    this.ctx.log(`node ${name} hasn't been updated for ${Math.round((now.getTime() - health.probeTimestamp) / 1000)}s; its conditions are now Unknown`);
    if (observedReady?.status === 'True' && readyOf(conditions)?.status !== 'True')
      void this.recorder.record(nodeRef(node), 'Normal', 'NodeNotReady', `Node ${name} status is now: NodeNotReady`);
  }
}

function readyOf(conditions: NodeCondition[] | undefined): NodeCondition | undefined {
  return conditions?.find((c) => c.type === 'Ready');
}
