import { test } from '@jest/globals';
import assert from 'node:assert/strict';
import type { Pod } from '../../../../api/core/v1/types.js';
import { Code } from '../../../../pkg/scheduler/framework/types.js';
import { defaultProfile } from '../../../../pkg/scheduler/plugins/registry.js';
import { FakeLister, makeNode, makePod, nodeInfo, runFilters, runScores } from './fixtures.js';

test('defaultProfile: upstream order and weights', () => {
  const prof = defaultProfile(new FakeLister());
  assert.equal(prof.schedulerName, 'default-scheduler');
  assert.deepEqual(
    prof.filter.map((p) => p.name),
    [
      'NodeUnschedulable',
      'NodeName',
      'TaintToleration',
      'NodeAffinity',
      'NodePorts',
      'NodeResourcesFit',
      'VolumeBinding',
      'PodTopologySpread',
      'InterPodAffinity',
    ],
  );
  assert.deepEqual(
    prof.score.map((p) => [p.name, p.weight]),
    [
      ['TaintToleration', 3],
      ['NodeAffinity', 2],
      ['NodeResourcesFit', 1],
      ['PodTopologySpread', 2],
      ['InterPodAffinity', 2],
      ['NodeResourcesBalancedAllocation', 1],
      ['ImageLocality', 1],
    ],
  );
  assert.deepEqual(
    prof.postFilter.map((p) => p.name),
    ['DefaultPreemption'],
  );
});

test('defaultProfile end to end: the emptier node wins, the tainted node is filtered', () => {
  const nodes = [
    nodeInfo(makeNode('busy'), [makePod('e', { cpu: '3', memory: '6Gi' })]),
    nodeInfo(makeNode('empty')),
    nodeInfo(makeNode('tainted', { taints: [{ key: 'k', value: 'v', effect: 'NoSchedule' }] })),
  ];
  const prof = defaultProfile(new FakeLister(nodes));
  const pod = makePod('p', { cpu: '500m', memory: '1Gi' });
  const { state, statuses, feasible } = runFilters(prof, pod, nodes);
  assert.deepEqual(statuses.get('tainted')!.reasons, ['node(s) had untolerated taint {k: v}']);
  const scores = runScores(prof, state, pod, feasible);
  assert.ok(scores.get('empty')! > scores.get('busy')!);
});

function cluster() {
  // Two 2-cpu nodes full of low-priority pods: n1 holds priority 10 pods, n2 priority 100 pods.
  const nodes = [
    nodeInfo(makeNode('n1', { cpu: '2' }), [makePod('low-a', { cpu: '1', priority: 10 }), makePod('low-b', { cpu: '1', priority: 10 })]),
    nodeInfo(makeNode('n2', { cpu: '2' }), [makePod('mid-a', { cpu: '1', priority: 100 }), makePod('mid-b', { cpu: '1', priority: 100 })]),
  ];
  const lister = new FakeLister(nodes);
  const deleted: string[] = [];
  const nominated: Array<[string, string]> = [];
  const prof = defaultProfile(lister, 'default-scheduler', {
    preemptionWriter: {
      async deletePod(v: Pod) {
        deleted.push(`${v.metadata.name}/${v.metadata.uid}`);
      },
      async setNominatedNodeName(p: Pod, n: string) {
        nominated.push([p.metadata.name ?? '', n]);
      },
    },
  });
  return { nodes, lister, prof, deleted, nominated };
}

test('preemption evicts the fewest, lowest-priority victims and nominates the node', async () => {
  const { nodes, prof, deleted, nominated } = cluster();
  const pod = makePod('high', { cpu: '1', priority: 1000 });
  const { state, statuses, feasible } = runFilters(prof, pod, nodes);
  assert.equal(feasible.length, 0);
  assert.deepEqual(statuses.get('n1')!.reasons, ['Insufficient cpu']);
  const r = await prof.postFilter[0].postFilter(state, pod, statuses);
  assert.equal(r.status.code, Code.Success);
  assert.equal(r.nominatedNodeName, 'n1');
  assert.equal(deleted.length, 1, 'only one victim is needed for 1 cpu');
  assert.match(deleted[0], /^low-[ab]\/uid-low-[ab]-\d+$/);
  assert.deepEqual(nominated, [['high', 'n1']]);
});

test('preemption: a pod between the priorities can only evict on n1; equal priority finds no victims', async () => {
  const { nodes, prof, deleted } = cluster();
  const mid = makePod('mid', { cpu: '2', priority: 50 });
  const f = runFilters(prof, mid, nodes);
  const r = await prof.postFilter[0].postFilter(f.state, mid, f.statuses);
  assert.equal(r.nominatedNodeName, 'n1');
  assert.equal(deleted.length, 2);
  const same = makePod('same', { cpu: '1', priority: 10 });
  const g = runFilters(prof, same, nodes);
  const r2 = await prof.postFilter[0].postFilter(g.state, same, g.statuses);
  assert.equal(r2.status.code, Code.Unschedulable);
  assert.deepEqual(r2.status.reasons, ['preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.']);
});

test('preemption: preemptionPolicy Never does not preempt; unresolvable nodes are not helpful', async () => {
  const { nodes, prof, deleted } = cluster();
  const never = makePod('never', { cpu: '1', priority: 1000, spec: { preemptionPolicy: 'Never' } });
  const f = runFilters(prof, never, nodes);
  const r = await prof.postFilter[0].postFilter(f.state, never, f.statuses);
  assert.equal(r.status.code, Code.Unschedulable);
  assert.deepEqual(r.status.reasons, ['preemption: not eligible due to preemptionPolicy=Never.']);
  assert.equal(r.nominatedNodeName, undefined);
  const picky = makePod('picky', { cpu: '1', priority: 1000, spec: { nodeSelector: { disk: 'ssd' } } });
  const g = runFilters(prof, picky, nodes);
  const r2 = await prof.postFilter[0].postFilter(g.state, picky, g.statuses);
  assert.deepEqual(r2.status.reasons, ['preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.']);
  assert.equal(deleted.length, 0);
});

test('preemption respects PodDisruptionBudgets where possible', async () => {
  const nodes = [
    nodeInfo(makeNode('n1', { cpu: '1' }), [makePod('guarded', { cpu: '1', priority: 10, labels: { app: 'db' } })]),
    nodeInfo(makeNode('n2', { cpu: '1' }), [makePod('free', { cpu: '1', priority: 10, labels: { app: 'web' } })]),
  ];
  const lister = new FakeLister(nodes);
  lister.add('policy/v1', 'poddisruptionbudgets', {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name: 'db', namespace: 'default' },
    spec: { selector: { matchLabels: { app: 'db' } } },
    status: { disruptionsAllowed: 0 },
  } as never);
  const deleted: string[] = [];
  const prof = defaultProfile(lister, 'default-scheduler', {
    preemptionWriter: {
      async deletePod(v) {
        deleted.push(v.metadata.name ?? '');
      },
      async setNominatedNodeName() {},
    },
  });
  const pod = makePod('high', { cpu: '1', priority: 1000 });
  const f = runFilters(prof, pod, nodes);
  const r = await prof.postFilter[0].postFilter(f.state, pod, f.statuses);
  assert.equal(r.nominatedNodeName, 'n2');
  assert.deepEqual(deleted, ['free']);
});
