// The scheduler's throughput in the style of upstream scheduler_perf SchedulingBasic:
// a fresh etcd + apiserver child per size, N Node objects, then the scheduler as its
// own process (node dist/cmd/scheduler/main.js), then M small pods created as fast
// as 50 creators can; measured from the first pod created to the last binding seen
// on a pod watch. Figures: pods/s over that window, p50/p99 of the per-second
// binding rate, and the scheduler's RSS; also the drain rate once the last pod is
// created (the creators no longer compete for the apiserver, so it is the scheduler
// and binding pipeline's own rate) and CPU milliseconds per pod for the scheduler,
// apiserver and etcd, steadier than wall time on a shared machine. --cpu-prof
// profiles the scheduler and the apiserver children. scheduler-algorithm.ts times
// the filter/score hot path alone, in-process.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { request } from 'node:https';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stopChild, tailFile } from './child.js';
import { CONTROL_PLANE_NODE_FLAGS, freePort } from '../../pkg/cluster/process.js';
import { kubeconfigYAML } from '../../pkg/cluster/kubeconfig.js';
import { startEtcd, type TestEtcd } from '../support/etcd.js';
import { startAPIServerProcess, type APIServerProcess } from './apiserver-process.js';
import type { BenchContext } from './context.js';
import { hotSpots, readProfile } from './cpuprofile.js';
import { HTTPSClient } from './https-client.js';
import { ensureNamespace } from './pods.js';
import { CPUMeter, cpuSeconds, rssBytes } from './procstat.js';
import { percentile, round } from './stats.js';

export interface SchedulerBenchSize {
  label: string;
  nodes: number;
  pods: number;
  /** Preferred pod anti-affinity on hostname + ScheduleAnyway spread over 10 zones. */
  affinity?: boolean;
}

export interface SchedulerBenchOptions {
  sizes: SchedulerBenchSize[];
  creators?: number;
  /** Give up when no binding is seen for this long. */
  stallSeconds?: number;
  /** Profile the scheduler and apiserver children into this directory and print their hottest functions. */
  cpuProfDir?: string;
}

const MAIN = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../cmd/scheduler/main.js');
const NS = 'sched-bench';
const ZONES = 10;

interface SchedulerProcess {
  pid: number;
  logTail(lines?: number): string;
  stop(graceMs?: number): Promise<void>;
}

async function startSchedulerProcess(kubeconfig: string, logFile: string, cpuProfDir?: string): Promise<SchedulerProcess> {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} not found: build first (npx tsc -p tsconfig.json)`);
  const metricsPort = await freePort();
  const out = openSync(logFile, 'a');
  const nodeArgs = [...CONTROL_PLANE_NODE_FLAGS, ...(cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`] : [])];
  const child = spawn(
    process.execPath,
    [...nodeArgs, MAIN, `--kubeconfig=${kubeconfig}`, '--leader-elect=false', '--bind-address=127.0.0.1', `--secure-port=${metricsPort}`],
    { stdio: ['ignore', out, out] },
  );
  closeSync(out);
  if (!child.pid) throw new Error('could not start the scheduler');
  const logTail = (lines = 30) => tailFile(logFile, lines);
  const stop = (graceMs?: number) => stopChild(child, graceMs);
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the scheduler exited before it started:\n${logTail()}`);
    let text = '';
    try {
      text = readFileSync(logFile, 'utf8');
    } catch {
      // not written yet
    }
    if (text.includes('scheduler started')) break;
    if (Date.now() > deadline) {
      await stop(2000);
      throw new Error(`the scheduler did not start in time:\n${logTail()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { pid: child.pid, logTail, stop };
}

function nodeBody(i: number): string {
  const name = `node-${String(i).padStart(5, '0')}`;
  const resources = { cpu: '4', memory: '32Gi', pods: '110' };
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, 'topology.kubernetes.io/zone': `zone-${i % ZONES}` } },
    status: { allocatable: resources, capacity: resources, conditions: [{ type: 'Ready', status: 'True' }] },
  });
}

function podBody(i: number, affinity: boolean): string {
  const spec: Record<string, unknown> = {
    containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.10', resources: { requests: { cpu: '100m', memory: '100Mi' } } }],
  };
  if (affinity) {
    const selector = { matchLabels: { app: 'bench' } };
    spec.affinity = {
      podAntiAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1, podAffinityTerm: { labelSelector: selector, topologyKey: 'kubernetes.io/hostname' } }],
      },
    };
    spec.topologySpreadConstraints = [{ maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: selector }];
  }
  return JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `pod-${String(i).padStart(6, '0')}`, labels: { app: 'bench' } }, spec });
}

async function parallel(count: number, workers: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < count; i = next++) await fn(i);
  };
  await Promise.all(Array.from({ length: workers }, worker));
}

