// The DaemonSet controller (pkg/controller/daemon/daemon_controller.go): one
// pod per eligible node. Event handlers only enqueue DaemonSet keys;
// syncDaemonSet reads the listers, keeps the ControllerRevisions, creates pods
// (pinned to their node by required node affinity, left for the scheduler to
// bind) and deletes surplus, failed and misplaced ones, rolls updates out within
// maxUnavailable / maxSurge, and writes status.
import { isPodReady, isPodTerminal } from '../../../api/core/v1/pod.js';
import type { Node, Pod, PodSpec } from '../../../api/core/v1/types.js';
import type { ControllerRevision, DaemonSet } from '../../../api/apps/v1/types.js';
import type { KubeObject, OwnerReference } from '../../../api/meta/v1/types.js';
import { ControllerExpectations, controllerRef, newControllerRef } from '../../client/controllerutil.js';
import type { SharedIndexInformer } from '../../client/informer.js';
import { isStatus, type ResourceClient } from '../../client/rest.js';
import { metaNamespaceKeyFunc, splitMetaNamespaceKey } from '../../client/store.js';
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
import { Backoff } from './backoff.js';
import { maxRevision, newRevision, revisionMatches, revisionsToDelete, sortByRevision } from './history.js';
import { podsShouldBeOnNode } from './manage.js';
import { nodeShouldRunDaemonPod } from './node_predicates.js';
import { calculateStatus, statusUpToDate, type DaemonSetCounts } from './status.js';
import { DAEMONSET_GVK } from './types.js';
import { planRollingUpdate } from './update.js';
import {
  createPodTemplate,
  DAEMONSET_UNIQUE_LABEL_KEY,
  getTargetNodeName,
  getTemplateGeneration,
  replaceDaemonSetPodNodeNameNodeAffinity,
} from './util/daemonset_util.js';

/** Upstream's BurstReplicas: at most this many creates/deletes per sync. */
export const BURST_REPLICAS = 250;
/** controller.SlowStartInitialBatchSize. */
const SLOW_START_INITIAL_BATCH_SIZE = 1;
const STATUS_UPDATE_RETRIES = 1;

export interface DaemonSetsControllerOptions {
  burstReplicas?: number;
  /** Failed-pod backoff (tests shorten it). */
  failedPodsBackoff?: Backoff;
}

export class DaemonSetsController implements Controller {
  readonly queue = new RateLimitingQueue<string>(undefined, 'daemonset');
  readonly expectations = new ControllerExpectations();
  /** Pod keys each DaemonSet is waiting to see go, so a pod seen "deleted" twice counts once. */
  private readonly deleting = new Map<string, Set<string>>();
  private readonly failedPodsBackoff: Backoff;
  private readonly burstReplicas: number;
  private readonly dsInformer: SharedIndexInformer<DaemonSet>;
  private readonly podInformer: SharedIndexInformer<Pod>;
  private readonly nodeInformer: SharedIndexInformer<Node>;
  private readonly historyInformer: SharedIndexInformer<ControllerRevision>;
  private readonly dsClient: ResourceClient<DaemonSet>;
  private readonly podClient: ResourceClient<Pod>;
  private readonly historyClient: ResourceClient<ControllerRevision>;

