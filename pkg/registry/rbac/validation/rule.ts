// Which RBAC rules apply to a user, and whether one rule allows a request:
// upstream's pkg/registry/rbac/validation/rule.go (DefaultRuleResolver) with the
// matching helpers of pkg/apis/rbac/v1/evaluation_helpers.go.
import type { Attributes } from '../../../auth/authorizer.js';
import type { UserInfo } from '../../../auth/user.js';
import type { ClusterRole, ClusterRoleBinding, PolicyRule, Role, RoleBinding, RoleRef, Subject } from '../../../../api/rbac/v1/types.js';
import { goQuote } from '../../../util/goquote.js';

export const VERB_ALL = '*';
export const API_GROUP_ALL = '*';
export const RESOURCE_ALL = '*';
export const NON_RESOURCE_ALL = '*';

const SERVICE_ACCOUNT_USER_PREFIX = 'system:serviceaccount:';

export function verbMatches(rule: PolicyRule, verb: string): boolean {
  return rule.verbs.some((v) => v === VERB_ALL || v === verb);
}

export function apiGroupMatches(rule: PolicyRule, group: string): boolean {
  return (rule.apiGroups ?? []).some((g) => g === API_GROUP_ALL || g === group);
}

/** combined is resource or resource/subresource; a rule's `*` matches any, `*\/sub` any resource's sub. */
export function resourceMatches(rule: PolicyRule, combined: string, subresource: string): boolean {
  for (const r of rule.resources ?? []) {
    if (r === RESOURCE_ALL || r === combined) return true;
    if (subresource && r.length === subresource.length + 2 && r.startsWith('*/') && r.endsWith(subresource)) return true;
  }
  return false;
}

/** No resourceNames: every name (including none, as for list and create). */
export function resourceNameMatches(rule: PolicyRule, name: string): boolean {
  const names = rule.resourceNames ?? [];
  return names.length === 0 || names.includes(name);
}

/** Exact, `*`, or a prefix ending in `*` (`/apis/*`). */
export function nonResourceURLMatches(rule: PolicyRule, url: string): boolean {
  for (const u of rule.nonResourceURLs ?? []) {
    if (u === NON_RESOURCE_ALL || u === url) return true;
    if (u.endsWith('*') && url.startsWith(u.replace(/\*+$/, ''))) return true;
  }
  return false;
}

export function ruleAllows(attrs: Attributes, rule: PolicyRule): boolean {
  if (attrs.isResourceRequest) {
    const combined = attrs.subresource ? `${attrs.resource}/${attrs.subresource}` : attrs.resource;
    return (
      verbMatches(rule, attrs.verb) &&
      apiGroupMatches(rule, attrs.apiGroup) &&
      resourceMatches(rule, combined, attrs.subresource) &&
      resourceNameMatches(rule, attrs.name)
    );
  }
  return verbMatches(rule, attrs.verb) && nonResourceURLMatches(rule, attrs.path);
}

export function rulesAllow(attrs: Attributes, rules: readonly PolicyRule[]): boolean {
  return rules.some((r) => ruleAllows(attrs, r));
}

/** The user name of a service account: system:serviceaccount:<namespace>:<name>. */
export function serviceAccountUsername(namespace: string, name: string): string {
  return `${SERVICE_ACCOUNT_USER_PREFIX}${namespace}:${name}`;
}

/** The namespace and name of a service account user, or undefined for any other user. */
export function splitServiceAccountUsername(username: string): { namespace: string; name: string } | undefined {
  if (!username.startsWith(SERVICE_ACCOUNT_USER_PREFIX)) return undefined;
  const rest = username.slice(SERVICE_ACCOUNT_USER_PREFIX.length);
  const colon = rest.indexOf(':');
  if (colon <= 0 || colon === rest.length - 1) return undefined;
  return { namespace: rest.slice(0, colon), name: rest.slice(colon + 1) };
}

/** Whether a binding's subject names this user; a ServiceAccount without a namespace is in the binding's. */
export function appliesToUser(user: UserInfo, subject: Subject, bindingNamespace: string): boolean {
  switch (subject.kind) {
    case 'User':
      return user.name === subject.name;
    case 'Group':
      return user.groups.includes(subject.name);
    case 'ServiceAccount': {
      const ns = subject.namespace || bindingNamespace;
      return ns !== '' && user.name === serviceAccountUsername(ns, subject.name);
    }
    default:
      return false;
  }
}

/** The first subject of a binding that names the user. */
export function appliesTo(user: UserInfo, subjects: readonly Subject[] | undefined, bindingNamespace: string): Subject | undefined {
  return (subjects ?? []).find((s) => appliesToUser(user, s, bindingNamespace));
}

function describeSubject(s: Subject, bindingNamespace: string): string {
  if (s.kind === 'ServiceAccount') return `${s.kind} ${goQuote(`${s.name}/${s.namespace || bindingNamespace}`)}`;
  return `${s.kind} ${goQuote(s.name)}`;
}

