// Debian's dockerd fenced in for a test, as test/bench/swarm-bench.ts runs it:
// its own containerd (no CRI), data root, exec root, socket, pidfile, key file
// and cgroup parent under one directory; no bridge and no iptables rules.
// stop() ends both daemons by PID and removes what they left.
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, rmdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ensureDockerIO } from '../bench/swarm-bench.js';

const run = promisify(execFile);

export interface FencedDocker {
  dir: string;
  docker(args: string[], input?: string): Promise<string>;
  stop(): Promise<void>;
}

function alive(c: ChildProcess): boolean {
  return c.exitCode === null && c.signalCode === null;
}

async function stopChild(c: ChildProcess | undefined, graceMs: number): Promise<void> {
  if (!c || !alive(c)) return;
  const done = new Promise<void>((r) => c.once('exit', () => r()));
  c.kill('SIGTERM');
  const t = setTimeout(() => c.kill('SIGKILL'), graceMs);
  await done;
  clearTimeout(t);
}

function mountsUnder(dir: string): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4])
    .filter((m): m is string => !!m && m.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
}

/** Undefined (with the reason logged) when docker.io cannot be installed here. */
export async function startFencedDocker(log: (m: string) => void): Promise<FencedDocker | { skipped: string }> {
  const missing = ensureDockerIO(true, log);
  if (missing) return { skipped: missing };
  const runDockerExisted = existsSync('/run/docker');
  const keyExisted = existsSync('/etc/docker/key.json');
  const dir = mkdtempSync('/tmp/timonel-dockerd-');
  const cdDir = join(dir, 'containerd');
  const cdSocket = join(cdDir, 'containerd.sock');
  const socket = join(dir, 'docker.sock');
  mkdirSync(cdDir);
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
      '[plugins."io.containerd.internal.v1.opt"]',
      `  path = "${cdDir}/opt"`,
      '',
    ].join('\n'),
  );
  const start = (cmd: string, args: string[], logName: string) => {
    const fd = openSync(join(dir, logName), 'a');
    const child = spawn(cmd, args, { cwd: dir, stdio: ['ignore', fd, fd] });
    closeSync(fd);
    child.on('error', () => undefined);
    return child;
  };
  const containerd = start('/usr/bin/containerd', ['--config', join(cdDir, 'config.toml')], 'containerd.log');
  writeFileSync(join(dir, 'daemon.json'), JSON.stringify({ 'deprecated-key-path': join(dir, 'key.json') }));
  let dockerd: ChildProcess | undefined;
  const env = { ...process.env, DOCKER_HOST: `unix://${socket}`, DOCKER_CONFIG: join(dir, 'cli') };
  const docker = async (args: string[], input?: string) => {
    const p = run('/usr/bin/docker', args, { env, maxBuffer: 16 << 20 });
    if (input !== undefined) p.child.stdin?.end(input);
    return (await p).stdout.trim();
  };
  const stop = async () => {
    await stopChild(dockerd, 30_000);
    await stopChild(containerd, 15_000);
    for (const m of mountsUnder(dir)) execFileSync('umount', ['-l', m], { stdio: 'ignore' });
    rmSync(dir, { recursive: true, force: true });
    if (!runDockerExisted)
      for (const d of ['/run/docker/plugins', '/run/docker'])
        try {
          rmdirSync(d);
        } catch {
          // Absent, or someone else's.
        }
    if (!keyExisted && existsSync('/etc/docker/key.json')) unlinkSync('/etc/docker/key.json');
  };
  try {
    for (let i = 0; !existsSync(cdSocket); i++) {
      if (i > 300 || !alive(containerd)) throw new Error(`containerd did not start (${join(dir, 'containerd.log')})`);
      await new Promise((r) => setTimeout(r, 100));
    }
    dockerd = start(
      '/usr/sbin/dockerd',
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
        '--bridge=none',
        '--oom-score-adjust=0',
        `--cgroup-parent=/${dir.split('/').pop()}`,
      ],
      'dockerd.log',
    );
    for (let i = 0; ; i++) {
      if (!alive(dockerd)) throw new Error(`dockerd exited (${readFileSync(join(dir, 'dockerd.log'), 'utf8').slice(-500)})`);
      if (await docker(['version', '--format', '{{.Server.Version}}']).catch(() => '')) break;
      if (i > 300) throw new Error('dockerd did not answer within 60 s');
      await new Promise((r) => setTimeout(r, 200));
    }
  } catch (e) {
    await stop();
    throw e;
  }
  return { dir, docker, stop };
}
