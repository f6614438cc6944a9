// When the DNS server runs as a process on the node rather than in a pod, no
// controller knows its address: it keeps an EndpointSlice for its Service
// (kube-system/kube-dns) itself, so the proxy DNATs the Service's cluster IP to
// it. The slice is owned by the Service (the garbage collector removes it with
// the Service) and deleted when the server stops.
import { isIPv6 } from 'node:net';
import type { Service } from '../../api/core/v1/types.js';
import type { EndpointSlice } from '../../api/discovery/v1/types.js';
import type { Client } from '../client/rest.js';
import { isStatus } from '../client/rest.js';
import type { Logger } from '../util/log.js';
import { MANAGED_BY_LABEL, SERVICE_NAME_LABEL } from '../../api/discovery/v1/wellknownlabels.js';

export const MANAGED_BY = 'timonel-dns';

export interface PublisherOptions {
  client: Client;
  namespace: string;
  service: string;
  /** The address pods reach this server at (the node's IP). */
  address: string;
  /** The port the server listens on (UDP and TCP). */
  port: number;
  nodeName: string;
  log?: Logger;
  /** How often the slice is checked (re-created if someone deleted it). */
  resyncMs?: number;
}

/** A DNS-1123 subdomain from parts: lower case, [a-z0-9-.] only. */
function sliceNameFor(service: string, node: string): string {
  return `${service}-${node}`
    .toLowerCase()
    .replace(/[^a-z0-9.-]/g, '-')
    .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '')
    .slice(0, 253);
}

export class SelfEndpointPublisher {
  readonly sliceName: string;
  private timer?: NodeJS.Timeout;
  private ready = false;

  constructor(private readonly o: PublisherOptions) {
    this.sliceName = sliceNameFor(o.service, o.nodeName);
  }

  private slices() {
    return this.o.client.resource<EndpointSlice>('discovery.k8s.io/v1', 'endpointslices').namespace(this.o.namespace);
  }

  /** The slice this server should have, given its Service; undefined while the Service does not exist. */
  desired(svc: Service): EndpointSlice {
    // Every UDP/TCP port 53 of the Service leads here, under the Service's own port names.
    const ports = (svc.spec?.ports ?? [])
      .filter((p) => p.port === 53 && (p.protocol ?? 'TCP') !== 'SCTP')
      .map((p) => ({ name: p.name ?? '', port: this.o.port, protocol: p.protocol ?? 'TCP' }));
    return {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: {
        name: this.sliceName,
        namespace: this.o.namespace,
        labels: { [SERVICE_NAME_LABEL]: this.o.service, [MANAGED_BY_LABEL]: MANAGED_BY },
        ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: this.o.service, uid: svc.metadata.uid ?? '' }],
      },
      addressType: isIPv6(this.o.address) ? 'IPv6' : 'IPv4',
      endpoints: [{ addresses: [this.o.address], conditions: { ready: this.ready, serving: this.ready, terminating: false }, nodeName: this.o.nodeName }],
      ports,
    };
  }

  /** Creates or updates the slice; false while the Service does not exist yet. */
  async publish(ready: boolean): Promise<boolean> {
    this.ready = ready;
    let svc: Service;
    try {
      svc = await this.o.client.resource<Service>('v1', 'services').namespace(this.o.namespace).get(this.o.service);
    } catch (err) {
      if (isStatus(err, 404)) return false;
      throw err;
    }
    const want = this.desired(svc);
    let have: EndpointSlice | undefined;
    try {
      have = await this.slices().get(this.sliceName);
    } catch (err) {
      if (!isStatus(err, 404)) throw err;
    }
    if (!have) {
      await this.slices().create(want);
      this.o.log?.(`published ${this.o.namespace}/${this.sliceName}: ${this.o.address}:${this.o.port} for service ${this.o.service} (ready=${ready})`);
      return true;
    }
    const same =
      JSON.stringify([have.endpoints, have.ports, have.metadata.labels, have.metadata.ownerReferences?.[0]?.uid]) ===
      JSON.stringify([want.endpoints, want.ports, want.metadata.labels, svc.metadata.uid]);
    if (!same)
      await this.slices().update({
        ...have,
        endpoints: want.endpoints,
        ports: want.ports,
        metadata: { ...have.metadata, labels: want.metadata.labels, ownerReferences: want.metadata.ownerReferences },
      });
    return true;
  }

  /** Publishes now and keeps doing so; errors are logged and retried. */
  start(): void {
    const tick = () =>
      this.publish(true).then(
        (ok) => {
          if (!ok) this.o.log?.(`service ${this.o.namespace}/${this.o.service} does not exist yet; will publish once it does`);
        },
        (err: Error) => this.o.log?.(`cannot publish endpoint slice ${this.o.namespace}/${this.sliceName}: ${err.message}`),
      );
    void tick();
    this.timer = setInterval(() => void tick(), this.o.resyncMs ?? 30_000);
    this.timer.unref?.();
  }

  /** Stops and removes the slice, so the proxy stops sending queries here. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.slices()
      .delete(this.sliceName)
      .catch((err: unknown) => {
        if (!isStatus(err, 404)) this.o.log?.(`cannot delete endpoint slice ${this.o.namespace}/${this.sliceName}: ${(err as Error).message}`);
      });
  }
}
