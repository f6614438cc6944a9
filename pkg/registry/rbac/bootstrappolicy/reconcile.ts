// Creating and reconciling the default roles and bindings at apiserver start,
// as upstream's pkg/registry/rbac/reconciliation does: a missing object is
// created; an existing one annotated rbac.authorization.kubernetes.io/autoupdate
// other than "false" gets the rules, subjects, labels, annotations and aggregation
// selectors it lacks (what a user added is kept); a binding whose roleRef changed
// is recreated. An object annotated autoupdate=false is left alone.
import { isDeepStrictEqual } from 'node:util';
import { StatusError } from '../../../../api/meta/v1/status.js';
import type { KubeObject } from '../../../../api/meta/v1/types.js';
import type { AggregationRule, ClusterRole, ClusterRoleBinding, PolicyRule, Role, RoleBinding, Subject } from '../../../../api/rbac/v1/types.js';
import type { RequestContext, Store } from '../../store.js';
import { covers } from '../validation/policy_comparator.js';
import { controllerRoleBindings, controllerRoles } from './controller_policy.js';
import { namespaceRoleBindings, namespaceRoles } from './namespace_policy.js';
import { clusterRoleBindings, clusterRoles } from './policy.js';
import { AUTOUPDATE_ANNOTATION } from './rules.js';
import { RBAC_GROUP } from '../../../../api/rbac/v1/defaults.js';

export interface BootstrapPolicy {
  clusterRoles: ClusterRole[];
  clusterRoleBindings: ClusterRoleBinding[];
  roles: Role[];
  roleBindings: RoleBinding[];
}

/** Everything the apiserver creates at start. */
export function bootstrapPolicy(): BootstrapPolicy {
  return {
    clusterRoles: [...clusterRoles(), ...controllerRoles()],
    clusterRoleBindings: [...clusterRoleBindings(), ...controllerRoleBindings()],
    roles: namespaceRoles(),
    roleBindings: namespaceRoleBindings(),
  };
}

type StoreLookup = (group: string, version: string, plural: string) => Store | undefined;

const CTX: RequestContext = { dryRun: false, fieldManager: 'timonel-apiserver', fieldValidation: 'Strict', warnings: [] };

function protectedFromUpdate(existing: KubeObject): boolean {
  return existing.metadata.annotations?.[AUTOUPDATE_ANNOTATION] === 'false';
}

/** expected's entries fill in what existing lacks; existing's values win. */
function mergeMaps(existing: Record<string, string> | undefined, expected: Record<string, string> | undefined): Record<string, string> | undefined {
  if (!expected || !Object.keys(expected).length) return existing;
  return { ...expected, ...(existing ?? {}) };
}

function reconcileMeta(existing: KubeObject, expected: KubeObject): KubeObject {
  const out = structuredClone(existing);
  const labels = mergeMaps(existing.metadata.labels, expected.metadata.labels);
  const annotations = mergeMaps(existing.metadata.annotations, expected.metadata.annotations);
  if (labels) out.metadata.labels = labels;
  if (annotations) out.metadata.annotations = annotations;
  return out;
}

/** The role with the rules and selectors it lacks; undefined when nothing is missing. */
export function reconcileRole<R extends Role | ClusterRole>(existing: R, expected: R): R | undefined {
  const out = reconcileMeta(existing, expected) as R;
  const { missing } = covers(existing.rules ?? [], expected.rules ?? []);
  if (missing.length) out.rules = [...(existing.rules ?? []), ...missing];
  const want = (expected as ClusterRole).aggregationRule;
  if (want) {
    const have: AggregationRule = (existing as ClusterRole).aggregationRule ?? {};
    const selectors = [...(have.clusterRoleSelectors ?? [])];
    for (const s of want.clusterRoleSelectors ?? []) if (!selectors.some((x) => isDeepStrictEqual(x, s))) selectors.push(s);
    (out as ClusterRole).aggregationRule = { ...have, clusterRoleSelectors: selectors };
  }
  return isDeepStrictEqual(out, existing) ? undefined : out;
}

