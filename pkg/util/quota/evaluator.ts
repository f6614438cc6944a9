// Quota evaluators (upstream's pkg/quota/v1/evaluator/core and generic): what an
// object uses of each quota resource, which quota resources and scopes apply to
// it, and the pod constraints quota enforces. Admission and the resourcequota
// controller share them, so both count the same way.
import type { Container, Pod, PersistentVolumeClaim, ResourceQuota, Service } from '../../../api/core/v1/types.js';
import type { KubeObject } from '../../../api/meta/v1/types.js';
import { getPodQOS, isPodTerminal } from '../../../api/core/v1/pod.js';
import { add, toUsage, type Usage } from './resources.js';

/** The object-count resource of a kind: count/pods, count/deployments.apps. */
export function countResourceName(group: string, plural: string): string {
  return group === '' ? `count/${plural}` : `count/${plural}.${group}`;
}

/** The legacy count names of core kinds (`pods`, `services`, ...). */
const LEGACY_COUNTS: ReadonlyMap<string, string> = new Map([
  ['pods', 'pods'],
  ['services', 'services'],
  ['configmaps', 'configmaps'],
  ['secrets', 'secrets'],
  ['persistentvolumeclaims', 'persistentvolumeclaims'],
  ['replicationcontrollers', 'replicationcontrollers'],
  ['resourcequotas', 'resourcequotas'],
]);

const COMPUTE = ['cpu', 'memory', 'ephemeral-storage'];

/** The quota resources a pod is counted against (podResources), besides hugepages. */
const POD_RESOURCES = new Set(['pods', 'count/pods', ...COMPUTE, ...COMPUTE.map((r) => `requests.${r}`), ...COMPUTE.map((r) => `limits.${r}`)]);

/** The resources whose presence quota requires on every container (validationSet). */
const VALIDATED = ['cpu', 'memory', 'requests.cpu', 'requests.memory', 'limits.cpu', 'limits.memory'];

function isPod(group: string, plural: string): boolean {
  return group === '' && plural === 'pods';
}

/** MatchingResources: the quota resources (of those named) this kind is counted against. */
export function matchingResources(group: string, plural: string, names: Iterable<string>): string[] {
  const own = new Set([countResourceName(group, plural)]);
  const legacy = group === '' ? LEGACY_COUNTS.get(plural) : undefined;
  if (legacy) own.add(legacy);
  if (group === '' && plural === 'services') own.add('services.loadbalancers').add('services.nodeports');
  if (group === '' && plural === 'persistentvolumeclaims') own.add('requests.storage');
  const out: string[] = [];
  for (const n of names) {
    if (own.has(n) || (isPod(group, plural) && (POD_RESOURCES.has(n) || n.startsWith('requests.hugepages-')))) out.push(n);
  }
  return out;
}

function addAll(into: Usage, list: Usage, prefix = ''): void {
  for (const [k, v] of list) into.set(prefix + k, (into.get(prefix + k) ?? 0) + v);
}

/** resourcehelper.PodRequests / PodLimits: the containers' sum, at least any init container's, plus the overhead. */
function podResources(pod: Pod, which: 'requests' | 'limits'): Usage {
  const spec = pod.spec;
  let sum: Usage = new Map();
  for (const c of Array.isArray(spec?.containers) ? spec.containers : []) sum = add(sum, toUsage(c?.resources?.[which]));
  for (const c of Array.isArray(spec?.initContainers) ? spec.initContainers : []) {
    for (const [k, v] of toUsage(c?.resources?.[which])) if (v > (sum.get(k) ?? 0)) sum.set(k, v);
  }
  if (spec?.overhead) sum = add(sum, toUsage(spec.overhead));
  return sum;
}

/** podComputeUsageHelper: the quota resources a pod's requests and limits amount to. */
function podComputeUsage(requests: Usage, limits: Usage): Usage {
  const out: Usage = new Map([
    ['pods', 1],
    ['count/pods', 1],
  ]);
  for (const r of COMPUTE) {
    const req = requests.get(r);
    if (req !== undefined) {
      out.set(r, req);
      out.set(`requests.${r}`, req);
    }
    const lim = limits.get(r);
    if (lim !== undefined) out.set(`limits.${r}`, lim);
  }
  for (const [k, v] of requests) if (k.startsWith('hugepages-')) out.set(`requests.${k}`, v);
  return out;
}

/** QuotaV1Pod: a terminal pod, or one past its deletion grace period, no longer counts. */
export function podCountsForQuota(pod: Pod, now = Date.now()): boolean {
  if (isPodTerminal(pod)) return false;
  const ts = pod.metadata?.deletionTimestamp;
  if (ts && pod.metadata.deletionGracePeriodSeconds !== undefined) {
    const grace = Date.parse(ts) + (pod.metadata.deletionGracePeriodSeconds ?? 0) * 1000;
    if (now > grace) return false;
  }
  return true;
}

function servicePorts(svc: Service): number {
  return Array.isArray(svc.spec?.ports) ? svc.spec.ports.length : 0;
}

