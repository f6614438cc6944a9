// Proxy sync benchmark: the iptables and nftables proxiers (in this process),
// each programming a network namespace of its own, fed Services and
// EndpointSlices directly (the informers are not what is measured). Per size
// (services x endpoints each) and mode, in the same run:
//  - full: the first sync, every chain written in one iptables-restore / nft -f;
//  - endpoints: one service's endpoints change (one replaced), the partial sync
//    that follows, repeated; what a rollout or a pod restart costs;
//  - add / delete: one service created, then deleted;
//  - full-resync: the periodic full sync, over rules already in place;
//  - the rule counts the proxy owns afterwards.
// Times are from the change reaching the proxier to iptables-restore (nft) returning.
// Run standalone: node dist/test/bench/proxy-bench.js [sizes, e.g. 1000,5000,10000] [modes, e.g. iptables,nftables]
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { execRunner } from '../../pkg/proxy/exec.js';
import { IPTables } from '../../pkg/proxy/iptables/iptables.js';
import { Proxier } from '../../pkg/proxy/iptables/proxier.js';
import { detectLocalByCIDR } from '../../pkg/proxy/localdetector.js';
import { NFTables } from '../../pkg/proxy/nftables/nftables.js';
import { NftProxier } from '../../pkg/proxy/nftables/proxier.js';
import { PROXY_MODES, type ProxyMode, type ProxyProvider } from '../../pkg/proxy/provider.js';
import type { Service } from '../../api/core/v1/types.js';
import type { EndpointSlice } from '../../api/discovery/v1/types.js';
import { newContext, type BenchContext } from './context.js';
import { percentile, round } from './stats.js';

const run = promisify(execFile);

export interface ProxyBenchOptions {
  /** Numbers of services, each with endpointsPerService endpoints. */
  sizes: number[];
  endpointsPerService?: number;
  /** One-service endpoint changes measured per size. */
  changes?: number;
  /** Proxy modes measured, each at every size (both by default). */
  modes?: readonly ProxyMode[];
}

/** What both modes' sync results have in common, for the figures. */
interface BenchSync {
  full: boolean;
  endpoints: number;
  /** Lines handed to iptables-restore, or commands in the nft transaction. */
  lines: number;
  /** Rule and object counts the proxy owns afterwards. */
  counts: Record<string, number>;
}

interface BenchProxier {
  p: ProxyProvider & { forceFullSync(): void };
  /** syncProxyRules, its result in common terms. */
  sync(): Promise<BenchSync | undefined>;
  /** Both informers synced: the first, full sync. */
  start(): Promise<BenchSync | undefined>;
}

function newProxier(mode: ProxyMode, ns: string, log: (m: string) => void): BenchProxier {
  const common = {
    hostname: 'bench-node',
    minSyncPeriodMs: 0,
    fullSyncPeriodMs: 24 * 3600_000,
    localDetector: detectLocalByCIDR('10.128.0.0/9'),
    log: Object.assign(log, { v: () => () => undefined }),
  };
  const runner = execRunner(ns);
  if (mode === 'nftables') {
    const p = new NftProxier({ ...common, nftables: new NFTables(runner) });
    const conv = (r: Awaited<ReturnType<NftProxier['syncProxyRules']>>): BenchSync | undefined =>
      r && { full: r.full, endpoints: r.endpoints, lines: r.transactionLines, counts: { chains: r.chains, rules: r.rules, elements: r.elements } };
    return {
      p,
      sync: async () => conv(await p.syncProxyRules()),
      start: async () => {
        void p.onServicesSynced();
        return conv(await p.onEndpointSlicesSynced());
      },
    };
  }
  const p = new Proxier({ ...common, iptables: new IPTables(runner) });
  const conv = (r: Awaited<ReturnType<Proxier['syncProxyRules']>>): BenchSync | undefined =>
    r && { full: r.full, endpoints: r.endpoints, lines: r.restoreLines, counts: { nat_rules: r.natRules, filter_rules: r.filterRules } };
  return {
    p,
    sync: async () => conv(await p.syncProxyRules()),
    start: async () => {
      void p.onServicesSynced();
      return conv(await p.onEndpointSlicesSynced());
    },
  };
}

const ip = (base: number, i: number) => `10.${base + Math.floor(i / 65536)}.${Math.floor(i / 256) % 256}.${i % 256}`;

function service(i: number): Service {
  return {
    metadata: { namespace: 'bench', name: `svc-${i}`, resourceVersion: '1' },
    spec: { clusterIP: ip(96, i + 1), ports: [{ name: 'http', port: 80, protocol: 'TCP' }] },
  };
}

