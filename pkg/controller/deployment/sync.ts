// sync.go: finding or creating the new ReplicaSet, scaling (proportionally when
// the Deployment is resized mid-rollout), history cleanup and status.
import type { Deployment, DeploymentStatus, ReplicaSet } from '../../../api/apps/v1/types.js';
import type { EventRecorder } from '../../client/events.js';
import { isStatus, type ResourceClient } from '../../client/rest.js';
import { newControllerRef, controllerRef } from '../../client/controllerutil.js';
import type { Logger } from '../../util/log.js';
import {
  DEPLOYMENT_GVK,
  DefaultDeploymentUniqueLabelKey,
  DeploymentAvailable,
  DeploymentProgressing,
  FailedRSCreateReason,
  FoundNewRSReason,
  MinimumReplicasAvailable,
  MinimumReplicasUnavailable,
  NewReplicaSetReason,
  PausedDeployReason,
  ResumedDeployReason,
  RevisionAnnotation,
  TimedOutReason,
} from './types.js';
import { computeHash } from './util/hash.js';
import { isRollingUpdate, maxSurge, maxUnavailable, replicasOf } from './util/intstr.js';
import {
  getDesiredReplicasAnnotation,
  replicasAnnotationsNeedUpdate,
  setDeploymentRevision,
  setNewReplicaSetAnnotations,
  setReplicasAnnotations,
} from './util/annotations.js';
import {
  actualReplicaCount,
  availableReplicaCount,
  byRevision,
  bySizeNewer,
  bySizeOlder,
  equalIgnoreHash,
  filterActive,
  findActiveOrLatest,
  findNewReplicaSet,
  findOldReplicaSets,
  maxRevision,
  readyReplicaCount,
  replicaCount,
  rsReplicas,
  semanticEqual,
} from './util/replicasets.js';
import { getProportion, isSaturated, newRSNewReplicas } from './util/replicas.js';
import { getDeploymentCondition, hasProgressDeadline, hasRevisionHistoryLimit, newDeploymentCondition, setDeploymentCondition } from './util/conditions.js';

/** What the sync functions need from the controller (the Go code's `dc` receiver). */
export interface DeploymentSyncer {
  deployments: ResourceClient<Deployment>;
  replicaSets: ResourceClient<ReplicaSet>;
  recorder: EventRecorder;
  log: Logger;
  now(): Date;
  enqueueAfter(d: Deployment, ms: number): void;
  enqueueRateLimited(d: Deployment): void;
}

export function event(dc: DeploymentSyncer, d: Deployment, type: 'Normal' | 'Warning', reason: string, message: string): void {
  void dc.recorder.event(d, type, reason, message, DEPLOYMENT_GVK);
}

/** PUT status; d keeps what was written and takes the new resourceVersion, so a later write in the same sync does not conflict. */
export async function updateDeploymentStatus(dc: DeploymentSyncer, d: Deployment): Promise<void> {
  const updated = await dc.deployments.namespace(d.metadata.namespace).updateStatus(d);
  d.metadata.resourceVersion = updated.metadata.resourceVersion;
}

export interface RSSet {
  newRS: ReplicaSet | undefined;
  oldRSs: ReplicaSet[];
}

/** getAllReplicaSetsAndSyncRevision: old ReplicaSets, and the new one with its revision raised (created if asked). */
export async function getAllReplicaSetsAndSyncRevision(dc: DeploymentSyncer, d: Deployment, rsList: ReplicaSet[], createIfNotExisted: boolean): Promise<RSSet> {
  const { all } = findOldReplicaSets(d, rsList);
  const newRS = await getNewReplicaSet(dc, d, rsList, all, createIfNotExisted);
  return { newRS, oldRSs: all };
}

