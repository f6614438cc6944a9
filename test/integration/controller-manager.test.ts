// The controller-manager against a real apiserver: namespace deletion empties and
// removes the namespace, every namespace gets a default ServiceAccount, and of two
// managers only the lease holder acts.
import { afterAll, beforeAll, describe, it, jest } from '@jest/globals';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { ControllerManager } from '../../pkg/controller/manager.js';
import { logger } from '../../pkg/util/log.js';
import { request, startCluster, type TestCluster } from '../support/cluster.js';
import { managerOptions, sleep, until } from '../support/controllers.js';

function manager(c: TestCluster, controllers = ['*']): ControllerManager {
  return new ControllerManager(
    managerOptions(c, controllers, {
      leaderElect: true,
      leaseDurationMs: 2000,
      renewDeadlineMs: 1500,
      retryPeriodMs: 200,
      log: logger('controller-manager-test', process.env.TIMONEL_TEST_LOG ? 2 : -1),
    }),
  );
}

async function leaseHolder(c: TestCluster): Promise<string | undefined> {
  const res = await request(c, 'GET', '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-controller-manager');
  return res.status === 200 ? (res.json() as { spec: { holderIdentity?: string } }).spec.holderIdentity : undefined;
}

jest.setTimeout(120_000);
describe('controller-manager', () => {
  let c: TestCluster;
  let m1: ControllerManager;
  beforeAll(async () => {
    c = await startCluster();
    m1 = manager(c);
    await m1.start();
  });
  afterAll(async () => {
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

  it('with two managers only the lease holder acts; killing it hands over within the lease duration', async () => {
    await m1.stop(); // hand the lease back; the contest below is between a child process and m2
    const child = spawn(
      process.execPath,
      [
        new URL('../../cmd/controller-manager/main.js', import.meta.url).pathname,
        `--kubeconfig=${c.kubeconfig}`,
        '--secure-port=0',
        '--leader-elect-lease-duration=2',
        '--leader-elect-renew-deadline=1.5',
        '--leader-elect-retry-period=0.2',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let childLog = '';
    child.stderr.on('data', (d: Buffer) => (childLog += d.toString()));
    const m2 = manager(c);
    try {
      await until(
        'the child process to lead',
        async () => /became leader as ([^;\s]+)/.test(childLog) && (await leaseHolder(c)) === /became leader as ([^;\s]+)/.exec(childLog)?.[1],
      );
      await m2.start();
      await sleep(1000);
      assert.notEqual(await leaseHolder(c), m2.identity, 'the standby does not take a held lease');
      child.kill('SIGKILL'); // no release: the standby must wait for the lease to expire
      const killedAt = Date.now();
      await until('the standby to lead', async () => (await leaseHolder(c)) === m2.identity, 10_000);
      const took = Date.now() - killedAt;
      assert.ok(took >= 1000 && took < 2000 + 2500, `took over after ${took} ms; lease is 2000 ms`);
      await c.kubectl(['create', 'namespace', 'after-failover']);
      await until('the new leader acts', () => request(c, 'GET', '/api/v1/namespaces/after-failover/serviceaccounts/default').then((r) => r.status === 200));
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await m2.stop();
    }
  });
});
