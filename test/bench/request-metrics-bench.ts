// What the apiserver's request metrics middleware (apiserver_request_total,
// apiserver_request_duration_seconds, ...) costs: pod GETs and creates against one
// apiserver child with it and one started with --disable-request-metrics, over the same
// etcd, in alternating rounds so drift on the shared machine falls on both alike.
// Figures per mode: latency p50/p99, requests/s, and the apiserver's CPU per request;
// and the middleware's own CPU per request, timed alone in this process (end to end, on a
// shared 2-core machine, its cost is within the noise of the rounds).
import { EventEmitter } from 'node:events';
import { mkdirSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { APIServerMetrics } from '../../pkg/apiserver/metrics.js';
import type { RequestInfo } from '../../pkg/apiserver/requestinfo.js';
import { startAPIServerProcess, type APIServerProcess } from './apiserver-process.js';
import type { BenchContext } from './context.js';
import { HTTPSClient } from './https-client.js';
import { runLoad } from './load.js';
import { createPods, ensureNamespace, podBody, podsPath } from './pods.js';
import { cpuSeconds } from './procstat.js';
import { round } from './stats.js';

export interface RequestMetricsBenchOptions {
  clients: number;
  /** Requests per round of each operation. */
  ops: number;
  /** Rounds per mode, alternating on/off. */
  rounds: number;
  maxSeconds: number;
  /** Calls of the middleware alone, timed in this process. */
  middlewareCalls: number;
}

type Mode = 'on' | 'off';
type Op = 'get' | 'create';

interface Sample {
  p50: number[];
  p99: number[];
  opsPerSec: number[];
  cpuUsPerReq: number[];
}

const NS = 'bench-request-metrics';
const GET_PODS = 200;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)] : NaN;
}

async function measure(server: APIServerProcess, op: Op, round: number, opts: RequestMetricsBenchOptions, into: Sample): Promise<void> {
  const client = new HTTPSClient(server.url, server.caCert, opts.clients);
  try {
    const cpu0 = cpuSeconds(server.pid);
    const fig = await runLoad({
      clients: opts.clients,
      ops: opts.ops,
      maxSeconds: opts.maxSeconds,
      op: async (i) => {
        if (op === 'get') await client.expect(200, 'GET', `${podsPath(NS)}/p-${String(((i % GET_PODS) + GET_PODS) % GET_PODS).padStart(5, '0')}`);
        else await client.expect(201, 'POST', podsPath(NS), podBody(`r${round}-${i < 0 ? `w${-i}` : i}-${Math.random().toString(36).slice(2, 8)}`));
      },
    });
    const cpu = cpuSeconds(server.pid) - cpu0;
    if (fig.errors > 0) throw new Error(`${fig.errors} ${op} requests failed`);
    into.p50.push(fig.p50_ms);
    into.p99.push(fig.p99_ms);
    into.opsPerSec.push(fig.ops_per_sec);
    // Warm-up requests are in the CPU window too; they are few against ops.
    into.cpuUsPerReq.push((cpu * 1e6) / fig.ops);
  } finally {
    client.close();
  }
}

/** The middleware alone, in this process: CPU per request it monitors (bind the labels, count and time at close). */
function middlewareCost(calls: number): { us_per_call: number } {
  const metrics = new APIServerMetrics({ served: () => true });
  const info: RequestInfo = {
    isResourceRequest: true,
    path: '/api/v1/namespaces/ns/pods/p',
    verb: 'get',
    apiPrefix: 'api',
    apiGroup: '',
    apiVersion: 'v1',
    namespace: 'ns',
    resource: 'pods',
    subresource: '',
    name: 'p',
    parts: ['pods', 'p'],
  };
  const req = { method: 'GET', headers: {} } as IncomingMessage;
  const run = (n: number) => {
    for (let i = 0; i < n; i++) {
      const res = Object.assign(new EventEmitter(), { statusCode: 200 }) as unknown as ServerResponse;
      metrics.monitor(req, res, info, '', false);
      res.emit('close');
    }
  };
  run(Math.min(calls, 10_000)); // warm the JIT
  const cpu0 = process.cpuUsage();
  run(calls);
  const cpu = process.cpuUsage(cpu0);
  // Less the same loop without monitor(): the response objects and the close event are the server's anyway.
  const base0 = process.cpuUsage();
  for (let i = 0; i < calls; i++) Object.assign(new EventEmitter(), { statusCode: 200 }).emit('close');
  const base = process.cpuUsage(base0);
  return { us_per_call: round((cpu.user + cpu.system - base.user - base.system) / calls, 2) };
}

export async function benchRequestMetrics(ctx: BenchContext, etcdEndpoint: string, dir: string, opts: RequestMetricsBenchOptions): Promise<void> {
  ctx.progress(`request metrics: ${opts.rounds} rounds each with the middleware on and off, ${opts.ops} GETs and creates at ${opts.clients} clients`);
  const samples = new Map<string, Sample>();
  const sample = (mode: Mode, op: Op) => {
    const key = `${mode} ${op}`;
    let s = samples.get(key);
    if (!s) samples.set(key, (s = { p50: [], p99: [], opsPerSec: [], cpuUsPerReq: [] }));
    return s;
  };
  let seeded = false;
  for (let r = 0; r < opts.rounds; r++) {
    for (const mode of (r % 2 === 0 ? ['on', 'off'] : ['off', 'on']) as Mode[]) {
      const serverDir = join(dir, `request-metrics-${mode}`);
      mkdirSync(serverDir, { recursive: true });
      const server = await startAPIServerProcess({ etcdEndpoint, dir: serverDir, args: mode === 'off' ? ['--disable-request-metrics'] : [] });
      try {
        if (!seeded) {
          const setup = new HTTPSClient(server.url, server.caCert, 20);
          await ensureNamespace(setup, NS);
          await createPods(setup, NS, 'p', GET_PODS, 20);
          setup.close();
          seeded = true;
        }
        await measure(server, 'get', r, opts, sample(mode, 'get'));
        await measure(server, 'create', r, opts, sample(mode, 'create'));
      } finally {
        await server.stop();
      }
    }
  }
  ctx.emit({ bench: 'apiserver_request_metrics_middleware', calls: opts.middlewareCalls, ...middlewareCost(opts.middlewareCalls) });
  for (const op of ['get', 'create'] as Op[]) {
    const on = sample('on', op);
    const off = sample('off', op);
    const fig = (s: Sample) => ({
      p50_ms: round(median(s.p50)),
      p99_ms: round(median(s.p99)),
      ops_per_sec: round(median(s.opsPerSec), 1),
      cpu_us_per_req: round(median(s.cpuUsPerReq), 1),
    });
    const a = fig(on);
    const b = fig(off);
    ctx.emit({
      bench: 'apiserver_request_metrics',
      op,
      clients: opts.clients,
      rounds: opts.rounds,
      ...Object.fromEntries(Object.entries(a).map(([k, v]) => [`metrics_on_${k}`, v])),
      ...Object.fromEntries(Object.entries(b).map(([k, v]) => [`metrics_off_${k}`, v])),
      p50_overhead_ms: round(a.p50_ms - b.p50_ms),
      cpu_overhead_us_per_req: round(a.cpu_us_per_req - b.cpu_us_per_req, 1),
    });
  }
}
