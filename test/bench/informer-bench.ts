// Informer benchmark: @kubernetes/client-node's makeInformer against pkg/client's
// SharedIndexInformer, on the same apiserver (a separate process) and the same
// 10,000 pods. Figures, one JSON line each:
//  - watch: events/second from start until the handler has seen all 10,000 adds,
//    delivered as one watch (no resourceVersion: the server replays its cache);
//    plus the informer process' CPU time for them.
//  - list: time until synced when the 10,000 pods come from a list.
//  - memory: V8 heap held by an informer caching the 10,000 pods (after GC).
// Each measurement runs in a fresh child process (same file, --one).
// Run standalone: node dist/test/bench/informer-bench.js [pods]
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import vm from 'node:vm';
import { CoreV1Api, KubeConfig, makeInformer, type V1Pod } from '@kubernetes/client-node';
import type { KubeList, KubeObject } from '../../api/meta/v1/types.js';
import { SharedIndexInformer } from '../../pkg/client/informer.js';
import { listerWatcherFor, type ListerWatcher } from '../../pkg/client/reflector.js';
import { Client } from '../../pkg/client/rest.js';
import { startEtcd } from '../support/etcd.js';
import { startAPIServerProcess } from './apiserver-process.js';
import { HTTPSClient } from './https-client.js';
import { createPods, ensureNamespace } from './pods.js';

const NS = 'bench-informer';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

function heapAfterGC(): number {
  for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage().heapUsed;
}

async function until(check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('informer did not see every pod in time');
    await new Promise((r) => setImmediate(r));
  }
}

interface Contender {
  name: string;
  /** Starts an informer; counts adds; `fromWatch` makes the list empty so everything arrives over the watch. */
  start(fromWatch: boolean, onAdd: () => void): Promise<{ size(): number; stop(): Promise<void> }>;
}

function contenders(kc: KubeConfig): Contender[] {
  const core = kc.makeApiClient(CoreV1Api);
  const client = new Client(kc);
  return [
    {
      name: 'client-node makeInformer',
      async start(fromWatch, onAdd) {
        const list = fromWatch
          ? async () => ({ apiVersion: 'v1', kind: 'PodList', metadata: { resourceVersion: '' }, items: [] as V1Pod[] })
          : () => core.listNamespacedPod({ namespace: NS });
        const inf = makeInformer<V1Pod>(kc, `/api/v1/namespaces/${NS}/pods`, list);
        inf.on('add', onAdd);
        await inf.start();
        return { size: () => inf.list(NS).length, stop: () => inf.stop() };
      },
    },
    {
      name: 'pkg/client SharedIndexInformer',
      async start(fromWatch, onAdd) {
        const pods = client.resource('v1', 'pods').namespace(NS);
        const real = listerWatcherFor(pods);
        const lw: ListerWatcher<KubeObject> = fromWatch
          ? { list: async () => ({ apiVersion: 'v1', kind: 'PodList', metadata: { resourceVersion: '' }, items: [] }) as KubeList, watch: real.watch }
          : real;
        const inf = new SharedIndexInformer(lw);
        inf.addEventHandler({ onAdd });
        inf.run();
        return { size: () => inf.indexer.size, stop: () => inf.stop() };
      },
    },
  ];
}

/** One measurement in this (fresh) process, so heap figures are not disturbed by other runs. */
async function measureOne(url: string, caCert: string, name: string, fromWatch: boolean, pods: number): Promise<object> {
  const kc = new KubeConfig();
  kc.loadFromClusterAndUser({ name: 'bench', server: url, caData: Buffer.from(caCert).toString('base64'), skipTLSVerify: false }, { name: 'bench' });
  const c = contenders(kc).find((x) => x.name === name);
  if (!c) throw new Error(`no contender ${name}`);
  const base = heapAfterGC();
  let adds = 0;
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  const inf = await c.start(fromWatch, () => adds++);
  await until(() => adds >= pods && inf.size() >= pods, 120_000);
  const seconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const held = heapAfterGC() - base;
  const line = {
    bench: fromWatch ? 'informer.watch' : 'informer.list',
    informer: c.name,
    pods,
    seconds: +seconds.toFixed(3),
    events_per_second: Math.round(pods / seconds),
    client_cpu_ms: Math.round((cpu.user + cpu.system) / 1000),
    heap_mib_cached: +(held / 1024 / 1024).toFixed(1),
    heap_bytes_per_pod: Math.round(held / pods),
  };
  await inf.stop();
  return line;
}

function runChild(args: string[]): Promise<object> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [fileURLToPath(import.meta.url), '--one', ...args], { maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${err.message}\n${stderr}`));
      else resolve(JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as object);
    });
  });
}

export async function benchInformer(pods = 10_000, print: (line: object) => void = (l) => console.log(JSON.stringify(l)), rounds = 2): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'timonel-informer-bench-'));
  const etcd = await startEtcd();
  const server = await startAPIServerProcess({ etcdEndpoint: etcd.endpoint, dir });
  try {
    const setup = new HTTPSClient(server.url, server.caCert, 16);
    await ensureNamespace(setup, NS);
    const t0 = performance.now();
    await createPods(setup, NS, 'p', pods, 16);
    setup.close();
    print({ bench: 'informer.setup', pods, create_seconds: +((performance.now() - t0) / 1000).toFixed(2) });
    const caFile = join(dir, 'ca.crt');
    writeFileSync(caFile, server.caCert);
    for (let round = 1; round <= rounds; round++) {
      for (const name of ['client-node makeInformer', 'pkg/client SharedIndexInformer']) {
        for (const mode of ['watch', 'list']) {
          print({ ...(await runChild([server.url, caFile, name, mode, String(pods)])), round });
        }
      }
    }
  } finally {
    await server.stop();
    await etcd.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [flag, url, caFile, name, mode, n] = process.argv.slice(2);
  const run =
    flag === '--one'
      ? measureOne(url, readFileSync(caFile, 'utf8'), name, mode === 'watch', Number(n)).then((l) => console.log(JSON.stringify(l)))
      : benchInformer(Number(flag ?? 10_000));
  run.then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
