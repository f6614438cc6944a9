// Watch fan-out: many watch streams held open on one namespace, then pods
// created there; every watcher must see every ADDED event. Delivery latency is
// the receive time minus the `bench/sent-at` annotation the creator stamped
// just before sending the create (same process, same clock).
import type { ClientRequest } from 'node:http';
import { Agent, request } from 'node:https';
import { performance } from 'node:perf_hooks';
import type { BenchContext } from './context.js';
import { HTTPSClient } from './https-client.js';
import { runLoad } from './load.js';
import { ensureNamespace, podBody, podsPath } from './pods.js';
import { rssBytes } from './procstat.js';
import { percentile, round } from './stats.js';
import type { APIServerTarget } from './pod-bench.js';

export interface WatchBenchSizes {
  watchers: number;
  pods: number;
  creators: number;
  /** How long to wait for the last events once every create has returned. */
  drainSeconds: number;
}

export const WATCH_GOAL_P99_MS = 200;

const NS = 'bench-watch';
const NAME_RE = /"name":"fanout-(\d+)"/;
const SENT_RE = /"bench\/sent-at":"([\d.]+)"/;

function now(): number {
  return performance.timeOrigin + performance.now();
}

interface Watcher {
  req: ClientRequest;
  /** seen[i] = 1 once pod fanout-i arrived. */
  seen: Uint8Array;
  received: number;
  duplicates: number;
  ended: boolean;
}

