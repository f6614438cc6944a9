// A small network lab for the proxy's traffic tests, made only of network
// namespaces this test creates (named tmnl-px-<random>-...): a "node" namespace
// holding the proxy's rules and a bridge, "pods" on veth pairs into that bridge
// running tiny servers, and an "outside" client on a second link. Nothing is
// added to the machine's own namespace; cleanup() kills the processes it started
// (by PID) and deletes the namespaces, which takes their links with them.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface HTTPResult {
  ok: boolean;
  body?: string;
  code?: string;
  ms: number;
}

/** Node's http client, one fresh connection per request (the global agent keeps connections alive). */
const HTTP_CLIENT = `
const http = require('http');
const [url, n, timeout] = [process.argv[1], Number(process.argv[2]), Number(process.argv[3] || 2000)];
(async () => {
  const out = [];
  for (let i = 0; i < n; i++) {
    out.push(await new Promise((res) => {
      const t0 = Date.now();
      const req = http.get(url, { agent: false, timeout }, (r) => {
        let b = '';
        r.on('data', (d) => (b += d));
        r.on('end', () => res({ ok: true, body: b, ms: Date.now() - t0 }));
      });
      req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
      req.on('error', (e) => res({ ok: false, code: e.code || e.message, ms: Date.now() - t0 }));
    }));
  }
  console.log(JSON.stringify(out));
})();
`;

const HTTP_SERVER = `
require('http').createServer((q, r) => r.end(process.env.NAME)).listen(Number(process.env.PORT), '0.0.0.0', () => console.log('listening'));
`;

const UDP_ECHO = `
const s = require('dgram').createSocket('udp4');
s.on('message', (m, r) => s.send(process.env.NAME, r.port, r.address));
s.bind(Number(process.env.PORT), '0.0.0.0', () => console.log('listening'));
`;

/** Sends one datagram from a fixed source port and prints the reply (or "timeout"). */
const UDP_CLIENT = `
const [host, port, srcPort, timeout] = [process.argv[1], Number(process.argv[2]), Number(process.argv[3]), Number(process.argv[4] || 1500)];
const s = require('dgram').createSocket({ type: 'udp4', reuseAddr: true });
s.bind(srcPort, () => {
  const t = setTimeout(() => { console.log('timeout'); s.close(); }, timeout);
  s.on('message', (m) => { clearTimeout(t); console.log(m.toString()); s.close(); });
  s.on('error', (e) => { clearTimeout(t); console.log('error ' + e.code); s.close(); });
  s.send('ping', port, host);
});
`;

export class NetnsLab {
  readonly id = randomBytes(3).toString('hex');
  private readonly namespaces: string[] = [];
  private readonly procs: ChildProcess[] = [];

  /** "tmnl-px-<id>-<suffix>", created with its loopback up. */
  async netns(suffix: string): Promise<string> {
    const name = `tmnl-px-${this.id}-${suffix}`;
    await run('ip', ['netns', 'add', name]);
    this.namespaces.push(name);
    await this.exec(name, ['ip', 'link', 'set', 'lo', 'up']);
    return name;
  }

  async exec(ns: string, argv: string[], timeoutMs = 30_000): Promise<string> {
    const { stdout } = await run('ip', ['netns', 'exec', ns, ...argv], { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  }

  /** A bridge in ns with address cidr (e.g. 10.244.77.1/24). */
  async bridge(ns: string, name: string, cidr: string): Promise<void> {
    await this.exec(ns, ['ip', 'link', 'add', name, 'type', 'bridge']);
    await this.exec(ns, ['ip', 'addr', 'add', cidr, 'dev', name]);
    await this.exec(ns, ['ip', 'link', 'set', name, 'up']);
  }

  /**
   * A veth pair from `inner` (address cidr, default route via gateway) to `outer`,
   * where its end joins `bridge` or, without one, gets `outerCidr`.
   */
  async link(outer: string, inner: string, opts: { cidr: string; gateway: string; bridge?: string; outerCidr?: string; name: string }): Promise<void> {
    const a = `${opts.name}a`;
    const b = `${opts.name}b`;
    await run('ip', ['link', 'add', a, 'netns', outer, 'type', 'veth', 'peer', 'name', b, 'netns', inner]);
    if (opts.bridge) {
      await this.exec(outer, ['ip', 'link', 'set', a, 'master', opts.bridge]);
      // As the bridge CNI plugin with hairpinMode: a pod reaching itself through a service comes back out its own port.
      await this.exec(outer, ['ip', 'link', 'set', a, 'type', 'bridge_slave', 'hairpin', 'on']);
    }
    if (opts.outerCidr) await this.exec(outer, ['ip', 'addr', 'add', opts.outerCidr, 'dev', a]);
    await this.exec(outer, ['ip', 'link', 'set', a, 'up']);
    await this.exec(inner, ['ip', 'addr', 'add', opts.cidr, 'dev', b]);
    await this.exec(inner, ['ip', 'link', 'set', b, 'up']);
    await this.exec(inner, ['ip', 'route', 'add', 'default', 'via', opts.gateway]);
  }

  /** A long-running process in ns; resolves once it prints its first line. */
  async start(ns: string, argv: string[], env: Record<string, string> = {}): Promise<ChildProcess> {
    const child = spawn('ip', ['netns', 'exec', ns, ...argv], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    this.procs.push(child);
    let err = '';
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    await new Promise<void>((resolve, reject) => {
      child.stdout?.once('data', () => resolve());
      child.once('exit', (code) => reject(new Error(`${argv.join(' ')} in ${ns} exited (${code}): ${err}`)));
    });
    return child;
  }

  httpServer(ns: string, name: string, port: number): Promise<ChildProcess> {
    return this.start(ns, [process.execPath, '-e', HTTP_SERVER], { NAME: name, PORT: String(port) });
  }

  udpEcho(ns: string, name: string, port: number): Promise<ChildProcess> {
    return this.start(ns, [process.execPath, '-e', UDP_ECHO], { NAME: name, PORT: String(port) });
  }

  /** n GETs of url from inside ns, each on a new connection. */
  async http(ns: string, url: string, n = 1, timeoutMs = 2000): Promise<HTTPResult[]> {
    return JSON.parse(await this.exec(ns, [process.execPath, '-e', HTTP_CLIENT, url, String(n), String(timeoutMs)], 60_000 + n * timeoutMs)) as HTTPResult[];
  }

  /** One UDP datagram from srcPort inside ns; the reply's text, "timeout", or "error <code>". */
  async udp(ns: string, host: string, port: number, srcPort: number): Promise<string> {
    return (await this.exec(ns, [process.execPath, '-e', UDP_CLIENT, host, String(port), String(srcPort)])).trim();
  }

  async cleanup(): Promise<void> {
    for (const p of this.procs) {
      if (p.exitCode === null && p.pid) {
        try {
          process.kill(p.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
    // `ip netns exec` runs the command in place of itself (same PID), so the kill above reached it; wait for the exits.
    await Promise.all(this.procs.map((p) => (p.exitCode === null && p.signalCode === null ? new Promise((r) => p.once('exit', r)) : undefined)));
    for (const ns of this.namespaces.reverse()) await run('ip', ['netns', 'del', ns]).catch(() => undefined);
  }
}
