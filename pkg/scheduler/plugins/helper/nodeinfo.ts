// Building NodeInfos outside the scheduler cache: preemption's "what if these
// pods were gone" copies, and tests.
import type { Node, Pod } from '../../../../api/core/v1/types.js';
import type { NodeInfo, ResourceList } from '../../framework/types.js';
import { podRequests, quantityToAmount } from './resources.js';

/**
 * Host ports a pod claims, as NodeInfo.usedPorts keys "protocol/hostIP/port" (hostIP
 * 0.0.0.0 and protocol TCP when unset). As upstream's GetHostPorts: the app containers'
 * and those of sidecars (restartable init containers, which run as long as the pod);
 * ordinary init containers have exited before the app containers bind.
 */
export function podHostPorts(pod: Pod): string[] {
  const out: string[] = [];
  const sidecars = (pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always');
  for (const c of [...sidecars, ...(pod.spec?.containers ?? [])]) {
    for (const p of c.ports ?? []) {
      if (!p.hostPort || p.hostPort <= 0) continue;
      out.push(`${p.protocol || 'TCP'}/${p.hostIP || '0.0.0.0'}/${p.hostPort}`);
    }
  }
  return out;
}

export function nodeAllocatable(node: Node): ResourceList {
  const out: ResourceList = {};
  for (const [k, v] of Object.entries(node.status?.allocatable ?? node.status?.capacity ?? {})) out[k] = quantityToAmount(k, v);
  return out;
}

export function newNodeInfo(node: Node, pods: Pod[] = [], generation = 0): NodeInfo {
  const requested: ResourceList = {};
  const usedPorts = new Set<string>();
  for (const p of pods) {
    for (const [k, v] of Object.entries(podRequests(p))) requested[k] = (requested[k] ?? 0) + v;
    for (const port of podHostPorts(p)) usedPorts.add(port);
  }
  requested.pods = pods.length;
  return { node, pods: [...pods], requested, allocatable: nodeAllocatable(node), usedPorts, generation };
}