export async function benchWatch(ctx: BenchContext, target: APIServerTarget, sizes: WatchBenchSizes, apiserverPid: number): Promise<void> {
  const setup = new HTTPSClient(target.url, target.caCert, 4);
  const agent = new Agent({ keepAlive: true, maxSockets: sizes.watchers, ca: target.caCert });
  const watchers: Watcher[] = [];
  const latencies = new Float64Array(sizes.watchers * sizes.pods);
  let latencyCount = 0;
  let lastReceive = 0;
  let errorEvents = 0;
  let firstProblem = '';
  try {
    await ensureNamespace(setup, NS);
    const listed = await setup.expect(200, 'GET', podsPath(NS));
    const rv = (JSON.parse(listed.body) as { metadata: { resourceVersion: string } }).metadata.resourceVersion;
    const rssBefore = rssBytes(apiserverPid);

    ctx.progress(`opening ${sizes.watchers} watches on ${NS} from resourceVersion ${rv}`);
    const openStart = performance.now();
    const opened = await Promise.allSettled(
      Array.from(
        { length: sizes.watchers },
        () =>
          new Promise<void>((resolve, reject) => {
            const w: Watcher = { req: undefined as unknown as ClientRequest, seen: new Uint8Array(sizes.pods), received: 0, duplicates: 0, ended: false };
            const req = request(`${target.url}${podsPath(NS)}?watch=1&resourceVersion=${rv}`, { agent, headers: { accept: 'application/json' } }, (res) => {
              if (res.statusCode !== 200) {
                reject(new Error(`watch: HTTP ${res.statusCode}`));
                res.resume();
                return;
              }
              res.setEncoding('utf8');
              let rest = '';
              res.on('data', (chunk: string) => {
                const t = now();
                const lines = (rest + chunk).split('\n');
                rest = lines.pop() ?? '';
                for (const line of lines) {
                  if (!line.startsWith('{"type":"ADDED"')) {
                    if (line.startsWith('{"type":"ERROR"')) {
                      errorEvents++;
                      firstProblem ||= line.slice(0, 300);
                    }
                    continue;
                  }
                  const m = NAME_RE.exec(line);
                  const s = SENT_RE.exec(line);
                  if (!m || !s) continue;
                  const i = Number(m[1]);
                  if (w.seen[i]) {
                    w.duplicates++;
                    continue;
                  }
                  w.seen[i] = 1;
                  w.received++;
                  latencies[latencyCount++] = t - Number(s[1]);
                  lastReceive = t;
                }
              });
              res.on('end', () => {
                w.ended = true;
              });
              res.on('error', () => {
                w.ended = true;
              });
              resolve();
            });
            w.req = req;
            req.on('error', (err) => {
              w.ended = true;
              firstProblem ||= `watch connection: ${err.message}`;
              reject(err);
            });
            req.end();
            watchers.push(w);
          }),
      ),
    );
    const failedToOpen = opened.filter((o) => o.status === 'rejected').length;
    if (failedToOpen) ctx.progress(`${failedToOpen} watches failed to open: ${(opened.find((o) => o.status === 'rejected') as PromiseRejectedResult).reason}`);
    const openSeconds = (performance.now() - openStart) / 1000;
    // Let the apiserver finish registering the last watches before the first create.
    await new Promise((r) => setTimeout(r, 500));
    const rssOpen = rssBytes(apiserverPid);

    ctx.progress(`creating ${sizes.pods} pods with ${sizes.creators} creators`);
    const creator = new HTTPSClient(target.url, target.caCert, sizes.creators);
    const meter = ctx.meter();
    const start = now();
    const created = await runLoad({
      clients: sizes.creators,
      ops: sizes.pods,
      maxSeconds: 600,
      warmupOps: 0,
      op: async (i) => {
        const name = `fanout-${String(i).padStart(5, '0')}`;
        await creator.expect(201, 'POST', podsPath(NS), podBody(name, { 'bench/sent-at': now().toFixed(3) }));
      },
      onFirstError: (err) => ctx.progress(`watch bench create failed: ${(err as Error).message}`),
    });
    creator.close();
    const createdAt = now();
    const expected = sizes.pods * (sizes.watchers - failedToOpen);

    // Wait for the streams to drain: until every event arrived, or nothing arrived for a while.
    let lastCount = -1;
    let idleSince = performance.now();
    const drainDeadline = performance.now() + sizes.drainSeconds * 1000;
    while (latencyCount < expected && performance.now() < drainDeadline) {
      if (latencyCount !== lastCount) {
        lastCount = latencyCount;
        idleSince = performance.now();
      } else if (performance.now() - idleSince > 10_000) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const cpu = meter.read();
    const rssAfter = rssBytes(apiserverPid);
    const endedEarly = watchers.filter((w) => w.ended).length;
    const duplicates = watchers.reduce((n, w) => n + w.duplicates, 0);
    const sorted = Float64Array.from(latencies.subarray(0, latencyCount)).sort();
    const p99 = percentile(sorted, 99);
    if (firstProblem) ctx.progress(`watch problem: ${firstProblem}`);
    const mb = (b: number) => round(b / 1024 / 1024, 1);
    ctx.emit({
      bench: 'watch_fanout',
      watchers: sizes.watchers,
      watchers_failed_to_open: failedToOpen,
      watchers_ended_early: endedEarly,
      pods: sizes.pods,
      pods_created: created.ops,
      creators: sizes.creators,
      expected_events: expected,
      received_events: latencyCount,
      missing_events: expected - latencyCount,
      duplicate_events: duplicates,
      error_events: errorEvents,
      p50_ms: round(percentile(sorted, 50)),
      p99_ms: round(p99),
      max_ms: round(sorted.length ? sorted[sorted.length - 1] : NaN),
      goal_p99_ms: WATCH_GOAL_P99_MS,
      meets_goal: p99 <= WATCH_GOAL_P99_MS && latencyCount === expected,
      watch_open_s: round(openSeconds),
      create_duration_s: round((createdAt - start) / 1000),
      create_ops_per_sec: created.ops_per_sec,
      create_p99_ms: created.p99_ms,
      duration_s: round(((lastReceive || createdAt) - start) / 1000),
      events_per_sec: round(latencyCount / (((lastReceive || createdAt) - start) / 1000), 1),
      rss_before_mb: mb(rssBefore),
      rss_watchers_open_mb: mb(rssOpen),
      rss_after_mb: mb(rssAfter),
      ...cpu,
    });
  } finally {
    for (const w of watchers) w.req.destroy();
    agent.destroy();
    setup.close();
  }
}
