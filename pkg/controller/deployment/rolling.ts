// rolling.go: RollingUpdate. Grow the new ReplicaSet within maxSurge, shrink old
// ones while at least replicas - maxUnavailable pods stay available.
import type { Deployment, ReplicaSet } from '../../../api/apps/v1/types.js';
import { deploymentComplete } from './util/conditions.js';
import { maxUnavailable, replicasOf } from './util/intstr.js';
import { availableReplicaCount, byCreationTimestamp, filterActive, replicaCount, rsReplicas } from './util/replicasets.js';
import { newRSNewReplicas } from './util/replicas.js';
import { cleanupDeployment, getAllReplicaSetsAndSyncRevision, scaleReplicaSetAndRecordEvent, type DeploymentSyncer } from './sync.js';
import { syncRolloutStatus } from './progress.js';

export async function rolloutRolling(dc: DeploymentSyncer, d: Deployment, rsList: ReplicaSet[]): Promise<void> {
  const { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(dc, d, rsList, true);
  if (!newRS) throw new Error('rolling update: no new replica set'); // create=true always yields one or throws
  const allRSs = [...oldRSs, newRS];

  if (await reconcileNewReplicaSet(dc, allRSs, newRS, d)) return syncRolloutStatus(dc, allRSs, newRS, d);
  if (await reconcileOldReplicaSets(dc, allRSs, filterActive(oldRSs), newRS, d)) return syncRolloutStatus(dc, allRSs, newRS, d);
  if (deploymentComplete(d, d.status ?? {})) await cleanupDeployment(dc, oldRSs, d);
  return syncRolloutStatus(dc, allRSs, newRS, d);
}

async function reconcileNewReplicaSet(dc: DeploymentSyncer, allRSs: ReplicaSet[], newRS: ReplicaSet, d: Deployment): Promise<boolean> {
  const replicas = replicasOf(d);
  if (rsReplicas(newRS) === replicas) return false;
  if (rsReplicas(newRS) > replicas) return (await scaleReplicaSetAndRecordEvent(dc, newRS, replicas, d)).scaled;
  return (await scaleReplicaSetAndRecordEvent(dc, newRS, newRSNewReplicas(d, allRSs, newRS), d)).scaled;
}

async function reconcileOldReplicaSets(dc: DeploymentSyncer, allRSs: ReplicaSet[], oldRSs: ReplicaSet[], newRS: ReplicaSet, d: Deployment): Promise<boolean> {
  if (replicaCount(oldRSs) === 0) return false;
  const allPodsCount = replicaCount(allRSs);
  const minAvailable = replicasOf(d) - maxUnavailable(d);
  const newRSUnavailablePodCount = rsReplicas(newRS) - (newRS.status?.availableReplicas ?? 0);
  // Unavailable pods of the new ReplicaSet count against maxUnavailable: scaling old ones
  // down for them would not make the rollout faster, only less available.
  const maxScaledDown = allPodsCount - minAvailable - newRSUnavailablePodCount;
  if (maxScaledDown <= 0) return false;

  const { rss: cleaned, scaledDown: cleanupCount } = await cleanupUnhealthyReplicas(dc, oldRSs, d, maxScaledDown);
  const scaledDownCount = await scaleDownOldReplicaSetsForRollingUpdate(dc, [...cleaned, newRS], cleaned, d);
  return cleanupCount + scaledDownCount > 0;
}

/** cleanupUnhealthyReplicas: unavailable old pods go first; they cost no availability. */
async function cleanupUnhealthyReplicas(
  dc: DeploymentSyncer,
  oldRSs: ReplicaSet[],
  d: Deployment,
  maxCleanupCount: number,
): Promise<{ rss: ReplicaSet[]; scaledDown: number }> {
  const rss = [...oldRSs].sort(byCreationTimestamp);
  let total = 0;
  for (let i = 0; i < rss.length; i++) {
    if (total >= maxCleanupCount) break;
    const target = rss[i];
    const available = target.status?.availableReplicas ?? 0;
    if (rsReplicas(target) === 0 || rsReplicas(target) === available) continue;
    const count = Math.min(maxCleanupCount - total, rsReplicas(target) - available);
    const newCount = rsReplicas(target) - count;
    if (newCount > rsReplicas(target))
      throw new Error(
        `when cleaning up unhealthy replicas, got invalid request to scale down ${target.metadata.namespace}/${target.metadata.name} ${rsReplicas(target)} -> ${newCount}`,
      );
    rss[i] = (await scaleReplicaSetAndRecordEvent(dc, target, newCount, d)).rs;
    total += count;
  }
  return { rss, scaledDown: total };
}

async function scaleDownOldReplicaSetsForRollingUpdate(dc: DeploymentSyncer, allRSs: ReplicaSet[], oldRSs: ReplicaSet[], d: Deployment): Promise<number> {
  const minAvailable = replicasOf(d) - maxUnavailable(d);
  const availablePodCount = availableReplicaCount(allRSs);
  if (availablePodCount <= minAvailable) return 0;
  const totalScaleDownCount = availablePodCount - minAvailable;
  let total = 0;
  for (const target of [...oldRSs].sort(byCreationTimestamp)) {
    if (total >= totalScaleDownCount) break;
    if (rsReplicas(target) === 0) continue;
    const count = Math.min(rsReplicas(target), totalScaleDownCount - total);
    await scaleReplicaSetAndRecordEvent(dc, target, rsReplicas(target) - count, d);
    total += count;
  }
  return total;
}
