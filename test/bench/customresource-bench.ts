// Custom resources beside ConfigMaps: create, get and list at each concurrency, each
// custom-resource phase right after the same ConfigMap phase on the same apiserver,
// with the ratio of their operations per second (goal: custom resources at 0.8x or
// better). The pair runs ROUNDS times, alternating, and the ratio is that of the
// median rounds: on a shared machine one round of each is mostly noise. The CRD has a structural schema with defaults, so its objects go through
// schema defaulting, pruning and validation as users' custom resources do.
import type { BenchContext } from './context.js';
import { HTTPSClient } from './https-client.js';
import { CPUMeter } from './procstat.js';
import { runLoad } from './load.js';
import { ensureNamespace } from './pods.js';
import { round, type PhaseFigures } from './stats.js';
import type { APIServerTarget, PodBenchSizes } from './pod-bench.js';

export const GOALS = { ratioVsConfigMap: 0.8 };

const ROUNDS = 3;

const GROUP = 'bench.timonel.dev';
const CRD = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: `benchtabs.${GROUP}` },
  spec: {
    group: GROUP,
    scope: 'Namespaced',
    names: { plural: 'benchtabs', singular: 'benchtab', kind: 'BenchTab' },
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              spec: {
                type: 'object',
                properties: {
                  cronSpec: { type: 'string', pattern: '^(\\d+|\\*)(/\\d+)?(\\s+(\\d+|\\*)(/\\d+)?){4}$' },
                  image: { type: 'string' },
                  replicas: { type: 'integer', minimum: 1, maximum: 10, default: 1 },
                },
              },
            },
          },
        },
      },
    ],
  },
};

type Kind = 'configmap' | 'customresource';

function path(kind: Kind, namespace: string): string {
  return kind === 'configmap' ? `/api/v1/namespaces/${namespace}/configmaps` : `/apis/${GROUP}/v1/namespaces/${namespace}/benchtabs`;
}

/** Bodies of about the same size: two short strings each. */
function body(kind: Kind, name: string): string {
  if (kind === 'configmap')
    return JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { cronSpec: '*/5 * * * *', image: 'busybox' } });
  return JSON.stringify({ apiVersion: `${GROUP}/v1`, kind: 'BenchTab', metadata: { name }, spec: { cronSpec: '*/5 * * * *', image: 'busybox' } });
}

const NS = { create: 'bench-cr-create', list: 'bench-cr-list' };

export async function benchCustomResources(ctx: BenchContext, target: APIServerTarget, sizes: PodBenchSizes): Promise<void> {
  const setup = new HTTPSClient(target.url, target.caCert, 20);
  try {
    const res = await setup.send('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', JSON.stringify(CRD));
    if (res.status !== 201 && res.status !== 409) throw new Error(`creating the CRD: HTTP ${res.status}: ${res.body.slice(0, 300)}`);
    for (let i = 0; ; i++) {
      if ((await setup.send('GET', path('customresource', 'default'))).status === 200) break;
      if (i > 100) throw new Error('the CRD is not served');
      await new Promise((r) => setTimeout(r, 100));
    }
    for (const ns of Object.values(NS)) await ensureNamespace(setup, ns);

    const created = new Map<Kind, string[]>([
      ['configmap', []],
      ['customresource', []],
    ]);
    const phase = async (op: 'create' | 'get' | 'list', kind: Kind, clients: number, round: number): Promise<PhaseFigures & Record<string, number>> => {
      const client = new HTTPSClient(target.url, target.caCert, clients);
      const names = created.get(kind) as string[];
      // Its own meter: phases of both kinds interleave, so none is a CPU-profile window of its own.
      const meter = new CPUMeter(ctx.pids);
      const fig = await runLoad({
        clients,
        ops: op === 'list' ? sizes.listOps(clients) : sizes.ops(clients),
        maxSeconds: sizes.maxSeconds,
        warmupOps: op === 'list' ? clients : undefined,
        op: async (i) => {
          if (op === 'create') {
            const name = i < 0 ? `c${clients}-r${round}-w${-i}` : `c${clients}-r${round}-${i}`;
            await client.expect(201, 'POST', path(kind, NS.create), body(kind, name));
            names.push(name);
          } else if (op === 'get') {
            const name = names[(((i * 7919) % names.length) + names.length) % names.length];
            await client.expect(200, 'GET', `${path(kind, NS.create)}/${name}`);
          } else await client.expect(200, 'GET', path(kind, NS.list));
        },
        onFirstError: (err) => ctx.progress(`${kind} ${op} failed: ${(err as Error).message}`),
      });
      client.close();
      return { ...fig, ...meter.read() };
    };

    /** ROUNDS alternating pairs; each kind's median round is emitted. */
    const pair = async (op: 'create' | 'get' | 'list', clients: number, extra: Record<string, number> = {}) => {
      const rounds: Record<Kind, Array<PhaseFigures & Record<string, number>>> = { configmap: [], customresource: [] };
      for (let r = 0; r < ROUNDS; r++) {
        ctx.progress(`configmap and custom resource ${op}, ${clients} clients, round ${r + 1}/${ROUNDS}`);
        for (const kind of ['configmap', 'customresource'] as const) {
          rounds[kind].push(await phase(op, kind, clients, r));
        }
      }
      const cm = median(rounds.configmap);
      const cr = median(rounds.customresource);
      ctx.emit({ bench: `configmap_${op}`, clients, ...extra, ...cm, rounds: ROUNDS });
      emitRatio(ctx, `customresource_${op}`, clients, cr, cm, { ...extra, rounds: ROUNDS });
    };
    for (const op of ['create', 'get'] as const) for (const clients of sizes.clients) await pair(op, clients);

    ctx.progress(`creating ${sizes.listPods} ConfigMaps and custom resources in ${NS.list} for the list bench`);
    for (const kind of ['configmap', 'customresource'] as const) {
      let next = 0;
      const worker = async () => {
        for (let i = next++; i < sizes.listPods; i = next++)
          await setup.expect(201, 'POST', path(kind, NS.list), body(kind, `l-${String(i).padStart(5, '0')}`));
      };
      await Promise.all(Array.from({ length: 20 }, worker));
    }
    // Custom resources are larger on the wire (a longer apiVersion, generation, the schema's defaults): a list costs more bytes.
    const bytes = async (kind: Kind) => Buffer.byteLength((await setup.expect(200, 'GET', path(kind, NS.list))).body);
    const listBytes = { configmap_response_bytes: await bytes('configmap'), customresource_response_bytes: await bytes('customresource') };
    for (const clients of sizes.clients) await pair('list', clients, { items: sizes.listPods, ...listBytes });
  } finally {
    setup.close();
  }
}

/** The round with the median ops/s. */
function median<T extends PhaseFigures>(rounds: T[]): T {
  return [...rounds].sort((a, b) => a.ops_per_sec - b.ops_per_sec)[Math.floor(rounds.length / 2)];
}

function emitRatio(ctx: BenchContext, bench: string, clients: number, cr: PhaseFigures, cm: PhaseFigures, extra: Record<string, number> = {}): void {
  const ratio = round(cr.ops_per_sec / cm.ops_per_sec);
  ctx.emit({
    bench,
    clients,
    ...extra,
    ...cr,
    configmap_ops_per_sec: cm.ops_per_sec,
    ratio_vs_configmap: ratio,
    goal_ratio: GOALS.ratioVsConfigMap,
    meets_goal: ratio >= GOALS.ratioVsConfigMap,
  });
}
