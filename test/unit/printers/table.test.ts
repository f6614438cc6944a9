import { test } from '@jest/globals';
import assert from 'node:assert/strict';
import { BUILTIN_RESOURCES } from '../../../api/resources.js';
import type { KubeObject } from '../../../api/meta/v1/types.js';
import type { ResourceInfo } from '../../../api/resourceinfo.js';
import { buildTable, columnsFor, rowFor } from '../../../pkg/registry/printers/table.js';

const NOW = new Date('2024-05-01T12:00:00Z');
const ago = (ms: number): string => new Date(NOW.getTime() - ms).toISOString();

function res(group: string, plural: string): ResourceInfo {
  const r = BUILTIN_RESOURCES.find((x) => x.group === group && x.plural === plural);
  assert.ok(r, `${group}/${plural}`);
  return r;
}

const names = (r: ResourceInfo): string[] => columnsFor(r).map((c) => c.name);
const cellsByColumn = (r: ResourceInfo, obj: KubeObject): Record<string, unknown> => {
  const cols = columnsFor(r);
  const cells = rowFor(r, obj, NOW);
  assert.equal(cells.length, cols.length, 'one cell per column');
  return Object.fromEntries(cols.map((c, i) => [c.name, cells[i]]));
};

test('pod in CrashLoopBackOff: STATUS and RESTARTS with "(10s ago)"', () => {
  const pod: KubeObject = {
    metadata: { name: 'crashy', namespace: 'default', creationTimestamp: ago(5 * 60_000) },
    spec: { containers: [{ name: 'app', image: 'busybox' }], nodeName: 'node-1' },
    status: {
      phase: 'Running',
      podIPs: [{ ip: '10.244.0.7' }],
      containerStatuses: [
        {
          name: 'app',
          ready: false,
          restartCount: 3,
          state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 40s' } },
          lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: ago(10_000) } },
        },
      ],
    },
  };
  const c = cellsByColumn(res('', 'pods'), pod);
  assert.deepEqual(c, {
    Name: 'crashy',
    Ready: '0/1',
    Status: 'CrashLoopBackOff',
    Restarts: '3 (10s ago)',
    Age: '5m',
    IP: '10.244.0.7',
    Node: 'node-1',
    'Nominated Node': '<none>',
    'Readiness Gates': '<none>',
  });
});

test('pod columns as kube-apiserver declares them', () => {
  const cols = columnsFor(res('', 'pods'));
  assert.deepEqual(
    cols.map((c) => [c.name, c.type, c.priority]),
    [
      ['Name', 'string', 0],
      ['Ready', 'string', 0],
      ['Status', 'string', 0],
      ['Restarts', 'string', 0],
      ['Age', 'string', 0],
      ['IP', 'string', 1],
      ['Node', 'string', 1],
      ['Nominated Node', 'string', 1],
      ['Readiness Gates', 'string', 1],
    ],
  );
  assert.equal(cols[0].format, 'name');
  assert.match(cols[0].description, /^Name must be unique within a namespace/);
});

