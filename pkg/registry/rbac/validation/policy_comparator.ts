// Whether one set of rules grants everything another does: upstream's Covers
// (k8s.io/component-helpers/auth/rbac/validation/policy_comparator.go). The
// servant rules are broken down to one verb, group, resource and name each; every
// such piece must then be covered by a single owner rule.
import type { PolicyRule } from '../../../../api/rbac/v1/types.js';
import { API_GROUP_ALL, RESOURCE_ALL, VERB_ALL } from './rule.js';

/** covered: owner holds every servant rule; missing: the pieces it does not hold. */
export function covers(ownerRules: readonly PolicyRule[], servantRules: readonly PolicyRule[]): { covered: boolean; missing: PolicyRule[] } {
  const missing: PolicyRule[] = [];
  for (const servant of servantRules) {
    for (const sub of breakdownRule(servant)) {
      if (!ownerRules.some((owner) => ruleCovers(owner, sub))) missing.push(sub);
    }
  }
  return { covered: missing.length === 0, missing };
}

/** One rule per group × resource × verb (× resource name), and per non-resource URL × verb. */
export function breakdownRule(rule: PolicyRule): PolicyRule[] {
  const out: PolicyRule[] = [];
  const names = rule.resourceNames ?? [];
  for (const group of rule.apiGroups ?? []) {
    for (const resource of rule.resources ?? []) {
      for (const verb of rule.verbs) {
        if (names.length) for (const name of names) out.push({ apiGroups: [group], resources: [resource], verbs: [verb], resourceNames: [name] });
        else out.push({ apiGroups: [group], resources: [resource], verbs: [verb] });
      }
    }
  }
  for (const url of rule.nonResourceURLs ?? []) for (const verb of rule.verbs) out.push({ nonResourceURLs: [url], verbs: [verb] });
  return out;
}

function hasAll(set: readonly string[], wanted: readonly string[]): boolean {
  return wanted.every((w) => set.includes(w));
}

function resourceCoversAll(owned: readonly string[], wanted: readonly string[]): boolean {
  if (owned.includes(RESOURCE_ALL) || hasAll(owned, wanted)) return true;
  for (const path of wanted) {
    if (owned.includes(path)) continue;
    // Only a subresource can still be covered, by `*/<subresource>`.
    const slash = path.indexOf('/');
    if (slash < 0 || !owned.includes(`*/${path.slice(slash + 1)}`)) return false;
  }
  return true;
}

function nonResourceURLCovers(owner: string, sub: string): boolean {
  return owner === sub || (owner.endsWith('*') && sub.startsWith(owner.replace(/\*+$/, '')));
}

function nonResourceURLsCoverAll(owned: readonly string[], wanted: readonly string[]): boolean {
  return wanted.every((path) => owned.some((o) => nonResourceURLCovers(o, path)));
}

/** Whether owner (any shape) covers sub (at most one verb, group, resource and name). */
export function ruleCovers(owner: PolicyRule, sub: PolicyRule): boolean {
  const ownerVerbs = owner.verbs;
  const ownerGroups = owner.apiGroups ?? [];
  const ownerNames = owner.resourceNames ?? [];
  const subNames = sub.resourceNames ?? [];
  const verbs = ownerVerbs.includes(VERB_ALL) || hasAll(ownerVerbs, sub.verbs);
  const groups = ownerGroups.includes(API_GROUP_ALL) || hasAll(ownerGroups, sub.apiGroups ?? []);
  const resources = resourceCoversAll(owner.resources ?? [], sub.resources ?? []);
  const urls = nonResourceURLsCoverAll(owner.nonResourceURLs ?? [], sub.nonResourceURLs ?? []);
  const names = subNames.length === 0 ? ownerNames.length === 0 : ownerNames.length === 0 || hasAll(ownerNames, subNames);
  return verbs && groups && resources && names && urls;
}
