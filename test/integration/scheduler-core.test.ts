// The scheduler core (cache, queue, scheduleOne, binding, failure reporting) against a
// real apiserver + etcd, with a tiny profile written here: a cpu-fit filter, a
// least-requested score and a preemption stand-in (PostFilter) — the real plugins are
// tested in their own files.
import { afterAll, afterEach, beforeAll, describe, it, jest } from '@jest/globals';
import assert from 'node:assert/strict';
import { Client, type ResourceClient } from '../../pkg/client/index.js';
import { SchedulerCache } from '../../pkg/scheduler/cache.js';
import { nonZeroRequests, podRequests } from '../../pkg/scheduler/plugins/helper/resources.js';
import type { Node, Pod, PodSpec } from '../../api/core/v1/types.js';
import {
  Code,
  MAX_NODE_SCORE,
  SUCCESS,
  unschedulable,
  type CycleState,
  type FilterPlugin,
  type NodeInfo,
  type PostFilterPlugin,
  type Profile,
  type ScorePlugin,
  type Status,
} from '../../pkg/scheduler/framework/types.js';
import { SchedulerMetrics } from '../../pkg/scheduler/metrics.js';
import { buildProfile } from '../../pkg/scheduler/profile.js';
import { SchedulingQueue } from '../../pkg/scheduler/queue.js';
import { fitErrorMessage, numFeasibleNodesToFind } from '../../pkg/scheduler/schedule_one.js';
import { Scheduler } from '../../pkg/scheduler/scheduler.js';
import { startCluster, type TestCluster } from '../support/cluster.js';
import { sleep, until } from '../support/controllers.js';

// ---- test plugins ----

const cpuFit: FilterPlugin = {
  name: 'TestCPUFit',
  filter(_s: CycleState, pod: Pod, n: NodeInfo): Status {
    const want = podRequests(pod).cpu ?? 0;
    if (want > 0 && (n.requested.cpu ?? 0) + want > (n.allocatable.cpu ?? 0)) return unschedulable('Insufficient cpu');
    return SUCCESS;
  },
};

const leastRequested: ScorePlugin = {
  name: 'TestLeastRequested',
  weight: 1,
  score(_s: CycleState, pod: Pod, n: NodeInfo): number {
    const cap = n.allocatable.cpu ?? 0;
    const used = (n.nonZeroRequested?.cpu ?? 0) + (nonZeroRequests(pod).cpu ?? 0);
    return cap === 0 || used > cap ? 0 : Math.floor(((cap - used) * MAX_NODE_SCORE) / cap);
  },
};

/** Stands in for DefaultPreemption when no pod has lower priority: every node says so, as upstream words it. */
const noVictims: PostFilterPlugin = {
  name: 'TestNoVictims',
  async postFilter(_s: CycleState, _pod: Pod, statuses: Map<string, Status>) {
    const per = new Map<string, Status>();
    for (const name of statuses.keys()) per.set(name, { code: Code.UnschedulableAndUnresolvable, reasons: ['No preemption victims found for incoming pod'] });
    return { status: unschedulable(`preemption: ${fitErrorMessage(per.size, per)}`) };
  },
};

const testProfile = (): Profile => buildProfile([cpuFit, leastRequested, noVictims]);

// ---- pure parts ----

