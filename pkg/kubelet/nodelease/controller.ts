// The node lease (upstream component-helpers/apimachinery/lease): a
// coordination.k8s.io/v1 Lease named after the node in kube-node-lease, owned by
// the Node, renewed every 10 s with a 40 s duration. It is the cheap heartbeat:
// the node lifecycle controller reads renewTime instead of the Node's status.
import { isStatus, type Client, type ResourceClient } from '../../client/rest.js';
import { microTime } from '../../client/leaderelection.js';
import type { Logger } from '../../util/log.js';
import type { Lease } from '../../../api/coordination/v1/types.js';
import type { Node } from '../../../api/core/v1/types.js';

export const NODE_LEASE_NAMESPACE = 'kube-node-lease';
export const LEASE_DURATION_SECONDS = 40;

export interface NodeLeaseOptions {
  client: Client;
  nodeName: string;
  /** The registered Node (for the owner reference); undefined until registration. */
  node(): Node | undefined;
  renewIntervalMs?: number;
  log: Logger;
}

export function newLease(nodeName: string, node: Pick<Node, 'metadata'> | undefined, now = new Date()): Lease {
  const lease: Lease = {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name: nodeName, namespace: NODE_LEASE_NAMESPACE },
    spec: { holderIdentity: nodeName, leaseDurationSeconds: LEASE_DURATION_SECONDS, renewTime: microTime(now) },
  };
  if (node?.metadata.uid) lease.metadata.ownerReferences = [{ apiVersion: 'v1', kind: 'Node', name: nodeName, uid: node.metadata.uid }];
  return lease;
}

export class NodeLeaseController {
  private readonly leases: ResourceClient<Lease>;
  private latest?: Lease;
  private timer?: NodeJS.Timeout;
  private inFlight = false;

  constructor(private readonly opts: NodeLeaseOptions) {
    this.leases = opts.client.resource<Lease>('coordination.k8s.io/v1', 'leases').namespace(NODE_LEASE_NAMESPACE);
  }

  start(): void {
    void this.renew();
    this.timer = setInterval(() => void this.renew(), this.opts.renewIntervalMs ?? 10_000);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Creates or renews the lease; errors are logged and retried at the next tick. */
  async renew(): Promise<void> {
    if (this.inFlight) return;
    this.inFlight = true;
    try {
      const node = this.opts.node();
      const wanted = newLease(this.opts.nodeName, node);
      if (!this.latest) {
        try {
          this.latest = await this.leases.get(this.opts.nodeName);
        } catch (err) {
          if (!isStatus(err, 404)) throw err;
          this.latest = await this.leases.create(wanted);
          return;
        }
      }
      const next: Lease = { ...this.latest, metadata: { ...this.latest.metadata }, spec: { ...this.latest.spec, ...wanted.spec } };
      if (wanted.metadata.ownerReferences) next.metadata.ownerReferences = wanted.metadata.ownerReferences;
      try {
        this.latest = await this.leases.update(next);
      } catch (err) {
        // Conflict or gone: read again next time.
        this.latest = undefined;
        throw err;
      }
    } catch (err) {
      this.opts.log(`failed to renew node lease ${NODE_LEASE_NAMESPACE}/${this.opts.nodeName}: ${(err as Error).message}`);
    } finally {
      this.inFlight = false;
    }
  }
}
