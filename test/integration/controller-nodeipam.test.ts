// The nodeipam controller against a real apiserver (Node and RBAC authorization),
// run by a controller-manager as system:kube-controller-manager with
// --allocate-node-cidrs and a cluster CIDR of four /24s: a Node that already holds
// a block keeps it and the block is not handed out again; three new Nodes get the
// other three; a fifth finds the range full and gets a CIDRNotAvailable event;
// when a Node is deleted its block goes to the waiting one. A kubelet not given
// --pod-cidr waits, as its own user, until its Node has one, and takes it.
import { afterAll, beforeAll, describe, it, jest } from '@jest/globals';
import assert from 'node:assert/strict';
import type { Event, Node } from '../../api/core/v1/types.js';
import type { ControllerManager } from '../../pkg/controller/manager.js';
import { Client } from '../../pkg/client/rest.js';
import { waitForPodCIDR } from '../../pkg/kubelet/network/pod_cidr.js';
import { logger } from '../../pkg/util/log.js';
import { request, startCluster, type TestCluster } from '../support/cluster.js';
import { startManager, until } from '../support/controllers.js';

const JSON_HDR = { 'content-type': 'application/json' };

jest.setTimeout(120_000);
describe('nodeipam controller', () => {
  let c: TestCluster;
  let manager: ControllerManager | undefined;

  async function createNode(name: string, podCIDR?: string): Promise<void> {
    const spec = podCIDR ? { podCIDR, podCIDRs: [podCIDR] } : {};
    const res = await request(c, 'POST', '/api/v1/nodes', {
      body: JSON.stringify({ apiVersion: 'v1', kind: 'Node', metadata: { name }, spec }),
      headers: JSON_HDR,
    });
    assert.equal(res.status, 201, res.body);
  }

  async function getNode(name: string): Promise<Node> {
    const res = await request(c, 'GET', `/api/v1/nodes/${name}`);
    assert.equal(res.status, 200, res.body);
    return res.json() as Node;
  }

  /** The Node's podCIDR once it has one, after checking podCIDRs agrees. */
  async function podCIDROf(name: string): Promise<string> {
    return until(`pod CIDR of ${name}`, async () => {
      const spec = (await getNode(name)).spec ?? {};
      if (!spec.podCIDR) return undefined;
      assert.deepEqual(spec.podCIDRs, [spec.podCIDR]);
      return spec.podCIDR;
    });
  }

  beforeAll(async () => {
    c = await startCluster({ authorizationModes: ['Node', 'RBAC'] });
  });
  afterAll(async () => {
    await manager?.stop();
    await c?.stop();
  });

  it('allocates distinct blocks, remembers held ones, reports a full range, and reuses a deleted Node’s block', async () => {
    // Held before the controller starts (as a kubelet given --pod-cidr registers).
    await createNode('held', '10.244.0.0/24');
    manager = await startManager(c, ['nodeipam'], {
      kubeconfig: c.kubeconfigFor('system:kube-controller-manager'),
      allocateNodeCIDRs: true,
      nodeIpam: { clusterCIDR: '10.244.0.0/22', nodeCIDRMaskSize: 24 },
      log: logger('controller-manager-test', process.env.TIMONEL_TEST_LOG ? 4 : -1),
    });
    for (const n of ['node-1', 'node-2', 'node-3']) await createNode(n);
    const cidrs = await Promise.all(['node-1', 'node-2', 'node-3'].map(podCIDROf));
    assert.deepEqual([...cidrs].sort(), ['10.244.1.0/24', '10.244.2.0/24', '10.244.3.0/24']);
    assert.equal((await getNode('held')).spec?.podCIDR, '10.244.0.0/24');

    // The range is full: an event on the Node, as upstream's range allocator records it.
    await createNode('node-4');
    const event = await until('CIDRNotAvailable event', async () => {
      const res = await request(c, 'GET', '/api/v1/namespaces/default/events?fieldSelector=involvedObject.name%3Dnode-4');
      return (res.json() as { items: Event[] }).items.find((e) => e.reason === 'CIDRNotAvailable');
    });
    assert.equal(event.type, 'Normal');
    assert.equal(event.message, 'Node node-4 status is now: CIDRNotAvailable');
    assert.equal(event.involvedObject.kind, 'Node');
    assert.equal(event.source?.component, 'cidrAllocator');
    assert.equal((await getNode('node-4')).spec?.podCIDR, undefined);

    // A deleted Node's block is free again, and the waiting Node gets it.
    const freed = cidrs[1];
    assert.equal((await request(c, 'DELETE', '/api/v1/nodes/node-2')).status, 200);
    assert.equal(await podCIDROf('node-4'), freed);
  });

  it('after a restart, blocks the Nodes hold are not handed out again', async () => {
    await manager?.stop();
    assert.equal((await request(c, 'DELETE', '/api/v1/nodes/node-1')).status, 200);
    const freed = '10.244.1.0/24';
    manager = await startManager(c, ['nodeipam'], {
      kubeconfig: c.kubeconfigFor('system:kube-controller-manager'),
      allocateNodeCIDRs: true,
      nodeIpam: { clusterCIDR: '10.244.0.0/22', nodeCIDRMaskSize: 24 },
      log: logger('controller-manager-test', process.env.TIMONEL_TEST_LOG ? 4 : -1),
    });
    // Only node-1's block is free; the new controller must find exactly it.
    await createNode('node-5');
    assert.equal(await podCIDROf('node-5'), freed);
    await createNode('node-6');
    await until('CIDRNotAvailable event for node-6', async () => {
      const res = await request(c, 'GET', '/api/v1/namespaces/default/events?fieldSelector=involvedObject.name%3Dnode-6');
      return (res.json() as { items: Event[] }).items.some((e) => e.reason === 'CIDRNotAvailable');
    });
    assert.equal((await getNode('node-6')).spec?.podCIDR, undefined);
  });

  it('a kubelet without --pod-cidr waits for its Node to get one and takes it', async () => {
    await manager?.stop();
    manager = undefined;
    // node-6 waits no more: kubelet-node is the only Node without a block.
    assert.equal((await request(c, 'DELETE', '/api/v1/nodes/node-6')).status, 200);
    await createNode('kubelet-node');
    const kubelet = Client.fromFile(c.kubeconfigFor('system:node:kubelet-node', ['system:nodes']));
    const logs: string[] = [];
    let settled = false;
    const waiting = waitForPodCIDR({ client: kubelet, nodeName: 'kubelet-node', stopped: () => false, log: (m) => logs.push(m), pollMs: 100 }).finally(
      () => (settled = true),
    );
    try {
      // No controller runs: the kubelet keeps waiting and says why.
      await until('the waiting message', () => logs.some((m) => m.includes('waiting for node kubelet-node to be given a pod CIDR')));
      await new Promise((r) => setTimeout(r, 500));
      assert.equal(settled, false);
      // Free one block (node-3's), then let a controller run.
      assert.equal((await request(c, 'DELETE', '/api/v1/nodes/node-3')).status, 200);
      manager = await startManager(c, ['nodeipam'], {
        kubeconfig: c.kubeconfigFor('system:kube-controller-manager'),
        allocateNodeCIDRs: true,
        nodeIpam: { clusterCIDR: '10.244.0.0/22', nodeCIDRMaskSize: 24 },
        log: logger('controller-manager-test', process.env.TIMONEL_TEST_LOG ? 4 : -1),
      });
      const got = await waiting;
      assert.equal(got, (await getNode('kubelet-node')).spec?.podCIDR);
      assert.equal(got, '10.244.3.0/24');
    } finally {
      kubelet.close();
    }
  });
});
