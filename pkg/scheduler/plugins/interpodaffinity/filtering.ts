// InterPodAffinity filter: required pod affinity / anti-affinity of the incoming
// pod, and existing pods' required anti-affinity against it, by topology domain.
import type { Pod } from '../../../../api/core/v1/types.js';
import { SUCCESS, unresolvable, unschedulable } from '../../framework/types.js';
import type { NodeInfo, Status } from '../../framework/types.js';
import { affinityInfo, podsWithAffinityOn, termMatches } from './terms.js';
import type { AffinityTerm, NamespaceLabels } from './terms.js';

export const ERR_REASON_EXISTING_ANTI_AFFINITY_RULES_NOT_MATCH = "node(s) didn't satisfy existing pods anti-affinity rules";
export const ERR_REASON_AFFINITY_RULES_NOT_MATCH = "node(s) didn't match pod affinity rules";
export const ERR_REASON_ANTI_AFFINITY_RULES_NOT_MATCH = "node(s) didn't match pod anti-affinity rules";

/** Counts keyed "topologyKey\u0000value". */
type TopologyCounts = Map<string, number>;
const pair = (k: string, v: string): string => `${k}\u0000${v}`;
function inc(m: TopologyCounts, key: string, by: number): void {
  m.set(key, (m.get(key) ?? 0) + by);
}

export interface PreFilterState {
  affinityTerms: AffinityTerm[];
  antiAffinityTerms: AffinityTerm[];
  existingAntiAffinityCounts: TopologyCounts;
  affinityCounts: TopologyCounts;
  antiAffinityCounts: TopologyCounts;
  podMatchesOwnAffinity: boolean;
}

/** withRequiredAntiAffinity: the nodes holding pods with required anti-affinity, when the caller keeps that list (else nodes are scanned). */
export function computePreFilterState(pod: Pod, nodes: NodeInfo[], nsLabels: NamespaceLabels, withRequiredAntiAffinity?: NodeInfo[]): PreFilterState {
  const info = affinityInfo(pod);
  const s: PreFilterState = {
    affinityTerms: info.requiredAffinity,
    antiAffinityTerms: info.requiredAntiAffinity,
    existingAntiAffinityCounts: new Map(),
    affinityCounts: new Map(),
    antiAffinityCounts: new Map(),
    podMatchesOwnAffinity: info.requiredAffinity.every((t) => termMatches(t, pod, nsLabels)),
  };
  // Existing pods' required anti-affinity that the incoming pod would violate.
  for (const ni of withRequiredAntiAffinity ?? nodes) {
    const labels = ni.node.metadata.labels ?? {};
    for (const existing of podsWithAffinityOn(ni).withRequiredAntiAffinity) {
      if (existing.metadata.uid && existing.metadata.uid === pod.metadata.uid) continue;
      for (const t of affinityInfo(existing).requiredAntiAffinity) {
        const v = labels[t.topologyKey];
        if (v !== undefined && termMatches(t, pod, nsLabels)) inc(s.existingAntiAffinityCounts, pair(t.topologyKey, v), 1);
      }
    }
  }
  if (s.affinityTerms.length + s.antiAffinityTerms.length === 0) return s;
  for (const ni of nodes) {
    const labels = ni.node.metadata.labels ?? {};
    for (const existing of ni.pods) {
      if (existing.metadata.uid && existing.metadata.uid === pod.metadata.uid) continue;
      if (s.affinityTerms.length > 0 && s.affinityTerms.every((t) => termMatches(t, existing, nsLabels))) {
        for (const t of s.affinityTerms) {
          const v = labels[t.topologyKey];
          if (v !== undefined) inc(s.affinityCounts, pair(t.topologyKey, v), 1);
        }
      }
      for (const t of s.antiAffinityTerms) {
        const v = labels[t.topologyKey];
        if (v !== undefined && termMatches(t, existing, nsLabels)) inc(s.antiAffinityCounts, pair(t.topologyKey, v), 1);
      }
    }
  }
  return s;
}

function satisfyPodAffinity(s: PreFilterState, ni: NodeInfo): boolean {
  const labels = ni.node.metadata.labels ?? {};
  let podsExist = true;
  for (const t of s.affinityTerms) {
    const v = labels[t.topologyKey];
    if (v === undefined) return false; // every topology label must exist on the node
    if ((s.affinityCounts.get(pair(t.topologyKey, v)) ?? 0) <= 0) podsExist = false;
  }
  // The first pod of a group with affinity to itself may go anywhere with the labels.
  if (!podsExist) return s.affinityCounts.size === 0 && s.podMatchesOwnAffinity;
  return true;
}

function satisfyPodAntiAffinity(s: PreFilterState, ni: NodeInfo): boolean {
  const labels = ni.node.metadata.labels ?? {};
  for (const t of s.antiAffinityTerms) {
    const v = labels[t.topologyKey];
    if (v !== undefined && (s.antiAffinityCounts.get(pair(t.topologyKey, v)) ?? 0) > 0) return false;
  }
  return true;
}

function satisfyExistingPodsAntiAffinity(s: PreFilterState, ni: NodeInfo): boolean {
  if (s.existingAntiAffinityCounts.size === 0) return true;
  for (const [k, v] of Object.entries(ni.node.metadata.labels ?? {})) {
    if ((s.existingAntiAffinityCounts.get(pair(k, v)) ?? 0) > 0) return false;
  }
  return true;
}

export function filterNode(s: PreFilterState, ni: NodeInfo, plugin: string): Status {
  if (!satisfyPodAffinity(s, ni)) return { ...unresolvable(ERR_REASON_AFFINITY_RULES_NOT_MATCH), plugin };
  if (!satisfyPodAntiAffinity(s, ni)) return { ...unschedulable(ERR_REASON_ANTI_AFFINITY_RULES_NOT_MATCH), plugin };
  if (!satisfyExistingPodsAntiAffinity(s, ni)) return { ...unschedulable(ERR_REASON_EXISTING_ANTI_AFFINITY_RULES_NOT_MATCH), plugin };
  return SUCCESS;
}