describe('scheduler core units', () => {
  it('computes effective requests: max(sum of containers, max init) + overhead; non-zero defaults for scoring', () => {
    const pod: Pod = {
      metadata: { name: 'p' },
      spec: {
        containers: [
          { name: 'a', resources: { requests: { cpu: '200m', memory: '1Gi' } } },
          { name: 'b', resources: { requests: { cpu: '300m' } } },
        ],
        initContainers: [{ name: 'i', resources: { requests: { cpu: '1', memory: '100Mi' } } }],
        overhead: { cpu: '10m' },
      },
    };
    assert.deepEqual(podRequests(pod), { cpu: 1010, memory: 2 ** 30 });
    // b has no memory request: 200Mi counted for scoring; cpu is max(500m, 1) + overhead, as for fit.
    assert.deepEqual(nonZeroRequests(pod), { cpu: 1010, memory: 2 ** 30 + 200 * 2 ** 20 });
    const empty: Pod = { metadata: { name: 'e' }, spec: { containers: [{ name: 'c' }] } };
    assert.deepEqual(podRequests(empty), {});
    assert.deepEqual(nonZeroRequests(empty), { cpu: 100, memory: 200 * 2 ** 20 });
  });

  it('assumes, forgets, confirms and expires pods in the cache', () => {
    let now = 1_000;
    const cache = new SchedulerCache({ now: () => now, ttlMs: 30_000 });
    cache.addNode({ metadata: { name: 'n1' }, spec: {}, status: { allocatable: { cpu: '4', memory: '8Gi', pods: '110', 'ephemeral-storage': '10Gi' } } });
    const info = cache.nodeInfo('n1') as NodeInfo;
    assert.deepEqual(info.allocatable, { cpu: 4000, memory: 8 * 2 ** 30, pods: 110, 'ephemeral-storage': 10 * 2 ** 30 });
    const pod = (name: string): Pod => ({
      metadata: { name, namespace: 'd', uid: name },
      spec: { containers: [{ name: 'c', resources: { requests: { cpu: '1' } } }] },
    });
    cache.assume(pod('a'), 'n1');
    cache.assume(pod('b'), 'n1');
    assert.equal(info.requested.cpu, 2000);
    assert.equal(info.requested.pods, 2);
    cache.forget(pod('a'));
    assert.equal(info.requested.cpu, 1000);
    // b's binding finished but is never observed: gone 30 s later.
    cache.finishBinding(pod('b'));
    now += 29_000;
    cache.cleanupExpiredAssumedPods();
    assert.equal(info.requested.cpu, 1000);
    now += 2_000;
    cache.cleanupExpiredAssumedPods();
    assert.equal(info.requested.cpu, 0);
    // c is confirmed by the informer: no longer assumed, never expires.
    cache.assume(pod('c'), 'n1');
    cache.finishBinding(pod('c'));
    cache.addPod({ ...pod('c'), spec: { ...pod('c').spec, nodeName: 'n1' } });
    assert.equal(cache.isAssumed(pod('c')), false);
    now += 60_000;
    cache.cleanupExpiredAssumedPods();
    assert.equal(info.requested.cpu, 1000);
    assert.equal(info.pods.length, 1);
  });

  it('pops higher priority first, then oldest; backs off exponentially; moves unschedulable pods on events', async () => {
    let now = 0;
    const q = new SchedulingQueue({ now: () => now });
    const pod = (name: string, priority?: number): Pod => ({ metadata: { name, namespace: 'd', uid: name }, spec: { containers: [], priority } });
    q.add(pod('low'));
    now++;
    q.add(pod('high', 1000));
    now++;
    q.add(pod('mid', 10));
    now++;
    q.add(pod('mid2', 10));
    const order = [];
    for (let i = 0; i < 4; i++) order.push((await q.pop())?.pod.metadata.name);
    assert.deepEqual(order, ['high', 'mid', 'mid2', 'low']);

    // A failed pod waits in unschedulablePods until an event; then backs off 1 s, 2 s, 4 s… up to 10 s.
    q.add(pod('x'));
    const info = await q.pop();
    assert.ok(info);
    const cycle = q.cycle;
    q.addUnschedulableIfNotPresent(info, cycle);
    assert.equal(q.whereIs(info.pod), 'unschedulable');
    assert.equal(q.backoffDuration(info), 1_000);
    q.moveAllToActiveOrBackoffQueue('NodeAdd');
    assert.equal(q.whereIs(info.pod), 'backoff');
    now += 1_001;
    q.flushBackoffQCompleted();
    assert.equal(q.whereIs(info.pod), 'active');
    info.attempts = 4;
    assert.equal(q.backoffDuration(info), 8_000);
    info.attempts = 10;
    assert.equal(q.backoffDuration(info), 10_000);
    q.close();
  });

  it('formats FitError messages as upstream and sizes the feasible-node search adaptively', () => {
    const st = (r: string): Status => unschedulable(r);
    const m = new Map<string, Status>([
      ['a', st('Insufficient cpu')],
      ['b', st('node(s) had untolerated taint {key: value}')],
      ['c', st('Insufficient cpu')],
    ]);
    assert.equal(fitErrorMessage(3, m), '0/3 nodes are available: 1 node(s) had untolerated taint {key: value}, 2 Insufficient cpu.');
    assert.equal(
      fitErrorMessage(3, m, '', 'preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.'),
      '0/3 nodes are available: 1 node(s) had untolerated taint {key: value}, 2 Insufficient cpu. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling..',
    );
    assert.equal(fitErrorMessage(3, m, 'persistentvolumeclaim "x" not found'), '0/3 nodes are available: persistentvolumeclaim "x" not found.');
    assert.equal(numFeasibleNodesToFind(99), 99);
    assert.equal(numFeasibleNodesToFind(500), 230); // (50 - 4)% of 500
    assert.equal(numFeasibleNodesToFind(5000), 500); // max(5, 50 - 40) = 10%
    assert.equal(numFeasibleNodesToFind(1000), 420);
    assert.equal(numFeasibleNodesToFind(150), 100); // 49% = 73, floor of 100
    assert.equal(numFeasibleNodesToFind(10_000), 500); // 5% floor
  });
});

