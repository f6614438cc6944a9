// Leader election on a real coordination.k8s.io/v1 Lease: two candidates, one leader;
// when the leader stops renewing, the other takes over within the lease duration.
import { afterAll, beforeAll, describe, it, jest } from '@jest/globals';
import assert from 'node:assert/strict';
import { Client } from '../../pkg/client/rest.js';
import type { Lease } from '../../api/coordination/v1/types.js';
import { LeaderElector } from '../../pkg/client/leaderelection.js';
import { startCluster, type TestCluster } from '../support/cluster.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

jest.setTimeout(60_000);
describe('pkg/client leader election', () => {
  let c: TestCluster;
  let client: Client;
  beforeAll(async () => {
    c = await startCluster();
    client = Client.fromFile(c.kubeconfig);
  });
  afterAll(async () => {
    client?.close();
    await c?.stop();
  });

  function candidate(identity: string, log: string[], name = 'controller-manager', leaseDurationMs = 2000) {
    const state = { leading: false, startedAt: 0 };
    const elector = new LeaderElector({
      client,
      namespace: 'kube-system',
      name,
      identity,
      leaseDurationMs,
      renewDeadlineMs: leaseDurationMs / 2,
      retryPeriodMs: 200,
      callbacks: {
        onStartedLeading: () => {
          state.leading = true;
          state.startedAt = Date.now();
          log.push(`${identity} started`);
        },
        onStoppedLeading: () => {
          state.leading = false;
          log.push(`${identity} stopped`);
        },
      },
    });
    return { elector, state };
  }

  it('only one of two leads; the other takes over within the lease duration when the leader stops renewing', async () => {
    const log: string[] = [];
    const a = candidate('a', log);
    const b = candidate('b', log);
    void a.elector.run();
    void b.elector.run();
    const deadline = Date.now() + 5000;
    while (!a.state.leading && !b.state.leading && Date.now() < deadline) await sleep(20);
    // Let several renew rounds pass: never two leaders at once.
    for (let i = 0; i < 10; i++) {
      await sleep(100);
      assert.ok(!(a.state.leading && b.state.leading), 'two leaders at once');
    }
    assert.ok(a.state.leading || b.state.leading, 'one of them leads');
    const [leader, follower] = a.state.leading ? [a, b] : [b, a];
    const leaderId = leader === a ? 'a' : 'b';
    const lease = await client.resource<Lease>('coordination.k8s.io/v1', 'leases').namespace('kube-system').get('controller-manager');
    assert.equal(lease.spec?.holderIdentity, leaderId);
    assert.equal(lease.spec?.leaseDurationSeconds, 2);
    assert.equal(lease.spec?.leaseTransitions, 0);
    assert.ok(lease.spec?.acquireTime && lease.spec.renewTime);

    // The leader dies: it stops renewing and does not release the lease.
    const killedAt = Date.now();
    await leader.elector.stop({ release: false });
    while (!follower.state.leading && Date.now() - killedAt < 5000) await sleep(20);
    assert.ok(follower.state.leading, 'the follower took over');
    const tookMs = follower.state.startedAt - killedAt;
    assert.ok(tookMs <= 2000 + 1000, `took over within the lease duration (+ retries and timer slack on a busy machine): ${tookMs} ms`);
    assert.ok(tookMs >= 1000, `but not before the lease could have expired: ${tookMs} ms`);
    const after = await client.resource<Lease>('coordination.k8s.io/v1', 'leases').namespace('kube-system').get('controller-manager');
    assert.equal(after.spec?.holderIdentity, follower === a ? 'a' : 'b');
    assert.equal(after.spec?.leaseTransitions, 1);
    await follower.elector.stop();
    assert.deepEqual(log.filter((l) => l.endsWith('started')).length, 2);
  });

  it('releasing on stop lets the successor take over at once', async () => {
    const log: string[] = [];
    // A 10 s lease: taking over well before it could expire shows the release was used.
    const a = candidate('x', log, 'scheduler', 10_000);
    void a.elector.run();
    while (!a.state.leading) await sleep(20);
    const b = candidate('y', log, 'scheduler', 10_000);
    void b.elector.run();
    await sleep(300);
    assert.ok(!b.state.leading);
    const releasedAt = Date.now();
    await a.elector.stop({ release: true });
    while (!b.state.leading && Date.now() - releasedAt < 10_000) await sleep(10);
    assert.ok(b.state.leading);
    assert.ok(Date.now() - releasedAt < 5000, 'no wait for expiry');
    await b.elector.stop();
  });
});
