// Background processes the launcher starts: detached, logging to a file, and
// remembered by PID so `timonel down` stops exactly what `up` started.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { join } from 'node:path';

/**
 * V8 flags for the control plane's Node processes (apiserver, scheduler,
 * controller-manager). A 32 MiB young generation instead of 16 lets the many
 * short-lived objects of each request die before a scavenge promotes them: in the
 * scheduler bench, 4-10 % more pods/s and 4-9 % less apiserver CPU per pod, for
 * ~25 MiB more RSS each.
 */
export const CONTROL_PLANE_NODE_FLAGS = ['--max-semi-space-size=32'];

export interface ProcessSpec {
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
}

/** True while the process runs; a zombie (killed, not yet reaped by its parent) counts as gone. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // /proc/<pid>/stat: "pid (comm) S ..."; comm may hold spaces and parentheses, the state follows the last ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

function pidFile(runDir: string, name: string): string {
  return join(runDir, `${name}.pid`);
}

export function runningPid(runDir: string, name: string): number | undefined {
  const f = pidFile(runDir, name);
  if (!existsSync(f)) return undefined;
  const pid = Number(readFileSync(f, 'utf8').trim());
  return pid > 0 && isAlive(pid) ? pid : undefined;
}

/** Starts the process in its own session so it outlives the launcher; returns its PID. */
export function startDetached(spec: ProcessSpec, runDir: string, logDir: string): number {
  mkdirSync(runDir, { recursive: true });
  mkdirSync(logDir, { recursive: true });
  const out = openSync(join(logDir, `${spec.name}.log`), 'a');
  const child = spawn(spec.command, spec.args, { detached: true, stdio: ['ignore', out, out], env: spec.env ?? process.env });
  closeSync(out);
  if (!child.pid) throw new Error(`could not start ${spec.name} (${spec.command})`);
  child.unref();
  writeFileSync(pidFile(runDir, spec.name), String(child.pid));
  return child.pid;
}

/** SIGTERM, then SIGKILL after the grace period; only the PID we recorded. */
export async function stopByPid(runDir: string, name: string, graceMs = 10_000): Promise<boolean> {
  const pid = runningPid(runDir, name);
  rmSync(pidFile(runDir, name), { force: true });
  if (!pid) return false;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  return true;
}

/** Resolves true if nothing listens on host:port. */
export function portFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, host, () => srv.close(() => resolve(true)));
  });
}

/** A port the kernel says is free right now. */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** n different free ports: each is held until all are found, since the kernel may hand a just-closed port out again. */
export async function freePorts(n: number, host = '127.0.0.1'): Promise<number[]> {
  const servers: Server[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const srv = createServer();
      servers.push(srv);
      await new Promise<void>((resolve, reject) => {
        srv.once('error', reject);
        srv.listen(0, host, resolve);
      });
    }
    return servers.map((s) => (s.address() as AddressInfo).port);
  } finally {
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  }
}

export function which(cmd: string): string | undefined {
  for (const dir of (process.env.PATH ?? '/usr/bin:/bin').split(':')) {
    const p = join(dir, cmd);
    if (existsSync(p)) return p;
  }
  return undefined;
}
