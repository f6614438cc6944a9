// The HorizontalPodAutoscaler controller against a real apiserver, with a test
// double for the metrics.k8s.io API: a Deployment's scale subresource is raised
// when pods run hot, and lowered only after the scale-down stabilisation window.
import type { HorizontalPodAutoscaler } from '../../api/autoscaling/v2/types.js';
import { afterAll, beforeAll, describe, it, jest } from '@jest/globals';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject } from '../../api/meta/v1/types.js';
import { HorizontalController } from '../../pkg/controller/podautoscaler/horizontal.js';
import type { MetricsClient, RawPodMetrics } from '../../pkg/controller/podautoscaler/metrics_client.js';
import { parseSelector } from '../../api/labels/selector.js';
import { logger } from '../../pkg/util/log.js';
import { startCluster, type TestCluster } from '../support/cluster.js';
import { rfc3339, setPodStatus, startControllers, until, type RunningControllers } from '../support/controllers.js';

/** The metrics API test double: every selected pod's single container uses `cpuMilli[app]` millicores. */
class FakeMetrics implements MetricsClient {
  cpuMilli: Record<string, number> = {};
  pods: Array<{ name: string; labels: Record<string, string> }> = [];
  async podMetrics(_namespace: string, selector: string): Promise<RawPodMetrics[]> {
    const sel = parseSelector(selector);
    return this.pods
      .filter((p) => sel.matches(p.labels))
      .map((p) => ({
        pod: p.name,
        timestamp: new Date().toISOString(),
        window: '30s',
        containers: [{ name: 'app', usage: { cpu: `${this.cpuMilli[p.labels.app] ?? 0}m`, memory: '10Mi' } }],
      }));
  }
}

