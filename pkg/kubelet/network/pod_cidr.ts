// The pod CIDR of a kubelet not given --pod-cidr: upstream's kubelet takes it from
// its Node's spec.podCIDRs (the controller-manager's nodeipam writes it) and its
// network stays not ready until then. Here node network setup waits for it.
import type { Node } from '../../../api/core/v1/types.js';
import { isStatus, type Client } from '../../client/rest.js';
import { parseCIDR } from './cidr.js';

export interface WaitForPodCIDROptions {
  client: Client;
  nodeName: string;
  /** Ends the wait (the kubelet is stopping). */
  stopped: () => boolean;
  log: (msg: string) => void;
  pollMs?: number;
}

/** The Node's spec.podCIDR (the IPv4 one this node's bridge serves), once it has one. */
export async function waitForPodCIDR(o: WaitForPodCIDROptions): Promise<string> {
  const nodes = o.client.resource<Node>('v1', 'nodes');
  let logged = false;
  for (;;) {
    if (o.stopped()) throw new Error('stopped while waiting for the node pod CIDR');
    try {
      const node = await nodes.get(o.nodeName);
      const cidr = (node.spec?.podCIDRs ?? (node.spec?.podCIDR ? [node.spec.podCIDR] : [])).find((c) => !c.includes(':'));
      if (cidr) {
        parseCIDR(cidr);
        o.log(`node ${o.nodeName} has pod CIDR ${cidr}`);
        return cidr;
      }
      if (!logged) o.log(`waiting for node ${o.nodeName} to be given a pod CIDR (spec.podCIDR, from the controller-manager's --allocate-node-cidrs)`);
    } catch (err) {
      if (!isStatus(err, 404) && !logged) o.log(`waiting for node ${o.nodeName}: ${(err as Error).message}`);
    }
    logged = true;
    await new Promise((r) => setTimeout(r, o.pollMs ?? 1000));
  }
}
