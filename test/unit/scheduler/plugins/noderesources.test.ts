import { test } from '@jest/globals';
import assert from 'node:assert/strict';
import { CycleState, Code } from '../../../../pkg/scheduler/framework/types.js';
import { NodeResourcesFit } from '../../../../pkg/scheduler/plugins/noderesources/fit.js';
import { BalancedAllocation } from '../../../../pkg/scheduler/plugins/noderesources/balanced_allocation.js';
import { podRequests } from '../../../../pkg/scheduler/plugins/helper/resources.js';
import { makeNode, makePod, nodeInfo, scoreWith } from './fixtures.js';

function fit(pod: ReturnType<typeof makePod>, ni: ReturnType<typeof nodeInfo>) {
  const p = new NodeResourcesFit();
  const st = new CycleState();
  assert.equal(p.preFilter(st, pod).status.code, Code.Success);
  return p.filter(st, pod, ni);
}

test('effective request: max(sum of containers, largest init container) + overhead', () => {
  const pod = makePod('p', {
    containers: [
      { name: 'a', resources: { requests: { cpu: '200m', memory: '100Mi' } } },
      { name: 'b', resources: { requests: { cpu: '300m', memory: '100Mi' } } },
    ],
    spec: {
      initContainers: [{ name: 'i', resources: { requests: { cpu: '1', memory: '50Mi' } } }],
      overhead: { cpu: '100m', memory: '10Mi' },
    },
  });
  const r = podRequests(pod);
  assert.equal(r.cpu, 1100);
  assert.equal(r.memory, 210 * 1024 * 1024);
  const nz = podRequests(makePod('q', { containers: [{ name: 'a' }] }), { nonZero: true });
  assert.deepEqual([nz.cpu, nz.memory], [100, 200 * 1024 * 1024]);
});

test('NodeResourcesFit filter: fits, Insufficient cpu/memory, Too many pods, ephemeral-storage, extended', () => {
  const node = makeNode('n1', { cpu: '2', memory: '4Gi', pods: '2', extra: { 'example.com/gpu': '1' } });
  const existing = makePod('e', { cpu: '1500m', memory: '1Gi' });
  const ni = nodeInfo(node, [existing]);
  assert.equal(fit(makePod('ok', { cpu: '500m', memory: '1Gi' }), ni).code, Code.Success);
  const cpu = fit(makePod('cpu', { cpu: '600m' }), ni);
  assert.equal(cpu.code, Code.Unschedulable);
  assert.deepEqual(cpu.reasons, ['Insufficient cpu']);
  assert.deepEqual(fit(makePod('both', { cpu: '1', memory: '4Gi' }), ni).reasons, ['Insufficient cpu', 'Insufficient memory']);
  const full = nodeInfo(node, [existing, makePod('e2')]);
  assert.deepEqual(fit(makePod('one-more'), full).reasons, ['Too many pods']);
  const eph = makePod('eph', { containers: [{ name: 'c', resources: { requests: { 'ephemeral-storage': '200Gi' } } }] });
  assert.deepEqual(fit(eph, ni).reasons, ['Insufficient ephemeral-storage']);
  const gpu = (n: string) => makePod('g', { containers: [{ name: 'c', resources: { requests: { 'example.com/gpu': n } } }] });
  assert.equal(fit(gpu('1'), ni).code, Code.Success);
  assert.deepEqual(fit(gpu('2'), ni).reasons, ['Insufficient example.com/gpu']);
  const other = makePod('o', { containers: [{ name: 'c', resources: { requests: { 'other.io/fpga': '1' } } }] });
  assert.deepEqual(fit(other, ni).reasons, ['Insufficient other.io/fpga']);
});

test('LeastAllocated prefers the emptier node, counting 100m/200Mi for request-less pods', () => {
  const p = new NodeResourcesFit();
  assert.equal(p.weight, 1);
  const empty = nodeInfo(makeNode('empty', { cpu: '4', memory: '8Gi' }));
  const busy = nodeInfo(makeNode('busy', { cpu: '4', memory: '8Gi' }), [makePod('e', { cpu: '2', memory: '4Gi' })]);
  const scores = scoreWith(p, makePod('p', { cpu: '1', memory: '2Gi' }), [empty, busy]);
  // empty: (4-1)/4 -> 75 for both; busy: (4-3)/4 -> 25.
  assert.equal(scores.get('empty'), 75);
  assert.equal(scores.get('busy'), 25);
  // Best-effort pods still count 100m / 200Mi each.
  const bestEffort = nodeInfo(makeNode('be', { cpu: '1', memory: '1Gi' }), [makePod('x'), makePod('y')]);
  const s = scoreWith(p, makePod('z'), [bestEffort]).get('be');
  // cpu: (1000-300)*100/1000 = 70; memory: (1024-600)*100/1024 = 41; mean 55.
  assert.equal(s, 55);
});

test('BalancedAllocation prefers the node whose cpu and memory use stay balanced', () => {
  const p = new BalancedAllocation();
  assert.equal(p.weight, 1);
  const cpuHeavy = nodeInfo(makeNode('cpu-heavy', { cpu: '4', memory: '8Gi' }), [makePod('e', { cpu: '3', memory: '1Gi' })]);
  const balanced = nodeInfo(makeNode('balanced', { cpu: '4', memory: '8Gi' }), [makePod('f', { cpu: '1', memory: '2Gi' })]);
  const scores = scoreWith(p, makePod('p', { cpu: '1', memory: '2Gi' }), [cpuHeavy, balanced]);
  // balanced: 2/4 vs 4/8 -> std 0 -> 100; cpu-heavy: 4/4 vs 3/8 -> std .3125 -> 68.
  assert.equal(scores.get('balanced'), 100);
  assert.equal(scores.get('cpu-heavy'), 68);
});
