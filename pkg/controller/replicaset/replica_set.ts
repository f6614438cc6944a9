// The ReplicaSet controller (pkg/controller/replicaset/replica_set.go): keeps
// spec.replicas active pods matching each ReplicaSet's selector. Event handlers
// only map objects to `namespace/name` keys of ReplicaSets; syncReplicaSet reads
// the listers, claims pods (adopt/release), creates or deletes the difference
// (guarded by expectations so in-flight writes are not repeated) and writes status.
import type { ReplicaSet } from '../../../api/apps/v1/types.js';
import { isPodReady } from '../../../api/core/v1/pod.js';
import type { Pod } from '../../../api/core/v1/types.js';
import type { OwnerReference } from '../../../api/meta/v1/types.js';
import { controllerRef, newControllerRef } from '../../client/controllerutil.js';
import type { SharedIndexInformer } from '../../client/informer.js';
import { isStatus, type ResourceClient } from '../../client/rest.js';
import { metaNamespaceKeyFunc, OwnerUIDIndex, splitMetaNamespaceKey } from '../../client/store.js';
import { RateLimitingQueue, runWorkers } from '../../client/workqueue.js';
import { selectorFromLabelSelector, type Selector } from '../../../api/labels/selector.js';
import type { Controller, ControllerContext } from '../context.js';
import {
  adoptPatch,
  canAdoptOnce,
  claimObjects,
  ownersSelecting,
  recheckDeletionTimestamp,
  releasePatch,
  resolveControllerRef,
} from '../controller_ref_manager.js';
import { UIDTrackingExpectations } from './expectations.js';
import { getPodsToDelete } from './pod_ranking.js';
import { filterActivePods, podKey } from './pod_util.js';
import { calculateStatus, statusUpToDate } from './replica_set_status.js';
import { SLOW_START_INITIAL_BATCH_SIZE, slowStartBatch } from './slow_start.js';
import { REPLICASET_GVK } from './types.js';

/** Upstream's BurstReplicas: at most this many creates/deletes per sync. */
export const BURST_REPLICAS = 500;
/** statusUpdateRetries: one re-read and retry on a failed status write. */
const STATUS_UPDATE_RETRIES = 1;

export interface ReplicaSetControllerOptions {
  burstReplicas?: number;
}

export class ReplicaSetController implements Controller {
  readonly queue = new RateLimitingQueue<string>(undefined, 'replicaset');
  readonly expectations = new UIDTrackingExpectations();
  private readonly rsInformer: SharedIndexInformer<ReplicaSet>;
  private readonly podInformer: SharedIndexInformer<Pod>;
  private readonly rsClient: ResourceClient<ReplicaSet>;
  private readonly podClient: ResourceClient<Pod>;
  private readonly burstReplicas: number;

  constructor(
    private readonly deps: ControllerContext,
    opts: ReplicaSetControllerOptions = {},
  ) {
    this.burstReplicas = opts.burstReplicas ?? BURST_REPLICAS;
    this.rsInformer = deps.informers.forResource<ReplicaSet>('apps/v1', 'replicasets');
    this.podInformer = deps.informers.forResource<Pod>('v1', 'pods');
    this.rsClient = deps.client.resource<ReplicaSet>('apps/v1', 'replicasets');
    this.podClient = deps.client.resource<Pod>('v1', 'pods');
    this.rsInformer.addEventHandler({
      onAdd: (rs) => this.enqueue(rs),
      onUpdate: (old, cur) => this.updateRS(old, cur),
      onDelete: (rs) => this.deleteRS(rs),
    });
    this.podInformer.addEventHandler({
      onAdd: (pod) => this.addPod(pod),
      onUpdate: (old, cur) => this.updatePod(old, cur),
      onDelete: (pod) => this.deletePod(pod),
    });
  }

  async run(workers: number, signal: AbortSignal): Promise<void> {
    const stop = () => this.queue.shutDown();
    if (signal.aborted) return;
    signal.addEventListener('abort', stop, { once: true });
    this.deps.log('starting replicaset controller', { workers });
    this.deps.informers.start();
    await Promise.all([this.rsInformer.waitForCacheSync(), this.podInformer.waitForCacheSync()]);
    await runWorkers(this.queue, workers, (key) => this.syncReplicaSet(key), { log: (m) => this.deps.log(m) });
    this.deps.log('replicaset controller stopped');
  }

