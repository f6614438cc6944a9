// The Deployment controller (pkg/controller/deployment/deployment_controller.go):
// informers on Deployments, ReplicaSets and Pods enqueue `namespace/name` of the
// Deployment concerned; syncDeployment claims the Deployment's ReplicaSets and
// runs a rollout step (RollingUpdate or Recreate), a scale, or a status update.
// The ReplicaSet controller makes the pods; this controller only sizes ReplicaSets.
import type { Pod } from '../../../api/core/v1/types.js';
import type { Deployment, ReplicaSet } from '../../../api/apps/v1/types.js';
import type { KubeObject } from '../../../api/meta/v1/types.js';
import { StatusError } from '../../../api/meta/v1/status.js';
import type { SharedIndexInformer } from '../../client/informer.js';
import { controllerRef, newControllerRef } from '../../client/controllerutil.js';
import { isStatus, type ResourceClient } from '../../client/rest.js';
import { metaNamespaceKeyFunc, splitMetaNamespaceKey } from '../../client/store.js';
import { RateLimitingQueue, runWorkers } from '../../client/workqueue.js';
import type { EventRecorder } from '../../client/events.js';
import type { Logger } from '../../util/log.js';
import { selectorFromLabelSelector } from '../../../api/labels/selector.js';
import type { Controller, ControllerContext } from '../context.js';
import { canAdoptOnce, claimObject, ownersSelecting, resolveControllerRef } from '../controller_ref_manager.js';
import { DEPLOYMENT_GVK } from './types.js';
import { semanticEqual } from './util/replicasets.js';
import { checkPausedConditions, event, isScalingEvent, sync, syncStatusOnly, updateDeploymentStatus, type DeploymentSyncer } from './sync.js';
import { rolloutRolling } from './rolling.js';
import { rolloutRecreate, type PodMap } from './recreate.js';

export class DeploymentController implements Controller, DeploymentSyncer {
  readonly queue = new RateLimitingQueue<string>(undefined, 'deployment');
  readonly deployments: ResourceClient<Deployment>;
  readonly replicaSets: ResourceClient<ReplicaSet>;
  readonly recorder: EventRecorder;
  readonly log: Logger;
  private readonly dInformer: SharedIndexInformer<Deployment>;
  private readonly rsInformer: SharedIndexInformer<ReplicaSet>;
  private readonly podInformer: SharedIndexInformer<Pod>;

  constructor(
    private readonly ctx: ControllerContext,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.deployments = ctx.client.resource<Deployment>('apps/v1', 'deployments');
    this.replicaSets = ctx.client.resource<ReplicaSet>('apps/v1', 'replicasets');
    this.recorder = ctx.recorder;
    this.log = ctx.log;
    this.dInformer = ctx.informers.forResource<Deployment>('apps/v1', 'deployments');
    this.rsInformer = ctx.informers.forResource<ReplicaSet>('apps/v1', 'replicasets');
    this.podInformer = ctx.informers.forResource<Pod>('v1', 'pods');

    this.dInformer.addEventHandler({
      onAdd: (d) => this.enqueue(d),
      onUpdate: (_old, d) => this.enqueue(d),
      onDelete: (d) => this.enqueue(d),
    });
    this.rsInformer.addEventHandler({
      onAdd: (rs) => this.addReplicaSet(rs),
      onUpdate: (old, cur) => this.updateReplicaSet(old, cur),
      onDelete: (rs) => this.deleteReplicaSet(rs),
    });
    this.podInformer.addEventHandler({ onDelete: (pod) => this.deletePod(pod) });
  }

  now(): Date {
    return this.clock();
  }

  async run(workers: number, signal: AbortSignal): Promise<void> {
    signal.addEventListener('abort', () => this.queue.shutDown(), { once: true });
    if (signal.aborted) this.queue.shutDown();
    await Promise.all([this.dInformer.waitForCacheSync(), this.rsInformer.waitForCacheSync(), this.podInformer.waitForCacheSync()]);
    await runWorkers(this.queue, workers, (key) => this.syncHandler(key), { log: this.log });
  }

  // ---- event handlers: only enqueue ----

  enqueue(d: Deployment): void {
    this.queue.add(metaNamespaceKeyFunc(d));
  }

  enqueueAfter(d: Deployment, ms: number): void {
    this.queue.addAfter(metaNamespaceKeyFunc(d), ms);
  }

