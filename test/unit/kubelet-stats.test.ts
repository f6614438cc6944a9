// The kubelet's stats on fixture trees: the cgroup v1 and v2 readers, and the stats
// provider's views of one snapshot (the Summary API, /metrics/resource and
// /metrics/cadvisor, each read back with a text exposition parser) for a pod with two
// containers whose runtime is an in-memory list.
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CgroupReader, parseMeminfo, parseNetDev } from '../../pkg/kubelet/stats/cgroup.js';
import { StatsProvider } from '../../pkg/kubelet/stats/provider.js';
import type { RuntimeSource } from '../../pkg/kubelet/stats/runtime.js';
import { summaryOf } from '../../pkg/kubelet/stats/summary.js';
import { resourceMetrics } from '../../pkg/kubelet/metrics/resource.js';
import { cadvisorMetrics } from '../../pkg/kubelet/metrics/cadvisor.js';
import { KubeletMetrics, runtimeOperationType } from '../../pkg/kubelet/metrics/metrics.js';
import { parseExposition } from '../support/promtext.js';

const UID = '6f1c2d3e-aaaa-bbbb-cccc-0123456789ab';
const POD_CG = `/kubepods/burstable/pod${UID}`;
const GiB = 1024 ** 3;

const MEMINFO = `MemTotal:       16384000 kB
MemFree:         4096000 kB
MemAvailable:    8192000 kB
Inactive(file):  1024000 kB
AnonPages:       2048000 kB
`;

const NETDEV = `Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo:     500       5    0    0    0     0          0         0      500       5    0    0    0     0       0          0
  eth0:    1234      10    1    0    0     0          0         0     5678      12    2    0    0     0       0          0
`;

function write(path: string, text: string): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
}

/** A cgroup v1 tree: cpu,cpuacct joint and memory hierarchies, with the node, a pod and its containers. */
function v1Tree(root: string): void {
  const cpu = (p: string, ns: number) => write(join(root, 'cpu,cpuacct', p, 'cpuacct.usage'), `${ns}\n`);
  const mem = (p: string, usage: number, stat: Record<string, number>) => {
    write(join(root, 'memory', p, 'memory.usage_in_bytes'), `${usage}\n`);
    write(
      join(root, 'memory', p, 'memory.stat'),
      Object.entries(stat)
        .map(([k, v]) => `${k} ${v}`)
        .join('\n') + '\n',
    );
  };
  cpu('/', 50e9);
  mem('/', 6 * GiB, { total_inactive_file: GiB, total_rss: 2 * GiB, total_pgfault: 100, total_pgmajfault: 3 });
  cpu(POD_CG, 3e9);
  mem(POD_CG, 300e6, { inactive_file: 1, total_inactive_file: 100e6, total_rss: 150e6 });
  write(join(root, 'memory', POD_CG, 'cgroup.procs'), '4242\n');
  cpu(`${POD_CG}/c-app`, 2e9);
  mem(`${POD_CG}/c-app`, 200e6, { total_inactive_file: 50e6, total_rss: 120e6 });
  cpu(`${POD_CG}/c-side`, 0.5e9);
  mem(`${POD_CG}/c-side`, 40e6, { total_inactive_file: 10e6, total_rss: 20e6 });
}

/** The same usage in a cgroup v2 tree (the root has no memory.current: /proc/meminfo speaks for the node). */
function v2Tree(root: string): void {
  write(join(root, 'cgroup.controllers'), 'cpu memory pids\n');
  write(join(root, 'cpu.stat'), 'usage_usec 50000000\nuser_usec 1\nsystem_usec 2\n');
  write(join(root, 'memory.stat'), 'anon 1\ninactive_file 1\n');
  const cg = (p: string, usec: number, current: number, inactive: number, anon: number) => {
    write(join(root, p, 'cpu.stat'), `usage_usec ${usec}\n`);
    write(join(root, p, 'memory.current'), `${current}\n`);
    write(join(root, p, 'memory.stat'), `anon ${anon}\nfile 5\ninactive_file ${inactive}\npgfault 7\npgmajfault 1\n`);
  };
  cg(POD_CG, 3e6, 300e6, 100e6, 150e6);
  write(join(root, POD_CG, 'cgroup.procs'), '4242\n');
  cg(`${POD_CG}/c-app`, 2e6, 200e6, 50e6, 120e6);
  cg(`${POD_CG}/c-side`, 0.5e6, 40e6, 10e6, 20e6);
}

