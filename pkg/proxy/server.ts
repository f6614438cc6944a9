// The proxy process (upstream's cmd/kube-proxy/app ProxyServer): node settings,
// health and metrics servers, informers feeding the iptables or nftables proxier.
import type { Server } from 'node:http';
import type { Service } from '../../api/core/v1/types.js';
import type { EndpointSlice } from '../../api/discovery/v1/types.js';
import { SharedInformerFactory } from '../client/factory.js';
import { Client } from '../client/rest.js';
import type { Logger } from '../util/log.js';
import { Conntrack } from './conntrack.js';
import { execRunner, type CommandRunner } from './exec.js';
import { cleanupModes } from './cleanup.js';
import { ProxierHealthServer, serveHealthz, serveMetrics } from './healthcheck.js';
import { IPTables } from './iptables/iptables.js';
import { Proxier } from './iptables/proxier.js';
import { NFTables } from './nftables/nftables.js';
import { NftProxier } from './nftables/proxier.js';
import { PROXY_MODES, type ProxyMode, type ProxyProvider } from './provider.js';
import {
  detectLocalByBridgeInterface,
  detectLocalByCIDR,
  detectLocalByInterfaceNamePrefix,
  NO_LOCAL_DETECTOR,
  type LocalTrafficDetector,
} from './localdetector.js';
import { ProxyMetrics } from './metrics.js';
import { BRIDGE_NF_CALL_IPTABLES, ensureSysctl, IP_FORWARD, ROUTE_LOCALNET } from './sysctl.js';
import { HEADLESS_LABEL, SERVICE_PROXY_NAME_LABEL } from './types.js';

export type DetectLocalMode = 'ClusterCIDR' | 'BridgeInterface' | 'InterfaceNamePrefix' | '';

export interface ProxyServerOptions {
  kubeconfig?: string;
  /** Which kernel interface programs the Services (--proxy-mode); iptables by default. */
  mode?: ProxyMode;
  hostname: string;
  nodeIP?: string;
  detectLocalMode: DetectLocalMode;
  clusterCIDR?: string;
  podBridgeInterface?: string;
  podInterfaceNamePrefix?: string;
  minSyncPeriodMs: number;
  syncPeriodMs: number;
  fullSyncPeriodMs: number;
  masqueradeAll: boolean;
  masqueradeBit: number;
  /** NodePorts also answer on 127.0.0.1 (iptables mode only, as upstream). */
  localhostNodePorts: boolean;
  /** host:port for /metrics; "" for none. */
  metricsBindAddress: string;
  /** host:port for /healthz; "" for none. */
  healthzBindAddress: string;
  /** Informer resync (--config-sync-period). */
  configSyncPeriodMs: number;
  /** Run every iptables/conntrack/sysctl command in this network namespace (tests). */
  netns?: string;
  log: Logger;
}

export interface RunningProxy {
  mode: ProxyMode;
  proxier: ProxyProvider;
  metrics: ProxyMetrics;
  stop(): Promise<void>;
}

export function localDetectorFor(
  o: Pick<ProxyServerOptions, 'detectLocalMode' | 'clusterCIDR' | 'podBridgeInterface' | 'podInterfaceNamePrefix'>,
): LocalTrafficDetector {
  switch (o.detectLocalMode) {
    case 'ClusterCIDR':
      return o.clusterCIDR ? detectLocalByCIDR(o.clusterCIDR) : NO_LOCAL_DETECTOR;
    case 'BridgeInterface':
      if (!o.podBridgeInterface) throw new Error('--detect-local-mode=BridgeInterface needs --pod-bridge-interface');
      return detectLocalByBridgeInterface(o.podBridgeInterface);
    case 'InterfaceNamePrefix':
      if (!o.podInterfaceNamePrefix) throw new Error('--detect-local-mode=InterfaceNamePrefix needs --pod-interface-name-prefix');
      return detectLocalByInterfaceNamePrefix(o.podInterfaceNamePrefix);
    default:
      return NO_LOCAL_DETECTOR;
  }
}

/** The node settings the rules depend on; throws with what to do when one cannot be set. */
export async function ensureNodeSettings(runner: CommandRunner, localhostNodePorts: boolean, log?: Logger): Promise<{ conntrackTCPLiberal: boolean }> {
  for (const s of [IP_FORWARD, ...(localhostNodePorts ? [ROUTE_LOCALNET] : []), BRIDGE_NF_CALL_IPTABLES]) {
    if ((await ensureSysctl(runner, s)) === 'set') log?.(`set sysctl ${s.name}=${s.value}`);
  }
  const liberal = await runner.run('sysctl', ['-n', 'net.netfilter.nf_conntrack_tcp_be_liberal']);
  return { conntrackTCPLiberal: liberal.code === 0 && Number(liberal.stdout.trim()) !== 0 };
}

