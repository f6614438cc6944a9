// The controller-manager against a real apiserver: namespace deletion empties and
// removes the namespace, every namespace gets a default ServiceAccount, and of two
// managers only the lease holder acts.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ControllerManager } from '../../pkg/controller/manager.js';
import { logger } from '../../pkg/util/log.js';
import { request, startCluster, type TestCluster } from '../support/cluster.js';

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function manager(c: TestCluster, controllers = ['*']): ControllerManager {
  return new ControllerManager({
    kubeconfig: c.kubeconfig,
    controllers,
    leaderElect: true,
    leaseDurationMs: 2000,
    renewDeadlineMs: 1500,
    retryPeriodMs: 200,
    workers: 2,
    log: logger('controller-manager-test', process.env.TIMONEL_TEST_LOG ? 2 : -1),
  });
}

async function leaseHolder(c: TestCluster): Promise<string | undefined> {
  const res = await request(c, 'GET', '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-controller-manager');
  return res.status === 200 ? (res.json() as { spec: { holderIdentity?: string } }).spec.holderIdentity : undefined;
}

describe('controller-manager', { timeout: 120_000 }, () => {
  let c: TestCluster;
  let m1: ControllerManager;
  before(async () => {
    c = await startCluster();
    m1 = manager(c);
    await m1.start();
  });
  after(async () => {
    await m1?.stop();
    await c?.stop();
  });

  it('gives every namespace a default ServiceAccount, and recreates it', async () => {
    await c.kubectl(['create', 'namespace', 'accounts']);
    const sa = () => request(c, 'GET', '/api/v1/namespaces/accounts/serviceaccounts/default').then((r) => r.status === 200);
    await until('default ServiceAccount', sa);
    await c.kubectl(['delete', 'serviceaccount', 'default', '-n', 'accounts']);
    await until('default ServiceAccount recreated', sa);
  });

  it('deleting a namespace deletes its content, then the namespace', async () => {
    await c.kubectl(['create', 'namespace', 'doomed']);
    await c.kubectl(['create', 'configmap', 'cm', '-n', 'doomed', '--from-literal=a=b']);
    await c.kubectl(['apply', '-n', 'doomed', '-f', 'test/fixtures/examples/application/deployment.yaml']);
    const out = await c.kubectl(['delete', 'namespace', 'doomed', '--timeout=30s']);
    assert.equal(out.stdout.trim(), 'namespace "doomed" deleted');
    assert.equal((await request(c, 'GET', '/api/v1/namespaces/doomed')).status, 404);
    assert.equal(((await request(c, 'GET', '/apis/apps/v1/deployments')).json() as { items: unknown[] }).items.length, 0);
  });

  it('with two managers only the lease holder acts; the other takes over when it stops', async () => {
    await until('a leader', async () => (await leaseHolder(c)) === m1.identity);
    const m2 = manager(c);
    await m2.start();
    try {
      await new Promise((r) => setTimeout(r, 1000));
      assert.equal(await leaseHolder(c), m1.identity, 'the first manager keeps the lease');
      await m1.stop();
      const stoppedAt = Date.now();
      await until('the second manager to lead', async () => (await leaseHolder(c)) === m2.identity, 5000);
      assert.ok(Date.now() - stoppedAt < 2000 + 1000, 'takes over within the lease duration');
      await c.kubectl(['create', 'namespace', 'after-failover']);
      await until('the new leader acts', () => request(c, 'GET', '/api/v1/namespaces/after-failover/serviceaccounts/default').then((r) => r.status === 200));
    } finally {
      await m2.stop();
    }
  });
});
