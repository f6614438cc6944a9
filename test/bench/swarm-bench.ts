// The Docker Swarm comparison for the kubelet burst benchmark: Debian's
// docker.io, `docker swarm init` and `docker service create --replicas n` of
// the local registry's busybox `sleep`, timed until all n tasks are running.
//
// This machine runs other clusters at the same time, so the dockerd here is
// fenced in: its own containerd (own root, state and socket, no CRI), its own
// data-root, exec-root, pidfile, socket, cgroup parent and key file, no
// iptables, no forwarding, no masquerade, Swarm on loopback ports of its own.
// Tasks get a veth on a bridge this bench makes (like a pod's CNI bridge, and
// like Swarm's default docker0) or, with network 'none', only loopback.
// Everything is stopped by PID and removed afterwards, and the run fails
// loudly if a DOCKER iptables chain or a link of its own is left behind.
//
//   node dist/test/bench/swarm-bench.js [--n 100] [--network bridge|none]
//
// Needs root. Installs docker.io (without recommends) when it is missing, but
// only while policy-rc.d forbids package scripts to start services: Debian's
// own docker service would otherwise start with its default iptables rules.
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, mkdirSync, mkdtempSync, openSync, closeSync, readdirSync, readFileSync, rmdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { tailFile } from './child.js';
import { round } from './stats.js';

const DOCKERD = '/usr/sbin/dockerd';
// Debian's client, not whatever `docker` comes first on PATH.
const DOCKER = '/usr/bin/docker';
const CONTAINERD = '/usr/bin/containerd';
const POLICY_RC_D = '/usr/sbin/policy-rc.d';
const SERVICE = 'swarm-burst';
// Swarm 20.10 gossips (networkdb) on this fixed port of the advertise address.
const GOSSIP_PORT = 7946;

export type SwarmNetwork = 'bridge' | 'none';

export interface SwarmBurstOptions {
  /** 'bridge' (default): each task gets a veth on the bench's own bridge; 'none': loopback only. */
  network?: SwarmNetwork;
  /** The local registry (host:port) holding library/busybox:latest (default 127.0.0.1:5000). */
  registry?: string;
  /** apt-get install docker.io when it is missing (default true). */
  install?: boolean;
  /** Give up on the burst after this long (default 600 s). */
  timeoutMs?: number;
  /** Progress lines (default: stderr). */
  log?: (m: string) => void;
}

export type SwarmBurstResult = { seconds: number; downSeconds: number; network: SwarmNetwork; dockerVersion: string } | { skipped: string };

const execFileP = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---- preconditions ---------------------------------------------------------

/** The reason docker.io cannot be used, or undefined once it is installed. */
export function ensureDockerIO(install: boolean, log: (m: string) => void): string | undefined {
  const have = () => existsSync(DOCKERD) && existsSync(DOCKER) && existsSync(CONTAINERD);
  if (have()) return undefined;
  if (!install) return `docker.io is not installed (${DOCKERD} missing) and installing was not allowed`;
  // A policy-rc.d that says 101 keeps the package's postinst from starting
  // Debian's dockerd (invoke-rc.d and deb-systemd-invoke both ask it).
  let madePolicy = false;
  if (existsSync(POLICY_RC_D)) {
    try {
      execFileSync(POLICY_RC_D, ['docker', 'start'], { stdio: 'ignore' });
      return `${POLICY_RC_D} allows package scripts to start services, so installing docker.io would start Debian's dockerd (with its iptables rules); install it by hand with services denied`;
    } catch (e) {
      if ((e as { status?: number }).status !== 101)
        return `${POLICY_RC_D} does not deny service starts (exit ${(e as { status?: number }).status}); not installing docker.io`;
    }
  } else {
    writeFileSync(POLICY_RC_D, '#!/bin/sh\n# Written by timonel swarm-bench for one apt-get run.\nexit 101\n', { mode: 0o755 });
    madePolicy = true;
  }
  try {
    log('installing docker.io (no recommends; services denied by policy-rc.d)');
    execFileSync('apt-get', ['install', '-y', '--no-install-recommends', '-o', 'DPkg::Lock::Timeout=300', 'docker.io'], {
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      stdio: ['ignore', 'ignore', 'pipe'],
      timeout: 600_000,
    });
  } catch (e) {
    return `apt-get install docker.io failed: ${String((e as { stderr?: Buffer }).stderr ?? (e as Error).message)
      .trim()
      .split('\n')
      .slice(-3)
      .join(' | ')}`;
  } finally {
    if (madePolicy) rmSync(POLICY_RC_D, { force: true });
  }
  // The postinst enables docker.service/docker.socket for systemd; undo that,
  // so a later boot under systemd does not start Debian's dockerd either.
  try {
    execFileSync('deb-systemd-helper', ['disable', 'docker.service', 'docker.socket'], {
      env: { ...process.env, DPKG_MAINTSCRIPT_PACKAGE: 'docker.io' },
      stdio: 'ignore',
    });
  } catch {
    log('could not disable docker.service/docker.socket with deb-systemd-helper (not started either way)');
  }
  return have() ? undefined : `docker.io installed but ${DOCKERD}, ${DOCKER} or ${CONTAINERD} is still missing`;
}

