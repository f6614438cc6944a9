// Rule matching and rule resolution of the RBAC authorizer, with the reason
// strings upstream's authorizer gives.
import { describe, expect, test } from '@jest/globals';
import assert from 'node:assert/strict';
import type { ClusterRole, ClusterRoleBinding, PolicyRule, Role, RoleBinding } from '../../../api/rbac/v1/types.js';
import type { Attributes } from '../../../pkg/auth/authorizer.js';
import type { UserInfo } from '../../../pkg/auth/user.js';
import { RuleResolver, ruleAllows, staticListers } from '../../../pkg/registry/rbac/validation/rule.js';
import { RBACCache } from '../../../pkg/registry/rbac/cache.js';
import { RBACAuthorizer } from '../../../pkg/apiserver/authorization/rbac/rbac.js';

const G = 'rbac.authorization.k8s.io';

function res(verb: string, resource: string, extra: Partial<Attributes> = {}): Attributes {
  const [r, sub = ''] = resource.split('/');
  return {
    user: { name: 'u', groups: [] },
    verb,
    isResourceRequest: true,
    path: '',
    apiGroup: '',
    apiVersion: 'v1',
    namespace: 'ns',
    resource: r,
    subresource: sub,
    name: '',
    ...extra,
  };
}

function url(verb: string, path: string): Attributes {
  return {
    user: { name: 'u', groups: [] },
    verb,
    isResourceRequest: false,
    path,
    apiGroup: '',
    apiVersion: '',
    namespace: '',
    resource: '',
    subresource: '',
    name: '',
  };
}

describe('ruleAllows', () => {
  const pods: PolicyRule = { verbs: ['get', 'list'], apiGroups: [''], resources: ['pods'] };

  test('verbs, groups and resources must all match', async () => {
    assert.ok(ruleAllows(res('get', 'pods'), pods));
    assert.ok(!ruleAllows(res('delete', 'pods'), pods));
    assert.ok(!ruleAllows(res('get', 'pods', { apiGroup: 'apps' }), pods));
    assert.ok(!ruleAllows(res('get', 'services'), pods));
  });

  test('* matches any verb, group and resource', async () => {
    const all: PolicyRule = { verbs: ['*'], apiGroups: ['*'], resources: ['*'] };
    assert.ok(ruleAllows(res('escalate', 'clusterroles', { apiGroup: G }), all));
    assert.ok(ruleAllows(res('get', 'pods/log'), all));
  });

  test('a subresource needs resource/subresource (or */subresource); the resource alone does not grant it', async () => {
    assert.ok(!ruleAllows(res('get', 'pods/log'), pods));
    assert.ok(ruleAllows(res('get', 'pods/log'), { verbs: ['get'], apiGroups: [''], resources: ['pods/log'] }));
    const anyScale: PolicyRule = { verbs: ['get'], apiGroups: ['*'], resources: ['*/scale'] };
    assert.ok(ruleAllows(res('get', 'deployments/scale', { apiGroup: 'apps' }), anyScale));
    assert.ok(!ruleAllows(res('get', 'deployments/status', { apiGroup: 'apps' }), anyScale));
    assert.ok(!ruleAllows(res('get', 'deployments', { apiGroup: 'apps' }), anyScale));
  });

  test('resourceNames restrict to those names; a request without a name (list, create) does not match', async () => {
    const named: PolicyRule = {
      verbs: ['get', 'update', 'list'],
      apiGroups: ['coordination.k8s.io'],
      resources: ['leases'],
      resourceNames: ['kube-scheduler'],
    };
    assert.ok(ruleAllows(res('get', 'leases', { apiGroup: 'coordination.k8s.io', name: 'kube-scheduler' }), named));
    assert.ok(!ruleAllows(res('get', 'leases', { apiGroup: 'coordination.k8s.io', name: 'other' }), named));
    assert.ok(!ruleAllows(res('list', 'leases', { apiGroup: 'coordination.k8s.io' }), named));
  });

  test('non-resource URLs: exact, *, and a trailing * as a prefix', async () => {
    const rule: PolicyRule = { verbs: ['get'], nonResourceURLs: ['/healthz', '/apis/*'] };
    assert.ok(ruleAllows(url('get', '/healthz'), rule));
    assert.ok(!ruleAllows(url('get', '/healthz/etcd'), rule));
    assert.ok(ruleAllows(url('get', '/apis/apps/v1'), rule));
    assert.ok(ruleAllows(url('get', '/apis/'), rule));
    assert.ok(!ruleAllows(url('get', '/apis'), rule));
    assert.ok(!ruleAllows(url('post', '/healthz'), rule));
    assert.ok(ruleAllows(url('get', '/anything'), { verbs: ['get'], nonResourceURLs: ['*'] }));
    // A resource rule never matches a non-resource request, and the other way round.
    assert.ok(!ruleAllows(url('get', '/api'), { verbs: ['*'], apiGroups: ['*'], resources: ['*'] }));
    assert.ok(!ruleAllows(res('get', 'pods'), { verbs: ['*'], nonResourceURLs: ['*'] }));
  });
});