function procTree(root: string): void {
  write(join(root, 'meminfo'), MEMINFO);
  write(join(root, 'uptime'), '1000.50 1900.00\n');
  write(join(root, 'net', 'dev'), NETDEV.replace('1234', '999999'));
  write(join(root, '4242', 'net', 'dev'), NETDEV);
}

const runtime: RuntimeSource = {
  sandboxes: async () => [{ id: 'sb-1', podUID: UID, name: 'web-0', namespace: 'shop', createdAt: 1_700_000_000_000_000_000 }],
  containers: async () => [
    { id: 'c-app', sandboxId: 'sb-1', podUID: UID, name: 'app', image: 'nginx:1.14.2', createdAt: 1_700_000_010_000_000_000 },
    { id: 'c-side', sandboxId: 'sb-1', podUID: UID, name: 'side', image: 'busybox:1.36', createdAt: 1_700_000_011_000_000_000 },
  ],
  containerStats: async () => new Map([['c-app', { writableLayerBytes: 4096, writableLayerInodes: 3, cpuCoreNanoSeconds: 1, workingSetBytes: 1 }]]),
};

describe('cgroup readers', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'timonel-cgroup-'));
    v1Tree(join(dir, 'v1'));
    v2Tree(join(dir, 'v2'));
    procTree(join(dir, 'proc'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads cgroup v1: cpuacct nanoseconds, usage less total_inactive_file, total_rss', () => {
    const r = new CgroupReader({ root: join(dir, 'v1'), procRoot: join(dir, 'proc') });
    assert.equal(r.version, 1);
    const pod = r.stats(POD_CG);
    assert.ok(pod);
    assert.equal(pod.cpuUsageSeconds, 3);
    assert.equal(pod.memoryUsageBytes, 300e6);
    assert.equal(pod.workingSetBytes, 200e6);
    assert.equal(pod.rssBytes, 150e6);
    const node = r.stats('/');
    assert.equal(node?.workingSetBytes, 5 * GiB);
    assert.equal(node?.majorPageFaults, 3);
    assert.equal(r.stats('/kubepods/nothing-here'), undefined);
    assert.deepEqual(r.pids(POD_CG), [4242]);
    assert.equal(r.children(POD_CG).sort().join(','), 'c-app,c-side');
  });

  it('reads cgroup v2: usage_usec, memory.current less inactive_file, anon; the node from /proc/meminfo', () => {
    const r = new CgroupReader({ root: join(dir, 'v2'), procRoot: join(dir, 'proc') });
    assert.equal(r.version, 2);
    const c = r.stats(`${POD_CG}/c-app`);
    assert.deepEqual(
      { cpu: c?.cpuUsageSeconds, usage: c?.memoryUsageBytes, ws: c?.workingSetBytes, rss: c?.rssBytes, pf: c?.pageFaults },
      { cpu: 2, usage: 200e6, ws: 150e6, rss: 120e6, pf: 7 },
    );
    const node = r.stats('/');
    assert.equal(node?.cpuUsageSeconds, 50);
    // MemTotal - MemFree - Inactive(file), in bytes.
    assert.equal(node?.workingSetBytes, (16384000 - 4096000 - 1024000) * 1024);
    assert.equal(node?.rssBytes, 2048000 * 1024);
  });

  it('parses meminfo and net/dev (loopback left out)', () => {
    assert.equal(parseMeminfo(MEMINFO).get('MemAvailable'), 8192000 * 1024);
    assert.deepEqual(parseNetDev(NETDEV), [{ name: 'eth0', rxBytes: 1234, rxErrors: 1, txBytes: 5678, txErrors: 2 }]);
  });
});

