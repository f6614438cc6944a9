// The kubelet's entry point: flags named as upstream's kubelet names them, then
// pkg/kubelet does the work. Stopping the kubelet leaves its pods running; a new
// kubelet adopts them.
import { parseArgs } from 'node:util';
import { Client } from '../../pkg/client/rest.js';
import { Kubelet } from '../../pkg/kubelet/kubelet.js';
import { firstIP, parseCIDR } from '../../pkg/kubelet/network/cidr.js';
import { defaultNodeName } from '../../pkg/kubelet/nodestatus/node_status_manager.js';
import { DEFAULT_ROOT_DIR } from '../../pkg/kubelet/paths.js';
import { logger } from '../../pkg/util/log.js';
import { parseDuration } from '../../pkg/util/duration.js';

const { values } = parseArgs({
  options: {
    kubeconfig: { type: 'string' },
    'node-name': { type: 'string' },
    'hostname-override': { type: 'string' },
    'node-ip': { type: 'string' },
    'pod-cidr': { type: 'string' },
    'container-runtime-endpoint': { type: 'string', default: '/run/containerd/containerd.sock' },
    'root-dir': { type: 'string', default: DEFAULT_ROOT_DIR },
    'cni-conf-dir': { type: 'string' },
    'cni-bridge': { type: 'string', default: 'timonel0' },
    'cluster-dns': { type: 'string', default: '10.96.0.10' },
    'cluster-domain': { type: 'string', default: 'cluster.local' },
    'resolv-conf': { type: 'string', default: '/etc/resolv.conf' },
    'pod-manifest-path': { type: 'string' },
    'cgroup-root': { type: 'string', default: '/' },
    // Appended to "not found" pull errors: where this node's images come from (timonel up sets it).
    'image-not-found-hint': { type: 'string' },
    port: { type: 'string', default: '10250' },
    /** Defaults to --node-ip: the server is reachable from the host and from pods, not from outside. */
    address: { type: 'string' },
    'tls-cert-file': { type: 'string' },
    'tls-private-key-file': { type: 'string' },
    'client-ca-file': { type: 'string' },
    // The kubelet API's authentication and authorization (KubeletConfiguration's defaults:
    // no anonymous requests; upstream's flags default to AlwaysAllow).
    'anonymous-auth': { type: 'string', default: 'false' },
    'authentication-token-webhook': { type: 'boolean', default: false },
    'authentication-token-webhook-cache-ttl': { type: 'string', default: '2m0s' },
    'authorization-mode': { type: 'string', default: 'AlwaysAllow' },
    'authorization-webhook-cache-authorized-ttl': { type: 'string', default: '5m0s' },
    'authorization-webhook-cache-unauthorized-ttl': { type: 'string', default: '30s' },
    'max-pods': { type: 'string', default: '110' },
    'sync-frequency': { type: 'string', default: '60' },
    v: { type: 'string', short: 'v', default: '0' },
  },
  strict: true,
});

function fail(msg: string): never {
  process.stderr.write(`kubelet: ${msg}\n`);
  process.exit(2);
}

function intFlag(name: string, v: string | undefined): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) fail(`--${name} must be a non-negative integer, got ${JSON.stringify(v)}`);
  return n;
}

const log = logger('kubelet', intFlag('v', values.v));
const authorizationMode = values['authorization-mode'];
if (authorizationMode !== 'AlwaysAllow' && authorizationMode !== 'Webhook')
  fail(`--authorization-mode must be AlwaysAllow or Webhook, got ${JSON.stringify(authorizationMode)}`);
const anonymousAuth = values['anonymous-auth'];
if (anonymousAuth !== 'true' && anonymousAuth !== 'false') fail(`--anonymous-auth must be true or false, got ${JSON.stringify(anonymousAuth)}`);

function durationFlag(name: string): number {
  try {
    return parseDuration(values[name as keyof typeof values] as string);
  } catch (err) {
    fail(`--${name}: ${(err as Error).message}`);
  }
}
const endpoint = (values['container-runtime-endpoint'] as string).replace(/^unix:\/\//, '');
const podCIDR = values['pod-cidr'];
let nodeIP = values['node-ip'];
if (podCIDR) {
  try {
    parseCIDR(podCIDR);
  } catch (err) {
    fail(`--pod-cidr: ${(err as Error).message}`);
  }
}
if (!nodeIP) {
  if (!podCIDR) fail('--node-ip is required (or give --pod-cidr: the node then takes the first address of it, on its bridge)');
  nodeIP = firstIP(parseCIDR(podCIDR));
}

async function main(): Promise<void> {
  const client = Client.fromFile(values.kubeconfig, { userAgent: 'timonel-kubelet' });
  const kubelet = new Kubelet({
    client,
    nodeName: (values['node-name'] ?? values['hostname-override'] ?? defaultNodeName()).toLowerCase(),
    nodeIP: nodeIP as string,
    podCIDR,
    imageNotFoundHint: values['image-not-found-hint'],
    runtimeEndpoint: endpoint,
    rootDir: values['root-dir'] as string,
    cniConfDir: values['cni-conf-dir'],
    cniBridge: values['cni-bridge'] as string,
    clusterDNS: (values['cluster-dns'] as string)
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    clusterDomain: values['cluster-domain'] as string,
    resolvConf: values['resolv-conf'] as string,
    podManifestPath: values['pod-manifest-path'],
    cgroupRoot: values['cgroup-root'] as string,
    port: intFlag('port', values.port),
    maxPods: intFlag('max-pods', values['max-pods']),
    syncFrequencyMs: intFlag('sync-frequency', values['sync-frequency']) * 1000,
    serverAddress: values.address,
    tlsCertFile: values['tls-cert-file'],
    tlsPrivateKeyFile: values['tls-private-key-file'],
    clientCAFile: values['client-ca-file'],
    serverAuth: {
      anonymous: anonymousAuth === 'true',
      tokenWebhook: values['authentication-token-webhook'] as boolean,
      tokenWebhookCacheTTLMs: durationFlag('authentication-token-webhook-cache-ttl'),
      authorizationMode: authorizationMode as 'AlwaysAllow' | 'Webhook',
      authorizedTTLMs: durationFlag('authorization-webhook-cache-authorized-ttl'),
      unauthorizedTTLMs: durationFlag('authorization-webhook-cache-unauthorized-ttl'),
    },
    log,
  });
  let stopping = false;
  const shutdown = async (sig: string) => {
    if (stopping) return;
    stopping = true;
    log(`received ${sig}, shutting down (pods keep running)`);
    await kubelet.stop().catch((err: unknown) => log(`shutdown: ${(err as Error).message}`));
    client.close();
    process.exit(0);
  };
  for (const sig of ['SIGTERM', 'SIGINT'] as const) process.on(sig, () => void shutdown(sig));
  await kubelet.run();
}

main().catch((err: unknown) => {
  log(`kubelet failed: ${(err as Error)?.stack ?? String(err)}`);
  process.exit(1);
});
