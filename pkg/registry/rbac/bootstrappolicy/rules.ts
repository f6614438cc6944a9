// Small builders for the bootstrap policy, after upstream's rbacv1helpers
// NewRule(...).Groups(...).Resources(...).RuleOrDie(): verbs, resources, names
// and URLs come out sorted, as upstream writes them.
import { RBAC_GROUP } from '../../../../api/rbac/v1/defaults.js';
import type { ClusterRole, ClusterRoleBinding, PolicyRule, Role, RoleBinding, Subject } from '../../../../api/rbac/v1/types.js';

export const READ = ['get', 'list', 'watch'];
export const WRITE = ['create', 'update', 'patch', 'delete', 'deletecollection'];
export const READ_WRITE = [...READ, ...WRITE];
export const READ_UPDATE = ['get', 'list', 'watch', 'update', 'patch'];

/** Every default object carries these: the label marks it, the annotation lets the apiserver reconcile it at start. */
export const BOOTSTRAP_LABEL = { 'kubernetes.io/bootstrapping': 'rbac-defaults' };
export const AUTOUPDATE_ANNOTATION = 'rbac.authorization.kubernetes.io/autoupdate';

const sorted = (xs: string[]) => [...new Set(xs)].sort();

export class RuleBuilder {
  private readonly rule: PolicyRule;

  constructor(verbs: string[]) {
    this.rule = { verbs: sorted(verbs) };
  }

  groups(...groups: string[]): this {
    this.rule.apiGroups = groups;
    return this;
  }

  resources(...resources: string[]): this {
    this.rule.resources = sorted(resources);
    return this;
  }

  names(...names: string[]): this {
    this.rule.resourceNames = sorted(names);
    return this;
  }

  urls(...urls: string[]): this {
    this.rule.nonResourceURLs = sorted(urls);
    return this;
  }

  get build(): PolicyRule {
    return this.rule;
  }
}

export function rule(...verbs: string[]): RuleBuilder {
  return new RuleBuilder(verbs);
}

/** create/update/patch on events in both event groups, which every component records. */
export function eventsRule(): PolicyRule {
  return rule('create', 'update', 'patch').groups('', 'events.k8s.io').resources('events').build;
}

function meta(name: string, namespace: string | undefined, labels: Record<string, string> = {}) {
  return {
    name,
    ...(namespace ? { namespace } : {}),
    labels: { ...labels, ...BOOTSTRAP_LABEL },
    annotations: { [AUTOUPDATE_ANNOTATION]: 'true' },
  };
}

export function clusterRole(name: string, rules: PolicyRule[], extra: { labels?: Record<string, string>; aggregateFrom?: string } = {}): ClusterRole {
  const role: ClusterRole = { apiVersion: `${RBAC_GROUP}/v1`, kind: 'ClusterRole', metadata: meta(name, undefined, extra.labels), rules };
  if (extra.aggregateFrom) role.aggregationRule = { clusterRoleSelectors: [{ matchLabels: { [extra.aggregateFrom]: 'true' } }] };
  return role;
}

export function role(namespace: string, name: string, rules: PolicyRule[]): Role {
  return { apiVersion: `${RBAC_GROUP}/v1`, kind: 'Role', metadata: meta(name, namespace), rules };
}

export const user = (name: string): Subject => ({ apiGroup: RBAC_GROUP, kind: 'User', name });
export const group = (name: string): Subject => ({ apiGroup: RBAC_GROUP, kind: 'Group', name });
export const serviceAccount = (namespace: string, name: string): Subject => ({ apiGroup: '', kind: 'ServiceAccount', namespace, name });

export function clusterRoleBinding(roleName: string, subjects: Subject[], name = roleName): ClusterRoleBinding {
  return {
    apiVersion: `${RBAC_GROUP}/v1`,
    kind: 'ClusterRoleBinding',
    metadata: meta(name, undefined),
    roleRef: { apiGroup: RBAC_GROUP, kind: 'ClusterRole', name: roleName },
    subjects,
  };
}

export function roleBinding(namespace: string, roleName: string, subjects: Subject[], name = roleName): RoleBinding {
  return {
    apiVersion: `${RBAC_GROUP}/v1`,
    kind: 'RoleBinding',
    metadata: meta(name, namespace),
    roleRef: { apiGroup: RBAC_GROUP, kind: 'Role', name: roleName },
    subjects,
  };
}
