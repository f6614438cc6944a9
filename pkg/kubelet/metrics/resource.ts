// /metrics/resource (upstream pkg/kubelet/metrics/collectors/resource_metrics.go): the
// node's, pods' and containers' CPU time and working set, each with its sample's time;
// what metrics-server (and here the apiserver's metrics.k8s.io) reads.
import type { Snapshot } from '../stats/provider.js';
import { ExpositionWriter } from './exposition.js';

export function resourceMetrics(snap: Snapshot | undefined): string {
  const w = new ExpositionWriter();
  const t = snap?.time;
  if (snap?.node.stats) {
    w.family('node_cpu_usage_seconds_total', 'counter', '[STABLE] Cumulative cpu time consumed by the node in core-seconds').sample(
      [],
      snap.node.stats.cpuUsageSeconds,
      t,
    );
    w.family('node_memory_working_set_bytes', 'gauge', '[STABLE] Current working set of the node in bytes').sample([], snap.node.stats.workingSetBytes, t);
  }
  const pods = snap?.pods ?? [];
  const containers = pods.flatMap((p) => p.containers.map((c) => ({ p, c })));
  const labels = (container: string, pod: string, namespace: string) =>
    [
      ['container', container],
      ['namespace', namespace],
      ['pod', pod],
    ] as const;
  w.family('container_cpu_usage_seconds_total', 'counter', '[STABLE] Cumulative cpu time consumed by the container in core-seconds');
  for (const { p, c } of containers) {
    const seconds = c.stats ? c.stats.cpuUsageSeconds : c.runtime?.cpuCoreNanoSeconds !== undefined ? c.runtime.cpuCoreNanoSeconds / 1e9 : undefined;
    if (seconds !== undefined) w.sample(labels(c.info.name, p.sandbox.name, p.sandbox.namespace), seconds, t);
  }
  w.family('container_memory_working_set_bytes', 'gauge', '[STABLE] Current working set of the container in bytes');
  for (const { p, c } of containers) {
    const bytes = c.stats?.workingSetBytes ?? c.runtime?.workingSetBytes;
    if (bytes !== undefined) w.sample(labels(c.info.name, p.sandbox.name, p.sandbox.namespace), bytes, t);
  }
  w.family('container_start_time_seconds', 'gauge', '[STABLE] Start time of the container since unix epoch in seconds');
  for (const { p, c } of containers) w.sample(labels(c.info.name, p.sandbox.name, p.sandbox.namespace), c.info.createdAt / 1e9, t);
  const podLabels = (pod: string, namespace: string) =>
    [
      ['namespace', namespace],
      ['pod', pod],
    ] as const;
  w.family('pod_cpu_usage_seconds_total', 'counter', '[STABLE] Cumulative cpu time consumed by the pod in core-seconds');
  for (const p of pods) if (p.stats) w.sample(podLabels(p.sandbox.name, p.sandbox.namespace), p.stats.cpuUsageSeconds, t);
  w.family('pod_memory_working_set_bytes', 'gauge', '[STABLE] Current working set of the pod in bytes');
  for (const p of pods) if (p.stats) w.sample(podLabels(p.sandbox.name, p.sandbox.namespace), p.stats.workingSetBytes, t);
  w.family('resource_scrape_error', 'gauge', '[STABLE] 1 if there was an error while getting container metrics, 0 otherwise').sample([], snap ? 0 : 1);
  return w.text();
}
