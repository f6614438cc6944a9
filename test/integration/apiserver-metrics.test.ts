// The apiserver's /metrics with the real kubectl (get --raw /metrics) under Node,RBAC
// authorization: the admin reads the request, storage, etcd, in-flight, long-running and
// watch metrics after requests of its own; a user without a role is refused, and one in
// system:monitoring (the default role for /metrics) is not. Admission is timed per phase
// and per built-in plugin.
import { afterAll, beforeAll, describe, it, jest } from '@jest/globals';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { request, startCluster, type TestCluster } from '../support/cluster.js';
import { parseExposition, type Exposition } from '../support/promtext.js';

jest.setTimeout(120_000);

describe('apiserver /metrics', () => {
  let c: TestCluster;

  beforeAll(async () => {
    c = await startCluster({ authorizationModes: ['Node', 'RBAC'] });
  });
  afterAll(async () => {
    await c?.stop();
  });

  const scrape = async (): Promise<Exposition> => parseExposition((await c.kubectl(['get', '--raw', '/metrics'])).stdout);

  it('counts and times requests by verb, resource, scope and code', async () => {
    await c.kubectl(['create', 'namespace', 'm1']);
    await c.kubectl(['-n', 'm1', 'create', 'configmap', 'one', '--from-literal=a=b']);
    await c.kubectl(['-n', 'm1', 'get', 'configmaps']);
    await c.kubectl(['-n', 'm1', 'get', 'configmap', 'one']);
    await c.kubectl(['-n', 'm1', 'get', 'configmap', 'missing'], { allowFail: true });
    const m = await scrape();
    assert.equal(m.types.get('apiserver_request_total'), 'counter');
    assert.equal(m.types.get('apiserver_request_duration_seconds'), 'histogram');
    const base = { group: '', version: 'v1', resource: 'configmaps', subresource: '', component: 'apiserver', dry_run: '' };
    assert.ok(m.value('apiserver_request_total', { ...base, verb: 'POST', scope: 'resource', code: '201' }) >= 1);
    assert.ok(m.value('apiserver_request_total', { ...base, verb: 'LIST', scope: 'namespace', code: '200' }) >= 1);
    assert.ok(m.value('apiserver_request_total', { ...base, verb: 'GET', scope: 'resource', code: '200' }) >= 1);
    assert.ok(m.value('apiserver_request_total', { ...base, verb: 'GET', scope: 'resource', code: '404' }) >= 1);
    assert.ok(m.value('apiserver_request_total', { group: '', resource: 'namespaces', verb: 'POST', code: '201' }) >= 1);
    // Upstream's buckets, 5 ms to 60 s.
    const buckets = m.find('apiserver_request_duration_seconds_bucket', { ...base, verb: 'POST', scope: 'resource' }).map((s) => s.labels.get('le'));
    assert.deepEqual(buckets.slice(0, 3), ['0.005', '0.025', '0.05']);
    assert.equal(buckets[buckets.length - 1], '+Inf');
    assert.ok(m.value('apiserver_request_duration_seconds_count', { ...base, verb: 'POST', scope: 'resource' }) >= 1);
    // The scrape itself: a non-resource path, labelled by its path, in flight while it is served.
    assert.ok(m.value('apiserver_current_inflight_requests', { request_kind: 'readOnly' }) >= 1);
    assert.equal(m.value('apiserver_current_inflight_requests', { request_kind: 'mutating' }), 0);
    const again = await scrape();
    assert.ok(again.value('apiserver_request_total', { verb: 'GET', subresource: '/metrics', code: '200', resource: '' }) >= 1);
  });

  it('counts stored objects and times etcd by operation and resource', async () => {
    await c.kubectl(['-n', 'm1', 'create', 'configmap', 'two', '--from-literal=a=b']);
    await c.kubectl(['-n', 'm1', 'label', 'configmap', 'two', 'x=y']);
    await c.kubectl(['-n', 'm1', 'delete', 'configmap', 'two']);
    const m = await scrape();
    // kube-root-ca.crt is not made without the controller-manager: one, the first test's.
    assert.equal(m.value('apiserver_storage_objects', { resource: 'configmaps' }), 1);
    assert.ok(m.value('apiserver_storage_objects', { resource: 'clusterroles.rbac.authorization.k8s.io' }) > 10);
    // Resources answered without storage have no series.
    assert.equal(m.find('apiserver_storage_objects', { resource: 'pods.metrics.k8s.io' }).length, 0);
    assert.equal(m.find('apiserver_storage_objects', { resource: 'componentstatuses' }).length, 0);
    for (const operation of ['create', 'update', 'delete']) {
      assert.ok(m.value('etcd_request_duration_seconds_count', { operation, type: 'configmaps' }) >= 1, operation);
    }
    assert.equal(m.types.get('etcd_request_duration_seconds'), 'histogram');
  });

  it('times admission by phase and by built-in plugin, refusals apart', async () => {
    await c.kubectl(['create', 'namespace', 'm2']);
    await c.kubectl(['label', 'namespace', 'm2', 'pod-security.kubernetes.io/enforce=restricted']);
    const pod = (name: string, securityContext: Record<string, unknown>) =>
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name, namespace: 'm2' },
        spec: { containers: [{ name: 'c', image: 'busybox', securityContext }] },
      });
    const restricted = {
      allowPrivilegeEscalation: false,
      runAsNonRoot: true,
      seccompProfile: { type: 'RuntimeDefault' },
      capabilities: { drop: ['ALL'] },
    };
    await c.kubectl(['create', '-f', '-'], { input: pod('ok', restricted) });
    const refused = await c.kubectl(['create', '-f', '-'], { input: pod('privileged', { privileged: true }), allowFail: true });
    assert.match(refused.stderr, /violates PodSecurity/);
    await c.kubectl(['-n', 'm2', 'delete', 'pod', 'ok', '--wait=false']);
    const m = await scrape();
    const step = 'apiserver_admission_step_admission_duration_seconds';
    const controller = 'apiserver_admission_controller_admission_duration_seconds';
    assert.equal(m.types.get(step), 'histogram');
    assert.equal(m.types.get(controller), 'histogram');
    // Both pods passed the mutating phase; only one the validating phase.
    assert.ok(m.value(`${step}_count`, { type: 'admit', operation: 'CREATE', rejected: 'false' }) >= 2);
    assert.ok(m.value(`${step}_count`, { type: 'validate', operation: 'CREATE', rejected: 'false' }) >= 1);
    assert.equal(m.value(`${step}_count`, { type: 'validate', operation: 'CREATE', rejected: 'true' }), 1);
    assert.ok(m.value(`${step}_count`, { type: 'validate', operation: 'DELETE', rejected: 'false' }) >= 1);
    // The plugins by their upstream names: LimitRanger mutates and validates pods, PodSecurity only validates.
    assert.ok(m.value(`${controller}_count`, { name: 'LimitRanger', type: 'admit', operation: 'CREATE', rejected: 'false' }) >= 2);
    assert.ok(m.value(`${controller}_count`, { name: 'PodSecurity', type: 'validate', operation: 'CREATE', rejected: 'false' }) >= 1);
    assert.equal(m.value(`${controller}_count`, { name: 'PodSecurity', type: 'validate', operation: 'CREATE', rejected: 'true' }), 1);
    assert.equal(m.find(`${controller}_count`, { name: 'PodSecurity', type: 'admit' }).length, 0);
    // The refusal is PodSecurity's alone: no plugin before it refused, none after it ran.
    const refusals = m.find(`${controller}_count`, { rejected: 'true' }).filter((s) => s.value > 0);
    assert.deepEqual(
      refusals.map((s) => s.labels.get('name')),
      ['PodSecurity'],
    );
    // Upstream's buckets, 5 ms to 2.5 s, for both.
    for (const name of [step, controller]) {
      const le = m.find(`${name}_bucket`, { type: 'admit', operation: 'CREATE', rejected: 'false' }).map((s) => s.labels.get('le'));
      assert.deepEqual([...new Set(le)], ['0.005', '0.025', '0.1', '0.5', '1', '2.5', '+Inf'], name);
    }
  });

  it('counts watch events by kind and open watches as long-running', async () => {
    // A watch held open by kubectl while a configmap is made.
    const env = { ...process.env, HOME: c.dir, KUBECONFIG: c.kubeconfig };
    const watcher = execFile('kubectl', ['-n', 'm1', 'get', 'configmaps', '-w', '--request-timeout=30s'], { env });
    try {
      let m: Exposition;
      const deadline = Date.now() + 20_000;
      do {
        await new Promise((r) => setTimeout(r, 200));
        m = await scrape();
      } while (
        m.find('apiserver_longrunning_requests', { verb: 'WATCH', resource: 'configmaps', scope: 'namespace' }).every((s) => s.value < 1) &&
        Date.now() < deadline
      );
      assert.equal(m.value('apiserver_longrunning_requests', { verb: 'WATCH', resource: 'configmaps', scope: 'namespace', component: 'apiserver' }), 1);
      await c.kubectl(['-n', 'm1', 'create', 'configmap', 'three']);
      const before = m.find('apiserver_watch_events_total', { kind: 'ConfigMap', version: 'v1', group: '' })[0]?.value ?? 0;
      let after = before;
      while (after <= before && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 200));
        after = (await scrape()).value('apiserver_watch_events_total', { kind: 'ConfigMap', version: 'v1', group: '' });
      }
      assert.ok(after > before, `watch events ${before} -> ${after}`);
    } finally {
      watcher.kill();
    }
    // Watches take no latency observation (upstream leaves them out).
    const m = await scrape();
    assert.equal(m.find('apiserver_request_duration_seconds_count', { verb: 'WATCH' }).length, 0);
  });

  it('is refused to a user without a role and served to system:monitoring', async () => {
    const nobody = c.kubeconfigFor('nobody');
    const env = { ...process.env, HOME: c.dir, KUBECONFIG: nobody, KUBECACHEDIR: `${c.dir}/nobody-cache` };
    const refused = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      execFile('kubectl', ['get', '--raw', '/metrics'], { env }, (err, _stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stderr }),
      );
    });
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /forbidden/i);
    const monitor = c.clientCert('prometheus', ['system:monitoring']);
    const res = await request({ ...c, adminCert: monitor }, 'GET', '/metrics');
    assert.equal(res.status, 200);
    assert.match(String(res.headers['content-type']), /^text\/plain; version=0\.0\.4/);
    assert.ok(parseExposition(res.body).find('apiserver_request_total').length > 0);
    // The refusal is counted too.
    const m = await scrape();
    assert.ok(m.value('apiserver_request_total', { verb: 'GET', subresource: '/metrics', code: '403' }) >= 1);
  });
});
