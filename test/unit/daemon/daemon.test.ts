// DaemonSet controller decisions without an apiserver: node eligibility
// (nodeSelector, required node affinity, taints), the per-node manage decision,
// the rolling-update plan, status counting and history cleanup.
import type { Node, NodeSelectorTerm, Pod, PodSpec, Taint } from '../../../api/core/v1/types.js';
import type { ControllerRevision, DaemonSet } from '../../../api/apps/v1/types.js';
import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { Backoff } from '../../../pkg/controller/daemon/backoff.js';
import { computeHash, revisionsToDelete } from '../../../pkg/controller/daemon/history.js';
import { podsShouldBeOnNode } from '../../../pkg/controller/daemon/manage.js';
import { nodeShouldRunDaemonPod, podMatchesNodeAffinity } from '../../../pkg/controller/daemon/node_predicates.js';
import { toleratesTaint } from '../../../pkg/util/taints.js';
import { calculateStatus } from '../../../pkg/controller/daemon/status.js';
import { planRollingUpdate } from '../../../pkg/controller/daemon/update.js';
import { getTargetNodeName, replaceDaemonSetPodNodeNameNodeAffinity, scaledValueFromIntOrPercent } from '../../../pkg/controller/daemon/util/daemonset_util.js';

const node = (name: string, labels: Record<string, string> = {}, taints: Taint[] = []): Node => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name, labels },
  spec: { taints },
});
const ds = (spec: Partial<PodSpec> = {}, extra: Partial<DaemonSet['spec']> = {}): DaemonSet => ({
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  metadata: { name: 'd', namespace: 'default', uid: 'u1', generation: 1 },
  spec: {
    selector: { matchLabels: { a: 'b' } },
    template: { metadata: { labels: { a: 'b' } }, spec: { containers: [], ...spec } },
    updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } },
    ...extra,
  },
});
const podOn = (name: string, nodeName: string, hash: string, ready: boolean, phase = 'Running', created = '2024-01-01T00:00:00Z'): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default', labels: { a: 'b', 'controller-revision-hash': hash }, creationTimestamp: created },
  spec: { containers: [], affinity: replaceDaemonSetPodNodeNameNodeAffinity(undefined, nodeName) },
  status: { phase, conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
});
const affinity = (...terms: NodeSelectorTerm[]): Partial<PodSpec> => ({
  affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } } },
});
const fits = (spec: Partial<PodSpec>, n: Node) => podMatchesNodeAffinity({ apiVersion: 'v1', kind: 'Pod', metadata: {}, spec: { containers: [], ...spec } }, n);

