// The missing rules of an escalation error, short: upstream's CompactRules
// (pkg/registry/rbac/validation/internal_version.go) merges the verbs of rules
// about one group, resource and name, and CompactString prints each rule as
// `{APIGroups:["apps"], Resources:["deployments"], Verbs:["create" "delete"]}`.
import type { PolicyRule } from '../../../../api/rbac/v1/types.js';
import { goQuote } from '../../../util/goquote.js';

/** A rule with exactly one group and resource, at most one name, and nothing else but verbs. */
function simpleKey(rule: PolicyRule): string | undefined {
  const names = rule.resourceNames ?? [];
  if (names.length > 1 || (rule.nonResourceURLs ?? []).length) return undefined;
  if ((rule.apiGroups ?? []).length !== 1 || (rule.resources ?? []).length !== 1) return undefined;
  return JSON.stringify([rule.apiGroups?.[0], rule.resources?.[0], names.length ? names[0] : null]);
}

export function compactRules(rules: readonly PolicyRule[]): PolicyRule[] {
  const out: PolicyRule[] = [];
  const simple = new Map<string, PolicyRule>();
  for (const rule of rules) {
    const key = simpleKey(rule);
    if (key === undefined) {
      out.push(rule);
      continue;
    }
    const existing = simple.get(key);
    if (!existing) simple.set(key, { ...rule, verbs: [...rule.verbs] });
    else for (const v of rule.verbs) if (!existing.verbs.includes(v)) existing.verbs.push(v);
  }
  return [...out, ...simple.values()];
}

/** Go's %q of a []string: ["a" "b"]. */
function quoted(list: readonly string[]): string {
  return `[${list.map(goQuote).join(' ')}]`;
}

export function compactString(rule: PolicyRule): string {
  const parts: string[] = [];
  if (rule.apiGroups?.length) parts.push(`APIGroups:${quoted(rule.apiGroups)}`);
  if (rule.resources?.length) parts.push(`Resources:${quoted(rule.resources)}`);
  if (rule.nonResourceURLs?.length) parts.push(`NonResourceURLs:${quoted(rule.nonResourceURLs)}`);
  if (rule.resourceNames?.length) parts.push(`ResourceNames:${quoted(rule.resourceNames)}`);
  if (rule.verbs.length) parts.push(`Verbs:${quoted(rule.verbs)}`);
  return `{${parts.join(', ')}}`;
}