  constructor(
    private readonly deps: ControllerContext,
    opts: DaemonSetsControllerOptions = {},
  ) {
    this.burstReplicas = opts.burstReplicas ?? BURST_REPLICAS;
    this.failedPodsBackoff = opts.failedPodsBackoff ?? new Backoff();
    const inf = deps.informers;
    this.dsInformer = inf.forResource<DaemonSet>('apps/v1', 'daemonsets');
    this.podInformer = inf.forResource<Pod>('v1', 'pods');
    this.nodeInformer = inf.forResource<Node>('v1', 'nodes');
    this.historyInformer = inf.forResource<ControllerRevision>('apps/v1', 'controllerrevisions');
    this.dsClient = deps.client.resource<DaemonSet>('apps/v1', 'daemonsets');
    this.podClient = deps.client.resource<Pod>('v1', 'pods');
    this.historyClient = deps.client.resource<ControllerRevision>('apps/v1', 'controllerrevisions');

    this.dsInformer.addEventHandler({
      onAdd: (ds) => this.enqueue(ds),
      onUpdate: (old, cur) => {
        if (old.metadata.uid !== cur.metadata.uid) this.deleteDaemonSet(old);
        this.enqueue(cur);
      },
      onDelete: (ds) => this.deleteDaemonSet(ds),
    });
    this.podInformer.addEventHandler({
      onAdd: (pod) => this.addPod(pod),
      onUpdate: (old, cur) => this.updatePod(old, cur),
      onDelete: (pod) => this.deletePod(pod),
    });
    this.nodeInformer.addEventHandler({
      onAdd: (node) => this.addNode(node),
      onUpdate: (old, cur) => this.updateNode(old, cur),
      // Unbound pods aimed at a node that is gone are ours to delete.
      onDelete: () => {
        for (const ds of this.dsInformer.lister.list()) this.enqueue(ds);
      },
    });
    const onHistory = (h: ControllerRevision) => {
      const ref = controllerRef(h);
      const ds = ref ? this.resolveControllerRef(h.metadata.namespace ?? '', ref) : undefined;
      if (ds) this.enqueue(ds);
    };
    this.historyInformer.addEventHandler({ onAdd: onHistory, onUpdate: (_, cur) => onHistory(cur), onDelete: onHistory });
  }

  async run(workers: number, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return;
    signal.addEventListener('abort', () => this.queue.shutDown(), { once: true });
    this.deps.log('starting daemon sets controller', { workers });
    this.deps.informers.start();
    await Promise.all([this.dsInformer, this.podInformer, this.nodeInformer, this.historyInformer].map((i) => i.waitForCacheSync()));
    const gc = setInterval(() => this.failedPodsBackoff.gc(), 60_000);
    gc.unref();
    try {
      await runWorkers(this.queue, workers, (key) => this.syncDaemonSet(key), { log: (m) => this.deps.log(m) });
    } finally {
      clearInterval(gc);
    }
    this.deps.log('daemon sets controller stopped');
  }

  // ---- event handlers: map to DaemonSet keys, nothing else ----

  private enqueue(ds: DaemonSet): void {
    this.queue.add(metaNamespaceKeyFunc(ds));
  }

  private deleteDaemonSet(ds: DaemonSet): void {
    const key = metaNamespaceKeyFunc(ds);
    this.expectations.deleteExpectations(key);
    this.deleting.delete(key);
    this.queue.add(key);
  }

  private resolveControllerRef(namespace: string, ref: OwnerReference): DaemonSet | undefined {
    return resolveControllerRef(this.dsInformer.lister, namespace, ref, DAEMONSET_GVK.kind, 'apps');
  }

  /** getDaemonSetsForPod: DaemonSets whose selector matches an orphan (candidates to adopt it). */
  private daemonSetsForPod(pod: Pod): DaemonSet[] {
    return ownersSelecting(this.dsInformer.lister.list(pod.metadata.namespace ?? ''), pod.metadata.labels, (ds) => ds.spec?.selector);
  }

  private addPod(pod: Pod): void {
    if (pod.metadata.deletionTimestamp) {
      this.deletePod(pod);
      return;
    }
    const ref = controllerRef(pod);
    if (ref) {
      const ds = this.resolveControllerRef(pod.metadata.namespace ?? '', ref);
      if (!ds) return;
      const key = metaNamespaceKeyFunc(ds);
      this.expectations.creationObserved(key);
      this.queue.add(key);
      return;
    }
    for (const ds of this.daemonSetsForPod(pod)) this.enqueue(ds);
  }