function clusterRole(name: string, rules: PolicyRule[]): ClusterRole {
  return { metadata: { name }, rules };
}

function crb(name: string, role: string, subjects: ClusterRoleBinding['subjects']): ClusterRoleBinding {
  return { metadata: { name }, roleRef: { apiGroup: G, kind: 'ClusterRole', name: role }, subjects };
}

function rb(ns: string, name: string, kind: 'Role' | 'ClusterRole', role: string, subjects: RoleBinding['subjects']): RoleBinding {
  return { metadata: { name, namespace: ns }, roleRef: { apiGroup: G, kind, name: role }, subjects };
}

const podReader = clusterRole('pod-reader', [{ verbs: ['get', 'list', 'watch'], apiGroups: [''], resources: ['pods'] }]);
const secretsRole: Role = { metadata: { name: 'secrets', namespace: 'a' }, rules: [{ verbs: ['get'], apiGroups: [''], resources: ['secrets'] }] };
const fixtures = {
  clusterRoles: [podReader, clusterRole('health', [{ verbs: ['get'], nonResourceURLs: ['/healthz'] }])],
  roles: [secretsRole],
  clusterRoleBindings: [
    crb('readers', 'pod-reader', [{ apiGroup: G, kind: 'Group', name: 'readers' }]),
    crb('health', 'health', [{ apiGroup: G, kind: 'Group', name: 'system:unauthenticated' }]),
    crb('sa-reader', 'pod-reader', [{ apiGroup: '', kind: 'ServiceAccount', name: 'robot', namespace: 'ci' }]),
    crb('sa-without-namespace', 'pod-reader', [{ apiGroup: '', kind: 'ServiceAccount', name: 'robot' }]),
    crb('dangling', 'gone', [{ apiGroup: G, kind: 'User', name: 'alice' }]),
  ],
  roleBindings: [
    rb('a', 'alice-secrets', 'Role', 'secrets', [{ apiGroup: G, kind: 'User', name: 'alice' }]),
    rb('a', 'local-sa', 'ClusterRole', 'pod-reader', [{ apiGroup: '', kind: 'ServiceAccount', name: 'builder' }]),
    rb('a', 'all-sas', 'ClusterRole', 'pod-reader', [{ apiGroup: G, kind: 'Group', name: 'system:serviceaccounts:b' }]),
  ],
};

/** The same fixtures through both listers: fixed lists, and the subject-indexed cache. */
function cacheOf(objs: typeof fixtures): RBACCache {
  const cache = new RBACCache();
  cache.handlersFor('ClusterRole').onReplace(objs.clusterRoles);
  cache.handlersFor('Role').onReplace(objs.roles);
  cache.handlersFor('ClusterRoleBinding').onReplace(objs.clusterRoleBindings);
  cache.handlersFor('RoleBinding').onReplace(objs.roleBindings);
  return cache;
}

const user = (name: string, groups: string[] = []): UserInfo => ({ name, groups });

