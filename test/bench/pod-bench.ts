// Pod create, get and list through the apiserver at several concurrencies,
// with the etcd put ceiling measured in the same run for comparison.
import type { BenchContext } from './context.js';
import { HTTPSClient } from './https-client.js';
import { runLoad } from './load.js';
import { createPods, ensureNamespace, podBody, podsPath } from './pods.js';
import { round, type PhaseFigures } from './stats.js';

export interface PodBenchSizes {
  clients: number[];
  ops(clients: number): number;
  listOps(clients: number): number;
  maxSeconds: number;
  /** Pods in the namespace that list reads. */
  listPods: number;
}

export interface APIServerTarget {
  url: string;
  caCert: string;
}

/** Goals the figures are read against. */
export const GOALS = { createRatioVsEtcdPut: 0.5, getP99MsAt100: 10 };

const CREATE_NS = 'bench-create';
const LIST_NS = 'bench-list';

export async function benchPods(ctx: BenchContext, target: APIServerTarget, sizes: PodBenchSizes, etcdPuts: Map<number, PhaseFigures>): Promise<void> {
  const setup = new HTTPSClient(target.url, target.caCert, 20);
  const created: string[] = [];
  try {
    await ensureNamespace(setup, CREATE_NS);

    for (const clients of sizes.clients) {
      ctx.progress(`pod create, ${clients} clients`);
      const client = new HTTPSClient(target.url, target.caCert, clients);
      const meter = ctx.meter();
      const fig = await runLoad({
        clients,
        ops: sizes.ops(clients),
        maxSeconds: sizes.maxSeconds,
        op: async (i) => {
          const name = i < 0 ? `c${clients}-w${-i}` : `c${clients}-${i}`;
          await client.expect(201, 'POST', podsPath(CREATE_NS), podBody(name));
          created.push(name);
        },
        onFirstError: (err) => ctx.progress(`pod create failed: ${(err as Error).message}`),
      });
      client.close();
      const put = etcdPuts.get(clients);
      const ratio = put ? round(fig.ops_per_sec / put.ops_per_sec) : NaN;
      ctx.emit({
        bench: 'pod_create',
        clients,
        ...fig,
        etcd_put_ops_per_sec: put?.ops_per_sec ?? NaN,
        create_ratio_vs_etcd_put: ratio,
        goal_create_ratio: GOALS.createRatioVsEtcdPut,
        meets_goal: ratio >= GOALS.createRatioVsEtcdPut,
        ...meter.read(),
      });
    }
    if (created.length === 0) throw new Error('no pod was created: the get and list benches need some');

    for (const clients of sizes.clients) {
      ctx.progress(`pod get, ${clients} clients`);
      const client = new HTTPSClient(target.url, target.caCert, clients);
      const meter = ctx.meter();
      const fig = await runLoad({
        clients,
        ops: sizes.ops(clients),
        maxSeconds: sizes.maxSeconds,
        op: async (i) => {
          const name = created[(((i * 7919) % created.length) + created.length) % created.length];
          await client.expect(200, 'GET', `${podsPath(CREATE_NS)}/${name}`);
        },
        onFirstError: (err) => ctx.progress(`pod get failed: ${(err as Error).message}`),
      });
      client.close();
      const goal: Record<string, number | boolean> = clients === 100 ? { goal_p99_ms: GOALS.getP99MsAt100, meets_goal: fig.p99_ms <= GOALS.getP99MsAt100 } : {};
      ctx.emit({ bench: 'pod_get', clients, ...fig, ...goal, ...meter.read() });
    }

    ctx.progress(`creating ${sizes.listPods} pods in ${LIST_NS} for the list bench`);
    await ensureNamespace(setup, LIST_NS);
    await createPods(setup, LIST_NS, 'l', sizes.listPods, 20);
    const check = await setup.expect(200, 'GET', podsPath(LIST_NS));
    const items = (JSON.parse(check.body) as { items: unknown[] }).items.length;
    if (items !== sizes.listPods) throw new Error(`${LIST_NS} lists ${items} pods, want ${sizes.listPods}`);
    const bytes = Buffer.byteLength(check.body);

    for (const [bench, query] of [
      ['pod_list', ''],
      ['pod_list_rv0', '?resourceVersion=0'],
    ] as const) {
      for (const clients of sizes.clients) {
        ctx.progress(`${bench} (${sizes.listPods} pods), ${clients} clients`);
        const client = new HTTPSClient(target.url, target.caCert, clients);
        const meter = ctx.meter();
        const fig = await runLoad({
          clients,
          ops: sizes.listOps(clients),
          maxSeconds: sizes.maxSeconds,
          warmupOps: clients, // one per connection: a TLS handshake is not what list measures
          op: async () => {
            await client.expect(200, 'GET', podsPath(LIST_NS) + query);
          },
          onFirstError: (err) => ctx.progress(`${bench} failed: ${(err as Error).message}`),
        });
        client.close();
        ctx.emit({ bench, clients, items: sizes.listPods, response_bytes: bytes, ...fig, ...meter.read() });
      }
    }
  } finally {
    setup.close();
  }
}
