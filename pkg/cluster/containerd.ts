// containerd as Timonel runs it: a config of our own (root, state, socket, CRI
// plugin, CNI dirs, registry mirror) so it never touches the machine's own
// containerd, plus start, readiness and clean-up helpers.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CRIClient } from '../cri/client.js';
import { isAlive, which, type ProcessSpec } from './process.js';

export interface ContainerdPaths {
  /** <stateDir>/containerd: everything containerd owns lives below it. */
  base: string;
  root: string;
  state: string;
  socket: string;
  configFile: string;
  /** hosts.toml files per registry host (CRI registry.config_path). */
  certsDir: string;
  cniConfDir: string;
  cniBinDir: string;
  logDir: string;
}

export const DEFAULT_SANDBOX_IMAGE = 'registry.k8s.io/pause:3.9';
// The registries images are commonly named after: each gets a hosts.toml, so without upstream fallback
// a pull for any of them is answered by the local registry. Any other host falls to `_default` (containerd
// reads it for a host without its own directory), so no pull leaves the machine at all.
export const DEFAULT_MIRRORED_HOSTS = [
  'docker.io',
  'registry.k8s.io',
  'k8s.gcr.io',
  'gcr.io',
  'quay.io',
  'ghcr.io',
  'mcr.microsoft.com',
  'public.ecr.aws',
  'registry.gitlab.com',
  'docker.elastic.co',
];
/** The hosts directory containerd falls back to for a registry host without its own. */
export const DEFAULT_HOSTS_DIR = '_default';
export const DEFAULT_CNI_BIN_DIR = '/usr/lib/cni';

export function containerdPaths(stateDir: string): ContainerdPaths {
  const dir = resolve(stateDir);
  const base = join(dir, 'containerd');
  return {
    base,
    root: join(base, 'root'),
    state: join(base, 'state'),
    socket: join(base, 'containerd.sock'),
    configFile: join(base, 'config.toml'),
    certsDir: join(base, 'certs.d'),
    cniConfDir: join(dir, 'cni', 'net.d'),
    cniBinDir: DEFAULT_CNI_BIN_DIR,
    logDir: join(dir, 'logs'),
  };
}

export type Snapshotter = 'overlayfs' | 'native';

export interface ContainerdConfigOptions {
  stateDir: string;
  /** The local registry that stands in for the mirrored hosts, e.g. 'http://127.0.0.1:5000'. */
  registryMirror: string;
  sandboxImage?: string;
  mirroredHosts?: string[];
  /** Let containerd fall back to the real registry when the mirror lacks an image (default false: loopback only). */
  upstreamFallback?: boolean;
  /** Chosen by probing when not given: overlayfs if this kernel/filesystem can mount it, else native. */
  snapshotter?: Snapshotter;
  /** Address/port of the CRI streaming server (exec, attach, port-forward); port 0 picks a free one. */
  streamServerAddress?: string;
  streamServerPort?: number;
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
}

// Plugins a CRI node never uses; skipping them saves start-up time and log noise.
const DISABLED_PLUGINS = [
  'io.containerd.snapshotter.v1.aufs',
  'io.containerd.snapshotter.v1.btrfs',
  'io.containerd.snapshotter.v1.devmapper',
  'io.containerd.snapshotter.v1.zfs',
  'io.containerd.tracing.processor.v1.otlp',
  'io.containerd.internal.v1.tracing',
];

/** TOML basic string. */
function q(s: string): string {
  return JSON.stringify(s);
}