// Long on purpose: upstream's getNewReplicaSet, step by step (adopt an existing one and sync its
// revision, or create one and resolve a hash collision), whose order the rollout depends on.
async function getNewReplicaSet(
  dc: DeploymentSyncer,
  d: Deployment,
  rsList: ReplicaSet[],
  oldRSs: ReplicaSet[],
  createIfNotExisted: boolean,
): Promise<ReplicaSet | undefined> {
  const existing = findNewReplicaSet(d, rsList);
  const newRevision = String(maxRevision(oldRSs) + 1);
  const ns = d.metadata.namespace;

  if (existing) {
    const rsCopy = structuredClone(existing);
    const annotationsUpdated = setNewReplicaSetAnnotations(d, rsCopy, newRevision, true);
    const minReadySecondsNeedsUpdate = (rsCopy.spec.minReadySeconds ?? 0) !== (d.spec.minReadySeconds ?? 0);
    if (annotationsUpdated || minReadySecondsNeedsUpdate) {
      rsCopy.spec.minReadySeconds = d.spec.minReadySeconds ?? 0;
      return dc.replicaSets.namespace(ns).update(rsCopy);
    }
    let needsUpdate = setDeploymentRevision(d, rsCopy.metadata.annotations?.[RevisionAnnotation] ?? newRevision);
    // A Deployment that never recorded progress starts its clock at the first sight of its new ReplicaSet.
    if (hasProgressDeadline(d) && !getDeploymentCondition(d.status, DeploymentProgressing)) {
      d.status ??= {};
      setDeploymentCondition(
        d.status,
        newDeploymentCondition(DeploymentProgressing, 'True', FoundNewRSReason, `Found new replica set "${rsCopy.metadata.name}"`, dc.now()),
      );
      needsUpdate = true;
    }
    if (needsUpdate) await updateDeploymentStatus(dc, d);
    return rsCopy;
  }
  if (!createIfNotExisted) return undefined;

  const template = structuredClone(d.spec.template);
  const hash = computeHash(template, d.status?.collisionCount);
  template.metadata ??= {};
  template.metadata.labels = { ...(template.metadata.labels ?? {}), [DefaultDeploymentUniqueLabelKey]: hash };
  const selector = structuredClone(d.spec.selector ?? {});
  selector.matchLabels = { ...(selector.matchLabels ?? {}), [DefaultDeploymentUniqueLabelKey]: hash };
  const newRS: ReplicaSet = {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `${d.metadata.name}-${hash}`,
      namespace: ns,
      ownerReferences: [newControllerRef(d, DEPLOYMENT_GVK)],
      labels: { ...template.metadata.labels },
    },
    spec: { replicas: 0, minReadySeconds: d.spec.minReadySeconds ?? 0, selector, template },
  };
  const newReplicasCount = newRSNewReplicas(d, [...oldRSs, newRS], newRS);
  newRS.spec.replicas = newReplicasCount;
  setNewReplicaSetAnnotations(d, newRS, newRevision, false);

  let created: ReplicaSet;
  let alreadyExists = false;
  try {
    created = await dc.replicaSets.namespace(ns).create(newRS);
  } catch (err) {
    if (isStatus(err, 409)) {
      // Ours already (a stale cache) or a hash collision with someone else's ReplicaSet.
      const rs = await dc.replicaSets.namespace(ns).get(newRS.metadata.name ?? '');
      const ref = controllerRef(rs);
      if (ref && ref.uid === d.metadata.uid && equalIgnoreHash(d.spec.template, rs.spec.template)) {
        created = rs;
        alreadyExists = true;
      } else {
        d.status ??= {};
        d.status.collisionCount = (d.status.collisionCount ?? 0) + 1;
        try {
          await updateDeploymentStatus(dc, d);
          dc.log.v(2)(`found a hash collision for deployment; bumped collisionCount`, {
            deployment: `${ns}/${d.metadata.name}`,
            collisionCount: d.status.collisionCount,
          });
        } catch {
          // retried on the requeue below
        }
        throw err;
      }
    } else {
      if (isStatus(err, 403) && /terminat/i.test((err as Error).message)) throw err;
      const msg = `Failed to create new replica set "${newRS.metadata.name}": ${(err as Error).message}`;
      if (hasProgressDeadline(d)) {
        d.status ??= {};
        setDeploymentCondition(d.status, newDeploymentCondition(DeploymentProgressing, 'False', FailedRSCreateReason, msg, dc.now()));
        await updateDeploymentStatus(dc, d).catch(() => undefined);
      }
      event(dc, d, 'Warning', FailedRSCreateReason, msg);
      throw err;
    }
  }
  if (!alreadyExists && newReplicasCount > 0) {
    event(dc, d, 'Normal', 'ScalingReplicaSet', `Scaled up replica set ${created.metadata.name} from 0 to ${newReplicasCount}`);
  }
  let needsUpdate = setDeploymentRevision(d, newRevision);
  if (!alreadyExists && hasProgressDeadline(d)) {
    d.status ??= {};
    setDeploymentCondition(
      d.status,
      newDeploymentCondition(DeploymentProgressing, 'True', NewReplicaSetReason, `Created new replica set "${created.metadata.name}"`, dc.now()),
    );
    needsUpdate = true;
  }
  if (needsUpdate) await updateDeploymentStatus(dc, d);
  return created;
}

