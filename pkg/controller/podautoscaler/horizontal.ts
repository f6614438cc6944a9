// The HorizontalPodAutoscaler controller (pkg/controller/podautoscaler/horizontal.go
// upstream): every sync period it reads each HPA's target through the scale
// subresource, turns pod metrics into a replica proposal per metric, takes the
// largest, stabilises and rate-limits it, writes the new scale and the HPA status.
import type { Pod } from '../../../api/core/v1/types.js';
import type {
  HorizontalPodAutoscaler,
  HorizontalPodAutoscalerCondition,
  HorizontalPodAutoscalerStatus,
  MetricSpec,
  MetricStatus,
  MetricValueStatus,
} from '../../../api/autoscaling/v2/types.js';
import { isDeepStrictEqual } from 'node:util';
import { BUILTIN_RESOURCES } from '../../../api/resources.js';
import type { SharedIndexInformer } from '../../client/informer.js';
import type { GroupVersionResource } from '../../client/rest.js';
import { RateLimitingQueue, runWorkers } from '../../client/workqueue.js';
import { tryParseSelector, type Selector } from '../../../api/labels/selector.js';
import type { Controller, ControllerContext } from '../context.js';
import { behaviorWithDefaults, ScalingHistory, type Normalized } from './behavior.js';
import { milliValue, RESTMetricsClient, type MetricsClient } from './metrics_client.js';
import { ReplicaCalculator } from './replica_calculator.js';
import type { Scale } from './types.js';

export interface HorizontalControllerOptions {
  /** The resource metrics source; defaults to metrics.k8s.io/v1beta1 through the apiserver. */
  metrics?: MetricsClient;
  /** --horizontal-pod-autoscaler-sync-period, default 15 s. */
  syncPeriodMs?: number;
  /** --horizontal-pod-autoscaler-downscale-stabilization, default 5 minutes (HPAs without spec.behavior.scaleDown window). */
  downscaleStabilisationWindowMs?: number;
  /** --horizontal-pod-autoscaler-tolerance, default 0.1. */
  tolerance?: number;
  now?: () => number;
}

