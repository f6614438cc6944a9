// Pure parts of the ReplicaSet controller: deletion order, slow-start batches,
// status with the ReplicaFailure condition, UID-tracking expectations.
import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { getPodsToDelete } from '../../../pkg/controller/replicaset/pod_ranking.js';
import { slowStartBatch } from '../../../pkg/controller/replicaset/slow_start.js';
import { calculateStatus, statusUpToDate } from '../../../pkg/controller/replicaset/replica_set_status.js';
import { UIDTrackingExpectations } from '../../../pkg/controller/replicaset/expectations.js';
import type { ReplicaSet } from '../../../api/apps/v1/types.js';
import type { Pod } from '../../../api/core/v1/types.js';

function pod(name: string, o: { node?: string; phase?: string; ready?: string; created?: string; restarts?: number; cost?: string } = {}): Pod {
  return {
    metadata: {
      name,
      namespace: 'ns',
      uid: name,
      creationTimestamp: o.created ?? '2024-01-01T00:00:00Z',
      labels: { app: 'a' },
      annotations: o.cost ? { 'controller.kubernetes.io/pod-deletion-cost': o.cost } : undefined,
    },
    spec: { nodeName: o.node, containers: [{ name: 'c' }] },
    status: {
      phase: o.phase ?? 'Running',
      conditions: o.ready ? [{ type: 'Ready', status: 'True', lastTransitionTime: o.ready }] : [{ type: 'Ready', status: 'False' }],
      containerStatuses: [{ name: 'c', image: 'i', imageID: '', ready: !!o.ready, restartCount: o.restarts ?? 0 }],
    },
  };
}

const order = (pods: Pod[]) => getPodsToDelete(pods, pods, pods.length - 1).map((p) => p.metadata.name);

describe('getPodsToDelete (ActivePodsWithRanks)', () => {
  it('orders by each key in turn', () => {
    assert.deepEqual(
      order([pod('assigned', { node: 'n', ready: 'x' }), pod('unassigned', { ready: 'x' }), pod('keep', { node: 'm', ready: '2020-01-01T00:00:00Z' })]).slice(
        0,
        1,
      ),
      ['unassigned'],
    );
    assert.deepEqual(order([pod('running', { node: 'n' }), pod('unknown', { node: 'n', phase: 'Unknown' }), pod('pending', { node: 'n', phase: 'Pending' })]), [
      'pending',
      'unknown',
    ]);
    assert.deepEqual(order([pod('ready', { node: 'n', ready: '2024-01-01T00:00:00Z' }), pod('notready', { node: 'n' })]), ['notready']);
    assert.deepEqual(order([pod('cheap', { node: 'n', cost: '-5' }), pod('dear', { node: 'n', cost: '10' }), pod('plain', { node: 'n' })]), ['cheap', 'plain']);
    // two related pods on node n, one on m: the doubled-up one goes first
    assert.deepEqual(
      order([pod('m1', { node: 'm' }), pod('n1', { node: 'n', created: '2020-01-01T00:00:00Z' }), pod('n2', { node: 'n', created: '2020-01-01T00:00:00Z' })])
        .slice(0, 1)
        .map((n) => n?.[0]),
      ['n'],
    );
    assert.deepEqual(order([pod('long', { node: 'n', ready: '2024-01-01T00:00:00Z' }), pod('short', { node: 'n', ready: '2024-06-01T00:00:00Z' })]), ['short']);
    assert.deepEqual(order([pod('few', { node: 'n', restarts: 1 }), pod('many', { node: 'n', restarts: 7 })]), ['many']);
    assert.deepEqual(order([pod('old', { node: 'n', created: '2023-01-01T00:00:00Z' }), pod('new', { node: 'n', created: '2024-01-01T00:00:00Z' })]), ['new']);
  });
});

describe('slowStartBatch', () => {
  it('runs 1, 2, 4, … and stops after the first failing batch', async () => {
    let calls = 0;
    const all = await slowStartBatch(10, 1, async () => {
      calls++;
    });
    assert.deepEqual([all.successes, calls, all.error], [10, 10, undefined]);
    calls = 0;
    const failing = await slowStartBatch(10, 1, async () => {
      calls++;
      if (calls === 3) throw new Error('quota');
    });
    // batches 1 (ok), 2 (one fails) → stop: 3 calls, 2 successes
    assert.equal(calls, 3);
    assert.equal(failing.successes, 2);
    assert.equal((failing.error as Error).message, 'quota');
  });
});

describe('calculateStatus', () => {
  const rs: ReplicaSet = {
    metadata: { name: 'r', generation: 2 },
    spec: { replicas: 3, minReadySeconds: 10, selector: { matchLabels: { app: 'a' } }, template: { metadata: { labels: { app: 'a', tier: 't' } } } },
    status: { replicas: 0, observedGeneration: 1 },
  };
  it('counts fully labeled, ready and available pods; sets and clears ReplicaFailure', () => {
    const now = Date.parse('2024-01-01T00:01:00Z');
    const full = pod('full', { ready: '2024-01-01T00:00:00Z' });
    full.metadata.labels = { app: 'a', tier: 't' };
    const fresh = pod('fresh', { ready: '2024-01-01T00:00:55Z' });
    const st = calculateStatus(rs, [full, fresh, pod('notready')], { error: new Error('pods "x" is forbidden: exceeded quota'), reason: 'FailedCreate' }, now);
    assert.equal(st.replicas, 3);
    assert.equal(st.fullyLabeledReplicas, 1);
    assert.equal(st.readyReplicas, 2);
    assert.equal(st.availableReplicas, 1);
    assert.deepEqual(st.conditions, [
      {
        type: 'ReplicaFailure',
        status: 'True',
        lastTransitionTime: '2024-01-01T00:01:00Z',
        reason: 'FailedCreate',
        message: 'pods "x" is forbidden: exceeded quota',
      },
    ]);
    const failed = { ...rs, status: { ...st, observedGeneration: 2 } };
    assert.ok(
      statusUpToDate(failed, calculateStatus(failed, [full, fresh, pod('notready')], { error: new Error('again'), reason: 'FailedCreate' }, now)),
      'an existing failure condition is kept as is',
    );
    const cleared = calculateStatus(failed, [full], undefined, now);
    assert.equal(cleared.conditions, undefined);
    assert.ok(!statusUpToDate(rs, { ...st }), 'observedGeneration behind generation needs a write');
  });
});

describe('UIDTrackingExpectations', () => {
  it('counts a pod deletion once, however often it is observed', () => {
    const e = new UIDTrackingExpectations();
    assert.ok(e.satisfied('ns/r'));
    e.expectDeletions('ns/r', ['ns/a', 'ns/b']);
    e.deletionObserved('ns/r', 'ns/a');
    e.deletionObserved('ns/r', 'ns/a');
    assert.ok(!e.satisfied('ns/r'));
    e.deletionObserved('ns/r', 'ns/b');
    assert.ok(e.satisfied('ns/r'));
    e.expectCreations('ns/r', 1);
    assert.ok(!e.satisfied('ns/r'));
    e.creationObserved('ns/r');
    assert.ok(e.satisfied('ns/r'));
  });
});
