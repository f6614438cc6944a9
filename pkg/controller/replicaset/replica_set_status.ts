// calculateStatus and the ReplicaFailure condition, as replica_set_utils.go.
import { isDeepStrictEqual } from 'node:util';
import { selectorFromSet } from '../../../api/labels/selector.js';
import type { ReplicaSet, ReplicaSetStatus } from '../../../api/apps/v1/types.js';
import { isPodAvailable, isPodReady } from '../../../api/core/v1/pod.js';
import type { Pod } from '../../../api/core/v1/types.js';

export const REPLICA_FAILURE = 'ReplicaFailure';

function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * The status for rs given its claimed active pods. manageReplicasErr (with the
 * direction of the failed change) sets ReplicaFailure; a clean sync clears it.
 */
export function calculateStatus(
  rs: ReplicaSet,
  pods: Pod[],
  manageReplicasErr: { error: unknown; reason: 'FailedCreate' | 'FailedDelete' } | undefined,
  now = Date.now(),
): ReplicaSetStatus {
  const templateLabels = selectorFromSet(rs.spec.template?.metadata?.labels ?? {});
  const minReadySeconds = rs.spec.minReadySeconds ?? 0;
  let fullyLabeled = 0;
  let ready = 0;
  let available = 0;
  for (const pod of pods) {
    if (templateLabels.matches(pod.metadata.labels)) fullyLabeled++;
    if (isPodReady(pod)) {
      ready++;
      if (isPodAvailable(pod, minReadySeconds, now)) available++;
    }
  }
  let conditions = (rs.status?.conditions ?? []).map((c) => ({ ...c }));
  const failure = conditions.find((c) => c.type === REPLICA_FAILURE);
  if (manageReplicasErr && !failure) {
    const e = manageReplicasErr.error;
    conditions.push({
      type: REPLICA_FAILURE,
      status: 'True',
      lastTransitionTime: rfc3339(now),
      reason: manageReplicasErr.reason,
      message: (e as Error)?.message ?? String(e),
    });
  } else if (!manageReplicasErr && failure) {
    conditions = conditions.filter((c) => c.type !== REPLICA_FAILURE);
  }
  const status: ReplicaSetStatus = {
    replicas: pods.length,
    fullyLabeledReplicas: fullyLabeled,
    readyReplicas: ready,
    availableReplicas: available,
    observedGeneration: rs.status?.observedGeneration,
  };
  if (conditions.length) status.conditions = conditions;
  return status;
}

/** True when writing newStatus (with observedGeneration = generation) would change nothing. */
export function statusUpToDate(rs: ReplicaSet, newStatus: ReplicaSetStatus): boolean {
  const cur = rs.status ?? { replicas: 0 };
  return (
    (cur.replicas ?? 0) === newStatus.replicas &&
    (cur.fullyLabeledReplicas ?? 0) === (newStatus.fullyLabeledReplicas ?? 0) &&
    (cur.readyReplicas ?? 0) === (newStatus.readyReplicas ?? 0) &&
    (cur.availableReplicas ?? 0) === (newStatus.availableReplicas ?? 0) &&
    (cur.observedGeneration ?? 0) === (rs.metadata.generation ?? 0) &&
    isDeepStrictEqual(cur.conditions ?? [], newStatus.conditions ?? [])
  );
}
