import { test } from '@jest/globals';
import assert from 'node:assert/strict';
import { CycleState, Code } from '../../../../pkg/scheduler/framework/types.js';
import { NodeName } from '../../../../pkg/scheduler/plugins/nodename/node_name.js';
import { NodeUnschedulable } from '../../../../pkg/scheduler/plugins/nodeunschedulable/node_unschedulable.js';
import { NodePorts } from '../../../../pkg/scheduler/plugins/nodeports/node_ports.js';
import { podHostPorts } from '../../../../pkg/scheduler/plugins/helper/nodeinfo.js';
import { TaintToleration } from '../../../../pkg/scheduler/plugins/tainttoleration/taint_toleration.js';
import { NodeAffinity } from '../../../../pkg/scheduler/plugins/nodeaffinity/node_affinity.js';
import { ImageLocality } from '../../../../pkg/scheduler/plugins/imagelocality/image_locality.js';
import { FakeLister, makeNode, makePod, nodeInfo, scoreWith } from './fixtures.js';

test('NodeName: only the named node fits', () => {
  const p = new NodeName();
  const pod = makePod('p', { spec: { nodeName: 'n1' } });
  assert.equal(p.filter(new CycleState(), pod, nodeInfo(makeNode('n1'))).code, Code.Success);
  const s = p.filter(new CycleState(), pod, nodeInfo(makeNode('n2')));
  assert.equal(s.code, Code.UnschedulableAndUnresolvable);
  assert.deepEqual(s.reasons, ["node(s) didn't match the requested node name"]);
  assert.equal(p.filter(new CycleState(), makePod('q'), nodeInfo(makeNode('n2'))).code, Code.Success);
});

test('NodeUnschedulable: cordoned node rejects unless the taint is tolerated', () => {
  const p = new NodeUnschedulable();
  const cordoned = nodeInfo(makeNode('n1', { unschedulable: true }));
  const s = p.filter(new CycleState(), makePod('p'), cordoned);
  assert.equal(s.code, Code.UnschedulableAndUnresolvable);
  assert.deepEqual(s.reasons, ['node(s) were unschedulable']);
  const tolerant = makePod('ds', { spec: { tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }] } });
  assert.equal(p.filter(new CycleState(), tolerant, cordoned).code, Code.Success);
  assert.equal(p.filter(new CycleState(), makePod('p'), nodeInfo(makeNode('n2'))).code, Code.Success);
});

function portPod(name: string, hostPort: number, hostIP?: string, protocol?: string) {
  return makePod(name, { containers: [{ name: 'c', ports: [{ containerPort: 80, hostPort, hostIP, protocol }] }] });
}

test('NodePorts: conflicting host ports reject, different ones or IPs pass', () => {
  const p = new NodePorts();
  const ni = nodeInfo(makeNode('n1'), [portPod('a', 8080, '127.0.0.1')]);
  const run = (pod: ReturnType<typeof portPod>) => {
    const st = new CycleState();
    p.preFilter(st, pod);
    return p.filter(st, pod, ni);
  };
  const s = run(portPod('b', 8080));
  assert.equal(s.code, Code.Unschedulable);
  assert.deepEqual(s.reasons, ["node(s) didn't have free ports for the requested pod ports"]);
  assert.equal(run(portPod('c', 8080, '127.0.0.1')).code, Code.Unschedulable);
  assert.equal(run(portPod('d', 8080, '127.0.0.2')).code, Code.Success);
  assert.equal(run(portPod('e', 8080, '127.0.0.1', 'UDP')).code, Code.Success);
  assert.equal(run(portPod('f', 9090)).code, Code.Success);
});

test('podHostPorts: app containers and sidecars hold host ports; ordinary init containers do not', () => {
  const port = (hostPort: number) => [{ containerPort: 80, hostPort }];
  const pod = makePod('p', {
    spec: {
      initContainers: [
        { name: 'setup', image: 'busybox', ports: port(7000) },
        { name: 'sidecar', image: 'busybox', restartPolicy: 'Always', ports: port(7001) },
      ],
      containers: [{ name: 'app', image: 'busybox', ports: port(8080) }],
    },
  });
  assert.deepEqual(podHostPorts(pod), ['TCP/0.0.0.0/7001', 'TCP/0.0.0.0/8080']);
});

