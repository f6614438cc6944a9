// The local image registry: Debian's `docker-registry` (CNCF distribution 2.x)
// on loopback, storing blobs under the image cache. containerd uses it as the
// mirror for docker.io and registry.k8s.io, so pods pull the images we build
// exactly as they would pull from Docker Hub.
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isAlive, portFree, which, type ProcessSpec } from './process.js';

export const DEFAULT_REGISTRY_PORT = 5000;

export interface RegistryConfig {
  /** Image cache directory; blobs go to `<cacheDir>/registry`. */
  cacheDir: string;
  port: number;
}

export function registryStorageDir(cacheDir: string): string {
  return join(cacheDir, 'registry');
}

export function registryConfigFile(cacheDir: string, port: number): string {
  return join(cacheDir, `registry-${port}.yml`);
}

/** distribution's config: loopback only, filesystem storage, no auth (nothing but this machine can reach it). */
export function registryConfigYAML(cfg: RegistryConfig): string {
  return [
    'version: 0.1',
    'log:',
    '  level: warn',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${JSON.stringify(registryStorageDir(cfg.cacheDir))}`,
    '  delete:',
    '    enabled: true',
    '  cache:',
    '    blobdescriptor: inmemory',
    'http:',
    `  addr: 127.0.0.1:${cfg.port}`,
    '  headers:',
    '    X-Content-Type-Options: [nosniff]',
    '',
  ].join('\n');
}

/** Writes the config file and returns how to start the registry. */
export function registrySpec(cfg: RegistryConfig): ProcessSpec {
  const bin = which('docker-registry');
  if (!bin) throw new Error('docker-registry not found: install the Debian package docker-registry (run `make deps`)');
  mkdirSync(registryStorageDir(cfg.cacheDir), { recursive: true });
  const file = registryConfigFile(cfg.cacheDir, cfg.port);
  writeFileSync(file, registryConfigYAML(cfg));
  // REGISTRY_* variables would override the file; ours must win.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('REGISTRY_')));
  return { name: 'registry', command: bin, args: ['serve', file], env };
}

/** True when `addr` (host:port) answers the Registry v2 API base endpoint. */
export async function registryReady(addr: string, timeoutMs = 2000): Promise<boolean> {
  try {
    const res = await fetch(`http://${addr}/v2/`, { signal: AbortSignal.timeout(timeoutMs) });
    await res.arrayBuffer();
    return res.status === 200 && (res.headers.get('docker-distribution-api-version') ?? '').startsWith('registry/2');
  } catch {
    return false;
  }
}

export interface RunningRegistry {
  /** host:port, e.g. 127.0.0.1:5000 */
  addr: string;
  url: string;
  /** PID when this call started it; undefined when an already running registry was reused. */
  pid?: number;
  /** Stops the registry if this call started it; a reused one is left alone. */
  stop(): Promise<void>;
}

/**
 * For tests and tools: reuses a registry that already answers on the port, or
 * starts one (detached, logging to `<cacheDir>/registry-<port>.log`) and waits
 * until it answers.
 */
export async function startRegistry(cacheDir: string, port = DEFAULT_REGISTRY_PORT): Promise<RunningRegistry> {
  const addr = `127.0.0.1:${port}`;
  const url = `http://${addr}`;
  if (await registryReady(addr)) return { addr, url, stop: async () => undefined };
  if (!(await portFree(port))) throw new Error(`registry: port ${addr} is in use by something that is not a Docker registry`);
  const spec = registrySpec({ cacheDir, port });
  const logFile = join(cacheDir, `registry-${port}.log`);
  const out = openSync(logFile, 'a');
  const child = spawn(spec.command, spec.args, { detached: true, stdio: ['ignore', out, out], env: spec.env });
  closeSync(out);
  const pid = child.pid;
  if (!pid) throw new Error('registry: could not start docker-registry');
  child.unref();
  const deadline = Date.now() + 15_000;
  while (!(await registryReady(addr, 500))) {
    if (!isAlive(pid) || child.exitCode !== null) throw new Error(`registry exited during start-up; see ${logFile}:\n${tail(logFile)}`);
    if (Date.now() > deadline) {
      process.kill(pid, 'SIGKILL');
      throw new Error(`registry did not answer on ${addr} within 15s; see ${logFile}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    addr,
    url,
    pid,
    stop: async () => {
      if (!isAlive(pid)) return;
      process.kill(pid, 'SIGTERM');
      const until = Date.now() + 5000;
      while (isAlive(pid) && child.exitCode === null && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
      if (isAlive(pid) && child.exitCode === null) process.kill(pid, 'SIGKILL');
    },
  };
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-10).join('\n');
  } catch {
    return '(no log)';
  }
}
