// stateful_set_control.go: one reconciliation of a StatefulSet against its pods.
// Revisions first (current = what status says pods run, update = the template
// now), then pods: replace failed ones, create missing ordinals, fix identities,
// delete ordinals beyond the range from the highest down, and roll pods at or
// above the partition to the update revision from the highest down. With
// OrderedReady every step waits until all lower ordinals are Running and Ready.
import type { Pod } from '../../../api/core/v1/types.js';
import type { ControllerRevision, StatefulSet, StatefulSetStatus } from '../../../api/apps/v1/types.js';
import type { EventRecorder } from '../../client/events.js';
import type { Lister } from '../../client/informer.js';
import { isStatus, type ResourceClient } from '../../client/rest.js';
import type { Logger } from '../../util/log.js';
import { canonicalJSON } from '../../util/hash.js';
import { equalRevision, findEqualRevisions, nextRevision, sortControllerRevisions } from './controller_history.js';
import type { StatefulPodControl } from './stateful_pod_control.js';
import {
  applyRevision,
  getOrdinal,
  getPodRevision,
  getReplicas,
  getStartOrdinal,
  identityMatches,
  isFailed,
  isHealthy,
  isRunningAndAvailable,
  isRunningAndReady,
  isSucceeded,
  isTerminating,
  newRevision,
  newVersionedStatefulSetPod,
  podInOrdinalRange,
  storageMatches,
} from './stateful_set_utils.js';
import { STATEFULSET_GVK } from './types.js';

export interface StatefulSetControlDeps {
  podControl: StatefulPodControl;
  sets: ResourceClient<StatefulSet>;
  revisions: ResourceClient<ControllerRevision>;
  revisionLister: Lister<ControllerRevision>;
  recorder: EventRecorder;
  log: Logger;
}

/** What a sync found: the status it wrote, and whether it must look again after minReadySeconds. */
export interface UpdateResult {
  status: StatefulSetStatus;
  requeueAfterMs?: number;
}

export class StatefulSetControl {
  constructor(private readonly deps: StatefulSetControlDeps) {}

  /** UpdateStatefulSet: revisions, pods, status, history, in that order. */
  async updateStatefulSet(set: StatefulSet, pods: Pod[]): Promise<UpdateResult> {
    let revisions = this.listRevisions(set);
    const { current, update, collisionCount, revisions: all } = await this.getStatefulSetRevisions(set, revisions);
    revisions = all;
    let status: StatefulSetStatus;
    let syncErr: unknown;
    try {
      status = await this.doUpdateStatefulSet(set, current, update, collisionCount, pods);
    } catch (err) {
      syncErr = err;
      status = this.computeStatus(set, current, update, collisionCount, pods);
    }
    const written = await this.updateStatefulSetStatus(set, status);
    await this.truncateHistory(set, pods, revisions, current, update);
    if (syncErr !== undefined) throw syncErr;
    const minReady = set.spec.minReadySeconds ?? 0;
    const requeueAfterMs = minReady > 0 && (written.readyReplicas ?? 0) > (written.availableReplicas ?? 0) ? minReady * 1000 : undefined;
    return { status: written, requeueAfterMs };
  }

  /** The revisions this set controls (by controller ownerReference uid). */
  listRevisions(set: StatefulSet): ControllerRevision[] {
    return this.deps.revisionLister
      .list(set.metadata.namespace ?? '')
      .filter((r) => r.metadata.ownerReferences?.some((o) => o.controller === true && o.uid === set.metadata.uid));
  }