const HPA_GVK = { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler' };

function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A milli-value as a canonical quantity string ("150m", "2"), as resource.NewMilliQuantity prints. */
export function formatMilli(milli: number): string {
  return milli % 1000 === 0 ? String(milli / 1000) : `${milli}m`;
}

/** A proposal from one metric, or the condition to set when it could not be computed. */
interface MetricProposal {
  replicas: number;
  metricName: string;
  timestamp: number;
  status?: MetricStatus;
  error?: Error;
  condition?: Omit<HorizontalPodAutoscalerCondition, 'lastTransitionTime'>;
}

export class HorizontalController implements Controller {
  private readonly queue = new RateLimitingQueue<string>(undefined, 'horizontalpodautoscaler');
  private readonly hpas: SharedIndexInformer<HorizontalPodAutoscaler>;
  private readonly pods: SharedIndexInformer<Pod>;
  private readonly metrics: MetricsClient;
  private readonly syncPeriodMs: number;
  private readonly now: () => number;
  readonly history: ScalingHistory;
  readonly replicaCalc: ReplicaCalculator;

  constructor(
    private readonly ctx: ControllerContext,
    opts: HorizontalControllerOptions = {},
  ) {
    this.metrics = opts.metrics ?? new RESTMetricsClient(ctx.client);
    this.syncPeriodMs = opts.syncPeriodMs ?? 15_000;
    this.now = opts.now ?? Date.now;
    this.history = new ScalingHistory(this.now, opts.downscaleStabilisationWindowMs ?? 5 * 60_000);
    this.hpas = ctx.informers.forResource<HorizontalPodAutoscaler>('autoscaling/v2', 'horizontalpodautoscalers');
    this.pods = ctx.informers.forResource<Pod>('v1', 'pods');
    this.replicaCalc = new ReplicaCalculator({
      metrics: this.metrics,
      listPods: (ns, sel) => this.pods.lister.list(ns, sel),
      tolerance: opts.tolerance,
      now: this.now,
    });
    const key = (o: HorizontalPodAutoscaler) => `${o.metadata.namespace}/${o.metadata.name}`;
    // As upstream, adds and updates (our own status writes included) wait for the
    // next sync interval rather than triggering an immediate reconcile.
    this.hpas.addEventHandler({
      onAdd: (h) => this.enqueue(key(h)),
      onUpdate: (_o, h) => this.enqueue(key(h)),
      onDelete: (h) => {
        this.queue.forget(key(h));
        this.history.forget(key(h));
      },
    });
  }

  private enqueue(key: string): void {
    // Every request waits one sync period; one already waiting absorbs the new one
    // (the earliest wins), so each HPA is reconciled once per period.
    this.queue.addAfter(key, this.syncPeriodMs);
  }

  async run(workers: number, signal: AbortSignal): Promise<void> {
    signal.addEventListener('abort', () => this.queue.shutDown(), { once: true });
    this.ctx.informers.start();
    await Promise.all([this.hpas.waitForCacheSync(), this.pods.waitForCacheSync()]);
    await runWorkers(this.queue, workers, (key) => this.syncHandler(key), { log: this.ctx.log });
  }

  /** Reconciles one HPA, then schedules its next sync; errors are logged, never thrown. */
  async syncHandler(key: string): Promise<void> {
    const [namespace, name] = key.split('/');
    const hpa = this.hpas.lister.get(namespace, name);
    if (!hpa) {
      this.history.forget(key);
      return;
    }
    try {
      await this.reconcileAutoscaler(structuredClone(hpa), key);
    } catch (err) {
      this.ctx.log(`horizontal-pod-autoscaler: ${key}: ${(err as Error)?.message ?? String(err)}`);
    }
    this.queue.addAfter(key, this.syncPeriodMs);
  }

  private event(hpa: HorizontalPodAutoscaler, type: 'Normal' | 'Warning', reason: string, message: string): void {
    void this.ctx.recorder.event(hpa, type, reason, message, HPA_GVK);
  }

  private setCondition(hpa: HorizontalPodAutoscaler, type: string, status: 'True' | 'False', reason: string, message: string): void {
    const status0 = (hpa.status ??= { desiredReplicas: 0 });
    const conditions = (status0.conditions ??= []);
    let c = conditions.find((x) => x.type === type);
    if (!c) {
      c = { type, status };
      conditions.push(c);
      c.lastTransitionTime = rfc3339(this.now());
    } else if (c.status !== status) {
      c.lastTransitionTime = rfc3339(this.now());
    }
    c.status = status;
    c.reason = reason;
    c.message = message;
  }

  /** The scale subresource's resource for the target's kind (Deployment → apps/deployments, ...). */
  private scaleResource(hpa: HorizontalPodAutoscaler): GroupVersionResource {
    const ref = hpa.spec.scaleTargetRef;
    const apiVersion = ref.apiVersion ?? '';
    const slash = apiVersion.indexOf('/');
    const group = slash < 0 ? '' : apiVersion.slice(0, slash);
    const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
    const info =
      BUILTIN_RESOURCES.find((r) => r.group === group && r.kind === ref.kind && r.version === version && r.subresources?.includes('scale')) ??
      BUILTIN_RESOURCES.find((r) => r.group === group && r.kind === ref.kind && r.subresources?.includes('scale'));
    if (!info) throw new Error(`unable to determine resource for scale target reference: no matches for kind "${ref.kind}" in group "${group}"`);
    return { group: info.group, version: info.version, resource: info.plural, namespaced: info.namespaced, kind: info.kind };
  }

  async reconcileAutoscaler(hpa: HorizontalPodAutoscaler, key: string): Promise<void> {
    const original = structuredClone(hpa.status ?? { desiredReplicas: 0 });
    const namespace = hpa.metadata.namespace ?? 'default';
    const ref = hpa.spec.scaleTargetRef;
    const reference = `${ref.kind}/${namespace}/${ref.name}`;

    let scalePath: string;
    let scale: Scale;
    try {
      scalePath = this.ctx.client.resource(this.scaleResource(hpa)).path(namespace, ref.name, 'scale');
      scale = await this.ctx.client.rest.request<Scale>('GET', scalePath);
    } catch (err) {
      const msg = (err as Error)?.message ?? String(err);
      this.event(hpa, 'Warning', 'FailedGetScale', msg);
      this.setCondition(hpa, 'AbleToScale', 'False', 'FailedGetScale', `the HPA controller was unable to get the target's current scale: ${msg}`);
      await this.updateStatusIfNeeded(original, hpa);
      throw new Error(`failed to query scale subresource for ${reference}: ${msg}`);
    }
    this.setCondition(hpa, 'AbleToScale', 'True', 'SucceededGetScale', "the HPA controller was able to get the target's current scale");
    const currentReplicas = scale.spec?.replicas ?? 0;
    this.history.recordInitialRecommendation(key, currentReplicas);

    const minReplicas = hpa.spec.minReplicas ?? 1;
    const maxReplicas = hpa.spec.maxReplicas;
    const behavior = hpa.spec.behavior ? behaviorWithDefaults(hpa.spec.behavior, this.history.downscaleStabilisationWindowMs / 1000) : undefined;
    let desiredReplicas = 0;
    let rescaleReason = '';
    let rescale = true;
    let metricStatuses: MetricStatus[] = [];
    let retErr: Error | undefined;

    if (currentReplicas === 0 && minReplicas !== 0) {
      // A target scaled to zero by hand is left alone.
      rescale = false;
      this.setCondition(hpa, 'ScalingActive', 'False', 'ScalingDisabled', 'scaling is disabled since the replica count of the target is zero');
    } else if (currentReplicas > maxReplicas) {
      rescaleReason = 'Current number of replicas above Spec.MaxReplicas';
      desiredReplicas = maxReplicas;
    } else if (currentReplicas < minReplicas) {
      rescaleReason = 'Current number of replicas below Spec.MinReplicas';
      desiredReplicas = minReplicas;
    } else {
      const computed = await this.computeReplicasForMetrics(hpa, scale, hpa.spec.metrics ?? []);
      metricStatuses = computed.statuses;
      if (computed.error && computed.replicas === -1) {
        this.setCurrentReplicasAndMetricsInStatus(hpa, currentReplicas, metricStatuses);
        await this.updateStatusIfNeeded(original, hpa);
        this.event(hpa, 'Warning', 'FailedComputeMetricsReplicas', computed.error.message);
        throw new Error(`failed to compute desired number of replicas based on listed metrics for ${reference}: ${computed.error.message}`);
      }
      // Some metrics failed but the rest say scale up: scale, and report the error after.
      retErr = computed.error;
      let rescaleMetric = '';
      if (computed.replicas > desiredReplicas) {
        desiredReplicas = computed.replicas;
        rescaleMetric = computed.metricName;
      }
      if (desiredReplicas > currentReplicas) rescaleReason = `${rescaleMetric} above target`;
      if (desiredReplicas < currentReplicas) rescaleReason = 'All metrics below target';
      const n: Normalized = behavior
        ? this.history.normalizeDesiredReplicasWithBehaviors({
            key,
            scaleUp: behavior.scaleUp,
            scaleDown: behavior.scaleDown,
            minReplicas,
            maxReplicas,
            currentReplicas,
            desiredReplicas,
          })
        : this.history.normalizeDesiredReplicas(key, currentReplicas, desiredReplicas, minReplicas, maxReplicas);
      this.setCondition(hpa, 'AbleToScale', 'True', n.ableToScale.reason, n.ableToScale.message);
      this.setCondition(hpa, 'ScalingLimited', n.scalingLimited.status, n.scalingLimited.reason, n.scalingLimited.message);
      desiredReplicas = n.desiredReplicas;
      rescale = desiredReplicas !== currentReplicas;
    }

    if (rescale) {
      try {
        await this.ctx.client.rest.request<Scale>('PUT', scalePath, { body: { ...scale, spec: { ...scale.spec, replicas: desiredReplicas } } });
      } catch (err) {
        const msg = (err as Error)?.message ?? String(err);
        this.event(hpa, 'Warning', 'FailedRescale', `New size: ${desiredReplicas}; reason: ${rescaleReason}; error: ${msg}`);
        this.setCondition(hpa, 'AbleToScale', 'False', 'FailedUpdateScale', `the HPA controller was unable to update the target scale: ${msg}`);
        this.setCurrentReplicasAndMetricsInStatus(hpa, currentReplicas, metricStatuses);
        await this.updateStatusIfNeeded(original, hpa);
        throw new Error(`failed to rescale ${reference}: ${msg}`);
      }
      this.setCondition(hpa, 'AbleToScale', 'True', 'SucceededRescale', `the HPA controller was able to update the target scale to ${desiredReplicas}`);
      this.event(hpa, 'Normal', 'SuccessfulRescale', `New size: ${desiredReplicas}; reason: ${rescaleReason}`);
      this.history.storeScaleEvent(behavior, key, currentReplicas, desiredReplicas);
      this.ctx.log.v(2)('successfully rescaled', { hpa: key, currentReplicas, desiredReplicas, reason: rescaleReason });
    } else {
      desiredReplicas = currentReplicas;
    }

    this.setStatus(hpa, currentReplicas, desiredReplicas, metricStatuses, rescale);
    await this.updateStatusIfNeeded(original, hpa);
    if (retErr) throw retErr;
  }

  /** The largest proposal over all metrics; -1 when none could be computed (or a failure would hide a scale down). */
  private async computeReplicasForMetrics(
    hpa: HorizontalPodAutoscaler,
    scale: Scale,
    specs: MetricSpec[],
  ): Promise<{ replicas: number; metricName: string; statuses: MetricStatus[]; error?: Error }> {
    const selectorString = scale.status?.selector ?? '';
    if (!selectorString) {
      this.event(hpa, 'Warning', 'SelectorRequired', 'selector is required');
      this.setCondition(hpa, 'ScalingActive', 'False', 'InvalidSelector', "the HPA target's scale is missing a selector");
      return { replicas: -1, metricName: '', statuses: [], error: new Error('selector is required') };
    }
    const parsed = tryParseSelector(selectorString);
    if ('error' in parsed) {
      const msg = `couldn't convert selector into a corresponding internal selector object: ${parsed.error}`;
      this.event(hpa, 'Warning', 'InvalidSelector', msg);
      this.setCondition(hpa, 'ScalingActive', 'False', 'InvalidSelector', msg);
      return { replicas: -1, metricName: '', statuses: [], error: new Error(msg) };
    }
    const specReplicas = scale.spec?.replicas ?? 0;
    const statuses: MetricStatus[] = [];
    let replicas = 0;
    let metricName = '';
    let invalidCount = 0;
    let firstError: Error | undefined;
    let firstCondition: MetricProposal['condition'];
    for (const spec of specs) {
      const p = await this.computeReplicasForMetric(hpa, spec, specReplicas, parsed.selector);
      // A metric that could not be read keeps its place (so TARGETS lines up) without a current value.
      statuses.push(p.status ?? { type: spec.type });
      if (p.error) {
        if (invalidCount === 0) {
          firstError = p.error;
          firstCondition = p.condition;
        }
        invalidCount++;
        continue;
      }
      if (replicas === 0 || p.replicas > replicas) {
        replicas = p.replicas;
        metricName = p.metricName;
      }
    }
    const error = firstError ? new Error(`invalid metrics (${invalidCount} invalid out of ${specs.length}), first error is: ${firstError.message}`) : undefined;
    if (invalidCount >= specs.length || (invalidCount > 0 && replicas < specReplicas)) {
      if (firstCondition)
        this.setCondition(hpa, firstCondition.type, firstCondition.status as 'True' | 'False', firstCondition.reason ?? '', firstCondition.message ?? '');
      return { replicas: -1, metricName: '', statuses, error: error ?? new Error('no metrics to compute a replica count from') };
    }
    this.setCondition(hpa, 'ScalingActive', 'True', 'ValidMetricFound', `the HPA was able to successfully calculate a replica count from ${metricName}`);
    return { replicas, metricName, statuses, error };
  }

  private async computeReplicasForMetric(hpa: HorizontalPodAutoscaler, spec: MetricSpec, specReplicas: number, selector: Selector): Promise<MetricProposal> {
    const unable = (reason: string, error: Error): MetricProposal => {
      this.event(hpa, 'Warning', reason, error.message);
      return {
        replicas: 0,
        metricName: '',
        timestamp: 0,
        error,
        condition: { type: 'ScalingActive', status: 'False', reason, message: `the HPA was unable to compute the replica count: ${error.message}` },
      };
    };
    const namespace = hpa.metadata.namespace ?? 'default';
    switch (spec.type) {
      case 'Resource':
      case 'ContainerResource': {
        const src = spec.type === 'Resource' ? spec.resource : spec.containerResource;
        const reason = spec.type === 'Resource' ? 'FailedGetResourceMetric' : 'FailedGetContainerResourceMetric';
        if (!src)
          return unable(reason, new Error(`invalid ${spec.type} metric source: missing ${spec.type === 'Resource' ? 'resource' : 'containerResource'}`));
        const container = spec.type === 'ContainerResource' ? spec.containerResource?.container : undefined;
        try {
          const { proposal, current, metricName } = await this.computeStatusForResourceMetric(
            specReplicas,
            src.target,
            src.name,
            namespace,
            container,
            selector,
          );
          const status: MetricStatus =
            spec.type === 'Resource'
              ? { type: 'Resource', resource: { name: src.name, current } }
              : { type: 'ContainerResource', containerResource: { name: src.name, container: container ?? '', current } };
          return { replicas: proposal, metricName, timestamp: 0, status };
        } catch (err) {
          return unable(reason, err as Error);
        }
      }
      case 'Pods':
        return unable('FailedGetPodsMetric', new Error('unable to get metric: the custom metrics API (custom.metrics.k8s.io) is not served'));
      case 'Object':
        return unable('FailedGetObjectMetric', new Error('unable to get metric: the custom metrics API (custom.metrics.k8s.io) is not served'));
      case 'External':
        return unable('FailedGetExternalMetric', new Error('unable to get external metric: the external metrics API (external.metrics.k8s.io) is not served'));
      default: {
        const error = new Error(`unknown metric source type "${spec.type}"`);
        this.event(hpa, 'Warning', 'InvalidMetricSourceType', error.message);
        return {
          replicas: 0,
          metricName: '',
          timestamp: 0,
          error,
          condition: {
            type: 'ScalingActive',
            status: 'False',
            reason: 'InvalidMetricSourceType',
            message: `the HPA was unable to compute the replica count: ${error.message}`,
          },
        };
      }
    }
  }

  private async computeStatusForResourceMetric(
    currentReplicas: number,
    target: { averageValue?: string | number; averageUtilization?: number },
    resource: string,
    namespace: string,
    container: string | undefined,
    selector: Selector,
  ): Promise<{ proposal: number; current: MetricValueStatus; metricName: string }> {
    if (target.averageValue !== undefined) {
      const targetMilli = milliValue(target.averageValue);
      if (targetMilli === undefined) throw new Error(`failed to get ${resource} usage: invalid averageValue ${String(target.averageValue)}`);
      try {
        const r = await this.replicaCalc.getRawResourceReplicas(currentReplicas, targetMilli, resource, namespace, selector, container);
        return { proposal: r.replicas, current: { averageValue: formatMilli(r.rawAverage) }, metricName: `${resource} resource` };
      } catch (err) {
        throw new Error(`failed to get ${resource} usage: ${(err as Error).message}`);
      }
    }
    if (target.averageUtilization === undefined)
      throw new Error('invalid resource metric source: neither an average utilization target nor an average value (usage) target was set');
    try {
      const r = await this.replicaCalc.getResourceReplicas(currentReplicas, target.averageUtilization, resource, namespace, selector, container);
      return {
        proposal: r.replicas,
        current: { averageUtilization: r.utilization, averageValue: formatMilli(r.rawAverage) },
        metricName: `${resource} resource utilization (percentage of request)`,
      };
    } catch (err) {
      throw new Error(`failed to get ${resource} utilization: ${(err as Error).message}`);
    }
  }

  private setCurrentReplicasAndMetricsInStatus(hpa: HorizontalPodAutoscaler, currentReplicas: number, metricStatuses: MetricStatus[]): void {
    this.setStatus(hpa, currentReplicas, hpa.status?.desiredReplicas ?? 0, metricStatuses, false);
  }

  private setStatus(hpa: HorizontalPodAutoscaler, currentReplicas: number, desiredReplicas: number, metricStatuses: MetricStatus[], rescale: boolean): void {
    const old = hpa.status;
    const status: HorizontalPodAutoscalerStatus = {
      currentReplicas,
      desiredReplicas,
      lastScaleTime: rescale ? rfc3339(this.now()) : old?.lastScaleTime,
      currentMetrics: metricStatuses.length ? metricStatuses : undefined,
      conditions: old?.conditions,
    };
    hpa.status = JSON.parse(JSON.stringify(status)) as HorizontalPodAutoscalerStatus;
  }

  private async updateStatusIfNeeded(original: HorizontalPodAutoscalerStatus, hpa: HorizontalPodAutoscaler): Promise<void> {
    if (isDeepStrictEqual(original, hpa.status)) return;
    await this.ctx.client.resource<HorizontalPodAutoscaler>('autoscaling/v2', 'horizontalpodautoscalers').namespace(hpa.metadata.namespace).updateStatus(hpa);
  }
}
