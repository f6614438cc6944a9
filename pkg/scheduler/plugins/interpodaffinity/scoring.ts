// InterPodAffinity score: preferred terms of the incoming pod against existing
// pods, and existing pods' terms (required affinity at weight 1, preferred at
// their weight) against the incoming pod, summed per topology domain.
import type { Pod } from '../../../../api/core/v1/types.js';
import type { NodeInfo } from '../../framework/types.js';
import { countPodsOnNode } from '../helper/podcounts.js';
import { affinityInfo, podsWithAffinityOn, termKey, termMatches } from './terms.js';
import type { AffinityTerm, NamespaceLabels } from './terms.js';

/** topologyKey -> value -> score. */
export type TopologyScore = Map<string, Map<string, number>>;

const HARD_POD_AFFINITY_WEIGHT = 1;

function addWeight(ts: TopologyScore, topologyKey: string, value: string, weight: number): void {
  let m = ts.get(topologyKey);
  if (!m) ts.set(topologyKey, (m = new Map()));
  m.set(value, (m.get(value) ?? 0) + weight);
}

/** An existing pod's term as it weighs on incoming pods; equal terms on one node are summed. */
interface WeightedTerm {
  term: AffinityTerm;
  weight: number;
  key?: string;
}

const nodeTerms = new WeakMap<NodeInfo, { generation: number; podCount: number; terms: WeightedTerm[] }>();

/** The terms of the pods with affinity on ni, equal ones merged, per node generation. */
function existingTermsOn(ni: NodeInfo): WeightedTerm[] {
  const hit = nodeTerms.get(ni);
  if (hit && hit.generation === ni.generation && hit.podCount === ni.pods.length) return hit.terms;
  const merged = new Map<string, WeightedTerm>();
  const terms: WeightedTerm[] = [];
  const push = (term: AffinityTerm, weight: number) => {
    const key = termKey(term);
    if (key === undefined) {
      terms.push({ term, weight });
      return;
    }
    const k = `${key}\u0001${term.topologyKey}`;
    const w = merged.get(k);
    if (w) w.weight += weight;
    else {
      const wt = { term, weight, key };
      merged.set(k, wt);
      terms.push(wt);
    }
  };
  for (const existing of podsWithAffinityOn(ni).withAffinity) {
    const einfo = affinityInfo(existing);
    for (const t of einfo.requiredAffinity) push(t, HARD_POD_AFFINITY_WEIGHT);
    for (const t of einfo.preferredAffinity) push(t, t.weight);
    for (const t of einfo.preferredAntiAffinity) push(t, -t.weight);
  }
  nodeTerms.set(ni, { generation: ni.generation, podCount: ni.pods.length, terms });
  return terms;
}

/**
 * withAffinity: the nodes holding pods with affinity terms, when the caller keeps that
 * list (else allNodes are scanned for them).
 */
export function computeTopologyScore(pod: Pod, allNodes: NodeInfo[], nsLabels: NamespaceLabels, withAffinity?: NodeInfo[]): TopologyScore {
  const info = affinityInfo(pod);
  const ts: TopologyScore = new Map();
  // The incoming pod's preferred terms: weight times the matching pods in each node's domain.
  const incoming = [
    ...info.preferredAffinity.map((t) => ({ term: t as AffinityTerm, weight: t.weight })),
    ...info.preferredAntiAffinity.map((t) => ({ term: t as AffinityTerm, weight: -t.weight })),
  ].map(({ term, weight }) => {
    const key = termKey(term);
    return { term, weight, countKey: key === undefined ? undefined : `affinity\u0000${key}`, matches: (p: Pod) => termMatches(term, p, nsLabels) };
  });
  for (const { term, weight, countKey, matches } of incoming) {
    for (const ni of allNodes) {
      if (ni.pods.length === 0) continue;
      const v = ni.node.metadata.labels?.[term.topologyKey];
      if (v === undefined) continue;
      let n = 0;
      if (countKey !== undefined) n = countPodsOnNode(ni, countKey, matches);
      else for (const p of ni.pods) if (matches(p)) n++;
      if (n) addWeight(ts, term.topologyKey, v, weight * n);
    }
  }
  // Existing pods' terms against the incoming pod; each distinct term is matched once per cycle.
  const matched = new Map<string, boolean>();
  for (const ni of withAffinity ?? allNodes) {
    const terms = existingTermsOn(ni);
    if (!terms.length) continue;
    const labels = ni.node.metadata.labels ?? {};
    for (const { term, weight, key } of terms) {
      const v = labels[term.topologyKey];
      if (v === undefined) continue;
      let ok = key !== undefined ? matched.get(key) : undefined;
      if (ok === undefined) {
        ok = termMatches(term, pod, nsLabels);
        if (key !== undefined) matched.set(key, ok);
      }
      if (ok) addWeight(ts, term.topologyKey, v, weight);
    }
  }
  return ts;
}

export function scoreNode(ts: TopologyScore, ni: NodeInfo): number {
  const labels = ni.node.metadata.labels;
  if (!labels) return 0;
  let score = 0;
  for (const [k, byValue] of ts) {
    const v = labels[k];
    if (v !== undefined && Object.prototype.hasOwnProperty.call(labels, k)) score += byValue.get(v) ?? 0;
  }
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
