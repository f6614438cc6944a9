// The kubelet's stats provider (upstream pkg/kubelet/stats, cAdvisor plus the CRI stats
// provider): one snapshot of the node, its pods and their containers, read from the
// cgroup tree (CPU, memory, when each cgroup was made), from the runtime (which pods and
// containers run, images, the writable layer's size) and from /proc (network counters of
// the node and of each pod's network namespace, through a process in the pod's cgroup).
// The Summary API, /metrics/resource and /metrics/cadvisor are all views of a snapshot.
import { readFileSync, statfsSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { podCgroupParent } from '../cm/pod_cgroups.js';
import { CgroupReader, parseNetDev, type CgroupStats } from './cgroup.js';
import type { ContainerInfo, RuntimeContainerStats, RuntimeSource, SandboxInfo } from './runtime.js';

export interface InterfaceCounters {
  name: string;
  rxBytes: number;
  txBytes: number;
  rxErrors: number;
  txErrors: number;
}

export interface ContainerSnapshot {
  info: ContainerInfo;
  /** The container's cgroup path ("/kubepods/burstable/pod<uid>/<id>"). */
  cgroup: string;
  stats?: CgroupStats;
  runtime?: RuntimeContainerStats;
  /** CPU use over the time since the last snapshot, nanocores. */
  usageNanoCores?: number;
}

export interface PodSnapshot {
  sandbox: SandboxInfo;
  cgroup?: string;
  stats?: CgroupStats;
  usageNanoCores?: number;
  network: InterfaceCounters[];
  containers: ContainerSnapshot[];
}

export interface NodeSnapshot {
  stats?: CgroupStats;
  usageNanoCores?: number;
  network: InterfaceCounters[];
  memoryTotalBytes: number;
  memoryAvailableBytes: number;
  cpuCores: number;
  fs?: { capacityBytes: number; availableBytes: number; usedBytes: number; inodes: number; inodesFree: number };
  /** When the node (its kernel) started, seconds since the epoch. */
  bootTime: number;
}

export interface Snapshot {
  /** Milliseconds since the epoch. */
  time: number;
  node: NodeSnapshot;
  pods: PodSnapshot[];
}

export interface StatsProviderOptions {
  nodeName: string;
  runtime: RuntimeSource;
  cgroups?: CgroupReader;
  /** --cgroup-root: where kubepods lives (default /). */
  cgroupRoot?: string;
  /** The kubelet's root directory: the node's filesystem stats are of its filesystem. */
  rootDir?: string;
  now?: () => number;
}

const QOS_CLASSES = ['Guaranteed', 'Burstable', 'BestEffort'] as const;

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

export class StatsProvider {
  readonly nodeName: string;
  readonly cgroups: CgroupReader;
  private readonly runtime: RuntimeSource;
  private readonly cgroupRoot: string;
  private readonly now: () => number;
  /** The last CPU reading of each cgroup, for usageNanoCores. */
  private readonly lastCPU = new Map<string, { time: number; seconds: number }>();

  constructor(private readonly o: StatsProviderOptions) {
    this.nodeName = o.nodeName;
    this.runtime = o.runtime;
    this.cgroups = o.cgroups ?? new CgroupReader();
    this.cgroupRoot = o.cgroupRoot ?? '/';
    this.now = o.now ?? Date.now;
  }

  /** CPU use since the last reading of this cgroup, in nanocores; undefined on the first. */
  private rate(key: string, time: number, stats: CgroupStats | undefined, seen: Set<string>): number | undefined {
    if (!stats) return undefined;
    seen.add(key);
    const prev = this.lastCPU.get(key);
    this.lastCPU.set(key, { time, seconds: stats.cpuUsageSeconds });
    if (!prev || time <= prev.time || stats.cpuUsageSeconds < prev.seconds) return undefined;
    return Math.round(((stats.cpuUsageSeconds - prev.seconds) / ((time - prev.time) / 1000)) * 1e9);
  }

  /** The pod's cgroup, whichever QoS class it was made under. */
  private podCgroup(uid: string): string | undefined {
    for (const qos of QOS_CLASSES) {
      const path = podCgroupParent(this.cgroupRoot, qos, uid);
      if (this.cgroups.exists(path)) return path;
    }
    return undefined;
  }

  private podNetwork(cgroup: string | undefined): InterfaceCounters[] {
    if (!cgroup) return [];
    // Any process of the pod will do: they share the sandbox's network namespace.
    for (const pid of this.cgroups.pids(cgroup)) {
      const text = readText(join(this.cgroups.procRoot, String(pid), 'net', 'dev'));
      if (text) return parseNetDev(text);
    }
    for (const child of this.cgroups.children(cgroup)) {
      for (const pid of this.cgroups.pids(`${cgroup}/${child}`)) {
        const text = readText(join(this.cgroups.procRoot, String(pid), 'net', 'dev'));
        if (text) return parseNetDev(text);
      }
    }
    return [];
  }

  private nodeSnapshot(time: number, seen: Set<string>): NodeSnapshot {
    const stats = this.cgroups.stats('/');
    const mem = this.cgroups.nodeMemory();
    const uptime = Number((readText(join(this.cgroups.procRoot, 'uptime')) ?? '0').split(/\s+/)[0]);
    let fs: NodeSnapshot['fs'];
    try {
      const s = statfsSync(this.o.rootDir ?? '/');
      fs = {
        capacityBytes: s.blocks * s.bsize,
        availableBytes: s.bavail * s.bsize,
        usedBytes: (s.blocks - s.bfree) * s.bsize,
        inodes: s.files,
        inodesFree: s.ffree,
      };
    } catch {
      fs = undefined;
    }
    return {
      stats,
      usageNanoCores: this.rate('/', time, stats, seen),
      network: parseNetDev(readText(join(this.cgroups.procRoot, 'net', 'dev')) ?? ''),
      memoryTotalBytes: mem?.total ?? 0,
      memoryAvailableBytes: mem?.available ?? 0,
      cpuCores: cpus().length,
      fs,
      bootTime: Math.floor(time / 1000 - uptime),
    };
  }

  /** One reading of everything. */
  async snapshot(): Promise<Snapshot> {
    const [sandboxes, containers, runtimeStats] = await Promise.all([this.runtime.sandboxes(), this.runtime.containers(), this.runtime.containerStats()]);
    const time = this.now();
    const seen = new Set<string>();
    const node = this.nodeSnapshot(time, seen);
    const bySandbox = new Map<string, ContainerInfo[]>();
    for (const c of containers) {
      const list = bySandbox.get(c.sandboxId) ?? [];
      list.push(c);
      bySandbox.set(c.sandboxId, list);
    }
    const pods: PodSnapshot[] = [];
    for (const sandbox of sandboxes) {
      const cgroup = this.podCgroup(sandbox.podUID);
      const stats = cgroup ? this.cgroups.stats(cgroup) : undefined;
      const snaps: ContainerSnapshot[] = [];
      for (const info of bySandbox.get(sandbox.id) ?? []) {
        const path = cgroup ? `${cgroup}/${info.id}` : '';
        const cstats = cgroup ? this.cgroups.stats(path) : undefined;
        snaps.push({ info, cgroup: path, stats: cstats, runtime: runtimeStats.get(info.id), usageNanoCores: this.rate(info.id, time, cstats, seen) });
      }
      pods.push({
        sandbox,
        cgroup,
        stats,
        usageNanoCores: cgroup ? this.rate(cgroup, time, stats, seen) : undefined,
        network: this.podNetwork(cgroup),
        containers: snaps,
      });
    }
    // Readings of cgroups that are gone are forgotten.
    for (const key of this.lastCPU.keys()) if (!seen.has(key)) this.lastCPU.delete(key);
    return { time, node, pods };
  }
}
