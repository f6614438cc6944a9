// The default policy: every object valid, every binding's role present, a role
// for each controller the controller-manager runs, and what admin, edit and view
// aggregate to. Reconciliation adds what is missing and keeps what users added.
import { describe, expect, test } from '@jest/globals';
import assert from 'node:assert/strict';
import type { Attributes } from '../../../pkg/auth/authorizer.js';
import type { ClusterRole, ClusterRoleBinding, PolicyRule } from '../../../api/rbac/v1/types.js';
import { validateClusterRole, validateClusterRoleBinding, validateRole, validateRoleBinding } from '../../../api/rbac/v1/validation.js';
import { setDefaultsRoleBinding } from '../../../api/rbac/v1/defaults.js';
import { bootstrapPolicy, reconcileBinding, reconcileRole } from '../../../pkg/registry/rbac/bootstrappolicy/reconcile.js';
import { CONTROLLER_ROLE_PREFIX } from '../../../pkg/registry/rbac/bootstrappolicy/controller_policy.js';
import { rulesAllow } from '../../../pkg/registry/rbac/validation/rule.js';
import { CONTROLLERS } from '../../../pkg/controller/manager.js';
import { aggregatedRules } from '../../../pkg/controller/clusterroleaggregation/clusterroleaggregation_controller.js';

const policy = bootstrapPolicy();

/** Each controller the manager runs, by the name of its upstream role. */
const CONTROLLER_ROLE: Record<string, string> = {
  namespace: 'namespace-controller',
  nodelifecycle: 'node-controller',
  serviceaccount: 'service-account-controller',
  endpointslice: 'endpointslice-controller',
  endpoint: 'endpoint-controller',
  disruption: 'disruption-controller',
  replicaset: 'replicaset-controller',
  garbagecollector: 'generic-garbage-collector',
  statefulset: 'statefulset-controller',
  deployment: 'deployment-controller',
  horizontalpodautoscaling: 'horizontal-pod-autoscaler',
  'persistentvolume-binder': 'persistent-volume-binder',
  daemonset: 'daemon-set-controller',
  job: 'job-controller',
  cronjob: 'cronjob-controller',
  'ttl-after-finished': 'ttl-after-finished-controller',
  servicelb: 'service-lb-controller',
  resourcequota: 'resourcequota-controller',
  'clusterrole-aggregation': 'clusterrole-aggregation-controller',
  'local-path-provisioner': 'local-path-provisioner',
  csrsigning: 'certificate-controller',
  csrapproving: 'certificate-controller',
  'root-ca-cert-publisher': 'root-ca-cert-publisher',
};

/** Controllers upstream runs with the controller-manager's own (root) credentials: no role of their own. */
const MANAGER_IDENTITY_CONTROLLERS = new Set(['serviceaccount-token']);

/** The controllers whose upstream roles are Roles in the namespaces they work in, not ClusterRoles. */
const NAMESPACED_CONTROLLER_ROLE: Record<string, { role: string; namespaces: string[] }> = {
  bootstrapsigner: { role: 'bootstrap-signer', namespaces: ['kube-system', 'kube-public'] },
  tokencleaner: { role: 'token-cleaner', namespaces: ['kube-system'] },
};

function role(name: string): ClusterRole {
  const r = policy.clusterRoles.find((x) => x.metadata.name === name);
  assert.ok(r, name);
  return r;
}

/** admin, edit and view as the aggregation controller leaves them (it runs until nothing changes). */
function aggregated(): ClusterRole[] {
  const roles = structuredClone(policy.clusterRoles);
  for (let changed = true; changed;) {
    changed = false;
    for (const r of roles) {
      if (!r.aggregationRule) continue;
      const rules = aggregatedRules(r, roles);
      if (JSON.stringify(rules) !== JSON.stringify(r.rules)) {
        r.rules = rules;
        changed = true;
      }
    }
  }
  return roles;
}

function can(rules: PolicyRule[], verb: string, group: string, resource: string): boolean {
  const [r, sub = ''] = resource.split('/');
  const attrs: Attributes = {
    user: { name: 'u', groups: [] },
    verb,
    isResourceRequest: true,
    path: '',
    apiGroup: group,
    apiVersion: 'v1',
    namespace: 'ns',
    resource: r,
    subresource: sub,
    name: '',
  };
  return rulesAllow(attrs, rules);
}