/** scaleReplicaSet: writes size and the replicas annotations; an Event when the size changed. */
export async function scaleReplicaSet(
  dc: DeploymentSyncer,
  rs: ReplicaSet,
  newScale: number,
  d: Deployment,
  scalingOperation: string,
): Promise<{ scaled: boolean; rs: ReplicaSet }> {
  const sizeNeedsUpdate = rsReplicas(rs) !== newScale;
  const desired = replicasOf(d);
  const max = desired + maxSurge(d);
  if (!sizeNeedsUpdate && !replicasAnnotationsNeedUpdate(rs, desired, max)) return { scaled: false, rs };
  const oldScale = rsReplicas(rs);
  const rsCopy = structuredClone(rs);
  rsCopy.spec.replicas = newScale;
  setReplicasAnnotations(rsCopy, desired, max);
  const updated = await dc.replicaSets.namespace(rs.metadata.namespace).update(rsCopy);
  if (sizeNeedsUpdate)
    event(dc, d, 'Normal', 'ScalingReplicaSet', `Scaled ${scalingOperation} replica set ${rs.metadata.name} from ${oldScale} to ${newScale}`);
  return { scaled: sizeNeedsUpdate, rs: updated };
}

export async function scaleReplicaSetAndRecordEvent(
  dc: DeploymentSyncer,
  rs: ReplicaSet,
  newScale: number,
  d: Deployment,
): Promise<{ scaled: boolean; rs: ReplicaSet }> {
  if (rsReplicas(rs) === newScale) return { scaled: false, rs };
  return scaleReplicaSet(dc, rs, newScale, d, rsReplicas(rs) < newScale ? 'up' : 'down');
}

/**
 * scale: one active ReplicaSet takes the Deployment's size; a saturated new one
 * means the old go to 0; otherwise a rolling Deployment's change in size is
 * spread over its active ReplicaSets in proportion to their size.
 */
export async function scale(dc: DeploymentSyncer, d: Deployment, newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): Promise<void> {
  const activeOrLatest = findActiveOrLatest(newRS, oldRSs);
  if (activeOrLatest) {
    if (rsReplicas(activeOrLatest) === replicasOf(d)) return;
    await scaleReplicaSetAndRecordEvent(dc, activeOrLatest, replicasOf(d), d);
    return;
  }
  if (isSaturated(d, newRS)) {
    for (const old of filterActive(oldRSs)) await scaleReplicaSetAndRecordEvent(dc, old, 0, d);
    return;
  }
  if (!isRollingUpdate(d)) return;
  const allRSs = filterActive([...oldRSs, newRS]);
  const allRSsReplicas = replicaCount(allRSs);
  const allowedSize = replicasOf(d) > 0 ? replicasOf(d) + maxSurge(d) : 0;
  const toAdd = allowedSize - allRSsReplicas;
  let scalingOperation = '';
  if (toAdd > 0) {
    allRSs.sort(bySizeNewer);
    scalingOperation = 'up';
  } else if (toAdd < 0) {
    allRSs.sort(bySizeOlder);
    scalingOperation = 'down';
  }
  let added = 0;
  const nameToSize = new Map<string, number>();
  for (const rs of allRSs) {
    if (toAdd !== 0) {
      const proportion = getProportion(rs, d, toAdd, added);
      nameToSize.set(rs.metadata.name ?? '', rsReplicas(rs) + proportion);
      added += proportion;
    } else nameToSize.set(rs.metadata.name ?? '', rsReplicas(rs));
  }
  for (let i = 0; i < allRSs.length; i++) {
    const rs = allRSs[i];
    const name = rs.metadata.name ?? '';
    // Rounding leftovers go to the largest ReplicaSet.
    if (i === 0 && toAdd !== 0) nameToSize.set(name, Math.max(0, (nameToSize.get(name) ?? 0) + toAdd - added));
    await scaleReplicaSet(dc, rs, nameToSize.get(name) ?? 0, d, scalingOperation);
  }
}

