// The web view's model from API objects: node columns (conditions, allocatable
// against requested), pod cards (colour from phase and readiness, restarts,
// usage, the scheduler's reason), what each viewer's filter lets through, and the
// image's module closure (no package imports: the image has no node_modules).
import { describe, test } from '@jest/globals';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import type { Node, Pod } from '../../api/core/v1/types.js';
import { addonObjects } from '../../pkg/cluster/addons.js';
import { addonsToApply } from '../../pkg/cluster/addons.js';
import { dashboardFiles, moduleClosure } from '../../pkg/cluster/catalogue/dashboard.js';
import { ownerPath } from '../../pkg/dashboard/detail.js';
import { usageByPod } from '../../pkg/dashboard/metrics.js';
import { forViewer, parseFilter, type Filter } from '../../pkg/dashboard/stream.js';
import { clusterView, nodeColumn, podCard, podRequests, type PodCard } from '../../pkg/dashboard/viewmodel.js';

function pod(name: string, o: { node?: string; phase?: string; ready?: boolean; labels?: Record<string, string>; cpu?: string; memory?: string } = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', uid: `uid-${name}`, labels: o.labels ?? { app: 'web' } },
    spec: {
      nodeName: o.node,
      containers: [{ name: 'c', image: 'nginx', resources: { requests: { ...(o.cpu ? { cpu: o.cpu } : {}), ...(o.memory ? { memory: o.memory } : {}) } } }],
    },
    status: {
      phase: o.phase ?? 'Running',
      conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }],
    },
  } as Pod;
}

const node: Node = {
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name: 'n1', labels: { 'kubernetes.io/hostname': 'n1' } },
  spec: {},
  status: {
    allocatable: { cpu: '2', memory: '4Gi', pods: '110' },
    conditions: [
      { type: 'MemoryPressure', status: 'False' },
      { type: 'DiskPressure', status: 'True', reason: 'KubeletHasDiskPressure' },
      { type: 'Ready', status: 'True', reason: 'KubeletReady' },
    ],
  },
} as Node;

