// Proxy sync benchmark: the iptables proxier (in this process) programming a
// network namespace of its own, fed Services and EndpointSlices directly (the
// informers are not what is measured). Per size (services x endpoints each):
//  - full: the first sync, every chain written in one iptables-restore;
//  - endpoints: one service's endpoints change (one replaced), the partial sync
//    that follows, repeated; what a rollout or a pod restart costs;
//  - add / delete: one service created, then deleted;
//  - full-resync: the periodic full sync, over rules already in place;
//  - the rule counts the proxy owns afterwards.
// Times are from the change reaching the proxier to iptables-restore returning.
// Run standalone: node dist/test/bench/proxy-bench.js [sizes, e.g. 1000,5000,10000]
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { execRunner } from '../../pkg/proxy/exec.js';
import { IPTables } from '../../pkg/proxy/iptables/iptables.js';
import { Proxier, type SyncResult } from '../../pkg/proxy/iptables/proxier.js';
import { detectLocalByCIDR } from '../../pkg/proxy/iptables/servicerules.js';
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
    // Endpoint k of service i; a generation shifts one of them to a new address.
    endpoints: Array.from({ length: n }, (_, k) => ({
      addresses: [ip(128, (i * n + k) * 2 + (k === 0 ? generation % 2 : 0))],
      conditions: { ready: true },
      nodeName: 'bench-node',
    })),
  };
}

async function timed(p: Proxier, change: () => void | Promise<SyncResult | undefined>): Promise<{ ms: number; res: SyncResult }> {
  const t0 = performance.now();
  const started = change();
  const res = started ? await started : await p.syncProxyRules();
  if (!res) throw new Error('sync failed (see the proxier log above)');
  return { ms: performance.now() - t0, res };
}

export async function benchProxy(ctx: BenchContext, opts: ProxyBenchOptions): Promise<void> {
  const perService = opts.endpointsPerService ?? 2;
  const changes = opts.changes ?? 10;
  for (const size of opts.sizes) {
    const ns = `tmnl-px-bench-${randomBytes(3).toString('hex')}`;
    await run('ip', ['netns', 'add', ns]);
    try {
      const p = new Proxier({
        iptables: new IPTables(execRunner(ns)),
        hostname: 'bench-node',
        minSyncPeriodMs: 0,
        fullSyncPeriodMs: 24 * 3600_000,
        localDetector: detectLocalByCIDR('10.128.0.0/9'),
        log: Object.assign((m: string) => ctx.progress(`proxier: ${m}`), { v: () => () => undefined }),
      });
      ctx.progress(`proxy ${size} services x ${perService} endpoints: full sync in ${ns}`);
      const meter = ctx.meter();
      const full = await timed(p, () => {
        for (let i = 0; i < size; i++) {
          p.onServiceAdd(service(i));
          p.onEndpointSliceAdd(endpointSlice(i, perService, 0));
        }
        void p.onServicesSynced();
        // Both informers synced: this starts the first, full sync.
        return p.onEndpointSlicesSynced();
      });
      ctx.emit({
        bench: 'proxy-sync',
        kind: 'full',
        services: size,
        endpoints: full.res.endpoints,
        ms: round(full.ms, 1),
        nat_rules: full.res.natRules,
        filter_rules: full.res.filterRules,
        restore_lines: full.res.restoreLines,
        ...meter.read(),
      });

      const endpointTimes: number[] = [];
      let lines = 0;
      for (let c = 1; c <= changes; c++) {
        const i = (c * 7919) % size;
        const r = await timed(p, () => p.onEndpointSliceUpdate(undefined, endpointSlice(i, perService, c)));
        if (r.res.full) throw new Error('a one-service change ran a full sync');
        endpointTimes.push(r.ms);
        lines = r.res.restoreLines;
      }
      endpointTimes.sort((a, b) => a - b);
      ctx.emit({
        bench: 'proxy-sync',
        kind: 'one-service-endpoints',
        services: size,
        changes,
        p50_ms: round(percentile(endpointTimes, 50), 1),
        max_ms: round(endpointTimes[endpointTimes.length - 1], 1),
        restore_lines: lines,
      });

      const add = await timed(p, () => {
        p.onServiceAdd(service(size));
        p.onEndpointSliceAdd(endpointSlice(size, perService, 0));
      });
      ctx.emit({ bench: 'proxy-sync', kind: 'add-service', services: size, ms: round(add.ms, 1), restore_lines: add.res.restoreLines });
      const del = await timed(p, () => {
        p.onServiceDelete(service(size));
        p.onEndpointSliceDelete(endpointSlice(size, perService, 0));
      });
      ctx.emit({
        bench: 'proxy-sync',
        kind: 'delete-service',
        services: size,
        ms: round(del.ms, 1),
        restore_lines: del.res.restoreLines,
        nat_rules: del.res.natRules,
      });

      // The periodic full resync, with every rule already in place.
      const resync = await timed(p, () => p.forceFullSync());
      if (!resync.res.full) throw new Error('forced resync was not a full sync');
      ctx.emit({ bench: 'proxy-sync', kind: 'full-resync', services: size, ms: round(resync.ms, 1), restore_lines: resync.res.restoreLines });
      await p.stop();
    } finally {
      await run('ip', ['netns', 'del', ns]).catch(() => undefined);
    }
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const sizes = (process.argv[2] ?? '1000,5000,10000').split(',').map(Number);
  benchProxy(newContext({}), { sizes }).catch((err: Error) => {
    process.stderr.write(`${err.stack ?? err.message}\n`);
    process.exit(1);
  });
}
