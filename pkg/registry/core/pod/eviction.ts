// pods/eviction, after upstream's EvictionREST (pkg/registry/core/pod/storage/eviction.go):
// a delete that a PodDisruptionBudget may refuse. The budget's disruptionsAllowed
// (kept by the disruption controller) is checked and spent in one guaranteedUpdate
// of the budget, then the pod is deleted.
import type { KubeObject } from '../../../../api/meta/v1/types.js';
import { StatusError, newBadRequest } from '../../../../api/meta/v1/status.js';
import { selectorFromLabelSelector, type LabelSelector } from '../../../../api/labels/selector.js';
import { nowRFC3339, type DeleteOptions, type RequestContext, type Store } from '../../store.js';

export interface Eviction {
  metadata?: { name?: string };
  deleteOptions?: DeleteOptions & { dryRun?: string[] };
}

interface PDB extends KubeObject {
  spec?: { selector?: LabelSelector };
  status?: {
    observedGeneration?: number;
    disruptionsAllowed?: number;
    currentHealthy?: number;
    desiredHealthy?: number;
    disruptedPods?: Record<string, string>;
  };
}

function tooManyRequests(cause: string): StatusError {
  return new StatusError(429, 'TooManyRequests', "Cannot evict pod as it would violate the pod's disruption budget.", {
    causes: [{ reason: 'DisruptionBudget', message: cause }],
  });
}

function podReady(pod: KubeObject): boolean {
  const conditions = ((pod.status ?? {}) as { conditions?: Array<{ type: string; status: string }> }).conditions ?? [];
  return conditions.some((c) => c.type === 'Ready' && c.status === 'True');
}

/** A pod not running (finished, not started, or already going) is deleted without asking its budget. */
function canIgnorePDB(pod: KubeObject): boolean {
  const phase = (pod.status as { phase?: string } | undefined)?.phase;
  return !!pod.metadata.deletionTimestamp || phase === 'Succeeded' || phase === 'Failed' || phase === 'Pending';
}

export class EvictionREST {
  constructor(
    private readonly pods: Store,
    private readonly pdbs: Store,
  ) {}

  async create(ctx: RequestContext, name: string, eviction: Eviction): Promise<void> {
    if (eviction?.metadata?.name && eviction.metadata.name !== name) throw newBadRequest('name in URL does not match name in Eviction object');
    const opts = eviction?.deleteOptions ?? {};
    if (opts.dryRun?.includes('All')) ctx = { ...ctx, dryRun: true };
    const pod = await this.pods.get(ctx, name);
    if (!canIgnorePDB(pod)) {
      const budgets = (await this.pdbs.list({ namespace: ctx.namespace })).items.filter((p) =>
        selectorFromLabelSelector((p as PDB).spec?.selector ?? {}).matches(pod.metadata.labels),
      );
      if (budgets.length > 1)
        throw new StatusError(500, 'InternalError', 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.');
      if (budgets.length === 1) await this.checkAndDecrement(ctx, budgets[0].metadata.name ?? '', pod);
    }
    await this.pods.delete(ctx, name, opts);
  }

  /** Spends one disruption of the budget for pod, or refuses with 429; with dryRun only checks. */
  private async checkAndDecrement(ctx: RequestContext, pdbName: string, pod: KubeObject): Promise<void> {
    const ready = podReady(pod);
    await this.pdbs.storage.guaranteedUpdate(ctx.namespace, pdbName, (obj) => {
      const pdb = obj as PDB;
      const st = pdb.status ?? {};
      if ((st.observedGeneration ?? 0) < (pdb.metadata.generation ?? 1))
        throw tooManyRequests(`The disruption budget ${pdbName} is still being processed by the server.`);
      // An unready pod does not count as healthy: evicting it spends nothing while the budget is met.
      if (!ready && (st.currentHealthy ?? 0) >= (st.desiredHealthy ?? 0)) return undefined;
      if ((st.disruptionsAllowed ?? 0) <= 0)
        throw tooManyRequests(`The disruption budget ${pdbName} needs ${st.desiredHealthy ?? 0} healthy pods and has ${st.currentHealthy ?? 0} currently`);
      if (ctx.dryRun) return undefined;
      // disruptedPods tells the disruption controller the pod is going (a computed key is an own property).
      pdb.status = {
        ...st,
        disruptionsAllowed: (st.disruptionsAllowed ?? 0) - 1,
        disruptedPods: { ...(st.disruptedPods ?? {}), [pod.metadata.name ?? '']: nowRFC3339() },
      };
      return pdb;
    });
  }
}
