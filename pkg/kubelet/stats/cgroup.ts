// Reads a cgroup's CPU and memory usage from the cgroup filesystem, as cAdvisor does,
// for both layouts: v1 (one hierarchy per controller: cpuacct/<path>/cpuacct.usage,
// memory/<path>/memory.usage_in_bytes and memory.stat) and v2 (one tree:
// <path>/cpu.stat usage_usec, memory.current, memory.stat). The working set is usage
// less inactive file pages, as cAdvisor and the kubelet's eviction compute it. The
// root cgroup of v2 has no memory files: the node's memory then comes from /proc/meminfo.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export type CgroupVersion = 1 | 2;

export interface CgroupStats {
  /** Cumulative CPU time, seconds. */
  cpuUsageSeconds: number;
  memoryUsageBytes: number;
  workingSetBytes: number;
  rssBytes: number;
  pageFaults: number;
  majorPageFaults: number;
  /** When the cgroup was made (its directory's change time), seconds since the epoch. */
  startTime: number;
}

export interface CgroupReaderOptions {
  /** Where the cgroup filesystem is mounted (default /sys/fs/cgroup). */
  root?: string;
  /** Where proc is mounted (default /proc). */
  procRoot?: string;
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function readNumber(path: string): number | undefined {
  const t = readText(path)?.trim();
  if (t === undefined || t === '' || t === 'max') return undefined;
  const n = Number(t);
  return Number.isFinite(n) ? n : undefined;
}

/** "key value" lines (memory.stat, cpu.stat) into a Map. */
export function parseFlatKeyed(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const [k, v] = line.trim().split(/\s+/);
    if (k && v !== undefined && Number.isFinite(Number(v))) out.set(k, Number(v));
  }
  return out;
}

/** /proc/meminfo in bytes by field name. */
export function parseMeminfo(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^([^:]+):\s+(\d+)(?:\s+kB)?$/.exec(line.trim());
    if (m) out.set(m[1], Number(m[2]) * (line.includes('kB') ? 1024 : 1));
  }
  return out;
}

function startTimeOf(dir: string): number {
  try {
    return Math.floor(statSync(dir).ctimeMs / 1000);
  } catch {
    return 0;
  }
}

export class CgroupReader {
  readonly root: string;
  readonly procRoot: string;
  readonly version: CgroupVersion;

  constructor(opts: CgroupReaderOptions = {}) {
    this.root = opts.root ?? '/sys/fs/cgroup';
    this.procRoot = opts.procRoot ?? '/proc';
    this.version = existsSync(join(this.root, 'cgroup.controllers')) ? 2 : 1;
  }

  /** The directory of a cgroup path ("/kubepods/pod<uid>") for one v1 controller (ignored on v2). */
  private dir(path: string, controller: 'cpuacct' | 'memory'): string {
    if (this.version === 2) return join(this.root, path);
    // cpuacct may be mounted on its own or as the joint cpu,cpuacct hierarchy.
    if (controller === 'cpuacct') {
      for (const h of ['cpuacct', 'cpu,cpuacct', 'cpuacct,cpu']) {
        const d = join(this.root, h, path);
        if (existsSync(d)) return d;
      }
    }
    return join(this.root, controller, path);
  }

  /** Whether the cgroup exists. */
  exists(path: string): boolean {
    return existsSync(this.dir(path, 'memory'));
  }

  /** The cgroup's usage; undefined when it does not exist (gone, or never made). */
  stats(path: string): CgroupStats | undefined {
    const memDir = this.dir(path, 'memory');
    if (!existsSync(memDir)) return undefined;
    const isRoot = path === '/' || path === '';
    const cpuUsageSeconds = this.cpuSeconds(path);
    const memory = this.version === 2 ? this.memoryV2(memDir, isRoot) : this.memoryV1(memDir);
    return { cpuUsageSeconds, ...memory, startTime: startTimeOf(memDir) };
  }

