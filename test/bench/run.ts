// `make bench`: etcd's own ceiling, then pod create/get/list, custom resources beside
// ConfigMaps, watch fan-out and Deployment churn through the controller-manager, all against an apiserver
// running as its own process; then informers against a fresh apiserver of their
// own, the scheduler, proxy, DNS and kubelet metrics, and the web view's
// Ready-to-green delay and memory (dashboard-bench.ts). One JSON object per line
// on stdout per figure; progress on stderr.
//
//   node dist/test/bench/run.js [--quick] [--only=etcd,pods,customresources,admission,watch,churn,requestmetrics,informer,scheduler,proxy,dns,kubeletmetrics,dashboard] [--cpu-prof[=DIR]]
//
// --quick shrinks every size for a smoke run; --cpu-prof profiles the apiserver
// child and prints its hottest functions on stderr (the profile is kept in DIR,
// or in the scratch directory, which is then kept); the scheduler phase profiles
// its scheduler child instead, into DIR/scheduler-<size>.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startEtcd, type TestEtcd } from '../support/etcd.js';
import { cpuProfiles, startAPIServerProcess, type APIServerProcess } from './apiserver-process.js';
import { newContext, type PhaseWindow } from './context.js';
import { hotSpots, readProfile, type HotSpot } from './cpuprofile.js';
import { benchAdmission } from './admission-bench.js';
import { benchChurn } from './churn-bench.js';
import { benchEtcd } from './etcd-bench.js';
import { benchInformer } from './informer-bench.js';
import { benchPods } from './pod-bench.js';
import { benchCustomResources } from './customresource-bench.js';
import { benchScheduler } from './scheduler-bench.js';
import { rssBytes } from './procstat.js';
import { round } from './stats.js';
import { benchWatch } from './watch-bench.js';
import { benchProxy } from './proxy-bench.js';
import { benchDNS } from './dns-bench.js';
import { benchKubeletMetrics } from './kubelet-metrics-bench.js';
import { benchDashboard } from './dashboard-bench.js';
import { benchRequestMetrics } from './request-metrics-bench.js';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string', default: 'etcd,pods,customresources,admission,watch,churn,requestmetrics,informer,scheduler,proxy,dns,kubeletmetrics,dashboard' },
    'cpu-prof': { type: 'string' },
  },
  strict: true,
  allowPositionals: false,
  // `--cpu-prof` alone means "profile into the scratch directory".
  args: process.argv.slice(2).map((a) => (a === '--cpu-prof' ? '--cpu-prof=' : a)),
});

const quick = values.quick as boolean;
const only = new Set((values.only as string).split(',').map((s) => s.trim()));
const CLIENTS = [1, 10, 100];

const SIZES = quick
  ? {
      etcd: { clients: CLIENTS, ops: (c: number) => 100 * Math.min(c, 3), maxSeconds: 3, valueBytes: 1024 },
      pods: { clients: CLIENTS, ops: (c: number) => 100 * Math.min(c, 3), listOps: (c: number) => Math.max(5, Math.min(c, 20)), maxSeconds: 3, listPods: 100 },
      watch: { watchers: 50, pods: 50, creators: 10, drainSeconds: 15 },
      churn: { deployments: 10, replicas: 5, creators: 20, readyConcurrency: 20, stallSeconds: 30, timeoutSeconds: 120 },
      admission: { clients: 10, ops: 200, maxSeconds: 3 },
      informer: { pods: 1000, rounds: 1 },
      scheduler: [{ label: '100n-1000p', nodes: 100, pods: 1000 }],
      proxy: { sizes: [200], endpointsPerService: 2, changes: 3 },
      dns: { services: 100, queries: 5000, concurrency: 16 },
      kubeletmetrics: { pods: 20, scrapes: 5 },
      dashboard: { nodes: 3, pods: 10, spacingMs: 100, rssPods: 100 },
      requestmetrics: { clients: 10, ops: 300, rounds: 2, maxSeconds: 3, middlewareCalls: 20_000 },
    }
  : {
      etcd: { clients: CLIENTS, ops: (c: number) => (c === 1 ? 2000 : c === 10 ? 5000 : 10000), maxSeconds: 8, valueBytes: 1024 },
      pods: {
        clients: CLIENTS,
        ops: (c: number) => (c === 1 ? 1000 : c === 10 ? 3000 : 5000),
        listOps: (c: number) => (c === 1 ? 100 : 300),
        maxSeconds: 8,
        listPods: 1000,
      },
      admission: { clients: 10, ops: 3000, maxSeconds: 8 },
      watch: { watchers: 1000, pods: 1000, creators: 16, drainSeconds: 60 },
      churn: { deployments: 100, replicas: 10, creators: 20, readyConcurrency: 20, stallSeconds: 60, timeoutSeconds: 600 },
      informer: { pods: 10_000, rounds: 2 },
      // upstream scheduler_perf SchedulingBasic 5000Nodes_10000Pods, 500Nodes, and 500Nodes with affinity + spread.
      scheduler: [
        { label: '5000n-10000p', nodes: 5000, pods: 10_000 },
        { label: '500n-5000p', nodes: 500, pods: 5000 },
        { label: '500n-5000p-affinity-spread', nodes: 500, pods: 5000, affinity: true },
      ],
      // Sync time inside a network namespace of the bench's own; DNS from a client on 127.0.0.1.
      proxy: { sizes: [1000, 5000, 10_000], endpointsPerService: 2, changes: 10 },
      dns: { services: 1000, queries: 100_000, concurrency: 64 },
      kubeletmetrics: { pods: 100, scrapes: 50 },
      // The web view: Ready-to-green delay over 50 pods, then its RSS with 1,000 pods in all.
      dashboard: { nodes: 10, pods: 50, spacingMs: 200, rssPods: 950 },
      // Alternating rounds with the request metrics middleware on and off.
      requestmetrics: { clients: 10, ops: 2000, rounds: 6, maxSeconds: 10, middlewareCalls: 500_000 },
    };
