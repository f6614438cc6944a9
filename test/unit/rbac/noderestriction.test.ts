// NodeRestriction: what a kubelet may write, checked on the store hooks with
// the messages upstream's admission plugin gives.
import { describe, expect, test } from '@jest/globals';
import assert from 'node:assert/strict';
import type { Node, Pod } from '../../../api/core/v1/types.js';
import { StatusError } from '../../../api/meta/v1/status.js';
import type { KubeObject } from '../../../api/meta/v1/types.js';
import type { RequestContext } from '../../../pkg/registry/store.js';
import { leaseRestrictionHooks, nodeRestrictionHooks, podRestrictionHooks } from '../../../pkg/registry/noderestriction/admission.js';

function ctx(user: RequestContext['user'], namespace?: string): RequestContext {
  return { dryRun: false, fieldValidation: 'Strict', warnings: [], user, namespace };
}
const node1 = ctx({ name: 'system:node:node-1', groups: ['system:nodes'] });
const admin = ctx({ name: 'admin', groups: ['system:masters'] });

async function refusal(p: Promise<unknown> | (() => void)): Promise<string> {
  try {
    if (typeof p === 'function') p();
    else await p;
  } catch (err) {
    assert.ok(err instanceof StatusError && err.code === 403, String(err));
    return err.message;
  }
  assert.fail('expected 403');
}

const pod = (name: string, nodeName: string, labels: Record<string, string> = {}): Pod => ({
  metadata: { name, namespace: 'app', labels },
  spec: { nodeName, containers: [{ name: 'c', image: 'i' }] },
});

describe('pods', () => {
  const hooks = podRestrictionHooks(async (name) => (name === 'node-1' ? 'uid-1' : undefined));

  test('status of its own pods only, and no label changes through it', async () => {
    await hooks.beforeUpdate?.(pod('a', 'node-1'), pod('a', 'node-1'), node1, 'status');
    expect(await refusal(hooks.beforeUpdate!(pod('b', 'node-2'), pod('b', 'node-2'), node1, 'status'))).toBe(
      'pods "b" is forbidden: node "node-1" can only update pod status for pods with spec.nodeName set to itself',
    );
    expect(await refusal(hooks.beforeUpdate!(pod('a', 'node-1', { x: 'y' }), pod('a', 'node-1'), node1, 'status'))).toBe(
      'pods "a" is forbidden: node "node-1" cannot update labels through pod status',
    );
    await refusal(hooks.beforeUpdate!(pod('a', 'node-1'), pod('a', 'node-1'), node1, undefined));
    // Others are not its business.
    await hooks.beforeUpdate?.(pod('b', 'node-2', { x: 'y' }), pod('b', 'node-2'), admin, 'status');
  });

  test('deletes only its own pods', async () => {
    hooks.beforeDelete?.(pod('a', 'node-1'), node1);
    expect(await refusal(() => hooks.beforeDelete?.(pod('b', 'node-2'), node1))).toBe(
      'pods "b" is forbidden: node "node-1" can only delete pods with spec.nodeName set to itself',
    );
  });

  test('creates only mirror pods of its own, owned by its Node', async () => {
    const mirror = (owner: Partial<NonNullable<KubeObject['metadata']['ownerReferences']>[0]>, spec: Partial<Pod['spec']> = {}): Pod => ({
      metadata: {
        name: 'static-node-1',
        namespace: 'kube-system',
        annotations: { 'kubernetes.io/config.mirror': 'hash' },
        ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: 'node-1', uid: 'uid-1', controller: true, ...owner }],
      },
      spec: { nodeName: 'node-1', containers: [{ name: 'c', image: 'i' }], ...spec },
    });
    await hooks.beforeCreate?.(mirror({}), node1);
    expect(await refusal(hooks.beforeCreate!(pod('plain', 'node-1'), node1))).toBe(
      'pods "plain" is forbidden: pod does not have "kubernetes.io/config.mirror" annotation, node "node-1" can only create mirror pods',
    );
    expect(await refusal(hooks.beforeCreate!(mirror({ uid: 'other' }), node1))).toBe(
      'pods "static-node-1" is forbidden: node node-1 UID mismatch: expected other got uid-1',
    );
    expect(await refusal(hooks.beforeCreate!(mirror({}, { volumes: [{ name: 's', secret: { secretName: 's' } }] }), node1))).toBe(
      'pods "static-node-1" is forbidden: node "node-1" can not create pods that reference secrets',
    );
  });
});

describe('nodes', () => {
  const hooks = nodeRestrictionHooks();
  const node = (name: string, labels: Record<string, string> = {}, taints: NonNullable<Node['spec']['taints']> = []): Node => ({
    metadata: { name, labels },
    spec: { taints },
  });

  test('its own Node only', async () => {
    await hooks.beforeUpdate?.(node('node-1'), node('node-1'), node1);
    expect(await refusal(hooks.beforeUpdate!(node('node-2'), node('node-2'), node1))).toBe(
      'nodes "node-2" is forbidden: node "node-1" is not allowed to modify node "node-2"',
    );
    expect(await refusal(hooks.beforeCreate!(node('node-2'), node1))).toBe('nodes "node-2" is forbidden: node "node-1" is not allowed to modify node "node-2"');
    await hooks.beforeUpdate?.(node('node-2', { a: 'b' }), node('node-2'), admin);
  });

  test('no taint changes, and only the labels a kubelet owns', async () => {
    expect(await refusal(hooks.beforeUpdate!(node('node-1', {}, [{ key: 'k', effect: 'NoSchedule' }]), node('node-1'), node1))).toBe(
      'nodes "node-1" is forbidden: node "node-1" is not allowed to modify taints',
    );
    await hooks.beforeCreate?.(node('node-1', { 'kubernetes.io/hostname': 'h', 'node.kubernetes.io/instance-type': 'x', team: 'a' }), node1);
    expect(
      await refusal(hooks.beforeCreate!(node('node-1', { 'node-role.kubernetes.io/control-plane': '', 'node-restriction.kubernetes.io/x': 'y' }), node1)),
    ).toBe(
      'nodes "node-1" is forbidden: node "node-1" is not allowed to set the following labels: node-restriction.kubernetes.io/x, node-role.kubernetes.io/control-plane',
    );
  });
});

describe('leases', () => {
  const hooks = leaseRestrictionHooks();
  const lease = (ns: string, name: string): KubeObject => ({ metadata: { name, namespace: ns }, spec: {} });

  test('its own, in kube-node-lease', async () => {
    await hooks.beforeCreate?.(lease('kube-node-lease', 'node-1'), { ...node1, namespace: 'kube-node-lease' });
    expect(await refusal(hooks.beforeCreate!(lease('kube-node-lease', 'node-2'), { ...node1, namespace: 'kube-node-lease' }))).toBe(
      'leases.coordination.k8s.io "node-2" is forbidden: can only access node lease with the same name as the requesting node',
    );
    expect(await refusal(hooks.beforeUpdate!(lease('kube-system', 'node-1'), lease('kube-system', 'node-1'), { ...node1, namespace: 'kube-system' }))).toBe(
      'leases.coordination.k8s.io "node-1" is forbidden: can only access leases in the "kube-node-lease" system namespace',
    );
    await hooks.beforeCreate?.(lease('kube-system', 'kube-scheduler'), { ...admin, namespace: 'kube-system' });
  });
});
