// Stale UDP conntrack entries: UDP has no connection to end, so a flow DNATed to
// an endpoint that is gone (or rejected while a service had none) would stick
// until it times out. kube-proxy deletes such entries with `conntrack -D`.
import type { CommandRunner } from './exec.js';
import type { ServicePortInfo } from './serviceport.js';

export class Conntrack {
  constructor(private readonly runner: CommandRunner) {}

  private async delete(args: string[]): Promise<void> {
    const res = await this.runner.run('conntrack', ['-D', ...args]);
    // conntrack exits 1 when nothing matched: not an error for a clean-up.
    if (res.code !== 0 && !/0 flow entries have been deleted/.test(res.stderr)) {
      throw new Error(`conntrack -D ${args.join(' ')} failed (exit ${res.code}): ${res.stderr.trim()}`);
    }
  }

  /** Flows whose original destination is ip (a service IP). */
  clearEntriesForIP(ip: string, protocol = 'udp'): Promise<void> {
    return this.delete(['--orig-dst', ip, '-p', protocol]);
  }

  /** Flows to a (node) port. */
  clearEntriesForPort(port: number, protocol = 'udp'): Promise<void> {
    return this.delete(['-p', protocol, '--dport', String(port)]);
  }

  /** Flows to origin that were DNATed to dest. */
  clearEntriesForNAT(origin: string, dest: string, protocol = 'udp'): Promise<void> {
    return this.delete(['--orig-dst', origin, '--dst-nat', dest, '-p', protocol]);
  }

  /** Flows to a (node) port that were DNATed to dest. */
  clearEntriesForPortNAT(dest: string, port: number, protocol = 'udp'): Promise<void> {
    return this.delete(['-p', protocol, '--dport', String(port), '--dst-nat', dest]);
  }
}

/** What clean-up compares for a service port between syncs. */
export interface PortSnapshot {
  info: ServicePortInfo;
  rules: { usableEndpoints: string[]; hasEndpoints: boolean };
}

/**
 * After a successful sync (upstream's conntrack.CleanStaleEntries): flush UDP
 * flows that would keep going to endpoints that are gone, or to rejections
 * that no longer apply. old and next map service keys to their ports by name;
 * next holds only the services this sync looked at.
 */
export async function cleanStaleEntries(
  ct: Conntrack,
  old: Map<string, Map<string, PortSnapshot>>,
  next: Map<string, Map<string, PortSnapshot>>,
  log?: (msg: string) => void,
): Promise<void> {
  const ips = new Set<string>();
  const ports = new Set<number>();
  const nat: Array<[string, string]> = [];
  const portNat: Array<[string, number]> = [];
  for (const [key, st] of next) {
    const before = old.get(key) ?? new Map<string, PortSnapshot>();
    for (const [name, p] of before) {
      if (p.info.protocol !== 'UDP') continue;
      const now = st.get(name);
      if (!now) {
        ips.add(p.info.clusterIP);
        continue;
      }
      const still = new Set(now.rules.usableEndpoints);
      for (const ep of p.rules.usableEndpoints) {
        if (still.has(ep)) continue;
        const ip = ep.slice(0, ep.lastIndexOf(':'));
        const info = now.info;
        if (info.nodePort) portNat.push([ip, info.nodePort]);
        for (const vip of [info.clusterIP, ...info.externalIPs, ...info.loadBalancerVIPs]) nat.push([vip, ip]);
      }
    }
    for (const [name, p] of st) {
      if (p.info.protocol !== 'UDP' || !p.rules.hasEndpoints) continue;
      if (before.get(name)?.rules.hasEndpoints) continue;
      // Newly served: flows cached while it rejected (or pointed elsewhere) must go.
      for (const vip of [p.info.clusterIP, ...p.info.externalIPs, ...p.info.loadBalancerVIPs]) ips.add(vip);
      if (p.info.nodePort) ports.add(p.info.nodePort);
    }
  }
  const jobs: Promise<void>[] = [
    ...[...ips].map((ip) => ct.clearEntriesForIP(ip)),
    ...[...ports].map((port) => ct.clearEntriesForPort(port)),
    ...nat.map(([o, d]) => ct.clearEntriesForNAT(o, d)),
    ...portNat.map(([d, port]) => ct.clearEntriesForPortNAT(d, port)),
  ];
  const results = await Promise.allSettled(jobs);
  for (const r of results) if (r.status === 'rejected') log?.(`failed to clear conntrack entries: ${(r.reason as Error).message}`);
}
