// The resource metrics source (metrics.k8s.io/v1beta1 PodMetrics), behind an
// interface so the controller can be driven by a test double, and the reduction
// of raw per-container usage to per-pod milli-values (metrics/client.go upstream).
import type { Client } from '../../client/rest.js';
import { parseQuantity } from '../../../api/resource/quantity.js';
import type { PodMetricsList } from '../../../api/metrics/v1beta1/types.js';

/** One PodMetrics item as metrics.k8s.io/v1beta1 returns it. */
export interface RawPodMetrics {
  pod: string;
  /** RFC 3339 time the usage was sampled at. */
  timestamp: string;
  /** Duration the usage was averaged over, as metav1.Duration ("30s", "1m0s"). */
  window: string;
  containers: Array<{ name: string; usage: Record<string, string> }>;
}

export interface MetricsClient {
  podMetrics(namespace: string, selector: string): Promise<RawPodMetrics[]>;
}

/** Reads GET /apis/metrics.k8s.io/v1beta1/namespaces/<ns>/pods?labelSelector=… through the apiserver. */
export class RESTMetricsClient implements MetricsClient {
  constructor(private readonly client: Client) {}

  async podMetrics(namespace: string, selector: string): Promise<RawPodMetrics[]> {
    const path = `/apis/metrics.k8s.io/v1beta1/namespaces/${encodeURIComponent(namespace)}/pods`;
    const list = await this.client.rest.request<PodMetricsList>('GET', path, { query: { labelSelector: selector || undefined } });
    return (list.items ?? []).map((m) => ({
      pod: m.metadata?.name ?? '',
      timestamp: m.timestamp ?? '',
      window: m.window ?? '0s',
      // Quantities are strings on the wire.
      containers: (m.containers ?? []).map((c) => ({ name: c.name, usage: (c.usage ?? {}) as Record<string, string> })),
    }));
  }
}

/** A pod's usage of one resource: value in milli-units (millicores, milli-bytes), as upstream's PodMetric. */
export interface PodMetric {
  timestamp: number;
  windowMs: number;
  value: number;
}

export type PodMetricsInfo = Map<string, PodMetric>;

const DURATION_UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Parses a Go duration string ("30s", "1m0s", "1.5s") into milliseconds; 0 when malformed. */
export function parseDuration(s: string): number {
  let total = 0;
  let matched = '';
  for (const m of s.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) {
    total += Number(m[1]) * DURATION_UNITS[m[2]];
    matched += m[0];
  }
  return matched === s ? total : 0;
}

/** Milli-value of a quantity, rounded up as resource.Quantity.MilliValue does. */
export function milliValue(q: string | number | undefined): number | undefined {
  const v = parseQuantity(q);
  return v === undefined ? undefined : Math.ceil(Math.round(v * 1e9) / 1e6);
}

/**
 * Per-pod sums of one resource over all (or one named) containers. A pod with no
 * containers or a container lacking the resource is left out, so it counts as missing.
 */
export function podMetricsFor(raw: RawPodMetrics[], resource: string, container?: string): PodMetricsInfo {
  const out: PodMetricsInfo = new Map();
  for (const m of raw) {
    const containers = container ? m.containers.filter((c) => c.name === container) : m.containers;
    let sum = 0;
    let missing = containers.length === 0;
    for (const c of containers) {
      const v = milliValue(c.usage[resource]);
      if (v === undefined) {
        missing = true;
        break;
      }
      sum += v;
    }
    if (!missing) out.set(m.pod, { timestamp: Date.parse(m.timestamp), windowMs: parseDuration(m.window), value: sum });
  }
  return out;
}

/** Fetches one resource's metrics for the selected pods, with upstream's errors; the timestamp is the first item's. */
export async function getResourceMetric(
  client: MetricsClient,
  resource: string,
  namespace: string,
  selector: string,
  container?: string,
): Promise<{ metrics: PodMetricsInfo; timestamp: number }> {
  let raw: RawPodMetrics[];
  try {
    raw = await client.podMetrics(namespace, selector);
  } catch (err) {
    throw new Error(`unable to fetch metrics from resource metrics API: ${(err as Error)?.message ?? String(err)}`);
  }
  if (raw.length === 0) throw new Error('no metrics returned from resource metrics API');
  return { metrics: podMetricsFor(raw, resource, container), timestamp: Date.parse(raw[0].timestamp) };
}

/**
 * usage / request over pods that have both, against a target percentage.
 * Utilization is truncated to an integer percent first, as upstream computes it.
 */
export function getResourceUtilizationRatio(
  metrics: PodMetricsInfo,
  requests: Map<string, number>,
  targetUtilization: number,
): { ratio: number; utilization: number; rawAverage: number } {
  let metricsTotal = 0;
  let requestsTotal = 0;
  let n = 0;
  for (const [pod, m] of metrics) {
    const request = requests.get(pod);
    if (request === undefined) continue; // extraneous metrics: pods not selected
    metricsTotal += m.value;
    requestsTotal += request;
    n++;
  }
  if (requestsTotal === 0) throw new Error('no metrics returned matched known pods');
  const utilization = Math.trunc((metricsTotal * 100) / requestsTotal);
  return { ratio: utilization / targetUtilization, utilization, rawAverage: Math.trunc(metricsTotal / n) };
}

/** Average usage over all metrics against a target average (both in milli-units). */
export function getMetricUsageRatio(metrics: PodMetricsInfo, targetUsage: number): { ratio: number; usage: number } {
  let total = 0;
  for (const m of metrics.values()) total += m.value;
  const usage = Math.trunc(total / metrics.size);
  return { ratio: usage / targetUsage, usage };
}