  // ---- event handlers: map to ReplicaSet keys, nothing else ----

  private enqueue(rs: ReplicaSet): void {
    this.queue.add(metaNamespaceKeyFunc(rs));
  }

  private updateRS(old: ReplicaSet, cur: ReplicaSet): void {
    // Deleted and recreated under the same name while we were not watching.
    if (old.metadata.uid !== cur.metadata.uid) this.deleteRS(old);
    this.enqueue(cur);
  }

  private deleteRS(rs: ReplicaSet): void {
    const key = metaNamespaceKeyFunc(rs);
    this.expectations.deleteExpectations(key);
    this.queue.add(key);
  }

  /** resolveControllerRef: the ReplicaSet the reference names, if it is still that object. */
  private resolveControllerRef(namespace: string, ref: OwnerReference): ReplicaSet | undefined {
    return resolveControllerRef(this.rsInformer.lister, namespace, ref, REPLICASET_GVK.kind, 'apps');
  }

  /** getPodReplicaSets: ReplicaSets whose selector matches an orphan pod (candidates to adopt it). */
  private podReplicaSets(pod: Pod): ReplicaSet[] {
    return ownersSelecting(this.rsInformer.lister.list(pod.metadata.namespace ?? ''), pod.metadata.labels, (rs) => rs.spec?.selector);
  }

  private addPod(pod: Pod): void {
    // A pod that shows up already being deleted (e.g. after a relist) must not count as a creation.
    if (pod.metadata.deletionTimestamp) {
      this.deletePod(pod);
      return;
    }
    const ref = controllerRef(pod);
    if (ref) {
      const rs = this.resolveControllerRef(pod.metadata.namespace ?? '', ref);
      if (!rs) return;
      const key = metaNamespaceKeyFunc(rs);
      this.expectations.creationObserved(key);
      this.queue.add(key);
      return;
    }
    for (const rs of this.podReplicaSets(pod)) this.enqueue(rs);
  }

  private updatePod(old: Pod, cur: Pod): void {
    // A resync: nothing changed, and periodic resyncs of ReplicaSets cover us.
    if (old.metadata.resourceVersion === cur.metadata.resourceVersion) return;
    const labelsChanged = JSON.stringify(old.metadata.labels ?? {}) !== JSON.stringify(cur.metadata.labels ?? {});
    if (cur.metadata.deletionTimestamp) {
      // Graceful deletion started: the pod no longer counts, so act now rather than when it is gone.
      this.deletePod(cur);
      if (labelsChanged) this.deletePod(old);
      return;
    }
    const curRef = controllerRef(cur);
    const oldRef = controllerRef(old);
    const refChanged = JSON.stringify(curRef ?? null) !== JSON.stringify(oldRef ?? null);
    if (refChanged && oldRef) {
      const rs = this.resolveControllerRef(old.metadata.namespace ?? '', oldRef);
      if (rs) this.enqueue(rs);
    }
    if (curRef) {
      const rs = this.resolveControllerRef(cur.metadata.namespace ?? '', curRef);
      if (!rs) return;
      this.enqueue(rs);
      // Becoming ready starts the minReadySeconds clock: look again once it has run.
      const minReady = rs.spec.minReadySeconds ?? 0;
      if (!isPodReady(old) && isPodReady(cur) && minReady > 0) this.queue.addAfter(metaNamespaceKeyFunc(rs), minReady * 1000 + 1000);
      return;
    }
    // An orphan: if its labels or owner changed, whoever matches now may adopt it.
    if (labelsChanged || refChanged) for (const rs of this.podReplicaSets(cur)) this.enqueue(rs);
  }

  private deletePod(pod: Pod): void {
    const ref = controllerRef(pod);
    if (!ref) return; // orphans being deleted matter to no one
    const rs = this.resolveControllerRef(pod.metadata.namespace ?? '', ref);
    if (!rs) return;
    const key = metaNamespaceKeyFunc(rs);
    this.expectations.deletionObserved(key, podKey(pod));
    this.queue.add(key);
  }

  // ---- sync ----

