// The StatefulSet controller (pkg/controller/statefulset/stateful_set.go): event
// handlers map pods and ControllerRevisions to their StatefulSet's key; sync(key)
// claims the set's pods (adopting orphans whose name and labels say they are its
// members, releasing pods that no longer match) and hands them to
// StatefulSetControl, which does one ordered step of the work.
import type { PersistentVolumeClaim, Pod } from '../../../api/core/v1/types.js';
import type { ControllerRevision, StatefulSet } from '../../../api/apps/v1/types.js';
import type { KubeObject } from '../../../api/meta/v1/types.js';
import { controllerRef, newControllerRef } from '../../client/controllerutil.js';
import type { SharedIndexInformer } from '../../client/informer.js';
import { isStatus, type ResourceClient } from '../../client/rest.js';
import { metaNamespaceKeyFunc, splitMetaNamespaceKey } from '../../client/store.js';
import { RateLimitingQueue, runWorkers } from '../../client/workqueue.js';
import { selectorFromLabelSelector, type Selector } from '../../../api/labels/selector.js';
import type { Controller, ControllerContext } from '../context.js';
import { adoptPatch, claimObject, ownersSelecting, releasePatch, resolveControllerRef } from '../controller_ref_manager.js';
import { StatefulPodControl } from './stateful_pod_control.js';
import { StatefulSetControl } from './stateful_set_control.js';
import { isMemberOf } from './stateful_set_utils.js';
import { STATEFULSET_GVK } from './types.js';

export class StatefulSetController implements Controller {
  readonly queue = new RateLimitingQueue<string>(undefined, 'statefulset');
  private readonly setInformer: SharedIndexInformer<StatefulSet>;
  private readonly podInformer: SharedIndexInformer<Pod>;
  private readonly revisionInformer: SharedIndexInformer<ControllerRevision>;
  private readonly claimInformer: SharedIndexInformer<PersistentVolumeClaim>;
  private readonly setClient: ResourceClient<StatefulSet>;
  private readonly podClient: ResourceClient<Pod>;
  private readonly control: StatefulSetControl;

  constructor(private readonly deps: ControllerContext) {
    this.setInformer = deps.informers.forResource<StatefulSet>('apps/v1', 'statefulsets');
    this.podInformer = deps.informers.forResource<Pod>('v1', 'pods');
    this.revisionInformer = deps.informers.forResource<ControllerRevision>('apps/v1', 'controllerrevisions');
    this.claimInformer = deps.informers.forResource<PersistentVolumeClaim>('v1', 'persistentvolumeclaims');
    this.setClient = deps.client.resource<StatefulSet>('apps/v1', 'statefulsets');
    this.podClient = deps.client.resource<Pod>('v1', 'pods');
    const podControl = new StatefulPodControl({
      pods: this.podClient,
      claims: deps.client.resource<PersistentVolumeClaim>('v1', 'persistentvolumeclaims'),
      claimLister: this.claimInformer.lister,
      recorder: deps.recorder,
    });
    this.control = new StatefulSetControl({
      podControl,
      sets: this.setClient,
      revisions: deps.client.resource<ControllerRevision>('apps/v1', 'controllerrevisions'),
      revisionLister: this.revisionInformer.lister,
      recorder: deps.recorder,
      log: deps.log,
    });
    this.setInformer.addEventHandler({
      onAdd: (s) => this.enqueue(s),
      onUpdate: (_old, cur) => this.enqueue(cur),
      onDelete: (s) => this.enqueue(s),
    });
    this.podInformer.addEventHandler({
      onAdd: (p) => this.addPod(p),
      onUpdate: (old, cur) => this.updatePod(old, cur),
      onDelete: (p) => this.enqueueOwner(p),
    });
    this.revisionInformer.addEventHandler({
      onAdd: (r) => this.enqueueOwner(r),
      onDelete: (r) => this.enqueueOwner(r),
    });
  }

  async run(workers: number, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return;
    signal.addEventListener('abort', () => this.queue.shutDown(), { once: true });
    this.deps.log('starting statefulset controller', { workers });
    this.deps.informers.start();
    await Promise.all([this.setInformer, this.podInformer, this.revisionInformer, this.claimInformer].map((i) => i.waitForCacheSync()));
    await runWorkers(this.queue, workers, (key) => this.sync(key), { log: (m) => this.deps.log(m) });
    this.deps.log('statefulset controller stopped');
  }

  // ---- event handlers: map to StatefulSet keys, nothing else ----

  private enqueue(set: StatefulSet): void {
    this.queue.add(metaNamespaceKeyFunc(set));
  }

