// Which requests a policy (its matchConstraints) and a binding (its matchResources)
// select, as upstream's admission/plugin/policy/matching: a resourceRule matches,
// no excludeResourceRule does, and the namespace and object selectors match. Rules
// are those of webhooks, with resourceNames.
import type { NamedRuleWithOperations } from '../../../../api/admissionregistration/v1/types.js';
import type { AdmissionAttributes } from '../webhook/attributes.js';
import { namespaceForSelector, objectSelectorMatches, ruleMatches } from '../webhook/match.js';
import type { CompiledMatch } from './compile.js';

function namedRuleMatches(rule: NamedRuleWithOperations, attr: AdmissionAttributes): boolean {
  if (!ruleMatches(rule, attr)) return false;
  const names = rule.resourceNames ?? [];
  return names.length === 0 || names.includes(attr.name);
}

/** Namespace labels, read once per request when a selector needs them. */
export type NamespaceLabelsOf = (name: string) => Promise<Record<string, string>>;

export async function matches(m: CompiledMatch, attr: AdmissionAttributes, namespaceLabels: NamespaceLabelsOf): Promise<boolean> {
  // A binding's matchResources may leave resourceRules out: the policy's then decide alone.
  const rules = m.resources.resourceRules ?? [];
  if (rules.length > 0 && !rules.some((r) => namedRuleMatches(r, attr))) return false;
  if ((m.resources.excludeResourceRules ?? []).some((r) => namedRuleMatches(r, attr))) return false;
  if (!objectSelectorMatches(m.objectSelector, attr)) return false;
  if (!m.namespaceSelector.isEmpty()) {
    const ns = namespaceForSelector(attr);
    if (ns && !m.namespaceSelector.matches(ns.labels ?? (await namespaceLabels(ns.name)))) return false;
  }
  return true;
}
