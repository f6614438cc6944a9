// manage's per-node decision (daemon_controller.go podsShouldBeOnNode): create
// a pod where one should run and none exists; delete failed pods (with backoff),
// surplus pods, and pods on nodes that should not run them.
import { isPodAvailable, isPodReady } from '../../../api/core/v1/pod.js';
import type { Node, Pod } from '../../../api/core/v1/types.js';
import type { DaemonSet } from '../../../api/apps/v1/types.js';
import type { Backoff } from './backoff.js';
import { nodeShouldRunDaemonPod } from './node_predicates.js';
import { compareByCreationTimestampAndPhase } from './pod_util.js';
import { allowsSurge, DAEMONSET_UNIQUE_LABEL_KEY } from './util/daemonset_util.js';

export interface NodeDecision {
  createOnNode: boolean;
  podsToDelete: Pod[];
  /** A failed pod is in backoff: look again after this many ms. */
  requeueAfterMs?: number;
  /** Failed pods about to be deleted (for the FailedDaemonPod event). */
  failedPods: Pod[];
}

export function failedPodsBackoffKey(ds: DaemonSet, nodeName: string): string {
  return `${ds.metadata.uid ?? ''}/${ds.status?.observedGeneration ?? 0}/${nodeName}`;
}

export function podsShouldBeOnNode(node: Node, daemonPods: Pod[], ds: DaemonSet, hash: string, backoff: Backoff, now: number): NodeDecision {
  const out: NodeDecision = { createOnNode: false, podsToDelete: [], failedPods: [] };
  const { shouldRun, shouldContinueRunning } = nodeShouldRunDaemonPod(node, ds);
  const exists = daemonPods.length > 0;
  const name = node.metadata.name ?? '';
  if (shouldRun && !exists) {
    out.createOnNode = true;
    return out;
  }
  if (!shouldContinueRunning) {
    // Pods on a node that should not run them go, unless already going.
    for (const pod of daemonPods) if (!pod.metadata.deletionTimestamp) out.podsToDelete.push(pod);
    return out;
  }
  // A failed pod is deleted (its replacement comes in a later sync); others count as running.
  const running: Pod[] = [];
  for (const pod of daemonPods) {
    if (pod.metadata.deletionTimestamp) continue;
    if (pod.status?.phase === 'Failed') {
      // Kubelets may keep rejecting the pod: back off rather than hot-loop.
      const key = failedPodsBackoffKey(ds, name);
      if (backoff.isInBackOffSinceUpdate(key, now)) {
        out.requeueAfterMs = backoff.get(key);
        continue;
      }
      backoff.next(key, now);
      out.failedPods.push(pod);
      out.podsToDelete.push(pod);
      continue;
    }
    running.push(pod);
  }
  running.sort(compareByCreationTimestampAndPhase);
  if (!allowsSurge(ds)) {
    // One pod per node: keep the oldest.
    out.podsToDelete.push(...running.slice(1));
    return out;
  }
  // With surge, keep the oldest new pod and the oldest old pod; the old one goes
  // once it is not ready or the new one is available.
  let oldestNew: Pod | undefined;
  let oldestOld: Pod | undefined;
  for (const pod of running) {
    if (pod.metadata.labels?.[DAEMONSET_UNIQUE_LABEL_KEY] === hash) {
      if (!oldestNew) {
        oldestNew = pod;
        continue;
      }
    } else if (!oldestOld) {
      oldestOld = pod;
      continue;
    }
    out.podsToDelete.push(pod);
  }
  if (oldestNew && oldestOld && (!isPodReady(oldestOld) || isPodAvailable(oldestNew, ds.spec.minReadySeconds ?? 0, now))) {
    out.podsToDelete.push(oldestOld);
  }
  return out;
}
