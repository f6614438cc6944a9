// Two scheduler processes: only the lease holder binds; kill it and the standby
// takes over within the lease duration and binds the next pod.
import { afterAll, beforeAll, describe, it, jest } from '@jest/globals';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { request, startCluster, type TestCluster } from '../support/cluster.js';
import { until } from '../support/controllers.js';

const JSON_HDR = { 'content-type': 'application/json' };
const SCHEDULER = new URL('../../cmd/scheduler/main.js', import.meta.url).pathname;

jest.setTimeout(90_000);
describe('scheduler leader election', () => {
  let c: TestCluster;
  const children: Array<{ proc: ChildProcess; log: () => string }> = [];

  function startScheduler(): { proc: ChildProcess; log: () => string } {
    const proc = spawn(
      process.execPath,
      [
        SCHEDULER,
        `--kubeconfig=${c.kubeconfig}`,
        '--secure-port=0',
        '--leader-elect-lease-duration=2',
        '--leader-elect-renew-deadline=1.5',
        '--leader-elect-retry-period=0.2',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let out = '';
    proc.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    const s = { proc, log: () => out };
    children.push(s);
    return s;
  }

  const holder = () =>
    request(c, 'GET', '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-scheduler').then((r) =>
      r.status === 200 ? (r.json() as { spec: { holderIdentity?: string } }).spec.holderIdentity : undefined,
    );
  const nodeOf = (pod: string) =>
    request(c, 'GET', `/api/v1/namespaces/default/pods/${pod}`).then((r) => (r.json() as { spec: { nodeName?: string } }).spec.nodeName);
  const createPod = (name: string) =>
    request(c, 'POST', '/api/v1/namespaces/default/pods', {
      body: JSON.stringify({ metadata: { name }, spec: { containers: [{ name: 'c', image: 'busybox', resources: { requests: { cpu: '100m' } } }] } }),
      headers: JSON_HDR,
    });

  beforeAll(async () => {
    c = await startCluster();
    const node = {
      metadata: { name: 'node-1' },
      status: {
        allocatable: { cpu: '4', memory: '8Gi', pods: '110' },
        capacity: { cpu: '4', memory: '8Gi', pods: '110' },
        conditions: [{ type: 'Ready', status: 'True' }],
      },
    };
    assert.equal((await request(c, 'POST', '/api/v1/nodes', { body: JSON.stringify(node), headers: JSON_HDR })).status, 201);
  });
  afterAll(async () => {
    for (const s of children) if (s.proc.exitCode === null) s.proc.kill('SIGKILL');
    await c?.stop();
  });

  it('one leads and binds; after it is killed the standby takes over and binds', async () => {
    const a = startScheduler();
    const b = startScheduler();
    const leaderId = await until('a leader', async () => holder());
    const leader =
      [a, b].find((s) => s.log().includes(`became leader as ${leaderId}`)) ??
      (await until('leader log', async () => [a, b].find((s) => s.log().includes(`became leader as ${leaderId}`))));
    const standby = leader === a ? b : a;
    assert.ok(!standby.log().includes('became leader'), 'only one leads');
    await createPod('before');
    assert.equal(await until('binding by the leader', () => nodeOf('before')), 'node-1');

    leader.proc.kill('SIGKILL'); // no release: the standby waits for the lease to expire
    const killedAt = Date.now();
    await until('the standby to lead', async () => (standby.log().includes('became leader') ? true : undefined), 10_000);
    const took = Date.now() - killedAt;
    assert.ok(took < 2000 + 2500, `took over after ${took} ms; lease is 2000 ms`);
    await createPod('after');
    assert.equal(await until('binding by the new leader', () => nodeOf('after')), 'node-1');
  });
});
