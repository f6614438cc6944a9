// The cluster DNS process: informers on Services and EndpointSlices feeding the
// records, the UDP/TCP server, /metrics + /health + /ready, and (when it runs on
// the node instead of in a pod) the EndpointSlice that points its Service here.
import type { Server } from 'node:http';
import type { Service } from '../../api/core/v1/types.js';
import type { EndpointSlice } from '../../api/discovery/v1/types.js';
import { SharedInformerFactory } from '../client/factory.js';
import { Client } from '../client/rest.js';
import type { Logger } from '../util/log.js';
import { requestPath, serveMetrics } from '../metrics/server.js';
import { SelfEndpointPublisher } from './endpointpublisher.js';
import { DNSMetrics } from './metrics.js';
import { ClusterDNSRecords } from './records.js';
import { DNSServer } from './server.js';

export interface ClusterDNSOptions {
  kubeconfig?: string;
  bindAddress: string;
  port: number;
  clusterDomain: string;
  ttl?: number;
  /** host:port for /metrics, /health and /ready; "" for none. */
  metricsBindAddress: string;
  /** "namespace/name" of the Service to publish this server's address for; unset when a controller does (a pod). */
  publishService?: string;
  /** The address to publish (default: --bind-address). */
  advertiseAddress?: string;
  nodeName: string;
  /** How long to wait for the informers before serving anyway (CoreDNS waits 5 s). */
  syncTimeoutMs?: number;
  log: Logger;
}

export interface RunningClusterDNS {
  server: DNSServer;
  records: ClusterDNSRecords;
  metrics: DNSMetrics;
  publisher?: SelfEndpointPublisher;
  stop(): Promise<void>;
}

export async function runClusterDNS(o: ClusterDNSOptions): Promise<RunningClusterDNS> {
  const records = new ClusterDNSRecords({ clusterDomain: o.clusterDomain, ttl: o.ttl });
  const metrics = new DNSMetrics({ defaultMetrics: true });
  const client = Client.fromFile(o.kubeconfig, { userAgent: 'timonel-dns' });
  const informers = new SharedInformerFactory(client, { log: (m) => o.log(m) });
  const services = informers.forResource<Service>('v1', 'services');
  const slices = informers.forResource<EndpointSlice>('discovery.k8s.io/v1', 'endpointslices');
  services.addEventHandler({ onAdd: (s) => records.setService(s), onUpdate: (_, s) => records.setService(s), onDelete: (s) => records.deleteService(s) });
  slices.addEventHandler({
    onAdd: (s) => records.setEndpointSlice(s),
    onUpdate: (_, s) => records.setEndpointSlice(s),
    onDelete: (s) => records.deleteEndpointSlice(s),
  });
  informers.start();
  let synced = false;
  try {
    await informers.waitForCacheSync(o.syncTimeoutMs ?? 5000);
    synced = true;
  } catch {
    o.log('informers not synced yet; serving what is known so far');
    void informers.waitForCacheSync(24 * 3600_000).then(
      () => {
        synced = true;
      },
      () => undefined,
    );
  }

  const server = new DNSServer({ records, bindAddress: o.bindAddress, port: o.port, metrics, log: o.log });
  let http: Server | undefined;
  let publisher: SelfEndpointPublisher | undefined;
  try {
    await server.start();
    if (o.metricsBindAddress) http = await serveDNSMetrics(o.metricsBindAddress, metrics, () => synced);
  } catch (err) {
    await server.stop();
    await informers.shutdown();
    client.close();
    throw err;
  }
  o.log(`serving ${records.zone} on ${o.bindAddress}:${server.port} (udp, tcp)`);

  if (o.publishService) {
    const [namespace, name] = o.publishService.split('/');
    const address = o.advertiseAddress ?? o.bindAddress;
    if (!namespace || !name) throw new Error(`--publish-service must be namespace/name, got ${JSON.stringify(o.publishService)}`);
    if (address === '0.0.0.0' || address === '::')
      throw new Error('--publish-service needs --advertise-address (or a specific --bind-address): the address pods reach this server at');
    publisher = new SelfEndpointPublisher({ client, namespace, service: name, address, port: server.port, nodeName: o.nodeName, log: o.log });
    publisher.start();
  }

  let stopped = false;
  return {
    server,
    records,
    metrics,
    publisher,
    async stop() {
      if (stopped) return;
      stopped = true;
      await publisher?.stop();
      await server.stop();
      await informers.shutdown();
      client.close();
      if (http) await new Promise((r) => http!.close(() => r(undefined)));
    },
  };
}

/** CoreDNS's prometheus plugin (/metrics), health plugin (/health) and ready plugin (/ready) on one port. */
function serveDNSMetrics(bindAddress: string, metrics: DNSMetrics, ready: () => boolean): Promise<Server> {
  return serveMetrics(bindAddress, metrics.registry, {
    handle(req, res) {
      const path = requestPath(req);
      if (path === '/health') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('OK');
        return true;
      }
      if (path !== '/ready') return false;
      const ok = ready();
      res.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' });
      res.end(ok ? 'OK' : 'informers not synced');
      return true;
    },
  });
}
