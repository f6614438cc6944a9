// The ResourceQuota admission plugin (upstream's plugin/pkg/admission/resourcequota)
// on creates of namespaced objects (and the updates upstream evaluates): every quota of the namespace that limits what
// the object uses (and whose scopes hold it) must have room for it, and takes it
// into status.used in the same step. That write is a guaranteedUpdate of the quota,
// so two creates racing for the last slot cannot both pass: the second one's try
// sees the first one's usage and is refused.
import type { Pod, ResourceQuota } from '../../../../api/core/v1/types.js';
import type { KubeObject } from '../../../../api/meta/v1/types.js';
import { newForbidden } from '../../../../api/meta/v1/status.js';
import type { ResourceInfo } from '../../../../api/resourceinfo.js';
import { matchingResources, podConstraints, quotaMatches, usageOf } from '../../../util/quota/evaluator.js';
import { add, fromUsage, isZero, lessThanOrEqual, mask, prettyPrint, sameUsage, subtract, toUsage, type Usage } from '../../../util/quota/resources.js';
import type { LiveLookupLister } from '../../livelookup.js';
import type { AdmissionPlugin, RequestContext, Store } from '../../store.js';

/** What a namespace's objects use of the named resources (the controller's calculation, for a quota it has not synced yet). */
export type UsageCalculator = (namespace: string, quota: ResourceQuota) => Promise<Usage>;

/**
 * A quota whose status does not yet cover its spec (new, or its hard limits just
 * changed) gets its status.hard from spec.hard and its usage counted, as the
 * resourcequota controller would, instead of admitting blind.
 */
export async function syncedQuota(quota: ResourceQuota, calculate: UsageCalculator): Promise<ResourceQuota> {
  const hard = toUsage(quota.spec?.hard);
  const statusHard = toUsage(quota.status?.hard);
  const used = toUsage(quota.status?.used);
  if (sameUsage(hard, statusHard) && [...hard.keys()].every((k) => used.has(k))) return quota;
  const namespace = quota.metadata.namespace ?? '';
  const usage = mask(await calculate(namespace, quota), hard.keys());
  for (const k of hard.keys()) if (!usage.has(k)) usage.set(k, 0);
  return { ...quota, status: { hard: fromUsage(hard), used: fromUsage(usage) } };
}

export class ResourceQuotaAdmission implements AdmissionPlugin {
  readonly name = 'ResourceQuota';
  constructor(
    private readonly quotas: Store,
    private readonly quotaLister: LiveLookupLister<ResourceQuota>,
    private readonly info: ResourceInfo,
    private readonly calculate: UsageCalculator,
  ) {}

  private refuse(obj: KubeObject, why: string): never {
    throw newForbidden({ group: this.info.group, resource: this.info.plural, name: obj.metadata.name }, why);
  }

  /**
   * checkRequest for one quota: throws upstream's refusal, or returns the quota with
   * the object's usage added (undefined when it adds nothing the quota limits).
   */
  check(quota: ResourceQuota, obj: KubeObject, delta: Usage): ResourceQuota | undefined {
    const hard = toUsage(quota.status?.hard);
    if (!quotaMatches(quota, this.info.group, this.info.plural, obj, hard.keys())) return undefined;
    const interesting = matchingResources(this.info.group, this.info.plural, hard.keys());
    if (this.info.group === '' && this.info.plural === 'pods') {
      const missing = podConstraints(interesting, obj as Pod);
      if (missing) this.refuse(obj, `failed quota: ${quota.metadata.name}: ${missing}`);
    }
    const requested = mask(delta, hard.keys());
    if (isZero(requested)) return undefined;
    const used = toUsage(quota.status?.used);
    const newUsage = mask(add(used, requested), requested.keys());
    const { allowed, exceeded } = lessThanOrEqual(newUsage, hard);
    if (!allowed) {
      this.refuse(
        obj,
        `exceeded quota: ${quota.metadata.name}, requested: ${prettyPrint(mask(requested, exceeded))}, used: ${prettyPrint(mask(used, exceeded))}, limited: ${prettyPrint(mask(hard, exceeded))}`,
      );
    }
    const next = new Map(used);
    for (const [k, v] of newUsage) next.set(k, v);
    return { ...quota, status: { hard: quota.status?.hard, used: fromUsage(next) } };
  }

  async validateCreate(obj: KubeObject, ctx: RequestContext): Promise<void> {
    await this.admit(obj, ctx, () => usageOf(this.info.group, this.info.plural, obj));
  }

  /**
   * Updates are evaluated where upstream's evaluators handle them: a Service whose type
   * or ports change, a claim that asks for more storage. Only what grows is charged.
   */
  async validateUpdate(obj: KubeObject, old: KubeObject, ctx: RequestContext, subresource?: string): Promise<void> {
    if (subresource || this.info.group !== '' || (this.info.plural !== 'services' && this.info.plural !== 'persistentvolumeclaims')) return;
    await this.admit(obj, ctx, () => {
      const delta = subtract(usageOf('', this.info.plural, obj), usageOf('', this.info.plural, old));
      for (const [k, v] of delta) if (v <= 0) delta.delete(k);
      return delta;
    });
  }

  private async admit(obj: KubeObject, ctx: RequestContext, usage: () => Usage): Promise<void> {
    const namespace = ctx.namespace ?? obj.metadata.namespace;
    if (!namespace) return;
    const items = await this.quotaLister.list(namespace);
    if (items.length === 0) return;
    const delta = usage();
    if (isZero(delta)) return;
    const quotas = [...items].sort((a, b) => ((a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1));
    // Every quota is checked before any is charged, so a refusal by one charges none.
    const charged: string[] = [];
    for (const quota of quotas) {
      if (this.check(await syncedQuota(quota, this.calculate), obj, delta)) charged.push(quota.metadata.name ?? '');
    }
    if (ctx.dryRun) return;
    const quotaCtx: RequestContext = { namespace, dryRun: false, fieldValidation: 'Ignore', warnings: [] };
    for (const name of charged) {
      await this.quotas.updateWith(
        quotaCtx,
        name,
        async (current) => {
          const quota = await syncedQuota(current as ResourceQuota, this.calculate);
          return this.check(quota, obj, delta) ?? quota;
        },
        'status',
      );
    }
  }
}