  /**
   * getStatefulSetRevisions: the update revision is the template now (reused
   * when an equal revision exists; an older equal one is renumbered, which is a
   * rollback), the current revision is status.currentRevision if it still exists.
   */
  async getStatefulSetRevisions(
    set: StatefulSet,
    revisions: ControllerRevision[],
  ): Promise<{ current: ControllerRevision; update: ControllerRevision; collisionCount: number; revisions: ControllerRevision[] }> {
    const sorted = sortControllerRevisions(revisions);
    let collisionCount = set.status?.collisionCount ?? 0;
    const candidate = newRevision(set, nextRevision(sorted), collisionCount);
    const equal = findEqualRevisions(sorted, candidate);
    let update: ControllerRevision;
    if (equal.length > 0 && equal[equal.length - 1] === sorted[sorted.length - 1]) {
      update = sorted[sorted.length - 1];
    } else if (equal.length > 0) {
      const old = structuredClone(equal[equal.length - 1]);
      old.revision = candidate.revision;
      update = await this.deps.revisions.namespace(set.metadata.namespace).update(old);
      sorted.splice(sorted.indexOf(equal[equal.length - 1]), 1, update);
    } else {
      ({ revision: update, collisionCount } = await this.createControllerRevision(set, candidate, collisionCount));
      sorted.push(update);
    }
    const current = sorted.find((r) => r.metadata.name === set.status?.currentRevision) ?? update;
    return { current, update, collisionCount, revisions: sorted };
  }

  /** history.CreateControllerRevision: on a name collision with different data, bump collisionCount and rehash. */
  private async createControllerRevision(
    set: StatefulSet,
    candidate: ControllerRevision,
    collisionCount: number,
  ): Promise<{ revision: ControllerRevision; collisionCount: number }> {
    const client = this.deps.revisions.namespace(set.metadata.namespace);
    for (let attempt = 0; attempt < 10; attempt++) {
      const rev = attempt === 0 ? candidate : newRevision(set, candidate.revision, collisionCount);
      try {
        return { revision: await client.create(rev), collisionCount };
      } catch (err) {
        if (!isStatus(err, 409)) throw err;
        const existing = await client.get(rev.metadata.name ?? '');
        const ours = existing.metadata.ownerReferences?.some((o) => o.controller === true && o.uid === set.metadata.uid);
        if (ours && equalRevision(existing, rev)) return { revision: existing, collisionCount };
        collisionCount++;
      }
    }
    throw new Error(`could not find a free ControllerRevision name for ${set.metadata.namespace}/${set.metadata.name} after 10 collisions`);
  }

  /** Status as the pods are now (before this sync's writes). */
  computeStatus(set: StatefulSet, current: ControllerRevision, update: ControllerRevision, collisionCount: number, pods: Pod[]): StatefulSetStatus {
    const minReady = set.spec.minReadySeconds ?? 0;
    const status: StatefulSetStatus = {
      observedGeneration: set.metadata.generation,
      replicas: 0,
      readyReplicas: 0,
      currentReplicas: 0,
      updatedReplicas: 0,
      availableReplicas: 0,
      currentRevision: current.metadata.name,
      updateRevision: update.metadata.name,
      collisionCount,
    };
    for (const pod of pods) {
      if (isTerminating(pod)) continue;
      status.replicas++;
      if (isRunningAndReady(pod)) status.readyReplicas = (status.readyReplicas ?? 0) + 1;
      if (isRunningAndAvailable(pod, minReady)) status.availableReplicas = (status.availableReplicas ?? 0) + 1;
      const rev = getPodRevision(pod);
      if (rev === current.metadata.name) status.currentReplicas = (status.currentReplicas ?? 0) + 1;
      if (rev === update.metadata.name) status.updatedReplicas = (status.updatedReplicas ?? 0) + 1;
    }
    return status;
  }

