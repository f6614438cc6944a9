// Metrics on a `timonel up` node, from real containers: the kubelet's cAdvisor,
// resource and Summary endpoints through the apiserver's node proxy, kubectl top
// from metrics.k8s.io, the controller-manager's and scheduler's secure ports, and
// an HPA on real CPU load.
import { afterAll, beforeAll, describe, it, jest } from '@jest/globals';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { until } from '../support/controllers.js';
import { timonelUp, type UpCluster } from '../support/upcluster.js';

jest.setTimeout(600_000);
describe('metrics from a real node', () => {
  let c: UpCluster;
  let node: string;

  beforeAll(async () => {
    c = await timonelUp({ podCIDR: '10.244.106.0/24', bridge: 'tmnl-e2e6' });
    node = (await c.kubectl(['get', 'nodes', '-o', 'jsonpath={.items[0].metadata.name}'])).stdout;
    await c.kubectl(['run', 'burner', '--image=busybox:1.36', '--', 'sh', '-c', 'while true; do :; done']);
    await c.kubectl(['wait', '--for=condition=Ready', 'pod/burner', '--timeout=120s']);
  });
  afterAll(async () => {
    await c?.down();
  });

  const raw = async (path: string) => (await c.kubectl(['get', '--raw', `/api/v1/nodes/${node}/proxy/${path}`])).stdout;

  it('the kubelet serves cAdvisor, resource, kubelet and Summary metrics for the running pod', async () => {
    const uid = (await c.kubectl(['get', 'pod', 'burner', '-o', 'jsonpath={.metadata.uid}'])).stdout;
    const cadvisor = await raw('metrics/cadvisor');
    const cpu = cadvisor
      .split('\n')
      .find((l) => l.startsWith('container_cpu_usage_seconds_total{') && l.includes('pod="burner"') && l.includes('container="burner"'));
    assert.ok(cpu, 'container_cpu_usage_seconds_total for the burner container');
    assert.match(cpu, new RegExp(`id="[^"]*pod${uid}[^"]*"`));
    assert.ok(Number(cpu.slice(cpu.indexOf('} ') + 2).split(' ')[0]) > 0, cpu);
    assert.match(cadvisor, /^container_memory_working_set_bytes\{.*pod="burner"/m);
    assert.match(cadvisor, /^machine_cpu_cores /m);
    assert.match(cadvisor, /^container_cpu_usage_seconds_total\{[^}]*id="\/"/m);
    assert.match(await raw('metrics/resource'), /^pod_cpu_usage_seconds_total\{namespace="default",pod="burner"\}/m);
    assert.match(await raw('metrics'), /^kubelet_running_pods [1-9]/m);
    const summary = JSON.parse(await raw('stats/summary')) as { node: { nodeName: string }; pods: { podRef: { name: string } }[] };
    assert.equal(summary.node.nodeName, node);
    assert.ok(summary.pods.some((p) => p.podRef.name === 'burner'));
  });

  it('kubectl top shows the node and the busy pod', async () => {
    const nodes = await until(
      'kubectl top nodes',
      async () => {
        const r = await c.kubectl(['top', 'nodes'], { allowFail: true });
        return r.code === 0 && r.stdout;
      },
      60_000,
      2000,
    );
    assert.match(nodes, new RegExp(`^${node}\\s+\\d+m\\s+\\d+%\\s+\\d+Mi\\s+\\d+%`, 'm'));
    const pods = await until(
      'kubectl top pods',
      async () => {
        const r = await c.kubectl(['top', 'pods', '--containers'], { allowFail: true });
        return r.code === 0 && /burner/.test(r.stdout) && r.stdout;
      },
      60_000,
      2000,
    );
    // A busy loop uses most of a core.
    const millicores = Number(/^burner\s+burner\s+(\d+)m/m.exec(pods)?.[1]);
    assert.ok(millicores > 100, pods);
  });

  it('the controller-manager and the scheduler serve /metrics over HTTPS to the admin, /healthz to anyone', async () => {
    const pki = join(c.dataDir, 'pki');
    const admin = readFileSync(c.kubeconfig, 'utf8');
    const cert = Buffer.from(/client-certificate-data: (\S+)/.exec(admin)?.[1] ?? '', 'base64');
    const key = Buffer.from(/client-key-data: (\S+)/.exec(admin)?.[1] ?? '', 'base64');
    const args = (name: string) =>
      readFileSync(`/proc/${c.pid(name)}/cmdline`, 'utf8')
        .split('\0')
        .join(' ');
    for (const [name, metric] of [
      ['controller-manager', /^workqueue_adds_total\{name="deployment"\}/m],
      ['scheduler', /^scheduler_/m],
    ] as const) {
      const port = Number(/--secure-port=(\d+)/.exec(args(name))?.[1]);
      const get = (path: string, withCert: boolean) =>
        new Promise<{ status?: number; body: string }>((resolve, reject) => {
          httpsRequest({ host: '127.0.0.1', port, path, ca: readFileSync(join(pki, `kube-${name}.crt`)), ...(withCert ? { cert, key } : {}) }, (r) => {
            let body = '';
            r.on('data', (d: Buffer) => (body += d.toString()));
            r.on('end', () => resolve({ status: r.statusCode, body }));
          })
            .on('error', reject)
            .end();
        });
      const metrics = await get('/metrics', true);
      assert.equal(metrics.status, 200, `${name}: ${metrics.body}`);
      assert.match(metrics.body, metric);
      assert.equal((await get('/healthz', false)).status, 200);
      assert.equal((await get('/metrics', false)).status, 403);
    }
  });

  it('an HPA scales a CPU-burning Deployment up from 1, and back to 1 once the load stops', async () => {
    await c.kubectl(['delete', 'pod', 'burner', '--wait=false']);
    const deployment = (command: string) => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'hog' },
      spec: {
        selector: { matchLabels: { app: 'hog' } },
        template: {
          metadata: { labels: { app: 'hog' } },
          spec: {
            terminationGracePeriodSeconds: 0,
            containers: [{ name: 'hog', image: 'busybox:1.36', command: ['sh', '-c', command], resources: { requests: { cpu: '100m' } } }],
          },
        },
      },
    });
    await c.kubectl(['apply', '-f', '-'], { input: JSON.stringify(deployment('while true; do :; done')) });
    // The windows shortened: no stabilisation either way, so the test sees each decision at the next sync.
    const hpa = {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'hog' },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'hog' },
        minReplicas: 1,
        maxReplicas: 3,
        metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }],
        behavior: { scaleUp: { stabilizationWindowSeconds: 0 }, scaleDown: { stabilizationWindowSeconds: 0 } },
      },
    };
    await c.kubectl(['apply', '-f', '-'], { input: JSON.stringify(hpa) });
    const replicas = async () => Number((await c.kubectl(['get', 'deploy', 'hog', '-o', 'jsonpath={.spec.replicas}'])).stdout);
    await until('the HPA to scale hog above 1', async () => (await replicas()) >= 2, 240_000, 3000);
    const status = JSON.parse((await c.kubectl(['get', 'hpa', 'hog', '-o', 'json'])).stdout) as {
      status: { currentMetrics?: { resource?: { current?: { averageUtilization?: number } } }[] };
    };
    assert.ok((status.status.currentMetrics?.[0]?.resource?.current?.averageUtilization ?? 0) > 50, JSON.stringify(status.status));
    // The load stops: the same Deployment, idle.
    await c.kubectl(['apply', '-f', '-'], { input: JSON.stringify(deployment('sleep 3600')) });
    await until('the HPA to scale hog back to 1', async () => (await replicas()) === 1, 300_000, 3000);
  });
});