// ---- against a real apiserver ----

jest.setTimeout(120_000);
describe('scheduler core against a real apiserver', () => {
  let c: TestCluster;
  let client: Client;
  let pods: ResourceClient<Pod>;
  let nodes: ResourceClient<Node>;
  let sched: Scheduler | undefined;
  let metrics: SchedulerMetrics;
  const ns = 'default';

  beforeAll(async () => {
    c = await startCluster();
    client = Client.fromFile(c.kubeconfig);
    pods = client.resource<Pod>('v1', 'pods').namespace(ns);
    nodes = client.resource<Node>('v1', 'nodes');
  });
  afterAll(async () => {
    await sched?.stop();
    client?.close();
    await c?.stop();
  });
  afterEach(async () => {
    await sched?.stop();
    sched = undefined;
    for (const p of (await pods.list()).items) await pods.delete(p.metadata.name ?? '', { gracePeriodSeconds: 0 });
    for (const n of (await nodes.list()).items) await nodes.delete(n.metadata.name ?? '');
  });

  async function startScheduler(): Promise<Scheduler> {
    metrics = new SchedulerMetrics();
    sched = new Scheduler({
      client,
      profile: testProfile(),
      metrics,
      log: process.env.SCHED_LOG ? (m) => process.stderr.write(`sched: ${m}\n`) : undefined,
      logV: process.env.SCHED_LOG ? (m) => process.stderr.write(`schedv: ${m}\n`) : undefined,
      podInitialBackoffMs: 200,
      podMaxBackoffMs: 1_000,
    });
    await sched.start();
    return sched;
  }

  async function createNode(name: string, cpu: string): Promise<void> {
    const status = {
      allocatable: { cpu, memory: '8Gi', pods: '110' },
      capacity: { cpu, memory: '8Gi', pods: '110' },
      conditions: [{ type: 'Ready', status: 'True' }],
    };
    const created = await nodes.create({ apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name } }, spec: {}, status });
    // Upstream keeps a Node's status on create; write it again in case this apiserver reset it.
    if (!created.status?.allocatable) await nodes.updateStatus({ ...created, status });
  }

  async function createPod(name: string, cpu: string, extra: Partial<PodSpec> = {}): Promise<void> {
    await pods.create({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: ns },
      spec: { containers: [{ name: 'c', image: 'busybox', resources: { requests: { cpu } } }], ...extra },
    });
  }

  const nodeOf = async (name: string) => (await pods.get(name)).spec?.nodeName;

  async function failedSchedulingMessages(name: string): Promise<string[]> {
    const list = await client.resource('v1', 'events').namespace(ns).list();
    return (list.items as Array<{ involvedObject?: { name?: string }; reason?: string; type?: string; message?: string }>)
      .filter((e) => e.involvedObject?.name === name && e.reason === 'FailedScheduling' && e.type === 'Warning')
      .map((e) => String(e.message));
  }

  it('binds a pod to the only node with room', async () => {
    await createNode('small', '1');
    await createNode('big', '4');
    await startScheduler();
    await createPod('p1', '2');
    assert.equal(await until('p1 bound', () => nodeOf('p1')), 'big');
    // A pod without requests fits anywhere and goes to the least requested node.
    await createPod('p2', '0');
    assert.equal(await until('p2 bound', () => nodeOf('p2')), 'small');
    // The counter moves when the scheduler sees its binding answered, which can be just after the pod shows it.
    const text = await until('both attempts counted', async () => {
      const t = await metrics.registry.metrics();
      return /scheduler_schedule_attempts_total\{result="scheduled",profile="default-scheduler"\} 2/.test(t) ? t : undefined;
    });
    assert.match(text, /scheduler_pending_pods\{queue="active"\} 0/);
  });

  it('never double-books: 30 pods of 1 CPU onto 3 nodes of 5 CPUs bind 15 and report 15 unschedulable', async () => {
    for (const n of ['n1', 'n2', 'n3']) await createNode(n, '5');
    await startScheduler();
    await Promise.all(Array.from({ length: 30 }, (_, i) => createPod(`w${i}`, '1')));
    const expected = '0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod..';
    const final = await until(
      '15 bound and 15 marked unschedulable',
      async () => {
        const items = (await pods.list()).items;
        const bound = items.filter((p) => p.spec?.nodeName);
        const marked = items.filter(
          (p) => !p.spec?.nodeName && p.status?.conditions?.some((cd) => cd.type === 'PodScheduled' && cd.status === 'False' && cd.reason === 'Unschedulable'),
        );
        return bound.length === 15 && marked.length === 15 ? items : undefined;
      },
      30_000,
      100,
    );
    const perNode = new Map<string, number>();
    for (const p of final) if (p.spec?.nodeName) perNode.set(p.spec.nodeName, (perNode.get(p.spec.nodeName) ?? 0) + 1);
    assert.deepEqual([...perNode.entries()].sort(), [
      ['n1', 5],
      ['n2', 5],
      ['n3', 5],
    ]);
    // Give the scheduler time to (wrongly) bind more, then check again.
    await sleep(1_500);
    assert.equal((await pods.list()).items.filter((p) => p.spec?.nodeName).length, 15);
    const pending = final.filter((p) => !p.spec?.nodeName);
    for (const p of pending) {
      const cond = p.status?.conditions?.find((cd) => cd.type === 'PodScheduled');
      assert.equal(cond?.message, expected);
      assert.equal(cond?.lastProbeTime, null);
    }
    const msgs = await until('FailedScheduling event', async () => {
      const m = await failedSchedulingMessages(pending[0].metadata.name ?? '');
      return m.length ? m : undefined;
    });
    assert.deepEqual(msgs, [expected]);
    const text = await metrics.registry.metrics();
    assert.match(text, /scheduler_schedule_attempts_total\{result="scheduled",profile="default-scheduler"\} 15/);
    assert.match(text, /scheduler_pending_pods\{queue="unschedulable"\} 15|scheduler_pending_pods\{queue="backoff"\} \d+/);
  });

  it('binds a pending pod when a node is added, and when a bound pod is deleted', async () => {
    await createNode('only', '1');
    await startScheduler();
    await createPod('first', '1');
    assert.equal(await until('first bound', () => nodeOf('first')), 'only');
    await createPod('second', '1');
    await createPod('third', '1');
    await until('second and third unschedulable', async () => {
      const items = (await pods.list()).items.filter((p) => p.metadata.name !== 'first');
      return items.every((p) => p.status?.conditions?.some((cd) => cd.type === 'PodScheduled' && cd.reason === 'Unschedulable')) || undefined;
    });
    await createNode('added', '1');
    const boundOnAdded = await until(
      'a pending pod bound to the new node',
      async () => {
        const items = (await pods.list()).items.filter((p) => p.spec?.nodeName === 'added');
        return items.length === 1 ? items[0].metadata.name : undefined;
      },
      10_000,
    );
    const still = boundOnAdded === 'second' ? 'third' : 'second';
    assert.equal(await nodeOf(still), undefined);
    await pods.delete('first', { gracePeriodSeconds: 0 });
    assert.equal(await until(`${still} bound after first was deleted`, () => nodeOf(still), 10_000), 'only');
  });

  it('schedules higher priority pods first', async () => {
    await createNode('one', '1');
    // Queued before the scheduler starts, oldest first: only one fits.
    await createPod('low', '1');
    await createPod('mid', '1', { priority: 100 });
    await createPod('high', '1', { priority: 1000 });
    await startScheduler();
    assert.equal(await until('high bound', () => nodeOf('high')), 'one');
    await sleep(300);
    assert.equal(await nodeOf('mid'), undefined);
    assert.equal(await nodeOf('low'), undefined);
    await pods.delete('high', { gracePeriodSeconds: 0 });
    assert.equal(await until('mid bound next', () => nodeOf('mid'), 10_000), 'one');
    assert.equal(await nodeOf('low'), undefined);
  });

  it('ignores pods for other schedulers and pods already on a node', async () => {
    await createNode('n', '4');
    await startScheduler();
    await createPod('other', '1', { schedulerName: 'my-scheduler' });
    await createPod('pinned', '1', { nodeName: 'n' });
    await createPod('mine', '1');
    assert.equal(await until('mine bound', () => nodeOf('mine')), 'n');
    await sleep(300);
    assert.equal(await nodeOf('other'), undefined);
    // The pinned pod counts against the node: 4 CPUs, 2 used.
    assert.equal(sched?.schedulerCache.nodeInfo('n')?.requested.cpu, 2000);
  });
});