test('pod STATUS: running, init, terminating, completed, pending', () => {
  const pods = res('', 'pods');
  const base = (status: Record<string, unknown>, extra: Partial<KubeObject> = {}): KubeObject => ({
    metadata: { name: 'p', creationTimestamp: ago(1000) },
    spec: { containers: [{ name: 'a' }], initContainers: [{ name: 'init' }] },
    status,
    ...extra,
  });
  const running = base({
    phase: 'Running',
    conditions: [
      { type: 'Initialized', status: 'True' },
      { type: 'Ready', status: 'True' },
    ],
    initContainerStatuses: [{ name: 'init', state: { terminated: { exitCode: 0, reason: 'Completed' } } }],
    containerStatuses: [{ name: 'a', ready: true, restartCount: 0, state: { running: { startedAt: ago(500) } } }],
  });
  assert.deepEqual(rowFor(pods, running, NOW).slice(1, 4), ['1/1', 'Running', '0']);
  const initRunning = base({
    phase: 'Pending',
    initContainerStatuses: [{ name: 'init', state: { running: {} } }],
    containerStatuses: [{ name: 'a', state: { waiting: { reason: 'PodInitializing' } } }],
  });
  assert.equal(rowFor(pods, initRunning, NOW)[2], 'Init:0/1');
  const initCrash = base({ phase: 'Pending', initContainerStatuses: [{ name: 'init', restartCount: 2, state: { waiting: { reason: 'CrashLoopBackOff' } } }] });
  assert.deepEqual(rowFor(pods, initCrash, NOW).slice(2, 4), ['Init:CrashLoopBackOff', '2']);
  const initFailed = base({ phase: 'Pending', initContainerStatuses: [{ name: 'init', state: { terminated: { exitCode: 3 } } }] });
  assert.equal(rowFor(pods, initFailed, NOW)[2], 'Init:ExitCode:3');
  const terminating = { ...running, metadata: { ...running.metadata, deletionTimestamp: ago(0) } };
  assert.equal(rowFor(pods, terminating, NOW)[2], 'Terminating');
  const completed = base({
    phase: 'Succeeded',
    conditions: [{ type: 'Initialized', status: 'True' }],
    containerStatuses: [{ name: 'a', ready: false, state: { terminated: { exitCode: 0, reason: 'Completed' } } }],
  });
  assert.deepEqual(rowFor(pods, completed, NOW).slice(1, 3), ['0/1', 'Completed']);
  const pending: KubeObject = { metadata: { name: 'p' }, spec: { containers: [{ name: 'a' }, { name: 'b' }] }, status: { phase: 'Pending' } };
  assert.deepEqual(rowFor(pods, pending, NOW).slice(1, 5), ['0/2', 'Pending', '0', '<unknown>']);
  const t = buildTable(pods, [completed], { now: NOW });
  assert.deepEqual(t.rows[0].conditions, [{ type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' }]);
});

test('deployment READY 2/3 and wide columns', () => {
  const d: KubeObject = {
    metadata: { name: 'web', creationTimestamp: ago(3 * 24 * 3_600_000) },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: 'web' } },
      template: {
        spec: {
          containers: [
            { name: 'nginx', image: 'nginx:1.14.2' },
            { name: 'side', image: 'busybox' },
          ],
        },
      },
    },
    status: { readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 },
  };
  assert.deepEqual(names(res('apps', 'deployments')), ['Name', 'Ready', 'Up-to-date', 'Available', 'Age', 'Containers', 'Images', 'Selector']);
  assert.deepEqual(rowFor(res('apps', 'deployments'), d, NOW), ['web', '2/3', 3, 2, '3d', 'nginx,side', 'nginx:1.14.2,busybox', 'app=web']);
});

test('service PORT(S), CLUSTER-IP, EXTERNAL-IP', () => {
  const svc: KubeObject = {
    metadata: { name: 'web', creationTimestamp: ago(42_000) },
    spec: {
      type: 'NodePort',
      clusterIP: '10.96.0.20',
      clusterIPs: ['10.96.0.20'],
      selector: { app: 'web' },
      ports: [
        { port: 80, nodePort: 30080, protocol: 'TCP' },
        { port: 443, protocol: 'TCP' },
      ],
    },
  };
  assert.deepEqual(rowFor(res('', 'services'), svc, NOW), ['web', 'NodePort', '10.96.0.20', '<none>', '80:30080/TCP,443/TCP', '42s', 'app=web']);
  const lb: KubeObject = { metadata: { name: 'lb' }, spec: { type: 'LoadBalancer', clusterIPs: ['10.96.0.21'], ports: [] }, status: { loadBalancer: {} } };
  assert.deepEqual(rowFor(res('', 'services'), lb, NOW).slice(3, 5), ['<pending>', '<none>']);
});

