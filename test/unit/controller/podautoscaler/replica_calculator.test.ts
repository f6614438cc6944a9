// The replica calculation against upstream's cases (replica_calculator_test.go),
// with a fake metrics API and an in-memory pod list.
import type { Pod } from '../../../../api/core/v1/types.js';
import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { ReplicaCalculator } from '../../../../pkg/controller/podautoscaler/replica_calculator.js';
import {
  getResourceMetric,
  milliValue,
  parseDuration,
  type MetricsClient,
  type RawPodMetrics,
} from '../../../../pkg/controller/podautoscaler/metrics_client.js';
import { parseSelector } from '../../../../api/labels/selector.js';

const NOW = Date.parse('2024-01-01T12:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();

interface Case {
  requests: string[];
  /** Usage in millicores per pod; undefined: the metrics API has nothing for that pod. */
  levels: Array<number | undefined>;
  ready?: Array<'True' | 'False'>;
  phases?: string[];
  /** Pod start time, ms before NOW (default 10 minutes: past the cpu initialisation period). */
  startedAgoMs?: number;
  readySinceAgoMs?: number;
  resource?: string;
}

function setup(c: Case): { calc: ReplicaCalculator; calls: string[] } {
  const pods: Pod[] = c.requests.map((req, i) => ({
    metadata: { name: `pod-${i}`, namespace: 'default', labels: { app: 'web' } },
    spec: { containers: [{ name: 'c', resources: { requests: { [c.resource ?? 'cpu']: req } } }] },
    status: {
      phase: c.phases?.[i] ?? 'Running',
      startTime: iso(NOW - (c.startedAgoMs ?? 600_000)),
      conditions: [{ type: 'Ready', status: c.ready?.[i] ?? 'True', lastTransitionTime: iso(NOW - (c.readySinceAgoMs ?? 600_000)) }],
    },
  }));
  const calls: string[] = [];
  const metrics: MetricsClient = {
    async podMetrics(namespace, selector) {
      calls.push(`${namespace}?${selector}`);
      const out: RawPodMetrics[] = [];
      c.levels.forEach((v, i) => {
        if (v !== undefined)
          out.push({ pod: `pod-${i}`, timestamp: iso(NOW - 5_000), window: '30s', containers: [{ name: 'c', usage: { [c.resource ?? 'cpu']: `${v}m` } }] });
      });
      return out;
    },
  };
  const calc = new ReplicaCalculator({ metrics, listPods: (_ns, sel) => pods.filter((p) => sel.matches(p.metadata.labels)), now: () => NOW });
  return { calc, calls };
}

const sel = parseSelector('app=web');

describe('ReplicaCalculator.getResourceReplicas (Utilization)', () => {
  it('scales up: 3 pods at 30/50/70% of 1 cpu, target 30% → 5 (utilisation 50%)', async () => {
    const { calc, calls } = setup({ requests: ['1', '1', '1'], levels: [300, 500, 700] });
    const r = await calc.getResourceReplicas(3, 30, 'cpu', 'default', sel);
    assert.equal(r.replicas, 5);
    assert.equal(r.utilization, 50);
    assert.equal(r.rawAverage, 500);
    assert.deepEqual(calls, ['default?app=web']);
  });

  it('scales down: 5 pods averaging 28%, target 50% → 3', async () => {
    const { calc } = setup({ requests: ['1', '1', '1', '1', '1'], levels: [100, 300, 500, 250, 250] });
    const r = await calc.getResourceReplicas(5, 50, 'cpu', 'default', sel);
    assert.deepEqual([r.replicas, r.utilization], [3, 28]);
  });

  it('within the 0.1 tolerance keeps the current count', async () => {
    const { calc } = setup({ requests: ['900m', '1', '1100m'], levels: [1010, 1030, 1020] });
    const r = await calc.getResourceReplicas(3, 100, 'cpu', 'default', sel);
    assert.deepEqual([r.replicas, r.utilization], [3, 102]);
  });

  it('an unready pod counts as 0% on a scale up (3 pods, one unready, target 30% → 4, not 5)', async () => {
    const { calc } = setup({ requests: ['1', '1', '1'], levels: [300, 500, 700], ready: ['False', 'True', 'True'] });
    const r = await calc.getResourceReplicas(3, 30, 'cpu', 'default', sel);
    assert.deepEqual([r.replicas, r.utilization], [4, 60]);
  });

  it('a Pending pod is treated as unready', async () => {
    const { calc } = setup({ requests: ['1', '1', '1'], levels: [300, 500, 700], phases: ['Pending', 'Running', 'Running'] });
    assert.equal((await calc.getResourceReplicas(3, 30, 'cpu', 'default', sel)).replicas, 4);
  });

  it('a cpu sample taken across a recent readiness transition is ignored during initialisation', async () => {
    // Started 1 minute ago, Ready 10 s ago; the sample (5 s ago over 30 s) spans the transition.
    const { calc } = setup({ requests: ['1', '1', '1'], levels: [300, 500, 700], startedAgoMs: 60_000, readySinceAgoMs: 10_000 });
    await assert.rejects(calc.getResourceReplicas(3, 30, 'cpu', 'default', sel), /did not receive metrics for targeted pods \(pods might be unready\)/);
  });

  it('memory ignores readiness', async () => {
    const { calc } = setup({ requests: ['100Mi', '100Mi'], levels: [104_857_600_000, 104_857_600_000], ready: ['False', 'False'], resource: 'memory' });
    const r = await calc.getResourceReplicas(2, 50, 'memory', 'default', sel);
    assert.deepEqual([r.replicas, r.utilization], [4, 100]);
  });

  it('missing metrics on a scale down count as 100% of request (4 pods, 3 at 10%, target 50% → 3, not 1)', async () => {
    const { calc } = setup({ requests: ['1', '1', '1', '1'], levels: [100, 100, 100, undefined] });
    const r = await calc.getResourceReplicas(4, 50, 'cpu', 'default', sel);
    assert.deepEqual([r.replicas, r.utilization], [3, 10]);
  });

  it('missing metrics on a scale up count as 0%, and a flip of direction keeps the count', async () => {
    // One pod at 100% against 50% says "double"; with the other three at 0% it would say "halve".
    const { calc } = setup({ requests: ['1', '1', '1', '1'], levels: [1000, undefined, undefined, undefined] });
    assert.equal((await calc.getResourceReplicas(4, 50, 'cpu', 'default', sel)).replicas, 4);
  });

  it('missing metrics with usage exactly at target change nothing', async () => {
    const { calc } = setup({ requests: ['1', '1'], levels: [1000, undefined] });
    assert.equal((await calc.getResourceReplicas(2, 100, 'cpu', 'default', sel)).replicas, 2);
  });

  it('errors as upstream: no metrics, no pods, missing request', async () => {
    await assert.rejects(
      setup({ requests: ['1'], levels: [undefined] }).calc.getResourceReplicas(1, 50, 'cpu', 'default', sel),
      /no metrics returned from resource metrics API/,
    );
    await assert.rejects(
      setup({ requests: [], levels: [100] }).calc.getResourceReplicas(1, 50, 'cpu', 'default', sel),
      /no pods returned by selector while calculating replica count/,
    );
    const { calc } = setup({ requests: ['1'], levels: [100] });
    await assert.rejects(calc.getResourceReplicas(1, 50, 'memory', 'default', sel), /no metrics returned from resource metrics API|did not receive metrics/);
  });

  it('a container without a request is an error', async () => {
    const { calc } = setup({ requests: ['1', 'x'], levels: [100, 100] });
    await assert.rejects(calc.getResourceReplicas(2, 50, 'cpu', 'default', sel), /missing request for cpu in container c of Pod pod-1/);
  });
});

describe('ReplicaCalculator.getRawResourceReplicas (AverageValue)', () => {
  it('3 pods at 500m against 250m average → 6', async () => {
    const { calc } = setup({ requests: ['1', '1', '1'], levels: [500, 500, 500] });
    const r = await calc.getRawResourceReplicas(3, 250, 'cpu', 'default', sel);
    assert.deepEqual([r.replicas, r.rawAverage], [6, 500]);
  });

  it('missing pods on a scale down count as the target', async () => {
    const { calc } = setup({ requests: ['1', '1', '1', '1'], levels: [50, 50, 50, undefined] });
    // 50m each vs 250m: 0.2 → 1 without the missing pod; with it at 250m: 400/4=100m → 0.4 → 2.
    assert.equal((await calc.getRawResourceReplicas(4, 250, 'cpu', 'default', sel)).replicas, 2);
  });
});

describe('metrics helpers', () => {
  it('parses Go durations and quantities to milli-values', () => {
    assert.equal(parseDuration('30s'), 30_000);
    assert.equal(parseDuration('1m0s'), 60_000);
    assert.equal(parseDuration('1.5s'), 1500);
    assert.equal(parseDuration('bogus'), 0);
    assert.equal(milliValue('250m'), 250);
    assert.equal(milliValue('2'), 2000);
    assert.equal(milliValue('1Ki'), 1_024_000);
    assert.equal(milliValue('nope'), undefined);
  });

  it('a pod lacking the resource in any container is missing; containers are summed', async () => {
    const m: MetricsClient = {
      async podMetrics(): Promise<RawPodMetrics[]> {
        return [
          {
            pod: 'a',
            timestamp: iso(NOW),
            window: '30s',
            containers: [
              { name: 'x', usage: { cpu: '100m' } },
              { name: 'y', usage: { cpu: '50m' } },
            ],
          },
          {
            pod: 'b',
            timestamp: iso(NOW),
            window: '30s',
            containers: [
              { name: 'x', usage: { cpu: '100m' } },
              { name: 'y', usage: { memory: '1Mi' } },
            ],
          },
          { pod: 'c', timestamp: iso(NOW), window: '30s', containers: [] },
        ];
      },
    };
    const { metrics } = await getResourceMetric(m, 'cpu', 'default', '');
    assert.deepEqual([...metrics.keys()], ['a']);
    assert.equal(metrics.get('a')?.value, 150);
    assert.equal((await getResourceMetric(m, 'cpu', 'default', '', 'y')).metrics.get('a')?.value, 50);
  });
});
