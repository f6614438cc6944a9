// The (legacy) Endpoints controller: one Endpoints object per selector Service,
// named after it, with ready addresses and not-ready ones per port mapping.
import { isDeepStrictEqual } from 'node:util';
import type { EndpointAddress, Endpoints, EndpointSubset } from '../../../api/core/v1/types.js';
import type { SharedIndexInformer } from '../../client/informer.js';
import { isStatus } from '../../client/rest.js';
import { RateLimitingQueue, runWorkers } from '../../client/workqueue.js';
import type { Controller, ControllerContext } from '../context.js';
import { desiredEndpoints, groupByPorts, type EndpointEntry } from '../endpointslice/endpoints.js';
import { ServicePodWatch } from '../endpointslice/servicepods.js';

function address(e: EndpointEntry): EndpointAddress {
  const a: EndpointAddress = {
    ip: e.address,
    targetRef: { kind: 'Pod', namespace: e.pod.metadata.namespace, name: e.pod.metadata.name, uid: e.pod.metadata.uid },
  };
  if (e.pod.spec?.nodeName) a.nodeName = e.pod.spec.nodeName;
  return a;
}

export class EndpointsController implements Controller {
  private readonly queue = new RateLimitingQueue<string>(undefined, 'endpoint');
  private readonly watch: ServicePodWatch;
  private readonly endpoints: SharedIndexInformer<Endpoints>;

  constructor(private readonly ctx: ControllerContext) {
    this.watch = new ServicePodWatch(ctx, this.queue);
    this.endpoints = ctx.informers.forResource<Endpoints>('v1', 'endpoints');
    this.endpoints.addEventHandler({ onDelete: (ep) => this.queue.add(`${ep.metadata.namespace}/${ep.metadata.name}`) });
  }

  async run(workers: number, signal: AbortSignal): Promise<void> {
    signal.addEventListener('abort', () => this.queue.shutDown(), { once: true });
    await Promise.all([this.watch.synced(), this.endpoints.waitForCacheSync()]);
    await runWorkers(this.queue, workers, (key) => this.syncService(key), { log: this.ctx.log });
  }

  async syncService(key: string): Promise<void> {
    const [namespace, name] = key.split('/');
    const selected = this.watch.select(namespace, name);
    const client = this.ctx.client.resource<Endpoints>('v1', 'endpoints').namespace(namespace);
    const current = this.endpoints.lister.get(namespace, name);
    if (selected === 'unmanaged') return; // endpoints of a selector-less service are the user's
    if (selected === 'gone') {
      if (current)
        await client.delete(name).catch((err: unknown) => {
          if (!isStatus(err, 404)) throw err;
        });
      return;
    }
    const { svc, pods } = selected;
    const subsets: EndpointSubset[] = [];
    // Terminating pods leave Endpoints at once (EndpointSlices keep them, marked terminating).
    for (const g of groupByPorts(desiredEndpoints(svc, pods).filter((e) => !e.terminating)).values()) {
      if (!g.ports.length && svc.spec?.clusterIP !== 'None') continue;
      // Endpoints ports omit an empty name (a plain string there; a pointer in EndpointSlices).
      const subset: EndpointSubset = { ports: g.ports.map(({ name, ...p }) => (name ? { name, ...p } : p)) };
      const ready = g.entries.filter((e) => e.ready).map(address);
      const notReady = g.entries.filter((e) => !e.ready).map(address);
      if (ready.length) subset.addresses = ready;
      if (notReady.length) subset.notReadyAddresses = notReady;
      subsets.push(subset);
    }
    const labels = { ...(svc.metadata.labels ?? {}) };
    if (!current) {
      await client.create({ apiVersion: 'v1', kind: 'Endpoints', metadata: { name, namespace, labels }, subsets });
    } else if (!isDeepStrictEqual(current.subsets ?? [], subsets) || !isDeepStrictEqual(current.metadata.labels ?? {}, labels)) {
      await client.update({ ...current, metadata: { ...current.metadata, labels }, subsets });
    }
  }
}
