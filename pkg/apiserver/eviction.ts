// pods/eviction: a delete that a PodDisruptionBudget may refuse. The budget's
// disruptionsAllowed (kept by the disruption controller) is spent here, in the
// same optimistic-concurrency way Kubernetes spends it.
import type { KubeObject } from '../../api/meta/v1/types.js';
import { StatusError } from '../../api/meta/v1/status.js';
import { selectorFromLabelSelector, type LabelSelector } from '../util/labels/selector.js';
import type { DeleteOptions, RequestContext, Store } from '../registry/store.js';

interface PDB extends KubeObject {
  spec?: { selector?: LabelSelector };
  status?: { observedGeneration?: number; disruptionsAllowed?: number; currentHealthy?: number; desiredHealthy?: number; disruptedPods?: Record<string, string> };
}

const MAX_RETRIES = 5;

function tooManyRequests(cause: string): StatusError {
  return new StatusError(429, 'TooManyRequests', "Cannot evict pod as it would violate the pod's disruption budget.", { causes: [{ reason: 'DisruptionBudget', message: cause }] });
}

function podReady(pod: KubeObject): boolean {
  const conditions = ((pod.status ?? {}) as { conditions?: Array<{ type: string; status: string }> }).conditions ?? [];
  return conditions.some((c) => c.type === 'Ready' && c.status === 'True');
}

export class Evictions {
  constructor(private readonly pods: Store, private readonly pdbs: Store) {}

  async evict(ctx: RequestContext, name: string, opts: DeleteOptions): Promise<void> {
    const namespace = ctx.namespace as string;
    for (let attempt = 0; ; attempt++) {
      const pod = await this.pods.storage.mustGet(namespace, name);
      const phase = ((pod.status ?? {}) as { phase?: string }).phase;
      // Pods that are not running (or already going) can always be evicted.
      if (!pod.metadata.deletionTimestamp && phase !== 'Succeeded' && phase !== 'Failed' && phase !== 'Pending') {
        const budgets = (await this.pdbs.storage.list({ namespace })).items.filter((p) => selectorFromLabelSelector((p as PDB).spec?.selector ?? {}).matches(pod.metadata.labels)) as PDB[];
        if (budgets.length > 1) throw new StatusError(500, 'InternalError', 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.');
        const pdb = budgets[0];
        if (pdb) {
          const st = pdb.status ?? {};
          if ((st.observedGeneration ?? 0) < (pdb.metadata.generation ?? 1)) throw tooManyRequests(`The disruption budget ${pdb.metadata.name} is still being processed by the server.`);
          // An unready pod does not count as healthy: evicting it spends nothing while the budget is met.
          const spend = podReady(pod) || (st.currentHealthy ?? 0) < (st.desiredHealthy ?? 0);
          if (spend) {
            if ((st.disruptionsAllowed ?? 0) <= 0) throw tooManyRequests(`The disruption budget ${pdb.metadata.name} needs ${st.desiredHealthy ?? 0} healthy pods and has ${st.currentHealthy ?? 0} currently`);
            if (!ctx.dryRun) {
              const updated: PDB = { ...pdb, status: { ...st, disruptionsAllowed: (st.disruptionsAllowed ?? 0) - 1, disruptedPods: { ...(st.disruptedPods ?? {}), [name]: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z') } } };
              try {
                await this.pdbs.storage.update(updated, Number(pdb.metadata.resourceVersion));
              } catch (err) {
                if (err instanceof StatusError && err.reason === 'Conflict' && attempt < MAX_RETRIES) continue;
                throw err;
              }
            }
          }
        }
      }
      await this.pods.delete(ctx, name, opts);
      return;
    }
  }
}
