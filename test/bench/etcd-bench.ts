// The ceiling: raw etcd put and single-key range through the etcd v3 client the
// apiserver's storage uses (`etcd3`), against its etcd, under a prefix the apiserver never reads.
import { Etcd3 } from 'etcd3';
import { prefixEnd } from '../../pkg/storage/etcd.js';
import type { BenchContext } from './context.js';
import { runLoad } from './load.js';
import type { PhaseFigures } from './stats.js';

export interface EtcdBenchSizes {
  clients: number[];
  ops(clients: number): number;
  maxSeconds: number;
  /** About the size of a stored pod, so puts compare fairly with pod creates. */
  valueBytes: number;
}

const PREFIX = '/bench/etcd/';
const KEYS = 1000;

function keyOf(i: number): string {
  return `${PREFIX}${String(((i % KEYS) + KEYS) % KEYS).padStart(4, '0')}`;
}

/** Keys as the apiserver passes them: a fresh Buffer per call. */
function keyBytes(i: number): Buffer {
  return Buffer.from(keyOf(i));
}

/** Runs put then range at each concurrency; returns the put figures by client count. */
export async function benchEtcd(ctx: BenchContext, endpoint: string, sizes: EtcdBenchSizes): Promise<Map<number, PhaseFigures>> {
  const puts = new Map<number, PhaseFigures>();
  const client = new Etcd3({ hosts: [endpoint] });
  const value = Buffer.alloc(sizes.valueBytes, 'x');
  try {
    for (const clients of sizes.clients) {
      ctx.progress(`etcd put, ${clients} clients`);
      const meter = ctx.meter();
      const fig = await runLoad({
        clients,
        ops: sizes.ops(clients),
        maxSeconds: sizes.maxSeconds,
        op: async (i) => {
          await client.kv.put({ key: keyBytes(i), value });
        },
        onFirstError: (err) => ctx.progress(`etcd put failed: ${(err as Error).message}`),
      });
      puts.set(clients, fig);
      ctx.emit({ bench: 'etcd_put', clients, ...fig, value_bytes: sizes.valueBytes, ...meter.read() });
    }
    // Every key the range phase reads exists, whatever the put phases covered.
    for (let i = 0; i < KEYS; i += 100) {
      await Promise.all(Array.from({ length: 100 }, (_, j) => client.kv.put({ key: keyBytes(i + j), value })));
    }
    for (const clients of sizes.clients) {
      ctx.progress(`etcd range (single key), ${clients} clients`);
      const meter = ctx.meter();
      const fig = await runLoad({
        clients,
        ops: sizes.ops(clients),
        maxSeconds: sizes.maxSeconds,
        op: async (i) => {
          const res = await client.kv.range({ key: keyBytes(i) });
          if (!res.kvs.length) throw new Error(`etcd range: ${keyOf(i)} missing`);
        },
        onFirstError: (err) => ctx.progress(`etcd range failed: ${(err as Error).message}`),
      });
      ctx.emit({ bench: 'etcd_range', clients, ...fig, value_bytes: sizes.valueBytes, ...meter.read() });
    }
    await client.kv.deleteRange({ key: Buffer.from(PREFIX), range_end: prefixEnd(PREFIX) });
  } finally {
    client.close();
  }
  return puts;
}