function httpGet(url: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request(url, { timeout: 3000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
    req.end();
  });
}

function tcpFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, host, () => s.close(() => resolve(true)));
  });
}

function freeTCPPort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, host, () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

function udpFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createSocket('udp4');
    s.once('error', () => resolve(false));
    s.bind(port, '0.0.0.0', () => s.close(() => resolve(true)));
  });
}

/** A VXLAN port for Swarm's data path in the range Swarm accepts (1024-49151), away from 4789. */
async function freeDataPathPort(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = 40000 + Math.floor(Math.random() * 9000);
    if (await udpFree(port)) return port;
  }
  throw new Error('no free UDP port for the Swarm data path');
}

const ipToInt = (ip: string) => ip.split('.').reduce((a, o) => a * 256 + Number(o), 0);

function cidrRange(cidr: string): [number, number] {
  const [ip, bits = '32'] = cidr.split('/');
  const size = 2 ** (32 - Number(bits));
  const start = Math.floor(ipToInt(ip) / size) * size;
  return [start, start + size - 1];
}

/** Every IPv4 prefix the host routes or owns, so the bench's subnets overlap none of them. */
function hostPrefixes(): string[] {
  const routes = JSON.parse(execFileSync('ip', ['-j', '-4', 'route', 'show', 'table', 'all'], { encoding: 'utf8' }) || '[]') as { dst?: string }[];
  const addrs = JSON.parse(execFileSync('ip', ['-j', '-4', 'addr', 'show'], { encoding: 'utf8' }) || '[]') as {
    addr_info?: { local?: string; prefixlen?: number }[];
  }[];
  const out = routes.map((r) => r.dst ?? '').filter((d) => /^\d+\.\d+\.\d+\.\d+(\/\d+)?$/.test(d));
  for (const l of addrs) for (const a of l.addr_info ?? []) if (a.local) out.push(`${a.local}/${a.prefixlen ?? 32}`);
  return out;
}

/** n free /24s from 172.30.240.0-172.30.254.0 (nothing in the project uses 172.30.x here). */
function freeSubnets(n: number): string[] {
  const taken = hostPrefixes().map(cidrRange);
  const free: string[] = [];
  for (let third = 254; third >= 240 && free.length < n; third--) {
    const cidr = `172.30.${third}.0/24`;
    const [s, e] = cidrRange(cidr);
    if (!taken.some(([ts, te]) => ts <= e && s <= te)) free.push(cidr);
  }
  if (free.length < n) throw new Error('no free 172.30.x.0/24 for the Swarm bench bridges');
  return free;
}

// ---- the host's state, before and after -------------------------------------

function linkNames(): Set<string> {
  const links = JSON.parse(execFileSync('ip', ['-j', 'link', 'show'], { encoding: 'utf8' }) || '[]') as { ifname: string }[];
  return new Set(links.map((l) => l.ifname));
}

function linksOnMaster(master: string): string[] {
  try {
    const links = JSON.parse(
      execFileSync('ip', ['-j', 'link', 'show', 'master', master], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }) || '[]',
    ) as { ifname: string }[];
    return links.map((l) => l.ifname);
  } catch {
    return [];
  }
}

function deleteLink(name: string): void {
  try {
    execFileSync('ip', ['link', 'del', name], { stdio: 'ignore' });
  } catch {
    // Already gone (a veth goes with its peer's namespace).
  }
}

