// Shared by the NodeResourcesFit score (LeastAllocated) and BalancedAllocation:
// what a node would have requested with the pod on it.
import type { Pod } from '../../../../api/core/v1/types.js';
import type { NodeInfo, ResourceList } from '../../framework/types.js';
import { podRequests } from '../helper/resources.js';

export interface ResourceSpec {
  name: string;
  weight: number;
}
/** The default scoring resources (config.DefaultResourceSpec). */
export const DEFAULT_RESOURCES: ResourceSpec[] = [
  { name: 'cpu', weight: 1 },
  { name: 'memory', weight: 1 },
];

// The scheduler cache keeps NodeInfo.nonZeroRequested up to date (NodeInfo.NonZeroRequested
// upstream); NodeInfos built elsewhere (preemption's copies, tests) lack it, so it is then
// computed from the pods once per node generation.
const nonZeroCache = new WeakMap<NodeInfo, { generation: number; podCount: number; requested: ResourceList }>();

export function nonZeroRequested(nodeInfo: NodeInfo): ResourceList {
  if (nodeInfo.nonZeroRequested) return nodeInfo.nonZeroRequested;
  const hit = nonZeroCache.get(nodeInfo);
  if (hit && hit.generation === nodeInfo.generation && hit.podCount === nodeInfo.pods.length) return hit.requested;
  const requested: ResourceList = {};
  for (const p of nodeInfo.pods) {
    const r = podRequests(p, { nonZero: true });
    requested.cpu = (requested.cpu ?? 0) + (r.cpu ?? 0);
    requested.memory = (requested.memory ?? 0) + (r.memory ?? 0);
  }
  nonZeroCache.set(nodeInfo, { generation: nodeInfo.generation, podCount: nodeInfo.pods.length, requested });
  return requested;
}

/**
 * What the node would have requested of resource with the pod on it. Upstream counts
 * the non-zero (100m / 200Mi default) requests for cpu and memory unless useRequested,
 * and the actual requests for every other resource.
 */
export function requestedWithPod(nodeInfo: NodeInfo, podRequest: ResourceList, resource: string, useRequested: boolean): number {
  const base = !useRequested && (resource === 'cpu' || resource === 'memory') ? nonZeroRequested(nodeInfo) : nodeInfo.requested;
  return (base[resource] ?? 0) + (podRequest[resource] ?? 0);
}

/** [requested, allocatable] per resource, with the pod added. useRequested picks actual over non-zero requests. */
export function requestedAndAllocatable(
  nodeInfo: NodeInfo,
  podRequest: ResourceList,
  resources: ResourceSpec[],
  useRequested: boolean,
): { requested: number[]; allocatable: number[] } {
  const requested: number[] = [];
  const allocatable: number[] = [];
  for (const r of resources) {
    allocatable.push(nodeInfo.allocatable[r.name] ?? 0);
    requested.push(requestedWithPod(nodeInfo, podRequest, r.name, useRequested));
  }
  return { requested, allocatable };
}

export function podScoringRequest(pod: Pod, useRequested: boolean): ResourceList {
  return podRequests(pod, { nonZero: !useRequested });
}
