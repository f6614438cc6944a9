// The rolling update's decisions (update.go rollingUpdate), as a pure function
// of the per-node daemon pods: which old pods to delete now and which nodes get
// a surge pod, within maxUnavailable / maxSurge counted over the whole set.
import { isPodAvailable } from '../../../api/core/v1/pod.js';
import type { Node, Pod } from '../../../api/core/v1/types.js';
import type { DaemonSet } from '../../../api/apps/v1/types.js';
import { getTemplateGeneration, isPodUpdated, surgeCount, unavailableCount } from './util/daemonset_util.js';
import { nodeShouldRunDaemonPod } from './node_predicates.js';

/**
 * findUpdatedPodsOnNode: at most one new and one old pod (not being deleted);
 * ok=false when there are more, which the manage loop will clean up first.
 */
export function findUpdatedPodsOnNode(ds: DaemonSet, pods: Pod[], hash: string): { newPod?: Pod; oldPod?: Pod; ok: boolean } {
  let newPod: Pod | undefined;
  let oldPod: Pod | undefined;
  const generation = getTemplateGeneration(ds);
  for (const pod of pods) {
    if (pod.metadata.deletionTimestamp) continue;
    if (isPodUpdated(pod, hash, generation)) {
      if (newPod) return { ok: false };
      newPod = pod;
    } else {
      if (oldPod) return { ok: false };
      oldPod = pod;
    }
  }
  return { newPod, oldPod, ok: true };
}

/**
 * updatedDesiredNodeCounts: maxSurge and maxUnavailable scaled to the number of
 * nodes that should run the pod (adding those nodes, podless, to the map); an
 * impossible 0/0 falls back to maxUnavailable 1.
 */
export function updatedDesiredNodeCounts(ds: DaemonSet, nodes: Node[], nodeToDaemonPods: Map<string, Pod[]>): { maxSurge: number; maxUnavailable: number } {
  let desired = 0;
  for (const node of nodes) {
    if (!nodeShouldRunDaemonPod(node, ds).shouldRun) continue;
    desired++;
    const name = node.metadata.name ?? '';
    if (!nodeToDaemonPods.has(name)) nodeToDaemonPods.set(name, []);
  }
  let maxUnavailable = unavailableCount(ds, desired);
  const maxSurge = surgeCount(ds, desired);
  if (desired > 0 && maxUnavailable === 0 && maxSurge === 0) maxUnavailable = 1;
  return { maxSurge, maxUnavailable };
}

export interface RollingUpdatePlan {
  oldPodsToDelete: Pod[];
  newNodesToCreate: string[];
}

/** rollingUpdate's choice, given the nodes and the pods on each (node names visited in sorted order). */
export function planRollingUpdate(ds: DaemonSet, nodes: Node[], nodeToDaemonPods: Map<string, Pod[]>, hash: string, now: number): RollingUpdatePlan {
  const { maxSurge, maxUnavailable } = updatedDesiredNodeCounts(ds, nodes, nodeToDaemonPods);
  const minReady = ds.spec.minReadySeconds ?? 0;
  const names = [...nodeToDaemonPods.keys()].sort();

  if (maxSurge === 0) {
    let numUnavailable = 0;
    const allowedReplacementPods: Pod[] = [];
    const candidatePodsToDelete: Pod[] = [];
    for (const name of names) {
      const { newPod, oldPod, ok } = findUpdatedPodsOnNode(ds, nodeToDaemonPods.get(name) ?? [], hash);
      if (!ok) {
        numUnavailable++;
        continue;
      }
      if ((!oldPod && !newPod) || (oldPod && newPod)) {
        // manage will create or delete here: count the node as unavailable.
        numUnavailable++;
      } else if (newPod) {
        if (!isPodAvailable(newPod, minReady, now)) numUnavailable++;
      } else if (oldPod) {
        // An old pod: an update candidate. Unavailable ones cost nothing to replace.
        if (!isPodAvailable(oldPod, minReady, now)) allowedReplacementPods.push(oldPod);
        else if (numUnavailable < maxUnavailable) candidatePodsToDelete.push(oldPod);
      }
    }
    const remaining = Math.min(Math.max(0, maxUnavailable - numUnavailable), candidatePodsToDelete.length);
    return { oldPodsToDelete: [...allowedReplacementPods, ...candidatePodsToDelete.slice(0, remaining)], newNodesToCreate: [] };
  }

  // Surge: start the new pod beside the old one, delete the old once the new is available.
  let numSurge = 0;
  const allowedNewNodes: string[] = [];
  const candidateNewNodes: string[] = [];
  const oldPodsToDelete: Pod[] = [];
  const byName = new Map(nodes.map((n) => [n.metadata.name ?? '', n]));
  for (const name of names) {
    const { newPod, oldPod, ok } = findUpdatedPodsOnNode(ds, nodeToDaemonPods.get(name) ?? [], hash);
    if (!ok) {
      numSurge++;
      continue;
    }
    if (!oldPod) continue; // manage handles this node
    if (!newPod) {
      if (!isPodAvailable(oldPod, minReady, now)) {
        const node = byName.get(name);
        if (!node || !nodeShouldRunDaemonPod(node, ds).shouldRun) continue;
        allowedNewNodes.push(name);
      } else if (numSurge < maxSurge) {
        candidateNewNodes.push(name);
      }
      continue;
    }
    if (!isPodAvailable(newPod, minReady, now)) {
      numSurge++;
      continue;
    }
    oldPodsToDelete.push(oldPod);
  }
  const remaining = Math.min(Math.max(0, maxSurge - numSurge), candidateNewNodes.length);
  return { oldPodsToDelete, newNodesToCreate: [...allowedNewNodes, ...candidateNewNodes.slice(0, remaining)] };
}
