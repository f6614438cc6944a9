// Stale UDP conntrack entries: UDP has no connection to end, so a flow DNATed to
// an endpoint that is gone (or rejected while a service had none) would stick
// until it times out. kube-proxy deletes such entries with `conntrack -D`.
import type { CommandRunner } from './exec.js';

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
