// Acceptance tests for issue 4 with the REAL default profile (every default plugin,
// real preemption writer) against a real apiserver + etcd: each filter and score
// sends a pod where Kubernetes would, or leaves it pending with PodScheduled=False
// (Unschedulable) and the FailedScheduling text Kubernetes writes.
//
// Nodes are cluster-scoped, so every case deletes its pods and nodes afterwards and
// waits for the scheduler's cache to be empty: messages then count only its nodes.
import type { Node, Pod, PodSpec, Taint } from '../../api/core/v1/types.js';
import { afterAll, afterEach, beforeAll, describe, it, jest } from '@jest/globals';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Client, type ResourceClient } from '../../pkg/client/index.js';
import { SharedInformerFactory } from '../../pkg/client/factory.js';
import { clientPreemptionWriter, defaultProfile } from '../../pkg/scheduler/plugins/registry.js';
import { Scheduler } from '../../pkg/scheduler/scheduler.js';
import { startCluster, type TestCluster } from '../support/cluster.js';
import { sleep, until } from '../support/controllers.js';
import { EXAMPLES_DIR } from '../support/examples.js';

interface NodeOpts {
  cpu?: string;
  memory?: string;
  pods?: string;
  labels?: Record<string, string>;
  taints?: Taint[];
  images?: Array<{ names: string[]; sizeBytes: number }>;
}

/** "0/N nodes are available: …. preemption: 0/N nodes are available: …..", the double stop included, as upstream's FitError + DefaultPreemption write it. */
const fitMsg = (n: number, reasons: string, preemption: string): string =>
  `0/${n} nodes are available: ${reasons}. preemption: 0/${n} nodes are available: ${preemption}..`;
const NOT_HELPFUL = 'Preemption is not helpful for scheduling';
const NO_VICTIMS = 'No preemption victims found for incoming pod';

