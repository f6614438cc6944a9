// `timonel up` / `timonel down`: every component of a one-machine cluster,
// started in the background in dependency order, each waited on until ready.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { get as httpsGet } from 'node:https';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { etcdDataDir, etcdSpec } from './etcd.js';
import { kubeconfigYAML } from './kubeconfig.js';
import { portFree, runningPid, startDetached, stopByPid, type ProcessSpec } from './process.js';
import { ensureAdminToken } from '../apiserver/tokens.js';

export interface UpOptions {
  dataDir: string;
  etcdServers?: string;
  bindAddress: string;
  securePort: number;
  etcdClientPort: number;
  etcdPeerPort: number;
  serviceClusterIPRange: string;
  progress: (msg: string) => void;
}

export const DEFAULT_DATA_DIR = '/var/lib/timonel';

export interface Layout {
  runDir: string;
  logDir: string;
  pkiDir: string;
  kubeconfig: string;
}

export function layout(dataDir: string): Layout {
  return { runDir: join(dataDir, 'run'), logDir: join(dataDir, 'logs'), pkiDir: join(dataDir, 'pki'), kubeconfig: join(dataDir, 'kubeconfig.yaml') };
}

// Components are started in this order and stopped in reverse.
export const COMPONENTS = ['etcd', 'apiserver', 'controller-manager', 'scheduler'];

function entryPoint(cmd: string): string {
  return fileURLToPath(new URL(`../../cmd/${cmd}/main.js`, import.meta.url));
}

function nodeComponent(name: string, args: string[]): ProcessSpec {
  return { name, command: process.execPath, args: ['--enable-source-maps', entryPoint(name), ...args] };
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number, logFile: string, isRunning: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    if (!isRunning()) throw new Error(`${what} exited during start-up; see ${logFile}:\n${tail(logFile)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not become ready within ${timeoutMs / 1000}s; see ${logFile}:\n${tail(logFile)}`);
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-10).join('\n');
  } catch {
    return '(no log)';
  }
}

export function httpsReady(url: string, ca: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = httpsGet(url, { ca, timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
  });
}

async function etcdReady(endpoint: string): Promise<boolean> {
  const res = await fetch(`${endpoint}/health`).catch(() => undefined);
  if (!res?.ok) return false;
  const body = (await res.json().catch(() => ({}))) as { health?: string };
  return body.health === 'true';
}

export async function up(opts: UpOptions): Promise<{ kubeconfig: string }> {
  const l = layout(opts.dataDir);
  mkdirSync(opts.dataDir, { recursive: true });
  const started = Date.now();
  const step = (msg: string) => opts.progress(`[${((Date.now() - started) / 1000).toFixed(1)}s] ${msg}`);

  // etcd
  let etcdServers = opts.etcdServers;
  if (!etcdServers) {
    etcdServers = `http://127.0.0.1:${opts.etcdClientPort}`;
    if (runningPid(l.runDir, 'etcd')) step('etcd: already running');
    else {
      for (const port of [opts.etcdClientPort, opts.etcdPeerPort]) {
        if (!(await portFree(port))) throw new Error(`etcd: port 127.0.0.1:${port} is already in use; stop what holds it or pass --etcd-servers`);
      }
      const spec = etcdSpec({ dataDir: etcdDataDir(opts.dataDir), clientPort: opts.etcdClientPort, peerPort: opts.etcdPeerPort });
      startDetached(spec, l.runDir, l.logDir);
      step('etcd: starting');
      await waitFor('etcd', () => etcdReady(etcdServers as string), 30_000, join(l.logDir, 'etcd.log'), () => !!runningPid(l.runDir, 'etcd'));
    }
    step(`etcd: ready at ${etcdServers}`);
  }

  // apiserver
  mkdirSync(l.pkiDir, { recursive: true, mode: 0o700 });
  const tokenFile = join(l.pkiDir, 'tokens.csv');
  const token = ensureAdminToken(tokenFile);
  const server = `https://${opts.bindAddress === '0.0.0.0' ? '127.0.0.1' : opts.bindAddress}:${opts.securePort}`;
  if (runningPid(l.runDir, 'apiserver')) step('apiserver: already running');
  else {
    if (!(await portFree(opts.securePort, opts.bindAddress))) throw new Error(`apiserver: port ${opts.bindAddress}:${opts.securePort} is already in use; pass --secure-port`);
    startDetached(nodeComponent('apiserver', [
      `--etcd-servers=${etcdServers}`,
      `--bind-address=${opts.bindAddress}`,
      `--secure-port=${opts.securePort}`,
      `--cert-dir=${l.pkiDir}`,
      `--service-cluster-ip-range=${opts.serviceClusterIPRange}`,
      `--token-auth-file=${tokenFile}`,
    ]), l.runDir, l.logDir);
    step('apiserver: starting');
  }
  const caFile = join(l.pkiDir, 'ca.crt');
  await waitFor('apiserver', async () => existsSync(caFile) && httpsReady(`${server}/readyz`, readFileSync(caFile, 'utf8')), 30_000, join(l.logDir, 'apiserver.log'), () => !!runningPid(l.runDir, 'apiserver'));
  step(`apiserver: ready at ${server}`);

  writeFileSync(l.kubeconfig, kubeconfigYAML(server, readFileSync(caFile, 'utf8'), token), { mode: 0o600 });
  step(`kubeconfig written to ${l.kubeconfig}`);

  // controller-manager: talks to the apiserver only, with the admin kubeconfig.
  if (runningPid(l.runDir, 'controller-manager')) step('controller-manager: already running');
  else {
    startDetached(nodeComponent('controller-manager', [`--kubeconfig=${l.kubeconfig}`, `--local-path-dir=${join(opts.dataDir, 'local-path')}`]), l.runDir, l.logDir);
    const log = join(l.logDir, 'controller-manager.log');
    await waitFor('controller-manager', async () => existsSync(log) && /became leader|leader is/.test(readFileSync(log, 'utf8')), 30_000, log, () => !!runningPid(l.runDir, 'controller-manager'));
    step('controller-manager: running');
  }

  // scheduler: binds pending pods to nodes; its metrics on 127.0.0.1:10259.
  if (runningPid(l.runDir, 'scheduler')) step('scheduler: already running');
  else {
    // Another cluster on this machine may hold the usual metrics port; then take any free one.
    const metrics = (await portFree(10259)) ? '127.0.0.1:10259' : '127.0.0.1:0';
    startDetached(nodeComponent('scheduler', [`--kubeconfig=${l.kubeconfig}`, `--metrics-bind-address=${metrics}`]), l.runDir, l.logDir);
    const log = join(l.logDir, 'scheduler.log');
    await waitFor('scheduler', async () => existsSync(log) && /became leader|leader is/.test(readFileSync(log, 'utf8')), 30_000, log, () => !!runningPid(l.runDir, 'scheduler'));
    step('scheduler: running');
  }
  return { kubeconfig: l.kubeconfig };
}

export async function down(dataDir: string, purge: boolean, progress: (msg: string) => void): Promise<void> {
  const l = layout(dataDir);
  for (const name of [...COMPONENTS].reverse()) {
    if (await stopByPid(l.runDir, name)) progress(`${name}: stopped`);
  }
  if (purge) {
    rmSync(dataDir, { recursive: true, force: true });
    progress(`removed ${dataDir}`);
  }
}