describe('stats provider views', () => {
  let dir: string;
  let clock = 1_700_000_100_000;
  let provider: StatsProvider;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'timonel-stats-'));
    v1Tree(join(dir, 'v1'));
    procTree(join(dir, 'proc'));
    provider = new StatsProvider({
      nodeName: 'node-a',
      runtime,
      cgroups: new CgroupReader({ root: join(dir, 'v1'), procRoot: join(dir, 'proc') }),
      rootDir: dir,
      now: () => clock,
    });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('answers the Summary API shape, with usageNanoCores from the second reading on', async () => {
    const first = summaryOf('node-a', await provider.snapshot());
    assert.equal(first.node.cpu?.usageNanoCores, undefined);
    // One second later the app container has used half a core more.
    write(join(dir, 'v1', 'cpu,cpuacct', POD_CG, 'c-app', 'cpuacct.usage'), `${2.5e9}\n`);
    clock += 1000;
    const s = summaryOf('node-a', await provider.snapshot());
    assert.equal(s.node.nodeName, 'node-a');
    assert.equal(s.node.startTime, new Date(Math.floor(clock / 1000 - 1000.5) * 1000).toISOString().replace('.000Z', 'Z'));
    assert.deepEqual(s.node.cpu, { time: '2023-11-14T22:15:01Z', usageNanoCores: 0, usageCoreNanoSeconds: 50e9 });
    assert.equal(s.node.memory?.workingSetBytes, 5 * GiB);
    assert.equal(s.node.memory?.availableBytes, 8192000 * 1024);
    assert.equal(s.node.network?.name, 'eth0');
    assert.equal(s.node.network?.rxBytes, 999999);
    assert.ok((s.node.fs?.capacityBytes ?? 0) > 0);
    assert.equal(s.pods.length, 1);
    const pod = s.pods[0];
    assert.deepEqual(pod.podRef, { name: 'web-0', namespace: 'shop', uid: UID });
    assert.equal(pod.startTime, '2023-11-14T22:13:20Z');
    assert.equal(pod.memory?.workingSetBytes, 200e6);
    assert.deepEqual(pod.network?.interfaces, [{ name: 'eth0', rxBytes: 1234, rxErrors: 1, txBytes: 5678, txErrors: 2 }]);
    assert.deepEqual(pod['ephemeral-storage'], { time: '2023-11-14T22:15:01Z', usedBytes: 4096 });
    const app = pod.containers.find((c) => c.name === 'app');
    assert.equal(app?.cpu?.usageNanoCores, 0.5e9);
    assert.equal(app?.cpu?.usageCoreNanoSeconds, 2.5e9);
    assert.equal(app?.memory?.workingSetBytes, 150e6);
    assert.equal(app?.memory?.rssBytes, 120e6);
    assert.deepEqual(app?.rootfs, { time: '2023-11-14T22:15:01Z', usedBytes: 4096, inodesUsed: 3 });
    assert.equal(app?.startTime, '2023-11-14T22:13:30Z');
    // As JSON, the keys are upstream's.
    const json = JSON.parse(JSON.stringify(s)) as Record<string, Record<string, unknown>>;
    assert.deepEqual(Object.keys(json).sort(), ['node', 'pods']);
  });

  it('serves /metrics/resource with upstream names, labels and sample timestamps', async () => {
    const snap = await provider.snapshot();
    const m = parseExposition(resourceMetrics(snap));
    assert.equal(m.types.get('node_cpu_usage_seconds_total'), 'counter');
    assert.equal(m.value('node_cpu_usage_seconds_total'), 50);
    assert.equal(m.value('node_memory_working_set_bytes'), 5 * GiB);
    assert.equal(m.value('container_cpu_usage_seconds_total', { container: 'side', pod: 'web-0', namespace: 'shop' }), 0.5);
    assert.equal(m.value('container_memory_working_set_bytes', { container: 'app', pod: 'web-0', namespace: 'shop' }), 150e6);
    assert.equal(m.value('container_start_time_seconds', { container: 'app' }), 1_700_000_010);
    assert.equal(m.value('pod_cpu_usage_seconds_total', { pod: 'web-0', namespace: 'shop' }), 3);
    assert.equal(m.value('pod_memory_working_set_bytes', { pod: 'web-0', namespace: 'shop' }), 200e6);
    assert.equal(m.value('resource_scrape_error'), 0);
    assert.match(resourceMetrics(snap), new RegExp(`^node_cpu_usage_seconds_total 50 ${snap.time}$`, 'm'));
    // A runtime that did not answer: an error, and no series.
    const failed = parseExposition(resourceMetrics(undefined));
    assert.equal(failed.value('resource_scrape_error'), 1);
    assert.equal(failed.find('container_cpu_usage_seconds_total').length, 0);
  });

  it('serves /metrics/cadvisor with cAdvisor\'s names and labels; the node is id="/"', async () => {
    const m = parseExposition(cadvisorMetrics(await provider.snapshot()));
    assert.equal(m.value('container_cpu_usage_seconds_total', { id: '/', cpu: 'total' }), 50);
    assert.equal(m.value('container_cpu_usage_seconds_total', { id: POD_CG, container: '', pod: 'web-0' }), 3);
    const app = { id: `${POD_CG}/c-app`, name: 'c-app', image: 'nginx:1.14.2', namespace: 'shop', pod: 'web-0', container: 'app' };
    assert.equal(m.value('container_cpu_usage_seconds_total', { ...app, cpu: 'total' }), 2.5);
    assert.equal(m.value('container_memory_working_set_bytes', app), 150e6);
    assert.equal(m.value('container_memory_rss', app), 120e6);
    assert.equal(m.value('container_fs_usage_bytes', { ...app, device: 'rootfs' }), 4096);
    assert.equal(m.value('container_start_time_seconds', app), 1_700_000_010);
    assert.equal(m.value('container_network_receive_bytes_total', { id: POD_CG, interface: 'eth0', pod: 'web-0' }), 1234);
    assert.equal(m.value('container_network_transmit_bytes_total', { id: POD_CG, interface: 'eth0' }), 5678);
    assert.equal(m.value('container_network_receive_bytes_total', { id: '/', interface: 'eth0' }), 999999);
    assert.ok(m.value('machine_cpu_cores') >= 1);
    assert.equal(m.value('machine_memory_bytes'), 16384000 * 1024);
    // Every series of a container carries all six labels.
    for (const s of m.find('container_memory_rss')) assert.deepEqual([...s.labels.keys()].sort(), ['container', 'id', 'image', 'name', 'namespace', 'pod']);
  });
});