test('other workloads and core types', () => {
  const sts: KubeObject = {
    metadata: { name: 'db' },
    spec: { replicas: 2, template: { spec: { containers: [{ name: 'pg', image: 'postgres' }] } } },
    status: { readyReplicas: 1 },
  };
  assert.deepEqual(rowFor(res('apps', 'statefulsets'), sts, NOW).slice(0, 2), ['db', '1/2']);
  const job: KubeObject = {
    metadata: { name: 'pi', creationTimestamp: ago(60_000) },
    spec: {
      completions: 1,
      template: { spec: { containers: [{ name: 'pi', image: 'perl' }] } },
      selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': 'u' } },
    },
    status: { succeeded: 1, startTime: ago(60_000), completionTime: ago(20_000), conditions: [{ type: 'Complete', status: 'True' }] },
  };
  assert.deepEqual(rowFor(res('batch', 'jobs'), job, NOW), ['pi', 'Complete', '1/1', '40s', '60s', 'pi', 'perl', 'batch.kubernetes.io/controller-uid=u']);
  const cj: KubeObject = {
    metadata: { name: 'c', creationTimestamp: ago(60_000) },
    spec: { schedule: '*/1 * * * *', suspend: false, jobTemplate: { spec: { template: { spec: { containers: [] } } } } },
    status: {},
  };
  assert.deepEqual(rowFor(res('batch', 'cronjobs'), cj, NOW).slice(0, 7), ['c', '*/1 * * * *', '<none>', 'False', 0, '<none>', '60s']);
  const node: KubeObject = {
    metadata: { name: 'n1', labels: { 'node-role.kubernetes.io/control-plane': '' }, creationTimestamp: ago(3_600_000) },
    spec: { unschedulable: true },
    status: {
      conditions: [{ type: 'Ready', status: 'True' }],
      addresses: [{ type: 'InternalIP', address: '192.0.2.1' }],
      nodeInfo: { kubeletVersion: 'v1.32.0', osImage: 'Debian', kernelVersion: '6.1', containerRuntimeVersion: 'containerd://1.7' },
    },
  };
  assert.deepEqual(rowFor(res('', 'nodes'), node, NOW), [
    'n1',
    'Ready,SchedulingDisabled',
    'control-plane',
    '60m',
    'v1.32.0',
    '192.0.2.1',
    '<none>',
    'Debian',
    '6.1',
    'containerd://1.7',
  ]);
  const cm: KubeObject = { metadata: { name: 'cm' }, data: { a: '1', b: '2' }, binaryData: { c: 'AA==' } };
  assert.equal(rowFor(res('', 'configmaps'), cm, NOW)[1], 3);
  const sec: KubeObject = { metadata: { name: 's' }, type: 'Opaque', data: { a: 'MQ==' } };
  assert.deepEqual(rowFor(res('', 'secrets'), sec, NOW).slice(0, 3), ['s', 'Opaque', 1]);
  const ev: KubeObject = {
    metadata: { name: 'web.1' },
    involvedObject: { kind: 'Pod', name: 'web' },
    type: 'Warning',
    reason: 'BackOff',
    message: ' Back-off restarting failed container \n',
    source: { component: 'kubelet', host: 'n1' },
    firstTimestamp: ago(120_000),
    lastTimestamp: ago(30_000),
    count: 4,
  };
  assert.deepEqual(rowFor(res('', 'events'), ev, NOW), [
    '30s',
    'Warning',
    'BackOff',
    'pod/web',
    '',
    'kubelet, n1',
    'Back-off restarting failed container',
    '2m',
    4,
    'web.1',
  ]);
  const pvc: KubeObject = {
    metadata: { name: 'data' },
    spec: { volumeName: 'pv-1', storageClassName: 'standard' },
    status: { phase: 'Bound', capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'] },
  };
  assert.deepEqual(rowFor(res('', 'persistentvolumeclaims'), pvc, NOW), ['data', 'Bound', 'pv-1', '1Gi', 'RWO', 'standard', '<unset>', '<unknown>', '<unset>']);
  const rb: KubeObject = {
    metadata: { name: 'rb' },
    roleRef: { kind: 'ClusterRole', name: 'view' },
    subjects: [
      { kind: 'User', name: 'alice' },
      { kind: 'ServiceAccount', name: 'sa', namespace: 'ns' },
    ],
  };
  assert.deepEqual(rowFor(res('rbac.authorization.k8s.io', 'rolebindings'), rb, NOW), ['rb', 'ClusterRole/view', '<unknown>', 'alice', '', 'ns/sa']);
  const hpa: KubeObject = {
    apiVersion: 'autoscaling/v2',
    metadata: { name: 'h' },
    spec: {
      scaleTargetRef: { kind: 'Deployment', name: 'web' },
      minReplicas: 1,
      maxReplicas: 5,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }],
    },
    status: { currentReplicas: 2 },
  };
  assert.deepEqual(rowFor(res('autoscaling', 'horizontalpodautoscalers'), hpa, NOW).slice(0, 6), ['h', 'Deployment/web', 'cpu: <unknown>/50%', '1', 5, 2]);
  const slice: KubeObject = {
    metadata: { name: 's' },
    addressType: 'IPv4',
    ports: [{ port: 80 }],
    endpoints: [{ addresses: ['10.0.0.1'] }, { addresses: ['10.0.0.2'] }, { addresses: ['10.0.0.3'] }, { addresses: ['10.0.0.4'] }],
  };
  assert.deepEqual(rowFor(res('discovery.k8s.io', 'endpointslices'), slice, NOW).slice(0, 4), ['s', 'IPv4', '80', '10.0.0.1,10.0.0.2,10.0.0.3 + 1 more...']);
  const pdb: KubeObject = { metadata: { name: 'p' }, spec: { minAvailable: 1 }, status: { disruptionsAllowed: 0 } };
  assert.deepEqual(rowFor(res('policy', 'poddisruptionbudgets'), pdb, NOW).slice(0, 4), ['p', '1', 'N/A', 0]);
});

