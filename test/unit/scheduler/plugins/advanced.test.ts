import { test } from '@jest/globals';
import assert from 'node:assert/strict';
import type { Pod } from '../../../../api/core/v1/types.js';
import { CycleState, Code } from '../../../../pkg/scheduler/framework/types.js';
import type { NodeInfo } from '../../../../pkg/scheduler/framework/types.js';
import { InterPodAffinity } from '../../../../pkg/scheduler/plugins/interpodaffinity/plugin.js';
import { PodTopologySpread } from '../../../../pkg/scheduler/plugins/podtopologyspread/plugin.js';
import { VolumeBinding } from '../../../../pkg/scheduler/plugins/volumebinding/volume_binding.js';
import { FakeLister, makeNode, makePod, nodeInfo, scoreWith } from './fixtures.js';

function filterAll(
  p: {
    preFilter: (s: CycleState, pod: Pod, n: NodeInfo[]) => { status: { code: number; reasons: string[] } };
    filter: (s: CycleState, pod: Pod, n: NodeInfo) => { code: number; reasons: string[] };
  },
  pod: Pod,
  nodes: NodeInfo[],
) {
  const st = new CycleState();
  const pre = p.preFilter(st, pod, nodes);
  if (pre.status.code !== Code.Success && pre.status.code !== Code.Skip) return { pre: pre.status };
  return { results: Object.fromEntries(nodes.map((n) => [n.node.metadata.name, p.filter(st, pod, n)])) };
}

const zoneNodes = (): NodeInfo[] => [
  nodeInfo(makeNode('a1', { labels: { zone: 'a' } }), [makePod('web-1', { labels: { app: 'web' } })]),
  nodeInfo(makeNode('a2', { labels: { zone: 'a' } })),
  nodeInfo(makeNode('b1', { labels: { zone: 'b' } })),
];

const term = (app: string, key = 'zone') => ({ labelSelector: { matchLabels: { app } }, topologyKey: key });

test('InterPodAffinity: required affinity goes to the zone of matching pods', () => {
  const nodes = zoneNodes();
  const pod = makePod('p', { spec: { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('web')] } } } });
  const { results } = filterAll(new InterPodAffinity(new FakeLister(nodes)), pod, nodes);
  assert.equal(results!.a1.code, Code.Success);
  assert.equal(results!.a2.code, Code.Success);
  assert.equal(results!.b1.code, Code.UnschedulableAndUnresolvable);
  assert.deepEqual(results!.b1.reasons, ["node(s) didn't match pod affinity rules"]);
  // The first pod of a self-affine group may go anywhere.
  const first = makePod('db-0', {
    labels: { app: 'db' },
    spec: { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('db')] } } },
  });
  const r2 = filterAll(new InterPodAffinity(new FakeLister(nodes)), first, nodes).results!;
  assert.equal(r2.b1.code, Code.Success);
});

test('InterPodAffinity: required anti-affinity and existing pods anti-affinity', () => {
  const nodes = zoneNodes();
  const anti = makePod('p', {
    labels: { app: 'web' },
    spec: { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('web')] } } },
  });
  const r = filterAll(new InterPodAffinity(), anti, nodes).results!;
  assert.equal(r.a1.code, Code.Unschedulable);
  assert.deepEqual(r.a2.reasons, ["node(s) didn't match pod anti-affinity rules"]);
  assert.equal(r.b1.code, Code.Success);
  // An existing pod that repels app=web by hostname keeps web pods off its node only.
  const guard = makePod('guard', {
    spec: { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('web', 'kubernetes.io/hostname')] } } },
  });
  const nodes2 = [nodeInfo(makeNode('x'), [guard]), nodeInfo(makeNode('y'))];
  const r2 = filterAll(new InterPodAffinity(), makePod('w', { labels: { app: 'web' } }), nodes2).results!;
  assert.equal(r2.x.code, Code.Unschedulable);
  assert.deepEqual(r2.x.reasons, ["node(s) didn't satisfy existing pods anti-affinity rules"]);
  assert.equal(r2.y.code, Code.Success);
  // Another namespace is not selected by default.
  const other = filterAll(new InterPodAffinity(), makePod('w2', { ns: 'other', labels: { app: 'web' } }), nodes2).results!;
  assert.equal(other.x.code, Code.Success);
});

test('InterPodAffinity score: preferred affinity attracts, preferred anti-affinity repels', () => {
  const nodes = zoneNodes();
  const p = new InterPodAffinity(new FakeLister(nodes));
  assert.equal(p.weight, 2);
  const likes = makePod('p', {
    spec: { affinity: { podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 50, podAffinityTerm: term('web') }] } } },
  });
  assert.deepEqual(Object.fromEntries(scoreWith(p, likes, nodes)), { a1: 100, a2: 100, b1: 0 });
  const avoids = makePod('q', {
    spec: { affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 50, podAffinityTerm: term('web') }] } } },
  });
  assert.deepEqual(Object.fromEntries(scoreWith(p, avoids, nodes)), { a1: 0, a2: 0, b1: 100 });
});