describe('node eligibility', () => {
  const n = node('n1', { zone: 'a', cores: '8' });
  it('nodeSelector needs every pair', () => {
    assert.equal(fits({ nodeSelector: { zone: 'a' } }, n), true);
    assert.equal(fits({ nodeSelector: { zone: 'a', disk: 'ssd' } }, n), false);
  });
  it('matchExpressions In/NotIn/Exists/DoesNotExist/Gt/Lt, terms ORed', () => {
    const e = (operator: string, key: string, values?: string[]) => affinity({ matchExpressions: [{ key, operator, values }] });
    assert.equal(fits(e('In', 'zone', ['a', 'b']), n), true);
    assert.equal(fits(e('In', 'zone', ['b']), n), false);
    assert.equal(fits(e('NotIn', 'zone', ['b']), n), true);
    assert.equal(fits(e('Exists', 'zone'), n), true);
    assert.equal(fits(e('DoesNotExist', 'zone'), n), false);
    assert.equal(fits(e('Gt', 'cores', ['4']), n), true);
    assert.equal(fits(e('Lt', 'cores', ['4']), n), false);
    assert.equal(fits(e('Gt', 'cores', ['x']), n), false, 'a non-integer Gt is unparsable: no match');
    assert.equal(
      fits(affinity({ matchExpressions: [{ key: 'zone', operator: 'In', values: ['b'] }] }, { matchExpressions: [{ key: 'cores', operator: 'Exists' }] }), n),
      true,
    );
    assert.equal(fits(affinity({}), n), false, 'an empty term matches nothing');
  });
  it('matchFields metadata.name', () => {
    assert.equal(fits(affinity({ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] }), n), true);
    assert.equal(fits(affinity({ matchFields: [{ key: 'metadata.name', operator: 'NotIn', values: ['n1'] }] }), n), false);
    assert.equal(
      fits(affinity({ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n2'] }], matchExpressions: [{ key: 'zone', operator: 'Exists' }] }), n),
      false,
    );
  });
  it('taints: untolerated NoSchedule blocks new pods, NoExecute evicts; default daemon tolerations apply', () => {
    assert.equal(toleratesTaint({ operator: 'Exists' }, { key: 'k', effect: 'NoSchedule' }), true);
    assert.equal(toleratesTaint({ key: 'k', value: 'v', effect: 'NoExecute' }, { key: 'k', value: 'v', effect: 'NoSchedule' }), false);
    assert.deepEqual(nodeShouldRunDaemonPod(node('t', {}, [{ key: 'k', effect: 'NoSchedule' }]), ds()), { shouldRun: false, shouldContinueRunning: true });
    assert.deepEqual(nodeShouldRunDaemonPod(node('t', {}, [{ key: 'k', effect: 'NoExecute' }]), ds()), { shouldRun: false, shouldContinueRunning: false });
    assert.deepEqual(nodeShouldRunDaemonPod(node('t', {}, [{ key: 'k', effect: 'PreferNoSchedule' }]), ds()), { shouldRun: true, shouldContinueRunning: true });
    assert.deepEqual(
      nodeShouldRunDaemonPod(
        node('t', {}, [{ key: 'k', value: 'v', effect: 'NoSchedule' }]),
        ds({ tolerations: [{ key: 'k', operator: 'Equal', value: 'v', effect: 'NoSchedule' }] }),
      ),
      { shouldRun: true, shouldContinueRunning: true },
    );
    assert.equal(
      nodeShouldRunDaemonPod(
        node('t', {}, [
          { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' },
          { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' },
        ]),
        ds(),
      ).shouldRun,
      true,
    );
    assert.equal(nodeShouldRunDaemonPod({ ...node('t'), metadata: { name: 't', deletionTimestamp: '2024-01-01T00:00:00Z' } }, ds()).shouldRun, false);
  });
  it('the target node of an unbound pod is its affinity node', () => {
    assert.equal(getTargetNodeName(podOn('p', 'n7', 'h', false)), 'n7');
  });
});

describe('manage decision', () => {
  const b = () => new Backoff(1000, 60_000, () => 0);
  it('creates where none is, keeps the oldest of two, deletes failed pods with backoff', () => {
    assert.equal(podsShouldBeOnNode(node('n1'), [], ds(), 'h', b(), 0).createOnNode, true);
    const two = [podOn('new', 'n1', 'h', true, 'Running', '2024-01-02T00:00:00Z'), podOn('old', 'n1', 'h', true)];
    assert.deepEqual(
      podsShouldBeOnNode(node('n1'), two, ds(), 'h', b(), 0).podsToDelete.map((p) => p.metadata.name),
      ['new'],
    );
    const backoff = b();
    const failed = [podOn('f', 'n1', 'h', false, 'Failed')];
    const first = podsShouldBeOnNode(node('n1'), failed, ds(), 'h', backoff, 0);
    assert.deepEqual([first.createOnNode, first.podsToDelete.map((p) => p.metadata.name)], [false, ['f']]);
    const again = podsShouldBeOnNode(node('n1'), failed, ds(), 'h', backoff, 500);
    assert.deepEqual([again.podsToDelete.length, again.requeueAfterMs], [0, 1000]);
    assert.deepEqual(podsShouldBeOnNode(node('n1', {}, [{ key: 'x', effect: 'NoExecute' }]), two, ds(), 'h', b(), 0).podsToDelete.length, 2);
  });
});

describe('rolling update plan', () => {
  const nodes = [node('n1'), node('n2'), node('n3'), node('n4')];
  it('deletes at most maxUnavailable available old pods, counting unavailable nodes', () => {
    const m = new Map([
      ['n1', [podOn('a', 'n1', 'old', true)]],
      ['n2', [podOn('b', 'n2', 'old', true)]],
      ['n3', [podOn('c', 'n3', 'old', true)]],
      ['n4', [podOn('d', 'n4', 'old', true)]],
    ]);
    assert.deepEqual(
      planRollingUpdate(ds(), nodes, new Map(m), 'new', 0).oldPodsToDelete.map((p) => p.metadata.name),
      ['a'],
    );
    const d2 = ds({}, { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '50%' } } });
    assert.equal(planRollingUpdate(d2, nodes, new Map(m), 'new', 0).oldPodsToDelete.length, 2);
    // n1 has a new pod not yet ready: the budget is used up; an unready old pod may always go.
    const m2 = new Map(m);
    m2.set('n1', [podOn('a2', 'n1', 'new', false)]);
    m2.set('n2', [podOn('b', 'n2', 'old', false)]);
    assert.deepEqual(
      planRollingUpdate(ds(), nodes, m2, 'new', 0).oldPodsToDelete.map((p) => p.metadata.name),
      ['b'],
    );
  });
  it('surges a new pod first when maxSurge > 0', () => {
    const d = ds({}, { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } } });
    const m = new Map([
      ['n1', [podOn('a', 'n1', 'old', true)]],
      ['n2', [podOn('b', 'n2', 'old', true)]],
    ]);
    const plan = planRollingUpdate(d, nodes.slice(0, 2), m, 'new', 0);
    assert.deepEqual([plan.oldPodsToDelete.length, plan.newNodesToCreate], [0, ['n1']]);
    const m2 = new Map([
      ['n1', [podOn('a', 'n1', 'old', true), podOn('a2', 'n1', 'new', true)]],
      ['n2', [podOn('b', 'n2', 'old', true)]],
    ]);
    assert.deepEqual(
      planRollingUpdate(d, nodes.slice(0, 2), m2, 'new', 0).oldPodsToDelete.map((p) => p.metadata.name),
      ['a'],
    );
  });
  it('scales percentages rounding up', () => {
    assert.equal(scaledValueFromIntOrPercent('10%', 3, true), 1);
    assert.equal(scaledValueFromIntOrPercent(2, 3, true), 2);
  });
});

