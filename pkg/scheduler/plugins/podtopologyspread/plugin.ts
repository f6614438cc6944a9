// PodTopologySpread: keeps matching pods spread across topology domains.
// DoNotSchedule constraints filter (skew must stay within maxSkew);
// ScheduleAnyway constraints score (fewer matching pods in the domain is better).
import type { Pod } from '../../../../api/core/v1/types.js';
import { CycleState, MAX_NODE_SCORE, SKIP, SUCCESS, unresolvable, unschedulable } from '../../framework/types.js';
import type { ClusterLister, FilterPlugin, NodeInfo, PreFilterPlugin, PreScorePlugin, ScorePlugin, Status } from '../../framework/types.js';
import { Selector, selectorFromLabelSelector } from '../../../../api/labels/selector.js';
import type { Requirement } from '../../../../api/labels/selector.js';
import { podMatchesNodeSelectorAndAffinityTerms } from '../helper/nodeaffinity.js';
import { findMatchingUntoleratedTaint } from '../../../util/taints.js';
import { countPodsOnNode, selectorKey } from '../helper/podcounts.js';

export const NAME = 'PodTopologySpread';
export const ERR_REASON_CONSTRAINTS_NOT_MATCH = "node(s) didn't match pod topology spread constraints";
export const ERR_REASON_NODE_LABEL_NOT_MATCH = ERR_REASON_CONSTRAINTS_NOT_MATCH + ' (missing required label)';
const PRE_FILTER_KEY = 'PreFilter' + NAME;
const PRE_SCORE_KEY = 'PreScore' + NAME;
const LABEL_HOSTNAME = 'kubernetes.io/hostname';

interface Constraint {
  maxSkew: number;
  topologyKey: string;
  selector: Selector;
  minDomains: number;
  honorAffinity: boolean;
  honorTaints: boolean;
  /** Names "pods of the incoming pod's namespace matching selector" for the per-node count cache. */
  countKey: string;
  /** Whether an existing pod counts: same namespace, not being deleted, labels match. */
  counts: (p: Pod) => boolean;
}

function constraintsOf(pod: Pod, action: string): Constraint[] {
  const out: Constraint[] = [];
  const labels = pod.metadata.labels ?? {};
  for (const raw of pod.spec?.topologySpreadConstraints ?? []) {
    if (raw.whenUnsatisfiable !== action) continue;
    let selector: Selector;
    try {
      selector = selectorFromLabelSelector(raw.labelSelector);
    } catch {
      selector = selectorFromLabelSelector(undefined);
    }
    // matchLabelKeys pins the selector to the incoming pod's values for those keys.
    const extra: Requirement[] = [];
    for (const k of raw.matchLabelKeys ?? []) if (k in labels) extra.push({ key: k, operator: 'in', values: [labels[k]] });
    if (extra.length > 0 && !selector.matchesNothing()) selector = new Selector([...selector.requirements, ...extra]);
    const ns = pod.metadata.namespace ?? 'default';
    const sel = selector;
    out.push({
      countKey: `spread\u0000${ns}\u0000${selectorKey(selector)}`,
      counts: (p) => !p.metadata.deletionTimestamp && (p.metadata.namespace ?? 'default') === ns && sel.matches(p.metadata.labels ?? {}),
      maxSkew: raw.maxSkew ?? 1,
      topologyKey: raw.topologyKey,
      selector,
      minDomains: raw.minDomains ?? 1,
      honorAffinity: raw.nodeAffinityPolicy !== 'Ignore',
      honorTaints: raw.nodeTaintsPolicy === 'Honor',
    });
  }
  return out;
}

function nodeHasAllKeys(ni: NodeInfo, cs: Constraint[]): boolean {
  const labels = ni.node.metadata.labels ?? {};
  for (const c of cs) if (!(c.topologyKey in labels)) return false;
  return true;
}