test('resources without a printer use NAME, CREATED AT; custom resources NAME, AGE', () => {
  const roles = res('rbac.authorization.k8s.io', 'roles');
  assert.deepEqual(
    columnsFor(roles).map((c) => [c.name, c.type]),
    [
      ['Name', 'string'],
      ['Created At', 'date'],
    ],
  );
  assert.deepEqual(rowFor(roles, { metadata: { name: 'r', creationTimestamp: '2024-01-02T03:04:05Z' } }, NOW), ['r', '2024-01-02T03:04:05Z']);
  assert.deepEqual(names(res('apiextensions.k8s.io', 'customresourcedefinitions')), ['Name', 'Created At']);
  const widgets: ResourceInfo = {
    group: 'example.com',
    version: 'v1',
    kind: 'Widget',
    listKind: 'WidgetList',
    plural: 'widgets',
    singular: 'widget',
    namespaced: true,
  };
  assert.deepEqual(
    columnsFor(widgets).map((c) => [c.name, c.type]),
    [
      ['Name', 'string'],
      ['Age', 'date'],
    ],
  );
  // Date columns are ages, as upstream's CRD table convertor writes them (kubectl prints cells as they come).
  assert.deepEqual(rowFor(widgets, { metadata: { name: 'w', creationTimestamp: '2024-01-02T03:04:05Z' } }, NOW), ['w', '120d']);
  const dated = [{ name: 'When', type: 'date', jsonPath: '.spec.when' }];
  assert.deepEqual(rowFor(widgets, { metadata: { name: 'w' }, spec: { when: 'soon' } }, NOW, dated), ['w', '<invalid>']);
  assert.deepEqual(rowFor(widgets, { metadata: { name: 'w' }, spec: {} }, NOW, dated), ['w', null]);
  const cols = [{ name: 'Size', type: 'integer', jsonPath: '.spec.size' }];
  assert.deepEqual(rowFor(widgets, { metadata: { name: 'w' }, spec: { size: 3 } }, NOW, cols), ['w', 3]);
  assert.equal(columnsFor(widgets, cols)[1].description, 'Custom resource definition column (in JSONPath format): .spec.size');
});

test('buildTable: Table envelope and includeObject', () => {
  const cm: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'ns', labels: { a: 'b' } }, data: { k: 'v' } };
  const cms = res('', 'configmaps');
  const t = buildTable(cms, [cm], { now: NOW, listMeta: { resourceVersion: '42' } });
  assert.equal(t.kind, 'Table');
  assert.equal(t.apiVersion, 'meta.k8s.io/v1');
  assert.deepEqual(t.metadata, { resourceVersion: '42' });
  assert.deepEqual(
    t.columnDefinitions.map((c) => c.name),
    ['Name', 'Data', 'Age'],
  );
  assert.deepEqual(t.rows[0].object, { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: cm.metadata });
  assert.deepEqual(buildTable(cms, [cm], { now: NOW, includeObject: 'Object' }).rows[0].object, cm);
  assert.equal(buildTable(cms, [cm], { now: NOW, includeObject: 'None' }).rows[0].object, null);
  assert.deepEqual(buildTable(cms, [cm], { now: NOW, noHeaders: true }).columnDefinitions, []);
});

test('every printed resource has one cell per column', () => {
  for (const r of BUILTIN_RESOURCES) {
    const cells = rowFor(r, { metadata: { name: 'x' } }, NOW);
    assert.equal(cells.length, columnsFor(r).length, `${r.group}/${r.plural}`);
  }
});
