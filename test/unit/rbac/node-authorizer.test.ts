// The Node authorizer's graph decisions and reasons, and its place in the union
// with system:masters and RBAC.
import { describe, expect, test } from '@jest/globals';
import assert from 'node:assert/strict';
import type { PersistentVolume, Pod } from '../../../api/core/v1/types.js';
import type { Attributes, Authorizer } from '../../../pkg/auth/authorizer.js';
import { NodeGraph, podReferences } from '../../../pkg/apiserver/authorization/node/graph.js';
import { NodeAuthorizer } from '../../../pkg/apiserver/authorization/node/node_authorizer.js';
import { PrivilegedGroupAuthorizer } from '../../../pkg/apiserver/authorization/privileged.js';
import { UnionAuthorizer } from '../../../pkg/apiserver/authorization/union.js';

const node1 = { name: 'system:node:node-1', groups: ['system:nodes', 'system:authenticated'] };

function attrs(verb: string, resource: string, namespace: string, name: string, extra: Partial<Attributes> = {}): Attributes {
  const [r, sub = ''] = resource.split('/');
  return { user: node1, verb, isResourceRequest: true, path: '', apiGroup: '', apiVersion: 'v1', namespace, resource: r, subresource: sub, name, ...extra };
}

function pod(name: string, nodeName: string | undefined, spec: Partial<Pod['spec']> = {}): Pod {
  return { metadata: { name, namespace: 'app' }, spec: { nodeName, containers: [{ name: 'c', image: 'i' }], ...spec } };
}

const webPod = pod('web', 'node-1', {
  serviceAccountName: 'web-sa',
  imagePullSecrets: [{ name: 'pull' }],
  volumes: [
    { name: 'certs', secret: { secretName: 'tls' } },
    { name: 'conf', configMap: { name: 'web-config' } },
    { name: 'data', persistentVolumeClaim: { claimName: 'web-data' } },
    { name: 'scratch', ephemeral: {} },
    { name: 'proj', projected: { sources: [{ secret: { name: 'proj-secret' } }, { configMap: { name: 'proj-config' } }] } },
  ],
  containers: [
    {
      name: 'c',
      image: 'i',
      env: [{ name: 'A', valueFrom: { secretKeyRef: { name: 'env-secret', key: 'k' } } }],
      envFrom: [{ configMapRef: { name: 'env-config' } }],
    },
  ],
});

function graphWith(...pods: Pod[]): NodeGraph {
  const g = new NodeGraph();
  g.podHandlers().onReplace(pods);
  const pv: PersistentVolume = { metadata: { name: 'pv-1' }, spec: { claimRef: { namespace: 'app', name: 'web-data' } } };
  const other: PersistentVolume = { metadata: { name: 'pv-2' }, spec: { claimRef: { namespace: 'app', name: 'db-data' } } };
  g.volumeHandlers().onReplace([pv, other]);
  return g;
}

const decide = async (a: Authorizer, x: Attributes) => a.authorize(x);

describe('pod references', () => {
  test('every kind of reference becomes a vertex', () => {
    const refs = podReferences(webPod).map((r) => r.split('\u0000').join(' '));
    expect(refs.sort()).toEqual(
      [
        'configmap app env-config',
        'configmap app proj-config',
        'configmap app web-config',
        'persistentvolumeclaim app web-data',
        'persistentvolumeclaim app web-scratch',
        'secret app env-secret',
        'secret app proj-secret',
        'secret app pull',
        'secret app tls',
        'serviceaccount app web-sa',
      ].sort(),
    );
  });
});

