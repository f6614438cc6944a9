// The replica calculation (replica_calculator.go upstream): from per-pod usage to a
// proposed replica count, treating unready pods and pods without metrics
// conservatively so that a partial picture never flips the scaling direction.
import { getPodReadyCondition } from '../../../api/core/v1/pod.js';
import type { Pod } from '../../../api/core/v1/types.js';
import type { Selector } from '../../../api/labels/selector.js';
import { getMetricUsageRatio, getResourceMetric, getResourceUtilizationRatio, milliValue, type MetricsClient, type PodMetricsInfo } from './metrics_client.js';

export interface ReplicaCalculatorOptions {
  metrics: MetricsClient;
  /** The pods in a namespace matching a selector (a lister in the controller). */
  listPods: (namespace: string, selector: Selector) => Pod[];
  /** --horizontal-pod-autoscaler-tolerance, default 0.1. */
  tolerance?: number;
  /** --horizontal-pod-autoscaler-cpu-initialization-period, default 5 minutes. */
  cpuInitializationPeriodMs?: number;
  /** --horizontal-pod-autoscaler-initial-readiness-delay, default 30 seconds. */
  delayOfInitialReadinessStatusMs?: number;
  now?: () => number;
}

export interface ResourceReplicas {
  replicas: number;
  /** Percent of request (Utilization targets only). */
  utilization?: number;
  /** Average usage per pod in milli-units. */
  rawAverage: number;
  timestamp: number;
}

interface PodGroups {
  readyPodCount: number;
  unready: Set<string>;
  missing: Set<string>;
  ignored: Set<string>;
}

export class ReplicaCalculator {
  readonly tolerance: number;
  private readonly cpuInitializationPeriodMs: number;
  private readonly delayOfInitialReadinessStatusMs: number;
  private readonly now: () => number;

  constructor(private readonly opts: ReplicaCalculatorOptions) {
    this.tolerance = opts.tolerance ?? 0.1;
    this.cpuInitializationPeriodMs = opts.cpuInitializationPeriodMs ?? 5 * 60_000;
    this.delayOfInitialReadinessStatusMs = opts.delayOfInitialReadinessStatusMs ?? 30_000;
    this.now = opts.now ?? Date.now;
  }

  /** Replicas for a Utilization target (percent of the pods' summed container requests). */
  async getResourceReplicas(
    currentReplicas: number,
    targetUtilization: number,
    resource: string,
    namespace: string,
    selector: Selector,
    container?: string,
  ): Promise<ResourceReplicas> {
    const { metrics, timestamp } = await getResourceMetric(this.opts.metrics, resource, namespace, selector.toString(), container);
    const pods = this.opts.listPods(namespace, selector);
    if (pods.length === 0) throw new Error('no pods returned by selector while calculating replica count');
    const groups = this.groupPods(pods, metrics, resource);
    for (const name of [...groups.ignored, ...groups.unready]) metrics.delete(name);
    if (metrics.size === 0) throw new Error('did not receive metrics for targeted pods (pods might be unready)');
    const requests = calculatePodRequests(pods, resource, container);
    const { ratio, utilization, rawAverage } = getResourceUtilizationRatio(metrics, requests, targetUtilization);
    const result = (replicas: number): ResourceReplicas => ({ replicas, utilization, rawAverage, timestamp });

    const scaleUpWithUnready = groups.unready.size > 0 && ratio > 1.0;
    if (!scaleUpWithUnready && groups.missing.size === 0) {
      if (Math.abs(1.0 - ratio) <= this.tolerance) return result(currentReplicas);
      return result(Math.ceil(ratio * groups.readyPodCount));
    }
    if (groups.missing.size > 0) {
      // Scaling down: a pod without metrics is taken to use all of its request (or the
      // target, if higher); scaling up: nothing. Either way it damps the change.
      const fallback = Math.max(100, targetUtilization);
      for (const name of groups.missing) {
        const value = ratio < 1.0 ? Math.trunc(((requests.get(name) ?? 0) * fallback) / 100) : 0;
        if (ratio !== 1.0) metrics.set(name, { timestamp, windowMs: 0, value });
      }
    }
    if (scaleUpWithUnready) for (const name of groups.unready) metrics.set(name, { timestamp, windowMs: 0, value: 0 });
    const { ratio: newRatio } = getResourceUtilizationRatio(metrics, requests, targetUtilization);
    return result(this.rebalanced(currentReplicas, ratio, newRatio, metrics.size));
  }

  /** Replicas for an AverageValue target (milli-units per pod). */
  async getRawResourceReplicas(
    currentReplicas: number,
    targetUsage: number,
    resource: string,
    namespace: string,
    selector: Selector,
    container?: string,
  ): Promise<ResourceReplicas> {
    const { metrics, timestamp } = await getResourceMetric(this.opts.metrics, resource, namespace, selector.toString(), container);
    const { replicas, usage } = this.calcPlainMetricReplicas(metrics, currentReplicas, targetUsage, namespace, selector, resource);
    return { replicas, rawAverage: usage, timestamp };
  }