const spread = (when: 'DoNotSchedule' | 'ScheduleAnyway', maxSkew = 1, key = 'zone') => ({
  maxSkew,
  topologyKey: key,
  whenUnsatisfiable: when,
  labelSelector: { matchLabels: { app: 'web' } },
});

test('PodTopologySpread filter: skew beyond maxSkew and missing label', () => {
  const nodes = [
    nodeInfo(makeNode('a1', { labels: { zone: 'a' } }), [makePod('w1', { labels: { app: 'web' } }), makePod('w2', { labels: { app: 'web' } })]),
    nodeInfo(makeNode('b1', { labels: { zone: 'b' } }), [makePod('w3', { labels: { app: 'web' } })]),
    nodeInfo(makeNode('nolabel')),
  ];
  const pod = makePod('p', { labels: { app: 'web' }, spec: { topologySpreadConstraints: [spread('DoNotSchedule')] } });
  const r = filterAll(new PodTopologySpread(), pod, nodes).results!;
  assert.equal(r.a1.code, Code.Unschedulable);
  assert.deepEqual(r.a1.reasons, ["node(s) didn't match pod topology spread constraints"]);
  assert.equal(r.b1.code, Code.Success);
  assert.equal(r.nolabel.code, Code.UnschedulableAndUnresolvable);
  assert.deepEqual(r.nolabel.reasons, ["node(s) didn't match pod topology spread constraints (missing required label)"]);
  // maxSkew 2 allows zone a.
  const loose = makePod('q', { labels: { app: 'web' }, spec: { topologySpreadConstraints: [spread('DoNotSchedule', 2)] } });
  assert.equal(filterAll(new PodTopologySpread(), loose, nodes).results!.a1.code, Code.Success);
});

test('PodTopologySpread score: prefers the less loaded zone', () => {
  const nodes = [
    nodeInfo(makeNode('a1', { labels: { zone: 'a' } }), [makePod('w1', { labels: { app: 'web' } }), makePod('w2', { labels: { app: 'web' } })]),
    nodeInfo(makeNode('a2', { labels: { zone: 'a' } })),
    nodeInfo(makeNode('b1', { labels: { zone: 'b' } })),
  ];
  const p = new PodTopologySpread(new FakeLister(nodes));
  assert.equal(p.weight, 2);
  const pod = makePod('p', { labels: { app: 'web' }, spec: { topologySpreadConstraints: [spread('ScheduleAnyway')] } });
  const s = scoreWith(p, pod, nodes);
  assert.equal(s.get('b1'), 100);
  assert.ok(s.get('a2')! < s.get('b1')!);
  assert.equal(s.get('a1'), s.get('a2'));
});

test('VolumeBinding: missing PVC, unbound immediate PVC, PV node affinity', () => {
  const nodes = [nodeInfo(makeNode('n1')), nodeInfo(makeNode('n2'))];
  const lister = new FakeLister(nodes);
  const withClaim = (claimName: string) => makePod('p', { spec: { volumes: [{ name: 'data', persistentVolumeClaim: { claimName } }] } });
  const vb = new VolumeBinding(lister);
  const missing = filterAll(vb, withClaim('nope'), nodes).pre!;
  assert.equal(missing.code, Code.UnschedulableAndUnresolvable);
  assert.deepEqual(missing.reasons, ['persistentvolumeclaim "nope" not found']);
  lister.add('v1', 'persistentvolumeclaims', {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: 'pending', namespace: 'default' },
    spec: { storageClassName: 'fast' },
  } as never);
  lister.add('storage.k8s.io/v1', 'storageclasses', {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name: 'fast' },
    provisioner: 'x',
    volumeBindingMode: 'Immediate',
  } as never);
  assert.deepEqual(filterAll(vb, withClaim('pending'), nodes).pre!.reasons, ['pod has unbound immediate PersistentVolumeClaims']);
  lister.add('v1', 'persistentvolumeclaims', {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: 'bound', namespace: 'default' },
    spec: { volumeName: 'local-pv' },
  } as never);
  lister.add('v1', 'persistentvolumes', {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name: 'local-pv' },
    spec: { nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['n2'] }] }] } } },
  } as never);
  const r = filterAll(vb, withClaim('bound'), nodes).results!;
  assert.equal(r.n2.code, Code.Success);
  assert.equal(r.n1.code, Code.UnschedulableAndUnresolvable);
  assert.deepEqual(r.n1.reasons, ['node(s) had volume node affinity conflict']);
  // Pods without claims are skipped.
  assert.equal(new VolumeBinding(lister).preFilter(new CycleState(), makePod('plain')).status.code, Code.Skip);
});