  private cpuSeconds(path: string): number {
    if (this.version === 2) {
      const stat = parseFlatKeyed(readText(join(this.root, path, 'cpu.stat')) ?? '');
      return (stat.get('usage_usec') ?? 0) / 1e6;
    }
    return (readNumber(join(this.dir(path, 'cpuacct'), 'cpuacct.usage')) ?? 0) / 1e9;
  }

  private memoryV1(dir: string): Omit<CgroupStats, 'cpuUsageSeconds' | 'startTime'> {
    const stat = parseFlatKeyed(readText(join(dir, 'memory.stat')) ?? '');
    // The total_ fields count the whole subtree (a pod's cgroup holds its containers').
    const get = (k: string) => stat.get(`total_${k}`) ?? stat.get(k) ?? 0;
    const usage = readNumber(join(dir, 'memory.usage_in_bytes')) ?? 0;
    const inactiveFile = get('inactive_file');
    return {
      memoryUsageBytes: usage,
      workingSetBytes: Math.max(0, usage - inactiveFile),
      rssBytes: get('rss'),
      pageFaults: get('pgfault'),
      majorPageFaults: get('pgmajfault'),
    };
  }

  private memoryV2(dir: string, isRoot: boolean): Omit<CgroupStats, 'cpuUsageSeconds' | 'startTime'> {
    const stat = parseFlatKeyed(readText(join(dir, 'memory.stat')) ?? '');
    const node = isRoot ? this.nodeMemory() : undefined;
    const usage = node ? node.usage : (readNumber(join(dir, 'memory.current')) ?? 0);
    const inactiveFile = node ? node.inactiveFile : (stat.get('inactive_file') ?? 0);
    return {
      memoryUsageBytes: usage,
      workingSetBytes: Math.max(0, usage - inactiveFile),
      rssBytes: node ? node.anon : (stat.get('anon') ?? 0),
      pageFaults: stat.get('pgfault') ?? 0,
      majorPageFaults: stat.get('pgmajfault') ?? 0,
    };
  }

  /** The node's memory from /proc/meminfo: used is total less free (page cache counts, as in the root cgroup). */
  nodeMemory(): { total: number; available: number; usage: number; inactiveFile: number; anon: number } | undefined {
    const text = readText(join(this.procRoot, 'meminfo'));
    if (!text) return undefined;
    const m = parseMeminfo(text);
    const total = m.get('MemTotal') ?? 0;
    return {
      total,
      available: m.get('MemAvailable') ?? 0,
      usage: total - (m.get('MemFree') ?? 0),
      inactiveFile: m.get('Inactive(file)') ?? 0,
      anon: m.get('AnonPages') ?? 0,
    };
  }

  /** The processes in a cgroup (its cgroup.procs), for finding a pod's network namespace. */
  pids(path: string): number[] {
    const text = readText(join(this.dir(path, 'memory'), 'cgroup.procs')) ?? '';
    return text
      .split('\n')
      .filter((l) => /^\d+$/.test(l.trim()))
      .map(Number);
  }

  /** The child cgroups' names (containers under a pod's cgroup). */
  children(path: string): string[] {
    try {
      return readdirSync(this.dir(path, 'memory'), { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .map((d) => d.name);
    } catch {
      return [];
    }
  }
}

/** Per-interface counters from a /proc/<pid>/net/dev text, loopback left out (as cAdvisor does). */
export function parseNetDev(text: string): Array<{ name: string; rxBytes: number; txBytes: number; rxErrors: number; txErrors: number }> {
  const out: Array<{ name: string; rxBytes: number; txBytes: number; rxErrors: number; txErrors: number }> = [];
  for (const line of text.split('\n').slice(2)) {
    const i = line.indexOf(':');
    if (i < 0) continue;
    const name = line.slice(0, i).trim();
    if (name === 'lo') continue;
    const f = line
      .slice(i + 1)
      .trim()
      .split(/\s+/)
      .map(Number);
    if (f.length < 16) continue;
    out.push({ name, rxBytes: f[0], rxErrors: f[2], txBytes: f[8], txErrors: f[10] });
  }
  return out;
}
