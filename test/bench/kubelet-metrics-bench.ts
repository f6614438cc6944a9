// Kubelet metrics benchmark: a kubelet server in this process (plain HTTP, no auth: the
// cost measured is the collection and the writing) serving /metrics/cadvisor and
// /metrics/resource for `pods` pods of two containers each, read from a cgroup v1
// fixture tree of the same shape as the node's (files on the temp filesystem, not
// cgroupfs). Figures: one scrape's time and size, and the kubelet CPU that scraping
// both endpoints every 15 s (Prometheus' default) costs per minute.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { CRIClient } from '../../pkg/cri/client.js';
import { startKubeletServer } from '../../pkg/kubelet/server/server.js';
import { CgroupReader } from '../../pkg/kubelet/stats/cgroup.js';
import { StatsProvider } from '../../pkg/kubelet/stats/provider.js';
import type { ContainerInfo, RuntimeSource, SandboxInfo } from '../../pkg/kubelet/stats/runtime.js';
import type { BenchContext } from './context.js';
import { round } from './stats.js';

export interface KubeletMetricsBenchOptions {
  pods: number;
  scrapes: number;
}

function file(path: string, text: string): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
}

/** The fixture node: cgroups and /proc for n pods, and the runtime's view of them. */
function fixtureNode(dir: string, pods: number): RuntimeSource {
  const cg = (p: string, cpuNs: number, mem: number) => {
    file(join(dir, 'cgroup', 'cpuacct', p, 'cpuacct.usage'), `${cpuNs}\n`);
    file(join(dir, 'cgroup', 'memory', p, 'memory.usage_in_bytes'), `${mem}\n`);
    file(join(dir, 'cgroup', 'memory', p, 'memory.stat'), `total_inactive_file ${mem / 4}\ntotal_rss ${mem / 2}\ntotal_pgfault 10\ntotal_pgmajfault 1\n`);
  };
  file(join(dir, 'proc', 'meminfo'), 'MemTotal: 16000000 kB\nMemFree: 4000000 kB\nMemAvailable: 8000000 kB\nInactive(file): 1000000 kB\n');
  file(join(dir, 'proc', 'uptime'), '1000.0 2000.0\n');
  const netdev = (rx: number) =>
    `Inter-| Receive | Transmit\n face |bytes packets errs drop fifo frame compressed multicast|bytes packets errs drop fifo colls carrier compressed\n  eth0: ${rx} 10 0 0 0 0 0 0 ${rx * 2} 12 0 0 0 0 0 0\n`;
  file(join(dir, 'proc', 'net', 'dev'), netdev(1e9));
  cg('/', 1e12, 8e9);
  const sandboxes: SandboxInfo[] = [];
  const containers: ContainerInfo[] = [];
  const now = Date.now() * 1e6;
  for (let i = 0; i < pods; i++) {
    const uid = `00000000-0000-0000-0000-${String(i).padStart(12, '0')}`;
    const podCg = `/kubepods/burstable/pod${uid}`;
    cg(podCg, 1e10 + i, 2e8);
    file(join(dir, 'cgroup', 'memory', podCg, 'cgroup.procs'), `${10000 + i}\n`);
    file(join(dir, 'proc', String(10000 + i), 'net', 'dev'), netdev(1e6 + i));
    sandboxes.push({ id: `sb-${i}`, podUID: uid, name: `pod-${i}`, namespace: `ns-${i % 10}`, createdAt: now });
    for (const name of ['app', 'sidecar']) {
      const id = `${name}-${i}`;
      cg(`${podCg}/${id}`, 5e9 + i, 1e8);
      containers.push({ id, sandboxId: `sb-${i}`, podUID: uid, name, image: 'registry.k8s.io/nginx:1.14.2', createdAt: now });
    }
  }
  return { sandboxes: async () => sandboxes, containers: async () => containers, containerStats: async () => new Map() };
}

function get(port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let bytes = 0;
      res.on('data', (d: Buffer) => (bytes += d.length));
      res.on('end', () => (res.statusCode === 200 ? resolve(bytes) : reject(new Error(`${path}: ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end();
  });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

export async function benchKubeletMetrics(ctx: BenchContext, opts: KubeletMetricsBenchOptions): Promise<void> {
  ctx.progress(`kubelet metrics: ${opts.pods} pods of 2 containers, ${opts.scrapes} scrapes of each endpoint`);
  const dir = mkdtempSync(join(tmpdir(), 'timonel-kubelet-metrics-'));
  const runtime = fixtureNode(dir, opts.pods);
  const server = await startKubeletServer({
    address: '127.0.0.1',
    port: 0,
    insecure: true,
    cri: {} as CRIClient,
    locator: { find: async () => ({ code: 404, error: 'none' }), findSandbox: async () => ({ code: 404, error: 'none' }) },
    stats: new StatsProvider({
      nodeName: 'bench',
      runtime,
      cgroups: new CgroupReader({ root: join(dir, 'cgroup'), procRoot: join(dir, 'proc') }),
      rootDir: dir,
    }),
  });
  try {
    const figures: Record<string, number> = {};
    let cpuPerRound = 0;
    for (const path of ['/metrics/cadvisor', '/metrics/resource']) {
      await get(server.port, path); // warm
      const times: number[] = [];
      let bytes = 0;
      const cpu0 = process.cpuUsage();
      for (let i = 0; i < opts.scrapes; i++) {
        const t = performance.now();
        bytes = await get(server.port, path);
        times.push(performance.now() - t);
      }
      const cpu = process.cpuUsage(cpu0);
      const cpuMsPerScrape = (cpu.user + cpu.system) / 1000 / opts.scrapes;
      cpuPerRound += cpuMsPerScrape;
      const name = path.slice('/metrics/'.length);
      figures[`${name}_bytes`] = bytes;
      figures[`${name}_p50_ms`] = round(median(times));
      figures[`${name}_cpu_ms`] = round(cpuMsPerScrape);
    }
    ctx.emit({
      bench: 'kubelet_metrics',
      pods: opts.pods,
      containers: opts.pods * 2,
      scrapes: opts.scrapes,
      ...figures,
      // Both endpoints every 15 s: four rounds a minute. Includes this process's HTTP client.
      cpu_ms_per_minute_at_15s: round(cpuPerRound * 4),
    });
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
