// Kinds served at two versions are one set of objects: written at either, read at both.
import { afterAll, beforeAll, describe, it, jest } from '@jest/globals';
import assert from 'node:assert/strict';
import { request, startCluster, type TestCluster } from '../support/cluster.js';

const JSON_HDR = { 'content-type': 'application/json' };

jest.setTimeout(60_000);
describe('multi-version kinds', () => {
  let c: TestCluster;
  beforeAll(async () => {
    c = await startCluster();
  });
  afterAll(async () => {
    await c?.stop();
  });

  it('an autoscaling/v1 HPA reads back at autoscaling/v2 with a CPU metric, and back again', async () => {
    const v1 = {
      apiVersion: 'autoscaling/v1',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'frontend-scaler' },
      spec: { scaleTargetRef: { kind: 'ReplicaSet', name: 'frontend' }, minReplicas: 3, maxReplicas: 10, targetCPUUtilizationPercentage: 50 },
    };
    const created = await request(c, 'POST', '/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers', {
      body: JSON.stringify(v1),
      headers: JSON_HDR,
    });
    assert.equal(created.status, 201, created.body);
    assert.equal((created.json() as { apiVersion: string }).apiVersion, 'autoscaling/v1');
    const v2 = (await request(c, 'GET', '/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers/frontend-scaler')).json() as {
      apiVersion: string;
      spec: { metrics: unknown[] };
    };
    assert.equal(v2.apiVersion, 'autoscaling/v2');
    assert.deepEqual(v2.spec.metrics, [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }]);
    const list = (await request(c, 'GET', '/apis/autoscaling/v1/horizontalpodautoscalers')).json() as {
      items: Array<{ apiVersion: string; spec: { targetCPUUtilizationPercentage: number } }>;
    };
    assert.equal(list.items[0].apiVersion, 'autoscaling/v1');
    assert.equal(list.items[0].spec.targetCPUUtilizationPercentage, 50);
    const table = (await c.kubectl(['get', 'hpa'])).stdout;
    assert.match(table, /frontend-scaler\s+ReplicaSet\/frontend\s+cpu: <unknown>\/50%\s+3\s+10\s+0/);
  });

  it('an events.k8s.io/v1 Event is a core/v1 Event', async () => {
    const ev = {
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: { name: 'e1' },
      eventTime: '2026-11-21T10:00:00.000000Z',
      reportingController: 'example.com/ctl',
      reportingInstance: 'ctl-1',
      action: 'Sync',
      reason: 'Synced',
      note: 'all good',
      type: 'Normal',
      regarding: { kind: 'Pod', name: 'p', namespace: 'default' },
    };
    const created = await request(c, 'POST', '/apis/events.k8s.io/v1/namespaces/default/events', { body: JSON.stringify(ev), headers: JSON_HDR });
    assert.equal(created.status, 201, created.body);
    const core = (await request(c, 'GET', '/api/v1/namespaces/default/events/e1')).json() as Record<string, unknown>;
    assert.equal(core.message, 'all good');
    assert.equal(core.reportingComponent, 'example.com/ctl');
    assert.deepEqual(core.involvedObject, { kind: 'Pod', name: 'p', namespace: 'default' });
    const back = (await request(c, 'GET', '/apis/events.k8s.io/v1/namespaces/default/events/e1')).json() as Record<string, unknown>;
    assert.equal(back.note, 'all good');
    assert.equal(back.apiVersion, 'events.k8s.io/v1');
  });
});
