// updateDaemonSetStatus's counting: per node that should run the pod, whether
// it has one, and whether the oldest is ready, available and up to date; pods
// on nodes that should not run it are misscheduled.
import { isPodAvailable, isPodReady } from '../../../api/core/v1/pod.js';
import type { Node, Pod } from '../../../api/core/v1/types.js';
import type { DaemonSet, DaemonSetStatus } from '../../../api/apps/v1/types.js';
import { nodeShouldRunDaemonPod } from './node_predicates.js';
import { compareByCreationTimestampAndPhase } from './pod_util.js';
import { getTemplateGeneration, isPodUpdated } from './util/daemonset_util.js';

export type DaemonSetCounts = Required<
  Pick<
    DaemonSetStatus,
    | 'desiredNumberScheduled'
    | 'currentNumberScheduled'
    | 'numberMisscheduled'
    | 'numberReady'
    | 'updatedNumberScheduled'
    | 'numberAvailable'
    | 'numberUnavailable'
  >
>;

export function calculateStatus(ds: DaemonSet, nodes: Node[], nodeToDaemonPods: Map<string, Pod[]>, hash: string, now: number): DaemonSetCounts {
  const s: DaemonSetCounts = {
    desiredNumberScheduled: 0,
    currentNumberScheduled: 0,
    numberMisscheduled: 0,
    numberReady: 0,
    updatedNumberScheduled: 0,
    numberAvailable: 0,
    numberUnavailable: 0,
  };
  const generation = getTemplateGeneration(ds);
  for (const node of nodes) {
    const { shouldRun } = nodeShouldRunDaemonPod(node, ds);
    const pods = nodeToDaemonPods.get(node.metadata.name ?? '') ?? [];
    if (!shouldRun) {
      if (pods.length > 0) s.numberMisscheduled++;
      continue;
    }
    s.desiredNumberScheduled++;
    if (pods.length === 0) continue;
    s.currentNumberScheduled++;
    const pod = [...pods].sort(compareByCreationTimestampAndPhase)[0];
    if (isPodReady(pod)) {
      s.numberReady++;
      if (isPodAvailable(pod, ds.spec.minReadySeconds ?? 0, now)) s.numberAvailable++;
    }
    if (isPodUpdated(pod, hash, generation)) s.updatedNumberScheduled++;
  }
  s.numberUnavailable = s.desiredNumberScheduled - s.numberAvailable;
  return s;
}

/** storeDaemonSetStatus's early return: nothing to write. */
export function statusUpToDate(ds: DaemonSet, s: DaemonSetCounts): boolean {
  const cur = ds.status;
  if (!cur) return false;
  return (Object.keys(s) as (keyof DaemonSetCounts)[]).every((k) => (cur[k] ?? 0) === s[k]) && (cur.observedGeneration ?? 0) >= (ds.metadata.generation ?? 0);
}
