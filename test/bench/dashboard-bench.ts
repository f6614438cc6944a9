// Web view benchmark: the delay from a pod becoming Ready to its card turning
// green, and the add-on's resident memory with many pods.
//
// No real cluster (no kubelet, no containers): an etcd and an apiserver process
// of the bench's own, and the dashboard server (dist/cmd/dashboard/main.js) as
// its own process reading them, as the add-on's pod does but anonymous (the
// apiserver allows everything here) and on the host's Node. Nodes and pods are
// created through the API, pods already bound to a node; the bench writes their
// status itself, as a kubelet would: first Running and not Ready, then, one pod
// every `spacingMs`, the Ready flip (a PUT of pods/status).
//
// The delay runs from just before that PUT is sent (the pod is Ready once the
// apiserver has stored it, so the figure includes the write) to:
//   - sse_*: the change carrying the ready card arriving on the server's event
//     stream, read by the bench (test/support/eventstream.ts);
//   - green_*: the card's data-state turning "ready" (its colour) in headless
//     Chromium (Debian's chromium through playwright-core) showing the page,
//     stamped in the page by a MutationObserver with Date.now(), the same clock
//     as the bench's. Skipped, with a warning, where chromium is missing.
// Then `rssPods` more pods, Running and Ready, spread over the nodes; once the
// stream shows every one, the server's VmRSS (with the two viewers connected).
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { freePort, which } from '../../pkg/cluster/process.js';
import { startEtcd, type TestEtcd } from '../support/etcd.js';
import { ClusterFeed } from '../support/eventstream.js';
import { startAPIServerProcess, type APIServerProcess } from './apiserver-process.js';
import { stopChild, tailFile } from './child.js';
import type { BenchContext } from './context.js';
import { HTTPSClient } from './https-client.js';
import { cpuSeconds, rssBytes } from './procstat.js';
import { percentile, round } from './stats.js';

export interface DashboardBenchOptions {
  nodes: number;
  /** Pods whose Ready flip is timed. */
  pods: number;
  /** Between two flips, so each is measured on its own rather than in a burst. */
  spacingMs: number;
  /** Pods for the memory figure. */
  rssPods: number;
}

// dist/test/bench/dashboard-bench.js -> dist/cmd/dashboard/main.js
const MAIN = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../cmd/dashboard/main.js');
const CHROMIUM = '/usr/bin/chromium';
const NS = 'bench';

interface PodObject {
  metadata: { name: string; namespace: string; resourceVersion?: string };
  spec: unknown;
  status?: Record<string, unknown>;
}

function podObject(name: string, node: string): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: NS, labels: { app: 'bench' } },
    spec: { nodeName: node, containers: [{ name: 'c', image: 'busybox', resources: { requests: { cpu: '10m', memory: '16Mi' } } }] },
  });
}

/** The pod's status as its kubelet would write it: Running, Ready or not. */
function runningStatus(ready: boolean): Record<string, unknown> {
  const now = new Date().toISOString();
  const cond = (type: string, status: boolean) => ({ type, status: status ? 'True' : 'False', lastTransitionTime: now });
  return {
    phase: 'Running',
    conditions: [cond('PodScheduled', true), cond('Initialized', true), cond('ContainersReady', ready), cond('Ready', ready)],
    containerStatuses: [{ name: 'c', ready, restartCount: 0, image: 'busybox', imageID: '', state: { running: { startedAt: now } } }],
  };
}

async function putStatus(client: HTTPSClient, pod: PodObject, ready: boolean): Promise<PodObject> {
  const res = await client.expect(
    200,
    'PUT',
    `/api/v1/namespaces/${NS}/pods/${pod.metadata.name}/status`,
    JSON.stringify({ ...pod, status: runningStatus(ready) }),
  );
  return JSON.parse(res.body) as PodObject;
}

/** Creates pods name-00000... on the nodes in turn and makes them Running (Ready or not), `parallel` at a time. */
async function runPods(client: HTTPSClient, prefix: string, count: number, nodes: string[], ready: boolean, parallel = 16): Promise<PodObject[]> {
  const out: PodObject[] = new Array<PodObject>(count);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < count; i = next++) {
      const name = `${prefix}-${String(i).padStart(5, '0')}`;
      const created = await client.expect(201, 'POST', `/api/v1/namespaces/${NS}/pods`, podObject(name, nodes[i % nodes.length]));
      out[i] = await putStatus(client, JSON.parse(created.body) as PodObject, ready);
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return out;
}