  enqueueRateLimited(d: Deployment): void {
    this.queue.addRateLimited(metaNamespaceKeyFunc(d));
  }

  /** resolveControllerRef: the Deployment a controllerRef names, if it is still that object. */
  private resolveControllerRef(namespace: string | undefined, obj: KubeObject): Deployment | undefined {
    return resolveControllerRef(this.dInformer.lister, namespace ?? '', controllerRef(obj), 'Deployment');
  }

  /** getDeploymentsForReplicaSet: Deployments whose selector matches an orphan's labels (candidates to adopt it). */
  private deploymentsForReplicaSet(rs: ReplicaSet): Deployment[] {
    return ownersSelecting(this.dInformer.lister.list(rs.metadata.namespace), rs.metadata.labels, (d) => d.spec.selector);
  }

  private addReplicaSet(rs: ReplicaSet): void {
    if (rs.metadata.deletionTimestamp) return this.deleteReplicaSet(rs);
    if (controllerRef(rs)) {
      const d = this.resolveControllerRef(rs.metadata.namespace, rs);
      if (d) this.enqueue(d);
      return;
    }
    for (const d of this.deploymentsForReplicaSet(rs)) this.enqueue(d);
  }

  private updateReplicaSet(old: ReplicaSet, cur: ReplicaSet): void {
    if (old.metadata.resourceVersion === cur.metadata.resourceVersion) return; // resync: nothing new
    const curRef = controllerRef(cur);
    const oldRef = controllerRef(old);
    const refChanged = curRef?.uid !== oldRef?.uid;
    if (refChanged && oldRef) {
      const d = this.resolveControllerRef(old.metadata.namespace, old);
      if (d) this.enqueue(d);
    }
    if (curRef) {
      const d = this.resolveControllerRef(cur.metadata.namespace, cur);
      if (d) this.enqueue(d);
      return;
    }
    if (refChanged || !semanticEqual(old.metadata.labels, cur.metadata.labels)) {
      for (const d of this.deploymentsForReplicaSet(cur)) this.enqueue(d);
    }
  }

  private deleteReplicaSet(rs: ReplicaSet): void {
    const d = this.resolveControllerRef(rs.metadata.namespace, rs);
    if (d) this.enqueue(d);
  }

  /** A Recreate Deployment waits for its old pods to be gone: each deletion may be the last. */
  private deletePod(pod: Pod): void {
    const rs = resolveControllerRef(this.rsInformer.lister, pod.metadata.namespace ?? '', controllerRef(pod), 'ReplicaSet');
    if (!rs) return;
    const d = this.resolveControllerRef(rs.metadata.namespace, rs);
    if (d && d.spec.strategy?.type === 'Recreate') this.enqueue(d);
  }

  // ---- sync ----

  /** Errors from the API are retried; anything else is a bad object: a Warning Event, no retry. */
  async syncHandler(key: string): Promise<void> {
    const started = Date.now();
    try {
      await this.syncDeployment(key);
    } catch (err) {
      // A write raced with our cache (often our own previous write): retry from a fresher cache, quietly.
      if (isStatus(err, 409)) {
        this.log.v(2)('conflict syncing deployment; retrying', { deployment: key, error: (err as Error).message });
        this.queue.addRateLimited(key);
        return;
      }
      if (err instanceof StatusError || isNetworkError(err)) throw err;
      const { namespace, name } = splitMetaNamespaceKey(key);
      const d = this.dInformer.lister.get(namespace, name);
      this.log(`deployment ${key}: ${(err as Error)?.message ?? String(err)}`);
      if (d) event(this, d, 'Warning', 'DeploymentSyncFailed', (err as Error)?.message ?? String(err));
    } finally {
      this.log.v(4)('finished syncing deployment', { deployment: key, ms: Date.now() - started });
    }
  }