  private updatePod(old: Pod, cur: Pod): void {
    if (old.metadata.resourceVersion === cur.metadata.resourceVersion) return;
    if (cur.metadata.deletionTimestamp) {
      // Graceful deletion began: act now instead of waiting for the pod to vanish.
      this.deletePod(cur);
      return;
    }
    const curRef = controllerRef(cur);
    const oldRef = controllerRef(old);
    if (oldRef && JSON.stringify(oldRef) !== JSON.stringify(curRef ?? null)) {
      const ds = this.resolveControllerRef(old.metadata.namespace ?? '', oldRef);
      if (ds) this.enqueue(ds);
    }
    if (curRef) {
      const ds = this.resolveControllerRef(cur.metadata.namespace ?? '', curRef);
      if (!ds) return;
      this.enqueue(ds);
      const minReady = ds.spec.minReadySeconds ?? 0;
      if (!isPodReady(old) && isPodReady(cur) && minReady > 0) this.queue.addAfter(metaNamespaceKeyFunc(ds), minReady * 1000 + 1000);
      return;
    }
    if (JSON.stringify(old.metadata.labels ?? {}) !== JSON.stringify(cur.metadata.labels ?? {})) {
      for (const ds of this.daemonSetsForPod(cur)) this.enqueue(ds);
    }
  }

  private deletePod(pod: Pod): void {
    const ref = controllerRef(pod);
    if (!ref) return;
    const ds = this.resolveControllerRef(pod.metadata.namespace ?? '', ref);
    if (!ds) return;
    const key = metaNamespaceKeyFunc(ds);
    const podKey = `${pod.metadata.namespace ?? ''}/${pod.metadata.name ?? ''}`;
    if (this.deleting.get(key)?.delete(podKey)) this.expectations.deletionObserved(key);
    this.queue.add(key);
  }

  private addNode(node: Node): void {
    for (const ds of this.dsInformer.lister.list()) {
      if (nodeShouldRunDaemonPod(node, ds).shouldRun) this.enqueue(ds);
    }
  }

  /** shouldIgnoreNodeUpdate: heartbeats and other status-only changes do not move daemon pods. */
  private updateNode(old: Node, cur: Node): void {
    const relevant = (n: Node) => JSON.stringify([n.metadata.labels ?? {}, n.spec?.taints ?? [], n.metadata.deletionTimestamp ?? null]);
    if (relevant(old) === relevant(cur)) return;
    for (const ds of this.dsInformer.lister.list()) {
      const a = nodeShouldRunDaemonPod(old, ds);
      const b = nodeShouldRunDaemonPod(cur, ds);
      if (a.shouldRun !== b.shouldRun || a.shouldContinueRunning !== b.shouldContinueRunning) this.enqueue(ds);
    }
  }

  // ---- sync ----

