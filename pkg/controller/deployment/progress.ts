// progress.go: the Progressing condition during a rollout, and requeueing a
// Deployment so that a missed progressDeadlineSeconds is noticed in time.
import type { Deployment, DeploymentCondition, DeploymentStatus, ReplicaSet } from '../../../api/apps/v1/types.js';
import {
  DeploymentProgressing,
  DeploymentReplicaFailure,
  NewRSAvailableReason,
  ReplicaSetReplicaFailure,
  ReplicaSetUpdatedReason,
  TimedOutReason,
} from './types.js';
import {
  deploymentComplete,
  deploymentProgressing,
  deploymentTimedOut,
  getDeploymentCondition,
  hasProgressDeadline,
  newDeploymentCondition,
  removeDeploymentCondition,
  setDeploymentCondition,
} from './util/conditions.js';
import { calculateStatus, writeStatusIfChanged, type DeploymentSyncer } from './sync.js';

export async function syncRolloutStatus(dc: DeploymentSyncer, allRSs: (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined, d: Deployment): Promise<void> {
  const now = dc.now();
  const newStatus = calculateStatus(allRSs, newRS, d, now);
  if (!hasProgressDeadline(d)) removeDeploymentCondition(newStatus, DeploymentProgressing);

  const currentCond = getDeploymentCondition(d.status, DeploymentProgressing);
  const isCompleteDeployment = newStatus.replicas === newStatus.updatedReplicas && currentCond?.reason === NewRSAvailableReason;
  // Once complete, a rollout stays complete until the next template change.
  if (hasProgressDeadline(d) && !isCompleteDeployment) {
    if (deploymentComplete(d, newStatus)) {
      const msg = newRS ? `ReplicaSet "${newRS.metadata.name}" has successfully progressed.` : `Deployment "${d.metadata.name}" has successfully progressed.`;
      setDeploymentCondition(newStatus, newDeploymentCondition(DeploymentProgressing, 'True', NewRSAvailableReason, msg, now));
    } else if (deploymentProgressing(d, newStatus)) {
      // Progress refreshes lastUpdateTime (the deadline's clock); lastTransitionTime stays while True.
      const msg = newRS ? `ReplicaSet "${newRS.metadata.name}" is progressing.` : `Deployment "${d.metadata.name}" is progressing.`;
      const condition = newDeploymentCondition(DeploymentProgressing, 'True', ReplicaSetUpdatedReason, msg, now);
      if (currentCond) {
        if (currentCond.status === 'True') condition.lastTransitionTime = currentCond.lastTransitionTime;
        removeDeploymentCondition(newStatus, DeploymentProgressing);
      }
      setDeploymentCondition(newStatus, condition);
    } else if (deploymentTimedOut(d, newStatus, now)) {
      const msg = newRS ? `ReplicaSet "${newRS.metadata.name}" has timed out progressing.` : `Deployment "${d.metadata.name}" has timed out progressing.`;
      setDeploymentCondition(newStatus, newDeploymentCondition(DeploymentProgressing, 'False', TimedOutReason, msg, now));
    }
  }

  const failure = getReplicaFailures(allRSs, newRS);
  if (failure) setDeploymentCondition(newStatus, failure);
  else removeDeploymentCondition(newStatus, DeploymentReplicaFailure);

  if (!(await writeStatusIfChanged(dc, d, newStatus))) requeueStuckDeployment(dc, d, newStatus);
}

/** getReplicaFailures: a ReplicaFailure on the new ReplicaSet (else an old one) becomes the Deployment's. */
function getReplicaFailures(allRSs: (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined): DeploymentCondition | undefined {
  const ordered = [newRS, ...allRSs.filter((rs) => rs !== newRS)];
  for (const rs of ordered) {
    const c = rs?.status?.conditions?.find((x) => x.type === ReplicaSetReplicaFailure);
    if (c)
      return {
        type: DeploymentReplicaFailure,
        status: c.status,
        lastUpdateTime: c.lastTransitionTime,
        lastTransitionTime: c.lastTransitionTime,
        reason: c.reason,
        message: c.message,
      };
  }
  return undefined;
}

/**
 * requeueStuckDeployment: nothing changed this time, so no watch event will wake us
 * when the deadline passes; come back just after it.
 */
export function requeueStuckDeployment(dc: DeploymentSyncer, d: Deployment, newStatus: DeploymentStatus): number {
  const currentCond = getDeploymentCondition(d.status, DeploymentProgressing);
  if (!hasProgressDeadline(d) || !currentCond) return -1;
  if (deploymentComplete(d, newStatus) || currentCond.reason === TimedOutReason) return -1;
  const lastUpdate = currentCond.lastUpdateTime ? Date.parse(currentCond.lastUpdateTime) : 0;
  const after = lastUpdate + (d.spec.progressDeadlineSeconds ?? 0) * 1000 - dc.now().getTime();
  if (after < 1000) {
    dc.enqueueRateLimited(d);
    return 0;
  }
  dc.enqueueAfter(d, after + 1000);
  return after + 1000;
}