/** Names of DOCKER* chains in every table of iptables and ip6tables. */
function dockerChains(): Set<string> {
  const out = new Set<string>();
  for (const tool of ['iptables-save', 'ip6tables-save']) {
    let text = '';
    try {
      text = execFileSync(tool, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    } catch {
      continue;
    }
    let table = '';
    for (const line of text.split('\n')) {
      if (line.startsWith('*')) table = line.slice(1);
      const m = /^:(DOCKER\S*)/.exec(line);
      if (m) out.add(`${tool.replace('-save', '')} ${table} ${m[1]}`);
    }
  }
  return out;
}

/** Mount points at or under dir, deepest first. */
function mountsUnder(dir: string): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => (l.split(' ')[4] ?? '').replace(/\\040/g, ' '))
    .filter((m) => m === dir || m.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
}

/** PIDs (not ours) whose command line names dir: the containerd shims of this run's containers. */
function processesNaming(dir: string): number[] {
  const pids: number[] = [];
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p) || Number(p) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(dir)) pids.push(Number(p));
    } catch {
      // Exited meanwhile.
    }
  }
  return pids;
}

/** PIDs in every hierarchy's cgroup tree named parent (cgroup v1 and v2 layouts alike). */
function cgroupProcs(parent: string): number[] {
  const pids = new Set<number>();
  for (const ctrl of existsSync('/sys/fs/cgroup') ? readdirSync('/sys/fs/cgroup') : []) {
    const dirs = [join('/sys/fs/cgroup', ctrl, parent)];
    for (let i = 0; i < dirs.length; i++) {
      try {
        for (const e of readdirSync(dirs[i], { withFileTypes: true })) if (e.isDirectory()) dirs.push(join(dirs[i], e.name));
        for (const p of readFileSync(join(dirs[i], 'cgroup.procs'), 'utf8').split('\n')) if (p) pids.add(Number(p));
      } catch {
        // No such hierarchy or cgroup.
      }
    }
  }
  return [...pids];
}

/** SIGKILLs what list() names until it names nothing (up to 10 s); true if there was anything. */
async function killAll(list: () => number[]): Promise<boolean> {
  let any = false;
  for (let i = 0; i < 100; i++) {
    const pids = list();
    if (pids.length === 0) return any;
    any = true;
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Gone meanwhile.
      }
    }
    await sleep(100);
  }
  return any;
}