const SERVER_PHASES = ['etcd', 'pods', 'customresources', 'admission', 'watch', 'churn'];

function fdLimit(pid: number | 'self'): number {
  const m = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync(`/proc/${pid}/limits`, 'utf8'));
  return !m || m[1] === 'unlimited' ? Infinity : Number(m[1]);
}

async function main(): Promise<number> {
  const t0 = Date.now();
  const dir = mkdtempSync(join(tmpdir(), 'timonel-bench-'));
  const profDir = values['cpu-prof'] !== undefined ? resolve(values['cpu-prof'] || join(dir, 'profile')) : undefined;
  let etcd: TestEtcd | undefined;
  let apiserver: APIServerProcess | undefined;
  let failed = false;
  const cleanup = async () => {
    await apiserver?.stop().catch(() => undefined);
    apiserver = undefined;
    await etcd?.stop().catch(() => undefined);
    etcd = undefined;
    if (!profDir?.startsWith(dir)) rmSync(dir, { recursive: true, force: true });
  };
  // A reader that stops early (`run.js | head`) must not kill the run before it has stopped its children.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
  });
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      process.stderr.write(`bench: ${sig}, cleaning up\n`);
      void cleanup().finally(() => process.exit(130));
    });
  }
  const log = newContext({}).progress;
  let phases: PhaseWindow[] = [];
  let rssFigures: Record<string, number> = {};
  // etcd, then the phases that share one apiserver child.
  const serverPhases = async () => {
    etcd = await startEtcd();
    const etcdPid = etcd.process.pid as number;
    const server = await startAPIServerProcess({ etcdEndpoint: etcd.endpoint, dir, cpuProfDir: profDir });
    apiserver = server;
    log(`apiserver pid ${server.pid} at ${server.url}; etcd pid ${etcdPid} at ${etcd.endpoint}`);
    const ctx = newContext({ apiserver: server.pid, etcd: etcdPid });
    phases = ctx.phases;
    const rssStart = rssBytes(server.pid);

    const puts = only.has('etcd') || only.has('pods') ? await benchEtcd(ctx, etcd.endpoint, SIZES.etcd) : new Map();
    if (only.has('pods')) await benchPods(ctx, server, SIZES.pods, puts);
    if (only.has('customresources')) await benchCustomResources(ctx, server, SIZES.pods);
    if (only.has('admission')) await benchAdmission(ctx, server, SIZES.admission);
    if (only.has('watch')) {
      const need = SIZES.watch.watchers + 100;
      const limits = { bench: fdLimit('self'), apiserver: fdLimit(server.pid) };
      if (limits.bench < need || limits.apiserver < need) {
        log(
          `WARNING: open-file limit too low for ${SIZES.watch.watchers} watch connections (bench ${limits.bench}, apiserver ${limits.apiserver}); raise it with 'ulimit -n ${need * 2}'`,
        );
      }
      await benchWatch(ctx, server, SIZES.watch, server.pid);
    }
    if (only.has('churn')) await benchChurn(ctx, server, SIZES.churn, dir);
    rssFigures = {
      apiserver_rss_start_mb: round(rssStart / 1024 / 1024, 1),
      apiserver_rss_end_mb: round(rssBytes(server.pid) / 1024 / 1024, 1),
    };
  };
  try {
    log(`${quick ? 'quick' : 'full'} run; scratch ${dir}`);
    if (SERVER_PHASES.some((p) => only.has(p))) await serverPhases();
    if (only.has('requestmetrics')) {
      // Its own apiserver children, one at a time, over the shared etcd (started if no phase before needed it).
      await apiserver?.stop();
      apiserver = undefined;
      etcd ??= await startEtcd();
      await benchRequestMetrics(newContext({}), etcd.endpoint, dir, SIZES.requestmetrics);
    }
    if (only.has('informer')) {
      // It starts its own etcd and apiserver; stop the shared ones first so they do not compete for the cores.
      await apiserver?.stop();
      apiserver = undefined;
      await etcd?.stop().catch(() => undefined);
      etcd = undefined;
      log(`informer: ${SIZES.informer.pods} pods, ${SIZES.informer.rounds} round(s)`);
      await benchInformer(SIZES.informer.pods, (line) => void process.stdout.write(JSON.stringify(line) + '\n'), SIZES.informer.rounds);
    }
    if (only.has('scheduler')) {
      // Each size starts its own etcd, apiserver and scheduler; nothing else may compete for the cores.
      await apiserver?.stop();
      apiserver = undefined;
      await etcd?.stop().catch(() => undefined);
      etcd = undefined;
      const sizes = process.env.SCHED_BENCH_SIZES
        ? SIZES.scheduler.filter((z) => process.env.SCHED_BENCH_SIZES?.split(',').includes(z.label))
        : SIZES.scheduler;
      await benchScheduler(newContext({}), { sizes, cpuProfDir: profDir });
    }
    if (only.has('proxy')) await benchProxy(newContext({}), SIZES.proxy);
    if (only.has('dns')) await benchDNS(newContext({}), SIZES.dns);
    if (only.has('kubeletmetrics')) await benchKubeletMetrics(newContext({}), SIZES.kubeletmetrics);
    if (only.has('dashboard')) {
      // Its own etcd, apiserver and dashboard server; the shared ones stop first so they do not compete for the cores.
      await apiserver?.stop();
      apiserver = undefined;
      await etcd?.stop().catch(() => undefined);
      etcd = undefined;
      await benchDashboard(newContext({}), SIZES.dashboard);
    }
    newContext({}).emit({ bench: 'run', quick, duration_s: round((Date.now() - t0) / 1000, 1), ...rssFigures });
  } catch (err) {
    failed = true;
    log(`FAILED: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    if (apiserver) log(`apiserver log tail:\n${apiserver.logTail()}`);
  } finally {
    await apiserver?.stop();
    apiserver = undefined;
    if (profDir) {
      // The phase windows let a later look at the profile slice it the same way.
      writeFileSync(join(profDir, 'phases.json'), JSON.stringify(phases, null, 1));
      for (const path of cpuProfiles(profDir)) reportProfile(path, phases, log);
    }
    await cleanup();
  }
  return failed ? 1 : 0;
}

function printSpots(spots: HotSpot[]): void {
  for (const f of spots) process.stderr.write(`  ${String(f.self_pct).padStart(5)}%  ${String(f.self_ms).padStart(7)} ms  ${f.name}\n`);
}

/** The apiserver's hottest functions over the whole run, then within each measured phase. */
function reportProfile(path: string, phases: PhaseWindow[], log: (m: string) => void): void {
  const profile = readProfile(path);
  const all = hotSpots(profile);
  log(`apiserver CPU profile ${path} (${all.total_ms} ms sampled); hottest functions by self time:`);
  printSpots(all.functions);
  process.stderr.write('  by file:\n');
  printSpots(all.files.slice(0, 15));
  for (const ph of phases) {
    const h = hotSpots(profile, 10, ph);
    process.stderr.write(`  -- ${ph.label} (${h.total_ms} ms sampled):\n`);
    printSpots(h.functions);
    process.stderr.write('     by file:\n');
    printSpots(h.files.slice(0, 8));
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`bench: ${String(err)}\n`);
    process.exit(1);
  },
);
