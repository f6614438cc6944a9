// PodDisruptionBudgets: the disruption controller keeps their status, and the
// eviction subresource spends it, refusing with 429 once the budget is used.
import { afterAll, beforeAll, describe, it, jest } from '@jest/globals';
import assert from 'node:assert/strict';
import type { ControllerManager } from '../../pkg/controller/manager.js';
import { logger } from '../../pkg/util/log.js';
import { request, startCluster, type TestCluster } from '../support/cluster.js';
import { markPodReady, startManager, until } from '../support/controllers.js';

const JSON_HDR = { 'content-type': 'application/json' };
const NS = '/api/v1/namespaces/default';

jest.setTimeout(90_000);
describe('disruption budgets and eviction', () => {
  let c: TestCluster;
  let m: ControllerManager;
  beforeAll(async () => {
    c = await startCluster();
    m = await startManager(c, ['disruption'], { log: logger('disruption-test', -1) });
  });
  afterAll(async () => {
    await m?.stop();
    await c?.stop();
  });

  const evict = (name: string) =>
    request(c, 'POST', `${NS}/pods/${name}/eviction`, {
      body: JSON.stringify({ apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name } }),
      headers: JSON_HDR,
    });
  const pdb = () =>
    request(c, 'GET', '/apis/policy/v1/namespaces/default/poddisruptionbudgets/zk-pdb').then(
      (r) => r.json() as { status?: { disruptionsAllowed?: number; currentHealthy?: number; desiredHealthy?: number; expectedPods?: number } },
    );

  it('zk-pdb (minAvailable 2) over 3 ready pods allows one eviction, then refuses with 429', async () => {
    await c.kubectl(['apply', '-f', 'test/fixtures/examples/policy/zookeeper-pod-disruption-budget-minavailable.yaml']);
    for (const name of ['zk-0', 'zk-1', 'zk-2']) {
      await request(c, 'POST', `${NS}/pods`, {
        body: JSON.stringify({
          metadata: { name, labels: { 'app.kubernetes.io/name': 'zookeeper' } },
          spec: { containers: [{ name: 'zk', image: 'zookeeper' }] },
        }),
        headers: JSON_HDR,
      });
      await markPodReady(c, 'default', name);
    }
    const status = await until('budget status', async () => {
      const s = (await pdb()).status;
      return s?.currentHealthy === 3 ? s : undefined;
    });
    assert.deepEqual(
      { allowed: status.disruptionsAllowed, desired: status.desiredHealthy, expected: status.expectedPods },
      { allowed: 1, desired: 2, expected: 3 },
    );
    const table = (await c.kubectl(['get', 'pdb', 'zk-pdb'])).stdout;
    assert.match(table, /zk-pdb\s+2\s+N\/A\s+1\s+/);

    const first = await evict('zk-0');
    assert.equal(first.status, 201, first.body);
    assert.equal((await request(c, 'GET', `${NS}/pods/zk-0`)).status, 404);
    const second = await evict('zk-1');
    assert.equal(second.status, 429, second.body);
    const st = second.json() as { reason: string; message: string; details: { causes: Array<{ reason: string; message: string }> } };
    assert.equal(st.reason, 'TooManyRequests');
    assert.equal(st.message, "Cannot evict pod as it would violate the pod's disruption budget.");
    assert.deepEqual(st.details.causes[0], { reason: 'DisruptionBudget', message: 'The disruption budget zk-pdb needs 2 healthy pods and has 2 currently' });
    assert.equal((await request(c, 'GET', `${NS}/pods/zk-1`)).status, 200, 'refused eviction deletes nothing');
  });

  it('a pod no budget covers is evicted at once', async () => {
    await request(c, 'POST', `${NS}/pods`, {
      body: JSON.stringify({ metadata: { name: 'free' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } }),
      headers: JSON_HDR,
    });
    assert.equal((await evict('free')).status, 201);
    assert.equal((await request(c, 'GET', `${NS}/pods/free`)).status, 404);
  });
});