function alive(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

async function stopByPID(child: ChildProcess, graceMs: number): Promise<void> {
  if (!alive(child)) return;
  const done = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await done;
  clearTimeout(timer);
}

// ---- the Docker Engine API on the bench's own socket --------------------------

function dockerAPI<T>(socketPath: string, method: string, path: string): Promise<{ status: number; body: T }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, method, path, timeout: 30_000 }, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (data += c));
      res.on('end', () => {
        try {
          resolve({ status: res.statusCode ?? 0, body: (data ? JSON.parse(data) : undefined) as T });
        } catch {
          resolve({ status: res.statusCode ?? 0, body: data as unknown as T });
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error(`docker API ${method} ${path} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs: number, everyMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await sleep(everyMs);
  }
}

// ---- the run ------------------------------------------------------------------

/**
 * Starts a fenced-in containerd + dockerd, inits a one-node Swarm on loopback,
 * pulls busybox from the local registry (outside the timing), then times
 * `docker service create --replicas n` until n tasks are running, and the
 * service's removal until no container is left. Cleans up everything it made;
 * throws (after cleaning up) if the run or the cleanup went wrong.
 */
export async function swarmBurst(n: number, opts: SwarmBurstOptions = {}): Promise<SwarmBurstResult> {
  const log = opts.log ?? ((m: string) => process.stderr.write(`swarm-bench: ${m}\n`));
  const network = opts.network ?? 'bridge';
  const registry = opts.registry ?? '127.0.0.1:5000';
  const image = `${registry}/library/busybox:latest`;
  const timeoutMs = opts.timeoutMs ?? 600_000;

  if (process.platform !== 'linux' || process.getuid?.() !== 0) return { skipped: 'Docker Swarm bench needs root on Linux' };
  const missing = ensureDockerIO(opts.install ?? true, log);
  if (missing) return { skipped: missing };
  if ((await httpGet(`http://${registry}/v2/library/busybox/tags/list`)) !== 200) return { skipped: `no library/busybox in the registry at ${registry}` };
  if (!(await tcpFree('127.0.0.1', GOSSIP_PORT))) return { skipped: `127.0.0.1:${GOSSIP_PORT} (Swarm's fixed gossip port) is in use` };

  const sfx = randomBytes(2).toString('hex');
  const taskBridge = `tmsw${sfx}`;
  const gwBridge = `tmgw${sfx}`;
  const cgroupParent = `timonel-swarm-${sfx}`;
  const [taskSubnet, gwSubnet] = freeSubnets(2);
  const linksBefore = linkNames();
  const chainsBefore = dockerChains();
  const runDockerExisted = existsSync('/run/docker');
  const etcKeyExisted = existsSync('/etc/docker/key.json');

  const dir = mkdtempSync('/tmp/timonel-swarm-');
  const socket = join(dir, 'docker.sock');
  const cdDir = join(dir, 'containerd');
  const cdSocket = join(cdDir, 'containerd.sock');
  const env = { ...process.env, DOCKER_HOST: `unix://${socket}`, DOCKER_CONFIG: join(dir, 'cli') };
  const docker = async (args: string[]) => (await execFileP(DOCKER, args, { env, maxBuffer: 16 << 20 })).stdout.trim();
  let containerd: ChildProcess | undefined;
  let dockerd: ChildProcess | undefined;
  let bridgeMembers: string[] = [];

  const logFile = (name: string) => openSync(join(dir, name), 'a');
  const start = (cmd: string, args: string[], logName: string): ChildProcess => {
    const fd = logFile(logName);
    const child = spawn(cmd, args, { cwd: dir, stdio: ['ignore', fd, fd] });
    closeSync(fd);
    child.on('error', () => undefined);
    return child;
  };

  try {
    // containerd of our own: no CRI (nothing here wants CNI), every path under dir.
    mkdirSync(cdDir, { recursive: true });
    writeFileSync(
      join(cdDir, 'config.toml'),
      [
        'version = 2',
        `root = "${cdDir}/root"`,
        `state = "${cdDir}/state"`,
        'disabled_plugins = ["io.containerd.grpc.v1.cri"]',
        '[grpc]',
        `  address = "${cdSocket}"`,
        '[ttrpc]',
        `  address = "${cdSocket}.ttrpc"`,
        '[debug]',
        '  address = ""',
        '[metrics]',
        '  address = ""',
        '[plugins."io.containerd.internal.v1.opt"]',
        `  path = "${cdDir}/opt"`,
        '',
      ].join('\n'),
    );
    containerd = start(CONTAINERD, ['--config', join(cdDir, 'config.toml')], 'containerd.log');
    await waitUntil('containerd socket', async () => existsSync(cdSocket) || !alive(containerd as ChildProcess), 30_000);
    if (!alive(containerd)) throw new Error(`containerd exited (${join(dir, 'containerd.log')})`);

    if (network === 'bridge') {
      // Our own bridge instead of docker0: dockerd only attaches veths to it.
      execFileSync('ip', ['link', 'add', 'name', taskBridge, 'type', 'bridge']);
      const [a, b, c] = taskSubnet.split('.');
      execFileSync('ip', ['addr', 'add', `${a}.${b}.${c}.1/24`, 'dev', taskBridge]);
      execFileSync('ip', ['link', 'set', taskBridge, 'up']);
    }

    // Not /etc/docker/daemon.json, and the trust key under dir instead of /etc/docker/key.json.
    writeFileSync(join(dir, 'daemon.json'), JSON.stringify({ 'deprecated-key-path': join(dir, 'key.json') }));
    dockerd = start(
      DOCKERD,
      [
        '--config-file',
        join(dir, 'daemon.json'),
        '--data-root',
        join(dir, 'data'),
        '--exec-root',
        join(dir, 'exec'),
        '--pidfile',
        join(dir, 'dockerd.pid'),
        '-H',
        `unix://${socket}`,
        '--containerd',
        cdSocket,
        '--iptables=false',
        '--ip6tables=false',
        '--ip-forward=false',
        '--ip-masq=false',
        '--userland-proxy=false',
        `--bridge=${network === 'bridge' ? taskBridge : 'none'}`,
        // No negative oom_score_adj is allowed on these machines (dockerd's default is -500).
        '--oom-score-adjust=0',
        `--cgroup-parent=/${cgroupParent}`,
      ],
      'dockerd.log',
    );
    await waitUntil(
      'dockerd API',
      async () => {
        if (!alive(dockerd as ChildProcess)) throw new Error('dockerd exited');
        return (await dockerAPI(socket, 'GET', '/_ping')).status === 200;
      },
      60_000,
      200,
    ).catch((e: Error) => {
      throw new Error(`${e.message} (${join(dir, 'dockerd.log')})`);
    });
    const dockerVersion = (await dockerAPI<{ Version: string }>(socket, 'GET', '/version')).body.Version;

    log(`dockerd ${dockerVersion}: pull ${image}`);
    await docker(['pull', '--quiet', image]);
    // Swarm makes docker_gwbridge for its ingress sandbox; made here first, it
    // gets our own bridge name, a /24 that nothing else uses, and no masquerade.
    await docker([
      'network',
      'create',
      '--driver',
      'bridge',
      '--subnet',
      gwSubnet,
      '-o',
      `com.docker.network.bridge.name=${gwBridge}`,
      '-o',
      'com.docker.network.bridge.enable_icc=false',
      '-o',
      'com.docker.network.bridge.enable_ip_masquerade=false',
      'docker_gwbridge',
    ]);
    const listenPort = await freeTCPPort('127.0.0.1');
    const dataPathPort = await freeDataPathPort();
    await docker(['swarm', 'init', '--advertise-addr', '127.0.0.1', '--listen-addr', `127.0.0.1:${listenPort}`, '--data-path-port', String(dataPathPort)]);

    const filters = encodeURIComponent(JSON.stringify({ service: [SERVICE], 'desired-state': ['running'] }));
    const runningTasks = async () =>
      (await dockerAPI<{ Status?: { State?: string } }[]>(socket, 'GET', `/tasks?filters=${filters}`)).body.filter((t) => t.Status?.State === 'running').length;
    const containers = async () => (await dockerAPI<unknown[]>(socket, 'GET', '/containers/json?all=1')).body.length;

    log(`docker service create --replicas ${n} (tasks on ${network === 'bridge' ? `bridge ${taskBridge}` : 'no network'})`);
    const t0 = performance.now();
    await docker(['service', 'create', '--detach', '--name', SERVICE, '--replicas', String(n), '--stop-grace-period', '0s', image, 'sleep', '36000']);
    await waitUntil(`${n} Swarm tasks running`, async () => (await runningTasks()) >= n, timeoutMs);
    const seconds = (performance.now() - t0) / 1000;
    if (network === 'bridge') bridgeMembers = linksOnMaster(taskBridge);
    log(`${n} tasks running after ${round(seconds)} s; removing the service`);

    const t1 = performance.now();
    await docker(['service', 'rm', SERVICE]);
    await waitUntil('Swarm containers removed', async () => (await containers()) === 0, timeoutMs);
    const downSeconds = (performance.now() - t1) / 1000;
    return { seconds: round(seconds), downSeconds: round(downSeconds), network, dockerVersion };
  } catch (e) {
    // The logs go with dir in the cleanup below: keep their ends in the error.
    const tails = ['dockerd.log', 'containerd.log'].map((f) => `--- ${f}\n${tailFile(join(dir, f), 8)}`).join('\n');
    throw new Error(`${(e as Error).message}\n${tails}`, { cause: e });
  } finally {
    const problems: string[] = [];
    if (dockerd && alive(dockerd)) {
      await docker(['swarm', 'leave', '--force']).catch((e: { stderr?: string; message: string }) => log(`swarm leave: ${(e.stderr || e.message).trim()}`));
      // A run cut short leaves tasks behind that dockerd's shutdown may race with.
      const left = (await dockerAPI<{ Id: string }[]>(socket, 'GET', '/containers/json?all=1').catch(() => undefined))?.body ?? [];
      await Promise.all(left.map((c) => dockerAPI(socket, 'DELETE', `/containers/${c.Id}?force=1`).catch(() => undefined)));
    }
    if (dockerd) await stopByPID(dockerd, 60_000);
    // Whatever still runs in our cgroup parent is a container of this run
    // (the name is this run's own): kill it while containerd can still reap it.
    if (await killAll(() => cgroupProcs(cgroupParent))) log('killed container processes left in the cgroup parent');
    if (containerd) await stopByPID(containerd, 15_000);
    // The shims of this run name its socket path on their command line.
    if (await killAll(() => processesNaming(dir))) log('killed containerd shims of this run');
    for (const pid of [...cgroupProcs(cgroupParent), ...processesNaming(dir)]) problems.push(`process ${pid} of this run survived SIGKILL`);
    for (const m of mountsUnder(dir)) {
      try {
        execFileSync('umount', [m], { stdio: 'ignore' });
      } catch {
        execFileSync('umount', ['-l', m], { stdio: 'ignore' });
      }
    }
    // Deleting a bridge leaves its ports; a veth whose container is gone goes with its peer.
    const mine = [taskBridge, gwBridge, ...linksOnMaster(taskBridge), ...linksOnMaster(gwBridge), ...bridgeMembers];
    for (const l of ['docker0', 'docker_gwbridge']) if (!linksBefore.has(l)) mine.push(l);
    for (const l of mine) deleteLink(l);
    const now = linkNames();
    for (const l of mine) if (now.has(l)) problems.push(`link ${l} could not be deleted`);
    for (const ctrl of existsSync('/sys/fs/cgroup') ? readdirSync('/sys/fs/cgroup') : []) {
      const top = join('/sys/fs/cgroup', ctrl, cgroupParent);
      if (!existsSync(top)) continue;
      // Depth first: a cgroup directory goes only once its children are gone.
      const dirs = [top];
      for (let i = 0; i < dirs.length; i++) {
        for (const e of readdirSync(dirs[i], { withFileTypes: true })) if (e.isDirectory()) dirs.push(join(dirs[i], e.name));
      }
      for (const d of dirs.reverse()) {
        // A cgroup whose last process just died can stay busy for a moment.
        for (let tries = 1; ; tries++) {
          try {
            rmdirSync(d);
            break;
          } catch (e) {
            if (tries < 30 && (e as NodeJS.ErrnoException).code === 'EBUSY') {
              await sleep(100);
              continue;
            }
            problems.push(`cgroup ${d}: ${(e as Error).message}`);
            break;
          }
        }
      }
    }
    // dockerd 20.10 always makes its plugins exec root there; nothing else uses it.
    if (!runDockerExisted) {
      for (const d of ['/run/docker/plugins', '/run/docker']) {
        try {
          rmdirSync(d);
        } catch {
          // Absent, or someone else put something there.
        }
      }
    }
    if (!etcKeyExisted && existsSync('/etc/docker/key.json')) unlinkSync('/etc/docker/key.json');
    const leftMounts = mountsUnder(dir);
    if (leftMounts.length > 0) problems.push(`mounts left under ${dir}: ${leftMounts.join(', ')}`);
    else rmSync(dir, { recursive: true, force: true });
    const newChains = [...dockerChains()].filter((c) => !chainsBefore.has(c));
    if (newChains.length > 0) problems.push(`DOCKER iptables chains appeared: ${newChains.join(', ')}`);
    if (problems.length > 0) {
      // eslint-disable-next-line no-unsafe-finally -- a dirty host must not pass as a clean figure
      throw new Error(`swarm bench cleanup: ${problems.join('; ')}`);
    }
  }
}

const isMain = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain) {
  const { values } = parseArgs({
    options: { n: { type: 'string', default: '100' }, network: { type: 'string', default: 'bridge' }, registry: { type: 'string', default: '127.0.0.1:5000' } },
    strict: true,
  });
  const n = Number(values.n);
  const net = values.network as string;
  if (!Number.isInteger(n) || n < 1) throw new Error(`--n must be a positive integer, got ${values.n}`);
  if (net !== 'bridge' && net !== 'none') throw new Error(`--network must be bridge or none, got ${net}`);
  swarmBurst(n, { network: net, registry: values.registry as string }).then(
    (r) => {
      process.stdout.write(`${JSON.stringify({ bench: 'node.swarm-burst', replicas: n, ...r })}\n`);
    },
    (e: Error) => {
      process.stderr.write(`swarm-bench: ${e.stack ?? e.message}\n`);
      process.exit(1);
    },
  );
}