describe.each([
  ['fixed lists', () => staticListers(fixtures)],
  ['subject index', () => cacheOf(fixtures)],
])('RBAC authorizer over %s', (_name, listers) => {
  const authz = () => new RBACAuthorizer(new RuleResolver(listers()));

  test('allowed by a ClusterRoleBinding to a group, with upstream reason', async () => {
    const r = await authz().authorize(res('list', 'pods', { user: user('bob', ['readers']), namespace: 'x' }));
    expect(r).toEqual({ decision: 'Allow', reason: 'RBAC: allowed by ClusterRoleBinding "readers" of ClusterRole "pod-reader" to Group "readers"' });
  });

  test('a RoleBinding grants only in its namespace; the reason names binding/namespace', async () => {
    const a = authz();
    const alice = user('alice');
    expect(await a.authorize(res('get', 'secrets', { user: alice, namespace: 'a' }))).toEqual({
      decision: 'Allow',
      reason: 'RBAC: allowed by RoleBinding "alice-secrets/a" of Role "secrets" to User "alice"',
    });
    const other = await a.authorize(res('get', 'secrets', { user: alice, namespace: 'b' }));
    assert.equal(other.decision, 'NoOpinion');
  });

  test('a binding to a missing role gives its error as the reason of a denial', async () => {
    expect(await authz().authorize(res('get', 'nodes', { user: user('alice'), namespace: '' }))).toEqual({
      decision: 'NoOpinion',
      reason: 'RBAC: clusterrole.rbac.authorization.k8s.io "gone" not found',
    });
  });

  test('no rule, no binding: no opinion and no reason', async () => {
    expect(await authz().authorize(res('get', 'pods', { user: user('nobody') }))).toEqual({ decision: 'NoOpinion', reason: '' });
  });

  test('service accounts by user name; a ServiceAccount subject without namespace takes the binding namespace', async () => {
    const a = authz();
    const robot = user('system:serviceaccount:ci:robot', ['system:serviceaccounts', 'system:serviceaccounts:ci']);
    expect(await a.authorize(res('get', 'pods', { user: robot, namespace: 'z' }))).toEqual({
      decision: 'Allow',
      reason: 'RBAC: allowed by ClusterRoleBinding "sa-reader" of ClusterRole "pod-reader" to ServiceAccount "robot/ci"',
    });
    const builder = user('system:serviceaccount:a:builder', ['system:serviceaccounts', 'system:serviceaccounts:a']);
    expect(await a.authorize(res('get', 'pods', { user: builder, namespace: 'a' }))).toEqual({
      decision: 'Allow',
      reason: 'RBAC: allowed by RoleBinding "local-sa/a" of ClusterRole "pod-reader" to ServiceAccount "builder/a"',
    });
    // The same name in another namespace is another account.
    const otherBuilder = user('system:serviceaccount:b:builder', ['system:serviceaccounts', 'system:serviceaccounts:b']);
    expect(await a.authorize(res('get', 'pods', { user: otherBuilder, namespace: 'c' }))).toEqual({ decision: 'NoOpinion', reason: '' });
    // ... but it is in the group every account of namespace b is in.
    expect(await a.authorize(res('get', 'pods', { user: otherBuilder, namespace: 'a' }))).toEqual({
      decision: 'Allow',
      reason: 'RBAC: allowed by RoleBinding "all-sas/a" of ClusterRole "pod-reader" to Group "system:serviceaccounts:b"',
    });
  });

  test('non-resource URLs through a cluster role binding', async () => {
    const anon = user('system:anonymous', ['system:unauthenticated']);
    expect(await authz().authorize({ ...url('get', '/healthz'), user: anon })).toEqual({
      decision: 'Allow',
      reason: 'RBAC: allowed by ClusterRoleBinding "health" of ClusterRole "health" to Group "system:unauthenticated"',
    });
    expect(await authz().authorize({ ...url('get', '/api'), user: anon })).toEqual({ decision: 'NoOpinion', reason: '' });
  });

  test('rulesFor lists resource and non-resource rules separately', async () => {
    const rules = await authz().rulesFor(user('alice', ['readers', 'system:unauthenticated']), 'a');
    expect(rules.resourceRules).toEqual([
      { verbs: ['get', 'list', 'watch'], apiGroups: [''], resources: ['pods'] },
      { verbs: ['get'], apiGroups: [''], resources: ['secrets'] },
    ]);
    expect(rules.nonResourceRules).toEqual([{ verbs: ['get'], nonResourceURLs: ['/healthz'] }]);
    expect(rules.incomplete).toBe(false);
    expect(rules.evaluationError).toBe('clusterrole.rbac.authorization.k8s.io "gone" not found');
  });
});

describe('the subject index', () => {
  test('follows updates and deletions of bindings', async () => {
    const cache = cacheOf(fixtures);
    const bob = user('bob', ['readers']);
    assert.deepEqual(
      cache.clusterRoleBindingsFor(bob).map((b) => b.metadata.name),
      ['readers'],
    );
    // The binding now names bob himself, not his group.
    const changed = crb('readers', 'pod-reader', [{ apiGroup: G, kind: 'User', name: 'carol' }]);
    cache.handlersFor('ClusterRoleBinding').onEvent('MODIFIED', changed, fixtures.clusterRoleBindings[0]);
    assert.deepEqual(cache.clusterRoleBindingsFor(bob), []);
    assert.deepEqual(
      cache.clusterRoleBindingsFor(user('carol')).map((b) => b.metadata.name),
      ['readers'],
    );
    cache.handlersFor('ClusterRoleBinding').onEvent('DELETED', changed, undefined);
    assert.deepEqual(cache.clusterRoleBindingsFor(user('carol')), []);
    assert.equal(cache.counts.clusterRoleBindings, fixtures.clusterRoleBindings.length - 1);
  });

  test('role bindings are looked up in the request namespace only', async () => {
    const cache = cacheOf(fixtures);
    assert.equal(cache.roleBindingsFor(user('alice'), 'a').length, 1);
    assert.equal(cache.roleBindingsFor(user('alice'), 'b').length, 0);
  });
});
