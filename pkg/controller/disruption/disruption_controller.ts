// The disruption controller: keeps each PodDisruptionBudget's status (healthy
// pods, how many may be disrupted) current, for the eviction subresource to spend.
import { isDeepStrictEqual } from 'node:util';
import { isPodReady, isPodTerminal } from '../../../api/core/v1/pod.js';
import type { Pod } from '../../../api/core/v1/types.js';
import type { KubeObject } from '../../../api/meta/v1/types.js';
import type { PodDisruptionBudget, PodDisruptionBudgetStatus } from '../../../api/policy/v1/types.js';
import type { SharedIndexInformer } from '../../client/informer.js';
import { controllerRef } from '../../client/controllerutil.js';
import { isStatus } from '../../client/rest.js';
import { RateLimitingQueue, runWorkers } from '../../client/workqueue.js';
import { selectorFromLabelSelector } from '../../../api/labels/selector.js';
import type { Controller, ControllerContext } from '../context.js';

/** Scalable owners whose spec.replicas is the pods' expected count (upstream's finders). */
const SCALABLE: Record<string, [string, string]> = {
  ReplicaSet: ['apps/v1', 'replicasets'],
  StatefulSet: ['apps/v1', 'statefulsets'],
  ReplicationController: ['v1', 'replicationcontrollers'],
};

/** Disrupted pods not seen deleted within this time are counted as healthy again (upstream's DeletionTimeout). */
const DELETION_TIMEOUT_MS = 2 * 60_000;

/** An int, or a percentage of total rounded up, as intstr.GetScaledValueFromIntOrPercent(roundUp=true). */
export function scaled(v: number | string, total: number): number {
  if (typeof v === 'number') return v;
  const m = /^(\d+)%$/.exec(v);
  if (!m) return Number(v);
  return Math.ceil((Number(m[1]) * total) / 100);
}

export class DisruptionController implements Controller {
  private readonly queue = new RateLimitingQueue<string>(undefined, 'disruption');
  private readonly pdbs: SharedIndexInformer<PodDisruptionBudget>;
  private readonly pods: SharedIndexInformer<Pod>;

  constructor(private readonly ctx: ControllerContext) {
    this.pdbs = ctx.informers.forResource<PodDisruptionBudget>('policy/v1', 'poddisruptionbudgets');
    this.pods = ctx.informers.forResource<Pod>('v1', 'pods');
    const key = (o: KubeObject) => `${o.metadata.namespace}/${o.metadata.name}`;
    this.pdbs.addEventHandler({ onAdd: (p) => this.queue.add(key(p)), onUpdate: (_o, p) => this.queue.add(key(p)) });
    const forPod = (pod: Pod) => {
      for (const pdb of this.pdbs.lister.list(pod.metadata.namespace)) {
        if (selectorFromLabelSelector(pdb.spec?.selector ?? {}).matches(pod.metadata.labels)) this.queue.add(key(pdb));
      }
    };
    this.pods.addEventHandler({
      onAdd: forPod,
      onUpdate: (o, p) => {
        forPod(o);
        forPod(p);
      },
      onDelete: forPod,
    });
  }

  async run(workers: number, signal: AbortSignal): Promise<void> {
    signal.addEventListener('abort', () => this.queue.shutDown(), { once: true });
    await Promise.all([this.pdbs.waitForCacheSync(), this.pods.waitForCacheSync()]);
    await runWorkers(this.queue, workers, (key) => this.sync(key), { log: this.ctx.log });
  }

  /** The expected pod count: the owners' replicas where pods have scalable owners, else the pods themselves. */
  private async expectedCount(pods: Pod[]): Promise<number> {
    const owners = new Map<string, number>();
    let unowned = 0;
    for (const pod of pods) {
      const ref = controllerRef(pod);
      const target = ref && SCALABLE[ref.kind];
      if (!ref || !target) {
        unowned++;
        continue;
      }
      const k = `${ref.kind}/${ref.name}`;
      if (owners.has(k)) continue;
      try {
        const owner = await this.ctx.client.resource(target[0], target[1]).namespace(pod.metadata.namespace).get(ref.name);
        owners.set(k, ((owner.spec ?? {}) as { replicas?: number }).replicas ?? 1);
      } catch (err) {
        if (!isStatus(err, 404)) throw err;
        unowned++;
      }
    }
    return unowned + [...owners.values()].reduce((a, b) => a + b, 0);
  }

  async sync(key: string): Promise<void> {
    const [namespace, name] = key.split('/');
    const pdb = this.pdbs.lister.get(namespace, name);
    if (!pdb) return;
    const selector = selectorFromLabelSelector(pdb.spec?.selector ?? {});
    const pods = this.pods.lister.list(namespace).filter((p) => selector.matches(p.metadata.labels) && !isPodTerminal(p));
    const now = Date.now();
    // Pods evicted but not yet gone stay counted as disrupted for a while.
    const disrupted: Record<string, string> = {};
    for (const [pod, at] of Object.entries(pdb.status?.disruptedPods ?? {})) {
      const p = pods.find((x) => x.metadata.name === pod);
      if (p && !p.metadata.deletionTimestamp && typeof at === 'string' && now - Date.parse(at) < DELETION_TIMEOUT_MS) disrupted[pod] = at;
    }
    const expectedPods = await this.expectedCount(pods);
    const currentHealthy = pods.filter((p) => isPodReady(p) && !p.metadata.deletionTimestamp && !disrupted[p.metadata.name ?? '']).length;
    let desiredHealthy: number;
    if (pdb.spec?.maxUnavailable !== undefined) desiredHealthy = Math.max(0, expectedPods - scaled(pdb.spec.maxUnavailable, expectedPods));
    else desiredHealthy = scaled(pdb.spec?.minAvailable ?? 1, expectedPods);
    const disruptionsAllowed = Math.max(0, currentHealthy - desiredHealthy);
    const allowed = disruptionsAllowed > 0;
    const old = pdb.status?.conditions?.find((c) => c.type === 'DisruptionAllowed');
    const condition = {
      type: 'DisruptionAllowed',
      status: allowed ? 'True' : 'False',
      reason: allowed ? 'SufficientPods' : 'InsufficientPods',
      message: '',
      observedGeneration: pdb.metadata.generation,
      lastTransitionTime: old && old.status === (allowed ? 'True' : 'False') ? old.lastTransitionTime : new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    };
    const status: PodDisruptionBudgetStatus = {
      observedGeneration: pdb.metadata.generation,
      disruptedPods: Object.keys(disrupted).length ? disrupted : undefined,
      disruptionsAllowed,
      currentHealthy,
      desiredHealthy,
      expectedPods,
      conditions: [condition],
    };
    // A JSON round trip drops the undefined fields, as the stored status has none.
    const clean = JSON.parse(JSON.stringify(status)) as PodDisruptionBudgetStatus;
    if (isDeepStrictEqual(clean, JSON.parse(JSON.stringify(pdb.status ?? {})))) return;
    await this.ctx.client
      .resource<PodDisruptionBudget>('policy/v1', 'poddisruptionbudgets')
      .namespace(namespace)
      .updateStatus({ ...pdb, status: clean });
  }
}
