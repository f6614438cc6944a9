// What /proc says about a process: resident memory and CPU time consumed.
import { readFileSync } from 'node:fs';

const CLOCK_TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** VmRSS in bytes, or NaN if the process is gone. */
export function rssBytes(pid: number): number {
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** User + system CPU seconds the process has used so far, or NaN if it is gone. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return NaN;
  }
}

/** CPU use of several processes over a phase, as percent of one core each. */
export class CPUMeter {
  private readonly start: Map<string, number>;
  private readonly t0 = Date.now();
  private readonly self0 = process.cpuUsage();

  constructor(private readonly pids: Record<string, number>) {
    this.start = new Map(Object.entries(pids).map(([name, pid]) => [name, cpuSeconds(pid)]));
  }

  /** e.g. { apiserver_cpu_pct: 97.5, etcd_cpu_pct: 40.1, bench_cpu_pct: 60.2 } */
  read(): Record<string, number> {
    const secs = (Date.now() - this.t0) / 1000;
    const out: Record<string, number> = {};
    for (const [name, pid] of Object.entries(this.pids)) {
      out[`${name}_cpu_pct`] = Math.round(((cpuSeconds(pid) - (this.start.get(name) ?? 0)) / secs) * 1000) / 10;
    }
    const self = process.cpuUsage(this.self0);
    out.bench_cpu_pct = Math.round(((self.user + self.system) / 1e6 / secs) * 1000) / 10;
    return out;
  }
}