/** Watches pods in NS and calls onBound(ms) once per pod the first time it has spec.nodeName. */
function watchBindings(url: string, caCert: string, resourceVersion: string, onBound: (atMs: number) => void): { close(): void } {
  const seen = new Set<string>();
  let res: IncomingMessage | undefined;
  const req = request(
    `${url}/api/v1/namespaces/${NS}/pods?watch=true&resourceVersion=${resourceVersion}&allowWatchBookmarks=false`,
    { ca: caCert, headers: { accept: 'application/json' } },
    (r) => {
      res = r;
      let buf = '';
      r.setEncoding('utf8');
      r.on('data', (chunk: string) => {
        buf += chunk;
        let start = 0;
        let nl: number;
        while ((nl = buf.indexOf('\n', start)) >= 0) {
          const line = buf.slice(start, nl);
          start = nl + 1;
          // Only a bound pod matters; an unbound one has no nodeName, so its line need not be decoded
          // (the bench shares the two cores with what it measures).
          if (!line.includes('"nodeName":')) continue;
          const ev = JSON.parse(line) as { type: string; object: { metadata?: { name?: string }; spec?: { nodeName?: string } } };
          const name = ev.object.metadata?.name ?? '';
          if ((ev.type === 'ADDED' || ev.type === 'MODIFIED') && ev.object.spec?.nodeName && !seen.has(name)) {
            seen.add(name);
            onBound(performance.now());
          }
        }
        buf = buf.slice(start);
      });
    },
  );
  req.on('error', () => undefined);
  req.end();
  return {
    close: () => {
      res?.destroy();
      req.destroy();
    },
  };
}