/** The config.toml text (version 2). Pure, so it can be checked without containerd. */
export function containerdConfigText(
  paths: ContainerdPaths,
  opts: Omit<ContainerdConfigOptions, 'stateDir' | 'registryMirror'> & { snapshotter: Snapshotter },
): string {
  const cri = 'plugins."io.containerd.grpc.v1.cri"';
  return [
    '# Written by Timonel; regenerated on every start.',
    'version = 2',
    `root = ${q(paths.root)}`,
    `state = ${q(paths.state)}`,
    'oom_score = 0',
    `disabled_plugins = [${DISABLED_PLUGINS.map(q).join(', ')}]`,
    '',
    '[grpc]',
    `  address = ${q(paths.socket)}`,
    '',
    '[debug]',
    `  level = ${q(opts.logLevel ?? 'info')}`,
    '',
    '[plugins]',
    '  [plugins."io.containerd.internal.v1.opt"]',
    `    path = ${q(join(paths.root, 'opt'))}`,
    `  [${cri}]`,
    `    sandbox_image = ${q(opts.sandboxImage ?? DEFAULT_SANDBOX_IMAGE)}`,
    // This machine refuses negative oom_score_adj even to root; the CRI plugin
    // would give sandboxes -998. Clamp to containerd's own value instead.
    '    restrict_oom_score_adj = true',
    // Network namespaces below our state dir, not /var/run/netns, so a purge finds them all.
    '    netns_mounts_under_state_dir = true',
    `    stream_server_address = ${q(opts.streamServerAddress ?? '127.0.0.1')}`,
    `    stream_server_port = ${q(String(opts.streamServerPort ?? 0))}`,
    '    enable_tls_streaming = false',
    '    disable_apparmor = true',
    `    [${cri}.containerd]`,
    `      snapshotter = ${q(opts.snapshotter)}`,
    '      default_runtime_name = "runc"',
    `      [${cri}.containerd.runtimes.runc]`,
    '        runtime_type = "io.containerd.runc.v2"',
    `        [${cri}.containerd.runtimes.runc.options]`,
    // runc's state (default /run/containerd/runc) stays under our state dir too.
    `          Root = ${q(join(paths.state, 'runc'))}`,
    '          SystemdCgroup = false',
    `    [${cri}.cni]`,
    `      bin_dir = ${q(paths.cniBinDir)}`,
    `      conf_dir = ${q(paths.cniConfDir)}`,
    '      max_conf_num = 1',
    `    [${cri}.registry]`,
    `      config_path = ${q(paths.certsDir)}`,
    '',
  ].join('\n');
}

/** Where a registry host really lives, for the `server` line of its hosts.toml. */
export function upstreamServer(host: string): string {
  return host === 'docker.io' ? 'https://registry-1.docker.io' : `https://${host}`;
}

/**
 * hosts.toml for one registry host: pull from the local mirror (plain HTTP on
 * loopback). Without upstreamFallback the `server` is the mirror too, so a
 * miss is answered "not found" by the mirror instead of containerd trying the
 * real registry (a DNS lookup and a connection off this machine).
 */
export function hostsToml(host: string, mirror: string, upstreamFallback = false): string {
  return [`server = ${q(upstreamFallback ? upstreamServer(host) : mirror)}`, '', `[host.${q(mirror)}]`, '  capabilities = ["pull", "resolve"]', ''].join('\n');
}

let overlayVerdict: boolean | undefined;

