// The storage layer's metrics (k8s.io/apiserver/pkg/storage/etcd3/metrics upstream):
// etcd_request_duration_seconds{operation,type} and apiserver_storage_objects{resource},
// where type and resource are the group-qualified resource ("pods", "deployments.apps").
// Each ResourceStorage binds its label sets once; the object counts are read at scrape time.
import { Gauge, Histogram, type Registry } from 'prom-client';

/** Upstream's etcd latency buckets. */
const ETCD_BUCKETS = [0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1.0, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60];

export type EtcdOperation = 'get' | 'list' | 'create' | 'update' | 'delete';

interface Observer {
  observe(seconds: number): void;
}

/** One resource's etcd latency observers, bound once. */
export type EtcdTimers = Record<EtcdOperation, Observer>;

export class StorageMetrics {
  private readonly etcdRequestDuration: Histogram<'operation' | 'type'>;
  private readonly counts = new Map<string, () => number>();

  constructor(registry: Registry) {
    const counts = this.counts;
    this.etcdRequestDuration = new Histogram({
      name: 'etcd_request_duration_seconds',
      help: 'Etcd request latency in seconds for each operation and object type.',
      labelNames: ['operation', 'type'],
      buckets: ETCD_BUCKETS,
      registers: [registry],
    });
    new Gauge({
      name: 'apiserver_storage_objects',
      help: 'Number of stored objects at the time of last check split by kind.',
      labelNames: ['resource'],
      registers: [registry],
      collect() {
        for (const [resource, count] of counts) this.set({ resource }, count());
      },
    });
  }

  /** The observers of one resource; count reads how many objects it holds now. */
  forResource(resource: string, count: () => number): EtcdTimers {
    this.counts.set(resource, count);
    const bind = (operation: EtcdOperation) => this.etcdRequestDuration.labels({ operation, type: resource });
    return { get: bind('get'), list: bind('list'), create: bind('create'), update: bind('update'), delete: bind('delete') };
  }
}

/** Seconds since start (a performance.now() reading). */
export function since(start: number): number {
  return (performance.now() - start) / 1000;
}
