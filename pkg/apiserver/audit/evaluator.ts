// Which level a request is audited at: the first policy rule that matches it, as
// k8s.io/apiserver's policy.EvaluatePolicyRule decides; no rule matching means None.
import type { Level, Policy, PolicyRule, Stage } from './policy.js';

/** What a rule looks at: the authorizer's attributes, with the user undefined when authentication failed. */
export interface PolicyAttributes {
  user?: { name: string; groups: readonly string[] };
  verb: string;
  isResourceRequest: boolean;
  path: string;
  apiGroup: string;
  namespace: string;
  resource: string;
  subresource: string;
  name: string;
}

/** upstream's RequestAuditConfig: the level, and what the event leaves out. */
export interface RequestAuditConfig {
  level: Level;
  omitStages: readonly Stage[];
  omitManagedFields: boolean;
}

const LEVEL_ORDER: Readonly<Record<Level, number>> = { None: 0, Metadata: 1, Request: 2, RequestResponse: 3 };

/** Whether level is at least min (Level.GreaterOrEqual). */
export function levelAtLeast(level: Level, min: Level): boolean {
  return LEVEL_ORDER[level] >= LEVEL_ORDER[min];
}

export class PolicyRuleEvaluator {
  private readonly rules: ReadonlyArray<{ rule: PolicyRule; config: RequestAuditConfig }>;
  private readonly fallback: RequestAuditConfig;

  constructor(policy: Policy) {
    // A rule omits its own stages and the policy's.
    this.rules = policy.rules.map((rule) => ({
      rule,
      config: {
        level: rule.level,
        omitStages: [...new Set([...policy.omitStages, ...rule.omitStages])],
        omitManagedFields: rule.omitManagedFields ?? policy.omitManagedFields,
      },
    }));
    this.fallback = { level: 'None', omitStages: policy.omitStages, omitManagedFields: policy.omitManagedFields };
  }

  evaluate(attrs: PolicyAttributes): RequestAuditConfig {
    for (const { rule, config } of this.rules) if (ruleMatches(rule, attrs)) return config;
    return this.fallback;
  }
}

export function ruleMatches(r: PolicyRule, attrs: PolicyAttributes): boolean {
  const user = attrs.user;
  if (r.users.length > 0 && (!user || !r.users.includes(user.name))) return false;
  if (r.userGroups.length > 0 && (!user || !user.groups.some((g) => r.userGroups.includes(g)))) return false;
  if (r.verbs.length > 0 && !r.verbs.includes(attrs.verb)) return false;
  if (r.namespaces.length > 0 || r.resources.length > 0) return ruleMatchesResource(r, attrs);
  if (r.nonResourceURLs.length > 0) return !attrs.isResourceRequest && r.nonResourceURLs.some((spec) => pathMatches(attrs.path, spec));
  return true;
}

/** `*`, an exact path, or a prefix ending in `*`. */
function pathMatches(path: string, spec: string): boolean {
  if (spec === '*' || spec === path) return true;
  return spec.endsWith('*') && path.startsWith(spec.replace(/\*+$/, ''));
}

function ruleMatchesResource(r: PolicyRule, attrs: PolicyAttributes): boolean {
  if (!attrs.isResourceRequest) return false;
  // Non-namespaced resources have the namespace ''.
  if (r.namespaces.length > 0 && !r.namespaces.includes(attrs.namespace)) return false;
  if (r.resources.length === 0) return true;
  const { resource, subresource, name } = attrs;
  const combined = subresource ? `${resource}/${subresource}` : resource;
  for (const gr of r.resources) {
    if (gr.group !== attrs.apiGroup) continue;
    if (gr.resources.length === 0) return true;
    if (gr.resourceNames.length > 0 && !gr.resourceNames.includes(name)) continue;
    for (const res of gr.resources) {
      if (res === combined || res === '*') return true;
      if (subresource && res.startsWith('*/') && res.slice(2) === subresource) return true;
      if (res.endsWith('/*') && res.slice(0, -2) === resource) return true;
    }
  }
  return false;
}
