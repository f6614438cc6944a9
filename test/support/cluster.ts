// Test fixtures: a real etcd in a throwaway directory on free ports, and an
// apiserver in this process in front of it, with a kubeconfig for kubectl. As
// `timonel up`, the apiserver takes client certificates from its CA
// (--client-ca-file) and verifies kubelets' serving certificates against it; the
// kubeconfig and request() act as the admin by its client certificate. Tests of
// tokens give the apiserver their own (overrides.tokens). Service-account tokens
// are signed with sa.key in the pki directory, for SERVICE_ACCOUNT_ISSUER.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startEtcd, type TestEtcd } from './etcd.js';
import { freePort } from '../../pkg/cluster/process.js';
import { kubeconfigYAML } from '../../pkg/cluster/kubeconfig.js';
import { APIServer, DEFAULT_CONFIG, type APIServerConfig } from '../../pkg/apiserver/server.js';
import { ensureSigningKeyPair } from '../../pkg/util/serviceaccount/keys.js';
import { advertisedAddress } from '../../pkg/apiserver/kubernetesservice.js';
import { servingCertificateHosts } from '../../pkg/apiserver/servingcert.js';
import { loadCA, loadOrCreateServingCerts, loadOrCreateSignedCert, type CertKeyPair } from '../../pkg/util/certs.js';

const run = promisify(execFile);

export interface TestCluster {
  etcd: TestEtcd;
  server: APIServer;
  url: string;
  caCert: string;
  /** The cluster CA with its key, for certificates of a test's own. */
  ca: CertKeyPair;
  /** The admin's client certificate: user admin in system:masters. */
  adminCert: CertKeyPair;
  /** The admin's kubeconfig. */
  kubeconfig: string;
  dir: string;
  /** A client certificate from the cluster CA for user commonName in the organizations (groups), kept in the pki directory. */
  clientCert(commonName: string, organizations?: string[]): CertKeyPair;
  /** A kubeconfig for that user; returns its path. */
  kubeconfigFor(commonName: string, organizations?: string[]): string;
  /** Runs the real kubectl against this apiserver; rejects on a non-zero exit. */
  kubectl(args: string[], opts?: { input?: string; allowFail?: boolean }): Promise<{ stdout: string; stderr: string; code: number }>;
  /** Stops the apiserver and starts a fresh one on the same port, certificates and etcd (an apiserver restart). */
  restartServer(overrides?: Partial<APIServerConfig>): Promise<void>;
  stop(): Promise<void>;
}

/** The --service-account-issuer of test clusters (kubeadm's default). */
export const SERVICE_ACCOUNT_ISSUER = 'https://kubernetes.default.svc.cluster.local';

export const ADMIN = { commonName: 'admin', organizations: ['system:masters'] };

/** Safe as a file name: a user name such as system:node:a. */
function fileName(commonName: string): string {
  return commonName.replace(/[^A-Za-z0-9._-]/g, '_');
}

export async function startCluster(overrides: Partial<APIServerConfig> = {}): Promise<TestCluster> {
  const etcd = await startEtcd();
  const dir = mkdtempSync(join(tmpdir(), 'timonel-apiserver-'));
  const port = await freePort();
  const logs: string[] = [];
  // The CA the apiserver would make in its cert dir, made first so that the admin's certificate can be.
  const certDir = join(dir, 'pki');
  const config = { ...DEFAULT_CONFIG, ...overrides };
  loadOrCreateServingCerts(certDir, servingCertificateHosts({ ...config, advertiseAddress: advertisedAddress(config) }));
  const ca = loadCA(certDir) as CertKeyPair;
  const clientCert = (commonName: string, organizations: string[] = []) =>
    loadOrCreateSignedCert(certDir, `client-${fileName(commonName)}`, { commonName, organizations, usage: 'client' }, ca);
  const adminCert = clientCert(ADMIN.commonName, ADMIN.organizations);
  // Service-account tokens as `timonel up` signs them: an RSA key in the pki directory.
  ensureSigningKeyPair(join(certDir, 'sa.key'), join(certDir, 'sa.pub'));
  const server = new APIServer({
    ...DEFAULT_CONFIG,
    etcdServers: [etcd.endpoint],
    certDir,
    clientCAFile: join(certDir, 'ca.crt'),
    kubeletCertificateAuthority: join(certDir, 'ca.crt'),
    serviceAccountIssuers: [SERVICE_ACCOUNT_ISSUER],
    serviceAccountSigningKeyFile: join(certDir, 'sa.key'),
    serviceAccountKeyFiles: [join(certDir, 'sa.pub')],
    // As upstream's integration test servers: pods need no ServiceAccount (no controller-manager
    // makes `default` here). Tests of that admission turn it back on.
    disableAdmissionPlugins: ['ServiceAccount'],
    securePort: port,
    log: (m) => {
      logs.push(m);
      if (process.env.TIMONEL_TEST_LOG) process.stderr.write(`apiserver: ${m}\n`);
    },
    ...overrides,
  });
  await server.start();
  const url = `https://127.0.0.1:${server.config.securePort}`;
  const kubeconfig = join(dir, 'kubeconfig.yaml');
  writeFileSync(kubeconfig, kubeconfigYAML(url, server.caCert, adminCert));
  const kubectlEnv = { ...process.env, HOME: dir, KUBECONFIG: kubeconfig, KUBECACHEDIR: join(dir, 'kubecache') };
  const cluster: TestCluster = {
    etcd,
    server,
    url,
    caCert: server.caCert,
    ca,
    adminCert,
    kubeconfig,
    dir,
    clientCert,
    kubeconfigFor(commonName, organizations = []) {
      const file = join(dir, `${fileName(commonName)}.kubeconfig`);
      writeFileSync(file, kubeconfigYAML(url, server.caCert, clientCert(commonName, organizations), 'timonel', commonName), { mode: 0o600 });
      return file;
    },
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

/**
 * A request to the test apiserver, trusting its CA: as the admin (its client certificate); with
 * c.token or opts.headers.authorization, by those credentials instead (no certificate).
 */
export async function request(
  c: Pick<TestCluster, 'url' | 'caCert' | 'adminCert'> & { token?: string },
  method: string,
  path: string,
  opts: { body?: string | Buffer; headers?: Record<string, string> } = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string; json: () => unknown }> {
  const { request: httpsRequest } = await import('node:https');
  return new Promise((resolve, reject) => {
    const u = new URL(path, c.url);
    const length = opts.body === undefined ? {} : { 'content-length': String(Buffer.byteLength(opts.body)) };
    const bearer = c.token === undefined ? {} : { authorization: `Bearer ${c.token}` };
    const asAdmin = c.token === undefined && !Object.keys(opts.headers ?? {}).some((h) => h.toLowerCase() === 'authorization');
    const cert = asAdmin ? { cert: c.adminCert.cert, key: c.adminCert.key } : {};
    const req = httpsRequest(u, { method, ca: c.caCert, ...cert, headers: { ...bearer, ...length, ...opts.headers } }, (res) => {
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