function endpointSlice(i: number, n: number, generation: number): EndpointSlice {
  return {
    metadata: { namespace: 'bench', name: `svc-${i}-1`, resourceVersion: String(generation), labels: { 'kubernetes.io/service-name': `svc-${i}` } },
    addressType: 'IPv4',
    ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    // Endpoint k of service i; every later generation moves the first one to an address of its own.
    endpoints: Array.from({ length: n }, (_, k) => ({
      addresses: [k === 0 && generation > 0 ? ip(160 + (generation % 32), i) : ip(128, i * n + k)],
      conditions: { ready: true },
      nodeName: 'bench-node',
    })),
  };
}

async function timed(b: BenchProxier, change: () => void | Promise<BenchSync | undefined>): Promise<{ ms: number; res: BenchSync }> {
  const t0 = performance.now();
  const started = change();
  const res = started ? await started : await b.sync();
  if (!res) throw new Error('sync failed (see the proxier log above)');
  return { ms: performance.now() - t0, res };
}

export async function benchProxy(ctx: BenchContext, opts: ProxyBenchOptions): Promise<void> {
  const perService = opts.endpointsPerService ?? 2;
  const changes = opts.changes ?? 10;
  for (const size of opts.sizes) {
    for (const mode of opts.modes ?? PROXY_MODES) await benchOne(ctx, mode, size, perService, changes);
  }
}

async function benchOne(ctx: BenchContext, mode: ProxyMode, size: number, perService: number, changes: number): Promise<void> {
  const ns = `tmnl-px-bench-${randomBytes(3).toString('hex')}`;
  await run('ip', ['netns', 'add', ns]);
  try {
    const b = newProxier(mode, ns, (m: string) => ctx.progress(`${mode} proxier: ${m}`));
    const { p } = b;
    const fig = (kind: string, f: Record<string, unknown>) => ctx.emit({ bench: 'proxy-sync', mode, kind, services: size, ...f });
    ctx.progress(`proxy ${mode} ${size} services x ${perService} endpoints: full sync in ${ns}`);
    const meter = ctx.meter();
    const full = await timed(b, () => {
      for (let i = 0; i < size; i++) {
        p.onServiceAdd(service(i));
        p.onEndpointSliceAdd(endpointSlice(i, perService, 0));
      }
      return b.start();
    });
    fig('full', { endpoints: full.res.endpoints, ms: round(full.ms, 1), ...full.res.counts, lines: full.res.lines, ...meter.read() });

    const endpointTimes: number[] = [];
    let lines = 0;
    for (let c = 1; c <= changes; c++) {
      const i = (c * 7919) % size;
      const r = await timed(b, () => p.onEndpointSliceUpdate(undefined, endpointSlice(i, perService, c)));
      if (r.res.full) throw new Error('a one-service change ran a full sync');
      endpointTimes.push(r.ms);
      lines = r.res.lines;
    }
    endpointTimes.sort((x, y) => x - y);
    fig('one-service-endpoints', {
      changes,
      p50_ms: round(percentile(endpointTimes, 50), 1),
      max_ms: round(endpointTimes[endpointTimes.length - 1], 1),
      lines,
    });

    const add = await timed(b, () => {
      p.onServiceAdd(service(size));
      p.onEndpointSliceAdd(endpointSlice(size, perService, 0));
    });
    fig('add-service', { ms: round(add.ms, 1), lines: add.res.lines });
    const del = await timed(b, () => {
      p.onServiceDelete(service(size));
      p.onEndpointSliceDelete(endpointSlice(size, perService, 0));
    });
    fig('delete-service', { ms: round(del.ms, 1), lines: del.res.lines, ...del.res.counts });

    // The periodic full resync, with every rule already in place.
    const resync = await timed(b, () => p.forceFullSync());
    if (!resync.res.full) throw new Error('forced resync was not a full sync');
    fig('full-resync', { ms: round(resync.ms, 1), lines: resync.res.lines });
    await p.stop();
  } finally {
    await run('ip', ['netns', 'del', ns]).catch(() => undefined);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const sizes = (process.argv[2] ?? '1000,5000,10000').split(',').map(Number);
  const modes = (process.argv[3] ?? PROXY_MODES.join(',')).split(',') as ProxyMode[];
  benchProxy(newContext({}), { sizes, modes }).catch((err: Error) => {
    process.stderr.write(`${err.stack ?? err.message}\n`);
    process.exit(1);
  });
}