  /** doUpdateStatefulSet: at most the writes one pass may make; returns the status to write. */
  async doUpdateStatefulSet(
    set: StatefulSet,
    current: ControllerRevision,
    update: ControllerRevision,
    collisionCount: number,
    pods: Pod[],
  ): Promise<StatefulSetStatus> {
    const currentSet = applyRevision(set, current);
    const updateSet = applyRevision(set, update);
    const currentName = current.metadata.name ?? '';
    const updateName = update.metadata.name ?? '';
    const status = this.computeStatus(set, current, update, collisionCount, pods);
    const countPod = (pod: Pod, delta: number) => {
      status.replicas += delta;
      const rev = getPodRevision(pod);
      if (rev === currentName) status.currentReplicas = (status.currentReplicas ?? 0) + delta;
      if (rev === updateName) status.updatedReplicas = (status.updatedReplicas ?? 0) + delta;
    };
    const finish = () => completeRollingUpdate(set, status);

    const start = getStartOrdinal(set);
    const replicaCount = getReplicas(set);
    const existing = new Set<Pod>();
    const replicas: Pod[] = new Array<Pod>(replicaCount);
    const condemned: Pod[] = [];
    for (const pod of pods) {
      const ord = getOrdinal(pod);
      if (podInOrdinalRange(pod, set)) {
        replicas[ord - start] = pod;
        existing.add(pod);
      } else if (ord >= 0) {
        condemned.push(pod);
        existing.add(pod);
      }
    }
    for (let i = 0; i < replicaCount; i++) {
      if (!replicas[i]) replicas[i] = newVersionedStatefulSetPod(currentSet, updateSet, currentName, updateName, i + start, i);
    }
    condemned.sort((a, b) => getOrdinal(a) - getOrdinal(b));
    // The first unhealthy pod, lowest ordinal first, replicas before condemned: the one pod that
    // may be deleted while unhealthy during an ordered scale-down.
    const firstUnhealthy = [...replicas, ...condemned].find((p) => !existing.has(p) || !isHealthy(p));

    // A set being deleted only reports status; the garbage collector removes its pods.
    if (set.metadata.deletionTimestamp) return finish();
    const monotonic = set.spec.podManagementPolicy !== 'Parallel';

    for (let i = 0; i < replicaCount; i++) {
      let pod = replicas[i];
      // A pod that has run to completion or failed is replaced under the same name.
      if (existing.has(pod) && (isFailed(pod) || isSucceeded(pod)) && !isTerminating(pod)) {
        void this.deps.recorder.event(
          set,
          'Warning',
          'RecreatingFailedPod',
          `StatefulSet ${set.metadata.namespace}/${set.metadata.name} is recreating ${isFailed(pod) ? 'failed' : 'succeeded'} Pod ${pod.metadata.name}`,
          STATEFULSET_GVK,
        );
        await this.deps.podControl.deleteStatefulPod(set, pod);
        countPod(pod, -1);
        existing.delete(pod);
        pod = replicas[i] = newVersionedStatefulSetPod(currentSet, updateSet, currentName, updateName, i + start, i);
      }
      if (!existing.has(pod)) {
        try {
          await this.deps.podControl.createStatefulPod(set, pod);
        } catch (err) {
          // The old pod's name is still taken (its deletion is not visible yet): the next sync retries.
          if (!isStatus(err, 409)) throw err;
          return finish();
        }
        countPod(pod, 1);
        if (monotonic) return finish();
        continue;
      }
      // Ordered: wait for this pod to go, or to become Running and Ready, before touching the next.
      if (isTerminating(pod) && monotonic) return finish();
      if (isTerminating(pod)) continue;
      if (!isRunningAndReady(pod) && monotonic) return finish();
      if (!isRunningAndAvailable(pod, set.spec.minReadySeconds ?? 0) && monotonic) return finish();
      if (identityMatches(set, pod) && storageMatches(set, pod)) {
        await this.deps.podControl.updateClaimOwnerRefs(set, pod);
        continue;
      }
      await this.deps.podControl.updateStatefulPod(set, pod);
    }

    // Every replica is Running and Ready (when ordered): scale down from the highest ordinal.
    for (let target = condemned.length - 1; target >= 0; target--) {
      const pod = condemned[target];
      if (isTerminating(pod)) {
        if (monotonic) return finish();
        continue;
      }
      if (!isRunningAndReady(pod) && monotonic && pod !== firstUnhealthy) return finish();
      // whenScaled=Delete: hand the claims to the pod first, so they go with it.
      await this.deps.podControl.updateClaimOwnerRefs(set, pod);
      this.deps.log.v(2)('statefulset terminating pod for scale down', {
        statefulSet: `${set.metadata.namespace}/${set.metadata.name}`,
        pod: pod.metadata.name,
      });
      await this.deps.podControl.deleteStatefulPod(set, pod);
      countPod(pod, -1);
      if (monotonic) return finish();
    }

    if (set.spec.updateStrategy?.type === 'OnDelete') return finish();

    // RollingUpdate: highest ordinal first, down to the partition, one pod at a time.
    const updateMin = set.spec.updateStrategy?.rollingUpdate?.partition ?? 0;
    for (let target = replicas.length - 1; target >= updateMin; target--) {
      const pod = replicas[target];
      if (!existing.has(pod)) return finish();
      if (getPodRevision(pod) !== updateName && !isTerminating(pod)) {
        this.deps.log.v(2)('statefulset terminating pod for update', { statefulSet: `${set.metadata.namespace}/${set.metadata.name}`, pod: pod.metadata.name });
        await this.deps.podControl.deleteStatefulPod(set, pod);
        if (getPodRevision(pod) === currentName) status.currentReplicas = (status.currentReplicas ?? 0) - 1;
        return finish();
      }
      if (!isHealthy(pod)) return finish();
    }
    return finish();
  }

