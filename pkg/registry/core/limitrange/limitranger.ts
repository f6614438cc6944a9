// The LimitRanger admission plugin (upstream's plugin/pkg/admission/limitranger) on
// pod creates: the namespace's LimitRanges give containers their default limits and
// requests (recorded in the kubernetes.io/limit-ranger annotation), then every
// Container and Pod item's min, max and maxLimitRequestRatio must hold.
import type { Container, LimitRange, LimitRangeItem, Pod } from '../../../../api/core/v1/types.js';
import type { KubeObject } from '../../../../api/meta/v1/types.js';
import { newForbidden } from '../../../../api/meta/v1/status.js';
import { parseQuantity, type Quantity } from '../../../../api/resource/quantity.js';
import { getOwn, hasOwn, setOwn } from '../../../../api/util/ownkeys.js';
import { formatResource } from '../../../util/quota/resources.js';
import type { LiveLookupLister } from '../../livelookup.js';
import type { AdmissionPlugin, RequestContext } from '../../store.js';

export const LIMIT_RANGER_ANNOTATION = 'kubernetes.io/limit-ranger';

type ResourceList = { [key: string]: Quantity };

function entries(list: ResourceList | undefined | null): Array<[string, Quantity]> {
  return list && typeof list === 'object' ? Object.entries(list) : [];
}

/**
 * SetDefaults_LimitRangeItem for Container items: the default limit falls back to
 * max, the default request to the default limit, then to min.
 */
export function containerDefaults(item: LimitRangeItem): { limits: ResourceList; requests: ResourceList } {
  const limits: ResourceList = Object.create(null) as ResourceList;
  const requests: ResourceList = Object.create(null) as ResourceList;
  for (const [k, v] of entries(item.default)) setOwn(limits, k, v);
  for (const [k, v] of entries(item.max)) if (!hasOwn(limits, k)) setOwn(limits, k, v);
  for (const [k, v] of entries(item.defaultRequest)) setOwn(requests, k, v);
  for (const [k, v] of entries(limits)) if (!hasOwn(requests, k)) setOwn(requests, k, v);
  for (const [k, v] of entries(item.min)) if (!hasOwn(requests, k)) setOwn(requests, k, v);
  return { limits, requests };
}

/** mergeContainerResources: sets what the container lacks; returns the annotation's phrases. */
function mergeContainerResources(c: Container, defaults: { limits: ResourceList; requests: ResourceList }, prefix: string): string[] {
  const resources = (c.resources ??= {});
  const setLimits: string[] = [];
  const setRequests: string[] = [];
  for (const [k, v] of entries(defaults.limits)) {
    resources.limits ??= {};
    if (!hasOwn(resources.limits, k)) {
      setOwn(resources.limits, k, v);
      setLimits.push(k);
    }
  }
  for (const [k, v] of entries(defaults.requests)) {
    resources.requests ??= {};
    if (!hasOwn(resources.requests, k)) {
      setOwn(resources.requests, k, v);
      setRequests.push(k);
    }
  }
  const out: string[] = [];
  if (setRequests.length) out.push(`${setRequests.sort().join(', ')} request for ${prefix} ${c.name}`);
  if (setLimits.length) out.push(`${setLimits.sort().join(', ')} limit for ${prefix} ${c.name}`);
  return out;
}

function containersOf(pod: Pod): { containers: Container[]; init: Container[] } {
  const spec = pod.spec;
  return {
    containers: Array.isArray(spec?.containers) ? spec.containers.filter((c) => c && typeof c === 'object') : [],
    init: Array.isArray(spec?.initContainers) ? spec.initContainers.filter((c) => c && typeof c === 'object') : [],
  };
}

/** PodMutateLimitFunc: applies one LimitRange's Container defaults to a pod. */
export function defaultPodResources(limitRange: LimitRange, pod: Pod): void {
  const { containers, init } = containersOf(pod);
  const phrases: string[] = [];
  for (const item of limitRange.spec?.limits ?? []) {
    if (item?.type !== 'Container') continue;
    const defaults = containerDefaults(item);
    for (const c of containers) phrases.push(...mergeContainerResources(c, defaults, 'container'));
    for (const c of init) phrases.push(...mergeContainerResources(c, defaults, 'init container'));
  }
  if (phrases.length === 0) return;
  pod.metadata.annotations ??= {};
  setOwn(pod.metadata.annotations, LIMIT_RANGER_ANNOTATION, `LimitRanger plugin set: ${phrases.join('; ')}`);
}

function text(q: Quantity): string {
  return String(q);
}

function minConstraint(type: string, name: string, enforced: Quantity, requests: ResourceList, limits: ResourceList): string | undefined {
  const min = parseQuantity(enforced) ?? 0;
  if (!hasOwn(requests, name)) return `minimum ${name} usage per ${type} is ${text(enforced)}.  No request is specified`;
  const req = getOwn(requests, name) as Quantity;
  if ((parseQuantity(req) ?? 0) < min) return `minimum ${name} usage per ${type} is ${text(enforced)}, but request is ${text(req)}`;
  const lim = hasOwn(limits, name) ? (getOwn(limits, name) as Quantity) : undefined;
  if (lim !== undefined && (parseQuantity(lim) ?? 0) < min) return `minimum ${name} usage per ${type} is ${text(enforced)}, but limit is ${text(lim)}`;
  return undefined;
}

