// recreate.go: Recreate. Scale every old ReplicaSet to 0, wait until none of their
// pods is left, then create/scale the new ReplicaSet to the full size.
import { isPodTerminal } from '../../../api/core/v1/pod.js';
import type { Pod } from '../../../api/core/v1/types.js';
import type { Deployment, ReplicaSet } from '../../../api/apps/v1/types.js';
import { deploymentComplete } from './util/conditions.js';
import { replicasOf } from './util/intstr.js';
import { actualReplicaCount, filterActive } from './util/replicasets.js';
import { cleanupDeployment, getAllReplicaSetsAndSyncRevision, scaleReplicaSetAndRecordEvent, type DeploymentSyncer } from './sync.js';
import { syncRolloutStatus } from './progress.js';

/** Pods by the uid of the ReplicaSet that controls them. */
export type PodMap = Map<string, Pod[]>;

export async function rolloutRecreate(dc: DeploymentSyncer, d: Deployment, rsList: ReplicaSet[], podMap: PodMap): Promise<void> {
  let { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(dc, d, rsList, false);
  let allRSs: (ReplicaSet | undefined)[] = [...oldRSs, newRS];

  let scaledDown = false;
  for (const rs of filterActive(oldRSs)) {
    if ((await scaleReplicaSetAndRecordEvent(dc, rs, 0, d)).scaled) scaledDown = true;
  }
  if (scaledDown) return syncRolloutStatus(dc, allRSs, newRS, d);
  // Old pods must be gone before new ones start (Recreate's whole promise).
  if (oldPodsRunning(newRS, oldRSs, podMap)) return syncRolloutStatus(dc, allRSs, newRS, d);

  if (!newRS) {
    ({ newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(dc, d, rsList, true));
    allRSs = [...oldRSs, newRS];
  }
  if (newRS) await scaleReplicaSetAndRecordEvent(dc, newRS, replicasOf(d), d);
  if (deploymentComplete(d, d.status ?? {})) await cleanupDeployment(dc, oldRSs, d);
  return syncRolloutStatus(dc, allRSs, newRS, d);
}

/** oldPodsRunning: old ReplicaSets still report pods, or pods of theirs that have not finished exist. */
export function oldPodsRunning(newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[], podMap: PodMap): boolean {
  if (actualReplicaCount(oldRSs) > 0) return true;
  for (const [rsUID, pods] of podMap) {
    if (newRS && newRS.metadata.uid === rsUID) continue;
    for (const pod of pods) {
      if (!isPodTerminal(pod)) return true;
    }
  }
  return false;
}