/** Usage: what one object uses of every resource its kind is counted against. */
export function usageOf(group: string, plural: string, obj: KubeObject): Usage {
  if (isPod(group, plural)) {
    const pod = obj as Pod;
    if (!podCountsForQuota(pod)) return new Map();
    return podComputeUsage(podResources(pod, 'requests'), podResources(pod, 'limits'));
  }
  const out: Usage = new Map([[countResourceName(group, plural), 1]]);
  const legacy = group === '' ? LEGACY_COUNTS.get(plural) : undefined;
  if (legacy) out.set(legacy, 1);
  if (group === '' && plural === 'services') {
    const svc = obj as Service;
    const type = svc.spec?.type;
    out.set('services.loadbalancers', type === 'LoadBalancer' ? 1 : 0);
    out.set('services.nodeports', type === 'LoadBalancer' || type === 'NodePort' ? servicePorts(svc) : 0);
  }
  if (group === '' && plural === 'persistentvolumeclaims') {
    const pvc = obj as PersistentVolumeClaim;
    const storage = toUsage(pvc.spec?.resources?.requests).get('storage');
    if (storage !== undefined) out.set('requests.storage', storage);
  }
  return out;
}

/** The scopes a quota names: spec.scopes and its scopeSelector's expressions. */
function quotaScopes(quota: ResourceQuota): Array<{ scopeName: string; operator: string; values: string[] }> {
  const out: Array<{ scopeName: string; operator: string; values: string[] }> = [];
  for (const s of quota.spec?.scopes ?? []) out.push({ scopeName: s, operator: 'Exists', values: [] });
  for (const e of quota.spec?.scopeSelector?.matchExpressions ?? []) out.push({ scopeName: e.scopeName, operator: e.operator, values: e.values ?? [] });
  return out;
}

function isTerminating(pod: Pod): boolean {
  const d = pod.spec?.activeDeadlineSeconds;
  return d !== undefined && d !== null && d >= 0;
}

/** podMatchesScopeFunc: whether a pod falls in one scope. */
function podMatchesScope(pod: Pod, scope: { scopeName: string; operator: string; values: string[] }): boolean {
  switch (scope.scopeName) {
    case 'Terminating':
      return isTerminating(pod);
    case 'NotTerminating':
      return !isTerminating(pod);
    case 'BestEffort':
      return getPodQOS(pod) === 'BestEffort';
    case 'NotBestEffort':
      return getPodQOS(pod) !== 'BestEffort';
    case 'PriorityClass': {
      const name = pod.spec?.priorityClassName ?? '';
      if (scope.operator === 'Exists') return name !== '';
      if (scope.operator === 'DoesNotExist') return name === '';
      if (scope.operator === 'In') return scope.values.includes(name);
      if (scope.operator === 'NotIn') return name === '' || !scope.values.includes(name);
      return false;
    }
    case 'CrossNamespacePodAffinity': {
      const terms = [
        ...(pod.spec?.affinity?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []),
        ...(pod.spec?.affinity?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((w) => w.podAffinityTerm),
        ...(pod.spec?.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []),
        ...(pod.spec?.affinity?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((w) => w.podAffinityTerm),
      ];
      return terms.some((t) => (t?.namespaces?.length ?? 0) > 0 || t?.namespaceSelector !== undefined);
    }
    default:
      return false;
  }
}

/**
 * quota.Matches: the quota limits something this object uses, and the object is in
 * every scope the quota names (objects other than pods are in none).
 */
export function quotaMatches(quota: ResourceQuota, group: string, plural: string, obj: KubeObject, hard: Iterable<string>): boolean {
  if (matchingResources(group, plural, hard).length === 0) return false;
  const scopes = quotaScopes(quota);
  if (scopes.length === 0) return true;
  if (!isPod(group, plural)) return false;
  return scopes.every((s) => podMatchesScope(obj as Pod, s));
}

/** The quota resources one container's requests and limits provide. */
function containerProvides(c: Container): Set<string> {
  return new Set(podComputeUsage(toUsage(c?.resources?.requests), toUsage(c?.resources?.limits)).keys());
}

/**
 * podEvaluator.Constraints: a quota on cpu or memory requires every container to state
 * it. Returns upstream's `must specify ...` message, or undefined when all do.
 */
export function podConstraints(required: string[], pod: Pod): string | undefined {
  const needed = VALIDATED.filter((r) => required.includes(r));
  if (needed.length === 0) return undefined;
  const missing = new Map<string, Set<string>>();
  for (const c of [
    ...(Array.isArray(pod.spec?.containers) ? pod.spec.containers : []),
    ...(Array.isArray(pod.spec?.initContainers) ? pod.spec.initContainers : []),
  ]) {
    const has = containerProvides(c);
    for (const r of needed) {
      if (has.has(r)) continue;
      if (!missing.has(r)) missing.set(r, new Set());
      missing.get(r)?.add(c.name);
    }
  }
  if (missing.size === 0) return undefined;
  const parts = [...missing.keys()].sort().map((r) => `${r} for: ${[...(missing.get(r) as Set<string>)].sort().join(',')}`);
  return `must specify ${parts.join('; ')}`;
}
