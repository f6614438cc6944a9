// RBAC against a real etcd through the Registry and its stores, without HTTP:
// the default policy created and reconciled at start, the authorizer reading the
// watch caches, escalation refused and allowed, NodeRestriction and the Node
// authorizer on real pods, and the access reviews.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { StatusError } from '../../api/meta/v1/status.js';
import type { KubeObject } from '../../api/meta/v1/types.js';
import type { ClusterRole } from '../../api/rbac/v1/types.js';
import { BUILTIN_RESOURCES } from '../../api/resources.js';
import { EtcdClient } from '../../pkg/storage/etcd.js';
import { ResourceStorage } from '../../pkg/storage/store.js';
import { RegistryWatch } from '../../pkg/storage/registrywatch.js';
import { Registry } from '../../pkg/registry/registry.js';
import type { RequestContext, Store } from '../../pkg/registry/store.js';
import type { Creater } from '../../pkg/registry/rest.js';
import type { UserInfo } from '../../pkg/auth/user.js';
import type { Attributes } from '../../pkg/auth/authorizer.js';
import { bootstrapCluster } from '../../pkg/apiserver/bootstrap.js';
import { newAuthorizer } from '../../pkg/apiserver/authorization/index.js';
import type { UnionAuthorizer } from '../../pkg/apiserver/authorization/union.js';
import { bootstrapPolicy } from '../../pkg/registry/rbac/bootstrappolicy/reconcile.js';
import { aggregatedRules } from '../../pkg/controller/clusterroleaggregation/clusterroleaggregation_controller.js';
import { startEtcd, type TestEtcd } from '../support/etcd.js';
import { until } from '../support/controllers.js';

const RBAC = 'rbac.authorization.k8s.io';
const viewerA: UserInfo = { name: 'viewer-a', groups: ['system:authenticated'] };
const editorB: UserInfo = { name: 'editor-b', groups: ['system:authenticated'] };
const node1: UserInfo = { name: 'system:node:node-1', groups: ['system:nodes', 'system:authenticated'] };
const admin: UserInfo = { name: 'admin', groups: ['system:masters', 'system:authenticated'] };

function ctx(namespace?: string, user?: UserInfo): RequestContext {
  return { namespace, dryRun: false, fieldManager: 'test', fieldValidation: 'Strict', warnings: [], user };
}

async function statusOf(p: Promise<unknown>): Promise<StatusError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof StatusError) return err;
    throw err;
  }
  assert.fail('expected a StatusError');
}

function attrs(user: UserInfo, verb: string, resource: string, namespace: string, extra: Partial<Attributes> = {}): Attributes {
  const [r, sub = ''] = resource.split('/');
  return { user, verb, isResourceRequest: true, path: '', apiGroup: '', apiVersion: 'v1', namespace, resource: r, subresource: sub, name: '', ...extra };
}

function binding(namespace: string, name: string, kind: 'Role' | 'ClusterRole', role: string, user: string): KubeObject {
  return {
    apiVersion: `${RBAC}/v1`,
    kind: 'RoleBinding',
    metadata: { name, namespace },
    roleRef: { apiGroup: RBAC, kind, name: role },
    subjects: [{ apiGroup: RBAC, kind: 'User', name: user }],
  };
}