function maxConstraint(type: string, name: string, enforced: Quantity, requests: ResourceList, limits: ResourceList): string | undefined {
  const max = parseQuantity(enforced) ?? 0;
  if (!hasOwn(limits, name)) return `maximum ${name} usage per ${type} is ${text(enforced)}.  No limit is specified`;
  const lim = getOwn(limits, name) as Quantity;
  if ((parseQuantity(lim) ?? 0) > max) return `maximum ${name} usage per ${type} is ${text(enforced)}, but limit is ${text(lim)}`;
  const req = hasOwn(requests, name) ? (getOwn(requests, name) as Quantity) : undefined;
  if (req !== undefined && (parseQuantity(req) ?? 0) > max) return `maximum ${name} usage per ${type} is ${text(enforced)}, but request is ${text(req)}`;
  return undefined;
}

function ratioConstraint(type: string, name: string, enforced: Quantity, requests: ResourceList, limits: ResourceList): string | undefined {
  const req = hasOwn(requests, name) ? (parseQuantity(getOwn(requests, name)) ?? 0) : 0;
  const lim = hasOwn(limits, name) ? (parseQuantity(getOwn(limits, name)) ?? 0) : 0;
  if (req === 0) return `${name} max limit to request ratio per ${type} is ${text(enforced)}, but no request is specified or request is 0`;
  if (lim === 0) return `${name} max limit to request ratio per ${type} is ${text(enforced)}, but no limit is specified or limit is 0`;
  const ratio = lim / req;
  // Compared in thousandths, as upstream compares milli-values.
  if (Math.round(ratio * 1e6) > Math.round((parseQuantity(enforced) ?? 0) * 1e6)) {
    return `${name} max limit to request ratio per ${type} is ${text(enforced)}, but provided ratio is ${ratio.toFixed(6)}`;
  }
  return undefined;
}

/** The checks of one item against one set of requests and limits. */
function checkItem(item: LimitRangeItem, type: string, requests: ResourceList, limits: ResourceList): string[] {
  const errs: Array<string | undefined> = [];
  for (const [k, v] of entries(item.min)) errs.push(minConstraint(type, k, v, requests, limits));
  for (const [k, v] of entries(item.max)) errs.push(maxConstraint(type, k, v, requests, limits));
  for (const [k, v] of entries(item.maxLimitRequestRatio)) errs.push(ratioConstraint(type, k, v, requests, limits));
  return errs.filter((e): e is string => e !== undefined);
}

/** podRequests / podLimits: the containers' sum, at least any init container's. */
function podTotals(pod: Pod, which: 'requests' | 'limits'): ResourceList {
  const { containers, init } = containersOf(pod);
  const sum = new Map<string, number>();
  for (const c of containers) for (const [k, v] of entries(c.resources?.[which])) sum.set(k, (sum.get(k) ?? 0) + (parseQuantity(v) ?? 0));
  for (const c of init) {
    for (const [k, v] of entries(c.resources?.[which])) {
      const n = parseQuantity(v) ?? 0;
      if (n > (sum.get(k) ?? 0)) sum.set(k, n);
    }
  }
  const out: ResourceList = Object.create(null) as ResourceList;
  for (const [k, v] of sum) setOwn(out, k, formatResource(k, v));
  return out;
}

/** PodValidateLimitFunc: the errors of one LimitRange against a pod, in upstream's order. */
export function validatePodLimits(limitRange: LimitRange, pod: Pod): string[] {
  const errs: string[] = [];
  const { containers, init } = containersOf(pod);
  for (const item of limitRange.spec?.limits ?? []) {
    if (item?.type === 'Container') {
      for (const c of [...containers, ...init]) errs.push(...checkItem(item, 'Container', c.resources?.requests ?? {}, c.resources?.limits ?? {}));
    } else if (item?.type === 'Pod') {
      errs.push(...checkItem(item, 'Pod', podTotals(pod, 'requests'), podTotals(pod, 'limits')));
    }
  }
  return errs;
}

/** utilerrors.NewAggregate's message: one error as is, several in brackets. */
function aggregate(errs: string[]): string {
  return errs.length === 1 ? errs[0] : `[${errs.join(', ')}]`;
}

export class LimitRanger implements AdmissionPlugin {
  readonly name = 'LimitRanger';
  constructor(private readonly limitRanges: LiveLookupLister<LimitRange>) {}

  private async rangesFor(ctx: RequestContext, obj: KubeObject): Promise<LimitRange[]> {
    const namespace = ctx.namespace ?? obj.metadata.namespace;
    return namespace ? this.limitRanges.list(namespace) : [];
  }

  async admitCreate(obj: KubeObject, ctx: RequestContext): Promise<void> {
    for (const lr of await this.rangesFor(ctx, obj)) defaultPodResources(lr, obj as Pod);
  }

  async validateCreate(obj: KubeObject, ctx: RequestContext): Promise<void> {
    for (const lr of await this.rangesFor(ctx, obj)) {
      const errs = validatePodLimits(lr, obj as Pod);
      if (errs.length) throw newForbidden({ group: '', resource: 'pods', name: obj.metadata.name }, aggregate(errs));
    }
  }
}