async function runSize(ctx: BenchContext, size: SchedulerBenchSize, opts: SchedulerBenchOptions): Promise<void> {
  const dir = mkdtempSync(join(process.env.TMPDIR ?? '/tmp', 'timonel-sched-bench-'));
  const creators = opts.creators ?? 50;
  let etcd: TestEtcd | undefined;
  let apiserver: APIServerProcess | undefined;
  let scheduler: SchedulerProcess | undefined;
  let client: HTTPSClient | undefined;
  let watch: { close(): void } | undefined;
  try {
    etcd = await startEtcd();
    apiserver = await startAPIServerProcess({ etcdEndpoint: etcd.endpoint, dir, cpuProfDir: opts.cpuProfDir ? join(opts.cpuProfDir, 'apiserver') : undefined });
    client = new HTTPSClient(apiserver.url, apiserver.caCert, creators);
    ctx.progress(`scheduler ${size.label}: creating ${size.nodes} nodes`);
    const tNodes = Date.now();
    await parallel(size.nodes, creators, async (i) => void (await client!.expect(201, 'POST', '/api/v1/nodes', nodeBody(i))));
    const nodesSeconds = (Date.now() - tNodes) / 1000;
    await ensureNamespace(client, NS);
    const kubeconfig = join(dir, 'kubeconfig.yaml');
    // The bench apiserver child runs without token authentication: any token will do.
    writeFileSync(kubeconfig, kubeconfigYAML(apiserver.url, apiserver.caCert, 'bench'));
    const tStart = Date.now();
    scheduler = await startSchedulerProcess(kubeconfig, join(dir, 'scheduler.log'), opts.cpuProfDir ? join(opts.cpuProfDir, 'scheduler') : undefined);
    const startSeconds = (Date.now() - tStart) / 1000;
    const rssIdle = rssBytes(scheduler.pid);
    ctx.progress(`scheduler ${size.label}: nodes in ${round(nodesSeconds, 1)} s, scheduler synced in ${round(startSeconds, 1)} s; creating ${size.pods} pods`);

    const list = JSON.parse((await client.expect(200, 'GET', `/api/v1/namespaces/${NS}/pods?limit=1`)).body) as { metadata: { resourceVersion: string } };
    const bindTimes: number[] = [];
    let done: () => void = () => undefined;
    const allBound = new Promise<void>((r) => (done = r));
    watch = watchBindings(apiserver.url, apiserver.caCert, list.metadata.resourceVersion, (t) => {
      bindTimes.push(t);
      if (bindTimes.length === size.pods) done();
    });
    const pids: Record<string, number> = { scheduler: scheduler.pid, apiserver: apiserver.pid, etcd: etcd.process.pid as number };
    const meter = new CPUMeter(pids);
    const cpuStart = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, cpuSeconds(pid)]));
    ctx.meter();
    let rssPeak = rssIdle;
    const sampler = setInterval(() => {
      rssPeak = Math.max(rssPeak, rssBytes(scheduler!.pid) || 0);
    }, 250);
    const t0 = performance.now();
    let createdAt = 0;
    const creating = parallel(
      size.pods,
      creators,
      async (i) => void (await client!.expect(201, 'POST', `/api/v1/namespaces/${NS}/pods`, podBody(i, size.affinity ?? false))),
    ).then(() => (createdAt = performance.now()));
    // Stop on a stall: no new binding for stallSeconds.
    let stalled = false;
    const stallMs = (opts.stallSeconds ?? 60) * 1000;
    await Promise.race([
      allBound,
      (async () => {
        for (;;) {
          await new Promise((r) => setTimeout(r, 1000));
          const last = bindTimes.length ? bindTimes[bindTimes.length - 1] : t0;
          if (bindTimes.length >= size.pods) return;
          if (performance.now() - last > stallMs && createdAt) {
            stalled = true;
            return;
          }
        }
      })(),
    ]);
    await creating;
    clearInterval(sampler);
    const cpu = meter.read();
    const cpuSecondsOf: Record<string, number> = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, cpuSeconds(pid) - cpuStart[k]]));
    const end = bindTimes.length ? bindTimes[bindTimes.length - 1] : performance.now();
    const seconds = (end - t0) / 1000;
    // Bindings per whole second since the first pod was created (the last partial second dropped).
    const perSecond = new Array<number>(Math.max(1, Math.ceil(seconds))).fill(0);
    for (const t of bindTimes) perSecond[Math.min(perSecond.length - 1, Math.floor((t - t0) / 1000))]++;
    const full = perSecond.length > 1 ? perSecond.slice(0, -1) : perSecond;
    const sorted = Float64Array.from(full).sort();
    // After the last pod is created the creators no longer compete with the bindings for
    // the apiserver: the rate over that stretch is the scheduler-and-binding drain rate.
    const boundAfterCreate = bindTimes.filter((t) => t > createdAt).length;
    const drainSeconds = (end - createdAt) / 1000;
    const perPod = (name: string) => round(((cpuSecondsOf[name] ?? NaN) * 1000) / Math.max(1, bindTimes.length), 2);
    ctx.emit({
      bench: 'scheduler',
      size: size.label,
      nodes: size.nodes,
      pods: size.pods,
      affinity: size.affinity ?? false,
      bound: bindTimes.length,
      stalled,
      duration_s: round(seconds, 2),
      create_s: round((createdAt - t0) / 1000, 2),
      pods_per_sec: round(bindTimes.length / seconds, 1),
      p50_pods_per_sec: percentile(sorted, 50),
      p99_pods_per_sec: percentile(sorted, 99),
      min_pods_per_sec: sorted[0],
      drain_pods_per_sec: drainSeconds > 0.5 ? round(boundAfterCreate / drainSeconds, 1) : 0,
      bound_after_create: boundAfterCreate,
      scheduler_cpu_ms_per_pod: perPod('scheduler'),
      apiserver_cpu_ms_per_pod: perPod('apiserver'),
      etcd_cpu_ms_per_pod: perPod('etcd'),
      scheduler_rss_idle_mb: round(rssIdle / 1024 / 1024, 1),
      scheduler_rss_peak_mb: round(rssPeak / 1024 / 1024, 1),
      scheduler_rss_end_mb: round(rssBytes(scheduler.pid) / 1024 / 1024, 1),
      scheduler_start_s: round(startSeconds, 2),
      nodes_create_s: round(nodesSeconds, 2),
      ...cpu,
    });
    ctx.progress(`scheduler ${size.label}: bindings per second: ${perSecond.join(' ')}`);
    if (stalled) ctx.progress(`scheduler ${size.label}: stalled at ${bindTimes.length}/${size.pods}; scheduler log tail:\n${scheduler.logTail()}`);
  } finally {
    watch?.close();
    client?.close();
    await scheduler?.stop();
    await apiserver?.stop();
    await etcd?.stop().catch(() => undefined);
    if (process.env.SCHED_BENCH_KEEP) ctx.progress(`scheduler ${size.label}: kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchScheduler(ctx: BenchContext, opts: SchedulerBenchOptions): Promise<void> {
  for (const size of opts.sizes) {
    const profDir = opts.cpuProfDir ? join(opts.cpuProfDir, `scheduler-${size.label}`) : undefined;
    await runSize(ctx, size, { ...opts, cpuProfDir: profDir });
    for (const who of profDir ? ['scheduler', 'apiserver'] : []) {
      const dir = join(profDir as string, who);
      if (!existsSync(dir)) continue;
      for (const f of readdirSync(dir).filter((n) => n.endsWith('.cpuprofile'))) {
        const spots = hotSpots(readProfile(join(dir, f)));
        ctx.progress(`scheduler ${size.label}: ${who} CPU profile ${join(dir, f)} (${spots.total_ms} ms sampled); hottest functions by self time:`);
        for (const s of spots.functions) process.stderr.write(`  ${String(s.self_pct).padStart(5)}%  ${String(s.self_ms).padStart(7)} ms  ${s.name}\n`);
        process.stderr.write('  by file:\n');
        for (const s of spots.files.slice(0, 12))
          process.stderr.write(`  ${String(s.self_pct).padStart(5)}%  ${String(s.self_ms).padStart(7)} ms  ${s.name}\n`);
      }
    }
  }
}
