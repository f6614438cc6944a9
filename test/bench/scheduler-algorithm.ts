// The scheduling algorithm alone, in this process: the default profile over a
// SchedulerCache of N nodes, M pods scheduled and assumed one after another
// (no apiserver, no bindings on the wire). It isolates the CPU the filter/score
// hot path costs per pod from everything the end-to-end scheduler bench also
// measures, so before/after comparisons of plugin work are not lost in noise.
//
//   node dist/test/bench/scheduler-algorithm.js [--nodes=5000] [--pods=10000] [--affinity] [--percentage=0]
import { parseArgs } from 'node:util';
import { SchedulerCache } from '../../pkg/scheduler/cache.js';
import type { Node, Pod, PodSpec } from '../../api/core/v1/types.js';
import { CycleState, type ClusterLister } from '../../pkg/scheduler/framework/types.js';
import { defaultProfile } from '../../pkg/scheduler/plugins/registry.js';
import { schedulePod, type AlgorithmState } from '../../pkg/scheduler/schedule_one.js';
import { round } from './stats.js';

const ZONES = 10;

export interface AlgorithmBenchOptions {
  nodes: number;
  pods: number;
  /** The scheduler bench's affinity variant: preferred anti-affinity on hostname + ScheduleAnyway spread over zones. */
  affinity?: boolean;
  percentageOfNodesToScore?: number;
}

function node(i: number): Node {
  const name = `node-${String(i).padStart(5, '0')}`;
  const resources = { cpu: '4', memory: '32Gi', pods: '110' };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, 'topology.kubernetes.io/zone': `zone-${i % ZONES}` } },
    spec: {},
    status: { allocatable: resources, capacity: resources, conditions: [{ type: 'Ready', status: 'True' }] },
  };
}

function pod(i: number, affinity: boolean): Pod {
  const spec: PodSpec = {
    containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.10', resources: { requests: { cpu: '100m', memory: '100Mi' } } }],
  };
  if (affinity) {
    const selector = { matchLabels: { app: 'bench' } };
    spec.affinity = {
      podAntiAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1, podAffinityTerm: { labelSelector: selector, topologyKey: 'kubernetes.io/hostname' } }],
      },
    };
    spec.topologySpreadConstraints = [{ maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: selector }];
  }
  const name = `pod-${String(i).padStart(6, '0')}`;
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'bench', uid: `uid-${i}`, labels: { app: 'bench' } }, spec };
}

export function benchAlgorithm(opts: AlgorithmBenchOptions): Record<string, number | string | boolean> {
  const cache = new SchedulerCache();
  for (let i = 0; i < opts.nodes; i++) cache.addNode(node(i));
  const lister: ClusterLister = {
    nodes: () => cache.snapshot(),
    nodeInfo: (name) => cache.nodeInfo(name),
    havePodsWithAffinity: () => cache.havePodsWithAffinity(),
    havePodsWithRequiredAntiAffinity: () => cache.havePodsWithRequiredAntiAffinity(),
    imageNumNodes: (image) => cache.imageNumNodes(image),
    get: () => undefined,
    list: () => [],
  };
  const profile = defaultProfile(lister);
  let seed = 1;
  const alg: AlgorithmState = {
    nextStartNodeIndex: 0,
    percentageOfNodesToScore: opts.percentageOfNodesToScore,
    random: () => (seed = (seed * 16807) % 2147483647) / 2147483647,
  };
  const pods = Array.from({ length: opts.pods }, (_, i) => pod(i, opts.affinity ?? false));
  const perNode = new Map<string, number>();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (const p of pods) {
    const host = schedulePod(profile, new CycleState(), p, cache.snapshot(), alg).suggestedHost;
    cache.assume(p, host);
    perNode.set(host, (perNode.get(host) ?? 0) + 1);
  }
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const counts = [...perNode.values()];
  return {
    bench: 'scheduler_algorithm',
    nodes: opts.nodes,
    pods: opts.pods,
    affinity: opts.affinity ?? false,
    us_per_pod: round((ms * 1000) / opts.pods, 1),
    cpu_us_per_pod: round((cpu.user + cpu.system) / opts.pods, 1),
    pods_per_sec: round(opts.pods / (ms / 1000), 0),
    nodes_used: perNode.size,
    max_pods_per_node: Math.max(...counts),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      nodes: { type: 'string', default: '5000' },
      pods: { type: 'string', default: '10000' },
      affinity: { type: 'boolean', default: false },
      percentage: { type: 'string', default: '0' },
    },
    strict: true,
  });
  process.stdout.write(
    JSON.stringify(
      benchAlgorithm({
        nodes: Number(values.nodes),
        pods: Number(values.pods),
        affinity: values.affinity as boolean,
        percentageOfNodesToScore: Number(values.percentage),
      }),
    ) + '\n',
  );
}
