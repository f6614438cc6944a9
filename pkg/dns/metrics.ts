// A few of CoreDNS's metrics under its names (coredns_dns_*), with fewer labels.
import { collectDefaultMetrics, Counter, Histogram, Registry, exponentialBuckets } from 'prom-client';

export class DNSMetrics {
  readonly registry = new Registry();
  readonly requests: Counter<'proto' | 'type'>;
  readonly responses: Counter<'rcode'>;
  readonly duration: Histogram<'type'>;

  constructor(opts: { defaultMetrics?: boolean } = {}) {
    const registers = [this.registry];
    this.requests = new Counter({
      name: 'coredns_dns_requests_total',
      help: 'Counter of DNS requests made per protocol and type.',
      labelNames: ['proto', 'type'],
      registers,
    });
    this.responses = new Counter({ name: 'coredns_dns_responses_total', help: 'Counter of response status codes.', labelNames: ['rcode'], registers });
    this.duration = new Histogram({
      name: 'coredns_dns_request_duration_seconds',
      help: 'Histogram of the time (in seconds) each request took.',
      labelNames: ['type'],
      buckets: exponentialBuckets(0.00025, 2, 16),
      registers,
    });
    if (opts.defaultMetrics) collectDefaultMetrics({ register: this.registry });
  }
}
