// The local image registry: Debian's `docker-registry` (CNCF distribution 2.x)
// on a unix socket, storing blobs under the image cache, behind the front in
// registryfront.ts on loopback (tags, who may write). containerd uses it as the
// mirror for docker.io and registry.k8s.io, so pods pull the images we build
// exactly as they would pull from Docker Hub.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isAlive, portFree, which, type ProcessSpec } from './process.js';
import { CATALOGUE_USER, PULL_USER, PUSH_USER, type Credentials } from './registryfront.js';

export const DEFAULT_REGISTRY_PORT = 5000;

export interface RegistryConfig {
  /** Image cache directory; blobs go to `<cacheDir>/registry`, credentials to `<cacheDir>/registry-auth`. */
  cacheDir: string;
  port: number;
  /** A second listener where reads need credentials too (a private registry, for imagePullSecrets). */
  authPort?: number;
  /** Addresses served besides 127.0.0.1 (what nodes in other network namespaces reach); reads only without credentials there too. */
  bindAddresses?: string[];
}

export function registryStorageDir(cacheDir: string): string {
  return join(cacheDir, 'registry');
}

export function registryConfigFile(cacheDir: string, port: number): string {
  return join(cacheDir, `registry-${port}.yml`);
}

/** docker-registry's own socket: only the front (and root) reach it. */
export function registryBackendSocket(cacheDir: string, port: number): string {
  return join(cacheDir, `registry-${port}.sock`);
}

function authDir(cacheDir: string): string {
  return join(cacheDir, 'registry-auth');
}

/** The registry's users, as `timonel up` wrote them: `catalogue` (the builder), `push` (imports), `pull` (read only). */
export type RegistryCredentials = Record<typeof CATALOGUE_USER | typeof PUSH_USER | typeof PULL_USER, Credentials>;

/**
 * The registry's credentials: read, or made on first use (random passwords,
 * bcrypt htpasswd as distribution requires, files readable by root only).
 */
export function ensureRegistryCredentials(cacheDir: string): RegistryCredentials {
  const dir = authDir(cacheDir);
  const file = join(dir, 'credentials.json');
  const htpasswd = join(dir, 'htpasswd');
  if (existsSync(file) && existsSync(htpasswd)) return JSON.parse(readFileSync(file, 'utf8')) as RegistryCredentials;
  const bin = which('htpasswd');
  if (!bin) throw new Error('registry: htpasswd not found: install the Debian package apache2-utils (run `make deps`)');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const creds: RegistryCredentials = {
    catalogue: { username: CATALOGUE_USER, password: randomBytes(18).toString('base64url') },
    push: { username: PUSH_USER, password: randomBytes(18).toString('base64url') },
    pull: { username: PULL_USER, password: randomBytes(18).toString('base64url') },
  };
  // bcrypt cost 5: the registry checks the password on every request, and these are random, not guessable words.
  const lines = Object.values(creds).map((c) => execFileSync(bin, ['-nbB', '-C', '5', c.username, c.password], { encoding: 'utf8' }).trim());
  // Written next to their final names and renamed, so a concurrent reader sees all or nothing.
  writeFileSync(`${htpasswd}.tmp`, `${lines.join('\n')}\n`, { mode: 0o600 });
  writeFileSync(`${file}.tmp`, JSON.stringify(creds), { mode: 0o600 });
  renameSync(`${htpasswd}.tmp`, htpasswd);
  renameSync(`${file}.tmp`, file);
  return creds;
}

/** The credentials if `timonel up` (or a registry) has written them, without making any. */
export function registryCredentials(cacheDir: string): RegistryCredentials | undefined {
  const file = join(authDir(cacheDir), 'credentials.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as RegistryCredentials) : undefined;
}

/** distribution's config: a unix socket only, filesystem storage, htpasswd auth. */
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
    'auth:',
    '  htpasswd:',
    '    realm: timonel registry',
    `    path: ${JSON.stringify(join(authDir(cfg.cacheDir), 'htpasswd'))}`,
    'http:',
    '  net: unix',
    `  addr: ${JSON.stringify(registryBackendSocket(cfg.cacheDir, cfg.port))}`,
    '  headers:',
    '    X-Content-Type-Options: [nosniff]',
    '',
  ].join('\n');
}

/** The command that serves the registry (cmd/registry: docker-registry and its front). */
export function registrySpec(cfg: RegistryConfig): ProcessSpec {
  if (!which('docker-registry')) throw new Error('docker-registry not found: install the Debian package docker-registry (run `make deps`)');
  ensureRegistryCredentials(cfg.cacheDir);
  const entry = fileURLToPath(new URL('../../cmd/registry/main.js', import.meta.url));
  const args = [
    entry,
    `--cache-dir=${cfg.cacheDir}`,
    `--port=${cfg.port}`,
    ...(cfg.authPort ? [`--auth-port=${cfg.authPort}`] : []),
    ...(cfg.bindAddresses?.length ? [`--bind-address=${cfg.bindAddresses.join(',')}`] : []),
  ];
  // REGISTRY_* variables would override docker-registry's config file; ours must win.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('REGISTRY_')));
  return { name: 'registry', command: process.execPath, args, env };
}

/** True when `addr` (host:port) answers the Registry v2 API base endpoint (200, or 401 with its challenge). */
export async function registryReady(addr: string, timeoutMs = 2000): Promise<boolean> {
  try {
    const res = await fetch(`http://${addr}/v2/`, { signal: AbortSignal.timeout(timeoutMs) });
    await res.arrayBuffer();
    return (res.status === 200 || res.status === 401) && (res.headers.get('docker-distribution-api-version') ?? '').startsWith('registry/2');
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
  /** The users of the cache dir's registry (`catalogue` pushes the catalogue, `push` imports). */
  credentials: RegistryCredentials;
  /** host:port of the listener where reads need credentials too, when asked for. */
  authAddr?: string;
  /** Stops the registry if this call started it; a reused one is left alone. */
  stop(): Promise<void>;
}

/**
 * For tests and tools: reuses a registry that already answers on the port, or
 * starts one (detached, logging to `<cacheDir>/registry-<port>.log`) and waits
 * until it answers.
 */
export async function startRegistry(cacheDir: string, port = DEFAULT_REGISTRY_PORT, authPort?: number, bindAddresses?: string[]): Promise<RunningRegistry> {
  const addr = `127.0.0.1:${port}`;
  const url = `http://${addr}`;
  const authAddr = authPort ? `127.0.0.1:${authPort}` : undefined;
  const credentials = ensureRegistryCredentials(cacheDir);
  if (await registryReady(addr)) return { addr, url, credentials, authAddr, stop: async () => undefined };
  if (!(await portFree(port))) throw new Error(`registry: port ${addr} is in use by something that is not a Docker registry`);
  const spec = registrySpec({ cacheDir, port, authPort, bindAddresses });
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
    credentials,
    authAddr,
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