describe('status and history', () => {
  it('counts desired, current, ready, updated and misscheduled', () => {
    const d = ds({ nodeSelector: { run: 'yes' } });
    const nodes = [node('n1', { run: 'yes' }), node('n2', { run: 'yes' }), node('n3')];
    const m = new Map([
      ['n1', [podOn('a', 'n1', 'h', true)]],
      ['n3', [podOn('c', 'n3', 'old', false)]],
    ]);
    assert.deepEqual(calculateStatus(d, nodes, m, 'h', 0), {
      desiredNumberScheduled: 2,
      currentNumberScheduled: 1,
      numberMisscheduled: 1,
      numberReady: 1,
      updatedNumberScheduled: 1,
      numberAvailable: 1,
      numberUnavailable: 1,
    });
  });
  it('hashes templates stably and prunes old revisions not in use', () => {
    assert.equal(computeHash({ b: 1, a: 2 }), computeHash({ a: 2, b: 1 }));
    assert.notEqual(computeHash({ a: 1 }), computeHash({ a: 1 }, 1));
    const rev = (n: number, h: string): ControllerRevision => ({
      apiVersion: 'apps/v1',
      kind: 'ControllerRevision',
      metadata: { name: `d-${h}`, labels: { 'controller-revision-hash': h } },
      revision: n,
    });
    assert.deepEqual(
      revisionsToDelete([rev(3, 'c'), rev(1, 'a'), rev(2, 'b')], 1, new Set(['a'])).map((r) => r.revision),
      [2, 3],
    );
  });
});
