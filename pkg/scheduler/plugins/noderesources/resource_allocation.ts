// Shared by the NodeResourcesFit score (LeastAllocated) and BalancedAllocation:
// what a node would have requested with the pod on it.
import type { NodeInfo, Pod, ResourceList } from '../../framework/types.js';
import { podRequests } from '../helper/resources.js';

export interface ResourceSpec { name: string; weight: number }
/** The default scoring resources (config.DefaultResourceSpec). */
export const DEFAULT_RESOURCES: ResourceSpec[] = [{ name: 'cpu', weight: 1 }, { name: 'memory', weight: 1 }];

// NodeInfo carries only actual requests; scoring counts 100m/200Mi for
// containers without one (NodeInfo.NonZeroRequested upstream), so compute it
// from the pods once per node generation.
const nonZeroCache = new WeakMap<NodeInfo, { generation: number; podCount: number; requested: ResourceList }>();

export function nonZeroRequested(nodeInfo: NodeInfo): ResourceList {
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

/** [requested, allocatable] per resource, with the pod added. useRequested picks actual over non-zero requests. */
export function requestedAndAllocatable(nodeInfo: NodeInfo, podRequest: ResourceList, resources: ResourceSpec[], useRequested: boolean): { requested: number[]; allocatable: number[] } {
  const base = useRequested ? nodeInfo.requested : nonZeroRequested(nodeInfo);
  const requested: number[] = [];
  const allocatable: number[] = [];
  for (const r of resources) {
    allocatable.push(nodeInfo.allocatable[r.name] ?? 0);
    requested.push((base[r.name] ?? 0) + (podRequest[r.name] ?? 0));
  }
  return { requested, allocatable };
}

export function podScoringRequest(pod: Pod, useRequested: boolean): ResourceList {
  return podRequests(pod, { nonZero: !useRequested });
}
