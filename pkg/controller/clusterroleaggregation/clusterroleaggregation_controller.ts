// The ClusterRole aggregation controller (upstream's
// pkg/controller/clusterroleaggregation): a ClusterRole with an aggregationRule
// gets, as its rules, the rules of every other ClusterRole its selectors match,
// written by server-side apply so that it owns exactly the `rules` field. This is
// how admin, edit and view grow when a role labelled aggregate-to-<name> appears.
import type { KubeObject } from '../../../api/meta/v1/types.js';
import type { ClusterRole, PolicyRule } from '../../../api/rbac/v1/types.js';
import { selectorFromLabelSelector } from '../../../api/labels/selector.js';
import { RateLimitingQueue, runWorkers } from '../../client/workqueue.js';
import type { SharedIndexInformer } from '../../client/informer.js';
import type { Controller, ControllerContext } from '../context.js';

const FIELD_MANAGER = 'clusterrole-aggregation-controller';

/** A rule as the API compares it: empty lists are absent. */
function normalize(rule: PolicyRule): PolicyRule {
  const out: PolicyRule = { verbs: [...(rule.verbs ?? [])] };
  if (rule.apiGroups?.length) out.apiGroups = [...rule.apiGroups];
  if (rule.resources?.length) out.resources = [...rule.resources];
  if (rule.resourceNames?.length) out.resourceNames = [...rule.resourceNames];
  if (rule.nonResourceURLs?.length) out.nonResourceURLs = [...rule.nonResourceURLs];
  return out;
}

function sameRules(a: readonly PolicyRule[], b: readonly PolicyRule[]): boolean {
  return JSON.stringify(a.map(normalize)) === JSON.stringify(b.map(normalize));
}

/**
 * The rules role should hold: those of the roles each selector matches (by name, the
 * role itself excluded), each distinct rule once, in that order.
 */
export function aggregatedRules(role: ClusterRole, all: readonly ClusterRole[]): PolicyRule[] {
  const out: PolicyRule[] = [];
  const seen = new Set<string>();
  for (const ls of role.aggregationRule?.clusterRoleSelectors ?? []) {
    const selector = selectorFromLabelSelector(ls);
    const matched = all
      .filter((r) => r.metadata.name !== role.metadata.name && selector.matches(r.metadata.labels))
      .sort((a, b) => ((a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1));
    for (const r of matched) {
      for (const rule of r.rules ?? []) {
        const n = normalize(rule);
        const key = JSON.stringify(n);
        if (seen.has(key)) continue;
        seen.add(key);
        out.push(n);
      }
    }
  }
  return out;
}

export class ClusterRoleAggregationController implements Controller {
  private readonly queue = new RateLimitingQueue<string>(undefined, 'ClusterRoleAggregator');
  private readonly roles: SharedIndexInformer<ClusterRole>;

  constructor(private readonly ctx: ControllerContext) {
    this.roles = ctx.informers.forResource<ClusterRole>('rbac.authorization.k8s.io/v1', 'clusterroles');
    // Any change may matter to any aggregated role; there are few of them, so all are looked at again.
    const enqueueAll = () => {
      for (const r of this.roles.lister.list()) if (r.aggregationRule) this.queue.add(r.metadata.name ?? '');
    };
    this.roles.addEventHandler({ onAdd: enqueueAll, onUpdate: enqueueAll, onDelete: enqueueAll });
  }

  async run(workers: number, signal: AbortSignal): Promise<void> {
    signal.addEventListener('abort', () => this.queue.shutDown(), { once: true });
    await this.roles.waitForCacheSync();
    await runWorkers(this.queue, workers, (name) => this.syncClusterRole(name), { log: this.ctx.log });
  }

  async syncClusterRole(name: string): Promise<void> {
    const role = this.roles.lister.get(name);
    if (!role?.aggregationRule) return;
    const rules = aggregatedRules(role, this.roles.lister.list());
    if (sameRules(rules, role.rules ?? [])) return;
    const apply: KubeObject & { rules: PolicyRule[] } = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name }, rules };
    await this.ctx.client.resource('rbac.authorization.k8s.io/v1', 'clusterroles').patch(name, 'apply', apply, { fieldManager: FIELD_MANAGER, force: true });
  }
}