  private calcPlainMetricReplicas(
    metrics: PodMetricsInfo,
    currentReplicas: number,
    targetUsage: number,
    namespace: string,
    selector: Selector,
    resource: string,
  ): { replicas: number; usage: number } {
    const pods = this.opts.listPods(namespace, selector);
    if (pods.length === 0) throw new Error('no pods returned by selector while calculating replica count');
    const groups = this.groupPods(pods, metrics, resource);
    for (const name of [...groups.ignored, ...groups.unready]) metrics.delete(name);
    if (metrics.size === 0) throw new Error('did not receive metrics for targeted pods (pods might be unready)');
    const { ratio, usage } = getMetricUsageRatio(metrics, targetUsage);

    const scaleUpWithUnready = groups.unready.size > 0 && ratio > 1.0;
    if (!scaleUpWithUnready && groups.missing.size === 0) {
      if (Math.abs(1.0 - ratio) <= this.tolerance) return { replicas: currentReplicas, usage };
      return { replicas: Math.ceil(ratio * groups.readyPodCount), usage };
    }
    if (groups.missing.size > 0) {
      for (const name of groups.missing) metrics.set(name, { timestamp: 0, windowMs: 0, value: ratio < 1.0 ? targetUsage : 0 });
    }
    if (scaleUpWithUnready) for (const name of groups.unready) metrics.set(name, { timestamp: 0, windowMs: 0, value: 0 });
    const { ratio: newRatio } = getMetricUsageRatio(metrics, targetUsage);
    return { replicas: this.rebalanced(currentReplicas, ratio, newRatio, metrics.size), usage };
  }

  /** The count after filling in missing/unready pods, unless that is too small a change or reverses direction. */
  private rebalanced(currentReplicas: number, ratio: number, newRatio: number, count: number): number {
    if (Math.abs(1.0 - newRatio) <= this.tolerance || (ratio < 1.0 && newRatio > 1.0) || (ratio > 1.0 && newRatio < 1.0)) return currentReplicas;
    const newReplicas = Math.ceil(newRatio * count);
    if ((newRatio < 1.0 && newReplicas > currentReplicas) || (newRatio > 1.0 && newReplicas < currentReplicas)) return currentReplicas;
    return newReplicas;
  }

  /**
   * Sorts pods into ready (counted), unready (pending, or for cpu: not Ready or still
   * warming up), missing (no metrics) and ignored (deleted or failed).
   */
  private groupPods(pods: Pod[], metrics: PodMetricsInfo, resource: string): PodGroups {
    const g: PodGroups = { readyPodCount: 0, unready: new Set(), missing: new Set(), ignored: new Set() };
    const now = this.now();
    for (const pod of pods) {
      const name = pod.metadata.name ?? '';
      if (pod.metadata.deletionTimestamp || pod.status?.phase === 'Failed') {
        g.ignored.add(name);
        continue;
      }
      if (pod.status?.phase === 'Pending') {
        g.unready.add(name);
        continue;
      }
      const metric = metrics.get(name);
      if (!metric) {
        g.missing.add(name);
        continue;
      }
      if (resource === 'cpu') {
        const ready = getPodReadyCondition(pod);
        const startTime = pod.status?.startTime ? Date.parse(pod.status.startTime) : undefined;
        let unready: boolean;
        if (!ready || startTime === undefined) {
          unready = true;
        } else {
          const transition = ready.lastTransitionTime ? Date.parse(ready.lastTransitionTime) : 0;
          if (startTime + this.cpuInitializationPeriodMs > now) {
            // Within the initialisation period: skip unready pods and samples that span the last transition.
            unready = ready.status === 'False' || metric.timestamp < transition + metric.windowMs;
          } else {
            // Afterwards: skip only pods that are unready and have never been ready.
            unready = ready.status === 'False' && startTime + this.delayOfInitialReadinessStatusMs > transition;
          }
        }
        if (unready) {
          g.unready.add(name);
          continue;
        }
      }
      g.readyPodCount++;
    }
    return g;
  }
}

/** Each pod's summed container requests for resource (milli-units); a container without one is an error. */
export function calculatePodRequests(pods: Pod[], resource: string, container?: string): Map<string, number> {
  const requests = new Map<string, number>();
  for (const pod of pods) {
    let sum = 0;
    for (const c of pod.spec?.containers ?? []) {
      if (container && c.name !== container) continue;
      const q = milliValue(c.resources?.requests?.[resource]);
      if (q === undefined) throw new Error(`missing request for ${resource} in container ${c.name} of Pod ${pod.metadata.name ?? ''}`);
      sum += q;
    }
    requests.set(pod.metadata.name ?? '', sum);
  }
  return requests;
}
