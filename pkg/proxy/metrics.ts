// kube-proxy's metrics (pkg/proxy/metrics), same names and buckets, in a
// prom-client registry of the proxy's own.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry, exponentialBuckets, linearBuckets } from 'prom-client';

export class ProxyMetrics {
  readonly registry = new Registry();
  readonly syncProxyRulesLatency: Histogram;
  readonly syncFullProxyRulesLatency: Histogram;
  readonly syncPartialProxyRulesLatency: Histogram;
  readonly syncProxyRulesLastTimestamp: Gauge;
  readonly syncProxyRulesLastQueuedTimestamp: Gauge;
  readonly networkProgrammingLatency: Histogram;
  readonly endpointChangesTotal: Counter;
  readonly serviceChangesTotal: Counter;
  readonly iptablesRulesTotal: Gauge<'table'>;
  readonly iptablesRulesLastSync: Gauge<'table'>;
  readonly iptablesRestoreFailuresTotal: Counter;
  readonly iptablesPartialRestoreFailuresTotal: Counter;
  readonly syncProxyRulesNoLocalEndpointsTotal: Gauge<'traffic_policy'>;

  constructor(opts: { defaultMetrics?: boolean } = {}) {
    const registers = [this.registry];
    const syncBuckets = exponentialBuckets(0.001, 2, 15);
    this.syncProxyRulesLatency = new Histogram({
      name: 'kubeproxy_sync_proxy_rules_duration_seconds',
      help: 'SyncProxyRules latency in seconds',
      buckets: syncBuckets,
      registers,
    });
    this.syncFullProxyRulesLatency = new Histogram({
      name: 'kubeproxy_sync_full_proxy_rules_duration_seconds',
      help: 'SyncProxyRules latency in seconds for full resyncs',
      buckets: syncBuckets,
      registers,
    });
    this.syncPartialProxyRulesLatency = new Histogram({
      name: 'kubeproxy_sync_partial_proxy_rules_duration_seconds',
      help: 'SyncProxyRules latency in seconds for partial resyncs',
      buckets: syncBuckets,
      registers,
    });
    this.syncProxyRulesLastTimestamp = new Gauge({
      name: 'kubeproxy_sync_proxy_rules_last_timestamp_seconds',
      help: 'The last time proxy rules were successfully synced',
      registers,
    });
    this.syncProxyRulesLastQueuedTimestamp = new Gauge({
      name: 'kubeproxy_sync_proxy_rules_last_queued_timestamp_seconds',
      help: 'The last time a sync of proxy rules was queued',
      registers,
    });
    this.networkProgrammingLatency = new Histogram({
      name: 'kubeproxy_network_programming_duration_seconds',
      help: 'In Cluster Network Programming Latency in seconds',
      buckets: [...linearBuckets(0.25, 0.25, 2), ...linearBuckets(1, 1, 59), ...linearBuckets(60, 5, 12), ...linearBuckets(120, 30, 7)],
      registers,
    });
    this.endpointChangesTotal = new Counter({
      name: 'kubeproxy_sync_proxy_rules_endpoint_changes_total',
      help: 'Cumulative proxy rules Endpoint changes',
      registers,
    });
    this.serviceChangesTotal = new Counter({
      name: 'kubeproxy_sync_proxy_rules_service_changes_total',
      help: 'Cumulative proxy rules Service changes',
      registers,
    });
    this.iptablesRulesTotal = new Gauge({
      name: 'kubeproxy_sync_proxy_rules_iptables_total',
      help: 'Total number of iptables rules owned by kube-proxy',
      labelNames: ['table'],
      registers,
    });
    this.iptablesRulesLastSync = new Gauge({
      name: 'kubeproxy_sync_proxy_rules_iptables_last',
      help: 'Number of iptables rules written by kube-proxy in last sync',
      labelNames: ['table'],
      registers,
    });
    this.iptablesRestoreFailuresTotal = new Counter({
      name: 'kubeproxy_sync_proxy_rules_iptables_restore_failures_total',
      help: 'Cumulative proxy iptables restore failures',
      registers,
    });
    this.iptablesPartialRestoreFailuresTotal = new Counter({
      name: 'kubeproxy_sync_proxy_rules_iptables_partial_restore_failures_total',
      help: 'Cumulative proxy iptables partial restore failures',
      registers,
    });
    this.syncProxyRulesNoLocalEndpointsTotal = new Gauge({
      name: 'kubeproxy_sync_proxy_rules_no_local_endpoints_total',
      help: 'Number of services with a Local traffic policy and no endpoints',
      labelNames: ['traffic_policy'],
      registers,
    });
    if (opts.defaultMetrics) collectDefaultMetrics({ register: this.registry });
  }
}