/** Can we mount overlayfs here? Not always inside nested containers, and never on top of overlayfs with some kernels. */
export function overlayfsUsable(probeParent: string): boolean {
  if (overlayVerdict !== undefined) return overlayVerdict;
  mkdirSync(probeParent, { recursive: true });
  const dir = mkdtempSync(join(probeParent, 'overlay-probe-'));
  const [lower, upper, work, merged] = ['lower', 'upper', 'work', 'merged'].map((d) => join(dir, d));
  for (const d of [lower, upper, work, merged]) mkdirSync(d);
  let ok = false;
  try {
    execFileSync('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${lower},upperdir=${upper},workdir=${work}`, merged], { stdio: 'ignore' });
    ok = true;
    execFileSync('umount', [merged], { stdio: 'ignore' });
  } catch {
    // ok stays false if the mount failed; a failed umount leaves ok true and the rm below is skipped.
  }
  if (!isMounted(merged)) rmSync(dir, { recursive: true, force: true });
  overlayVerdict = ok;
  return ok;
}

/**
 * hosts.toml for the local registry named by its own address (`image: 127.0.0.1:5000/myapp:1`, what a
 * Dockerfile build pushes to): plain HTTP, which containerd would not assume for an IP address.
 */
export function localRegistryHostsToml(url: string): string {
  return [`server = ${q(url)}`, '', `[host.${q(url)}]`, '  capabilities = ["pull", "resolve"]', ''].join('\n');
}

/** Writes config.toml and the hosts.toml files; returns the paths and the snapshotter chosen. */
export function writeContainerdConfig(opts: ContainerdConfigOptions): ContainerdPaths & { snapshotter: Snapshotter } {
  if (!/^https?:\/\/[^/]+$/.test(opts.registryMirror)) {
    throw new Error(`registryMirror must look like http://127.0.0.1:5000, got ${JSON.stringify(opts.registryMirror)}`);
  }
  const paths = containerdPaths(opts.stateDir);
  for (const d of [paths.base, paths.root, paths.state, paths.certsDir, paths.cniConfDir, paths.logDir]) mkdirSync(d, { recursive: true });
  const snapshotter = opts.snapshotter ?? (overlayfsUsable(paths.base) ? 'overlayfs' : 'native');
  writeFileSync(paths.configFile, containerdConfigText(paths, { ...opts, snapshotter }));
  for (const host of opts.mirroredHosts ?? DEFAULT_MIRRORED_HOSTS) {
    mkdirSync(join(paths.certsDir, host), { recursive: true });
    writeFileSync(join(paths.certsDir, host, 'hosts.toml'), hostsToml(host, opts.registryMirror, opts.upstreamFallback));
  }
  if (!opts.upstreamFallback) {
    mkdirSync(join(paths.certsDir, DEFAULT_HOSTS_DIR), { recursive: true });
    writeFileSync(join(paths.certsDir, DEFAULT_HOSTS_DIR, 'hosts.toml'), hostsToml(DEFAULT_HOSTS_DIR, opts.registryMirror));
  } else {
    rmSync(join(paths.certsDir, DEFAULT_HOSTS_DIR), { recursive: true, force: true });
  }
  const local = opts.registryMirror.replace(/^https?:\/\//, '');
  mkdirSync(join(paths.certsDir, local), { recursive: true });
  writeFileSync(join(paths.certsDir, local, 'hosts.toml'), localRegistryHostsToml(opts.registryMirror));
  return { ...paths, snapshotter };
}

export function containerdSpec(paths: ContainerdPaths): ProcessSpec {
  const bin = which('containerd');
  if (!bin) throw new Error('containerd not found: install the Debian package containerd (run `make deps`)');
  if (!which('runc')) throw new Error('runc not found: install the Debian package runc (run `make deps`)');
  // runc lives in /usr/sbin, which a non-login PATH may lack.
  const path = process.env.PATH ?? '/usr/bin:/bin';
  const env = { ...process.env, PATH: path.includes('/usr/sbin') ? path : `${path}:/usr/sbin:/sbin` };
  return { name: 'containerd', command: bin, args: ['--config', paths.configFile], env };
}

/** True once the CRI plugin answers Version on the socket. */
export async function containerdReady(socket: string, timeoutMs = 1000): Promise<boolean> {
  if (!existsSync(socket)) return false;
  const cri = new CRIClient(socket);
  try {
    const v = await cri.runtime.version({ version: 'v1' }, { timeoutMs });
    return v.runtimeApiVersion === 'v1';
  } catch {
    return false;
  } finally {
    cri.close();
  }
}

export async function waitContainerdReady(socket: string, timeoutMs: number, isRunning: () => boolean = () => true): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await containerdReady(socket)) return;
    if (!isRunning()) throw new Error('containerd exited during start-up');
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`containerd did not answer CRI Version on ${socket} within ${timeoutMs / 1000}s`);
}

