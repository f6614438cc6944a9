// corev1 NodeSelector matching (component-helpers nodeaffinity): terms are ORed,
// a term's requirements ANDed; an empty term matches nothing.
import type { Node, NodeAffinity, NodeSelector, NodeSelectorRequirement, NodeSelectorTerm, Pod } from '../../../../api/core/v1/types.js';

export function podNodeAffinity(pod: Pod): NodeAffinity | undefined {
  return pod.spec?.affinity?.nodeAffinity;
}

function requirementMatches(r: NodeSelectorRequirement, value: string | undefined): boolean {
  const vals = r.values ?? [];
  switch (r.operator) {
    case 'In':
      return value !== undefined && vals.includes(value);
    case 'NotIn':
      return value === undefined || !vals.includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    case 'Gt':
    case 'Lt': {
      if (value === undefined || vals.length !== 1) return false;
      if (!/^-?[0-9]+$/.test(value) || !/^-?[0-9]+$/.test(vals[0])) return false;
      const a = BigInt(value),
        b = BigInt(vals[0]);
      return r.operator === 'Gt' ? a > b : a < b;
    }
    default:
      return false;
  }
}

export function nodeSelectorTermMatches(term: NodeSelectorTerm, node: Node): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  const labels = node.metadata.labels ?? {};
  for (const r of exprs) {
    const v = Object.prototype.hasOwnProperty.call(labels, r.key) ? labels[r.key] : undefined;
    if (!requirementMatches(r, v)) return false;
  }
  for (const r of fields) {
    // Only metadata.name is a supported field.
    const v = r.key === 'metadata.name' ? node.metadata.name : undefined;
    if (!requirementMatches(r, v)) return false;
  }
  return true;
}

export function nodeSelectorMatches(sel: NodeSelector, node: Node): boolean {
  return (sel.nodeSelectorTerms ?? []).some((t) => nodeSelectorTermMatches(t, node));
}

/** nodeSelector and required node affinity together (RequiredNodeAffinity.Match). */
export function podMatchesNodeSelectorAndAffinityTerms(pod: Pod, node: Node): boolean {
  const sel = pod.spec?.nodeSelector;
  if (sel) {
    const labels = node.metadata.labels ?? {};
    for (const [k, v] of Object.entries(sel)) if (labels[k] !== v) return false;
  }
  const req = podNodeAffinity(pod)?.requiredDuringSchedulingIgnoredDuringExecution;
  if (req && !nodeSelectorMatches(req, node)) return false;
  return true;
}
