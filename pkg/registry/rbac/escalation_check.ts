// Escalation prevention: no one grants permissions they do not hold, unless
// they may `escalate` (roles) or `bind` (bindings). After upstream's
// pkg/registry/rbac/escalation_check.go and ConfirmNoEscalation in
// pkg/registry/rbac/validation/rule.go.
import type { PolicyRule, RoleRef } from '../../../api/rbac/v1/types.js';
import { RBAC_GROUP } from '../../../api/rbac/v1/defaults.js';
import type { Attributes, Authorizer } from '../../auth/authorizer.js';
import { SYSTEM_PRIVILEGED_GROUP, type UserInfo } from '../../auth/user.js';
import { covers } from './validation/policy_comparator.js';
import { compactRules, compactString } from './validation/compact.js';
import type { RuleResolver } from './validation/rule.js';
import { goQuote } from '../../util/goquote.js';

/** system:masters may do anything: the apiserver's own privileged connections use it. */
export function escalationAllowed(user: UserInfo): boolean {
  return user.groups.includes(SYSTEM_PRIVILEGED_GROUP);
}

function resourceAttributes(user: UserInfo, verb: string, resource: string, namespace: string, name: string): Attributes {
  return { user, verb, isResourceRequest: true, path: '', apiGroup: RBAC_GROUP, apiVersion: '*', namespace, resource, subresource: '', name };
}

async function allowed(authorizer: Authorizer | undefined, attrs: Attributes): Promise<boolean> {
  if (!authorizer) return false;
  return (await authorizer.authorize(attrs)).decision === 'Allow';
}

/** Whether the user may `escalate` the role or cluster role being written. */
export function roleEscalationAuthorized(
  authorizer: Authorizer | undefined,
  user: UserInfo,
  resource: 'roles' | 'clusterroles',
  namespace: string,
  name: string,
): Promise<boolean> {
  return allowed(authorizer, resourceAttributes(user, 'escalate', resource, namespace, name));
}

/**
 * Whether the user may `bind` the referenced role, checked in the binding's namespace
 * ('' for a cluster role binding): a grant of bind on a cluster role in one namespace
 * lets its holder bind that role there only.
 */
export function bindingAuthorized(authorizer: Authorizer | undefined, user: UserInfo, roleRef: RoleRef, bindingNamespace: string): Promise<boolean> {
  const resource = roleRef.kind === 'ClusterRole' ? 'clusterroles' : roleRef.kind === 'Role' ? 'roles' : undefined;
  if (!resource || roleRef.apiGroup !== RBAC_GROUP) return Promise.resolve(false);
  return allowed(authorizer, resourceAttributes(user, 'bind', resource, bindingNamespace, roleRef.name));
}

/** Go's %q of a []string. */
function goQuoted(list: readonly string[]): string {
  return `[${list.map((s) => goQuote(s)).join(' ')}]`;
}

/**
 * Undefined when the user's own rules in namespace ('' for cluster scope) cover rules;
 * otherwise upstream's message listing what is missing.
 */
export function confirmNoEscalation(resolver: RuleResolver, user: UserInfo, namespace: string, rules: readonly PolicyRule[]): string | undefined {
  const owner = resolver.rulesFor(user, namespace);
  const { covered, missing } = covers(owner.rules, rules);
  if (covered) return undefined;
  const descriptions = [...new Set(compactRules(missing).map(compactString))].sort();
  let msg = `user ${goQuote(user.name)} (groups=${goQuoted(user.groups)}) is attempting to grant RBAC permissions not currently held:\n${descriptions.join('\n')}`;
  if (owner.errors.length) {
    const aggregate = owner.errors.length === 1 ? owner.errors[0] : `[${owner.errors.join(', ')}]`;
    msg += `; resolution errors: [${aggregate}]`;
  }
  return msg;
}
