// `timonel up` / `timonel down`: every component of a one-machine cluster,
// started in the background in dependency order, each waited on until ready.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { parse as parseYAML } from 'yaml';
import { addonsToApply, applyAddon, type AdminCall } from './addons.js';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { etcdDataDir, etcdSpec } from './etcd.js';
import { clusterInfoKubeconfigYAML } from './kubeconfig.js';
import { kubeletServingCertificate, writeAdminKubeconfig, writeComponentKubeconfig, type ClusterAccess, type Component } from './identities.js';
import { CONTROL_PLANE_NODE_FLAGS, freePort, portFree, runningPid, startDetached, stopByPid, type ProcessSpec } from './process.js';
import { ensureAdminToken } from '../apiserver/tokens.js';
import { ensureAuditPolicy } from './auditpolicy.js';
import { ensureEncryptionConfiguration } from './encryption.js';
import { ensureSigningKeyPair } from '../util/serviceaccount/keys.js';
import { containerdPaths, containerdReady, containerdSpec, purgeContainerdState, unmountUnder, writeContainerdConfig } from './containerd.js';
import { DEFAULT_IMAGE_CACHE_DIR, ensureImages } from './images.js';
import { registryReady, registrySpec } from './registry.js';
import { CRIClient } from '../cri/client.js';
import { tearDownNodeNetwork } from '../kubelet/network/node_network.js';
import { KubeletPaths } from '../kubelet/paths.js';
import { loadCA, type CertKeyPair } from '../util/certs.js';

export interface UpOptions {
  dataDir: string;
  etcdServers?: string;
  /** TLS files for an external etcd, passed to the apiserver as --etcd-cafile/--etcd-certfile/--etcd-keyfile. */
  etcdTLS?: { caFile?: string; certFile?: string; keyFile?: string };
  bindAddress: string;
  securePort: number;
  etcdClientPort: number;
  etcdPeerPort: number;
  serviceClusterIPRange: string;
  /** The node's pod CIDR (a /24 out of the cluster's 10.244.0.0/16); its first address is the node's IP on the bridge. */
  podCIDR: string;
  cniBridge: string;
  /** Built images and the local registry's storage; shared by every cluster on this machine. */
  cacheDir: string;
  registryPort: number;
  /** Let containerd fall back to an image's real registry when the local one lacks it (off: no pull leaves the machine). */
  registryUpstream?: boolean;
  nodeName: string;
  /** --audit-log-path for the apiserver: who did what, one JSON line per request (off when unset). */
  auditLogPath?: string;
  /** --audit-policy-file for the apiserver; without it, auditpolicy.ts's default (Metadata for every request). */
  auditPolicyFile?: string;
  /** --proxy-mode for the node's proxy: iptables (the default) or nftables. */
  proxyMode?: 'iptables' | 'nftables';
  /** Add-ons deployed once the node is up, besides the web view every `up` deploys (addons.ts: manifests/<name>/). */
  addons?: string[];
  progress: (msg: string) => void;
}

export const DEFAULT_POD_CIDR = '10.244.0.0/24';
export const DEFAULT_CNI_BRIDGE = 'timonel0';
export { DEFAULT_IMAGE_CACHE_DIR };

export const DEFAULT_DATA_DIR = '/var/lib/timonel';

export interface Layout {
  runDir: string;
  logDir: string;
  pkiDir: string;
  /** The admin's kubeconfig (client certificate in system:masters). */
  kubeconfig: string;
  /** Each component's kubeconfig, <component>.yaml. */
  kubeconfigDir: string;
  /** What the node part was started with, so `down --purge` removes exactly that. */
  nodeFile: string;
}

export function layout(dataDir: string): Layout {
  return {
    runDir: join(dataDir, 'run'),
    logDir: join(dataDir, 'logs'),
    pkiDir: join(dataDir, 'pki'),
    kubeconfig: join(dataDir, 'kubeconfig.yaml'),
    kubeconfigDir: join(dataDir, 'kubeconfigs'),
    nodeFile: join(dataDir, 'node.json'),
  };
}

// Components are started in this order and stopped in reverse.
export const COMPONENTS = ['etcd', 'apiserver', 'controller-manager', 'scheduler', 'registry', 'containerd', 'kubelet', 'proxy', 'dns'];

