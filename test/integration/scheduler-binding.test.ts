// pods/binding, the scheduler's write, against a real apiserver + etcd. The handler
// starts from the watch cache's copy of the pod and guards the write on its
// resourceVersion (as upstream's GuaranteedUpdate does with its cached object), so these
// check that a stale copy never loses a newer change and never binds twice.
import type { Pod } from '../../api/core/v1/types.js';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { Client, type ResourceClient } from '../../pkg/client/index.js';
import { startCluster, type TestCluster } from '../support/cluster.js';

const NS = 'binding-test';

describe('pods/binding', () => {
  let c: TestCluster;
  let client: Client;
  let pods: ResourceClient<Pod>;

  beforeAll(async () => {
    c = await startCluster();
    client = Client.fromFile(c.kubeconfig);
    await client.resource('v1', 'namespaces').create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
    pods = client.resource<Pod>('v1', 'pods').namespace(NS);
    // Start the apiserver's pod watch cache, as a scheduler's informer would.
    await pods.list({ resourceVersion: '0' });
  });
  afterAll(async () => {
    client?.close();
    await c?.stop();
  });

  const newPod = (name: string, extra: Partial<Pod['metadata']> = {}): Pod => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: NS, labels: { app: 'b' }, ...extra },
    spec: { containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.10' }] },
  });
  const bind = (name: string, node: string) =>
    client.rest.request('POST', pods.path(NS, name, 'binding'), {
      body: { apiVersion: 'v1', kind: 'Binding', metadata: { name }, target: { apiVersion: 'v1', kind: 'Node', name: node } },
    });
  const statusOf = async (p: Promise<unknown>): Promise<{ code: number; message: string }> => {
    try {
      await p;
      return { code: 201, message: '' };
    } catch (err) {
      const e = err as { code?: number; message?: string };
      return { code: e.code ?? 0, message: e.message ?? '' };
    }
  };

  it('binds once: nodeName and PodScheduled=True are set, a second binding is a Conflict', async () => {
    await pods.create(newPod('once'));
    await bind('once', 'node-a');
    const got = await pods.get('once');
    assert.equal(got.spec?.nodeName, 'node-a');
    const cond = (got.status?.conditions ?? []).find((x) => x.type === 'PodScheduled');
    assert.equal(cond?.status, 'True');
    const again = await statusOf(bind('once', 'node-b'));
    assert.equal(again.code, 409);
    assert.match(again.message, /pod once is already assigned to node "node-a"/);
    assert.equal((await pods.get('once')).spec?.nodeName, 'node-a');
  });

  it('a binding right after another write keeps that write (a stale cached copy is retried from etcd)', async () => {
    const names = Array.from({ length: 25 }, (_, i) => `raced-${i}`);
    await Promise.all(names.map((n) => pods.create(newPod(n))));
    // Each label change and its binding race; the binding may start from a copy that lacks the label.
    await Promise.all(names.flatMap((n, i) => [pods.patch(n, 'merge', { metadata: { labels: { step: 'patched' } } }), bind(n, `node-${i % 3}`)]));
    for (const [i, n] of names.entries()) {
      const p = await pods.get(n);
      assert.equal(p.metadata.labels?.step, 'patched', `${n} kept its label`);
      assert.equal(p.spec?.nodeName, `node-${i % 3}`);
    }
  });

  it('concurrent bindings of one pod: exactly one wins', async () => {
    await pods.create(newPod('contended'));
    const results = await Promise.all(['x', 'y', 'z', 'w'].map((n) => statusOf(bind('contended', n))));
    assert.equal(results.filter((r) => r.code === 201).length, 1, JSON.stringify(results));
    assert.ok(
      results.every((r) => r.code === 201 || r.code === 409),
      JSON.stringify(results),
    );
  });

  it('refuses a pod being deleted, and a pod that does not exist', async () => {
    await pods.create(newPod('leaving', { finalizers: ['example.com/hold'] }));
    await pods.delete('leaving');
    const leaving = await statusOf(bind('leaving', 'node-a'));
    assert.equal(leaving.code, 409);
    assert.match(leaving.message, /pods\/binding "leaving": pod leaving is being deleted, cannot be assigned to a host/);
    await pods.patch('leaving', 'merge', { metadata: { finalizers: null } });
    const missing = await statusOf(bind('never-created', 'node-a'));
    assert.equal(missing.code, 404);
  });
});