/** isScalingEvent: an active ReplicaSet was sized for a different Deployment size than the current one. */
export async function isScalingEvent(dc: DeploymentSyncer, d: Deployment, rsList: ReplicaSet[]): Promise<boolean> {
  const { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(dc, d, rsList, false);
  for (const rs of filterActive([...oldRSs, newRS])) {
    const desired = getDesiredReplicasAnnotation(rs);
    if (desired === undefined) continue;
    if (desired !== replicasOf(d)) return true;
  }
  return false;
}

/** cleanupDeployment: delete the oldest scaled-down ReplicaSets beyond revisionHistoryLimit. */
export async function cleanupDeployment(dc: DeploymentSyncer, oldRSs: ReplicaSet[], d: Deployment): Promise<void> {
  if (!hasRevisionHistoryLimit(d)) return;
  const cleanable = oldRSs.filter((rs) => rs && !rs.metadata.deletionTimestamp).sort(byRevision);
  const diff = cleanable.length - (d.spec.revisionHistoryLimit ?? 0);
  if (diff <= 0) return;
  for (let i = 0; i < diff; i++) {
    const rs = cleanable[i];
    // Never a ReplicaSet that still has (or may still have) pods.
    if (
      (rs.status?.replicas ?? 0) !== 0 ||
      rsReplicas(rs) !== 0 ||
      (rs.metadata.generation ?? 0) > (rs.status?.observedGeneration ?? 0) ||
      rs.metadata.deletionTimestamp
    )
      continue;
    dc.log.v(4)('deleting old replica set', { replicaset: `${rs.metadata.namespace}/${rs.metadata.name}` });
    try {
      await dc.replicaSets.namespace(rs.metadata.namespace).delete(rs.metadata.name ?? '');
    } catch (err) {
      if (!isStatus(err, 404)) throw err;
    }
  }
}

/** calculateStatus: counts from the ReplicaSets, and the Available condition. */
export function calculateStatus(allRSs: (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined, d: Deployment, now: Date): DeploymentStatus {
  const available = availableReplicaCount(allRSs);
  const unavailable = Math.max(0, replicaCount(allRSs) - available);
  // Zero counts are left out, as Go's omitempty leaves them off the wire.
  const status: DeploymentStatus = {};
  const put = (
    k: 'observedGeneration' | 'replicas' | 'updatedReplicas' | 'readyReplicas' | 'availableReplicas' | 'unavailableReplicas' | 'collisionCount',
    v: number | undefined,
  ) => {
    if (v) status[k] = v;
  };
  put('observedGeneration', d.metadata.generation);
  put('replicas', actualReplicaCount(allRSs));
  put('updatedReplicas', actualReplicaCount([newRS]));
  put('readyReplicas', readyReplicaCount(allRSs));
  put('availableReplicas', available);
  put('unavailableReplicas', unavailable);
  if (d.status?.collisionCount !== undefined) status.collisionCount = d.status.collisionCount;
  status.conditions = (d.status?.conditions ?? []).map((c) => ({ ...c }));
  if (available >= replicasOf(d) - maxUnavailable(d)) {
    setDeploymentCondition(status, newDeploymentCondition(DeploymentAvailable, 'True', MinimumReplicasAvailable, 'Deployment has minimum availability.', now));
  } else {
    setDeploymentCondition(
      status,
      newDeploymentCondition(DeploymentAvailable, 'False', MinimumReplicasUnavailable, 'Deployment does not have minimum availability.', now),
    );
  }
  return status;
}

/** Writes status only when it changed. */
export async function writeStatusIfChanged(dc: DeploymentSyncer, d: Deployment, status: DeploymentStatus): Promise<boolean> {
  if (semanticEqual(d.status ?? {}, status)) return false;
  d.status = status;
  await updateDeploymentStatus(dc, d);
  return true;
}

export async function syncDeploymentStatus(
  dc: DeploymentSyncer,
  allRSs: (ReplicaSet | undefined)[],
  newRS: ReplicaSet | undefined,
  d: Deployment,
): Promise<void> {
  await writeStatusIfChanged(dc, d, calculateStatus(allRSs, newRS, d, dc.now()));
}

/** sync: scaling and paused Deployments; no rollout. */
export async function sync(dc: DeploymentSyncer, d: Deployment, rsList: ReplicaSet[]): Promise<void> {
  const { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(dc, d, rsList, false);
  await scale(dc, d, newRS, oldRSs);
  if (d.spec.paused) await cleanupDeployment(dc, oldRSs, d);
  await syncDeploymentStatus(dc, [...oldRSs, newRS], newRS, d);
}

/** syncStatusOnly: for a Deployment being deleted. */
export async function syncStatusOnly(dc: DeploymentSyncer, d: Deployment, rsList: ReplicaSet[]): Promise<void> {
  const { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(dc, d, rsList, false);
  await syncDeploymentStatus(dc, [...oldRSs, newRS], newRS, d);
}

/**
 * checkPausedConditions: Progressing becomes Unknown/DeploymentPaused while paused and
 * Unknown/DeploymentResumed on resume, so time spent paused never counts against the deadline.
 */
export async function checkPausedConditions(dc: DeploymentSyncer, d: Deployment): Promise<void> {
  if (!hasProgressDeadline(d)) return;
  const cond = getDeploymentCondition(d.status, DeploymentProgressing);
  if (cond?.reason === TimedOutReason) return;
  const pausedCondExists = cond?.reason === PausedDeployReason;
  d.status ??= {};
  if (d.spec.paused && !pausedCondExists) {
    setDeploymentCondition(d.status, newDeploymentCondition(DeploymentProgressing, 'Unknown', PausedDeployReason, 'Deployment is paused', dc.now()));
  } else if (!d.spec.paused && pausedCondExists) {
    setDeploymentCondition(d.status, newDeploymentCondition(DeploymentProgressing, 'Unknown', ResumedDeployReason, 'Deployment is resumed', dc.now()));
  } else return;
  await updateDeploymentStatus(dc, d);
}
