// A snapshot as the Summary API answers it (GET /stats/summary).
import type { CgroupStats } from './cgroup.js';
import type { InterfaceCounters, Snapshot } from './provider.js';
import type { CPUStats, MemoryStats, NetworkStats, PodStats, Summary } from './types.js';

function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function cpuStats(time: string, stats: CgroupStats | undefined, nanoCores: number | undefined, runtimeNs?: number): CPUStats | undefined {
  const ns = stats ? Math.round(stats.cpuUsageSeconds * 1e9) : runtimeNs;
  if (ns === undefined) return undefined;
  return { time, ...(nanoCores !== undefined ? { usageNanoCores: nanoCores } : {}), usageCoreNanoSeconds: ns };
}

function memoryStats(time: string, stats: CgroupStats | undefined, availableBytes?: number, runtimeWorkingSet?: number): MemoryStats | undefined {
  if (!stats) return runtimeWorkingSet === undefined ? undefined : { time, workingSetBytes: runtimeWorkingSet };
  return {
    time,
    ...(availableBytes !== undefined ? { availableBytes } : {}),
    usageBytes: stats.memoryUsageBytes,
    workingSetBytes: stats.workingSetBytes,
    rssBytes: stats.rssBytes,
    pageFaults: stats.pageFaults,
    majorPageFaults: stats.majorPageFaults,
  };
}

function networkStats(time: string, ifaces: InterfaceCounters[]): NetworkStats | undefined {
  if (ifaces.length === 0) return undefined;
  // The default interface (eth0 where there is one) is the top-level figure, as upstream.
  const first = ifaces.find((i) => i.name === 'eth0') ?? ifaces[0];
  return { time, ...first, interfaces: ifaces.map((i) => ({ ...i })) };
}

export function summaryOf(nodeName: string, snap: Snapshot): Summary {
  const time = rfc3339(snap.time);
  const n = snap.node;
  const pods: PodStats[] = snap.pods.map((p) => {
    const podStats: PodStats = {
      podRef: { name: p.sandbox.name, namespace: p.sandbox.namespace, uid: p.sandbox.podUID },
      startTime: rfc3339(p.sandbox.createdAt / 1e6),
      containers: p.containers.map((c) => {
        const rootfs = c.runtime?.writableLayerBytes;
        return {
          name: c.info.name,
          startTime: rfc3339(c.info.createdAt / 1e6),
          ...optional('cpu', cpuStats(time, c.stats, c.usageNanoCores, c.runtime?.cpuCoreNanoSeconds)),
          ...optional('memory', memoryStats(time, c.stats, undefined, c.runtime?.workingSetBytes)),
          ...(rootfs !== undefined
            ? { rootfs: { time, usedBytes: rootfs, ...(c.runtime?.writableLayerInodes !== undefined ? { inodesUsed: c.runtime.writableLayerInodes } : {}) } }
            : {}),
        };
      }),
      ...optional('cpu', cpuStats(time, p.stats, p.usageNanoCores)),
      ...optional('memory', memoryStats(time, p.stats)),
      ...optional('network', networkStats(time, p.network)),
    };
    const used = p.containers.reduce((sum, c) => sum + (c.runtime?.writableLayerBytes ?? 0), 0);
    if (p.containers.some((c) => c.runtime?.writableLayerBytes !== undefined)) podStats['ephemeral-storage'] = { time, usedBytes: used };
    return podStats;
  });
  return {
    node: {
      nodeName,
      startTime: rfc3339(n.bootTime * 1000),
      ...optional('cpu', cpuStats(time, n.stats, n.usageNanoCores)),
      ...optional('memory', memoryStats(time, n.stats, n.memoryAvailableBytes)),
      ...optional('network', networkStats(time, n.network)),
      ...(n.fs
        ? {
            fs: {
              time,
              availableBytes: n.fs.availableBytes,
              capacityBytes: n.fs.capacityBytes,
              usedBytes: n.fs.usedBytes,
              inodesFree: n.fs.inodesFree,
              inodes: n.fs.inodes,
              inodesUsed: n.fs.inodes - n.fs.inodesFree,
            },
          }
        : {}),
    },
    pods,
  };
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