  private enqueueOwner(obj: KubeObject): boolean {
    const ref = controllerRef(obj);
    if (!ref) return false;
    const set = resolveControllerRef(this.setInformer.lister, obj.metadata.namespace ?? '', ref, STATEFULSET_GVK.kind, 'apps');
    if (set) this.enqueue(set);
    return true;
  }

  /** getPodStatefulSets: sets whose selector matches an orphan pod (candidates to adopt it). */
  private podStatefulSets(pod: Pod): StatefulSet[] {
    return ownersSelecting(this.setInformer.lister.list(pod.metadata.namespace ?? ''), pod.metadata.labels, (set) => set.spec?.selector);
  }

  private addPod(pod: Pod): void {
    if (!this.enqueueOwner(pod)) for (const set of this.podStatefulSets(pod)) this.enqueue(set);
  }

  private updatePod(old: Pod, cur: Pod): void {
    if (old.metadata.resourceVersion === cur.metadata.resourceVersion) return;
    const oldRef = controllerRef(old);
    const curRef = controllerRef(cur);
    if (oldRef && oldRef.uid !== curRef?.uid) this.enqueueOwner(old);
    if (curRef) {
      this.enqueueOwner(cur);
      return;
    }
    const labelsChanged = JSON.stringify(old.metadata.labels ?? {}) !== JSON.stringify(cur.metadata.labels ?? {});
    if (labelsChanged || oldRef) for (const set of this.podStatefulSets(cur)) this.enqueue(set);
  }

  // ---- sync ----

  /** sync(key): one step of reconciliation for one StatefulSet. */
  async sync(key: string): Promise<void> {
    const { namespace, name } = splitMetaNamespaceKey(key);
    const set = this.setInformer.lister.get(namespace, name);
    if (!set) {
      this.deps.log.v(4)('statefulset has been deleted', { key });
      return;
    }
    if (!set.spec || typeof set.spec !== 'object') {
      void this.deps.recorder.event(set, 'Warning', 'InvalidSpec', 'StatefulSet has no spec', STATEFULSET_GVK);
      return;
    }
    let selector: Selector;
    try {
      selector = selectorFromLabelSelector(set.spec.selector);
    } catch (err) {
      // An unusable selector will not fix itself by retrying: report it and move on.
      void this.deps.recorder.event(set, 'Warning', 'InvalidSelector', `Error converting StatefulSet selector: ${(err as Error).message}`, STATEFULSET_GVK);
      return;
    }
    const pods = await this.getPodsForStatefulSet(set, selector);
    const { requeueAfterMs } = await this.control.updateStatefulSet(set, pods);
    if (requeueAfterMs !== undefined) this.queue.addAfter(key, requeueAfterMs);
  }

  /**
   * getPodsForStatefulSet: the pods it controls, after adopting orphans that match
   * its selector and are named as its members, and releasing owned pods that no
   * longer match either.
   */
  private async getPodsForStatefulSet(set: StatefulSet, selector: Selector): Promise<Pod[]> {
    const out: Pod[] = [];
    const ns = set.metadata.namespace ?? '';
    const podClient = this.podClient.namespace(ns);
    const belongs = (p: Pod) => !selector.isEmpty() && selector.matches(p.metadata.labels ?? {}) && isMemberOf(set, p);
    // A pod that vanished (404) or changed under us (422) while being patched is simply not ours.
    const patch = async (pod: Pod, body: unknown): Promise<Pod | undefined> => {
      try {
        return await podClient.patch(pod.metadata.name ?? '', 'strategic', body);
      } catch (err) {
        if (!isStatus(err, 404) && !isStatus(err, 422)) throw err;
        return undefined;
      }
    };
    // Unlike ClaimPods, errors are not collected: the first one ends the claim.
    for (const pod of this.podInformer.lister.list(ns)) {
      const claimed = await claimObject(pod, {
        owner: set,
        // A set being deleted keeps (does not release) every pod it controls.
        match: (p) => belongs(p) || !!set.metadata.deletionTimestamp,
        adopt: (p) => patch(p, adoptPatch(p, newControllerRef(set, STATEFULSET_GVK))),
        release: async (p) => {
          await patch(p, releasePatch(p, set.metadata.uid));
        },
        // A fresh read before each adoption guards against adopting for a set that is gone or going.
        canAdopt: async () => {
          const fresh = await this.setClient.namespace(ns).get(set.metadata.name ?? '');
          return fresh.metadata.uid === set.metadata.uid && !fresh.metadata.deletionTimestamp;
        },
      });
      if (claimed) out.push(claimed);
    }
    return out;
  }
}
