// The proxy process (upstream's cmd/kube-proxy/app ProxyServer): node settings,
// health and metrics servers, informers feeding the iptables proxier.
import type { Server } from 'node:http';
import type { Service } from '../../api/core/v1/types.js';
import type { EndpointSlice } from '../../api/discovery/v1/types.js';
import { SharedInformerFactory } from '../client/factory.js';
import { Client } from '../client/rest.js';
import type { Logger } from '../util/log.js';
import { Conntrack } from './conntrack.js';
import { execRunner, type CommandRunner } from './exec.js';
import { ProxierHealthServer, serveHealthz, serveMetrics } from './healthcheck.js';
import { IPTables } from './iptables/iptables.js';
import { Proxier } from './iptables/proxier.js';
import {
  detectLocalByBridgeInterface,
  detectLocalByCIDR,
  detectLocalByInterfaceNamePrefix,
  NO_LOCAL_DETECTOR,
  type LocalTrafficDetector,
} from './iptables/servicerules.js';
import { ProxyMetrics } from './metrics.js';
import { BRIDGE_NF_CALL_IPTABLES, ensureSysctl, IP_FORWARD, ROUTE_LOCALNET } from './sysctl.js';
import { HEADLESS_LABEL, SERVICE_PROXY_NAME_LABEL } from './types.js';

export type DetectLocalMode = 'ClusterCIDR' | 'BridgeInterface' | 'InterfaceNamePrefix' | '';

export interface ProxyServerOptions {
  kubeconfig?: string;
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
  proxier: Proxier;
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
  const { conntrackTCPLiberal } = await ensureNodeSettings(runner, o.localhostNodePorts, o.log);
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

  const proxier = new Proxier({
    iptables: new IPTables(runner),
    conntrack: new Conntrack(runner),
    hostname: o.hostname,
    nodeIP: o.nodeIP,
    minSyncPeriodMs: o.minSyncPeriodMs,
    syncPeriodMs: o.syncPeriodMs,
    fullSyncPeriodMs: o.fullSyncPeriodMs,
    masqueradeAll: o.masqueradeAll,
    masqueradeBit: o.masqueradeBit,
    localDetector: localDetectorFor(o),
    localhostNodePorts: o.localhostNodePorts,
    conntrackTCPLiberal,
    metrics,
    healthz,
    log: o.log,
  });

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