  async syncDeployment(key: string): Promise<void> {
    const { namespace, name } = splitMetaNamespaceKey(key);
    const cached = this.dInformer.lister.get(namespace, name);
    if (!cached) {
      this.log.v(4)('deployment has been deleted', { deployment: key });
      return;
    }
    const d = structuredClone(cached);
    d.status ??= {};

    const sel = d.spec.selector;
    if (sel && Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0) {
      event(this, d, 'Warning', 'SelectingAll', 'This deployment is selecting all pods. A non-empty selector is required.');
      if ((d.status.observedGeneration ?? 0) < (d.metadata.generation ?? 0)) {
        d.status.observedGeneration = d.metadata.generation;
        await updateDeploymentStatus(this, d);
      }
      return;
    }

    const rsList = await this.getReplicaSetsForDeployment(d);
    const podMap = this.getPodMapForDeployment(d, rsList);

    if (d.metadata.deletionTimestamp) return syncStatusOnly(this, d, rsList);
    await checkPausedConditions(this, d);
    if (d.spec.paused) return sync(this, d, rsList);
    if (await isScalingEvent(this, d, rsList)) return sync(this, d, rsList);

    switch (d.spec.strategy?.type ?? 'RollingUpdate') {
      case 'Recreate':
        return rolloutRecreate(this, d, rsList, podMap);
      case 'RollingUpdate':
        return rolloutRolling(this, d, rsList);
      default:
        throw new Error(`unexpected deployment strategy type: ${d.spec.strategy?.type}`);
    }
  }

  /**
   * getReplicaSetsForDeployment (ClaimReplicaSets): ReplicaSets this Deployment controls
   * and still selects; matching orphans are adopted, non-matching ones released.
   */
  private async getReplicaSetsForDeployment(d: Deployment): Promise<ReplicaSet[]> {
    const selector = selectorFromLabelSelector(d.spec.selector);
    const claimed: ReplicaSet[] = [];
    const canAdopt = canAdoptOnce(() => this.recheckDeletionTimestamp(d));
    // Unlike ClaimPods, errors are not collected: the first one (a 409 is retried quietly) ends the claim.
    for (const rs of this.rsInformer.lister.list(d.metadata.namespace)) {
      const c = await claimObject(rs, {
        owner: d,
        match: (r) => selector.matches(r.metadata.labels),
        adopt: (r) => this.adopt(r, d),
        release: (r) => this.release(r, d),
        canAdopt,
      });
      if (c) claimed.push(c);
    }
    return claimed;
  }

  /** RecheckDeletionTimestamp: adopt only for a live Deployment, checked against the API, not the cache. */
  private async recheckDeletionTimestamp(d: Deployment): Promise<boolean> {
    try {
      const fresh = await this.deployments.namespace(d.metadata.namespace).get(d.metadata.name ?? '');
      return fresh.metadata.uid === d.metadata.uid && !fresh.metadata.deletionTimestamp;
    } catch (err) {
      if (isStatus(err, 404)) return false;
      throw err;
    }
  }

  /** Adoption and release are PUTs of the cached ReplicaSet: its resourceVersion makes a stale view fail with 409 (retried). */
  private async adopt(rs: ReplicaSet, d: Deployment): Promise<ReplicaSet | undefined> {
    const copy = structuredClone(rs);
    copy.metadata.ownerReferences = [...(copy.metadata.ownerReferences ?? []).filter((r) => r.uid !== d.metadata.uid), newControllerRef(d, DEPLOYMENT_GVK)];
    try {
      return await this.replicaSets.namespace(rs.metadata.namespace).update(copy);
    } catch (err) {
      if (isStatus(err, 404)) return undefined;
      throw err;
    }
  }

  private async release(rs: ReplicaSet, d: Deployment): Promise<void> {
    const copy = structuredClone(rs);
    copy.metadata.ownerReferences = (copy.metadata.ownerReferences ?? []).filter((r) => r.uid !== d.metadata.uid);
    try {
      await this.replicaSets.namespace(rs.metadata.namespace).update(copy);
    } catch (err) {
      if (!isStatus(err, 404)) throw err;
    }
  }

  /** getPodMapForDeployment: the Deployment's pods grouped by the ReplicaSet (uid) that controls them. */
  private getPodMapForDeployment(d: Deployment, rsList: ReplicaSet[]): PodMap {
    const podMap: PodMap = new Map(rsList.map((rs) => [rs.metadata.uid ?? '', []]));
    const selector = selectorFromLabelSelector(d.spec.selector);
    for (const pod of this.podInformer.lister.list(d.metadata.namespace, selector)) {
      const ref = controllerRef(pod);
      if (ref) podMap.get(ref.uid)?.push(pod);
    }
    return podMap;
  }
}

function isNetworkError(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'string' && /^E[A-Z]+/.test(code);
}