  /** syncReplicaSet(key): one pass of reconciliation for one ReplicaSet. */
  async syncReplicaSet(key: string): Promise<void> {
    const { namespace, name } = splitMetaNamespaceKey(key);
    const rs = this.rsInformer.lister.get(namespace, name);
    if (!rs) {
      this.deps.log.v(4)('replicaset has been deleted', { key });
      this.expectations.deleteExpectations(key);
      return;
    }
    const rsNeedsSync = this.expectations.satisfied(key);
    let selector: Selector;
    try {
      selector = selectorFromLabelSelector(rs.spec?.selector);
    } catch (err) {
      // An unusable selector will not fix itself by retrying: report it and move on.
      void this.deps.recorder.event(rs, 'Warning', 'InvalidSelector', `Error converting pod selector to selector: ${(err as Error).message}`, REPLICASET_GVK);
      return;
    }
    const allPods = this.podInformer.lister.list(namespace);
    const activePods = filterActivePods(allPods);
    // ClaimPods. Pods come from the ReplicaSet's namespace only; an adopted pod is counted as listed.
    const ref = newControllerRef(rs, REPLICASET_GVK);
    const patchPod = (pod: Pod, patch: unknown) => this.podClient.namespace(pod.metadata.namespace ?? '').patch(pod.metadata.name ?? '', 'strategic', patch);
    const pods = await claimObjects(activePods, {
      owner: rs,
      match: (pod) => selector.matches(pod.metadata.labels),
      adopt: async (pod) => {
        await patchPod(pod, adoptPatch(pod, ref));
        return pod;
      },
      release: async (pod) => {
        await patchPod(pod, releasePatch(pod, rs.metadata.uid ?? ''));
      },
      canAdopt: canAdoptOnce(() =>
        recheckDeletionTimestamp(rs, REPLICASET_GVK.kind, () => this.rsClient.namespace(rs.metadata.namespace).get(rs.metadata.name ?? '')),
      ),
    });

    let manageErr: { error: unknown; reason: 'FailedCreate' | 'FailedDelete' } | undefined;
    if (rsNeedsSync && !rs.metadata.deletionTimestamp) manageErr = await this.manageReplicas(pods, rs, key);

    const newStatus = calculateStatus(rs, pods, manageErr);
    const updated = await this.updateStatus(rs, newStatus);
    const replicas = rs.spec.replicas ?? 1;
    const minReady = rs.spec.minReadySeconds ?? 0;
    // Ready but not yet available: come back when minReadySeconds has passed.
    if (!manageErr && minReady > 0 && (updated.status?.readyReplicas ?? 0) === replicas && (updated.status?.availableReplicas ?? 0) !== replicas) {
      this.queue.addAfter(key, minReady * 1000);
    }
    if (manageErr) throw manageErr.error;
  }

  /** manageReplicas: create or delete the difference between spec.replicas and the claimed active pods. */
  private async manageReplicas(pods: Pod[], rs: ReplicaSet, key: string): Promise<{ error: unknown; reason: 'FailedCreate' | 'FailedDelete' } | undefined> {
    const want = rs.spec.replicas ?? 1;
    let diff = pods.length - want;
    if (diff < 0) {
      diff = Math.min(-diff, this.burstReplicas);
      // Expect every creation before issuing any, so a fast watch event cannot race the count.
      this.expectations.expectCreations(key, diff);
      this.deps.log.v(2)('too few replicas', { replicaSet: key, need: want, creating: diff });
      const { successes, error } = await slowStartBatch(diff, SLOW_START_INITIAL_BATCH_SIZE, () => this.createPod(rs));
      // Creations that failed or were never tried will not be observed: stop expecting them.
      for (let i = successes; i < diff; i++) this.expectations.creationObserved(key);
      return error === undefined ? undefined : { error, reason: 'FailedCreate' };
    }
    if (diff > 0) {
      diff = Math.min(diff, this.burstReplicas);
      this.deps.log.v(2)('too many replicas', { replicaSet: key, need: want, deleting: diff });
      const victims = getPodsToDelete(pods, this.relatedPods(rs), diff);
      this.expectations.expectDeletions(key, victims.map(podKey));
      const errors: unknown[] = [];
      await Promise.all(
        victims.map(async (pod) => {
          try {
            await this.deletePodFor(rs, pod);
          } catch (err) {
            // This deletion will never be observed.
            this.expectations.deletionObserved(key, podKey(pod));
            if (!isStatus(err, 404)) errors.push(err);
          }
        }),
      );
      return errors.length ? { error: errors[0], reason: 'FailedDelete' } : undefined;
    }
    return undefined;
  }

