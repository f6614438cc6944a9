// InterPodAffinity score: preferred terms of the incoming pod against existing
// pods, and existing pods' terms (required affinity at weight 1, preferred at
// their weight) against the incoming pod, summed per topology domain.
import type { NodeInfo, Pod } from '../../framework/types.js';
import { affinityInfo, podsWithAffinityOn, termMatches } from './terms.js';
import type { AffinityTerm, NamespaceLabels } from './terms.js';

/** topologyKey -> value -> score. */
export type TopologyScore = Map<string, Map<string, number>>;

const HARD_POD_AFFINITY_WEIGHT = 1;

function add(ts: TopologyScore, term: AffinityTerm, weight: number, target: Pod, nodeLabels: Record<string, string>, nsLabels: NamespaceLabels): void {
  const v = nodeLabels[term.topologyKey];
  if (v === undefined || !termMatches(term, target, nsLabels)) return;
  let m = ts.get(term.topologyKey);
  if (!m) ts.set(term.topologyKey, (m = new Map()));
  m.set(v, (m.get(v) ?? 0) + weight);
}

export function computeTopologyScore(pod: Pod, allNodes: NodeInfo[], nsLabels: NamespaceLabels): TopologyScore {
  const info = affinityInfo(pod);
  const incomingHasTerms = info.preferredAffinity.length + info.preferredAntiAffinity.length > 0;
  const ts: TopologyScore = new Map();
  for (const ni of allNodes) {
    const labels = ni.node.metadata.labels ?? {};
    for (const existing of incomingHasTerms ? ni.pods : podsWithAffinityOn(ni).withAffinity) {
      const einfo = affinityInfo(existing);
      for (const t of info.preferredAffinity) add(ts, t, t.weight, existing, labels, nsLabels);
      for (const t of info.preferredAntiAffinity) add(ts, t, -t.weight, existing, labels, nsLabels);
      for (const t of einfo.requiredAffinity) add(ts, t, HARD_POD_AFFINITY_WEIGHT, pod, labels, nsLabels);
      for (const t of einfo.preferredAffinity) add(ts, t, t.weight, pod, labels, nsLabels);
      for (const t of einfo.preferredAntiAffinity) add(ts, t, -t.weight, pod, labels, nsLabels);
    }
  }
  return ts;
}

export function scoreNode(ts: TopologyScore, ni: NodeInfo): number {
  let score = 0;
  for (const [k, v] of Object.entries(ni.node.metadata.labels ?? {})) score += ts.get(k)?.get(v) ?? 0;
  return score;
}

/** Maps raw scores linearly onto 0..100 between the lowest and highest. */
export function normalize(scores: Map<string, number>, max = 100): void {
  let lo = Infinity;
  let hi = -Infinity;
  for (const s of scores.values()) {
    if (s < lo) lo = s;
    if (s > hi) hi = s;
  }
  const diff = hi - lo;
  for (const [k, s] of scores) scores.set(k, diff > 0 ? Math.trunc(max * ((s - lo) / diff)) : 0);
}
