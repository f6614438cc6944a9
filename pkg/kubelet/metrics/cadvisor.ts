// /metrics/cadvisor: the cAdvisor series Prometheus users query, with cAdvisor's names and
// labels: id (the cgroup path; the node is "/"), name (the runtime's container id),
// image, namespace, pod and container. Pod cgroups are series of their own (container
// and image empty) and carry the pod's network counters, as the sandbox's do in cAdvisor.
import type { CgroupStats } from '../stats/cgroup.js';
import type { InterfaceCounters, Snapshot } from '../stats/provider.js';
import { ExpositionWriter } from './exposition.js';

interface Entry {
  id: string;
  name: string;
  image: string;
  namespace: string;
  pod: string;
  container: string;
  stats?: CgroupStats;
  startTime?: number;
  network: InterfaceCounters[];
  fsUsageBytes?: number;
}

type Labels = Array<readonly [string, string]>;

function labelsOf(e: Entry): Labels {
  return [
    ['container', e.container],
    ['id', e.id],
    ['image', e.image],
    ['name', e.name],
    ['namespace', e.namespace],
    ['pod', e.pod],
  ];
}

function entries(snap: Snapshot): Entry[] {
  const out: Entry[] = [
    { id: '/', name: '', image: '', namespace: '', pod: '', container: '', stats: snap.node.stats, startTime: snap.node.bootTime, network: snap.node.network },
  ];
  for (const p of snap.pods) {
    const pod = { namespace: p.sandbox.namespace, pod: p.sandbox.name };
    if (p.cgroup) out.push({ id: p.cgroup, name: '', image: '', container: '', ...pod, stats: p.stats, startTime: p.stats?.startTime, network: p.network });
    for (const c of p.containers) {
      out.push({
        id: c.cgroup,
        name: c.info.id,
        image: c.info.image,
        container: c.info.name,
        ...pod,
        stats: c.stats,
        startTime: c.info.createdAt / 1e9,
        network: [],
        fsUsageBytes: c.runtime?.writableLayerBytes,
      });
    }
  }
  return out;
}

export function cadvisorMetrics(snap: Snapshot): string {
  const w = new ExpositionWriter();
  const t = snap.time;
  const all = entries(snap);
  const withStats = all.filter((e) => e.stats);
  w.family('container_cpu_usage_seconds_total', 'counter', 'Cumulative cpu time consumed in seconds.');
  for (const e of withStats) w.sample([...labelsOf(e), ['cpu', 'total']], e.stats!.cpuUsageSeconds, t);
  w.family('container_memory_usage_bytes', 'gauge', 'Current memory usage in bytes, including all memory regardless of when it was accessed');
  for (const e of withStats) w.sample(labelsOf(e), e.stats!.memoryUsageBytes, t);
  w.family('container_memory_working_set_bytes', 'gauge', 'Current working set in bytes.');
  for (const e of withStats) w.sample(labelsOf(e), e.stats!.workingSetBytes, t);
  w.family('container_memory_rss', 'gauge', 'Size of RSS in bytes.');
  for (const e of withStats) w.sample(labelsOf(e), e.stats!.rssBytes, t);
  w.family('container_network_receive_bytes_total', 'counter', 'Cumulative count of bytes received');
  for (const e of all) for (const i of e.network) w.sample([...labelsOf(e), ['interface', i.name]], i.rxBytes, t);
  w.family('container_network_transmit_bytes_total', 'counter', 'Cumulative count of bytes transmitted');
  for (const e of all) for (const i of e.network) w.sample([...labelsOf(e), ['interface', i.name]], i.txBytes, t);
  w.family('container_network_receive_errors_total', 'counter', 'Cumulative count of errors encountered while receiving');
  for (const e of all) for (const i of e.network) w.sample([...labelsOf(e), ['interface', i.name]], i.rxErrors, t);
  w.family('container_network_transmit_errors_total', 'counter', 'Cumulative count of errors encountered while transmitting');
  for (const e of all) for (const i of e.network) w.sample([...labelsOf(e), ['interface', i.name]], i.txErrors, t);
  w.family('container_fs_usage_bytes', 'gauge', 'Number of bytes that are consumed by the container on this filesystem.');
  const nodeFs = snap.node.fs;
  if (nodeFs) w.sample([...labelsOf(all[0]), ['device', 'rootfs']], nodeFs.usedBytes, t);
  for (const e of all) if (e.fsUsageBytes !== undefined) w.sample([...labelsOf(e), ['device', 'rootfs']], e.fsUsageBytes, t);
  w.family('container_start_time_seconds', 'gauge', 'Start time of the container since unix epoch in seconds.');
  for (const e of all) if (e.startTime !== undefined) w.sample(labelsOf(e), e.startTime, t);
  w.family('machine_cpu_cores', 'gauge', 'Number of logical CPU cores.').sample([], snap.node.cpuCores);
  w.family('machine_memory_bytes', 'gauge', 'Amount of memory installed on the machine.').sample([], snap.node.memoryTotalBytes);
  return w.text();
}
