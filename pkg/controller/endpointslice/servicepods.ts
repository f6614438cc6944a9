// The informer wiring both endpoints controllers share: services, and the pods
// that can back them; a pod change enqueues every service whose selector it meets.
import type { SharedIndexInformer } from '../../client/informer.js';
import { RateLimitingQueue } from '../../client/workqueue.js';
import { selectorFromSet } from '../../../api/labels/selector.js';
import type { ControllerContext } from '../context.js';
import type { Pod, Service } from '../../../api/core/v1/types.js';

export class ServicePodWatch {
  readonly services: SharedIndexInformer<Service>;
  readonly pods: SharedIndexInformer<Pod>;

  constructor(
    ctx: ControllerContext,
    readonly queue: RateLimitingQueue<string>,
  ) {
    this.services = ctx.informers.forResource<Service>('v1', 'services');
    this.pods = ctx.informers.forResource<Pod>('v1', 'pods');
    const key = (o: { metadata: { namespace?: string; name?: string } }) => `${o.metadata.namespace}/${o.metadata.name}`;
    this.services.addEventHandler({ onAdd: (s) => queue.add(key(s)), onUpdate: (_o, s) => queue.add(key(s)), onDelete: (s) => queue.add(key(s)) });
    const forPod = (pod: Pod) => {
      for (const svc of this.services.lister.list(pod.metadata.namespace)) {
        const sel = svc.spec?.selector;
        if (sel && Object.keys(sel).length && selectorFromSet(sel).matches(pod.metadata.labels)) queue.add(key(svc));
      }
    };
    this.pods.addEventHandler({
      onAdd: forPod,
      onUpdate: (old, pod) => {
        forPod(old);
        forPod(pod);
      },
      onDelete: forPod,
    });
  }

  async synced(): Promise<void> {
    await Promise.all([this.services.waitForCacheSync(), this.pods.waitForCacheSync()]);
  }

  /** The service and the pods its selector picks, or undefined when it has no selector (endpoints managed by hand). */
  select(namespace: string, name: string): { svc: Service; pods: Pod[] } | 'gone' | 'unmanaged' {
    const svc = this.services.lister.get(namespace, name);
    if (!svc) return 'gone';
    const sel = svc.spec?.selector;
    if (!sel || !Object.keys(sel).length) return 'unmanaged';
    const selector = selectorFromSet(sel);
    return { svc, pods: this.pods.lister.list(namespace).filter((p) => selector.matches(p.metadata.labels)) };
  }
}