async function createNodes(client: HTTPSClient, count: number): Promise<string[]> {
  const names = Array.from({ length: count }, (_, i) => `bench-node-${i}`);
  for (const name of names) {
    const res = await client.expect(
      201,
      'POST',
      '/api/v1/nodes',
      JSON.stringify({ apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name } } }),
    );
    const node = JSON.parse(res.body) as Record<string, unknown>;
    const status = {
      capacity: { cpu: '8', memory: '32Gi', pods: '250' },
      allocatable: { cpu: '8', memory: '32Gi', pods: '250' },
      conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'ready', lastHeartbeatTime: new Date().toISOString() }],
    };
    await client.expect(200, 'PUT', `/api/v1/nodes/${name}/status`, JSON.stringify({ ...node, status }));
  }
  return names;
}

/** The dashboard server as its own process; resolves once /healthz says its informers have listed. */
async function startDashboard(api: APIServerProcess, dir: string): Promise<{ child: ChildProcess; url: string; logFile: string }> {
  const caFile = join(dir, 'dashboard-ca.crt');
  writeFileSync(caFile, api.caCert);
  const port = await freePort();
  const logFile = join(dir, 'dashboard.log');
  const out = openSync(logFile, 'a');
  const child = spawn(
    process.execPath,
    [MAIN, `--server=${api.url}`, `--ca-file=${caFile}`, '--bind-address=127.0.0.1', `--port=${port}`, '--metrics-interval-seconds=3600'],
    { stdio: ['ignore', out, out] },
  );
  closeSync(out);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the dashboard server exited (${child.exitCode}):\n${tailFile(logFile, 20)}`);
    const ok = await fetch(`${url}/healthz`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) return { child, url, logFile };
    if (Date.now() > deadline) {
      await stopChild(child, 2000);
      throw new Error(`the dashboard server did not become healthy:\n${tailFile(logFile, 20)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

function figures(prefix: string, delays: number[]): Record<string, number> {
  const s = [...delays].sort((a, b) => a - b);
  return {
    [`${prefix}_p50_ms`]: round(percentile(s, 50), 1),
    [`${prefix}_p99_ms`]: round(percentile(s, 99), 1),
    [`${prefix}_max_ms`]: round(s[s.length - 1], 1),
  };
}

export async function benchDashboard(ctx: BenchContext, opts: DashboardBenchOptions): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'timonel-dashboard-bench-'));
  let etcd: TestEtcd | undefined;
  let api: APIServerProcess | undefined;
  let dashboard: ChildProcess | undefined;
  let browser: Browser | undefined;
  const feeds: ClusterFeed[] = [];
  let client: HTTPSClient | undefined;
  try {
    etcd = await startEtcd();
    api = await startAPIServerProcess({ etcdEndpoint: etcd.endpoint, dir });
    client = new HTTPSClient(api.url, api.caCert, 16);
    await client.expect(201, 'POST', '/api/v1/namespaces', JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } }));
    const nodes = await createNodes(client, opts.nodes);
    const d = await startDashboard(api, dir);
    dashboard = d.child;
    const pid = d.child.pid as number;
    const rssIdle = rssBytes(pid);
    ctx.progress(`dashboard: server pid ${pid} at ${d.url}; ${opts.nodes} nodes; ${opts.pods} Ready flips ${opts.spacingMs} ms apart`);

    const feed = await ClusterFeed.open(`${d.url}/api/stream`);
    feeds.push(feed);
    const pods = await runPods(client, 'flip', opts.pods, nodes, false);
    const keys = pods.map((p) => `${NS}/${p.metadata.name}`);
    await feed.until('every timed pod Running and not Ready', () => keys.every((k) => feed.pods.get(k)?.state === 'not-ready'), 60_000);

    // The page in headless Chromium, stamping when each card first shows ready.
    const greenAt = async (): Promise<Map<string, number>> => new Map();
    let readGreen = greenAt;
    if (which('chromium')) {
      const { chromium } = await import('playwright-core');
      browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
      const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      await page.goto(d.url);
      await page.waitForFunction((n) => document.querySelectorAll('.card[data-state="not-ready"]').length === n, keys.length, { timeout: 60_000 });
      await page.evaluate(() => {
        const seen = new Map<string, number>();
        (window as unknown as { greenAt: Map<string, number> }).greenAt = seen;
        new MutationObserver(() => {
          const now = Date.now();
          for (const c of document.querySelectorAll<HTMLElement>('.card[data-state="ready"]')) {
            const key = c.dataset.key ?? '';
            if (!seen.has(key)) seen.set(key, now);
          }
        }).observe(document.getElementById('board') as HTMLElement, { childList: true, subtree: true, attributes: true });
      });
      readGreen = async () => {
        await page.waitForFunction((n) => (window as unknown as { greenAt: Map<string, number> }).greenAt.size >= n, keys.length, { timeout: 30_000 });
        return new Map(await page.evaluate(() => [...(window as unknown as { greenAt: Map<string, number> }).greenAt]));
      };
      ctx.progress('dashboard: the page shows every card; flipping');
    } else {
      ctx.progress('dashboard: WARNING: no chromium (make deps installs it); only the stream is timed, not the green card');
    }

    const sent = new Map<string, { wall: number; mono: number }>();
    const writeMs: number[] = [];
    for (const pod of pods) {
      const t = { wall: Date.now(), mono: performance.now() };
      sent.set(`${NS}/${pod.metadata.name}`, t);
      await putStatus(client, pod, true);
      writeMs.push(performance.now() - t.mono);
      await new Promise((r) => setTimeout(r, opts.spacingMs));
    }
    await feed.until('every timed card ready on the stream', () => keys.every((k) => feed.pods.get(k)?.state === 'ready'), 30_000);
    const green = await readGreen();
    const sseAt = new Map<string, number>();
    for (const { at, change } of feed.log)
      if (change.type === 'pod' && change.card.state === 'ready' && !sseAt.has(change.card.key)) sseAt.set(change.card.key, at);
    const sentAt = (k: string) => sent.get(k) as { wall: number; mono: number };
    ctx.emit({
      bench: 'dashboard_ready_to_green',
      pods: keys.length,
      nodes: opts.nodes,
      spacing_ms: opts.spacingMs,
      browser: browser !== undefined,
      ...(browser
        ? figures(
            'green',
            keys.map((k) => (green.get(k) as number) - sentAt(k).wall),
          )
        : {}),
      ...figures(
        'sse',
        keys.map((k) => (sseAt.get(k) as number) - sentAt(k).mono),
      ),
      ...figures('status_write', writeMs),
    });
    await browser?.close();
    browser = undefined;

    // Memory with many pods: the informers' caches, the view model and one stream.
    ctx.progress(`dashboard: ${opts.rssPods} more pods, Running and Ready`);
    const cpu0 = cpuSeconds(pid);
    const t0 = performance.now();
    await runPods(client, 'rss', opts.rssPods, nodes, true);
    const total = opts.pods + opts.rssPods;
    await feed.until(`${total} cards on the stream`, () => feed.pods.size >= total && [...feed.pods.values()].every((p) => p.state === 'ready'), 300_000);
    const settleMs = performance.now() - t0;
    await new Promise((r) => setTimeout(r, 2000));
    ctx.emit({
      bench: 'dashboard_rss',
      pods: total,
      nodes: opts.nodes,
      rss_idle_mb: round(rssIdle / 2 ** 20, 1),
      rss_mb: round(rssBytes(pid) / 2 ** 20, 1),
      cpu_s: round(cpuSeconds(pid) - cpu0, 2),
      create_to_shown_s: round(settleMs / 1000, 1),
    });
  } catch (err) {
    ctx.progress(`dashboard: failed; server log tail:\n${tailFile(join(dir, 'dashboard.log'), 20)}`);
    throw err;
  } finally {
    for (const f of feeds) f.close();
    await browser?.close().catch(() => undefined);
    if (dashboard) await stopChild(dashboard, 5000);
    client?.close();
    await api?.stop();
    await etcd?.stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}