  /**
   * getIndirectlyRelatedPods: active pods of this ReplicaSet and of its siblings
   * (ReplicaSets with the same controller, e.g. one Deployment), for ranking by node.
   */
  private relatedPods(rs: ReplicaSet): Pod[] {
    const owner = controllerRef(rs);
    const siblings = owner ? this.rsInformer.lister.byIndex(OwnerUIDIndex, owner.uid).filter((s) => controllerRef(s)?.uid === owner.uid) : [rs];
    const seen = new Set<string>();
    const out: Pod[] = [];
    for (const s of siblings) {
      for (const pod of this.podInformer.lister.byIndex(OwnerUIDIndex, s.metadata.uid ?? '')) {
        if (controllerRef(pod)?.uid !== s.metadata.uid || seen.has(pod.metadata.uid ?? '')) continue;
        seen.add(pod.metadata.uid ?? '');
        if (filterActivePods([pod]).length) out.push(pod);
      }
    }
    return out;
  }

  /** RealPodControl.CreatePodsWithControllerRef: a pod from the template, with its Event. */
  private async createPod(rs: ReplicaSet): Promise<void> {
    const template = rs.spec.template ?? {};
    const tm = template.metadata ?? {};
    const name = rs.metadata.name ?? '';
    const pod: Pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        generateName: `${name}-`,
        namespace: rs.metadata.namespace,
        ownerReferences: [newControllerRef(rs, REPLICASET_GVK)],
      },
      spec: structuredClone(template.spec ?? { containers: [] }),
    };
    if (tm.labels) pod.metadata.labels = { ...tm.labels };
    if (tm.annotations) pod.metadata.annotations = { ...tm.annotations };
    if (tm.finalizers) pod.metadata.finalizers = [...tm.finalizers];
    try {
      if (!pod.metadata.labels || Object.keys(pod.metadata.labels).length === 0) throw new Error('unable to create pods, no labels');
      const created = await this.podClient.namespace(rs.metadata.namespace).create(pod);
      this.deps.log.v(4)('controller created pod', { replicaSet: metaNamespaceKeyFunc(rs), pod: created.metadata.name });
      void this.deps.recorder.event(rs, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name ?? ''}`, REPLICASET_GVK);
    } catch (err) {
      void this.deps.recorder.event(rs, 'Warning', 'FailedCreate', `Error creating: ${(err as Error)?.message ?? String(err)}`, REPLICASET_GVK);
      throw err;
    }
  }

  /** RealPodControl.DeletePod, with its Event. */
  private async deletePodFor(rs: ReplicaSet, pod: Pod): Promise<void> {
    const name = pod.metadata.name ?? '';
    try {
      await this.podClient.namespace(pod.metadata.namespace).delete(name);
    } catch (err) {
      if (!isStatus(err, 404))
        void this.deps.recorder.event(rs, 'Warning', 'FailedDelete', `Error deleting: ${(err as Error)?.message ?? String(err)}`, REPLICASET_GVK);
      throw err;
    }
    void this.deps.recorder.event(rs, 'Normal', 'SuccessfulDelete', `Deleted pod: ${name}`, REPLICASET_GVK);
  }

  /** updateReplicaSetStatus: PUT …/status only when something changed; one re-read and retry on failure. */
  private async updateStatus(rs: ReplicaSet, newStatus: ReplicaSetStatusInput): Promise<ReplicaSet> {
    if (statusUpToDate(rs, newStatus)) return rs;
    const rc = this.rsClient.namespace(rs.metadata.namespace);
    let current: ReplicaSet = rs;
    for (let i = 0; ; i++) {
      const body: ReplicaSet = {
        ...current,
        apiVersion: REPLICASET_GVK.apiVersion,
        kind: REPLICASET_GVK.kind,
        status: { ...newStatus, observedGeneration: current.metadata.generation },
      };
      try {
        return await rc.updateStatus(body);
      } catch (err) {
        if (i >= STATUS_UPDATE_RETRIES) throw err;
        // Stale copy (409) or a transient error: read it fresh and try once more.
        current = await rc.get(rs.metadata.name ?? '');
        if (current.metadata.uid !== rs.metadata.uid) return current;
      }
    }
  }
}

type ReplicaSetStatusInput = NonNullable<ReplicaSet['status']>;
