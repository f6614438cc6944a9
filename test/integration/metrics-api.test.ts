// metrics.k8s.io/v1beta1 served by the apiserver from a kubelet's /metrics/resource:
// a kubelet server in this process (its real TLS, client-certificate check and
// routes) reads a fixture cgroup tree whose CPU counters a timer advances, for pods
// the test makes in the apiserver. The real kubectl discovers the group, and `kubectl
// top nodes` and `kubectl top pods --containers` show the usage; the Summary API and
// the kubelet's metrics come through the apiserver's nodes/proxy; the HPA controller,
// with its REST metrics client, scales a Deployment on the CPU it reads there.
import { afterAll, beforeAll, describe, it, jest } from '@jest/globals';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject } from '../../api/meta/v1/types.js';
import type { KubeletServer } from '../../pkg/kubelet/server/server.js';
import { startTestKubeletServer } from '../support/kubeletserver.js';
import { KubeletMetrics } from '../../pkg/kubelet/metrics/metrics.js';
import { CgroupReader } from '../../pkg/kubelet/stats/cgroup.js';
import { StatsProvider } from '../../pkg/kubelet/stats/provider.js';
import type { ContainerInfo, RuntimeContainerStats, RuntimeSource, SandboxInfo } from '../../pkg/kubelet/stats/runtime.js';
import { HorizontalController } from '../../pkg/controller/podautoscaler/horizontal.js';
import { logger } from '../../pkg/util/log.js';
import { request, startCluster, type TestCluster } from '../support/cluster.js';
import { setPodStatus, startControllers, until, type RunningControllers } from '../support/controllers.js';
import { parseExposition } from '../support/promtext.js';

const NODE = 'node-m';
const JSON_HDR = { 'content-type': 'application/json' };

jest.setTimeout(120_000);

/** A node's cgroup v1 tree and /proc in a directory, with running containers whose CPU time a timer advances. */
class FixtureNode implements RuntimeSource {
  readonly cg: string;
  readonly proc: string;
  private readonly sandboxList: SandboxInfo[] = [];
  private readonly containerList: ContainerInfo[] = [];
  /** Cores each container burns, by container id. */
  private readonly burn = new Map<string, { cores: number; path: string }>();
  private nodeCPU = 100;
  private readonly timer: NodeJS.Timeout;

  constructor(dir: string) {
    this.cg = join(dir, 'cgroup');
    this.proc = join(dir, 'proc');
    this.file(join(this.proc, 'meminfo'), 'MemTotal: 8000000 kB\nMemFree: 2000000 kB\nMemAvailable: 4000000 kB\nInactive(file): 500000 kB\n');
    this.file(join(this.proc, 'uptime'), '5000.0 9000.0\n');
    this.memory('/', 3 * 1024 ** 3, 1024 ** 3);
    this.cpu('/', this.nodeCPU);
    this.timer = setInterval(() => this.tick(0.1), 100);
  }