function sameSubject(a: Subject, b: Subject, bindingNamespace: string): boolean {
  const ns = (s: Subject) => (s.kind === 'ServiceAccount' ? s.namespace || bindingNamespace : (s.namespace ?? ''));
  return a.kind === b.kind && a.name === b.name && ns(a) === ns(b) && (a.apiGroup ?? '') === (b.apiGroup ?? '');
}

/** The binding with the subjects it lacks; undefined when nothing is missing. */
export function reconcileBinding<B extends RoleBinding | ClusterRoleBinding>(existing: B, expected: B): B | undefined {
  const out = reconcileMeta(existing, expected) as B;
  const ns = existing.metadata.namespace ?? '';
  const subjects = [...(existing.subjects ?? [])];
  for (const s of expected.subjects ?? []) if (!subjects.some((x) => sameSubject(x, s, ns))) subjects.push(s);
  if (subjects.length !== (existing.subjects ?? []).length) out.subjects = subjects;
  return isDeepStrictEqual(out, existing) ? undefined : out;
}

function isStatus(err: unknown, reason: string): boolean {
  return err instanceof StatusError && err.reason === reason;
}

/** Creates or reconciles one object; retried when another apiserver writes it meanwhile. */
async function ensureOne(
  store: Store,
  expected: KubeObject,
  reconcile: (existing: KubeObject, expected: KubeObject) => KubeObject | undefined | 'recreate',
): Promise<void> {
  const ctx = { ...CTX, namespace: expected.metadata.namespace };
  const name = expected.metadata.name ?? '';
  for (let attempt = 0; ; attempt++) {
    try {
      const existing = await store.getIfExists(ctx, name);
      if (!existing) {
        await store.create(ctx, expected);
        return;
      }
      if (protectedFromUpdate(existing)) return;
      const wanted = reconcile(existing, expected);
      if (wanted === undefined) return;
      if (wanted === 'recreate') {
        await store.delete(ctx, name, { preconditions: { uid: existing.metadata.uid } });
        await store.create(ctx, expected);
        return;
      }
      await store.update(ctx, name, wanted);
      return;
    } catch (err) {
      if (attempt < 4 && (isStatus(err, 'AlreadyExists') || isStatus(err, 'Conflict') || isStatus(err, 'NotFound'))) continue;
      throw err;
    }
  }
}

const roleReconciler = (existing: KubeObject, expected: KubeObject) => reconcileRole(existing as ClusterRole, expected as ClusterRole);

const bindingReconciler = (existing: KubeObject, expected: KubeObject) => {
  const e = existing as RoleBinding;
  const x = expected as RoleBinding;
  // roleRef cannot change: a binding to another role is replaced.
  if (!isDeepStrictEqual(e.roleRef, x.roleRef)) return 'recreate' as const;
  return reconcileBinding(e, x);
};

/**
 * Creates the default roles and bindings, or brings existing ones up to date
 * (upstream's PostStartHook "rbac/bootstrap-roles"). Roles go first, so no
 * binding ever names a role that is not there yet.
 */
export async function ensureBootstrapPolicy(stores: StoreLookup, policy: BootstrapPolicy = bootstrapPolicy()): Promise<void> {
  const store = (plural: string) => stores(RBAC_GROUP, 'v1', plural);
  const all = async (s: Store | undefined, objs: KubeObject[], reconcile: Parameters<typeof ensureOne>[2]) => {
    if (s) await Promise.all(objs.map((o) => ensureOne(s, o, reconcile)));
  };
  await Promise.all([all(store('clusterroles'), policy.clusterRoles, roleReconciler), all(store('roles'), policy.roles, roleReconciler)]);
  await Promise.all([
    all(store('clusterrolebindings'), policy.clusterRoleBindings, bindingReconciler),
    all(store('rolebindings'), policy.roleBindings, bindingReconciler),
  ]);
}

/** The rules of cluster roles the policy defines (the Node authorizer's, tests). */
export function policyRulesOf(policy: BootstrapPolicy, name: string): PolicyRule[] {
  return policy.clusterRoles.find((r) => r.metadata.name === name)?.rules ?? [];
}
