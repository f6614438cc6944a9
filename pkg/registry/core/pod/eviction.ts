// pods/eviction, after upstream's EvictionREST (pkg/registry/core/pod/storage/eviction.go):
// a delete that a PodDisruptionBudget may refuse. The budget's disruptionsAllowed
// (kept by the disruption controller) is checked and spent in one guaranteedUpdate
// of the budget, then the pod is deleted.
import { isPodReady, isPodTerminal } from '../../../../api/core/v1/pod.js';
import type { Pod } from '../../../../api/core/v1/types.js';
import { StatusError, newBadRequest } from '../../../../api/meta/v1/status.js';
import type { PodDisruptionBudget } from '../../../../api/policy/v1/types.js';
import { selectorFromLabelSelector } from '../../../../api/labels/selector.js';
import { nowRFC3339, type DeleteOptions, type RequestContext, type Store } from '../../store.js';

export interface Eviction {
  metadata?: { name?: string };
  deleteOptions?: DeleteOptions & { dryRun?: string[] };
}

function tooManyRequests(cause: string): StatusError {
  return new StatusError(429, 'TooManyRequests', "Cannot evict pod as it would violate the pod's disruption budget.", {
    causes: [{ reason: 'DisruptionBudget', message: cause }],
  });
}

/** A pod not running (finished, not started, or already going) is deleted without asking its budget. */
function canIgnorePDB(pod: Pod): boolean {
  return !!pod.metadata.deletionTimestamp || isPodTerminal(pod) || pod.status?.phase === 'Pending';
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
    // Stored pods passed validation.
    const pod = (await this.pods.get(ctx, name)) as Pod;
    if (!canIgnorePDB(pod)) {
      const budgets = (await this.pdbs.list({ namespace: ctx.namespace })).items.filter((p) =>
        selectorFromLabelSelector((p as PodDisruptionBudget).spec?.selector ?? {}).matches(pod.metadata.labels),
      );
      if (budgets.length > 1)
        throw new StatusError(500, 'InternalError', 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.');
      if (budgets.length === 1) await this.checkAndDecrement(ctx, budgets[0].metadata.name ?? '', pod);
    }
    await this.pods.delete(ctx, name, opts);
  }

  /** Spends one disruption of the budget for pod, or refuses with 429; with dryRun only checks. */
  private async checkAndDecrement(ctx: RequestContext, pdbName: string, pod: Pod): Promise<void> {
    const ready = isPodReady(pod);
    await this.pdbs.storage.guaranteedUpdate(ctx.namespace, pdbName, (obj) => {
      const pdb = obj as PodDisruptionBudget;
      const st = pdb.status;
      // No status yet means the disruption controller has not seen the budget.
      if (!st || (st.observedGeneration ?? 0) < (pdb.metadata.generation ?? 1))
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