  /** updateStatefulSetStatus: written only when it changed; one re-read on a conflict. */
  async updateStatefulSetStatus(set: StatefulSet, status: StatefulSetStatus): Promise<StatefulSetStatus> {
    const merged: StatefulSetStatus = { ...status, ...(set.status?.conditions ? { conditions: set.status.conditions } : {}) };
    if (canonicalJSON(normalizeStatus(set.status)) === canonicalJSON(normalizeStatus(merged))) return set.status ?? merged;
    const client = this.deps.sets.namespace(set.metadata.namespace);
    let target = set;
    for (let attempt = 0; ; attempt++) {
      try {
        const out = await client.updateStatus({ ...target, status: { ...merged, conditions: target.status?.conditions } });
        return out.status ?? merged;
      } catch (err) {
        if (!isStatus(err, 409) || attempt >= 1) throw err;
        target = await client.get(set.metadata.name ?? '');
        if (target.metadata.uid !== set.metadata.uid) return merged;
      }
    }
  }

  /** truncateHistory: keep revisionHistoryLimit revisions besides the live ones (current, update, any a pod runs). */
  async truncateHistory(
    set: StatefulSet,
    pods: Pod[],
    revisions: ControllerRevision[],
    current: ControllerRevision,
    update: ControllerRevision,
  ): Promise<void> {
    const live = new Set<string>([current.metadata.name ?? '', update.metadata.name ?? '']);
    for (const pod of pods) live.add(getPodRevision(pod));
    const history = sortControllerRevisions(revisions).filter((r) => !live.has(r.metadata.name ?? ''));
    const limit = set.spec.revisionHistoryLimit ?? 10;
    const excess = history.length - limit;
    for (let i = 0; i < excess; i++) {
      try {
        await this.deps.revisions.namespace(set.metadata.namespace).delete(history[i].metadata.name ?? '');
      } catch (err) {
        if (!isStatus(err, 404)) throw err;
      }
    }
  }
}

/** completeRollingUpdate: once all spec.replicas pods run the update revision and are ready, it becomes the current one. */
export function completeRollingUpdate(set: StatefulSet, status: StatefulSetStatus): StatefulSetStatus {
  const want = getReplicas(set);
  if (set.spec.updateStrategy?.type !== 'OnDelete' && status.updatedReplicas === want && status.readyReplicas === want && status.replicas === want) {
    status.currentReplicas = status.updatedReplicas;
    status.currentRevision = status.updateRevision;
  }
  return status;
}

/** Zero counters are omitted on the wire: compare without them. */
function normalizeStatus(s: StatefulSetStatus | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s ?? {})) if (v !== 0 && v !== undefined && v !== null) out[k] = v;
  return out;
}
