// HorizontalPodAutoscaler autoscaling/v1 <-> autoscaling/v2 (the storage version).
// v1 knows only a CPU utilisation target; as in Kubernetes, what v1 cannot express
// (other metrics, conditions, behavior) is kept in annotations on the v1 view so a
// v1 read-modify-write does not lose it.
import type { KubeObject } from '../meta/v1/types.js';

const METRICS = 'autoscaling.alpha.kubernetes.io/metrics';
const CONDITIONS = 'autoscaling.alpha.kubernetes.io/conditions';
const CURRENT_METRICS = 'autoscaling.alpha.kubernetes.io/current-metrics';
const BEHAVIOR = 'autoscaling.alpha.kubernetes.io/behavior';

interface MetricSpec {
  type: string;
  resource?: { name: string; target?: { type?: string; averageUtilization?: number } };
}
interface MetricStatus {
  type: string;
  resource?: { name: string; current?: { averageUtilization?: number } };
}
type Obj = Record<string, unknown>;

const isCPUUtilization = (m: MetricSpec) => m.type === 'Resource' && m.resource?.name === 'cpu' && m.resource.target?.type === 'Utilization';

function annotationsWithout(meta: KubeObject['metadata'], keys: string[]): Record<string, string> | undefined {
  const a = { ...(meta.annotations ?? {}) };
  for (const k of keys) delete a[k];
  return Object.keys(a).length ? a : undefined;
}

export function hpaV2ToV1(obj: KubeObject): KubeObject {
  const spec = (obj.spec ?? {}) as Obj;
  const status = obj.status as Obj | undefined;
  const metrics = (spec.metrics ?? []) as MetricSpec[];
  const cpu = metrics.find(isCPUUtilization);
  const others = metrics.filter((m) => m !== cpu);
  const annotations: Record<string, string> = { ...(obj.metadata.annotations ?? {}) };
  if (others.length) annotations[METRICS] = JSON.stringify(others);
  if (spec.behavior) annotations[BEHAVIOR] = JSON.stringify(spec.behavior);
  const v1Spec: Obj = { scaleTargetRef: spec.scaleTargetRef, minReplicas: spec.minReplicas, maxReplicas: spec.maxReplicas };
  if (cpu) v1Spec.targetCPUUtilizationPercentage = cpu.resource?.target?.averageUtilization;
  const out: KubeObject = { ...obj, apiVersion: 'autoscaling/v1', metadata: { ...obj.metadata }, spec: v1Spec };
  if (status) {
    const current = (status.currentMetrics ?? []) as MetricStatus[];
    const cpuNow = current.find((m) => m.type === 'Resource' && m.resource?.name === 'cpu');
    const otherNow = current.filter((m) => m !== cpuNow);
    if (otherNow.length) annotations[CURRENT_METRICS] = JSON.stringify(otherNow);
    if (Array.isArray(status.conditions) && status.conditions.length) annotations[CONDITIONS] = JSON.stringify(status.conditions);
    const v1Status: Obj = {
      observedGeneration: status.observedGeneration,
      lastScaleTime: status.lastScaleTime,
      currentReplicas: status.currentReplicas ?? 0,
      desiredReplicas: status.desiredReplicas ?? 0,
    };
    if (cpuNow?.resource?.current?.averageUtilization !== undefined) v1Status.currentCPUUtilizationPercentage = cpuNow.resource.current.averageUtilization;
    out.status = JSON.parse(JSON.stringify(v1Status)) as Obj;
  }
  out.metadata.annotations = Object.keys(annotations).length ? annotations : undefined;
  if (!out.metadata.annotations) delete out.metadata.annotations;
  return JSON.parse(JSON.stringify(out)) as KubeObject;
}

export function hpaV1ToV2(obj: KubeObject): KubeObject {
  const spec = (obj.spec ?? {}) as Obj;
  const status = obj.status as Obj | undefined;
  const a = obj.metadata.annotations ?? {};
  const metrics: MetricSpec[] = [];
  if (typeof spec.targetCPUUtilizationPercentage === 'number') {
    metrics.push({ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: spec.targetCPUUtilizationPercentage } } });
  }
  if (a[METRICS]) metrics.push(...(JSON.parse(a[METRICS]) as MetricSpec[]));
  const v2Spec: Obj = { scaleTargetRef: spec.scaleTargetRef, minReplicas: spec.minReplicas, maxReplicas: spec.maxReplicas };
  if (metrics.length) v2Spec.metrics = metrics;
  if (a[BEHAVIOR]) v2Spec.behavior = JSON.parse(a[BEHAVIOR]);
  const out: KubeObject = {
    ...obj,
    apiVersion: 'autoscaling/v2',
    metadata: { ...obj.metadata, annotations: annotationsWithout(obj.metadata, [METRICS, CONDITIONS, CURRENT_METRICS, BEHAVIOR]) },
    spec: v2Spec,
  };
  if (!out.metadata.annotations) delete out.metadata.annotations;
  if (status) {
    const current: MetricStatus[] = [];
    if (typeof status.currentCPUUtilizationPercentage === 'number')
      current.push({ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: status.currentCPUUtilizationPercentage } } });
    if (a[CURRENT_METRICS]) current.push(...(JSON.parse(a[CURRENT_METRICS]) as MetricStatus[]));
    const v2Status: Obj = {
      observedGeneration: status.observedGeneration,
      lastScaleTime: status.lastScaleTime,
      currentReplicas: status.currentReplicas,
      desiredReplicas: status.desiredReplicas ?? 0,
    };
    if (current.length) v2Status.currentMetrics = current;
    if (a[CONDITIONS]) v2Status.conditions = JSON.parse(a[CONDITIONS]);
    out.status = v2Status;
  }
  return JSON.parse(JSON.stringify(out)) as KubeObject;
}