/** Why a pull found nothing when images come from this machine only, and what to do about it. */
export const IMAGE_NOT_FOUND_HINT =
  "the image is not in this machine's registry and pulls do not leave the machine (timonel up --registry-upstream allows that); load it with `timonel images import`";

/** The cluster DNS listens on the node's IP here; the proxy DNATs the kube-dns ClusterIP to it. */
const DNS_PORT = 10053;

/** The node's IP: the first address of its pod CIDR, which the kubelet puts on its bridge. */
export function nodeIP(podCIDR: string): string {
  const [base] = podCIDR.split('/');
  const parts = base.split('.').map(Number);
  parts[3] += 1;
  return parts.join('.');
}

function entryPoint(cmd: string): string {
  return fileURLToPath(new URL(`../../cmd/${cmd}/main.js`, import.meta.url));
}

/** The service-account token signing key and its public half, in the pki directory. */
const SA_KEY = 'sa.key';
const SA_PUB = 'sa.pub';
/** --service-account-issuer (kubeadm's default); also the default --api-audiences. */
export const SERVICE_ACCOUNT_ISSUER = 'https://kubernetes.default.svc.cluster.local';

const CONTROL_PLANE = new Set(['apiserver', 'controller-manager', 'scheduler']);

function nodeComponent(name: string, args: string[]): ProcessSpec {
  const flags = CONTROL_PLANE.has(name) ? CONTROL_PLANE_NODE_FLAGS : [];
  return { name, command: process.execPath, args: ['--enable-source-maps', ...flags, entryPoint(name), ...args] };
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

interface HTTPSCall {
  method?: string;
  ca?: string;
  /** The client certificate to present (the admin's). */
  cert?: CertKeyPair;
  body?: string;
  /** Default application/json. */
  contentType?: string;
  timeoutMs: number;
}

/** One HTTPS request to a component of this cluster; rejects on a network error or timeout. */
function httpsCall(url: string, o: HTTPSCall): Promise<{ status: number; body: string }> {
  const headers: Record<string, string> = { 'content-type': o.contentType ?? 'application/json' };
  return new Promise((resolve, reject) => {
    const tls = { ca: o.ca, cert: o.cert?.cert, key: o.cert?.key, agent: false as const };
    const req = httpsRequest(url, { method: o.method ?? 'GET', ...tls, timeout: o.timeoutMs, headers }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end(o.body);
  });
}

export function httpsReady(url: string, ca: string): Promise<boolean> {
  return httpsCall(url, { ca, timeoutMs: 2000 }).then(
    (r) => r.status === 200,
    () => false,
  );
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

  const etcdServers = opts.etcdServers ?? (await upEtcd(opts, l, step));
  const server = await upAPIServer(opts, l, etcdServers, step);
  const ca = loadCA(l.pkiDir);
  if (!ca) throw new Error(`apiserver: no cluster CA (ca.crt and ca.key) in ${l.pkiDir}`);
  const access: ClusterAccess = { server, ca };
  const admin: AdminAccess = { server, ca: ca.cert, cert: writeAdminKubeconfig(l.kubeconfig, l.pkiDir, access) };
  step(`kubeconfig written to ${l.kubeconfig}`);
  const kubeconfigOf = (component: Component) => writeComponentKubeconfig(l.kubeconfigDir, l.pkiDir, component, opts.nodeName, access);
  await ensureClusterInfo(admin);

  // controller-manager: talks to the apiserver only, as system:kube-controller-manager; signs
  // certificate requests with the cluster CA the apiserver keeps in its --cert-dir.
  await upLeaderElected(
    l,
    'controller-manager',
    [
      `--kubeconfig=${kubeconfigOf('controller-manager')}`,
      `--local-path-dir=${join(opts.dataDir, 'local-path')}`,
      `--cluster-signing-cert-file=${join(l.pkiDir, 'ca.crt')}`,
      `--cluster-signing-key-file=${join(l.pkiDir, 'ca.key')}`,
      // Publishes the CA as kube-root-ca.crt in every namespace; fills legacy token Secrets.
      `--root-ca-file=${join(l.pkiDir, 'ca.crt')}`,
      `--service-account-private-key-file=${join(l.pkiDir, SA_KEY)}`,
      // Its secure port on loopback (10257, or any free one when another cluster holds it):
      // a self-signed certificate kept with the others, the cluster CA's client certificates.
      '--bind-address=127.0.0.1',
      `--secure-port=${await localPort(10257)}`,
      `--cert-dir=${l.pkiDir}`,
      `--client-ca-file=${join(l.pkiDir, 'ca.crt')}`,
    ],
    step,
  );
  // scheduler: binds pending pods to nodes; its secure port (metrics, health) as the
  // controller-manager's, on 10259.
  await upLeaderElected(
    l,
    'scheduler',
    [
      `--kubeconfig=${kubeconfigOf('scheduler')}`,
      '--bind-address=127.0.0.1',
      `--secure-port=${await localPort(10259)}`,
      `--cert-dir=${l.pkiDir}`,
      `--client-ca-file=${join(l.pkiDir, 'ca.crt')}`,
    ],
    step,
  );

  await upNode(opts, l, admin, ca, kubeconfigOf, step);
  for (const addon of addonsToApply(opts.addons ?? [])) {
    const call: AdminCall = (method, path, body, contentType) =>
      httpsCall(`${admin.server}${path}`, { method, ca: admin.ca, cert: admin.cert, body, contentType, timeoutMs: 10_000 });
    step(`addon ${addon}: applied ${await applyAddon(manifest(addon), call)} objects from manifests/${addon}/`);
  }
  return { kubeconfig: l.kubeconfig };
}

/** A local etcd on the configured ports (unless it runs already); returns its client URL. */
async function upEtcd(opts: UpOptions, l: Layout, step: (msg: string) => void): Promise<string> {
  const etcdServers = `http://127.0.0.1:${opts.etcdClientPort}`;
  if (runningPid(l.runDir, 'etcd')) step('etcd: already running');
  else {
    for (const port of [opts.etcdClientPort, opts.etcdPeerPort]) {
      if (!(await portFree(port))) throw new Error(`etcd: port 127.0.0.1:${port} is already in use; stop what holds it or pass --etcd-servers`);
    }
    const spec = etcdSpec({ dataDir: etcdDataDir(opts.dataDir), clientPort: opts.etcdClientPort, peerPort: opts.etcdPeerPort });
    startDetached(spec, l.runDir, l.logDir);
    step('etcd: starting');
    await waitFor(
      'etcd',
      () => etcdReady(etcdServers),
      30_000,
      join(l.logDir, 'etcd.log'),
      () => !!runningPid(l.runDir, 'etcd'),
    );
  }
  step(`etcd: ready at ${etcdServers}`);
  return etcdServers;
}

/**
 * The apiserver (unless it runs already), its CA in the pki directory; returns its URL. Client
 * certificates from that CA authenticate; the static token file (an admin token) stays for
 * clients of tokens.
 */
async function upAPIServer(opts: UpOptions, l: Layout, etcdServers: string, step: (msg: string) => void): Promise<string> {
  mkdirSync(l.pkiDir, { recursive: true, mode: 0o700 });
  const tokenFile = join(l.pkiDir, 'tokens.csv');
  ensureAdminToken(tokenFile);
  const encryptionConfig = ensureEncryptionConfiguration(join(l.pkiDir, 'encryption-config.yaml'));
  // Service-account tokens are signed with a key made on the first `up` (kubeadm's sa.key, sa.pub).
  ensureSigningKeyPair(join(l.pkiDir, SA_KEY), join(l.pkiDir, SA_PUB));
  const caFile = join(l.pkiDir, 'ca.crt');
  const server = `https://${opts.bindAddress === '0.0.0.0' ? '127.0.0.1' : opts.bindAddress}:${opts.securePort}`;
  if (runningPid(l.runDir, 'apiserver')) step('apiserver: already running');
  else {
    if (!(await portFree(opts.securePort, opts.bindAddress)))
      throw new Error(`apiserver: port ${opts.bindAddress}:${opts.securePort} is already in use; pass --secure-port`);
    startDetached(
      nodeComponent('apiserver', [
        `--etcd-servers=${etcdServers}`,
        ...(opts.etcdTLS?.caFile ? [`--etcd-cafile=${opts.etcdTLS.caFile}`] : []),
        ...(opts.etcdTLS?.certFile ? [`--etcd-certfile=${opts.etcdTLS.certFile}`] : []),
        ...(opts.etcdTLS?.keyFile ? [`--etcd-keyfile=${opts.etcdTLS.keyFile}`] : []),
        // Pods reach the apiserver through the kubernetes Service (10.96.0.1:443), which the proxy
        // sends to the advertised address: the node's IP on the CNI bridge. That bridge is made by
        // the kubelet, which needs the apiserver first, so the apiserver cannot bind the node's IP
        // when it starts; `up` binds all addresses by default (kube-apiserver's own default), which
        // takes the bridge address whenever it appears and keeps 127.0.0.1 for the kubeconfigs.
        `--bind-address=${opts.bindAddress}`,
        `--advertise-address=${nodeIP(opts.podCIDR)}`,
        `--secure-port=${opts.securePort}`,
        `--cert-dir=${l.pkiDir}`,
        // Secrets are encrypted in etcd with a key made on the first `up`.
        `--encryption-provider-config=${encryptionConfig}`,
        `--service-cluster-ip-range=${opts.serviceClusterIPRange}`,
        `--token-auth-file=${tokenFile}`,
        // The apiserver makes the CA in --cert-dir before it reads these.
        `--client-ca-file=${caFile}`,
        `--kubelet-certificate-authority=${caFile}`,
        '--enable-bootstrap-token-auth',
        `--service-account-issuer=${SERVICE_ACCOUNT_ISSUER}`,
        `--service-account-signing-key-file=${join(l.pkiDir, SA_KEY)}`,
        `--service-account-key-file=${join(l.pkiDir, SA_PUB)}`,
        // As kubeadm: each component holds only what its role grants, each kubelet only its own pods' objects.
        '--authorization-mode=Node,RBAC',
        ...(opts.auditLogPath
          ? [`--audit-log-path=${opts.auditLogPath}`, `--audit-policy-file=${opts.auditPolicyFile ?? ensureAuditPolicy(join(l.pkiDir, 'audit-policy.yaml'))}`]
          : []),
      ]),
      l.runDir,
      l.logDir,
    );
    step('apiserver: starting');
  }
  await waitFor(
    'apiserver',
    async () => existsSync(caFile) && httpsReady(`${server}/readyz`, readFileSync(caFile, 'utf8')),
    30_000,
    join(l.logDir, 'apiserver.log'),
    () => !!runningPid(l.runDir, 'apiserver'),
  );
  step(`apiserver: ready at ${server}`);
  return server;
}

/** A control-plane component that runs leader election (unless it runs already), ready once its log says it leads or follows. */
async function upLeaderElected(l: Layout, name: 'controller-manager' | 'scheduler', args: string[], step: (msg: string) => void): Promise<void> {
  if (runningPid(l.runDir, name)) {
    step(`${name}: already running`);
    return;
  }
  startDetached(nodeComponent(name, args), l.runDir, l.logDir);
  const log = join(l.logDir, `${name}.log`);
  await waitFor(
    name,
    async () => existsSync(log) && /became leader|leader is/.test(readFileSync(log, 'utf8')),
    30_000,
    log,
    () => !!runningPid(l.runDir, name),
  );
  step(`${name}: running`);
}

interface NodeState {
  podCIDR: string;
  cniBridge: string;
  nodeIP: string;
}

/** The node: the local image registry, containerd, the kubelet, the proxy and the cluster DNS. */
async function upNode(
  opts: UpOptions,
  l: Layout,
  admin: AdminAccess,
  ca: CertKeyPair,
  kubeconfigOf: (component: Component) => string,
  step: (msg: string) => void,
): Promise<void> {
  const node: NodeState = { podCIDR: opts.podCIDR, cniBridge: opts.cniBridge, nodeIP: nodeIP(opts.podCIDR) };
  writeFileSync(l.nodeFile, JSON.stringify(node));
  const registry = await upRegistry(opts, l, step);
  const cd = await upContainerd(opts, l, registry, step);
  const serving = kubeletServingCertificate(l.pkiDir, opts.nodeName, node.nodeIP, ca);
  await upKubelet(opts, l, node, cd, admin, { kubeconfig: kubeconfigOf('kubelet'), ...serving }, step);
  await upProxy(opts, l, node, kubeconfigOf('proxy'), step);
  await upDNS(opts, l, node, admin, kubeconfigOf('dns'), step);
}

/** The image registry with every image the cluster runs; returns its address. */
async function upRegistry(opts: UpOptions, l: Layout, step: (msg: string) => void): Promise<string> {
  // The registry is shared by every cluster on this machine: reuse one that answers.
  const registry = `127.0.0.1:${opts.registryPort}`;
  if (runningPid(l.runDir, 'registry') || (await registryReady(registry, 500))) step(`registry: already running at ${registry}`);
  else {
    if (!(await portFree(opts.registryPort)))
      throw new Error(`registry: port ${registry} is already in use by something that is not a registry; pass --registry-port`);
    startDetached(registrySpec({ cacheDir: opts.cacheDir, port: opts.registryPort }), l.runDir, l.logDir);
    await waitFor(
      'registry',
      () => registryReady(registry, 500),
      15_000,
      join(l.logDir, 'registry.log'),
      () => !!runningPid(l.runDir, 'registry'),
    );
    step(`registry: ready at ${registry}`);
  }
  const images = await ensureImages({ cacheDir: opts.cacheDir, registry, progress: step });
  step(
    `images: ${images.built.length ? `built ${images.built.join(', ')}` : 'all cached'}${images.pushed.length ? `, pushed ${images.pushed.length} tag(s)` : ''}`,
  );
  return registry;
}

/** containerd, pulling through the registry; returns its paths. */
async function upContainerd(opts: UpOptions, l: Layout, registry: string, step: (msg: string) => void): Promise<ReturnType<typeof containerdPaths>> {
  const cd = containerdPaths(opts.dataDir);
  if (runningPid(l.runDir, 'containerd')) step('containerd: already running');
  else {
    writeContainerdConfig({ stateDir: opts.dataDir, registryMirror: `http://${registry}`, upstreamFallback: opts.registryUpstream ?? false });
    startDetached(containerdSpec(cd), l.runDir, l.logDir);
    await waitFor(
      'containerd',
      () => containerdReady(cd.socket),
      30_000,
      join(l.logDir, 'containerd.log'),
      () => !!runningPid(l.runDir, 'containerd'),
    );
    step(`containerd: ready at ${cd.socket}`);
  }
  return cd;
}

/** How `timonel up` itself talks to the apiserver: as the admin. */
interface AdminAccess {
  server: string;
  /** The cluster CA's certificate. */
  ca: string;
  cert: CertKeyPair;
}

interface KubeletFiles {
  kubeconfig: string;
  /** Its serving certificate, from the cluster CA. */
  certFile: string;
  keyFile: string;
}

async function upKubelet(
  opts: UpOptions,
  l: Layout,
  node: NodeState,
  cd: ReturnType<typeof containerdPaths>,
  admin: AdminAccess,
  files: KubeletFiles,
  step: (msg: string) => void,
): Promise<void> {
  if (runningPid(l.runDir, 'kubelet')) step('kubelet: already running');
  else {
    startDetached(
      nodeComponent('kubelet', [
        `--kubeconfig=${files.kubeconfig}`,
        `--node-name=${opts.nodeName}`,
        `--node-ip=${node.nodeIP}`,
        `--pod-cidr=${node.podCIDR}`,
        `--cni-bridge=${node.cniBridge}`,
        `--cni-conf-dir=${cd.cniConfDir}`,
        `--container-runtime-endpoint=${cd.socket}`,
        `--root-dir=${join(opts.dataDir, 'kubelet')}`,
        `--pod-manifest-path=${join(opts.dataDir, 'manifests')}`,
        `--client-ca-file=${join(l.pkiDir, 'ca.crt')}`,
        `--tls-cert-file=${files.certFile}`,
        `--tls-private-key-file=${files.keyFile}`,
        '--anonymous-auth=false',
        '--authentication-token-webhook',
        '--authorization-mode=Webhook',
        ...(opts.registryUpstream ? [] : [`--image-not-found-hint=${IMAGE_NOT_FOUND_HINT}`]),
      ]),
      l.runDir,
      l.logDir,
    );
    step('kubelet: starting');
  }
  // The kubelet serves once its node is set up and registered; only then is a Ready condition its own, not a predecessor's.
  await waitFor(
    `node ${opts.nodeName}`,
    async () => (await kubeletHealthy(node.nodeIP, admin.ca)) && nodeReady(admin, opts.nodeName),
    60_000,
    join(l.logDir, 'kubelet.log'),
    () => !!runningPid(l.runDir, 'kubelet'),
  );
  step(`kubelet: ready, node ${opts.nodeName} is Ready at ${node.nodeIP}`);
}

async function upProxy(opts: UpOptions, l: Layout, node: NodeState, kubeconfig: string, step: (msg: string) => void): Promise<void> {
  // proxy: Services → iptables or nftables on this machine.
  if (runningPid(l.runDir, 'proxy')) step('proxy: already running');
  else {
    const healthz = await localPort(10256);
    startDetached(
      nodeComponent('proxy', [
        `--kubeconfig=${kubeconfig}`,
        `--hostname-override=${opts.nodeName}`,
        `--bind-address=${node.nodeIP}`,
        `--proxy-mode=${opts.proxyMode ?? 'iptables'}`,
        '--cluster-cidr=10.244.0.0/16',
        `--healthz-bind-address=127.0.0.1:${healthz}`,
        `--metrics-bind-address=127.0.0.1:${await localPort(10249)}`,
      ]),
      l.runDir,
      l.logDir,
    );
    await waitFor(
      'proxy',
      () => httpOK(`http://127.0.0.1:${healthz}/healthz`),
      30_000,
      join(l.logDir, 'proxy.log'),
      () => !!runningPid(l.runDir, 'proxy'),
    );
    step('proxy: ready');
  }
}

async function upDNS(opts: UpOptions, l: Layout, node: NodeState, admin: AdminAccess, kubeconfig: string, step: (msg: string) => void): Promise<void> {
  // Cluster DNS: the kube-dns Service (manifests/dns.yaml) and its server on the node.
  await ensureObject(admin, '/api/v1/namespaces/kube-system/services', readFileSync(manifest('dns.yaml'), 'utf8'));
  // The default StorageClass, so PersistentVolumeClaims without a class (the WordPress tutorial's) are provisioned.
  await ensureObject(admin, '/apis/storage.k8s.io/v1/storageclasses', readFileSync(manifest('storageclass-local-path.yaml'), 'utf8'));
  if (runningPid(l.runDir, 'dns')) step('dns: already running');
  else {
    const metrics = await localPort(9153);
    startDetached(
      nodeComponent('dns', [
        `--kubeconfig=${kubeconfig}`,
        `--bind-address=${node.nodeIP}`,
        `--port=${DNS_PORT}`,
        '--cluster-domain=cluster.local',
        '--publish-service=kube-system/kube-dns',
        `--advertise-address=${node.nodeIP}`,
        `--node-name=${opts.nodeName}`,
        `--metrics-bind-address=127.0.0.1:${metrics}`,
      ]),
      l.runDir,
      l.logDir,
    );
    await waitFor(
      'dns',
      () => httpOK(`http://127.0.0.1:${metrics}/ready`),
      30_000,
      join(l.logDir, 'dns.log'),
      () => !!runningPid(l.runDir, 'dns'),
    );
    step(`dns: ready, kube-system/kube-dns 10.96.0.10 → ${node.nodeIP}:${DNS_PORT}`);
  }
}

/** The usual port if it is free, else any: another cluster on this machine may hold it. */
async function localPort(usual: number): Promise<number> {
  return (await portFree(usual)) ? usual : freePort();
}

async function httpOK(url: string): Promise<boolean> {
  const res = await fetch(url, { signal: AbortSignal.timeout(1000) }).catch(() => undefined);
  await res?.arrayBuffer();
  return res?.ok ?? false;
}

function manifest(name: string): string {
  return fileURLToPath(new URL(`../../../manifests/${name}`, import.meta.url));
}

/**
 * Creates the object from a YAML manifest unless one of that name exists (looked up first: a second
 * create would fail on its fixed ClusterIP with 422 before the name's 409).
 */
async function ensureObject(admin: AdminAccess, collection: string, yamlText: string): Promise<void> {
  const obj = parseYAML(yamlText) as { metadata: { name: string } };
  const call = async (method: string, path: string, body?: string) =>
    (await httpsCall(`${admin.server}${path}`, { method, ca: admin.ca, cert: admin.cert, body, timeoutMs: 5000 })).status;
  if ((await call('GET', `${collection}/${obj.metadata.name}`)) === 200) return;
  const code = await call('POST', collection, JSON.stringify(obj));
  if (code !== 201 && code !== 409) throw new Error(`creating ${collection}/${obj.metadata.name} from a manifest: HTTP ${code}`);
}

/**
 * kube-public/cluster-info, as kubeadm's bootstrap-token phase makes it: the cluster's
 * address and CA for nodes that join, which the bootstrap signer then signs with each
 * bootstrap token; and the Role and RoleBinding that let anonymous clients read it.
 */
async function ensureClusterInfo(admin: AdminAccess): Promise<void> {
  const role = 'kubeadm:bootstrap-signer-clusterinfo';
  const rbac = '/apis/rbac.authorization.k8s.io/v1/namespaces/kube-public';
  const objects: Array<[string, object]> = [
    [
      '/api/v1/namespaces/kube-public/configmaps',
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'cluster-info', namespace: 'kube-public' },
        data: { kubeconfig: clusterInfoKubeconfigYAML(admin.server, admin.ca) },
      },
    ],
    [
      `${rbac}/roles`,
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'Role',
        metadata: { name: role, namespace: 'kube-public' },
        rules: [{ apiGroups: [''], resources: ['configmaps'], resourceNames: ['cluster-info'], verbs: ['get'] }],
      },
    ],
    [
      `${rbac}/rolebindings`,
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: role, namespace: 'kube-public' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'system:anonymous' }],
      },
    ],
  ];
  for (const [collection, obj] of objects) await ensureObject(admin, collection, JSON.stringify(obj));
}