/** What the proxy watches (upstream's ServiceConfig and EndpointSliceConfig): Services and EndpointSlices, all the system:node-proxier role reads. */
export function proxyInformers(client: Client, o: Pick<ProxyServerOptions, 'configSyncPeriodMs' | 'log'>) {
  // As upstream: objects meant for another service proxy, and headless services' slices, are not ours.
  const informers = new SharedInformerFactory(client, {
    defaultResyncMs: o.configSyncPeriodMs,
    labelSelector: `!${SERVICE_PROXY_NAME_LABEL},!${HEADLESS_LABEL}`,
    log: (m) => o.log(m),
  });
  const services = informers.forResource<Service>('v1', 'services');
  const slices = informers.forResource<EndpointSlice>('discovery.k8s.io/v1', 'endpointslices');
  return { informers, services, slices };
}

export async function runProxyServer(o: ProxyServerOptions): Promise<RunningProxy> {
  const runner = execRunner(o.netns);
  const mode = o.mode ?? 'iptables';
  // nftables mode has no NodePorts on localhost (upstream's choice), so no route_localnet either.
  const localhostNodePorts = mode === 'iptables' && o.localhostNodePorts;
  const { conntrackTCPLiberal } = await ensureNodeSettings(runner, localhostNodePorts, o.log);
  if (conntrackTCPLiberal) o.log('nf_conntrack_tcp_be_liberal set, not installing DROP rules for INVALID packets');
  const metrics = new ProxyMetrics({ defaultMetrics: true });
  const healthz = new ProxierHealthServer(2 * o.syncPeriodMs);
  const servers: Server[] = [];
  try {
    if (o.healthzBindAddress) servers.push(await serveHealthz(o.healthzBindAddress, healthz));
    if (o.metricsBindAddress) servers.push(await serveMetrics(o.metricsBindAddress, metrics.registry, healthz));
  } catch (err) {
    for (const s of servers) s.close();
    throw err;
  }

  // A node switched from the other mode must not keep that mode's rules: they would still catch the traffic.
  const others = PROXY_MODES.filter((m) => m !== mode);
  const cleaned = await cleanupModes(runner, others);
  for (const r of cleaned.removed) o.log(`removed ${r} (left by the ${others.join('/')} proxy mode)`);
  for (const e of cleaned.errors) o.log(`cleaning up another proxy mode's rules: ${e}`);

  const common = {
    conntrack: new Conntrack(runner),
    hostname: o.hostname,
    nodeIP: o.nodeIP,
    minSyncPeriodMs: o.minSyncPeriodMs,
    syncPeriodMs: o.syncPeriodMs,
    fullSyncPeriodMs: o.fullSyncPeriodMs,
    masqueradeAll: o.masqueradeAll,
    masqueradeBit: o.masqueradeBit,
    localDetector: localDetectorFor(o),
    metrics,
    healthz,
    log: o.log,
  };
  const proxier: ProxyProvider =
    mode === 'nftables'
      ? new NftProxier({ ...common, nftables: new NFTables(runner) })
      : new Proxier({ ...common, iptables: new IPTables(runner), localhostNodePorts, conntrackTCPLiberal });
  o.log(`using the ${mode} proxy mode`);

  const client = Client.fromFile(o.kubeconfig, { userAgent: 'timonel-proxy' });
  const { informers, services, slices } = proxyInformers(client, o);
  services.addEventHandler({
    onAdd: (s) => proxier.onServiceAdd(s),
    onUpdate: (a, b) => proxier.onServiceUpdate(a, b),
    onDelete: (s) => proxier.onServiceDelete(s),
  });
  slices.addEventHandler({
    onAdd: (s) => proxier.onEndpointSliceAdd(s),
    onUpdate: (a, b) => proxier.onEndpointSliceUpdate(a, b),
    onDelete: (s) => proxier.onEndpointSliceDelete(s),
  });
  await proxier.syncLoop();
  informers.start();
  let stopped = false;
  void whenSynced(services, () => stopped).then((ok) => {
    if (ok) void proxier.onServicesSynced();
  });
  void whenSynced(slices, () => stopped).then((ok) => {
    if (ok) void proxier.onEndpointSlicesSynced();
  });

  return {
    mode,
    proxier,
    metrics,
    async stop() {
      stopped = true;
      await informers.shutdown();
      await proxier.stop();
      client.close();
      await Promise.all(servers.map((s) => new Promise((r) => s.close(() => r(undefined)))));
    },
  };
}

/** Waits (however long the apiserver takes) for an informer's first list; false if stopped first. */
async function whenSynced(inf: { waitForCacheSync(timeoutMs: number): Promise<void> }, stopped: () => boolean): Promise<boolean> {
  for (;;) {
    try {
      await inf.waitForCacheSync(60_000);
      return !stopped();
    } catch {
      if (stopped()) return false;
    }
  }
}

export { parseDuration } from '../util/duration.js';