test('TaintToleration filter: untolerated NoSchedule taint is reported as upstream formats it', () => {
  const p = new TaintToleration();
  const ni = nodeInfo(makeNode('n1', { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] }));
  const s = p.filter(new CycleState(), makePod('p'), ni);
  assert.equal(s.code, Code.UnschedulableAndUnresolvable);
  assert.deepEqual(s.reasons, ['node(s) had untolerated taint {dedicated: gpu}']);
  const tol = makePod('t', { spec: { tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }] } });
  assert.equal(p.filter(new CycleState(), tol, ni).code, Code.Success);
  const wrongValue = makePod('w', { spec: { tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'cpu' }] } });
  assert.equal(p.filter(new CycleState(), wrongValue, ni).code, Code.UnschedulableAndUnresolvable);
  // PreferNoSchedule never filters.
  const soft = nodeInfo(makeNode('n2', { taints: [{ key: 'k', effect: 'PreferNoSchedule' }] }));
  assert.equal(p.filter(new CycleState(), makePod('p'), soft).code, Code.Success);
  // NoExecute filters too; a key-less Exists toleration tolerates everything.
  const noexec = nodeInfo(makeNode('n3', { taints: [{ key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' }] }));
  assert.deepEqual(p.filter(new CycleState(), makePod('p'), noexec).reasons, ['node(s) had untolerated taint {node.kubernetes.io/not-ready: }']);
  assert.equal(p.filter(new CycleState(), makePod('x', { spec: { tolerations: [{ operator: 'Exists' }] } }), noexec).code, Code.Success);
});

test('TaintToleration score: fewer untolerated PreferNoSchedule taints score higher', () => {
  const p = new TaintToleration();
  assert.equal(p.weight, 3);
  const nodes = [
    nodeInfo(makeNode('none')),
    nodeInfo(makeNode('one', { taints: [{ key: 'a', effect: 'PreferNoSchedule' }] })),
    nodeInfo(
      makeNode('two', {
        taints: [
          { key: 'a', effect: 'PreferNoSchedule' },
          { key: 'b', effect: 'PreferNoSchedule' },
        ],
      }),
    ),
  ];
  const scores = scoreWith(p, makePod('p'), nodes);
  assert.deepEqual(Object.fromEntries(scores), { none: 100, one: 50, two: 0 });
  const tolerant = makePod('t', { spec: { tolerations: [{ key: 'a', operator: 'Exists', effect: 'PreferNoSchedule' }] } });
  assert.deepEqual(Object.fromEntries(scoreWith(p, tolerant, nodes)), { none: 100, one: 100, two: 0 });
});

test('NodeAffinity filter: nodeSelector and required terms', () => {
  const p = new NodeAffinity();
  const ssd = nodeInfo(makeNode('n1', { labels: { disk: 'ssd', zone: 'a' } }));
  const hdd = nodeInfo(makeNode('n2', { labels: { disk: 'hdd', zone: 'b' } }));
  const bySelector = makePod('p', { spec: { nodeSelector: { disk: 'ssd' } } });
  assert.equal(p.filter(new CycleState(), bySelector, ssd).code, Code.Success);
  const s = p.filter(new CycleState(), bySelector, hdd);
  assert.equal(s.code, Code.UnschedulableAndUnresolvable);
  assert.deepEqual(s.reasons, ["node(s) didn't match Pod's node affinity/selector"]);
  const byAffinity = makePod('q', {
    spec: {
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [
              { matchExpressions: [{ key: 'zone', operator: 'In', values: ['b', 'c'] }] },
              { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n9'] }] },
            ],
          },
        },
      },
    },
  });
  assert.equal(p.filter(new CycleState(), byAffinity, hdd).code, Code.Success);
  assert.equal(p.filter(new CycleState(), byAffinity, ssd).code, Code.UnschedulableAndUnresolvable);
  const notIn = makePod('r', {
    spec: {
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [
              {
                matchExpressions: [
                  { key: 'disk', operator: 'NotIn', values: ['ssd'] },
                  { key: 'gpu', operator: 'DoesNotExist' },
                ],
              },
            ],
          },
        },
      },
    },
  });
  assert.equal(p.filter(new CycleState(), notIn, hdd).code, Code.Success);
  assert.equal(p.filter(new CycleState(), notIn, ssd).code, Code.UnschedulableAndUnresolvable);
});

test('NodeAffinity score: sums matching preferred weights, normalized to 100', () => {
  const p = new NodeAffinity();
  assert.equal(p.weight, 2);
  const pod = makePod('p', {
    spec: {
      affinity: {
        nodeAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            { weight: 80, preference: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] } },
            { weight: 20, preference: { matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }] } },
          ],
        },
      },
    },
  });
  const nodes = [
    nodeInfo(makeNode('both', { labels: { zone: 'a', disk: 'ssd' } })),
    nodeInfo(makeNode('zone', { labels: { zone: 'a' } })),
    nodeInfo(makeNode('disk', { labels: { disk: 'ssd' } })),
    nodeInfo(makeNode('neither')),
  ];
  assert.deepEqual(Object.fromEntries(scoreWith(p, pod, nodes)), { both: 100, zone: 80, disk: 20, neither: 0 });
});

test('ImageLocality: prefers the node holding the large image', () => {
  const big = 500 * 1024 * 1024;
  const n1 = nodeInfo(makeNode('has', { images: [{ names: ['registry.local/app:v1'], sizeBytes: big }] }));
  const n2 = nodeInfo(makeNode('lacks'));
  const lister = new FakeLister([n1, n2]);
  const p = new ImageLocality(lister);
  assert.equal(p.weight, 1);
  const pod = makePod('p', { containers: [{ name: 'c', image: 'registry.local/app:v1' }] });
  const scores = scoreWith(p, pod, [n1, n2]);
  // 500MiB spread over 1 of 2 nodes = 250MiB; (250-23)/(1000-23) * 100 = 23.
  assert.equal(scores.get('has'), 23);
  assert.equal(scores.get('lacks'), 0);
  // An untagged image means :latest.
  const n3 = nodeInfo(makeNode('latest', { images: [{ names: ['app:latest'], sizeBytes: big }] }));
  const p2 = new ImageLocality(new FakeLister([n3]));
  assert.equal(scoreWith(p2, makePod('q', { containers: [{ name: 'c', image: 'app' }] }), [n3]).get('latest'), 48);
});