  private file(path: string, text: string): void {
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, text);
  }
  private cpu(path: string, seconds: number): void {
    this.file(join(this.cg, 'cpuacct', path, 'cpuacct.usage'), `${Math.round(seconds * 1e9)}\n`);
  }
  private memory(path: string, usage: number, inactive: number): void {
    this.file(join(this.cg, 'memory', path, 'memory.usage_in_bytes'), `${usage}\n`);
    this.file(join(this.cg, 'memory', path, 'memory.stat'), `total_inactive_file ${inactive}\ntotal_rss ${usage / 2}\n`);
  }
  private readCPU(path: string): number {
    return Number(readFileSync(join(this.cg, 'cpuacct', path, 'cpuacct.usage'), 'utf8')) / 1e9;
  }

  private tick(seconds: number): void {
    let total = 0;
    for (const [, b] of this.burn) {
      this.cpu(b.path, this.readCPU(b.path) + b.cores * seconds);
      total += b.cores * seconds;
    }
    this.nodeCPU += total + 0.05 * seconds;
    this.cpu('/', this.nodeCPU);
  }

  /** A running pod of containers, each burning `cores` and using `memoryMiB`. */
  addPod(pod: KubeObject, containers: Array<{ name: string; cores: number; memoryMiB: number }>): void {
    const uid = pod.metadata.uid ?? '';
    const podCg = `/kubepods/besteffort/pod${uid}`;
    const sandboxId = `sb-${uid}`;
    this.sandboxList.push({ id: sandboxId, podUID: uid, name: pod.metadata.name ?? '', namespace: pod.metadata.namespace ?? '', createdAt: Date.now() * 1e6 });
    let podMem = 0;
    for (const c of containers) {
      const id = `${c.name}-${uid}`;
      const path = `${podCg}/${id}`;
      this.cpu(path, 1);
      this.memory(path, c.memoryMiB * 1024 * 1024, 0);
      podMem += c.memoryMiB * 1024 * 1024;
      this.burn.set(id, { cores: c.cores, path });
      this.containerList.push({ id, sandboxId, podUID: uid, name: c.name, image: 'nginx:1.14.2', createdAt: Date.now() * 1e6 });
    }
    this.cpu(podCg, 1);
    this.memory(podCg, podMem, 0);
  }

  setCores(pod: string, container: string, cores: number): void {
    const uid = this.sandboxList.find((s) => s.name === pod)?.podUID;
    const b = this.burn.get(`${container}-${uid}`);
    if (b) b.cores = cores;
  }

  async sandboxes(): Promise<SandboxInfo[]> {
    return [...this.sandboxList];
  }
  async containers(): Promise<ContainerInfo[]> {
    return [...this.containerList];
  }
  async containerStats(): Promise<Map<string, RuntimeContainerStats>> {
    return new Map();
  }
  stop(): void {
    clearInterval(this.timer);
  }
}