jest.setTimeout(180_000);
describe('scheduler default profile against a real apiserver', () => {
  let c: TestCluster;
  let client: Client;
  let nodes: ResourceClient<Node>;
  let sched: Scheduler;
  let kubelet: SharedInformerFactory;
  let factory: SharedInformerFactory;
  const namespaces = new Set<string>();
  let seq = 0;

  beforeAll(async () => {
    c = await startCluster();
    client = Client.fromFile(c.kubeconfig);
    nodes = client.resource<Node>('v1', 'nodes');
    // Informers the plugins read through the lister are registered before start, so
    // the first lookup of a PVC, PV or PriorityClass finds it synced.
    factory = new SharedInformerFactory(client);
    for (const [gv, plural] of [
      ['v1', 'persistentvolumeclaims'],
      ['v1', 'persistentvolumes'],
      ['storage.k8s.io/v1', 'storageclasses'],
      ['scheduling.k8s.io/v1', 'priorityclasses'],
    ])
      factory.forResource(gv, plural);
    const log = process.env.SCHED_LOG ? (m: string) => void process.stderr.write(`sched: ${m}\n`) : undefined;
    sched = new Scheduler({
      client,
      factory,
      log,
      logV: log,
      profile: (lister) => defaultProfile(lister, 'default-scheduler', { preemptionWriter: clientPreemptionWriter(client) }),
      podInitialBackoffMs: 100,
      podMaxBackoffMs: 500,
    });
    await sched.start();
    // There is no kubelet: play its part in a graceful deletion by finishing it at once.
    kubelet = new SharedInformerFactory(client);
    const podsAll = client.resource<Pod>('v1', 'pods');
    kubelet.forResource<Pod>('v1', 'pods').addEventHandler({
      onUpdate: (_old, pod) => {
        if (pod.metadata.deletionTimestamp && pod.spec?.nodeName) {
          podsAll
            .namespace(pod.metadata.namespace)
            .delete(pod.metadata.name ?? '', { gracePeriodSeconds: 0 })
            .catch(() => undefined);
        }
      },
    });
    kubelet.start();
    await kubelet.waitForCacheSync();
  });

  afterAll(async () => {
    await sched?.stop();
    await factory?.shutdown(); // given to the scheduler, so not its to stop
    await kubelet?.shutdown();
    client?.close();
    await c?.stop();
  });

  afterEach(async () => {
    for (const ns of namespaces) {
      const pods = client.resource<Pod>('v1', 'pods').namespace(ns);
      await Promise.all((await pods.list()).items.map((p) => pods.delete(p.metadata.name ?? '', { gracePeriodSeconds: 0 }).catch(() => undefined)));
    }
    namespaces.clear();
    for (const n of (await nodes.list()).items) await nodes.delete(n.metadata.name ?? '');
    await until(
      'scheduler cache empty',
      async () =>
        sched.nodeInfos().length === 0 && sched.queue.pendingPods().active + sched.queue.pendingPods().backoff + sched.queue.pendingPods().unschedulable === 0,
      15_000,
    );
  });

  async function newNamespace(): Promise<ResourceClient<Pod>> {
    const name = `sched-${++seq}`;
    await client.resource('v1', 'namespaces').create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    namespaces.add(name);
    return client.resource<Pod>('v1', 'pods').namespace(name);
  }

  async function createNode(name: string, o: NodeOpts = {}): Promise<void> {
    const resources = { cpu: o.cpu ?? '4', memory: o.memory ?? '8Gi', pods: o.pods ?? '110' };
    const status = { allocatable: resources, capacity: resources, conditions: [{ type: 'Ready', status: 'True' }], ...(o.images ? { images: o.images } : {}) };
    await nodes.create({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name, labels: { 'kubernetes.io/hostname': name, ...o.labels } },
      spec: o.taints ? { taints: o.taints } : {},
      status,
    });
    await until(`node ${name} in the scheduler cache`, async () => Boolean(sched.schedulerCache.nodeInfo(name)));
  }

  async function createPod(
    pods: ResourceClient<Pod>,
    name: string,
    spec: Partial<PodSpec> & { cpu?: string; memory?: string } = {},
    labels?: Record<string, string>,
  ): Promise<void> {
    const { cpu, memory, ...rest } = spec;
    const requests: Record<string, string> = {};
    if (cpu) requests.cpu = cpu;
    if (memory) requests.memory = memory;
    await pods.create({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, labels },
      spec: { containers: [{ name: 'c', image: 'busybox', resources: { requests } }], ...rest },
    });
  }

  const bound = (pods: ResourceClient<Pod>, name: string, timeoutMs = 10_000): Promise<string> =>
    until(`${name} bound`, async () => (await pods.get(name)).spec?.nodeName, timeoutMs);

  /** Waits for PodScheduled=False/Unschedulable with this message and a FailedScheduling event with the same text. */
  async function pending(pods: ResourceClient<Pod>, name: string, message: string): Promise<void> {
    const pod = await until(`${name} unschedulable`, async () => {
      const p = await pods.get(name);
      const cond = p.status?.conditions?.find((x) => x.type === 'PodScheduled');
      return cond?.status === 'False' && cond.reason === 'Unschedulable' && cond.message === message ? p : undefined;
    }).catch(async (err: Error) => {
      const p = await pods.get(name);
      throw new Error(`${err.message}; condition is ${JSON.stringify(p.status?.conditions)}`);
    });
    assert.equal(pod.spec?.nodeName, undefined);
    const ns = pod.metadata.namespace ?? '';
    await until(`FailedScheduling event for ${name}`, async () => {
      const events = (await client.resource('v1', 'events').namespace(ns).list()).items as Array<{
        involvedObject?: { name?: string };
        reason?: string;
        type?: string;
        message?: string;
      }>;
      return (
        events.some((e) => e.involvedObject?.name === name && e.reason === 'FailedScheduling' && e.type === 'Warning' && e.message === message) || undefined
      );
    });
  }

  it('NodeName: a pod that names its node is left there and counts against it', async () => {
    const pods = await newNamespace();
    await createNode('a', { cpu: '4' });
    await createNode('b', { cpu: '4' });
    await createPod(pods, 'pinned', { nodeName: 'b', cpu: '3' });
    await createPod(pods, 'next', { cpu: '2' });
    assert.equal(await bound(pods, 'next'), 'a');
    assert.equal((await pods.get('pinned')).spec?.nodeName, 'b');
    assert.equal(sched.schedulerCache.nodeInfo('b')?.requested.cpu, 3000);
    await createPod(pods, 'too-big', { cpu: '3' }); // a has 2 left of 4, b has 1
    await pending(pods, 'too-big', fitMsg(2, '2 Insufficient cpu', `2 ${NO_VICTIMS}`));
  });

  it('NodeUnschedulable: kubectl cordon keeps new pods off; uncordon lets the pending one in', async () => {
    const pods = await newNamespace();
    await createNode('a');
    await createNode('b');
    await c.kubectl(['cordon', 'a']);
    await until('a cordoned in cache', async () => sched.schedulerCache.nodeInfo('a')?.node.spec?.unschedulable === true);
    for (const n of ['p1', 'p2', 'p3']) await createPod(pods, n);
    for (const n of ['p1', 'p2', 'p3']) assert.equal(await bound(pods, n), 'b');
    await c.kubectl(['cordon', 'b']);
    await until('b cordoned in cache', async () => sched.schedulerCache.nodeInfo('b')?.node.spec?.unschedulable === true);
    await createPod(pods, 'p4');
    await pending(pods, 'p4', fitMsg(2, '2 node(s) were unschedulable', `2 ${NOT_HELPFUL}`));
    await c.kubectl(['uncordon', 'a']);
    assert.equal(await bound(pods, 'p4'), 'a');
  });

  it('NodeResourcesFit: cpu, memory and pod count against allocatable', async () => {
    const pods = await newNamespace();
    await createNode('small', { cpu: '2', memory: '1Gi', pods: '2' });
    await createPod(pods, 'cpu-hog', { cpu: '3' });
    await pending(pods, 'cpu-hog', fitMsg(1, '1 Insufficient cpu', `1 ${NO_VICTIMS}`));
    await createPod(pods, 'mem-hog', { memory: '2Gi' });
    await pending(pods, 'mem-hog', fitMsg(1, '1 Insufficient memory', `1 ${NO_VICTIMS}`));
    await createPod(pods, 'one', { cpu: '1', memory: '512Mi' });
    await createPod(pods, 'two', { cpu: '500m', memory: '256Mi' });
    assert.equal(await bound(pods, 'one'), 'small');
    assert.equal(await bound(pods, 'two'), 'small');
    await createPod(pods, 'three', { cpu: '100m' });
    await pending(pods, 'three', fitMsg(1, '1 Too many pods', `1 ${NO_VICTIMS}`));
    // Both cpu and memory short: one count per reason.
    await createNode('small2', { cpu: '1', memory: '1Gi', pods: '10' });
    await createPod(pods, 'both', { cpu: '2', memory: '2Gi' });
    await pending(pods, 'both', fitMsg(2, '1 Too many pods, 2 Insufficient cpu, 2 Insufficient memory', `2 ${NO_VICTIMS}`));
  });

  it('NodeAffinity: nodeSelector and required node affinity (upstream examples) go to the disktype=ssd node', async () => {
    const pods = await newNamespace();
    const ns = [...namespaces].at(-1) as string;
    await createNode('ssd', { cpu: '2' });
    await createNode('hdd', { cpu: '64' }); // emptier: LeastAllocated alone would pick it
    await c.kubectl(['create', '-n', ns, '-f', join(EXAMPLES_DIR, 'pods/pod-nginx.yaml')]);
    await pending(pods, 'nginx', fitMsg(2, "2 node(s) didn't match Pod's node affinity/selector", `2 ${NOT_HELPFUL}`));
    await c.kubectl(['label', 'node', 'ssd', 'disktype=ssd']);
    assert.equal(await bound(pods, 'nginx'), 'ssd');
    await pods.delete('nginx', { gracePeriodSeconds: 0 });
    await until('nginx gone', async () => !(await pods.list()).items.length);
    await c.kubectl(['create', '-n', ns, '-f', join(EXAMPLES_DIR, 'pods/pod-nginx-required-affinity.yaml')]);
    assert.equal(await bound(pods, 'nginx'), 'ssd');
  });

  it('TaintToleration: the tolerating example lands on the tainted node; others name the untolerated taints', async () => {
    const pods = await newNamespace();
    const ns = [...namespaces].at(-1) as string;
    await createNode('tainted', { taints: [{ key: 'example-key', value: 'v1', effect: 'NoSchedule' }] });
    await createNode('other', { taints: [{ key: 'other-key', value: 'x', effect: 'NoExecute' }] });
    await c.kubectl(['create', '-n', ns, '-f', join(EXAMPLES_DIR, 'pods/pod-with-toleration.yaml')]);
    assert.equal(await bound(pods, 'nginx'), 'tainted');
    await createPod(pods, 'plain');
    await pending(
      pods,
      'plain',
      fitMsg(2, '1 node(s) had untolerated taint {example-key: v1}, 1 node(s) had untolerated taint {other-key: x}', `2 ${NOT_HELPFUL}`),
    );
  });

  it('NodePorts: a host port is taken once per node', async () => {
    const pods = await newNamespace();
    await createNode('a');
    await createNode('b');
    const withPort = (): Partial<PodSpec> => ({
      containers: [{ name: 'c', image: 'busybox', ports: [{ containerPort: 80, hostPort: 8080, protocol: 'TCP' }] }],
    });
    await createPod(pods, 'h1', withPort());
    const n1 = await bound(pods, 'h1');
    await createPod(pods, 'h2', withPort());
    const n2 = await bound(pods, 'h2');
    assert.notEqual(n1, n2);
    await createPod(pods, 'h3', withPort());
    await pending(pods, 'h3', fitMsg(2, "2 node(s) didn't have free ports for the requested pod ports", `2 ${NO_VICTIMS}`));
    // Another port fits.
    await createPod(pods, 'h4', { containers: [{ name: 'c', image: 'busybox', ports: [{ containerPort: 80, hostPort: 8081 }] }] });
    await bound(pods, 'h4');
  });

  it('InterPodAffinity: required anti-affinity on hostname spreads, then blocks; required affinity co-locates', async () => {
    const pods = await newNamespace();
    await createNode('a');
    await createNode('b');
    const anti: Partial<PodSpec> = {
      affinity: {
        podAntiAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'web' } }, topologyKey: 'kubernetes.io/hostname' }],
        },
      },
    };
    await createPod(pods, 'web-1', anti, { app: 'web' });
    const first = await bound(pods, 'web-1');
    await createPod(pods, 'web-2', anti, { app: 'web' });
    const second = await bound(pods, 'web-2');
    assert.notEqual(first, second);
    await createPod(pods, 'web-3', anti, { app: 'web' });
    await pending(pods, 'web-3', fitMsg(2, "2 node(s) didn't match pod anti-affinity rules", `2 ${NO_VICTIMS}`));

    // Required affinity: goes where app=db runs (b), even though a is emptier.
    await createPod(pods, 'db', { nodeSelector: { 'kubernetes.io/hostname': 'b' }, cpu: '2' }, { app: 'db' });
    assert.equal(await bound(pods, 'db'), 'b');
    const aff = (app: string): Partial<PodSpec> => ({
      affinity: {
        podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app } }, topologyKey: 'kubernetes.io/hostname' }] },
      },
    });
    await createPod(pods, 'cache', aff('db'));
    assert.equal(await bound(pods, 'cache'), 'b');
    await createPod(pods, 'orphan', aff('nothing'));
    await pending(pods, 'orphan', fitMsg(2, "2 node(s) didn't match pod affinity rules", `2 ${NOT_HELPFUL}`));
  });

  it('PodTopologySpread DoNotSchedule (upstream one-constraint example) keeps zone skew within 1', async () => {
    const pods = await newNamespace();
    const ns = [...namespaces].at(-1) as string;
    await createNode('a1', { cpu: '64', labels: { zone: 'zoneA' } });
    await createNode('b1', { cpu: '4', labels: { zone: 'zoneB' } });
    for (const n of ['x1', 'x2']) await createPod(pods, n, { nodeName: 'a1' }, { foo: 'bar' });
    await c.kubectl(['create', '-n', ns, '-f', join(EXAMPLES_DIR, 'pods/topology-spread-constraints/one-constraint.yaml')]);
    assert.equal(await bound(pods, 'mypod'), 'b1'); // a1 would make the skew 3 - 0
    // Now 2:1. Taint b1: zoneB still counts, so zoneA (3:1) is over the skew and b1 is tainted.
    await nodes.patch('b1', 'merge', { spec: { taints: [{ key: 'k', value: 'v', effect: 'NoSchedule' }] } });
    await until('b1 tainted in cache', async () => (sched.schedulerCache.nodeInfo('b1')?.node.spec?.taints?.length ?? 0) > 0);
    await createPod(
      pods,
      'spread-2',
      { topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { foo: 'bar' } } }] },
      { foo: 'bar' },
    );
    await pending(
      pods,
      'spread-2',
      fitMsg(2, "1 node(s) didn't match pod topology spread constraints, 1 node(s) had untolerated taint {k: v}", `1 ${NO_VICTIMS}, 1 ${NOT_HELPFUL}`),
    );
  });

  it('VolumeBinding: a pod whose PVC is bound to a node-local PV goes to that node', async () => {
    const pods = await newNamespace();
    const ns = [...namespaces].at(-1) as string;
    await createNode('a', { cpu: '64' });
    await createNode('b', { cpu: '4' });
    await client.resource('v1', 'persistentvolumes').create({
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: `local-${ns}` },
      spec: {
        capacity: { storage: '1Gi' },
        accessModes: ['ReadWriteOnce'],
        storageClassName: 'local',
        persistentVolumeReclaimPolicy: 'Retain',
        local: { path: '/mnt/disk' },
        claimRef: { namespace: ns, name: 'data' },
        nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['b'] }] }] } },
      },
    });
    await client
      .resource('v1', 'persistentvolumeclaims')
      .namespace(ns)
      .create({
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: { name: 'data' },
        spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'local', volumeName: `local-${ns}`, resources: { requests: { storage: '1Gi' } } },
      });
    await until('the scheduler sees the claim and its volume', () =>
      Boolean(
        sched.factory.forResource('v1', 'persistentvolumeclaims').lister.get(ns, 'data') &&
        sched.factory.forResource('v1', 'persistentvolumes').lister.get(`local-${ns}`),
      ),
    );
    await createPod(pods, 'user', { volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'data' } }] });
    assert.equal(await bound(pods, 'user'), 'b');
    await c.kubectl(['cordon', 'b']);
    await until('b cordoned in cache', async () => sched.schedulerCache.nodeInfo('b')?.node.spec?.unschedulable === true);
    await createPod(pods, 'user-2', { volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'data' } }] });
    await pending(pods, 'user-2', fitMsg(2, '1 node(s) had volume node affinity conflict, 1 node(s) were unschedulable', `2 ${NOT_HELPFUL}`));
    await client.resource('v1', 'persistentvolumes').delete(`local-${ns}`);
  });

  it('VolumeBinding: a pod waiting on an unbound immediate claim is scheduled as soon as the claim binds', async () => {
    const pods = await newNamespace();
    const ns = [...namespaces].at(-1) as string;
    await createNode('a');
    const claims = client.resource('v1', 'persistentvolumeclaims').namespace(ns);
    await claims.create({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'late' },
      spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'manual', resources: { requests: { storage: '1Gi' } } },
    });
    await until('the scheduler sees the claim', () => Boolean(sched.factory.forResource('v1', 'persistentvolumeclaims').lister.get(ns, 'late')));
    await createPod(pods, 'waiting', { volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'late' } }] });
    await pending(pods, 'waiting', fitMsg(1, 'pod has unbound immediate PersistentVolumeClaims', `1 ${NOT_HELPFUL}`));
    // What the volume binder does: a PV for the claim, and the claim pointing at it. The pod was parked as
    // unschedulable; only the claim's update event (not the 5-minute unschedulable flush) brings it back.
    await client.resource('v1', 'persistentvolumes').create({
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: `late-${ns}` },
      spec: {
        capacity: { storage: '1Gi' },
        accessModes: ['ReadWriteOnce'],
        storageClassName: 'manual',
        hostPath: { path: '/tmp' },
        claimRef: { namespace: ns, name: 'late' },
      },
    });
    await claims.patch('late', 'merge', { spec: { volumeName: `late-${ns}` } });
    assert.equal(await bound(pods, 'waiting'), 'a');
    await client.resource('v1', 'persistentvolumes').delete(`late-${ns}`);
  });

  it('score LeastAllocated: the emptier node', async () => {
    const pods = await newNamespace();
    await createNode('a');
    await createNode('b');
    await createPod(pods, 'load', { nodeName: 'a', cpu: '3' });
    await createPod(pods, 'least', { cpu: '100m' });
    assert.equal(await bound(pods, 'least'), 'b');
  });

  it('score NodeAffinity: the preferred node among equal ones', async () => {
    const pods = await newNamespace();
    await createNode('a');
    await createNode('b', { labels: { tier: 'gold' } });
    await createNode('c');
    const preferred = {
      nodeAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          { weight: 50, preference: { matchExpressions: [{ key: 'tier', operator: 'In', values: ['gold'] }] } },
        ],
      },
    };
    for (const n of ['g1', 'g2', 'g3']) {
      await createPod(pods, n, { cpu: '100m', affinity: preferred });
      assert.equal(await bound(pods, n), 'b');
    }
  });

  it('score TaintToleration: a PreferNoSchedule node is avoided when another is equal', async () => {
    const pods = await newNamespace();
    await createNode('a', { taints: [{ key: 'soft', value: 'yes', effect: 'PreferNoSchedule' }] });
    await createNode('b');
    for (const n of ['t1', 't2', 't3']) {
      await createPod(pods, n, { cpu: '100m' });
      assert.equal(await bound(pods, n), 'b');
    }
  });

  it('score InterPodAffinity: preferred anti-affinity spreads even onto a fuller node', async () => {
    const pods = await newNamespace();
    await createNode('big', { cpu: '64', memory: '64Gi' });
    await createNode('small', { cpu: '4', memory: '64Gi' });
    const spread = {
      podAntiAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          { weight: 100, podAffinityTerm: { labelSelector: { matchLabels: { app: 'spread' } }, topologyKey: 'kubernetes.io/hostname' } },
        ],
      },
    };
    await createPod(pods, 's1', { cpu: '1', affinity: spread }, { app: 'spread' });
    assert.equal(await bound(pods, 's1'), 'big');
    await createPod(pods, 's2', { cpu: '1', affinity: spread }, { app: 'spread' });
    assert.equal(await bound(pods, 's2'), 'small');
    // Without the preference the next one goes back to the emptier node.
    await createPod(pods, 'plain', { cpu: '1' }, { app: 'spread' });
    assert.equal(await bound(pods, 'plain'), 'big');
  });

  it('score PodTopologySpread ScheduleAnyway: the less loaded zone', async () => {
    const pods = await newNamespace();
    await createNode('a1', { cpu: '64', memory: '64Gi', labels: { zone: 'zoneA' } });
    await createNode('b1', { cpu: '4', memory: '64Gi', labels: { zone: 'zoneB' } });
    for (const n of ['x1', 'x2']) await createPod(pods, n, { nodeName: 'a1' }, { foo: 'any' });
    const tsc = [{ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { foo: 'any' } } }];
    await createPod(pods, 'soft', { cpu: '1', topologySpreadConstraints: tsc }, { foo: 'any' });
    assert.equal(await bound(pods, 'soft'), 'b1');
    await createPod(pods, 'plain', { cpu: '1' }, { foo: 'any' });
    assert.equal(await bound(pods, 'plain'), 'a1');
  });

  it('score ImageLocality: the node that already has the image', async () => {
    const pods = await newNamespace();
    const image = { names: ['docker.io/library/nginx:latest', 'nginx:latest'], sizeBytes: 500 * 1024 * 1024 };
    await createNode('a');
    await createNode('b', { images: [image] });
    await createNode('c');
    for (const n of ['i1', 'i2']) {
      await createPod(pods, n, { containers: [{ name: 'c', image: 'nginx', resources: { requests: { cpu: '100m' } } }] });
      assert.equal(await bound(pods, n), 'b');
    }
  });

  it('no double-booking: 200 pods of 1 CPU onto 10 nodes of 10 CPUs bind exactly 100', async () => {
    const pods = await newNamespace();
    await Promise.all(Array.from({ length: 10 }, (_, i) => createNode(`n${i}`, { cpu: '10' })));
    const names = Array.from({ length: 200 }, (_, i) => `w${i}`);
    for (let i = 0; i < names.length; i += 25) await Promise.all(names.slice(i, i + 25).map((n) => createPod(pods, n, { cpu: '1' })));
    const message = fitMsg(10, '10 Insufficient cpu', `10 ${NO_VICTIMS}`);
    const items = await until(
      '100 bound and 100 unschedulable',
      async () => {
        const all = (await pods.list()).items;
        const b = all.filter((p) => p.spec?.nodeName).length;
        const u = all.filter(
          (p) => !p.spec?.nodeName && p.status?.conditions?.some((x) => x.type === 'PodScheduled' && x.reason === 'Unschedulable' && x.message === message),
        ).length;
        return b === 100 && u === 100 ? all : undefined;
      },
      30_000,
      200,
    );
    const perNode = new Map<string, number>();
    for (const p of items) if (p.spec?.nodeName) perNode.set(p.spec.nodeName, (perNode.get(p.spec.nodeName) ?? 0) + 1);
    assert.equal(perNode.size, 10);
    for (const [node, count] of perNode) assert.equal(count, 10, `${node} holds ${count} CPUs of 10`);
    await sleep(1_000);
    assert.equal((await pods.list()).items.filter((p) => p.spec?.nodeName).length, 100);
    // Events are best-effort (the scheduler rate-limits them), so not every pod need have one; the
    // PodScheduled conditions above are the record. Those that went out name unschedulable pods.
    const ns = items[0].metadata.namespace ?? '';
    const unbound = new Set(items.filter((p) => !p.spec?.nodeName).map((p) => p.metadata.name));
    const failed = await until('FailedScheduling events', async () => {
      const events = (await client.resource('v1', 'events').namespace(ns).list()).items as Array<{
        involvedObject?: { name?: string };
        reason?: string;
        message?: string;
      }>;
      const f = events.filter((e) => e.reason === 'FailedScheduling' && e.message === message);
      return f.length ? f : undefined;
    });
    for (const e of failed) assert.ok(unbound.has(e.involvedObject?.name), `FailedScheduling event for ${e.involvedObject?.name}, which is bound`);
  });

  it('preemption: a high-priority pod evicts a lower-priority one and takes its node', async () => {
    const pods = await newNamespace();
    const pcs = client.resource('scheduling.k8s.io/v1', 'priorityclasses');
    await pcs.create({ apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: `high-${seq}` }, value: 1000 });
    await pcs.create({ apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: `low-${seq}` }, value: 10 });
    await createNode('a', { cpu: '2' });
    await createNode('b', { cpu: '2' });
    await createPod(pods, 'low-a', { cpu: '2', priorityClassName: `low-${seq}`, nodeSelector: { 'kubernetes.io/hostname': 'a' } });
    await createPod(pods, 'low-b', { cpu: '1500m', priorityClassName: `low-${seq}`, nodeSelector: { 'kubernetes.io/hostname': 'b' } });
    assert.equal(await bound(pods, 'low-a'), 'a');
    assert.equal(await bound(pods, 'low-b'), 'b');
    const lowA = await pods.get('low-a');
    const lowB = await pods.get('low-b');
    let nominated: string | undefined;
    await createPod(pods, 'vip', { cpu: '2', priorityClassName: `high-${seq}` });
    const node = await until(
      'vip bound',
      async () => {
        const p = await pods.get('vip');
        nominated ??= p.status?.nominatedNodeName;
        return p.spec?.nodeName;
      },
      15_000,
      20,
    );
    const vip = await pods.get('vip');
    nominated ??= vip.status?.nominatedNodeName;
    assert.equal(nominated, node);
    // Either node works with one victim of equal priority (upstream's tie-breaks end at the latest start time).
    const victim = node === 'a' ? lowA : lowB;
    const survivor = node === 'a' ? lowB : lowA;
    await until('victim gone', async () => !(await pods.list()).items.some((p) => p.metadata.uid === victim.metadata.uid));
    assert.equal((await pods.get(survivor.metadata.name ?? '')).metadata.uid, survivor.metadata.uid);
    // A same-priority pod that does not fit preempts nothing.
    await createPod(pods, 'peer', { cpu: '2', priorityClassName: `low-${seq}` });
    await pending(pods, 'peer', fitMsg(2, '2 Insufficient cpu', `2 ${NO_VICTIMS}`));
    await pcs.delete(`high-${seq}`);
    await pcs.delete(`low-${seq}`);
  });
});
