// The service account controller: every active namespace has a `default` ServiceAccount.
import type { Namespace, ServiceAccount } from '../../../api/core/v1/types.js';
import { isStatus } from '../../client/rest.js';
import { RateLimitingQueue, runWorkers } from '../../client/workqueue.js';
import type { SharedIndexInformer } from '../../client/informer.js';
import type { Controller, ControllerContext } from '../context.js';

const DEFAULT_NAME = 'default';

export class ServiceAccountsController implements Controller {
  private readonly queue = new RateLimitingQueue<string>(undefined, 'serviceaccount');
  private readonly namespaces: SharedIndexInformer<Namespace>;
  private readonly accounts: SharedIndexInformer<ServiceAccount>;

  constructor(private readonly ctx: ControllerContext) {
    this.namespaces = ctx.informers.forResource<Namespace>('v1', 'namespaces');
    this.accounts = ctx.informers.forResource<ServiceAccount>('v1', 'serviceaccounts');
    this.namespaces.addEventHandler({ onAdd: (ns) => this.queue.add(ns.metadata.name ?? ''), onUpdate: (_o, ns) => this.queue.add(ns.metadata.name ?? '') });
    this.accounts.addEventHandler({ onDelete: (sa) => sa.metadata.name === DEFAULT_NAME && this.queue.add(sa.metadata.namespace ?? '') });
  }

  async run(workers: number, signal: AbortSignal): Promise<void> {
    signal.addEventListener('abort', () => this.queue.shutDown(), { once: true });
    await Promise.all([this.namespaces.waitForCacheSync(), this.accounts.waitForCacheSync()]);
    await runWorkers(this.queue, workers, (ns) => this.syncNamespace(ns), { log: this.ctx.log });
  }

  async syncNamespace(namespace: string): Promise<void> {
    const ns = this.namespaces.lister.get(namespace);
    if (!ns || ns.metadata.deletionTimestamp) return;
    if (this.accounts.lister.get(namespace, DEFAULT_NAME)) return;
    try {
      await this.ctx.client
        .resource<ServiceAccount>('v1', 'serviceaccounts')
        .namespace(namespace)
        .create({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: DEFAULT_NAME, namespace } });
    } catch (err) {
      // Already there (our cache is behind), or the namespace started terminating: nothing to do.
      if (isStatus(err, 409) || isStatus(err, 403) || isStatus(err, 404)) return;
      throw err;
    }
  }
}
