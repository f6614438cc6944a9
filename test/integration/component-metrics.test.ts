// The controller-manager's and the scheduler's secure ports against a real apiserver
// with Node,RBAC: HTTPS with a self-signed certificate kept in --cert-dir, /metrics
// for a bearer token whose user the apiserver's RBAC lets get /metrics (the
// system:monitoring group), 403 for one it does not and for anonymous requests, 401
// for a token the apiserver does not know, and /healthz for anyone. The
// controller-manager runs in this process (its work queues' series after a
// ReplicaSet is synced), the scheduler as its own process.
import { afterAll, beforeAll, describe, it, jest } from '@jest/globals';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { ControllerManager } from '../../pkg/controller/manager.js';
import { freePort } from '../../pkg/cluster/process.js';
import { logger } from '../../pkg/util/log.js';
import { request, startCluster, type TestCluster } from '../support/cluster.js';
import { until } from '../support/controllers.js';
import { parseExposition } from '../support/promtext.js';

const SCHEDULER = new URL('../../cmd/scheduler/main.js', import.meta.url).pathname;
const JSON_HDR = { 'content-type': 'application/json' };

jest.setTimeout(120_000);

function get(port: string | number, ca: string, path: string, token?: string): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
    const req = httpsRequest({ host: '127.0.0.1', port: Number(port), path, ca, servername: 'localhost', headers, agent: false }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('controller-manager and scheduler secure ports', () => {
  let c: TestCluster;
  let manager: ControllerManager;
  let scheduler: ChildProcess | undefined;
  let schedulerLog = '';

  beforeAll(async () => {
    c = await startCluster({
      authorizationModes: ['Node', 'RBAC'],
      tokens: [
        { token: 'prometheus-token', user: { name: 'prometheus', groups: ['system:monitoring'] } },
        { token: 'nobody-token', user: { name: 'nobody', groups: [] } },
      ],
    });
    manager = new ControllerManager({
      kubeconfig: c.kubeconfigFor('system:kube-controller-manager'),
      controllers: ['replicaset'],
      leaderElect: true,
      leaseDurationMs: 2000,
      renewDeadlineMs: 1500,
      retryPeriodMs: 200,
      workers: 2,
      secureServing: { bindAddress: '127.0.0.1:0', certDir: join(c.dir, 'kcm-certs') },
      log: logger('controller-manager-test', -1),
    });
    await manager.start();
  });
  afterAll(async () => {
    if (scheduler && scheduler.exitCode === null) scheduler.kill('SIGKILL');
    await manager?.stop();
    await c?.stop();
  });

  it('controller-manager: /healthz for anyone, /metrics for system:monitoring only', async () => {
    const ca = readFileSync(join(c.dir, 'kcm-certs', 'kube-controller-manager.crt'), 'utf8');
    const port = manager.securePort as number;
    assert.ok(port > 0);
    assert.deepEqual({ ...(await get(port, ca, '/healthz')), type: '' }, { status: 200, type: '', body: 'ok' });

    const rs = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'web', namespace: 'default' },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'web' } },
        template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx:1.14.2' }] } },
      },
    };
    assert.equal((await request(c, 'POST', '/apis/apps/v1/namespaces/default/replicasets', { body: JSON.stringify(rs), headers: JSON_HDR })).status, 201);
    await until('two pods made', async () => ((await request(c, 'GET', '/api/v1/namespaces/default/pods')).json() as { items: unknown[] }).items.length === 2);

    const res = await until('replicaset queue series', async () => {
      const r = await get(port, ca, '/metrics', 'prometheus-token');
      return r.status === 200 && /workqueue_work_duration_seconds_count\{name="replicaset"\} [1-9]/.test(r.body) ? r : undefined;
    });
    assert.match(res.type, /^text\/plain; version=0\.0\.4/);
    const m = parseExposition(res.body);
    assert.ok(m.value('workqueue_adds_total', { name: 'replicaset' }) >= 1);
    assert.equal(m.types.get('workqueue_depth'), 'gauge');
    assert.ok(m.value('workqueue_depth', { name: 'replicaset' }) >= 0);
    assert.ok(m.value('workqueue_queue_duration_seconds_count', { name: 'replicaset' }) >= 1);
    assert.ok(m.value('workqueue_retries_total', { name: 'replicaset' }) >= 0);
    assert.equal(m.value('leader_election_master_status', { name: 'kube-controller-manager' }), 1);

    const nobody = await get(port, ca, '/metrics', 'nobody-token');
    assert.equal(nobody.status, 403);
    assert.match(nobody.body, /forbidden: User \\"nobody\\" cannot get path \\"\/metrics\\"/);
    assert.equal((await get(port, ca, '/metrics')).status, 403); // system:anonymous
    assert.equal((await get(port, ca, '/metrics', 'unknown-token')).status, 401);
  });

  it('scheduler: HTTPS on its secure port with the same rules', async () => {
    const port = await freePort();
    const certDir = join(c.dir, 'scheduler-certs');
    scheduler = spawn(
      process.execPath,
      [
        SCHEDULER,
        `--kubeconfig=${c.kubeconfigFor('system:kube-scheduler')}`,
        '--leader-elect=false',
        '--bind-address=127.0.0.1',
        `--secure-port=${port}`,
        `--cert-dir=${certDir}`,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    scheduler.stderr?.on('data', (d: Buffer) => (schedulerLog += d.toString()));
    const certFile = join(certDir, 'kube-scheduler.crt');
    await until('the scheduler serving', () => existsSync(certFile) && /serving securely/.test(schedulerLog), 20_000);
    const ca = readFileSync(certFile, 'utf8');
    assert.deepEqual(await get(port, ca, '/healthz'), { status: 200, type: 'text/plain; charset=utf-8', body: 'ok' });
    const res = await get(port, ca, '/metrics', 'prometheus-token');
    assert.equal(res.status, 200, schedulerLog);
    const m = parseExposition(res.body);
    assert.equal(m.find('scheduler_pending_pods', { queue: 'active' }).length, 1);
    assert.equal((await get(port, ca, '/metrics', 'nobody-token')).status, 403);
    assert.equal((await get(port, ca, '/metrics')).status, 403);
  });
});
