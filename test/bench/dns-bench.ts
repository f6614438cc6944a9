// Cluster DNS benchmark: the DNS server in a child process (this file with
// --serve), answering from records for `services` Services (a tenth of them
// headless with 3 endpoints), and a UDP client on 127.0.0.1 in this process
// keeping `concurrency` queries in flight. Figures: queries/second and latency
// percentiles for a mix of names that exist (A, SRV) and names that do not.
// Run standalone: node dist/test/bench/dns-bench.js [services] [queries] [concurrency]
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import dnsPacket from 'dns-packet';
import { ClusterDNSRecords } from '../../pkg/dns/records.js';
import { DNSServer } from '../../pkg/dns/server.js';
import { newContext, type BenchContext } from './context.js';
import { CPUMeter } from './procstat.js';
import { round, summarize } from './stats.js';

export interface DNSBenchOptions {
  services: number;
  queries: number;
  concurrency: number;
}

const SELF = fileURLToPath(import.meta.url);

/** The records a cluster of n services would have. */
export function benchRecords(n: number): ClusterDNSRecords {
  const r = new ClusterDNSRecords();
  for (let i = 0; i < n; i++) {
    const headless = i % 10 === 0;
    r.setService({
      metadata: { namespace: `ns-${i % 50}`, name: `svc-${i}` },
      spec: {
        clusterIP: headless ? 'None' : `10.${96 + Math.floor(i / 65536)}.${Math.floor(i / 256) % 256}.${i % 256}`,
        ports: [{ name: 'http', port: 80, protocol: 'TCP' }],
      },
    });
    if (headless) {
      r.setEndpointSlice({
        metadata: { namespace: `ns-${i % 50}`, name: `svc-${i}-1`, labels: { 'kubernetes.io/service-name': `svc-${i}` } },
        addressType: 'IPv4',
        ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
        endpoints: [0, 1, 2].map((k) => ({
          addresses: [`10.244.${Math.floor(i / 256) % 256}.${(i % 64) * 3 + k + 1}`],
          hostname: `web-${k}`,
          conditions: { ready: true },
        })),
      });
    }
  }
  return r;
}

function question(i: number, services: number): { name: string; type: 'A' | 'SRV' } {
  const s = (i * 7919) % services;
  const base = `svc-${s}.ns-${s % 50}.svc.cluster.local`;
  switch (i % 10) {
    case 0:
      return { name: `missing-${s}.ns-${s % 50}.svc.cluster.local`, type: 'A' };
    case 1:
      return { name: `_http._tcp.${base}`, type: 'SRV' };
    default:
      return { name: base, type: 'A' };
  }
}

async function startServer(services: number): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, [SELF, '--serve', String(services)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout?.once('data', (d: Buffer) => resolve(Number(d.toString().trim())));
    child.once('exit', (code) => reject(new Error(`dns bench server exited (${code})`)));
  });
  return { child, port };
}

export async function benchDNS(ctx: BenchContext, opts: DNSBenchOptions): Promise<void> {
  ctx.progress(`dns: ${opts.services} services, ${opts.queries} UDP queries, ${opts.concurrency} in flight`);
  const { child, port } = await startServer(opts.services);
  const sock = createSocket('udp4');
  try {
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
    sock.setRecvBufferSize(4 * 1024 * 1024);
    const meter = new CPUMeter({ dns: child.pid as number });
    const phase = ctx.meter();
    const latencies = new Float64Array(opts.queries);
    const sentAt = new Map<number, { at: number; i: number }>();
    let sent = 0;
    let done = 0;
    let errors = 0;
    const t0 = performance.now();
    await new Promise<void>((resolve) => {
      const next = () => {
        if (sent >= opts.queries) return;
        const i = sent++;
        const id = i % 65536;
        sentAt.set(id, { at: performance.now(), i });
        sock.send(dnsPacket.encode({ type: 'query', id, flags: dnsPacket.RECURSION_DESIRED, questions: [question(i, opts.services)] }), port, '127.0.0.1');
      };
      const finish = () => {
        done++;
        if (done === opts.queries) resolve();
        else next();
      };
      sock.on('message', (m) => {
        const id = m.readUInt16BE(0);
        const s = sentAt.get(id);
        if (!s) return;
        sentAt.delete(id);
        latencies[done] = performance.now() - s.at;
        const rcode = m.readUInt16BE(2) & 0xf;
        if (rcode !== 0 && rcode !== 3) errors++;
        finish();
      });
      // A datagram lost on the way counts as an error after a second, so the run ends.
      const reaper = setInterval(() => {
        const now = performance.now();
        for (const [id, s] of sentAt) {
          if (now - s.at < 1000) continue;
          sentAt.delete(id);
          errors++;
          latencies[done] = now - s.at;
          finish();
        }
        if (done >= opts.queries) clearInterval(reaper);
      }, 200);
      for (let k = 0; k < opts.concurrency; k++) next();
    });
    const figures = summarize(latencies, errors, performance.now() - t0);
    ctx.emit({
      bench: 'dns',
      proto: 'udp',
      services: opts.services,
      concurrency: opts.concurrency,
      queries_per_sec: figures.ops_per_sec,
      p50_ms: figures.p50_ms,
      p99_ms: figures.p99_ms,
      max_ms: figures.max_ms,
      errors: figures.errors,
      ...meter.read(),
      ...phase.read(),
    });
  } finally {
    sock.close();
    child.kill('SIGTERM');
    await new Promise((r) => (child.exitCode !== null ? r(undefined) : child.once('exit', r)));
  }
}

async function serve(services: number): Promise<void> {
  const server = new DNSServer({ records: benchRecords(services), bindAddress: '127.0.0.1', port: 0 });
  await server.start();
  process.stdout.write(`${server.port}\n`);
  process.on('SIGTERM', () => void server.stop().then(() => process.exit(0)));
}

if (process.argv[1] === SELF) {
  if (process.argv[2] === '--serve') {
    void serve(Number(process.argv[3]));
  } else {
    const [services, queries, concurrency] = [Number(process.argv[2] ?? 1000), Number(process.argv[3] ?? 100_000), Number(process.argv[4] ?? 64)];
    benchDNS(newContext({}), { services, queries, concurrency }).catch((err: Error) => {
      process.stderr.write(`${err.stack ?? err.message}\n`);
      process.exit(1);
    });
  }
}