/** For tests: containerd as a child of this process, its output in <logDir>/containerd.log. */
export function spawnContainerd(paths: ContainerdPaths): ChildProcess {
  const spec = containerdSpec(paths);
  mkdirSync(paths.logDir, { recursive: true });
  const log = join(paths.logDir, 'containerd.log');
  const out = openSync(log, 'a');
  try {
    return spawn(spec.command, spec.args, { stdio: ['ignore', out, out], env: spec.env });
  } finally {
    closeSync(out);
  }
}

/** SIGTERM the containerd we started, SIGKILL after the grace period. */
export async function stopContainerd(child: ChildProcess, graceMs = 5000): Promise<void> {
  const pid = child.pid;
  if (!pid || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => {
    if (isAlive(pid)) child.kill('SIGKILL');
  }, graceMs);
  await exited;
  clearTimeout(timer);
}

/** Stops and removes every pod sandbox (and so every container) the runtime has. */
export async function removeAllPods(cri: CRIClient): Promise<void> {
  const { items } = await cri.runtime.listPodSandbox({});
  await Promise.all(
    items.map(async (s) => {
      await cri.runtime.stopPodSandbox({ podSandboxId: s.id }).catch(() => undefined);
      await cri.runtime.removePodSandbox({ podSandboxId: s.id });
    }),
  );
}

function unescapeMountPath(p: string): string {
  return p.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

/** Mount points at or below dir, deepest first. */
export function mountsUnder(dir: string): string[] {
  const prefix = resolve(dir);
  const out: string[] = [];
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const mp = line.split(' ')[4];
    if (!mp) continue;
    const p = unescapeMountPath(mp);
    if (p === prefix || p.startsWith(prefix + '/')) out.push(p);
  }
  return [...new Set(out)].sort((a, b) => b.length - a.length);
}

function isMounted(p: string): boolean {
  return mountsUnder(p).includes(resolve(p));
}

/** Unmounts everything below dir (rootfs overlays, /dev/shm, netns bind mounts). */
export function unmountUnder(dir: string): void {
  for (let pass = 0; pass < 3; pass++) {
    const mounts = mountsUnder(dir);
    if (mounts.length === 0) return;
    for (const m of mounts) {
      try {
        execFileSync('umount', [m], { stdio: 'ignore' });
      } catch {
        try {
          execFileSync('umount', ['-l', m], { stdio: 'ignore' });
        } catch {
          // Left for the next pass; the caller sees it in mountsUnder if it stays.
        }
      }
    }
  }
}

/** PIDs of shims serving the containerd on this socket (they outlive a killed containerd). */
export function shimPids(socket: string): number[] {
  const pids: number[] = [];
  for (const ent of readdirSync('/proc')) {
    if (!/^\d+$/.test(ent)) continue;
    let cmd: string[];
    try {
      cmd = readFileSync(`/proc/${ent}/cmdline`, 'utf8').split('\0');
    } catch {
      continue;
    }
    if (!cmd[0]?.includes('containerd-shim')) continue;
    const i = cmd.indexOf('-address');
    if (i >= 0 && cmd[i + 1] === socket) pids.push(Number(ent));
  }
  return pids;
}

/**
 * Last-resort clean-up after containerd is stopped: force-delete containers
 * left in our runc root, kill our shims, unmount and remove the state.
 */
export function purgeContainerdState(paths: ContainerdPaths, removeDirs = true): void {
  const runcRoot = join(paths.state, 'runc');
  if (existsSync(runcRoot) && which('runc')) {
    for (const ns of readdirSync(runcRoot)) {
      const root = join(runcRoot, ns);
      let ids: string[] = [];
      try {
        ids = execFileSync('runc', ['--root', root, 'list', '-q'], { encoding: 'utf8' }).split('\n').filter(Boolean);
      } catch {
        continue;
      }
      for (const id of ids) {
        try {
          execFileSync('runc', ['--root', root, 'delete', '--force', id], { stdio: 'ignore' });
        } catch {
          // Already gone.
        }
      }
    }
  }
  for (const pid of shimPids(paths.socket)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Exited meanwhile.
    }
  }
  unmountUnder(paths.base);
  if (removeDirs) rmSync(paths.base, { recursive: true, force: true });
}