/** nodeInclusionPolicy: whether the node's domain counts for this constraint. */
function nodeIncluded(c: Constraint, pod: Pod, ni: NodeInfo): boolean {
  if (c.honorAffinity && !podMatchesNodeSelectorAndAffinityTerms(pod, ni.node)) return false;
  if (c.honorTaints && findMatchingUntoleratedTaint(ni.node.spec?.taints, pod.spec?.tolerations, (t) => t.effect === 'NoSchedule' || t.effect === 'NoExecute'))
    return false;
  return true;
}

/** countPodsMatchSelector over a node's pods for a constraint, remembered per node generation. */
function countOnNode(ni: NodeInfo, c: Constraint): number {
  if (c.selector.matchesNothing()) return 0;
  return countPodsOnNode(ni, c.countKey, c.counts);
}

export function countPodsMatchSelector(pods: Pod[], selector: Selector, ns: string): number {
  if (selector.matchesNothing()) return 0;
  let n = 0;
  for (const p of pods) {
    if (p.metadata.deletionTimestamp || (p.metadata.namespace ?? 'default') !== ns) continue;
    if (selector.matches(p.metadata.labels ?? {})) n++;
  }
  return n;
}

interface FilterState {
  constraints: Constraint[];
  counts: Array<Map<string, number>>;
}

export function computeFilterState(pod: Pod, nodes: NodeInfo[]): FilterState {
  const constraints = constraintsOf(pod, 'DoNotSchedule');
  const counts = constraints.map(() => new Map<string, number>());
  if (constraints.length === 0) return { constraints, counts };
  for (const ni of nodes) {
    if (!nodeHasAllKeys(ni, constraints)) continue;
    const labels = ni.node.metadata.labels ?? {};
    for (let i = 0; i < constraints.length; i++) {
      const c = constraints[i];
      if (!nodeIncluded(c, pod, ni)) continue;
      const v = labels[c.topologyKey];
      counts[i].set(v, (counts[i].get(v) ?? 0) + countOnNode(ni, c));
    }
  }
  return { constraints, counts };
}

function minMatchNum(counts: Map<string, number>, minDomains: number): number {
  // Fewer eligible domains than minDomains: the global minimum is treated as 0.
  if (counts.size < minDomains) return 0;
  let min = Number.MAX_SAFE_INTEGER;
  for (const v of counts.values()) if (v < min) min = v;
  return min;
}

interface ScoreState {
  constraints: Constraint[];
  ignored: Set<string>;
  pairCounts: Array<Map<string, number>>;
  weights: number[];
}

export class PodTopologySpread implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin {
  readonly name = NAME;
  readonly weight = 2;
  constructor(private readonly lister?: ClusterLister) {}

  preFilter(state: CycleState, pod: Pod, nodes: NodeInfo[]): { status: Status } {
    const s = computeFilterState(pod, nodes);
    state.write(PRE_FILTER_KEY, s);
    // No DoNotSchedule constraint: nothing to filter (upstream's PreFilter Skip).
    return { status: s.constraints.length ? SUCCESS : SKIP };
  }

  filter(state: CycleState, pod: Pod, nodeInfo: NodeInfo): Status {
    let s = state.read<FilterState>(PRE_FILTER_KEY);
    if (!s) {
      s = computeFilterState(pod, this.lister?.nodes() ?? [nodeInfo]);
      state.write(PRE_FILTER_KEY, s);
    }
    if (s.constraints.length === 0) return SUCCESS;
    const labels = nodeInfo.node.metadata.labels ?? {};
    const podLabels = pod.metadata.labels ?? {};
    for (let i = 0; i < s.constraints.length; i++) {
      const c = s.constraints[i];
      const v = labels[c.topologyKey];
      if (v === undefined) return { ...unresolvable(ERR_REASON_NODE_LABEL_NOT_MATCH), plugin: NAME };
      const self = c.selector.matches(podLabels) ? 1 : 0;
      const skew = (s.counts[i].get(v) ?? 0) + self - minMatchNum(s.counts[i], c.minDomains);
      if (skew > c.maxSkew) return { ...unschedulable(ERR_REASON_CONSTRAINTS_NOT_MATCH), plugin: NAME };
    }
    return SUCCESS;
  }