jest.setTimeout(90_000);
describe('HorizontalPodAutoscaler controller', () => {
  let c: TestCluster;
  let ctl: RunningControllers;
  const metrics = new FakeMetrics();
  const dir = mkdtempSync(join(tmpdir(), 'hpa-test-'));

  beforeAll(async () => {
    c = await startCluster();
    ctl = startControllers(c, (h) => [
      [new HorizontalController(h.context('horizontal-pod-autoscaler', logger('hpa', -1)), { metrics, syncPeriodMs: 300 }), 1],
    ]);
  });
  afterAll(async () => {
    await ctl?.stop();
    await c?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const deployments = () => ctl.client.resource('apps/v1', 'deployments').namespace('default');
  const replicasOf = async (name: string) => ((await deployments().get(name)).spec as { replicas: number }).replicas;

  /** A Deployment (no controller runs: only its scale subresource matters) and n Ready pods requesting 100m cpu. */
  async function workload(app: string, replicas: number): Promise<void> {
    const labels = { app };
    await deployments().create({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: app },
      spec: { replicas, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'app', image: 'nginx:1.14.2' }] } } },
    } as KubeObject);
    const pods = ctl.client.resource('v1', 'pods').namespace('default');
    const longAgo = rfc3339(Date.now() - 10 * 60_000);
    for (let i = 0; i < replicas; i++) {
      const name = `${app}-${i}`;
      await pods.create({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name, labels },
        spec: { containers: [{ name: 'app', image: 'nginx:1.14.2', resources: { requests: { cpu: '100m' } } }] },
      } as KubeObject);
      await setPodStatus(c, 'default', name, { since: longAgo, status: { startTime: longAgo } });
      metrics.pods.push({ name, labels });
    }
  }

  const hpa = (name: string) => ctl.client.resource<HorizontalPodAutoscaler>('autoscaling/v2', 'horizontalpodautoscalers').namespace('default').get(name);

  it('an autoscaling/v1 HPA at 100% of a 50% target doubles the Deployment and kubectl shows cpu: 100%/50%', async () => {
    await workload('web', 2);
    metrics.cpuMilli.web = 100; // 100m of a 100m request
    const file = join(dir, 'hpa-web.yaml');
    writeFileSync(
      file,
      [
        'apiVersion: autoscaling/v1',
        'kind: HorizontalPodAutoscaler',
        'metadata:',
        '  name: web-scaler',
        'spec:',
        '  scaleTargetRef:',
        '    apiVersion: apps/v1',
        '    kind: Deployment',
        '    name: web',
        '  minReplicas: 1',
        '  maxReplicas: 10',
        '  targetCPUUtilizationPercentage: 50',
        '',
      ].join('\n'),
    );
    await c.kubectl(['apply', '-f', file]);

    await until('web scaled to 4', async () => (await replicasOf('web')) === 4);
    const h = await until('status of web-scaler', async () => {
      const x = await hpa('web-scaler');
      return x.status?.desiredReplicas === 4 && x.status.currentMetrics ? x : undefined;
    });
    assert.ok(h.status?.lastScaleTime);
    assert.deepEqual(h.status?.currentMetrics, [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 100, averageValue: '100m' } } }]);
    const cond = Object.fromEntries((h.status?.conditions ?? []).map((x) => [x.type, `${x.status}/${x.reason}`]));
    assert.equal(cond.ScalingActive, 'True/ValidMetricFound');
    assert.match(cond.AbleToScale, /^True\//);
    assert.equal(cond.ScalingLimited, 'False/DesiredWithinRange');

    const table = (await c.kubectl(['get', 'hpa', 'web-scaler'])).stdout;
    assert.match(table, /^NAME\s+REFERENCE\s+TARGETS\s+MINPODS\s+MAXPODS\s+REPLICAS\s+AGE/m);
    assert.match(table, /web-scaler\s+Deployment\/web\s+cpu: 100%\/50%\s+1\s+10\s+\d+\s+/);

    const events = await until('SuccessfulRescale event', async () => {
      const list = await ctl.client.resource('v1', 'events').namespace('default').list();
      const e = list.items.find(
        (x) => (x as { reason?: string }).reason === 'SuccessfulRescale' && (x as { involvedObject?: { name?: string } }).involvedObject?.name === 'web-scaler',
      );
      return e as { message?: string; type?: string } | undefined;
    });
    assert.equal(events.type, 'Normal');
    assert.equal(events.message, 'New size: 4; reason: cpu resource utilization (percentage of request) above target');

    // Still 2 pods at 100% (no Deployment controller runs): the proposal stays 4, not 8.
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(await replicasOf('web'), 4);
  });

  it('an autoscaling/v2 HPA scales down only after its 2 s stabilisation window', async () => {
    await workload('api', 4);
    metrics.cpuMilli.api = 50; // 50% of request: at target
    await ctl.client
      .resource('autoscaling/v2', 'horizontalpodautoscalers')
      .namespace('default')
      .create({
        apiVersion: 'autoscaling/v2',
        kind: 'HorizontalPodAutoscaler',
        metadata: { name: 'api' },
        spec: {
          scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'api' },
          minReplicas: 1,
          maxReplicas: 10,
          metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }],
          behavior: { scaleDown: { stabilizationWindowSeconds: 2 } },
        },
      } as KubeObject);
    await until('api HPA active at target', async () => {
      const s = (await hpa('api')).status;
      return s?.desiredReplicas === 4 && s.conditions?.some((x) => x.type === 'ScalingActive' && x.status === 'True');
    });
    // Let the 4-replica recommendations age out of the window but keep recording them.
    await new Promise((r) => setTimeout(r, 2500));

    metrics.cpuMilli.api = 10; // 10% of request: wants 1 replica
    const dropped = Date.now();
    const held = await until('ScaleDownStabilized', async () => {
      const s = (await hpa('api')).status;
      return s?.conditions?.find((x) => x.type === 'AbleToScale' && x.reason === 'ScaleDownStabilized');
    });
    assert.equal(held.message, 'recent recommendations were higher than current one, applying the highest recent recommendation');
    assert.equal(await replicasOf('api'), 4, 'still 4 within the window');
    await until('api scaled down to 1', async () => (await replicasOf('api')) === 1);
    const waited = Date.now() - dropped;
    assert.ok(waited >= 1500, `scaled down after ${waited} ms, before the 2 s window`);
    const s = await until('api status', async () => {
      const x = (await hpa('api')).status;
      return x?.desiredReplicas === 1 ? x : undefined;
    });
    assert.equal(s.currentMetrics?.[0]?.resource?.current.averageUtilization, 10);
    const table = (await c.kubectl(['get', 'hpa', 'api'])).stdout;
    assert.match(table, /api\s+Deployment\/api\s+cpu: 10%\/50%\s+1\s+10\s+/);
  });

  it('a target that cannot be scaled is reported on the HPA, not thrown', async () => {
    await ctl.client
      .resource('autoscaling/v2', 'horizontalpodautoscalers')
      .namespace('default')
      .create({
        apiVersion: 'autoscaling/v2',
        kind: 'HorizontalPodAutoscaler',
        metadata: { name: 'ghost' },
        spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'ghost' }, maxReplicas: 3 },
      } as KubeObject);
    const cond = await until('AbleToScale False', async () =>
      (await hpa('ghost')).status?.conditions?.find((x) => x.type === 'AbleToScale' && x.status === 'False'),
    );
    assert.equal(cond.reason, 'FailedGetScale');
    assert.match(cond.message ?? '', /^the HPA controller was unable to get the target's current scale: /);
  });
});