describe('kubelet metrics', () => {
  it('names runtime operations as upstream', () => {
    assert.equal(runtimeOperationType('RunPodSandbox'), 'run_podsandbox');
    assert.equal(runtimeOperationType('ListContainerStats'), 'list_container_stats');
    assert.equal(runtimeOperationType('ContainerStatus'), 'container_status');
    assert.equal(runtimeOperationType('Version'), 'version');
  });

  it('exposes the kubelet series with their labels', async () => {
    const k = new KubeletMetrics('node-a');
    k.setRunningCountsSource(() => ({
      pods: 2,
      containers: new Map([
        ['running', 3],
        ['exited', 1],
      ]),
    }));
    k.observeRuntimeOperation('RunPodSandbox', 0.2, false);
    k.observeRuntimeOperation('RunPodSandbox', 0.1, true);
    k.podWorkerDuration.observe({ operation: 'create' }, 0.3);
    k.plegRelistDuration.observe(0.01);
    k.podStartDuration.observe(2);
    k.podStartSLIDuration.observe(3);
    k.observeProbe('Readiness', 'successful', 'app', 'web-0', 'shop', UID);
    const m = parseExposition(await k.registry.metrics());
    assert.equal(m.value('kubelet_node_name', { node: 'node-a' }), 1);
    assert.equal(m.value('kubelet_running_pods'), 2);
    assert.equal(m.value('kubelet_running_containers', { container_state: 'running' }), 3);
    assert.equal(m.value('kubelet_running_containers', { container_state: 'created' }), 0);
    assert.equal(m.value('kubelet_runtime_operations_total', { operation_type: 'run_podsandbox' }), 2);
    assert.equal(m.value('kubelet_runtime_operations_errors_total', { operation_type: 'run_podsandbox' }), 1);
    assert.equal(m.value('kubelet_runtime_operations_duration_seconds_count', { operation_type: 'run_podsandbox' }), 2);
    assert.equal(m.value('kubelet_pod_worker_duration_seconds_count', { operation: 'create' }), 1);
    assert.equal(m.value('kubelet_pleg_relist_duration_seconds_count'), 1);
    assert.equal(m.value('kubelet_pod_start_duration_seconds_count'), 1);
    assert.equal(m.value('kubelet_pod_start_sli_duration_seconds_count'), 1);
    const probes = parseExposition(await k.probesRegistry.metrics());
    assert.equal(
      probes.value('prober_probe_total', { probe_type: 'Readiness', result: 'successful', container: 'app', pod: 'web-0', namespace: 'shop', pod_uid: UID }),
      1,
    );
    k.forgetProbes(UID);
    assert.equal(parseExposition(await k.probesRegistry.metrics()).find('prober_probe_total').length, 0);
  });
});
