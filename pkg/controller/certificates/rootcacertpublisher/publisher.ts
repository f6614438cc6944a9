// The root CA certificate publisher (upstream's
// pkg/controller/certificates/rootcacertpublisher): every namespace has the
// ConfigMap kube-root-ca.crt whose ca.crt is the cluster CA (--root-ca-file), so
// pods can verify the apiserver (the ServiceAccount admission plugin projects it
// into kube-api-access volumes). A changed or deleted ConfigMap is put back.
import { readFileSync } from 'node:fs';
import type { ConfigMap, Namespace } from '../../../../api/core/v1/types.js';
import { isStatus } from '../../../client/rest.js';
import { RateLimitingQueue, runWorkers } from '../../../client/workqueue.js';
import type { SharedIndexInformer } from '../../../client/informer.js';
import type { Controller, ControllerContext } from '../../context.js';

export const ROOT_CA_CONFIGMAP_NAME = 'kube-root-ca.crt';
export const DESCRIPTION_ANNOTATION = 'kubernetes.io/description';
export const DESCRIPTION =
  'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.';

export interface RootCACertPublisherOptions {
  /** --root-ca-file: the controller does nothing without it. */
  rootCAFile?: string;
}

export class RootCACertPublisher implements Controller {
  private readonly queue = new RateLimitingQueue<string>(undefined, 'root_ca_cert_publisher');
  private readonly namespaces?: SharedIndexInformer<Namespace>;
  private readonly configMaps?: SharedIndexInformer<ConfigMap>;
  private readonly rootCA: string = '';

  constructor(
    private readonly ctx: ControllerContext,
    opts: RootCACertPublisherOptions,
  ) {
    if (!opts.rootCAFile) {
      ctx.log('skipping root-ca-cert-publisher: no --root-ca-file');
      return;
    }
    this.rootCA = readFileSync(opts.rootCAFile, 'utf8');
    this.namespaces = ctx.informers.forResource<Namespace>('v1', 'namespaces');
    this.configMaps = ctx.informers.forResource<ConfigMap>('v1', 'configmaps');
    const enqueueNamespace = (ns: Namespace) => this.queue.add(ns.metadata.name ?? '');
    this.namespaces.addEventHandler({ onAdd: enqueueNamespace, onUpdate: (_old, ns) => enqueueNamespace(ns) });
    const enqueueConfigMap = (cm: ConfigMap) => cm.metadata.name === ROOT_CA_CONFIGMAP_NAME && this.queue.add(cm.metadata.namespace ?? '');
    this.configMaps.addEventHandler({ onUpdate: (_old, cm) => enqueueConfigMap(cm), onDelete: enqueueConfigMap });
  }

  async run(workers: number, signal: AbortSignal): Promise<void> {
    if (!this.namespaces || !this.configMaps) return;
    signal.addEventListener('abort', () => this.queue.shutDown(), { once: true });
    await Promise.all([this.namespaces.waitForCacheSync(), this.configMaps.waitForCacheSync()]);
    await runWorkers(this.queue, workers, (ns) => this.syncNamespace(ns), { log: this.ctx.log });
  }

  async syncNamespace(namespace: string): Promise<void> {
    const ns = this.namespaces?.lister.get(namespace);
    if (!ns || ns.metadata.deletionTimestamp) return;
    const client = this.ctx.client.resource<ConfigMap>('v1', 'configmaps').namespace(namespace);
    const cm = this.configMaps?.lister.get(namespace, ROOT_CA_CONFIGMAP_NAME);
    if (!cm) {
      try {
        await client.create({
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: ROOT_CA_CONFIGMAP_NAME, namespace, annotations: { [DESCRIPTION_ANNOTATION]: DESCRIPTION } },
          data: { 'ca.crt': this.rootCA },
        });
      } catch (err) {
        // Already made (our cache is behind: its add comes next), or the namespace is going away.
        if (isStatus(err, 409) || isStatus(err, 403) || isStatus(err, 404)) return;
        throw err;
      }
      return;
    }
    const data = cm.data ?? {};
    const annotations = cm.metadata.annotations ?? {};
    const sameData = Object.keys(data).length === 1 && data['ca.crt'] === this.rootCA;
    if (sameData && Object.hasOwn(annotations, DESCRIPTION_ANNOTATION) && annotations[DESCRIPTION_ANNOTATION] === DESCRIPTION) return;
    const updated = structuredClone(cm);
    updated.data = { 'ca.crt': this.rootCA };
    updated.metadata.annotations ??= {};
    updated.metadata.annotations[DESCRIPTION_ANNOTATION] = DESCRIPTION;
    try {
      await client.update(updated);
    } catch (err) {
      // Deleted meanwhile: its delete event brings the namespace back. A conflict is retried.
      if (isStatus(err, 404)) return;
      throw err;
    }
  }
}