describe('node authorizer', () => {
  const authz = () => new NodeAuthorizer(graphWith(webPod, pod('db', 'node-2', { volumes: [{ name: 's', secret: { secretName: 'db-secret' } }] })));

  test('a node gets the secrets, config maps, claims and volumes of its own pods', async () => {
    const a = authz();
    for (const x of [
      attrs('get', 'secrets', 'app', 'tls'),
      attrs('get', 'secrets', 'app', 'pull'),
      attrs('get', 'secrets', 'app', 'env-secret'),
      attrs('watch', 'configmaps', 'app', 'web-config'),
      attrs('list', 'configmaps', 'app', 'env-config'),
      attrs('get', 'persistentvolumeclaims', 'app', 'web-data'),
      attrs('get', 'persistentvolumeclaims', 'app', 'web-scratch'),
      attrs('get', 'persistentvolumes', '', 'pv-1'),
      attrs('get', 'serviceaccounts', 'app', 'web-sa'),
      attrs('create', 'serviceaccounts/token', 'app', 'web-sa'),
      attrs('patch', 'persistentvolumeclaims/status', 'app', 'web-data'),
    ]) {
      expect([x.verb, x.resource, x.name, await decide(a, x)]).toEqual([x.verb, x.resource, x.name, { decision: 'Allow', reason: '' }]);
    }
  });

  test("not another node's, with upstream's reasons", async () => {
    const a = authz();
    const none = { decision: 'NoOpinion', reason: "no relationship found between node 'node-1' and this object" };
    expect(await decide(a, attrs('get', 'secrets', 'app', 'db-secret'))).toEqual(none);
    expect(await decide(a, attrs('get', 'secrets', 'other', 'tls'))).toEqual(none);
    expect(await decide(a, attrs('get', 'persistentvolumes', '', 'pv-2'))).toEqual(none);
    expect(await decide(a, attrs('list', 'secrets', 'app', ''))).toEqual({ decision: 'NoOpinion', reason: 'No Object name found' });
    expect(await decide(a, attrs('update', 'secrets', 'app', 'tls'))).toEqual({ decision: 'NoOpinion', reason: 'can only read resources of this type' });
    expect(await decide(a, attrs('list', 'persistentvolumeclaims', 'app', 'web-data'))).toEqual({
      decision: 'NoOpinion',
      reason: 'can only get individual resources of this type',
    });
    expect(await decide(a, attrs('create', 'serviceaccounts/token', 'app', 'default'))).toEqual(none);
  });

  test('the graph follows pods: a pod moving away or deleted takes its objects with it', async () => {
    const g = graphWith(webPod);
    const a = new NodeAuthorizer(g);
    const tls = attrs('get', 'secrets', 'app', 'tls');
    assert.equal((await decide(a, tls)).decision, 'Allow');
    // A second pod on the node uses the same secret; removing one keeps it readable.
    const twin = pod('web-2', 'node-1', { volumes: [{ name: 'certs', secret: { secretName: 'tls' } }] });
    g.podHandlers().onEvent('ADDED', twin, undefined);
    g.podHandlers().onEvent('DELETED', webPod, undefined);
    assert.equal((await decide(a, tls)).decision, 'Allow');
    g.podHandlers().onEvent('MODIFIED', pod('web-2', 'node-2', { ...twin.spec, nodeName: 'node-2' }), twin);
    assert.equal((await decide(a, tls)).decision, 'NoOpinion');
    // An unscheduled pod links no node.
    g.podHandlers().onEvent('ADDED', pod('pending', undefined, { volumes: [{ name: 's', secret: { secretName: 'later' } }] }), undefined);
    assert.equal((await decide(a, attrs('get', 'secrets', 'app', 'later'))).decision, 'NoOpinion');
  });

  test('leases: only its own, only in kube-node-lease', async () => {
    const a = authz();
    const lease = (verb: string, ns: string, name: string) => attrs(verb, 'leases', ns, name, { apiGroup: 'coordination.k8s.io' });
    assert.equal((await decide(a, lease('update', 'kube-node-lease', 'node-1'))).decision, 'Allow');
    assert.equal((await decide(a, lease('create', 'kube-node-lease', ''))).decision, 'Allow');
    expect(await decide(a, lease('update', 'kube-node-lease', 'node-2'))).toEqual({
      decision: 'NoOpinion',
      reason: 'can only access node lease with the same name as the requesting node',
    });
    expect(await decide(a, lease('get', 'kube-system', 'node-1'))).toEqual({
      decision: 'NoOpinion',
      reason: 'can only access leases in the "kube-node-lease" system namespace',
    });
    expect((await decide(a, lease('list', 'kube-node-lease', ''))).decision).toBe('NoOpinion');
  });

  test('everything else by the system:node rules', async () => {
    const a = authz();
    assert.equal((await decide(a, attrs('list', 'pods', '', ''))).decision, 'Allow');
    assert.equal((await decide(a, attrs('patch', 'pods/status', 'app', 'db'))).decision, 'Allow');
    assert.equal((await decide(a, attrs('patch', 'nodes', '', 'node-2'))).decision, 'Allow'); // NodeRestriction refuses it later
    assert.equal((await decide(a, attrs('delete', 'nodes', '', 'node-1'))).decision, 'NoOpinion');
    assert.equal((await decide(a, attrs('list', 'deployments', '', '', { apiGroup: 'apps' }))).decision, 'NoOpinion');
  });

  test('other users are not its business; a node without a name is refused', async () => {
    const a = authz();
    expect(await decide(a, attrs('get', 'secrets', 'app', 'tls', { user: { name: 'system:node:node-1', groups: [] } }))).toEqual({
      decision: 'NoOpinion',
      reason: '',
    });
    expect(await decide(a, attrs('get', 'secrets', 'app', 'tls', { user: { name: 'system:node:', groups: ['system:nodes'] } }))).toEqual({
      decision: 'NoOpinion',
      reason: 'unknown node for user "system:node:"',
    });
  });

  test('rules of a node cannot be listed', async () => {
    const rules = await authz().rulesFor(node1);
    expect(rules).toEqual({
      resourceRules: [],
      nonResourceRules: [],
      incomplete: true,
      evaluationError: 'node authorizer does not support user rule resolution',
    });
    expect(await authz().rulesFor({ name: 'alice', groups: [] })).toEqual({ resourceRules: [], nonResourceRules: [], incomplete: false });
  });
});

describe('union', () => {
  const deny: Authorizer = { authorize: () => ({ decision: 'Deny', reason: 'no' }) };
  const quiet = (reason: string): Authorizer => ({ authorize: async () => ({ decision: 'NoOpinion', reason }) });
  const allow: Authorizer = { authorize: () => ({ decision: 'Allow', reason: 'yes' }) };

  test('the first decision wins; with none, the reasons are joined', async () => {
    const x = attrs('get', 'pods', 'a', 'p', { user: { name: 'u', groups: [] } });
    expect(await new UnionAuthorizer([quiet('one'), allow, deny], []).authorize(x)).toEqual({ decision: 'Allow', reason: 'yes' });
    expect(await new UnionAuthorizer([quiet('one'), deny, allow], []).authorize(x)).toEqual({ decision: 'Deny', reason: 'no' });
    expect(await new UnionAuthorizer([quiet('one'), quiet(''), quiet('two')], []).authorize(x)).toEqual({ decision: 'NoOpinion', reason: 'one\ntwo' });
  });

  test('system:masters may do anything, without a reason', async () => {
    const u = new UnionAuthorizer([new PrivilegedGroupAuthorizer(), deny], []);
    expect(await u.authorize(attrs('delete', 'nodes', '', 'n', { user: { name: 'admin', groups: ['system:masters'] } }))).toEqual({
      decision: 'Allow',
      reason: '',
    });
    expect(await u.authorize(attrs('delete', 'nodes', '', 'n', { user: { name: 'admin', groups: [] } }))).toEqual({ decision: 'Deny', reason: 'no' });
  });
});
