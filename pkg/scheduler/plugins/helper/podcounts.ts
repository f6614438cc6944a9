// Counts of a node's pods that match something (a topology spread selector, a pod
// affinity term), remembered per NodeInfo generation. Spreading and inter-pod affinity
// score every pod against every existing pod; with the counts kept between cycles a
// node's pods are looked at again only after that node changed (one node per binding),
// so a cycle costs per node instead of per existing pod.
import type { Pod } from '../../../../api/core/v1/types.js';
import type { NodeInfo } from '../../framework/types.js';
import type { Selector } from '../../../../api/labels/selector.js';

interface NodeCounts {
  generation: number;
  podCount: number;
  byKey: Map<string, number>;
}
const counts = new WeakMap<NodeInfo, NodeCounts>();

/**
 * How many of ni's pods satisfy matches. key must name the predicate exactly: two calls
 * with the same key on the same node generation share the answer.
 */
export function countPodsOnNode(ni: NodeInfo, key: string, matches: (p: Pod) => boolean): number {
  if (ni.pods.length === 0) return 0;
  let c = counts.get(ni);
  if (!c || c.generation !== ni.generation || c.podCount !== ni.pods.length) {
    c = { generation: ni.generation, podCount: ni.pods.length, byKey: new Map() };
    counts.set(ni, c);
  }
  let n = c.byKey.get(key);
  if (n === undefined) {
    n = 0;
    for (const p of ni.pods) if (matches(p)) n++;
    c.byKey.set(key, n);
  }
  return n;
}

/** A string naming what a selector matches (labels.Nothing() differs from the empty selector). */
export function selectorKey(sel: Selector): string {
  return sel.matchesNothing() ? '\u0000nothing' : sel.toString();
}