  /** syncDaemonSet(key): one pass of reconciliation for one DaemonSet. */
  async syncDaemonSet(key: string): Promise<void> {
    const { namespace, name } = splitMetaNamespaceKey(key);
    const ds = this.dsInformer.lister.get(namespace, name);
    if (!ds) {
      this.deps.log.v(4)('daemonset has been deleted', { key });
      this.expectations.deleteExpectations(key);
      this.deleting.delete(key);
      return;
    }
    let selector: Selector;
    try {
      selector = selectorFromLabelSelector(ds.spec?.selector);
    } catch (err) {
      void this.deps.recorder.event(ds, 'Warning', 'InvalidSelector', `Error converting pod selector to selector: ${(err as Error).message}`, DAEMONSET_GVK);
      return;
    }
    if (selector.isEmpty()) {
      void this.deps.recorder.event(ds, 'Warning', 'SelectingAll', 'This daemon set is selecting all pods. A non-empty selector is required.', DAEMONSET_GVK);
      return;
    }
    // Being deleted: the garbage collector removes its pods.
    if (ds.metadata.deletionTimestamp) return;
    const nodes = this.nodeInformer.lister.list();

    const { cur, old } = await this.constructHistory(ds, selector);
    const hash = cur.metadata.labels?.[DAEMONSET_UNIQUE_LABEL_KEY] ?? '';

    if (!this.expectations.satisfied(key)) {
      // Writes still in flight: only report.
      await this.updateDaemonSetStatus(ds, nodes, hash, selector, false);
      return;
    }
    let syncErr: unknown;
    try {
      await this.manage(ds, nodes, hash, selector, key);
      if (this.expectations.satisfied(key)) {
        if ((ds.spec.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate') await this.rollingUpdate(ds, nodes, hash, selector, key);
        // OnDelete: nothing to do here; manage recreates deleted pods from the current template.
      }
      await this.cleanupHistory(ds, old, selector);
    } catch (err) {
      syncErr = err;
    }
    await this.updateDaemonSetStatus(ds, nodes, hash, selector, true);
    if (syncErr) throw syncErr;
  }

  /** getDaemonPods: claim (adopt/release) the pods of the namespace for this DaemonSet. */
  private async getDaemonPods(ds: DaemonSet, selector: Selector): Promise<Pod[]> {
    return this.claim(ds, selector, this.podInformer.lister.list(ds.metadata.namespace ?? ''), this.podClient);
  }

  /** ClaimPods / ClaimControllerRevisions: adopted objects are reported as the PATCH returned them. */
  private claim<T extends KubeObject>(ds: DaemonSet, selector: Selector, objs: T[], client: ResourceClient<T>): Promise<T[]> {
    const ref = newControllerRef(ds, DAEMONSET_GVK);
    const patch = (obj: T, body: unknown) => client.namespace(obj.metadata.namespace ?? '').patch(obj.metadata.name ?? '', 'strategic', body);
    return claimObjects(objs, {
      owner: ds,
      match: (obj) => selector.matches(obj.metadata.labels),
      adopt: (obj) => patch(obj, adoptPatch(obj, ref)),
      release: async (obj) => {
        await patch(obj, releasePatch(obj, ds.metadata.uid ?? ''));
      },
      canAdopt: canAdoptOnce(() =>
        recheckDeletionTimestamp(ds, DAEMONSET_GVK.kind, () => this.dsClient.namespace(ds.metadata.namespace).get(ds.metadata.name ?? '')),
      ),
    });
  }

  /**
   * getNodesToDaemonPods: claimed pods grouped by the node they are on or aimed
   * at; terminal pods already being deleted are left out.
   */
  private async getNodesToDaemonPods(ds: DaemonSet, selector: Selector): Promise<Map<string, Pod[]>> {
    const pods = await this.getDaemonPods(ds, selector);
    const out = new Map<string, Pod[]>();
    for (const pod of pods) {
      if (isPodTerminal(pod) && pod.metadata.deletionTimestamp) continue;
      const node = getTargetNodeName(pod);
      if (!node) {
        this.deps.log.v(4)('no target node for daemon pod', { pod: `${pod.metadata.namespace}/${pod.metadata.name}` });
        continue;
      }
      const list = out.get(node);
      if (list) list.push(pod);
      else out.set(node, [pod]);
    }
    return out;
  }

  /** manage: per node, what should run there; plus unbound pods aimed at nodes that no longer exist. */
  private async manage(ds: DaemonSet, nodes: Node[], hash: string, selector: Selector, key: string): Promise<void> {
    const nodeToDaemonPods = await this.getNodesToDaemonPods(ds, selector);
    const nodesNeedingDaemonPods: string[] = [];
    const podsToDelete: Pod[] = [];
    const now = Date.now();
    for (const node of nodes) {
      const d = podsShouldBeOnNode(node, nodeToDaemonPods.get(node.metadata.name ?? '') ?? [], ds, hash, this.failedPodsBackoff, now);
      if (d.createOnNode) nodesNeedingDaemonPods.push(node.metadata.name ?? '');
      podsToDelete.push(...d.podsToDelete);
      for (const pod of d.failedPods) {
        void this.deps.recorder.event(
          ds,
          'Warning',
          'FailedDaemonPod',
          `Found failed daemon pod ${pod.metadata.namespace}/${pod.metadata.name} on node ${node.metadata.name}, will try to kill it`,
          DAEMONSET_GVK,
        );
      }
      if (d.requeueAfterMs !== undefined) this.queue.addAfter(key, d.requeueAfterMs);
    }
    // getUnscheduledPodsWithoutNode: never-bound pods for vanished nodes; pod GC cannot see them.
    const existing = new Set(nodes.map((n) => n.metadata.name ?? ''));
    for (const [node, pods] of nodeToDaemonPods) {
      if (existing.has(node)) continue;
      for (const pod of pods) if (!pod.spec?.nodeName && !pod.metadata.deletionTimestamp) podsToDelete.push(pod);
    }
    await this.syncNodes(ds, podsToDelete, nodesNeedingDaemonPods, hash, key);
  }

  /** rollingUpdate: delete old pods (or surge new ones) as the budget allows; manage replaces them. */
  private async rollingUpdate(ds: DaemonSet, nodes: Node[], hash: string, selector: Selector, key: string): Promise<void> {
    const nodeToDaemonPods = await this.getNodesToDaemonPods(ds, selector);
    const plan = planRollingUpdate(ds, nodes, nodeToDaemonPods, hash, Date.now());
    if (plan.oldPodsToDelete.length === 0 && plan.newNodesToCreate.length === 0) return;
    this.deps.log.v(2)('rolling update', { daemonSet: key, deleting: plan.oldPodsToDelete.map((p) => p.metadata.name), surging: plan.newNodesToCreate });
    await this.syncNodes(ds, plan.oldPodsToDelete, plan.newNodesToCreate, hash, key);
  }

  /** syncNodes: create pods for nodes and delete pods, under expectations, creates in slow-start batches. */
  private async syncNodes(ds: DaemonSet, podsToDelete: Pod[], nodesNeedingDaemonPods: string[], hash: string, key: string): Promise<void> {
    const createDiff = Math.min(nodesNeedingDaemonPods.length, this.burstReplicas);
    const deletes = podsToDelete.slice(0, this.burstReplicas);
    this.expectations.setExpectations(key, createDiff, deletes.length);
    this.deleting.set(key, new Set(deletes.map((p) => `${p.metadata.namespace ?? ''}/${p.metadata.name ?? ''}`)));
    const errors: unknown[] = [];
    // Our apiserver keeps no deprecated.daemonset.template.generation annotation yet: label with
    // metadata.generation then (only the hash decides what is up to date in that case).
    const template = createPodTemplate(ds.spec.template, getTemplateGeneration(ds) ?? ds.metadata.generation, hash);

    let batch = Math.min(createDiff, SLOW_START_INITIAL_BATCH_SIZE);
    for (let pos = 0; pos < createDiff; pos += batch, batch = Math.min(2 * batch, createDiff - pos)) {
      const before = errors.length;
      await Promise.all(
        nodesNeedingDaemonPods.slice(pos, pos + batch).map(async (nodeName) => {
          try {
            await this.createPod(ds, template, nodeName);
          } catch (err) {
            this.expectations.creationObserved(key);
            errors.push(err);
          }
        }),
      );
      const skipped = createDiff - (pos + batch);
      if (errors.length > before && skipped > 0) {
        // Never attempted: never observed.
        this.expectations.lowerExpectations(key, skipped, 0);
        break;
      }
    }

    await Promise.all(
      deletes.map(async (pod) => {
        try {
          await this.deletePodFor(ds, pod);
        } catch (err) {
          const podKey = `${pod.metadata.namespace ?? ''}/${pod.metadata.name ?? ''}`;
          if (this.deleting.get(key)?.delete(podKey)) this.expectations.deletionObserved(key);
          if (!isStatus(err, 404)) errors.push(err);
        }
      }),
    );
    if (errors.length) throw errors[0];
  }

  /** podControl.CreatePods: the template pinned to nodeName by required node affinity; nodeName stays unset. */
  private async createPod(ds: DaemonSet, template: ReturnType<typeof createPodTemplate>, nodeName: string): Promise<void> {
    const spec: PodSpec = structuredClone(template.spec ?? { containers: [] });
    spec.affinity = replaceDaemonSetPodNodeNameNodeAffinity(spec.affinity, nodeName);
    const tm = template.metadata ?? {};
    const pod: Pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        generateName: `${ds.metadata.name ?? ''}-`,
        namespace: ds.metadata.namespace,
        labels: { ...(tm.labels ?? {}) },
        ownerReferences: [newControllerRef(ds, DAEMONSET_GVK)],
        ...(tm.annotations ? { annotations: { ...tm.annotations } } : {}),
        ...(tm.finalizers ? { finalizers: [...tm.finalizers] } : {}),
      },
      spec,
    };
    try {
      const created = await this.podClient.namespace(ds.metadata.namespace).create(pod);
      this.deps.log.v(4)('created daemon pod', { daemonSet: metaNamespaceKeyFunc(ds), pod: created.metadata.name, node: nodeName });
      void this.deps.recorder.event(ds, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name ?? ''}`, DAEMONSET_GVK);
    } catch (err) {
      void this.deps.recorder.event(ds, 'Warning', 'FailedCreate', `Error creating: ${(err as Error)?.message ?? String(err)}`, DAEMONSET_GVK);
      throw err;
    }
  }

  private async deletePodFor(ds: DaemonSet, pod: Pod): Promise<void> {
    const name = pod.metadata.name ?? '';
    try {
      await this.podClient.namespace(pod.metadata.namespace).delete(name);
    } catch (err) {
      if (!isStatus(err, 404))
        void this.deps.recorder.event(ds, 'Warning', 'FailedDelete', `Error deleting: ${(err as Error)?.message ?? String(err)}`, DAEMONSET_GVK);
      throw err;
    }
    void this.deps.recorder.event(ds, 'Normal', 'SuccessfulDelete', `Deleted pod: ${name}`, DAEMONSET_GVK);
  }

  // ---- history ----

  /** controlledHistories: the ControllerRevisions this DaemonSet owns, adopting matching orphans. */
  private async controlledHistories(ds: DaemonSet, selector: Selector): Promise<ControllerRevision[]> {
    return this.claim(ds, selector, this.historyInformer.lister.list(ds.metadata.namespace ?? ''), this.historyClient);
  }

  /**
   * constructHistory: split the owned revisions into the current one (created
   * if missing, its revision number raised to the newest) and the old ones.
   */
  private async constructHistory(ds: DaemonSet, selector: Selector): Promise<{ cur: ControllerRevision; old: ControllerRevision[] }> {
    const histories = await this.controlledHistories(ds, selector);
    const current: ControllerRevision[] = [];
    const old: ControllerRevision[] = [];
    const hc = this.historyClient.namespace(ds.metadata.namespace);
    for (let h of histories) {
      if (!h.metadata.labels?.[DAEMONSET_UNIQUE_LABEL_KEY]) {
        // Label it with its name rather than a recomputed hash, which might collide.
        h = await hc.update({
          ...h,
          metadata: { ...h.metadata, labels: { ...(h.metadata.labels ?? {}), [DAEMONSET_UNIQUE_LABEL_KEY]: h.metadata.name ?? '' } },
        });
      }
      (revisionMatches(ds, h) ? current : old).push(h);
    }
    const currRevision = maxRevision(old) + 1;
    let cur: ControllerRevision;
    if (current.length === 0) cur = await this.snapshot(ds, currRevision);
    else {
      cur = await this.dedupCurHistories(ds, current, selector);
      if ((cur.revision ?? 0) < currRevision) cur = await hc.update({ ...cur, revision: currRevision });
    }
    return { cur, old };
  }

  /** snapshot: create the revision; on a name clash with different data, bump collisionCount and retry later. */
  private async snapshot(ds: DaemonSet, revision: number): Promise<ControllerRevision> {
    const rev = newRevision(ds, revision);
    const hc = this.historyClient.namespace(ds.metadata.namespace);
    try {
      return await hc.create(rev);
    } catch (err) {
      if (!isStatus(err, 409)) throw err;
      const existing = await hc.get(rev.metadata.name ?? '');
      if (revisionMatches(ds, existing) && controllerRef(existing)?.uid === ds.metadata.uid) return existing;
      const fresh = await this.dsClient.namespace(ds.metadata.namespace).get(ds.metadata.name ?? '');
      if ((fresh.status?.collisionCount ?? 0) !== (ds.status?.collisionCount ?? 0)) {
        throw new Error(
          `found a stale collision count (${ds.status?.collisionCount ?? 0}, expected ${fresh.status?.collisionCount ?? 0}) of DaemonSet ${ds.metadata.name}`,
        );
      }
      fresh.status = {
        ...(fresh.status ?? { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 }),
        collisionCount: (fresh.status?.collisionCount ?? 0) + 1,
      };
      await this.dsClient.namespace(ds.metadata.namespace).updateStatus({ ...fresh, ...DAEMONSET_GVK });
      throw err;
    }
  }

  /**
   * dedupCurHistories: several revisions hold the current template; keep the
   * newest, move pods labelled with the others' hashes onto it, delete the rest.
   */
  private async dedupCurHistories(ds: DaemonSet, current: ControllerRevision[], selector: Selector): Promise<ControllerRevision> {
    if (current.length === 1) return current[0];
    const sorted = sortByRevision(current);
    const keep = sorted[sorted.length - 1];
    const keepHash = keep.metadata.labels?.[DAEMONSET_UNIQUE_LABEL_KEY] ?? '';
    const pods = await this.getDaemonPods(ds, selector);
    for (const dup of sorted.slice(0, -1)) {
      const dupHash = dup.metadata.labels?.[DAEMONSET_UNIQUE_LABEL_KEY];
      for (const pod of pods) {
        if (pod.metadata.labels?.[DAEMONSET_UNIQUE_LABEL_KEY] !== dupHash) continue;
        await this.podClient
          .namespace(pod.metadata.namespace)
          .patch(pod.metadata.name ?? '', 'merge', { metadata: { labels: { [DAEMONSET_UNIQUE_LABEL_KEY]: keepHash } } });
      }
      await this.historyClient
        .namespace(dup.metadata.namespace)
        .delete(dup.metadata.name ?? '')
        .catch((err: unknown) => {
          if (!isStatus(err, 404)) throw err;
        });
    }
    return keep;
  }

  /** cleanupHistory: keep revisionHistoryLimit old revisions, and every one a live pod still runs. */
  private async cleanupHistory(ds: DaemonSet, old: ControllerRevision[], selector: Selector): Promise<void> {
    const limit = ds.spec.revisionHistoryLimit ?? 10;
    if (old.length <= limit) return;
    const pods = await this.getDaemonPods(ds, selector);
    const live = new Set<string>();
    for (const p of pods) {
      const h = p.metadata.labels?.[DAEMONSET_UNIQUE_LABEL_KEY];
      if (h) live.add(h);
    }
    for (const rev of revisionsToDelete(old, limit, live)) {
      try {
        await this.historyClient.namespace(rev.metadata.namespace).delete(rev.metadata.name ?? '');
      } catch (err) {
        if (!isStatus(err, 404)) throw err;
      }
    }
  }

  // ---- status ----

  private async updateDaemonSetStatus(ds: DaemonSet, nodes: Node[], hash: string, selector: Selector, updateObservedGen: boolean): Promise<void> {
    const nodeToDaemonPods = await this.getNodesToDaemonPods(ds, selector);
    const counts = calculateStatus(ds, nodes, nodeToDaemonPods, hash, Date.now());
    await this.storeDaemonSetStatus(ds, counts, updateObservedGen);
    // Ready but not yet available: look again once minReadySeconds has passed.
    const minReady = ds.spec.minReadySeconds ?? 0;
    if (minReady > 0 && counts.numberReady !== counts.numberAvailable) this.queue.addAfter(metaNamespaceKeyFunc(ds), minReady * 1000);
  }

  private async storeDaemonSetStatus(ds: DaemonSet, counts: DaemonSetCounts, updateObservedGen: boolean): Promise<void> {
    if (statusUpToDate(ds, counts)) return;
    const rc = this.dsClient.namespace(ds.metadata.namespace);
    let current: DaemonSet = ds;
    for (let i = 0; ; i++) {
      const status = { ...(current.status ?? {}), ...counts };
      if (updateObservedGen) status.observedGeneration = current.metadata.generation;
      try {
        await rc.updateStatus({ ...current, ...DAEMONSET_GVK, status });
        return;
      } catch (err) {
        if (i >= STATUS_UPDATE_RETRIES) throw err;
        current = await rc.get(ds.metadata.name ?? '');
        if (current.metadata.uid !== ds.metadata.uid) return;
      }
    }
  }
}