describe('pod cards', () => {
  test('colour from phase and readiness; terminating wins', () => {
    assert.equal(podCard(pod('a')).state, 'ready');
    assert.equal(podCard(pod('a', { ready: false })).state, 'not-ready');
    assert.equal(podCard(pod('a', { phase: 'Pending', ready: false })).state, 'pending');
    assert.equal(podCard(pod('a', { phase: 'Failed' })).state, 'failed');
    assert.equal(podCard(pod('a', { phase: 'Succeeded' })).state, 'succeeded');
    const gone = pod('a');
    gone.metadata.deletionTimestamp = '2024-01-01T00:00:00Z';
    assert.equal(podCard(gone).state, 'terminating');
  });

  test('restarts summed, a waiting reason shown, the controlling owner named, usage carried', () => {
    const p = pod('a', { ready: false });
    p.metadata.ownerReferences = [
      { apiVersion: 'v1', kind: 'Other', name: 'x', uid: '1' },
      { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-5d8f7', uid: '2', controller: true },
    ];
    p.status!.containerStatuses = [
      { name: 'c', image: 'nginx', imageID: '', ready: false, restartCount: 3, state: { waiting: { reason: 'CrashLoopBackOff' } } },
      { name: 'd', image: 'nginx', imageID: '', ready: true, restartCount: 2, state: { running: {} } },
    ];
    const c = podCard(p, { cpu: 12, memory: 1024 });
    assert.equal(c.restarts, 5);
    assert.equal(c.reason, 'CrashLoopBackOff');
    assert.equal(c.owner, 'ReplicaSet/web-5d8f7');
    assert.deepEqual(c.usage, { cpu: 12, memory: 1024 });
    assert.equal(c.key, 'default/a');
  });

  test("an unscheduled pod carries the scheduler's reason; a bound one does not", () => {
    const p = pod('p', { phase: 'Pending', ready: false });
    p.status!.conditions = [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/1 nodes are available: 1 Insufficient cpu.' }];
    const c = podCard(p);
    assert.equal(c.node, '');
    assert.equal(c.schedulingMessage, 'Unschedulable: 0/1 nodes are available: 1 Insufficient cpu.');
    p.spec.nodeName = 'n1';
    assert.equal(podCard(p).schedulingMessage, '');
  });

  test('labels copied onto a prototype-less object (hostile keys stay keys)', () => {
    const c = podCard(pod('a', { labels: JSON.parse('{"__proto__":"x","app":"web"}') as Record<string, string> }));
    assert.equal(Object.getPrototypeOf(c.labels), null);
    assert.equal(c.labels.__proto__, 'x');
  });
});

describe('requests', () => {
  test('containers summed; a plain init container counts as its maximum; sidecars add; overhead adds', () => {
    const p = pod('a', { cpu: '250m', memory: '64Mi' });
    p.spec.containers.push({ name: 'd', image: 'x', resources: { requests: { cpu: '0.5' } } });
    assert.deepEqual(podRequests(p), { cpu: 750, memory: 64 * 2 ** 20 });
    p.spec.initContainers = [{ name: 'init', image: 'x', resources: { requests: { cpu: '2', memory: '1Mi' } } }];
    assert.deepEqual(podRequests(p), { cpu: 2000, memory: 64 * 2 ** 20 });
    p.spec.initContainers.unshift({ name: 'side', image: 'x', restartPolicy: 'Always', resources: { requests: { cpu: '100m' } } });
    assert.deepEqual(podRequests(p), { cpu: 2100, memory: 64 * 2 ** 20 });
    p.spec.overhead = { cpu: '10m', memory: '1Mi' };
    assert.deepEqual(podRequests(p), { cpu: 2110, memory: 65 * 2 ** 20 });
  });
});

describe('node columns', () => {
  test('allocatable against the requests of pods that still hold resources; bad conditions listed', () => {
    const col = nodeColumn(node, [
      pod('a', { node: 'n1', cpu: '500m', memory: '1Gi' }),
      pod('b', { node: 'n1', cpu: '250m' }),
      pod('done', { node: 'n1', cpu: '1', phase: 'Succeeded' }),
    ]);
    assert.equal(col.ready, true);
    assert.deepEqual(col.allocatable, { cpu: 2000, memory: 4 * 2 ** 30 });
    assert.deepEqual(col.requested, { cpu: 750, memory: 2 ** 30 });
    assert.equal(col.podCount, 2);
    assert.deepEqual(col.problems, ['DiskPressure']);
    assert.deepEqual(
      col.conditions.map((c) => c.type),
      ['MemoryPressure', 'DiskPressure', 'Ready'],
    );
  });

  test('a node whose Ready is not True is a problem; clusterView groups pods by node and sorts', () => {
    const down = { ...node, metadata: { name: 'n0' }, status: { ...node.status, conditions: [{ type: 'Ready', status: 'Unknown' }] } } as Node;
    const view = clusterView(
      [node, down],
      [pod('z', { node: 'n1', cpu: '1' }), pod('a', { node: 'n0' }), pod('m')],
      new Map([['default/z', { cpu: 5, memory: 6 }]]),
    );
    assert.deepEqual(
      view.nodes.map((n) => [n.name, n.ready, n.problems]),
      [
        ['n0', false, ['Ready']],
        ['n1', true, ['DiskPressure']],
      ],
    );
    assert.equal(view.nodes[1].requested.cpu, 1000);
    assert.deepEqual(
      view.pods.map((p) => [p.key, p.node]),
      [
        ['default/a', 'n0'],
        ['default/m', ''],
        ['default/z', 'n1'],
      ],
    );
    assert.deepEqual(view.pods[2].usage, { cpu: 5, memory: 6 });
  });
});

describe('metrics', () => {
  test('pod metrics summed per pod in millicores and bytes', () => {
    const usage = usageByPod({
      apiVersion: 'metrics.k8s.io/v1beta1',
      kind: 'PodMetricsList',
      metadata: {},
      items: [
        {
          metadata: { name: 'a', namespace: 'ns' },
          timestamp: '',
          window: '10s',
          containers: [
            { name: 'c', usage: { cpu: '1500000n', memory: '10Ki' } },
            { name: 'd', usage: { cpu: '2m', memory: '1Mi' } },
          ],
        },
      ],
    } as never);
    assert.deepEqual(usage.get('ns/a'), { cpu: 4, memory: 10 * 1024 + 2 ** 20 });
  });
});

describe("a viewer's filter", () => {
  const card = (name: string, labels: Record<string, string>, namespace = 'default'): PodCard => ({
    ...podCard(pod(name, { labels })),
    namespace,
    key: `${namespace}/${name}`,
  });

  test('namespace and label selector (the API syntax); a card that stops matching is removed', () => {
    const f = parseFilter(new URLSearchParams('namespace=default&labelSelector=app in (web,api),tier!=cache')) as Filter;
    const shown = new Set<string>();
    assert.equal(forViewer({ type: 'pod', card: card('a', { app: 'web' }) }, f, shown).length, 1);
    assert.equal(forViewer({ type: 'pod', card: card('b', { app: 'db' }) }, f, shown).length, 0);
    assert.equal(forViewer({ type: 'pod', card: card('c', { app: 'web' }, 'other') }, f, shown).length, 0);
    assert.deepEqual(forViewer({ type: 'pod', card: card('a', { app: 'web', tier: 'cache' }) }, f, shown), [
      { type: 'pod-delete', key: 'default/a', namespace: 'default' },
    ]);
    assert.equal(forViewer({ type: 'pod-delete', key: 'default/a', namespace: 'default' }, f, shown).length, 0, 'already gone from this page');
    assert.equal(forViewer({ type: 'node-delete', name: 'n1' }, f, shown).length, 1, 'nodes are never filtered');
  });

  test("a bad selector is refused with the API's message", () => {
    const f = parseFilter(new URLSearchParams('labelSelector=app in (web'));
    assert.ok('error' in f);
  });
});

describe('owner chain and the add-on', () => {
  test('owner paths for the workload kinds, none for others', () => {
    assert.equal(ownerPath('ns', { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-1', uid: 'u' }), '/apis/apps/v1/namespaces/ns/replicasets/web-1');
    assert.equal(ownerPath('ns', { apiVersion: 'v1', kind: 'ReplicationController', name: 'rc', uid: 'u' }), '/api/v1/namespaces/ns/replicationcontrollers/rc');
    assert.equal(ownerPath('ns', { apiVersion: 'example.com/v1', kind: 'toString', name: 'x', uid: 'u' }), undefined);
  });

  test('every up deploys the dashboard, once; its role only reads', () => {
    assert.deepEqual(addonsToApply([]), ['dashboard']);
    assert.deepEqual(addonsToApply(['prometheus', 'dashboard']), ['dashboard', 'prometheus']);
    const objects = addonObjects(fileURLToPath(new URL('../../../manifests/dashboard', import.meta.url))) as { kind?: string; rules?: { verbs: string[] }[] }[];
    const role = objects.find((o) => o.kind === 'ClusterRole');
    assert.ok(role?.rules?.length);
    for (const r of role.rules ?? [])
      assert.ok(
        r.verbs.every((v) => ['get', 'list', 'watch'].includes(v)),
        r.verbs.join(','),
      );
  });

  test("the image's files: the server's modules (no package imports) and the built page", () => {
    const files = dashboardFiles();
    for (const f of [
      'dist/cmd/dashboard/main.js',
      'dist/pkg/dashboard/server.js',
      'dist/pkg/client/informer.js',
      'dist/pkg/dashboard/static.js',
      'dist/web/dashboard/index.html',
    ]) {
      assert.ok(files.includes(f), f);
    }
    assert.ok(
      files.some((f) => /^dist\/web\/dashboard\/assets\/[\w-]+\.js$/.test(f)),
      'the bundled script',
    );
    assert.ok(!files.some((f) => f.includes('node_modules') || f.endsWith('/rest.js')), 'no client-node, no REST client');
    const main = fileURLToPath(new URL('../../cmd/timonel/main.js', import.meta.url));
    assert.throws(() => moduleClosure(main), /imports the package/);
  });
});
