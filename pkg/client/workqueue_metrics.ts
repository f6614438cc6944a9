// The work queues' metrics, as client-go's workqueue.SetProvider: a process sets one
// provider (the controller-manager sets the prom-client one) before it builds its
// queues, and every named queue then reports workqueue_depth, workqueue_adds_total,
// workqueue_queue_duration_seconds, workqueue_work_duration_seconds and
// workqueue_retries_total, labelled name=<queue>. Without a provider the queues report
// nothing and pay nothing.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface QueueMetrics {
  /** An item was queued (depth and adds). */
  added(): void;
  /** An item left the queue for a worker after waiting `seconds`. */
  taken(seconds: number): void;
  /** A worker finished an item after `seconds`. */
  done(seconds: number): void;
  /** An item was put back by the rate limiter. */
  retried(): void;
}

export interface WorkqueueMetricsProvider {
  forQueue(name: string): QueueMetrics;
}

let provider: WorkqueueMetricsProvider | undefined;

/** Sets the process's provider; the first one set stays (client-go's SetProvider runs once). */
export function setWorkqueueMetricsProvider(p: WorkqueueMetricsProvider): void {
  provider ??= p;
}

/** The metrics of a queue; undefined for unnamed queues, and for all without a provider. */
export function queueMetrics(name: string): QueueMetrics | undefined {
  return name && provider ? provider.forQueue(name) : undefined;
}

/** ExponentialBuckets(10e-9, 10, 12), client-go's queue and work latency buckets. */
const QUEUE_BUCKETS = Array.from({ length: 12 }, (_, i) => Number((1e-8 * 10 ** i).toPrecision(3)));

/** The prom-client provider (component-base's workqueue metrics). */
export class PrometheusWorkqueueMetrics implements WorkqueueMetricsProvider {
  private readonly depth: Gauge<'name'>;
  private readonly adds: Counter<'name'>;
  private readonly latency: Histogram<'name'>;
  private readonly workDuration: Histogram<'name'>;
  private readonly retries: Counter<'name'>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.depth = new Gauge({ name: 'workqueue_depth', help: 'Current depth of workqueue', labelNames: ['name'], registers });
    this.adds = new Counter({ name: 'workqueue_adds_total', help: 'Total number of adds handled by workqueue', labelNames: ['name'], registers });
    this.latency = new Histogram({
      name: 'workqueue_queue_duration_seconds',
      help: 'How long in seconds an item stays in workqueue before being requested.',
      labelNames: ['name'],
      buckets: QUEUE_BUCKETS,
      registers,
    });
    this.workDuration = new Histogram({
      name: 'workqueue_work_duration_seconds',
      help: 'How long in seconds processing an item from workqueue takes.',
      labelNames: ['name'],
      buckets: QUEUE_BUCKETS,
      registers,
    });
    this.retries = new Counter({ name: 'workqueue_retries_total', help: 'Total number of retries handled by workqueue', labelNames: ['name'], registers });
  }

  forQueue(name: string): QueueMetrics {
    const depth = this.depth.labels({ name });
    const adds = this.adds.labels({ name });
    const latency = this.latency.labels({ name });
    const work = this.workDuration.labels({ name });
    const retries = this.retries.labels({ name });
    // Series exist from the start, at zero, as upstream's do.
    depth.set(0);
    adds.inc(0);
    retries.inc(0);
    return {
      added: () => {
        depth.inc();
        adds.inc();
      },
      taken: (seconds) => {
        depth.dec();
        latency.observe(seconds);
      },
      done: (seconds) => work.observe(seconds),
      retried: () => retries.inc(),
    };
  }
}
