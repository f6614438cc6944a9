// RBAC through the apiserver with the real kubectl: the default roles served,
// admin/edit/view filled by the clusterrole-aggregation controller (and kept
// filled as roles come and go), and the access reviews served under
// authorization.k8s.io/v1, on the in-process apiserver with Node,RBAC authorization
// (kubectl is the admin, in system:masters).
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import assert from 'node:assert/strict';
import type { ClusterRole, PolicyRule } from '../../api/rbac/v1/types.js';
import type { ControllerManager } from '../../pkg/controller/manager.js';
import { request, startCluster, type TestCluster } from '../support/cluster.js';
import { startManager, until } from '../support/controllers.js';

jest.setTimeout(120_000);

const RBAC = 'rbac.authorization.k8s.io';

const hasRule = (role: ClusterRole, group: string, resource: string, verb: string) =>
  (role.rules ?? []).some((r: PolicyRule) => (r.apiGroups ?? []).includes(group) && (r.resources ?? []).includes(resource) && r.verbs.includes(verb));

describe('RBAC through the apiserver', () => {
  let c: TestCluster;
  let manager: ControllerManager;
  const clusterRole = async (name: string) => JSON.parse((await c.kubectl(['get', 'clusterrole', name, '-o', 'json'])).stdout) as ClusterRole;

  beforeAll(async () => {
    c = await startCluster({ authorizationModes: ['Node', 'RBAC'] });
    manager = await startManager(c, ['clusterrole-aggregation']);
  });
  afterAll(async () => {
    await manager?.stop();
    await c?.stop();
  });

  it('serves the default roles and bindings with kubectl', async () => {
    const out = await c.kubectl(['get', 'clusterrolebindings', 'system:public-info-viewer', '-o', 'wide']);
    assert.match(out.stdout, /system:public-info-viewer\s+ClusterRole\/system:public-info-viewer\s+\S+\s+system:authenticated, system:unauthenticated/);
    const roles = (await c.kubectl(['get', 'clusterroles', '-l', 'kubernetes.io/bootstrapping=rbac-defaults', '-o', 'name'])).stdout.split('\n');
    for (const name of ['cluster-admin', 'admin', 'edit', 'view', 'system:node', 'system:controller:replicaset-controller']) {
      assert.ok(roles.includes(`clusterrole.rbac.authorization.k8s.io/${name}`), name);
    }
  });

  it('aggregates admin, edit and view, and follows the labelled roles', async () => {
    await until('view, edit and admin are filled', async () => {
      const [view, edit, admin] = await Promise.all(['view', 'edit', 'admin'].map(clusterRole));
      return (
        hasRule(view, '', 'pods', 'list') &&
        hasRule(edit, 'apps', 'deployments', 'create') &&
        hasRule(edit, '', 'pods', 'list') &&
        hasRule(admin, RBAC, 'rolebindings', 'create')
      );
    });
    const view = JSON.parse((await c.kubectl(['get', 'clusterrole', 'view', '-o', 'json', '--show-managed-fields'])).stdout) as ClusterRole;
    assert.ok(!hasRule(view, '', 'secrets', 'get'));
    expect(view.metadata.managedFields?.some((m) => m.manager === 'clusterrole-aggregation-controller' && m.operation === 'Apply')).toBe(true);

    // A role labelled for view adds to view, edit and admin; unlabelled, it is taken away again.
    const widgetReader = {
      apiVersion: `${RBAC}/v1`,
      kind: 'ClusterRole',
      metadata: { name: 'widget-reader' },
      rules: [{ verbs: ['get', 'list'], apiGroups: ['example.com'], resources: ['widgets'] }],
    };
    await c.kubectl(['create', '-f', '-'], { input: JSON.stringify(widgetReader) });
    await c.kubectl(['label', 'clusterrole', 'widget-reader', 'rbac.authorization.k8s.io/aggregate-to-view=true']);
    await until(
      'view and admin read widgets',
      async () => hasRule(await clusterRole('view'), 'example.com', 'widgets', 'get') && hasRule(await clusterRole('admin'), 'example.com', 'widgets', 'get'),
    );
    await c.kubectl(['label', 'clusterrole', 'widget-reader', 'rbac.authorization.k8s.io/aggregate-to-view-']);
    await until('view no longer reads widgets', async () => !hasRule(await clusterRole('view'), 'example.com', 'widgets', 'get'));

    // Rules written into an aggregated role by hand are replaced by the aggregated ones.
    await c.kubectl([
      'patch',
      'clusterrole',
      'view',
      '--type=json',
      '-p',
      '[{"op":"add","path":"/rules/-","value":{"verbs":["get"],"apiGroups":[""],"resources":["secrets"]}}]',
    ]);
    await until('the hand-made rule is gone', async () => !hasRule(await clusterRole('view'), '', 'secrets', 'get'));
  });

  it('answers access reviews created with kubectl, and refuses other verbs on them', async () => {
    await c.kubectl(['create', 'namespace', 'a']);
    await c.kubectl(['create', 'rolebinding', 'viewer-a', '--clusterrole=view', '--user=viewer-a', '-n', 'a']);
    const review = async (namespace: string, verb: string, resource: string) => {
      const sar = {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SubjectAccessReview',
        spec: { user: 'viewer-a', groups: ['system:authenticated'], resourceAttributes: { namespace, verb, resource } },
      };
      const out = await c.kubectl(['create', '-f', '-', '-o', 'json'], { input: JSON.stringify(sar) });
      return (JSON.parse(out.stdout) as { status: { allowed: boolean; reason?: string } }).status;
    };
    await until('the binding counts', async () => (await review('a', 'list', 'pods')).allowed);
    expect(await review('a', 'list', 'pods')).toEqual({
      allowed: true,
      reason: 'RBAC: allowed by RoleBinding "viewer-a/a" of ClusterRole "view" to User "viewer-a"',
    });
    expect(await review('b', 'list', 'pods')).toEqual({ allowed: false });
    expect(await review('a', 'get', 'secrets')).toEqual({ allowed: false });

    const resources = await c.kubectl(['api-resources', '--api-group=authorization.k8s.io', '-o', 'wide']);
    assert.match(resources.stdout, /subjectaccessreviews\s+authorization\.k8s\.io\/v1\s+false\s+SubjectAccessReview\s+create/);
    assert.match(resources.stdout, /localsubjectaccessreviews\s+authorization\.k8s\.io\/v1\s+true\s+LocalSubjectAccessReview\s+create/);
    const get = await request(c, 'GET', '/apis/authorization.k8s.io/v1/subjectaccessreviews');
    assert.equal(get.status, 405);
    expect(get.json()).toMatchObject({ kind: 'Status', reason: 'MethodNotAllowed', code: 405 });
  });
});