/** The kubelet answers on its port, with a serving certificate from the cluster CA. */
function kubeletHealthy(nodeIP: string, ca: string): Promise<boolean> {
  return httpsCall(`https://${nodeIP}:10250/healthz`, { ca, timeoutMs: 1000 }).then(
    (r) => r.status === 200,
    () => false,
  );
}

async function nodeReady(admin: AdminAccess, name: string): Promise<boolean> {
  const res = await httpsCall(`${admin.server}/api/v1/nodes/${name}`, { ca: admin.ca, cert: admin.cert, timeoutMs: 2000 });
  if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
  const node = JSON.parse(res.body) as { status?: { conditions?: { type: string; status: string }[] } };
  return node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** Stops every pod sandbox so no container outlives `down`; the kubelet recreates them on the next `up`. */
async function stopPods(socket: string): Promise<number> {
  if (!(await containerdReady(socket))) return 0;
  const cri = new CRIClient(socket);
  try {
    const { items } = await cri.runtime.listPodSandbox({});
    await Promise.all(items.map((s) => cri.runtime.stopPodSandbox({ podSandboxId: s.id }).catch(() => undefined)));
    return items.length;
  } finally {
    cri.close();
  }
}

export async function down(dataDir: string, purge: boolean, progress: (msg: string) => void): Promise<void> {
  const l = layout(dataDir);
  const cd = containerdPaths(dataDir);
  for (const name of [...COMPONENTS].reverse()) {
    if (name === 'containerd' && runningPid(l.runDir, name)) {
      const n = await stopPods(cd.socket);
      if (n) progress(`containerd: stopped ${n} pod sandbox(es)`);
    }
    if (await stopByPid(l.runDir, name)) progress(`${name}: stopped`);
  }
  if (purge) {
    if (existsSync(cd.base)) purgeContainerdState(cd);
    if (existsSync(l.nodeFile)) {
      // The KUBE-* chains are the machine's, not this cluster's: one proxy per machine owns them.
      await new Promise<void>((resolve) => execFile(process.execPath, [entryPoint('proxy'), '--cleanup'], () => resolve()));
      progress("removed the proxy's iptables chains and nftables table");
      const node = JSON.parse(readFileSync(l.nodeFile, 'utf8')) as NodeState;
      await tearDownNodeNetwork({ bridge: node.cniBridge, cniConfDir: cd.cniConfDir, ipamDataDir: new KubeletPaths(join(dataDir, 'kubelet')).cniIpamDir() });
      progress(`removed bridge ${node.cniBridge}`);
    }
    unmountUnder(dataDir);
    rmSync(dataDir, { recursive: true, force: true });
    progress(`removed ${dataDir}`);
  }
}