describe('RBAC in the registry', () => {
  let etcd: TestEtcd;
  let client: EtcdClient;
  let hub: RegistryWatch;
  let registry: Registry;
  let authz: UnionAuthorizer;
  const stores = (group: string, version: string, plural: string) => registry.store(group, version, plural);
  const rbac = (plural: string) => registry.store(RBAC, 'v1', plural) as Store;
  const allowed = async (a: Attributes) => (await authz.authorize(a)).decision === 'Allow';

  beforeAll(async () => {
    etcd = await startEtcd();
    client = new EtcdClient([etcd.endpoint]);
    hub = new RegistryWatch(client, () => undefined);
    const storageOpts = { hub, watchCacheSize: 100, bookmarkIntervalMs: 60_000, log: () => undefined };
    registry = new Registry(BUILTIN_RESOURCES, (info) => new ResourceStorage(client, info, storageOpts), {
      serviceClusterIPRange: '10.96.0.0/12',
      serviceNodePortRange: '30000-32767',
      // No serviceaccount controller makes `default` accounts here (as in upstream's integration servers).
      disabledAdmissionPlugins: ['ServiceAccount'],
    });
    await bootstrapCluster(stores, 6443);
    await registry.startCaches();
    authz = newAuthorizer(registry);
    const namespaces = registry.store('', 'v1', 'namespaces') as Store;
    for (const name of ['a', 'b']) await namespaces.create(ctx(), { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    // What the clusterrole-aggregation controller does, once per aggregated role, view first.
    const clusterroles = rbac('clusterroles');
    for (const name of ['view', 'edit', 'admin']) {
      const all = (await clusterroles.list({})).items as ClusterRole[];
      const role = all.find((r) => r.metadata.name === name) as ClusterRole;
      const patch = { apiVersion: `${RBAC}/v1`, kind: 'ClusterRole', metadata: { name }, rules: aggregatedRules(role, all) };
      await clusterroles.patch({ ...ctx(), fieldManager: 'clusterrole-aggregation-controller', force: true }, name, 'apply', patch);
    }
    await rbac('rolebindings').create(ctx('a'), binding('a', 'viewer-a', 'ClusterRole', 'view', 'viewer-a'));
    await rbac('rolebindings').create(ctx('b'), binding('b', 'editor-b', 'ClusterRole', 'edit', 'editor-b'));
  });

  afterAll(async () => {
    await registry.stop();
    await hub.stop();
    client.close();
    await etcd.stop();
  });

  describe('the bootstrap policy', () => {
    it('is created at start', async () => {
      const policy = bootstrapPolicy();
      const names = async (plural: string) => new Set((await rbac(plural).list({})).items.map((o) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`));
      const crs = await names('clusterroles');
      for (const r of policy.clusterRoles) assert.ok(crs.has(`/${r.metadata.name}`), r.metadata.name);
      const crbs = await names('clusterrolebindings');
      for (const b of policy.clusterRoleBindings) assert.ok(crbs.has(`/${b.metadata.name}`), b.metadata.name);
      const rbs = await names('rolebindings');
      for (const b of policy.roleBindings) assert.ok(rbs.has(`${b.metadata.namespace}/${b.metadata.name}`), b.metadata.name);
      const admin = (await rbac('clusterroles').get(ctx(), 'cluster-admin')) as ClusterRole;
      expect(admin.rules).toEqual([
        { verbs: ['*'], apiGroups: ['*'], resources: ['*'] },
        { verbs: ['*'], nonResourceURLs: ['*'] },
      ]);
      expect(admin.metadata.annotations).toEqual({ 'rbac.authorization.kubernetes.io/autoupdate': 'true' });
    });

    it('a second start writes nothing; a changed default is repaired, keeping what a user added; autoupdate=false is left alone', async () => {
      const crs = rbac('clusterroles');
      const before = new Map((await crs.list({})).items.map((o) => [o.metadata.name, o.metadata.resourceVersion]));
      await bootstrapCluster(stores, 6443);
      const after = new Map((await crs.list({})).items.map((o) => [o.metadata.name, o.metadata.resourceVersion]));
      expect(after).toEqual(before);

      const proxier = (await crs.get(ctx(), 'system:node-proxier')) as ClusterRole;
      await crs.update(ctx(), 'system:node-proxier', { ...proxier, rules: [{ verbs: ['get'], apiGroups: [''], resources: ['configmaps'] }] });
      const monitoring = (await crs.get(ctx(), 'system:monitoring')) as ClusterRole;
      const annotations = { ...monitoring.metadata.annotations, 'rbac.authorization.kubernetes.io/autoupdate': 'false' };
      await crs.update(ctx(), 'system:monitoring', { ...monitoring, metadata: { ...monitoring.metadata, annotations }, rules: [] });
      const crbs = rbac('clusterrolebindings');
      const discovery = await crbs.get(ctx(), 'system:discovery');
      await crbs.delete(ctx(), 'system:discovery', {});
      await crbs.create(ctx(), { ...discovery, metadata: { name: 'system:discovery' }, roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: 'view' } });

      await bootstrapCluster(stores, 6443);
      const repaired = (await crs.get(ctx(), 'system:node-proxier')) as ClusterRole;
      const flat = (repaired.rules ?? []).map((r) => `${r.verbs.join(',')} ${(r.apiGroups ?? []).join(',')} ${(r.resources ?? []).join(',')}`);
      assert.ok(flat.includes('get  configmaps'), 'the added rule stays');
      assert.ok(flat.includes('list discovery.k8s.io endpointslices') && flat.includes('watch  services'), flat.join('\n'));
      expect(((await crs.get(ctx(), 'system:monitoring')) as ClusterRole).rules).toEqual([]);
      const rebound = await crbs.get(ctx(), 'system:discovery');
      expect(rebound.roleRef).toEqual({ apiGroup: RBAC, kind: 'ClusterRole', name: 'system:discovery' });
    });
  });

  describe('the authorizer', () => {
    it('viewer-a reads in a only, and neither secrets nor writes', async () => {
      expect(await authz.authorize(attrs(viewerA, 'list', 'pods', 'a'))).toEqual({
        decision: 'Allow',
        reason: 'RBAC: allowed by RoleBinding "viewer-a/a" of ClusterRole "view" to User "viewer-a"',
      });
      assert.equal(await allowed(attrs(viewerA, 'list', 'pods', 'b')), false);
      assert.equal(await allowed(attrs(viewerA, 'get', 'secrets', 'a', { name: 's' })), false);
      assert.equal(await allowed(attrs(viewerA, 'create', 'deployments', 'a', { apiGroup: 'apps' })), false);
      // Every authenticated user discovers the API and may ask about itself.
      assert.equal(await allowed({ ...attrs(viewerA, 'get', '', ''), isResourceRequest: false, path: '/apis/apps/v1' }), true);
      assert.equal(await allowed(attrs(viewerA, 'create', 'selfsubjectaccessreviews', '', { apiGroup: 'authorization.k8s.io' })), true);
      const anonymous = { name: 'system:anonymous', groups: ['system:unauthenticated'] };
      assert.equal(await allowed({ ...attrs(anonymous, 'get', '', ''), isResourceRequest: false, path: '/healthz' }), true);
      assert.equal(await allowed({ ...attrs(anonymous, 'get', '', ''), isResourceRequest: false, path: '/api' }), false);
    });

    it('follows bindings as they are written and removed', async () => {
      const carol = { name: 'carol', groups: [] };
      const rbs = rbac('rolebindings');
      assert.equal(await allowed(attrs(carol, 'get', 'configmaps', 'a')), false);
      await rbs.create(ctx('a'), binding('a', 'carol', 'ClusterRole', 'view', 'carol'));
      await until('the new binding counts', () => allowed(attrs(carol, 'get', 'configmaps', 'a')));
      await rbs.delete(ctx('a'), 'carol', {});
      await until('the removed binding no longer counts', async () => !(await allowed(attrs(carol, 'get', 'configmaps', 'a'))));
    });

    it('the controller-manager holds its controllers’ roles and no more', async () => {
      const kcm = { name: 'system:kube-controller-manager', groups: ['system:authenticated'] };
      assert.equal(await allowed(attrs(kcm, 'create', 'pods', 'a')), true);
      assert.equal(await allowed(attrs(kcm, 'update', 'replicasets/status', 'a', { apiGroup: 'apps' })), true);
      assert.equal(await allowed(attrs(kcm, 'update', 'leases', 'kube-system', { apiGroup: 'coordination.k8s.io', name: 'kube-controller-manager' })), true);
      assert.equal(await allowed(attrs(kcm, 'create', 'deployments', 'a', { apiGroup: 'apps' })), false);
      assert.equal(await allowed(attrs(kcm, 'create', 'pods/binding', 'a')), true); // the daemon set controller binds its pods
      assert.equal(await allowed(attrs(kcm, 'create', 'clusterrolebindings', '', { apiGroup: RBAC })), false);
      const scheduler = { name: 'system:kube-scheduler', groups: ['system:authenticated'] };
      assert.equal(await allowed(attrs(scheduler, 'create', 'pods/binding', 'a')), true);
      assert.equal(await allowed(attrs(scheduler, 'create', 'pods', 'a')), false);
    });
  });

  describe('escalation prevention', () => {
    const rbs = () => rbac('rolebindings');

    it('editor-b cannot bind admin, which holds more than edit', async () => {
      const err = await statusOf(rbs().create(ctx('b', editorB), binding('b', 'b-admin', 'ClusterRole', 'admin', 'editor-b')));
      assert.equal(err.code, 403);
      assert.match(
        err.message,
        /^rolebindings\.rbac\.authorization\.k8s\.io "b-admin" is forbidden: user "editor-b" \(groups=\["system:authenticated"\]\) is attempting to grant RBAC permissions not currently held:\n\{APIGroups:\["authorization\.k8s\.io"\], Resources:\["localsubjectaccessreviews"\], Verbs:\["create"\]\}\n/,
      );
      assert.match(err.message, /\{APIGroups:\["rbac\.authorization\.k8s\.io"\], Resources:\["rolebindings"\], Verbs:\["create" /);
    });

    it('editor-b may bind edit or view to others in b, not in a', async () => {
      await rbs().create(ctx('b', editorB), binding('b', 'dave-view', 'ClusterRole', 'view', 'dave'));
      await rbs().create(ctx('b', editorB), binding('b', 'dave-edit', 'ClusterRole', 'edit', 'dave'));
      assert.equal((await statusOf(rbs().create(ctx('a', editorB), binding('a', 'dave-view', 'ClusterRole', 'view', 'dave')))).code, 403);
    });

    it('roles: only rules held, unless escalate is granted', async () => {
      const roles = rbac('roles');
      const role = (name: string, rules: object[]) => ({ apiVersion: `${RBAC}/v1`, kind: 'Role', metadata: { name, namespace: 'b' }, rules });
      await roles.create(ctx('b', editorB), role('pods', [{ verbs: ['get', 'create'], apiGroups: [''], resources: ['pods'] }]));
      const err = await statusOf(roles.create(ctx('b', editorB), role('quota', [{ verbs: ['update'], apiGroups: [''], resources: ['resourcequotas'] }])));
      assert.equal(err.code, 403);
      expect(err.message).toBe(
        'roles.rbac.authorization.k8s.io "quota" is forbidden: user "editor-b" (groups=["system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n' +
          '{APIGroups:[""], Resources:["resourcequotas"], Verbs:["update"]}',
      );
      // Updating a role to more than one holds is refused too; touching only its finalizers is not.
      const pods = await roles.get(ctx('b'), 'pods');
      assert.equal(
        (await statusOf(roles.update(ctx('b', editorB), 'pods', { ...pods, rules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }] }))).code,
        403,
      );
      await roles.update(ctx('b', admin), 'pods', { ...pods, rules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }] });
      const wide = await roles.get(ctx('b'), 'pods');
      await roles.update(ctx('b', editorB), 'pods', { ...wide, metadata: { ...wide.metadata, finalizers: ['example.com/keep'] } });
      // Granted escalate on roles in b, editor-b may write any rule there.
      await rbac('roles').create(ctx('b', admin), role('escalator', [{ verbs: ['escalate'], apiGroups: [RBAC], resources: ['roles'] }]));
      await rbs().create(ctx('b', admin), binding('b', 'editor-b-escalate', 'Role', 'escalator', 'editor-b'));
      await until('escalate counts', () => allowed(attrs(editorB, 'escalate', 'roles', 'b', { apiGroup: RBAC })));
      await roles.create(ctx('b', editorB), role('quota', [{ verbs: ['update'], apiGroups: [''], resources: ['resourcequotas'] }]));
    });

    it('bind on a cluster role by name lets one grant it in that namespace only', async () => {
      const roles = rbac('roles');
      await roles.create(ctx('b', admin), {
        apiVersion: `${RBAC}/v1`,
        kind: 'Role',
        metadata: { name: 'admin-binder', namespace: 'b' },
        rules: [{ verbs: ['bind'], apiGroups: [RBAC], resources: ['clusterroles'], resourceNames: ['admin'] }],
      });
      await rbs().create(ctx('b', admin), binding('b', 'editor-b-binder', 'Role', 'admin-binder', 'editor-b'));
      await until('bind counts', () => allowed(attrs(editorB, 'bind', 'clusterroles', 'b', { apiGroup: RBAC, name: 'admin' })));
      await rbs().create(ctx('b', editorB), binding('b', 'erin-admin', 'ClusterRole', 'admin', 'erin'));
      assert.equal((await statusOf(rbs().create(ctx('b', editorB), binding('b', 'erin-cluster-admin', 'ClusterRole', 'cluster-admin', 'erin')))).code, 403);
    });

    it('an aggregation rule needs everything; system:masters may do anything', async () => {
      const crs = rbac('clusterroles');
      const escalator = { name: 'escalator', groups: ['system:authenticated'] };
      await rbac('clusterrolebindings').create(ctx(undefined, admin), {
        apiVersion: `${RBAC}/v1`,
        kind: 'ClusterRoleBinding',
        metadata: { name: 'escalator-edit' },
        roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: 'edit' },
        subjects: [{ apiGroup: RBAC, kind: 'User', name: 'escalator' }],
      });
      await until('the cluster binding counts', () => allowed(attrs(escalator, 'create', 'pods', 'x')));
      const err = await statusOf(
        crs.create(ctx(undefined, escalator), {
          apiVersion: `${RBAC}/v1`,
          kind: 'ClusterRole',
          metadata: { name: 'sneaky' },
          aggregationRule: { clusterRoleSelectors: [{ matchLabels: { x: 'y' } }] },
        }),
      );
      expect(err.message).toBe('clusterroles.rbac.authorization.k8s.io "sneaky" is forbidden: must have cluster-admin privileges to use the aggregationRule');
      await crs.create(ctx(undefined, admin), {
        apiVersion: `${RBAC}/v1`,
        kind: 'ClusterRole',
        metadata: { name: 'sneaky' },
        rules: [{ verbs: ['*'], nonResourceURLs: ['*'] }],
      });
    });
  });

  describe('nodes', () => {
    const pod = (name: string, nodeName: string, secret: string): KubeObject => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: 'a' },
      spec: { nodeName, containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.10' }], volumes: [{ name: 's', secret: { secretName: secret } }] },
    });

    it("a kubelet reads the secrets of its own pods only, and cannot touch another node's objects", async () => {
      const pods = registry.store('', 'v1', 'pods') as Store;
      await pods.create(ctx('a'), pod('on-1', 'node-1', 'one'));
      await pods.create(ctx('a'), pod('on-2', 'node-2', 'two'));
      await until('the graph has the pod', () => allowed(attrs(node1, 'get', 'secrets', 'a', { name: 'one' })));
      expect(await authz.authorize(attrs(node1, 'get', 'secrets', 'a', { name: 'two' }))).toEqual({
        decision: 'NoOpinion',
        reason: "no relationship found between node 'node-1' and this object",
      });

      const nodes = registry.store('', 'v1', 'nodes') as Store;
      for (const name of ['node-1', 'node-2']) await nodes.create(ctx(), { apiVersion: 'v1', kind: 'Node', metadata: { name } });
      await nodes.patch(ctx(undefined, node1), 'node-1', 'merge', { metadata: { labels: { 'kubernetes.io/hostname': 'node-1' } } });
      const other = await statusOf(nodes.patch(ctx(undefined, node1), 'node-2', 'merge', { metadata: { labels: { x: 'y' } } }));
      expect(other.message).toBe('nodes "node-2" is forbidden: node "node-1" is not allowed to modify node "node-2"');

      await pods.patch(ctx('a', node1), 'on-1', 'merge', { status: { phase: 'Running' } }, 'status');
      const status = await statusOf(pods.patch(ctx('a', node1), 'on-2', 'merge', { status: { phase: 'Running' } }, 'status'));
      expect(status.message).toBe('pods "on-2" is forbidden: node "node-1" can only update pod status for pods with spec.nodeName set to itself');
      assert.equal((await statusOf(pods.delete(ctx('a', node1), 'on-2', {}))).code, 403);

      const leases = registry.store('coordination.k8s.io', 'v1', 'leases') as Store;
      const lease = (name: string) => ({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace: 'kube-node-lease' }, spec: {} });
      await leases.create(ctx('kube-node-lease', node1), lease('node-1'));
      assert.equal((await statusOf(leases.create(ctx('kube-node-lease', node1), lease('node-2')))).code, 403);
    });
  });

  describe('access reviews', () => {
    const review = (plural: string) => registry.creater('authorization.k8s.io', 'v1', plural) as Creater;

    it('SubjectAccessReview answers for the user in its spec', async () => {
      const sar = (resourceAttributes: object) => ({
        metadata: {},
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SubjectAccessReview',
        spec: { user: 'viewer-a', groups: ['system:authenticated'], resourceAttributes },
      });
      const yes = await review('subjectaccessreviews').create(ctx(undefined, admin), sar({ verb: 'list', resource: 'pods', namespace: 'a' }));
      expect(yes.status).toEqual({ allowed: true, reason: 'RBAC: allowed by RoleBinding "viewer-a/a" of ClusterRole "view" to User "viewer-a"' });
      expect(yes.kind).toBe('SubjectAccessReview');
      const no = await review('subjectaccessreviews').create(ctx(undefined, admin), sar({ verb: 'list', resource: 'pods', namespace: 'b' }));
      expect(no.status).toEqual({ allowed: false });
      const invalid = await statusOf(
        review('subjectaccessreviews').create(ctx(undefined, admin), {
          apiVersion: 'authorization.k8s.io/v1',
          kind: 'SubjectAccessReview',
          metadata: {},
          spec: { user: 'x' },
        }),
      );
      assert.equal(invalid.code, 422);
      assert.match(invalid.message, /exactly one of nonResourceAttributes or resourceAttributes must be specified/);
    });

    it('SelfSubjectAccessReview and LocalSubjectAccessReview', async () => {
      const ssar = await review('selfsubjectaccessreviews').create(ctx(undefined, viewerA), {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SelfSubjectAccessReview',
        metadata: { creationTimestamp: null },
        spec: { resourceAttributes: { verb: 'get', resource: 'secrets', namespace: 'a' } },
      } as unknown as KubeObject);
      expect(ssar.status).toEqual({ allowed: false });
      const lsar = await review('localsubjectaccessreviews').create(ctx('b', admin), {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'LocalSubjectAccessReview',
        metadata: { namespace: 'b' },
        spec: { user: 'editor-b', resourceAttributes: { verb: 'create', group: 'apps', resource: 'deployments', namespace: 'b' } },
      });
      expect(lsar.status).toEqual({ allowed: true, reason: 'RBAC: allowed by RoleBinding "editor-b/b" of ClusterRole "edit" to User "editor-b"' });
      const mismatch = await statusOf(
        review('localsubjectaccessreviews').create(ctx('b', admin), {
          apiVersion: 'authorization.k8s.io/v1',
          kind: 'LocalSubjectAccessReview',
          metadata: { namespace: 'b' },
          spec: { user: 'editor-b', resourceAttributes: { verb: 'create', resource: 'pods', namespace: 'a' } },
        }),
      );
      assert.equal(mismatch.code, 422);
    });

    it('SelfSubjectRulesReview lists what the requester may do in a namespace', async () => {
      const ssrr = await review('selfsubjectrulesreviews').create(ctx(undefined, viewerA), {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SelfSubjectRulesReview',
        metadata: {},
        spec: { namespace: 'a' },
      });
      const status = ssrr.status as {
        resourceRules: Array<{ verbs: string[]; resources: string[] }>;
        nonResourceRules: Array<{ nonResourceURLs: string[] }>;
        incomplete: boolean;
      };
      assert.ok(status.resourceRules.some((r) => r.resources.includes('pods') && r.verbs.includes('list')));
      assert.ok(status.resourceRules.some((r) => r.resources.includes('selfsubjectaccessreviews')));
      assert.ok(!status.resourceRules.some((r) => r.resources.includes('secrets')));
      assert.ok(status.nonResourceRules.some((r) => r.nonResourceURLs.includes('/api')));
      assert.equal(status.incomplete, false);
      const inB = await review('selfsubjectrulesreviews').create(ctx(undefined, viewerA), {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SelfSubjectRulesReview',
        metadata: {},
        spec: { namespace: 'b' },
      });
      assert.ok(!(inB.status as typeof status).resourceRules.some((r) => r.resources.includes('pods')));
      const nodeRules = await review('selfsubjectrulesreviews').create(ctx(undefined, node1), {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SelfSubjectRulesReview',
        metadata: {},
        spec: { namespace: 'a' },
      });
      assert.equal((nodeRules.status as typeof status).incomplete, true);
    });
  });
});
