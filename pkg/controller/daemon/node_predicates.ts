// Whether a DaemonSet should run a pod on a node: the pod (template plus the
// default daemon tolerations) must fit the node's name, its nodeSelector and
// required node affinity, and tolerate the node's NoSchedule/NoExecute taints
// (component-helpers' nodeaffinity and v1helper's taint matching, as
// NodeShouldRunDaemonPod in daemon_controller.go uses them).
import type { Node, NodeSelectorRequirement, NodeSelectorTerm, Pod, PodSpec } from '../../../api/core/v1/types.js';
import type { DaemonSet } from '../../../api/apps/v1/types.js';
import { Selector, type Operator, type Requirement } from '../../../api/labels/selector.js';
import { addOrUpdateDaemonPodTolerations, OBJECT_NAME_FIELD } from './util/daemonset_util.js';
import { findMatchingUntoleratedTaint } from '../../util/taints.js';

const NODE_SELECTOR_OPS: Record<string, Operator> = { In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!', Gt: 'gt', Lt: 'lt' };

/** nodeSelectorRequirementsAsSelector: throws on what upstream's NewRequirement rejects. */
export function nodeSelectorRequirementsAsSelector(reqs: NodeSelectorRequirement[]): Selector {
  const out: Requirement[] = [];
  for (const r of reqs) {
    const op = Object.prototype.hasOwnProperty.call(NODE_SELECTOR_OPS, r.operator) ? NODE_SELECTOR_OPS[r.operator] : undefined;
    if (!op) throw new Error(`${JSON.stringify(r.operator)} is not a valid node selector operator`);
    const values = r.values ?? [];
    if ((op === 'in' || op === 'notin') && values.length === 0) throw new Error("for 'in', 'notin' operators, values set can't be empty");
    if ((op === 'exists' || op === '!') && values.length !== 0) throw new Error('values set must be empty for exists and does not exist');
    if ((op === 'gt' || op === 'lt') && (values.length !== 1 || !/^[+-]?\d+$/.test(values[0])))
      throw new Error("for 'Gt', 'Lt' operators, exactly one integer value is required");
    out.push({ key: r.key, operator: op, values: [...values] });
  }
  return new Selector(out);
}

/** nodeSelectorRequirementsAsFieldSelector: only metadata.name, In/NotIn with exactly one value. */
export function nodeSelectorRequirementsAsFieldSelector(reqs: NodeSelectorRequirement[]): Selector {
  const out: Requirement[] = [];
  for (const r of reqs) {
    if (r.key !== OBJECT_NAME_FIELD) throw new Error(`not a valid field selector key: ${r.key}`);
    if (r.operator !== 'In' && r.operator !== 'NotIn') throw new Error(`${JSON.stringify(r.operator)} is not a valid node field selector operator`);
    if ((r.values ?? []).length !== 1)
      throw new Error(`unexpected number of value (${(r.values ?? []).length}) for node field selector operator ${JSON.stringify(r.operator)}`);
    out.push({ key: r.key, operator: r.operator === 'In' ? '=' : '!=', values: [...(r.values ?? [])] });
  }
  return new Selector(out);
}

/** nodeSelectorTerm.match: an empty or unparsable term matches nothing; expressions and fields are ANDed. */
export function nodeSelectorTermMatches(term: NodeSelectorTerm, node: Node): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  try {
    if (exprs.length && !nodeSelectorRequirementsAsSelector(exprs).matches(node.metadata.labels)) return false;
    if (fields.length && !nodeSelectorRequirementsAsFieldSelector(fields).matches({ [OBJECT_NAME_FIELD]: node.metadata.name ?? '' })) return false;
  } catch {
    return false;
  }
  return true;
}

/** nodeaffinity.GetRequiredNodeAffinity(pod).Match(node): nodeSelector (every pair) and any one required term. */
export function podMatchesNodeAffinity(pod: Pod, node: Node): boolean {
  const labels = node.metadata.labels ?? {};
  for (const [k, v] of Object.entries(pod.spec?.nodeSelector ?? {})) {
    if (!Object.prototype.hasOwnProperty.call(labels, k) || labels[k] !== v) return false;
  }
  const required = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (!required) return true;
  return (required.nodeSelectorTerms ?? []).some((t) => nodeSelectorTermMatches(t, node));
}

/** daemon NewPod: what the pod for node would look like, for the predicates. */
export function newPod(ds: DaemonSet, nodeName: string): Pod {
  const tmpl = ds.spec.template ?? {};
  const spec: PodSpec = structuredClone(tmpl.spec ?? { containers: [] });
  spec.nodeName = nodeName;
  addOrUpdateDaemonPodTolerations(spec);
  return { apiVersion: 'v1', kind: 'Pod', metadata: { ...(tmpl.metadata ?? {}), namespace: ds.metadata.namespace }, spec };
}

export interface ShouldRun {
  /** A pod should be created here if none exists. */
  shouldRun: boolean;
  /** A pod already here may stay (it tolerates the NoExecute taints). */
  shouldContinueRunning: boolean;
}

/**
 * NodeShouldRunDaemonPod. A node being deleted is no place for a daemon pod
 * (Timonel's rule: nothing else removes pods from a node on its way out).
 */
export function nodeShouldRunDaemonPod(node: Node, ds: DaemonSet): ShouldRun {
  const no = { shouldRun: false, shouldContinueRunning: false };
  const name = node.metadata.name ?? '';
  if (node.metadata.deletionTimestamp) return no;
  const fixed = ds.spec.template?.spec?.nodeName;
  if (fixed && fixed !== name) return no;
  const pod = newPod(ds, name);
  if (!podMatchesNodeAffinity(pod, node)) return no;
  const taints = node.spec?.taints ?? [];
  const tolerations = pod.spec?.tolerations ?? [];
  const untolerated = findMatchingUntoleratedTaint(taints, tolerations, (t) => t.effect === 'NoExecute' || t.effect === 'NoSchedule');
  if (untolerated) {
    // Scheduled daemon pods may keep running if they tolerate every NoExecute taint.
    const noExecute = findMatchingUntoleratedTaint(taints, tolerations, (t) => t.effect === 'NoExecute');
    return { shouldRun: false, shouldContinueRunning: !noExecute };
  }
  return { shouldRun: true, shouldContinueRunning: true };
}