  preScore(state: CycleState, pod: Pod, filteredNodes: NodeInfo[]): Status {
    const constraints = constraintsOf(pod, 'ScheduleAnyway');
    const s: ScoreState = { constraints, ignored: new Set(), pairCounts: constraints.map(() => new Map()), weights: [] };
    state.write(PRE_SCORE_KEY, s);
    if (constraints.length === 0) return SKIP;
    const sizes = constraints.map(() => 0);
    for (const ni of filteredNodes) {
      if (!nodeHasAllKeys(ni, constraints)) {
        s.ignored.add(ni.node.metadata.name ?? '');
        continue;
      }
      const labels = ni.node.metadata.labels ?? {};
      for (let i = 0; i < constraints.length; i++) {
        const c = constraints[i];
        if (c.topologyKey === LABEL_HOSTNAME) continue;
        const v = labels[c.topologyKey];
        if (!s.pairCounts[i].has(v)) {
          s.pairCounts[i].set(v, 0);
          sizes[i]++;
        }
      }
    }
    constraints.forEach((c, i) => {
      if (c.topologyKey === LABEL_HOSTNAME) sizes[i] = filteredNodes.length - s.ignored.size;
      s.weights[i] = Math.log(sizes[i] + 2);
    });
    // Count matching pods in every node of the domains the feasible nodes belong to.
    for (const ni of this.lister?.nodes() ?? filteredNodes) {
      if (!nodeHasAllKeys(ni, constraints)) continue;
      const labels = ni.node.metadata.labels ?? {};
      for (let i = 0; i < constraints.length; i++) {
        const c = constraints[i];
        if (c.topologyKey === LABEL_HOSTNAME) continue;
        const v = labels[c.topologyKey];
        const sofar = s.pairCounts[i].get(v);
        if (sofar === undefined || !nodeIncluded(c, pod, ni)) continue;
        s.pairCounts[i].set(v, sofar + countOnNode(ni, c));
      }
    }
    return SUCCESS;
  }

  score(state: CycleState, pod: Pod, nodeInfo: NodeInfo): number {
    const s = state.read<ScoreState>(PRE_SCORE_KEY);
    if (!s || s.constraints.length === 0 || s.ignored.has(nodeInfo.node.metadata.name ?? '')) return 0;
    const labels = nodeInfo.node.metadata.labels ?? {};
    let score = 0;
    for (let i = 0; i < s.constraints.length; i++) {
      const c = s.constraints[i];
      const v = labels[c.topologyKey];
      if (v === undefined) continue;
      const cnt = c.topologyKey === LABEL_HOSTNAME ? countOnNode(nodeInfo, c) : (s.pairCounts[i].get(v) ?? 0);
      score += cnt * s.weights[i] + (c.maxSkew - 1);
    }
    return Math.round(score);
  }

  /** Fewer matching pods is better: maps raw counts so the least loaded domain gets 100; nodes missing a key get 0. */
  normalizeScores(state: CycleState, _pod: Pod, scores: Map<string, number>): void {
    const s = state.read<ScoreState>(PRE_SCORE_KEY);
    if (!s || s.constraints.length === 0) return;
    let min = Number.MAX_SAFE_INTEGER;
    let max = 0;
    for (const [name, v] of scores) {
      if (s.ignored.has(name)) continue;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    for (const [name, v] of scores) {
      if (s.ignored.has(name)) scores.set(name, 0);
      else if (max === 0) scores.set(name, MAX_NODE_SCORE);
      else scores.set(name, Math.trunc((MAX_NODE_SCORE * (max + min - v)) / max));
    }
  }
}