describe('metrics.k8s.io from the kubelets', () => {
  let c: TestCluster;
  let dir: string;
  let node: FixtureNode;
  let kubelet: KubeletServer;
  let ctl: RunningControllers | undefined;

  beforeAll(async () => {
    c = await startCluster();
    dir = mkdtempSync(join(tmpdir(), 'timonel-metrics-api-'));
    node = new FixtureNode(dir);
    kubelet = await startTestKubeletServer(c, NODE, {
      metrics: new KubeletMetrics(NODE),
      stats: new StatsProvider({ nodeName: NODE, runtime: node, cgroups: new CgroupReader({ root: node.cg, procRoot: node.proc }), rootDir: dir }),
    });
    await c.kubectl(['create', '-f', '-'], {
      input: JSON.stringify({ apiVersion: 'v1', kind: 'Node', metadata: { name: NODE, labels: { 'kubernetes.io/hostname': NODE, tier: 'metrics' } } }),
    });
    const status = {
      status: {
        addresses: [{ type: 'InternalIP', address: '127.0.0.1' }],
        daemonEndpoints: { kubeletEndpoint: { Port: kubelet.port } },
        capacity: { cpu: '4', memory: '8000000Ki', pods: '110' },
        allocatable: { cpu: '4', memory: '8000000Ki', pods: '110' },
        conditions: [
          { type: 'Ready', status: 'True', reason: 'KubeletReady', lastHeartbeatTime: new Date().toISOString(), lastTransitionTime: new Date().toISOString() },
        ],
      },
    };
    await c.kubectl(['patch', 'node', NODE, '--subresource=status', '--type=merge', '-p', JSON.stringify(status)]);
  });
  afterAll(async () => {
    await ctl?.stop();
    node?.stop();
    await kubelet?.close();
    await c?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A pod on the node, Running, with its containers burning CPU in the fixture. */
  async function runningPod(
    name: string,
    labels: Record<string, string>,
    containers: Array<{ name: string; cores: number; memoryMiB: number; request?: string }>,
  ): Promise<void> {
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: 'default', labels },
      spec: {
        nodeName: NODE,
        containers: containers.map((x) => ({ name: x.name, image: 'nginx:1.14.2', ...(x.request ? { resources: { requests: { cpu: x.request } } } : {}) })),
      },
    };
    const created = await request(c, 'POST', '/api/v1/namespaces/default/pods', { body: JSON.stringify(pod), headers: JSON_HDR });
    assert.equal(created.status, 201, created.body);
    const since = new Date(Date.now() - 10 * 60_000).toISOString().replace(/\.\d+Z$/, 'Z');
    await setPodStatus(c, 'default', name, { since, status: { startTime: since } });
    node.addPod(created.json() as KubeObject, containers);
  }

  it('is discovered, and kubectl top nodes shows the node', async () => {
    const versions = (await c.kubectl(['api-versions'])).stdout.split('\n');
    assert.ok(versions.includes('metrics.k8s.io/v1beta1'));
    const resources = (await c.kubectl(['api-resources', '--api-group=metrics.k8s.io', '-o', 'wide'])).stdout;
    assert.match(resources, /^nodes\s+metrics\.k8s\.io\/v1beta1\s+false\s+NodeMetrics\s+get,list/m);
    assert.match(resources, /^pods\s+metrics\.k8s\.io\/v1beta1\s+true\s+PodMetrics\s+get,list/m);
    const top = (await c.kubectl(['top', 'nodes'])).stdout;
    assert.match(top, /^NAME\s+CPU\(cores\)\s+CPU(\(%\)|%)\s+MEMORY\(bytes\)\s+MEMORY(\(%\)|%)/);
    // The node's working set: 3 GiB less 1 GiB of inactive file pages.
    assert.match(top, new RegExp(`^${NODE}\\s+\\d+m\\s+\\d+%\\s+2048Mi\\s+\\d+%`, 'm'));
    const nm = JSON.parse((await c.kubectl(['get', '--raw', `/apis/metrics.k8s.io/v1beta1/nodes/${NODE}`])).stdout) as {
      kind: string;
      metadata: { labels: Record<string, string> };
      window: string;
      usage: { cpu: string; memory: string };
    };
    assert.equal(nm.kind, 'NodeMetrics');
    assert.equal(nm.metadata.labels.tier, 'metrics');
    assert.match(nm.window, /^\d+(\.\d+)?s$/);
    assert.match(nm.usage.cpu, /^\d+n$/);
    assert.equal(nm.usage.memory, `${2 * 1024 * 1024}Ki`);
  });

  it('kubectl top pods --containers shows each container; selectors and NotFound as metrics-server', async () => {
    await runningPod('web-0', { app: 'web' }, [
      { name: 'app', cores: 0.5, memoryMiB: 64 },
      { name: 'side', cores: 0.1, memoryMiB: 16 },
    ]);
    await runningPod('other-0', { app: 'other' }, [{ name: 'app', cores: 0.2, memoryMiB: 8 }]);
    // The next scrape comes after the resolution: wait until the new pods show.
    const top = await until(
      'web-0 in kubectl top',
      async () => {
        const out = (await c.kubectl(['top', 'pods', '--containers'], { allowFail: true })).stdout;
        return /web-0\s+side/.test(out) && /other-0\s+app/.test(out) ? out : undefined;
      },
      40_000,
      1000,
    );
    const row = (pod: string, container: string) => new RegExp(`^${pod}\\s+${container}\\s+(\\d+)m\\s+(\\d+)Mi`, 'm').exec(top);
    const app = row('web-0', 'app');
    assert.ok(app, top);
    // 0.5 cores, give or take the timer's jitter on a busy machine.
    assert.ok(Number(app[1]) >= 250 && Number(app[1]) <= 750, top);
    assert.equal(app[2], '64');
    assert.equal(row('web-0', 'side')?.[2], '16');
    const selected = (await c.kubectl(['top', 'pods', '-l', 'app=web'])).stdout;
    assert.match(selected, /^web-0\s+\d+m\s+80Mi/m);
    assert.doesNotMatch(selected, /other-0/);
    const missing = await c.kubectl(['get', '--raw', '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/nope'], { allowFail: true });
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /podmetrics\.metrics\.k8s\.io "default\/nope" not found/);
    // Read-only: a create is refused.
    const refused = await request(c, 'POST', '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods', {
      body: JSON.stringify({ apiVersion: 'metrics.k8s.io/v1beta1', kind: 'PodMetrics', metadata: { name: 'x' } }),
      headers: JSON_HDR,
    });
    assert.equal(refused.status, 405);
  });

  it('serves the Summary API and the kubelet metrics through nodes/proxy', async () => {
    const summary = JSON.parse((await c.kubectl(['get', '--raw', `/api/v1/nodes/${NODE}/proxy/stats/summary`])).stdout) as {
      node: { nodeName: string; memory: { workingSetBytes: number } };
      pods: Array<{ podRef: { name: string }; containers: Array<{ name: string; cpu: { usageCoreNanoSeconds: number } }> }>;
    };
    assert.equal(summary.node.nodeName, NODE);
    assert.equal(summary.node.memory.workingSetBytes, 2 * 1024 ** 3);
    const web = summary.pods.find((p) => p.podRef.name === 'web-0');
    assert.deepEqual(web?.containers.map((x) => x.name).sort(), ['app', 'side']);
    const resource = parseExposition((await c.kubectl(['get', '--raw', `/api/v1/nodes/${NODE}/proxy/metrics/resource`])).stdout);
    assert.ok(resource.value('container_cpu_usage_seconds_total', { pod: 'web-0', container: 'app', namespace: 'default' }) > 1);
    const cadvisor = parseExposition((await c.kubectl(['get', '--raw', `/api/v1/nodes/${NODE}/proxy/metrics/cadvisor`])).stdout);
    assert.equal(cadvisor.value('container_memory_working_set_bytes', { id: '/' }), 2 * 1024 ** 3);
    const own = parseExposition((await c.kubectl(['get', '--raw', `/api/v1/nodes/${NODE}/proxy/metrics`])).stdout);
    assert.equal(own.value('kubelet_node_name', { node: NODE }), 1);
  });

  it('drives the HPA controller through its REST metrics client', async () => {
    ctl = startControllers(c, (h) => [[new HorizontalController(h.context('horizontal-pod-autoscaler', logger('hpa', -1)), { syncPeriodMs: 500 }), 1]]);
    const labels = { app: 'burn' };
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'burn', namespace: 'default' },
      spec: {
        replicas: 1,
        selector: { matchLabels: labels },
        template: { metadata: { labels }, spec: { containers: [{ name: 'app', image: 'nginx:1.14.2' }] } },
      },
    };
    assert.equal(
      (await request(c, 'POST', '/apis/apps/v1/namespaces/default/deployments', { body: JSON.stringify(deployment), headers: JSON_HDR })).status,
      201,
    );
    // One pod at 0.3 cores of a 100m request: 300% against a 50% target.
    await runningPod('burn-0', labels, [{ name: 'app', cores: 0.3, memoryMiB: 8, request: '100m' }]);
    const hpa = {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'burn', namespace: 'default' },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'burn' },
        minReplicas: 1,
        maxReplicas: 4,
        metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }],
      },
    };
    assert.equal(
      (await request(c, 'POST', '/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers', { body: JSON.stringify(hpa), headers: JSON_HDR })).status,
      201,
    );
    const replicas = await until(
      'burn scaled up',
      async () => {
        const d = (await request(c, 'GET', '/apis/apps/v1/namespaces/default/deployments/burn')).json() as { spec: { replicas: number } };
        return d.spec.replicas > 1 ? d.spec.replicas : undefined;
      },
      40_000,
      250,
    );
    assert.equal(replicas, 4);
    const status = (await request(c, 'GET', '/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers/burn')).json() as {
      status: { currentMetrics?: Array<{ resource?: { current?: { averageUtilization?: number } } }> };
    };
    assert.ok((status.status.currentMetrics?.[0]?.resource?.current?.averageUtilization ?? 0) > 100);
  });
});