describe('the bootstrap policy', () => {
  test('every object is valid and marked as a default', () => {
    for (const r of policy.clusterRoles) expect([r.metadata.name, validateClusterRole(r)]).toEqual([r.metadata.name, []]);
    for (const r of policy.roles) expect([r.metadata.name, validateRole(r)]).toEqual([r.metadata.name, []]);
    for (const b of policy.clusterRoleBindings) {
      const d = structuredClone(b);
      setDefaultsRoleBinding(d);
      expect([b.metadata.name, validateClusterRoleBinding(d)]).toEqual([b.metadata.name, []]);
      assert.deepEqual(d, b, `${b.metadata.name} is written as defaulting leaves it`);
    }
    for (const b of policy.roleBindings) expect([b.metadata.name, validateRoleBinding(b)]).toEqual([b.metadata.name, []]);
    for (const o of [...policy.clusterRoles, ...policy.roles, ...policy.clusterRoleBindings, ...policy.roleBindings]) {
      assert.equal(o.metadata.labels?.['kubernetes.io/bootstrapping'], 'rbac-defaults');
      assert.equal(o.metadata.annotations?.['rbac.authorization.kubernetes.io/autoupdate'], 'true');
    }
  });

  test('names are unique and every binding names a role of the policy', () => {
    const names = policy.clusterRoles.map((r) => r.metadata.name);
    assert.equal(new Set(names).size, names.length);
    for (const b of policy.clusterRoleBindings) assert.ok(names.includes(b.roleRef.name), b.metadata.name);
    for (const b of policy.roleBindings) {
      assert.ok(
        policy.roles.some((r) => r.metadata.name === b.roleRef.name && r.metadata.namespace === b.metadata.namespace),
        `${b.metadata.namespace}/${b.metadata.name}`,
      );
    }
  });

  test('the roles the issue lists are there', () => {
    for (const name of [
      'cluster-admin',
      'admin',
      'edit',
      'view',
      'system:basic-user',
      'system:discovery',
      'system:public-info-viewer',
      'system:node',
      'system:node-proxier',
      'system:node-bootstrapper',
      'system:kube-scheduler',
      'system:kube-controller-manager',
      'system:kube-dns',
      'system:monitoring',
    ]) {
      role(name);
    }
    const publicInfo = policy.clusterRoleBindings.find((b) => b.metadata.name === 'system:public-info-viewer');
    expect(publicInfo?.subjects?.map((s) => s.name)).toEqual(['system:authenticated', 'system:unauthenticated']);
  });

  test('every controller the controller-manager runs has its role, bound to its account and to the manager', () => {
    for (const name of Object.keys(CONTROLLERS)) {
      if (MANAGER_IDENTITY_CONTROLLERS.has(name)) continue;
      const namespaced = NAMESPACED_CONTROLLER_ROLE[name];
      if (namespaced) {
        const roleName = CONTROLLER_ROLE_PREFIX + namespaced.role;
        for (const ns of namespaced.namespaces) {
          assert.ok(
            policy.roles.some((r) => r.metadata.namespace === ns && r.metadata.name === roleName),
            `${ns}/${roleName}`,
          );
          const binding = policy.roleBindings.find((b) => b.metadata.namespace === ns && b.roleRef.name === roleName);
          expect(binding?.subjects?.map((s) => `${s.kind}:${s.namespace ?? ''}:${s.name}`).sort()).toEqual(
            [`ServiceAccount:kube-system:${namespaced.role}`, 'User::system:kube-controller-manager'].sort(),
          );
        }
        continue;
      }
      const roleName = CONTROLLER_ROLE_PREFIX + (CONTROLLER_ROLE[name] ?? `<no role for controller ${name}>`);
      role(roleName);
      const binding = policy.clusterRoleBindings.find((b) => b.roleRef.name === roleName);
      expect(binding?.subjects?.map((s) => `${s.kind}:${s.namespace ?? ''}:${s.name}`).sort()).toEqual(
        [`ServiceAccount:kube-system:${CONTROLLER_ROLE[name]}`, 'User::system:kube-controller-manager'].sort(),
      );
    }
  });

  test('view reads but not secrets; edit writes workloads and secrets but not roles; admin grants in its namespace', () => {
    const roles = aggregated();
    const rules = (name: string) => roles.find((r) => r.metadata.name === name)?.rules ?? [];
    const view = rules('view');
    const edit = rules('edit');
    const admin = rules('admin');
    assert.ok(can(view, 'list', '', 'pods') && can(view, 'get', 'apps', 'deployments') && can(view, 'get', '', 'pods/log'));
    assert.ok(!can(view, 'get', '', 'secrets') && !can(view, 'create', '', 'pods') && !can(view, 'create', 'apps', 'deployments'));
    assert.ok(
      can(edit, 'create', 'apps', 'deployments') && can(edit, 'list', '', 'pods') && can(edit, 'create', '', 'secrets') && can(edit, 'get', '', 'secrets'),
    );
    assert.ok(!can(edit, 'create', 'rbac.authorization.k8s.io', 'rolebindings'));
    assert.ok(can(admin, 'create', 'rbac.authorization.k8s.io', 'rolebindings') && can(admin, 'create', 'apps', 'deployments'));
    assert.ok(!can(admin, 'create', '', 'namespaces') && !can(admin, 'update', '', 'resourcequotas'));
  });
});

describe('reconciliation', () => {
  test('adds missing rules and labels, keeps a user’s additions, and reports nothing when covered', () => {
    const expected = role('system:node-proxier');
    const existing: ClusterRole = {
      ...structuredClone(expected),
      metadata: { ...expected.metadata, labels: { team: 'net' } },
      rules: [expected.rules?.[0] as PolicyRule, { verbs: ['get'], apiGroups: [''], resources: ['configmaps'] }],
    };
    const out = reconcileRole(existing, expected);
    assert.ok(out);
    expect(out.metadata.labels).toEqual({ team: 'net', 'kubernetes.io/bootstrapping': 'rbac-defaults' });
    // The user's extra rule stays; what was missing is added.
    assert.ok(can(out.rules ?? [], 'get', '', 'configmaps'));
    assert.ok(can(out.rules ?? [], 'list', 'discovery.k8s.io', 'endpointslices'));
    assert.equal(reconcileRole(out, expected), undefined);
  });

  test('adds missing subjects and keeps the others', () => {
    const expected = policy.clusterRoleBindings.find((b) => b.metadata.name === 'system:public-info-viewer');
    assert.ok(expected);
    const existing: ClusterRoleBinding = {
      ...structuredClone(expected),
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'prometheus' }],
    };
    const out = reconcileBinding(existing, expected);
    expect(out?.subjects?.map((s) => s.name)).toEqual(['prometheus', 'system:authenticated', 'system:unauthenticated']);
    assert.equal(reconcileBinding(expected, expected), undefined);
  });
});
