// kube-proxy's counterpart (iptables and nftables modes): flags named as kube-proxy names them.
import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { cleanupModes } from '../../pkg/proxy/cleanup.js';
import { execRunner } from '../../pkg/proxy/exec.js';
import { PROXY_MODES, type ProxyMode } from '../../pkg/proxy/provider.js';
import { parseDuration, runProxyServer, type DetectLocalMode, type RunningProxy } from '../../pkg/proxy/server.js';
import { logger } from '../../pkg/util/log.js';

function flags() {
  try {
    return parseArgs({
      options: {
        kubeconfig: { type: 'string' },
        cleanup: { type: 'boolean', default: false },
        // iptables stays the default; "" is kube-proxy's way of asking for the default.
        'proxy-mode': { type: 'string', default: 'iptables' },
        'hostname-override': { type: 'string' },
        // kube-proxy takes the node IP from --bind-address when it is not 0.0.0.0.
        'bind-address': { type: 'string', default: '0.0.0.0' },
        'cluster-cidr': { type: 'string' },
        'detect-local-mode': { type: 'string' },
        'pod-bridge-interface': { type: 'string' },
        'pod-interface-name-prefix': { type: 'string' },
        'iptables-min-sync-period': { type: 'string', default: '1s' },
        'iptables-sync-period': { type: 'string', default: '30s' },
        // Not in kube-proxy (whose full syncs come only at start or after a flush): how often everything is rewritten regardless.
        'iptables-full-sync-period': { type: 'string', default: '1h' },
        'iptables-masquerade-bit': { type: 'string', default: '14' },
        'iptables-localhost-nodeports': { type: 'string', default: 'true' },
        'masquerade-all': { type: 'boolean', default: false },
        'metrics-bind-address': { type: 'string', default: '127.0.0.1:10249' },
        'healthz-bind-address': { type: 'string', default: '0.0.0.0:10256' },
        'config-sync-period': { type: 'string', default: '15m' },
        // Not in kube-proxy: program the tables of this network namespace (for tests).
        netns: { type: 'string' },
        v: { type: 'string', short: 'v', default: '0' },
      },
      strict: true,
    });
  } catch (err) {
    process.stderr.write(`proxy: ${(err as Error).message}\n`);
    process.exit(2);
  }
}

const { values } = flags();

const log = logger('proxy', Number(values.v));

function bool(name: string, text: string): boolean {
  if (text === 'true') return true;
  if (text === 'false') return false;
  throw new Error(`--${name} must be true or false, got ${JSON.stringify(text)}`);
}

async function main(): Promise<void> {
  const netns = values.netns as string | undefined;
  if (values.cleanup) {
    // As kube-proxy --cleanup: every mode's rules, whichever mode ran.
    const res = await cleanupModes(execRunner(netns), PROXY_MODES);
    for (const c of res.removed) log(`removed ${c}`);
    for (const e of res.errors) log(`cleanup error: ${e}`);
    process.exit(res.errors.length ? 1 : 0);
  }
  const proxyMode = (values['proxy-mode'] as string) || 'iptables';
  if (!PROXY_MODES.includes(proxyMode as ProxyMode)) throw new Error(`--proxy-mode must be iptables or nftables, got ${JSON.stringify(proxyMode)}`);
  const clusterCIDR = values['cluster-cidr'] as string | undefined;
  const mode = (values['detect-local-mode'] as string | undefined) ?? (clusterCIDR ? 'ClusterCIDR' : '');
  if (!['ClusterCIDR', 'BridgeInterface', 'InterfaceNamePrefix', ''].includes(mode))
    throw new Error(`--detect-local-mode must be ClusterCIDR, BridgeInterface or InterfaceNamePrefix, got ${mode}`);
  const bindAddress = values['bind-address'] as string;
  let proxy: RunningProxy | undefined;
  proxy = await runProxyServer({
    kubeconfig: values.kubeconfig as string | undefined,
    mode: proxyMode as ProxyMode,
    hostname: (values['hostname-override'] as string | undefined) ?? hostname().toLowerCase(),
    nodeIP: bindAddress !== '0.0.0.0' && bindAddress !== '::' ? bindAddress : undefined,
    detectLocalMode: mode as DetectLocalMode,
    clusterCIDR,
    podBridgeInterface: values['pod-bridge-interface'] as string | undefined,
    podInterfaceNamePrefix: values['pod-interface-name-prefix'] as string | undefined,
    minSyncPeriodMs: parseDuration(values['iptables-min-sync-period'] as string),
    syncPeriodMs: parseDuration(values['iptables-sync-period'] as string),
    fullSyncPeriodMs: parseDuration(values['iptables-full-sync-period'] as string),
    masqueradeAll: values['masquerade-all'] as boolean,
    masqueradeBit: Number(values['iptables-masquerade-bit']),
    localhostNodePorts: bool('iptables-localhost-nodeports', values['iptables-localhost-nodeports'] as string),
    metricsBindAddress: values['metrics-bind-address'] as string,
    healthzBindAddress: values['healthz-bind-address'] as string,
    configSyncPeriodMs: parseDuration(values['config-sync-period'] as string),
    netns,
    log,
  });
  log('proxy running', { mode: proxy.mode, metrics: values['metrics-bind-address'], healthz: values['healthz-bind-address'] });
  const shutdown = async (sig: string) => {
    log(`received ${sig}, shutting down (rules stay in place; use --cleanup to remove them)`);
    await proxy?.stop();
    process.exit(0);
  };
  for (const sig of ['SIGTERM', 'SIGINT'] as const) process.on(sig, () => void shutdown(sig));
}

main().catch((err: Error) => {
  log(`failed to start: ${err.message}`);
  process.exit(1);
});
