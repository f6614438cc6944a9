// apiserver_admission_webhook_admission_duration_seconds{name,type,operation,rejected}
// (k8s.io/apiserver/pkg/admission/metrics upstream): one observation per webhook call,
// type "admit" for mutating webhooks and "validate" for validating ones.
import { Histogram, type Registry } from 'prom-client';

/** Upstream's webhook latency buckets. */
const WEBHOOK_BUCKETS = [0.005, 0.025, 0.1, 0.5, 1.0, 2.5, 10, 25];

export class WebhookMetrics {
  private readonly duration: Histogram<'name' | 'type' | 'operation' | 'rejected'>;

  constructor(registry: Registry) {
    this.duration = new Histogram({
      name: 'apiserver_admission_webhook_admission_duration_seconds',
      help: 'Admission webhook latency histogram in seconds, identified by name and broken out for each operation and API resource and type (validate or admit).',
      labelNames: ['name', 'type', 'operation', 'rejected'],
      buckets: WEBHOOK_BUCKETS,
      registers: [registry],
    });
  }

  observe(name: string, mutating: boolean, operation: string, rejected: boolean, seconds: number): void {
    this.duration.observe({ name, type: mutating ? 'admit' : 'validate', operation, rejected: rejected ? 'true' : 'false' }, seconds);
  }
}
