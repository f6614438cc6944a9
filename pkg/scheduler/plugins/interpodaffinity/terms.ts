// Pod affinity terms resolved against a pod: which namespaces and labels a term selects.
import type { Pod, PodAffinityTerm } from '../../../../api/core/v1/types.js';
import type { ClusterLister, NodeInfo } from '../../framework/types.js';
import { Selector, selectorFromLabelSelector } from '../../../../api/labels/selector.js';
import type { LabelSelector, Requirement } from '../../../../api/labels/selector.js';

/** A term ready to match pods: the owner's namespace rules and a compiled selector. */
export interface AffinityTerm {
  topologyKey: string;
  namespaces: Set<string>;
  nsSelector: Selector;
  selector: Selector;
}
export interface WeightedAffinityTerm extends AffinityTerm {
  weight: number;
}

export interface PodAffinityInfo {
  requiredAffinity: AffinityTerm[];
  requiredAntiAffinity: AffinityTerm[];
  preferredAffinity: WeightedAffinityTerm[];
  preferredAntiAffinity: WeightedAffinityTerm[];
}

function safeSelector(ls: LabelSelector | undefined): Selector {
  try {
    return selectorFromLabelSelector(ls);
  } catch {
    return selectorFromLabelSelector(undefined);
  }
}

/** matchLabelKeys / mismatchLabelKeys fold the owner's label values into the selector. */
function compileTerm(owner: Pod, t: PodAffinityTerm): AffinityTerm {
  let selector = safeSelector(t.labelSelector);
  const labels = owner.metadata.labels ?? {};
  const extra: Requirement[] = [];
  if (t.labelSelector) {
    for (const k of t.matchLabelKeys ?? []) if (k in labels) extra.push({ key: k, operator: 'in', values: [labels[k]] });
    for (const k of t.mismatchLabelKeys ?? []) if (k in labels) extra.push({ key: k, operator: 'notin', values: [labels[k]] });
  }
  if (extra.length > 0 && !selector.matchesNothing()) selector = new Selector([...selector.requirements, ...extra]);
  const namespaces = new Set(t.namespaces ?? []);
  // No namespaces and no namespaceSelector means the owner's own namespace.
  if (namespaces.size === 0 && !t.namespaceSelector) namespaces.add(owner.metadata.namespace ?? 'default');
  const nsSelector = t.namespaceSelector ? safeSelector(t.namespaceSelector) : selectorFromLabelSelector(undefined);
  return { topologyKey: t.topologyKey, namespaces, nsSelector, selector };
}

const cache = new WeakMap<Pod, PodAffinityInfo>();

export function affinityInfo(pod: Pod): PodAffinityInfo {
  const hit = cache.get(pod);
  if (hit) return hit;
  const aff = pod.spec?.affinity ?? {};
  const info: PodAffinityInfo = {
    requiredAffinity: (aff.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => compileTerm(pod, t)),
    requiredAntiAffinity: (aff.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => compileTerm(pod, t)),
    preferredAffinity: (aff.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((w) => ({
      ...compileTerm(pod, w.podAffinityTerm),
      weight: w.weight,
    })),
    preferredAntiAffinity: (aff.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((w) => ({
      ...compileTerm(pod, w.podAffinityTerm),
      weight: w.weight,
    })),
  };
  cache.set(pod, info);
  return info;
}

/**
 * A string naming what a term matches (namespaces, namespace selector, label selector),
 * for sharing match results between equal terms; undefined when the answer also depends
 * on namespace labels (a namespaceSelector), which may change between cycles.
 */
export function termKey(term: AffinityTerm): string | undefined {
  if (!term.nsSelector.matchesNothing()) return undefined;
  const sel = term.selector.matchesNothing() ? '\u0000nothing' : term.selector.toString();
  return `${[...term.namespaces].sort().join(',')}\u0000${sel}`;
}

export function hasAffinity(info: PodAffinityInfo): boolean {
  return info.requiredAffinity.length + info.requiredAntiAffinity.length + info.preferredAffinity.length + info.preferredAntiAffinity.length > 0;
}

/** Namespace labels, for namespaceSelector; looked up through the lister. */
export type NamespaceLabels = (ns: string) => Record<string, string> | undefined;

export function namespaceLabelsFrom(lister: ClusterLister | undefined): NamespaceLabels {
  return (ns) => lister?.get('v1', 'namespaces', undefined, ns)?.metadata.labels;
}

/** AffinityTerm.Matches: the pod is in one of the term's namespaces and carries matching labels. */
export function termMatches(term: AffinityTerm, pod: Pod, nsLabels: NamespaceLabels): boolean {
  const ns = pod.metadata.namespace ?? 'default';
  if (!term.namespaces.has(ns)) {
    if (term.nsSelector.matchesNothing()) return false;
    if (!term.nsSelector.matches(nsLabels(ns) ?? {})) return false;
  }
  return term.selector.matches(pod.metadata.labels ?? {});
}

export interface NodeAffinityPods {
  withAffinity: Pod[];
  withRequiredAntiAffinity: Pod[];
}
const EMPTY: NodeAffinityPods = { withAffinity: [], withRequiredAntiAffinity: [] };
const nodeCache = new WeakMap<NodeInfo, { generation: number; count: number; pods: NodeAffinityPods }>();

/** NodeInfo.PodsWithAffinity / PodsWithRequiredAntiAffinity, cached per node generation so pods without terms cost nothing per cycle. */
export function podsWithAffinityOn(ni: NodeInfo): NodeAffinityPods {
  if (ni.pods.length === 0) return EMPTY;
  const hit = nodeCache.get(ni);
  if (hit && hit.generation === ni.generation && hit.count === ni.pods.length) return hit.pods;
  const pods: NodeAffinityPods = { withAffinity: [], withRequiredAntiAffinity: [] };
  for (const p of ni.pods) {
    const a = p.spec?.affinity;
    if (!a || (!a.podAffinity && !a.podAntiAffinity)) continue;
    const info = affinityInfo(p);
    if (hasAffinity(info)) pods.withAffinity.push(p);
    if (info.requiredAntiAffinity.length > 0) pods.withRequiredAntiAffinity.push(p);
  }
  nodeCache.set(ni, { generation: ni.generation, count: ni.pods.length, pods });
  return pods;
}
