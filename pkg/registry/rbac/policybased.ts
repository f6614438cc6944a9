// The escalation checks on writes of roles and bindings, as store hooks: what
// upstream's policy-based storages (pkg/registry/rbac/<kind>/policybased) wrap
// around the standard storage. A request without a user is the apiserver's own
// (the bootstrap policy) and passes.
import { isDeepStrictEqual } from 'node:util';
import { newBadRequest, newForbidden } from '../../../api/meta/v1/status.js';
import type { KubeObject } from '../../../api/meta/v1/types.js';
import type { ClusterRole, PolicyRule, RoleBinding } from '../../../api/rbac/v1/types.js';
import type { Authorizer } from '../../auth/authorizer.js';
import type { RequestContext, StoreHooks } from '../store.js';
import { RBAC_GROUP } from '../../../api/rbac/v1/defaults.js';
import { bindingAuthorized, confirmNoEscalation, escalationAllowed, roleEscalationAuthorized } from './escalation_check.js';
import type { RuleResolver } from './validation/rule.js';

/** What the checks read: held rules, and the apiserver's authorizer for escalate and bind. */
export interface EscalationCheckSource {
  resolver: RuleResolver;
  /** The apiserver's authorizer; without one only held rules count (escalate and bind grant nothing). */
  authorizer(): Authorizer | undefined;
  /** Resolves once the roles and bindings in memory are those in storage. */
  synced(): Promise<void>;
}

/** An aggregation rule can gather any rule, so setting or changing one needs all of them. */
const FULL_AUTHORITY: PolicyRule[] = [
  { verbs: ['*'], apiGroups: ['*'], resources: ['*'] },
  { verbs: ['*'], nonResourceURLs: ['*'] },
];

/** Upstream's IsOnlyMutatingGCFields: an update touching only owner references and finalizers is no grant. */
export function isOnlyMutatingGCFields(obj: KubeObject, old: KubeObject): boolean {
  const strip = (o: KubeObject) => {
    const {
      ownerReferences: _o,
      finalizers: _f,
      managedFields: _m,
      resourceVersion: _r,
      selfLink: _s,
      ...meta
    } = o.metadata as KubeObject['metadata'] & {
      selfLink?: string;
    };
    return { ...o, metadata: meta };
  };
  return isDeepStrictEqual(JSON.parse(JSON.stringify(strip(obj))), JSON.parse(JSON.stringify(strip(old))));
}

function hasAggregationRule(obj: KubeObject): boolean {
  return (obj as ClusterRole).aggregationRule != null;
}

/** roles and clusterroles: the writer must hold every rule, or may escalate. */
export function roleHooks(src: EscalationCheckSource, resource: 'roles' | 'clusterroles'): StoreHooks {
  const check = async (obj: KubeObject, old: KubeObject | undefined, ctx: RequestContext): Promise<void> => {
    const user = ctx.user;
    if (!user || escalationAllowed(user)) return;
    if (old && isOnlyMutatingGCFields(obj, old)) return;
    await src.synced();
    const namespace = resource === 'roles' ? (ctx.namespace ?? obj.metadata.namespace ?? '') : '';
    const name = obj.metadata.name ?? '';
    // As upstream, the name checked is the request's: none on a create.
    if (await roleEscalationAuthorized(src.authorizer(), user, resource, namespace, old ? name : '')) return;
    const ref = { group: RBAC_GROUP, resource, name };
    const missing = confirmNoEscalation(src.resolver, user, namespace, (obj as ClusterRole).rules ?? []);
    if (missing) throw newForbidden(ref, missing);
    if (resource === 'clusterroles' && (hasAggregationRule(obj) || (old && hasAggregationRule(old)))) {
      if (confirmNoEscalation(src.resolver, user, '', FULL_AUTHORITY)) throw newForbidden(ref, 'must have cluster-admin privileges to use the aggregationRule');
    }
  };
  return {
    beforeCreate: (obj, ctx) => check(obj, undefined, ctx),
    beforeUpdate: (obj, old, ctx) => check(obj, old, ctx),
  };
}

/** rolebindings and clusterrolebindings: the writer may bind the role, or holds every rule it grants. */
export function bindingHooks(src: EscalationCheckSource, resource: 'rolebindings' | 'clusterrolebindings'): StoreHooks {
  const check = async (obj: KubeObject, old: KubeObject | undefined, ctx: RequestContext): Promise<void> => {
    const user = ctx.user;
    if (!user || escalationAllowed(user)) return;
    if (old && isOnlyMutatingGCFields(obj, old)) return;
    let namespace = '';
    if (resource === 'rolebindings') {
      namespace = ctx.namespace ?? obj.metadata.namespace ?? '';
      if (!namespace) throw newBadRequest('namespace is required');
    }
    await src.synced();
    const binding = obj as RoleBinding;
    if (await bindingAuthorized(src.authorizer(), user, binding.roleRef, namespace)) return;
    const ref = { group: RBAC_GROUP, resource, name: obj.metadata.name ?? '' };
    const granted = src.resolver.getRoleReferenceRules(binding.roleRef, namespace);
    if ('error' in granted) throw newForbidden(ref, granted.error);
    const missing = confirmNoEscalation(src.resolver, user, namespace, granted.rules);
    if (missing) throw newForbidden(ref, missing);
  };
  return {
    beforeCreate: (obj, ctx) => check(obj, undefined, ctx),
    beforeUpdate: (obj, old, ctx) => check(obj, old, ctx),
  };
}
