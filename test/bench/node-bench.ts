// The kubelet issue's benchmark, all in one run with the images already in the
// local registry: the raw CRI ceiling (100 busybox pods by direct CRI calls on
// a containerd of its own), Docker Swarm's `docker service create --replicas
// 100` of the same image (swarm-bench.ts: a fenced-in dockerd of its own; tasks
// on a bridge of its own), a 100-replica Deployment on a `timonel up` node
// until all pods are Ready, pod startup latency at a steady 5 pods/s, and the
// kubelet's RSS and CPU with 100 idle pods.
//
//   node dist/test/bench/node-bench.js [--quick]
//
// One JSON line per figure on stdout, progress on stderr. Figures only: nothing
// here passes or fails on time.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Client } from '../../pkg/client/index.js';
import type { Deployment } from '../../api/apps/v1/types.js';
import type { Pod } from '../../api/core/v1/types.js';
import { CRIClient } from '../../pkg/cri/client.js';
import { containerdPaths } from '../../pkg/cluster/containerd.js';
import { DEFAULT_IMAGE_CACHE_DIR, ensureImages } from '../../pkg/cluster/images.js';
import { startRegistry } from '../../pkg/cluster/registry.js';
import { startTestContainerd } from '../support/containerd.js';
import { timonelUp } from '../support/upcluster.js';
import { criBurst } from './cri-bench.js';
import { swarmBurst } from './swarm-bench.js';
import { CPUMeter, rssBytes } from './procstat.js';
import { percentile, round } from './stats.js';

const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false } }, strict: true });
const N = values.quick ? 20 : 100;
const RATE = 5;
const RATE_SECONDS = values.quick ? 4 : 20;

const emit = (fig: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(fig)}\n`);
const log = (m: string) => process.stderr.write(`node-bench: ${m}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The ceiling: raw CRI on a containerd of the bench's own, with its own bridge. */
async function rawCRI(registryURL: string): Promise<void> {
  const containerd = await startTestContainerd({
    tmpPrefix: join(tmpdir(), 'timonel-bench-cri-'),
    registryMirror: registryURL,
    network: { bridge: 'tmnl-bcri0', subnet: '10.244.111.0/24' },
  });
  try {
    const r = await criBurst(containerd.cri, N, 'docker.io/library/busybox:latest', { logRoot: join(containerd.stateDir, 'logs') });
    emit({ bench: 'node.raw-cri-burst', pods: N, up_s: round(r.upSeconds), down_s: round(r.downSeconds) });
  } finally {
    await containerd.stop();
  }
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await sleep(100);
  }
}

const running = (p: Pod) => (p.status?.containerStatuses?.length ?? 0) > 0 && (p.status?.containerStatuses ?? []).every((s) => s.state?.running);

async function main(): Promise<void> {
  const registry = await startRegistry(DEFAULT_IMAGE_CACHE_DIR);
  await ensureImages({ registry: registry.addr, credentials: registry.credentials.catalogue, progress: log });
  try {
    log(`raw CRI: ${N} pods`);
    await rawCRI(registry.url);

    log(`Docker Swarm: ${N} replicas`);
    emit({ bench: 'node.swarm-burst', replicas: N, ...(await swarmBurst(N, { registry: registry.addr, log })) });

    log('timonel up');
    const t0 = Date.now();
    const c = await timonelUp({ podCIDR: '10.244.110.0/24', bridge: 'tmnl-bench0' });
    emit({ bench: 'node.up-to-ready', seconds: round((Date.now() - t0) / 1000) });
    const client = Client.fromFile(c.kubeconfig);
    try {
      const deployments = client.resource<Deployment>('apps/v1', 'deployments').namespace('default');
      const pods = client.resource<Pod>('v1', 'pods').namespace('default');
      const labels = { app: 'burst' };
      // Pull once outside the timing, as "images already present" asks.
      await c.kubectl(['run', 'warm', '--image=busybox', '--', 'sleep', '3600']);
      await c.kubectl(['wait', '--for=condition=Ready', 'pod/warm', '--timeout=120s']);
      await c.kubectl(['delete', 'pod', 'warm', '--grace-period=0', '--force']);

      log(`burst: Deployment of ${N}`);
      const burstStart = Date.now();
      await deployments.create({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'burst' },
        spec: {
          replicas: N,
          selector: { matchLabels: labels },
          template: {
            metadata: { labels },
            spec: { terminationGracePeriodSeconds: 0, containers: [{ name: 'sleep', image: 'busybox', command: ['sleep', '36000'] }] },
          },
        },
      });
      await waitFor('burst ready', async () => (await deployments.get('burst')).status?.readyReplicas === N, 600_000);
      const burstSeconds = (Date.now() - burstStart) / 1000;
      emit({ bench: 'node.deployment-burst', pods: N, ready_s: round(burstSeconds) });

      const kubelet = c.pid('kubelet');
      await sleep(5000);
      const meter = new CPUMeter({ kubelet });
      await sleep(10_000);
      emit({ bench: 'node.kubelet-idle', pods: N, rss_mb: round(rssBytes(kubelet) / 2 ** 20, 1), ...meter.read() });

      const delStart = Date.now();
      await deployments.delete('burst');
      await waitFor('burst pods gone', async () => (await pods.list({ labelSelector: 'app=burst' })).items.length === 0, 600_000);
      const apiGone = (Date.now() - delStart) / 1000;
      // The kubelet tears the sandboxes down after the API objects go; the next phase must not compete with that.
      const cri = new CRIClient(containerdPaths(c.dataDir).socket);
      await waitFor('burst sandboxes gone', async () => (await cri.runtime.listPodSandbox({})).items.length === 0, 600_000).finally(() => cri.close());
      emit({ bench: 'node.deployment-teardown', pods: N, api_s: round(apiGone), runtime_s: round((Date.now() - delStart) / 1000) });

      log(`startup latency: ${RATE} pods/s for ${RATE_SECONDS}s`);
      const created = new Map<string, number>();
      const latencies: number[] = [];
      const watch = await pods.watch({ labelSelector: 'app=latency' }, (type, p) => {
        const t = created.get(p.metadata?.name ?? '');
        if (t !== undefined && type !== 'DELETED' && running(p)) {
          latencies.push(Date.now() - t);
          created.delete(p.metadata?.name ?? '');
        }
      });
      const total = RATE * RATE_SECONDS;
      const start = Date.now();
      for (let i = 0; i < total; i++) {
        await sleep(Math.max(0, start + (i * 1000) / RATE - Date.now()));
        const name = `latency-${i}`;
        created.set(name, Date.now());
        void pods.create({
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name, labels: { app: 'latency' } },
          spec: { terminationGracePeriodSeconds: 0, containers: [{ name: 'sleep', image: 'busybox', command: ['sleep', '36000'] }] },
        });
      }
      await waitFor('latency pods running', async () => latencies.length === total, 300_000);
      watch.stop();
      const sorted = Float64Array.from(latencies).sort();
      emit({
        bench: 'node.pod-startup-latency',
        pods: total,
        rate_per_s: RATE,
        p50_ms: round(percentile(sorted, 50)),
        p99_ms: round(percentile(sorted, 99)),
        max_ms: round(sorted[sorted.length - 1]),
      });
      await c.kubectl(['delete', 'pods', '-l', 'app=latency', '--grace-period=0', '--force']);
    } finally {
      client.close();
      await c.down();
    }
  } finally {
    await registry.stop();
  }
}

main().catch((e: Error) => {
  process.stderr.write(`node-bench: ${e.stack ?? e.message}\n`);
  process.exit(1);
});
