// Test fixtures: a real etcd in a throwaway directory on free ports, and an
// apiserver in this process in front of it, with a kubeconfig for kubectl.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startEtcd, type TestEtcd } from './etcd.js';
import { freePort } from '../../pkg/cluster/process.js';
import { kubeconfigYAML } from '../../pkg/cluster/kubeconfig.js';
import { APIServer, DEFAULT_CONFIG, type APIServerConfig } from '../../pkg/apiserver/server.js';

const run = promisify(execFile);

export interface TestCluster {
  etcd: TestEtcd;
  server: APIServer;
  url: string;
  caCert: string;
  token: string;
  kubeconfig: string;
  dir: string;
  /** Runs the real kubectl against this apiserver; rejects on a non-zero exit. */
  kubectl(args: string[], opts?: { input?: string; allowFail?: boolean }): Promise<{ stdout: string; stderr: string; code: number }>;
  /** Stops the apiserver and starts a fresh one on the same port, certificates and etcd (an apiserver restart). */
  restartServer(overrides?: Partial<APIServerConfig>): Promise<void>;
  stop(): Promise<void>;
}

/** overrides.tokens are served besides the admin's. */
export async function startCluster(overrides: Partial<APIServerConfig> = {}): Promise<TestCluster> {
  const { tokens: moreTokens = [], ...rest } = overrides;
  const etcd = await startEtcd();
  const dir = mkdtempSync(join(tmpdir(), 'timonel-apiserver-'));
  const port = await freePort();
  const logs: string[] = [];
  const token = randomBytes(16).toString('hex');
  const server = new APIServer({
    ...DEFAULT_CONFIG,
    etcdServers: [etcd.endpoint],
    certDir: join(dir, 'pki'),
    // The kubeconfig's user: an administrator, as `timonel up`'s admin.
    tokens: [{ token, user: { name: 'admin', uid: 'admin', groups: ['system:masters'] } }, ...moreTokens],
    securePort: port,
    log: (m) => {
      logs.push(m);
      if (process.env.TIMONEL_TEST_LOG) process.stderr.write(`apiserver: ${m}\n`);
    },
    ...rest,
  });
  await server.start();
  const url = `https://127.0.0.1:${server.config.securePort}`;
  const kubeconfig = join(dir, 'kubeconfig.yaml');
  writeFileSync(kubeconfig, kubeconfigYAML(url, server.caCert, token));
  const kubectlEnv = { ...process.env, HOME: dir, KUBECONFIG: kubeconfig, KUBECACHEDIR: join(dir, 'kubecache') };
  const cluster: TestCluster = {
    etcd,
    server,
    url,
    caCert: server.caCert,
    token,
    kubeconfig,
    dir,
    async kubectl(args, opts = {}) {
      const child = run('kubectl', args, { env: kubectlEnv, maxBuffer: 64 * 1024 * 1024 });
      if (opts.input !== undefined) {
        child.child.stdin?.end(opts.input);
      }
      try {
        const { stdout, stderr } = await child;
        return { stdout, stderr, code: 0 };
      } catch (err) {
        const e = err as { stdout?: string; stderr?: string; code?: number };
        if (opts.allowFail) return { stdout: e.stdout ?? '', stderr: e.stderr ?? '', code: e.code ?? 1 };
        throw new Error(`kubectl ${args.join(' ')} failed (${e.code}): ${e.stderr ?? ''}${e.stdout ?? ''}`);
      }
    },
    async restartServer(more = {}) {
      const config = { ...cluster.server.config, ...more };
      await cluster.server.stop();
      cluster.server = new APIServer(config);
      await cluster.server.start();
    },
    async stop() {
      await cluster.server.stop();
      await etcd.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return cluster;
}

/** A request to the test apiserver, trusting its CA. */
export async function request(
  c: Pick<TestCluster, 'url' | 'caCert' | 'token'>,
  method: string,
  path: string,
  opts: { body?: string | Buffer; headers?: Record<string, string> } = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string; json: () => unknown }> {
  const { request: httpsRequest } = await import('node:https');
  return new Promise((resolve, reject) => {
    const u = new URL(path, c.url);
    const length = opts.body === undefined ? {} : { 'content-length': String(Buffer.byteLength(opts.body)) };
    const req = httpsRequest(u, { method, ca: c.caCert, headers: { authorization: `Bearer ${c.token}`, ...length, ...opts.headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString();
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json: () => JSON.parse(body) as unknown });
      });
    });
    req.on('error', reject);
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}

export { run, startEtcd };
