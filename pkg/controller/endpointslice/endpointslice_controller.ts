// The EndpointSlice controller: for every Service with a selector, EndpointSlices
// listing the ready/serving/terminating pods it selects, one slice per port mapping.
import { isDeepStrictEqual } from 'node:util';
import type { Service } from '../../../api/core/v1/types.js';
import type { Endpoint, EndpointSlice } from '../../../api/discovery/v1/types.js';
import { newControllerRef } from '../../client/controllerutil.js';
import type { SharedIndexInformer } from '../../client/informer.js';
import { isStatus } from '../../client/rest.js';
import { RateLimitingQueue, runWorkers } from '../../client/workqueue.js';
import type { Controller, ControllerContext } from '../context.js';
import { desiredEndpoints, groupByPorts, type EndpointEntry } from './endpoints.js';
import { ServicePodWatch } from './servicepods.js';

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
export const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';
export const MANAGED_BY = 'endpointslice-controller.k8s.io';
const MAX_ENDPOINTS_PER_SLICE = 100;

function sliceEndpoint(svc: Service, e: EndpointEntry): Endpoint {
  const ep: Endpoint = {
    addresses: [e.address],
    conditions: { ready: e.ready, serving: e.serving, terminating: e.terminating },
    targetRef: { kind: 'Pod', namespace: e.pod.metadata.namespace, name: e.pod.metadata.name, uid: e.pod.metadata.uid },
  };
  if (e.pod.spec?.nodeName) ep.nodeName = e.pod.spec.nodeName;
  // Pods that name this (headless) service as their subdomain get a DNS hostname.
  if (e.pod.spec?.hostname && e.pod.spec.subdomain === svc.metadata.name) ep.hostname = e.pod.spec.hostname;
  return ep;
}

export class EndpointSliceController implements Controller {
  private readonly queue = new RateLimitingQueue<string>(undefined, 'endpoint_slice');
  private readonly watch: ServicePodWatch;
  private readonly slices: SharedIndexInformer<EndpointSlice>;

  constructor(private readonly ctx: ControllerContext) {
    this.watch = new ServicePodWatch(ctx, this.queue);
    this.slices = ctx.informers.forResource<EndpointSlice>('discovery.k8s.io/v1', 'endpointslices');
    const owner = (s: EndpointSlice) => {
      const svc = s.metadata.labels?.[SERVICE_NAME_LABEL];
      if (svc && s.metadata.labels?.[MANAGED_BY_LABEL] === MANAGED_BY) this.queue.add(`${s.metadata.namespace}/${svc}`);
    };
    this.slices.addEventHandler({ onUpdate: (_o, s) => owner(s), onDelete: owner });
  }

  async run(workers: number, signal: AbortSignal): Promise<void> {
    signal.addEventListener('abort', () => this.queue.shutDown(), { once: true });
    await Promise.all([this.watch.synced(), this.slices.waitForCacheSync()]);
    await runWorkers(this.queue, workers, (key) => this.syncService(key), { log: this.ctx.log });
  }

  async syncService(key: string): Promise<void> {
    const [namespace, name] = key.split('/');
    const selected = this.watch.select(namespace, name);
    const existing = this.slices.lister
      .list(namespace)
      .filter((s) => s.metadata.labels?.[SERVICE_NAME_LABEL] === name && s.metadata.labels?.[MANAGED_BY_LABEL] === MANAGED_BY)
      .sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
    const client = this.ctx.client.resource<EndpointSlice>('discovery.k8s.io/v1', 'endpointslices').namespace(namespace);
    if (selected === 'unmanaged' || selected === 'gone') {
      for (const s of existing)
        await client.delete(s.metadata.name ?? '').catch((err: unknown) => {
          if (!isStatus(err, 404)) throw err;
        });
      return;
    }
    const { svc, pods } = selected;
    const wanted: Array<Pick<EndpointSlice, 'endpoints' | 'ports'>> = [];
    for (const group of groupByPorts(desiredEndpoints(svc, pods)).values()) {
      for (let i = 0; i < group.entries.length; i += MAX_ENDPOINTS_PER_SLICE) {
        wanted.push({ ports: group.ports, endpoints: group.entries.slice(i, i + MAX_ENDPOINTS_PER_SLICE).map((e) => sliceEndpoint(svc, e)) });
      }
    }
    // A service with nothing behind it still has one (empty) slice, as upstream keeps a placeholder.
    if (!wanted.length) wanted.push({ ports: [], endpoints: [] });
    const labels = { ...(svc.metadata.labels ?? {}), [SERVICE_NAME_LABEL]: name, [MANAGED_BY_LABEL]: MANAGED_BY };
    for (let i = 0; i < wanted.length; i++) {
      const want = wanted[i];
      const have = existing[i];
      if (!have) {
        await client.create({
          apiVersion: 'discovery.k8s.io/v1',
          kind: 'EndpointSlice',
          metadata: { generateName: `${name}-`, namespace, labels, ownerReferences: [newControllerRef(svc, { apiVersion: 'v1', kind: 'Service' })] },
          addressType: 'IPv4',
          ...want,
        });
      } else if (
        !isDeepStrictEqual(have.endpoints ?? [], want.endpoints) ||
        !isDeepStrictEqual(have.ports ?? [], want.ports) ||
        !isDeepStrictEqual(have.metadata.labels, labels)
      ) {
        await client.update({ ...have, metadata: { ...have.metadata, labels }, ...want });
      }
    }
    for (const extra of existing.slice(wanted.length))
      await client.delete(extra.metadata.name ?? '').catch((err: unknown) => {
        if (!isStatus(err, 404)) throw err;
      });
  }
}