/** Where a rule came from, as upstream's describers print it in authorizer reasons. */
export class RuleSource {
  constructor(
    readonly binding: RoleBinding | ClusterRoleBinding,
    readonly subject: Subject,
    readonly clusterBinding: boolean,
  ) {}

  toString(): string {
    const b = this.binding;
    const ref = b.roleRef;
    if (this.clusterBinding) {
      return `ClusterRoleBinding ${goQuote(b.metadata.name ?? '')} of ${ref.kind} ${goQuote(ref.name)} to ${describeSubject(this.subject, '')}`;
    }
    const ns = b.metadata.namespace ?? '';
    return `RoleBinding ${goQuote(`${b.metadata.name ?? ''}/${ns}`)} of ${ref.kind} ${goQuote(ref.name)} to ${describeSubject(this.subject, ns)}`;
  }
}

/** Where roles and bindings are read from (the registry's watch caches, or fixed lists in tests). */
export interface RBACListers {
  getRole(namespace: string, name: string): Role | undefined;
  getClusterRole(name: string): ClusterRole | undefined;
  /** The cluster role bindings that may name this user (more is fine: each subject is checked). */
  clusterRoleBindingsFor(user: UserInfo): Iterable<ClusterRoleBinding>;
  /** The role bindings in namespace that may name this user. */
  roleBindingsFor(user: UserInfo, namespace: string): Iterable<RoleBinding>;
}

/** Return false to stop visiting. rule is undefined when err is set. */
export type RuleVisitor = (source: RuleSource | undefined, rule: PolicyRule | undefined, err: string | undefined) => boolean;

export class RuleResolver {
  constructor(private readonly listers: RBACListers) {}

  /** The rules a role reference grants; namespace is the binding's ('' for a cluster role binding). */
  getRoleReferenceRules(roleRef: RoleRef, namespace: string): { rules: PolicyRule[] } | { error: string } {
    switch (roleRef.kind) {
      case 'Role': {
        const role = this.listers.getRole(namespace, roleRef.name);
        return role ? { rules: role.rules ?? [] } : { error: `role.rbac.authorization.k8s.io ${goQuote(roleRef.name)} not found` };
      }
      case 'ClusterRole': {
        const role = this.listers.getClusterRole(roleRef.name);
        return role ? { rules: role.rules ?? [] } : { error: `clusterrole.rbac.authorization.k8s.io ${goQuote(roleRef.name)} not found` };
      }
      default:
        return { error: `unsupported role reference kind: ${goQuote(roleRef.kind)}` };
    }
  }

  /** Calls visitor with each rule that applies to user in namespace (cluster-wide first), and each resolution error. */
  visitRulesFor(user: UserInfo, namespace: string, visitor: RuleVisitor): void {
    for (const binding of this.listers.clusterRoleBindingsFor(user)) {
      const subject = appliesTo(user, binding.subjects, '');
      if (!subject) continue;
      if (!this.visitBinding(binding, subject, '', true, visitor)) return;
    }
    if (!namespace) return;
    for (const binding of this.listers.roleBindingsFor(user, namespace)) {
      const subject = appliesTo(user, binding.subjects, namespace);
      if (!subject) continue;
      if (!this.visitBinding(binding, subject, namespace, false, visitor)) return;
    }
  }

  private visitBinding(binding: RoleBinding | ClusterRoleBinding, subject: Subject, namespace: string, cluster: boolean, visitor: RuleVisitor): boolean {
    const res = this.getRoleReferenceRules(binding.roleRef, namespace);
    if ('error' in res) return visitor(undefined, undefined, res.error);
    const source = new RuleSource(binding, subject, cluster);
    for (const rule of res.rules) if (!visitor(source, rule, undefined)) return false;
    return true;
  }

  /** Every rule that applies, and the errors met finding them (the rules found still count: rules only add). */
  rulesFor(user: UserInfo, namespace: string): { rules: PolicyRule[]; errors: string[] } {
    const rules: PolicyRule[] = [];
    const errors: string[] = [];
    this.visitRulesFor(user, namespace, (_s, rule, err) => {
      if (rule) rules.push(rule);
      if (err) errors.push(err);
      return true;
    });
    return { rules, errors };
  }
}

/** Listers over fixed lists (tests, and checks of a policy before it is stored). */
export function staticListers(objs: {
  roles?: Role[];
  clusterRoles?: ClusterRole[];
  roleBindings?: RoleBinding[];
  clusterRoleBindings?: ClusterRoleBinding[];
}): RBACListers {
  return {
    getRole: (ns, name) => objs.roles?.find((r) => r.metadata.namespace === ns && r.metadata.name === name),
    getClusterRole: (name) => objs.clusterRoles?.find((r) => r.metadata.name === name),
    clusterRoleBindingsFor: () => objs.clusterRoleBindings ?? [],
    roleBindingsFor: (_user, ns) => (objs.roleBindings ?? []).filter((b) => b.metadata.namespace === ns),
  };
}
