// Pod helpers every component shares, after upstream's pkg/api/v1/pod (podutil)
// and pkg/apis/core/v1/helper/qos. They read objects that may come from any
// client, so a missing or malformed list counts as empty.
import { parseQuantity } from '../../resource/quantity.js';
import type { Container, ContainerStatus, Pod, PodCondition, PodSpec } from './types.js';

export type QOSClass = 'Guaranteed' | 'Burstable' | 'BestEffort';

/** podutil.GetPodCondition: the pod's condition of the given type. */
export function getPodCondition(pod: Pick<Pod, 'status'>, type: string): PodCondition | undefined {
  const conditions = pod.status?.conditions;
  return Array.isArray(conditions) ? conditions.find((c) => c?.type === type) : undefined;
}

export function getPodReadyCondition(pod: Pick<Pod, 'status'>): PodCondition | undefined {
  return getPodCondition(pod, 'Ready');
}

/** podutil.IsPodReady: the Ready condition is True. */
export function isPodReady(pod: Pick<Pod, 'status'>): boolean {
  return getPodReadyCondition(pod)?.status === 'True';
}

/**
 * podutil.IsPodAvailable: ready for at least minReadySeconds, counted from the
 * Ready condition's lastTransitionTime (a missing time only counts when minReadySeconds is 0).
 */
export function isPodAvailable(pod: Pick<Pod, 'status'>, minReadySeconds: number, now: number): boolean {
  if (!isPodReady(pod)) return false;
  if (minReadySeconds <= 0) return true;
  const t = getPodReadyCondition(pod)?.lastTransitionTime;
  return typeof t === 'string' && Date.parse(t) + minReadySeconds * 1000 < now;
}

/** podutil.IsPodTerminal: Succeeded or Failed. */
export function isPodTerminal(pod: Pick<Pod, 'status'>): boolean {
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}

/** controller.IsPodActive: not terminal and not being deleted. */
export function isPodActive(pod: Pick<Pod, 'status' | 'metadata'>): boolean {
  return !isPodTerminal(pod) && !pod.metadata.deletionTimestamp;
}

/** The pod's init containers then its containers. */
export function allContainers(spec: PodSpec | undefined): Container[] {
  const init = Array.isArray(spec?.initContainers) ? spec.initContainers : [];
  const main = Array.isArray(spec?.containers) ? spec.containers : [];
  return [...init, ...main];
}

/** A container (init or regular) by name. */
export function findContainer(spec: PodSpec | undefined, name: string): Container | undefined {
  return allContainers(spec).find((c) => c?.name === name);
}

/** podutil.GetContainerStatus: the status of a container by name. */
export function getContainerStatus(statuses: ContainerStatus[] | undefined, name: string): ContainerStatus | undefined {
  return Array.isArray(statuses) ? statuses.find((s) => s?.name === name) : undefined;
}

const QOS_RESOURCES = ['cpu', 'memory'];

function positive(list: { [name: string]: unknown } | undefined, name: string): number | undefined {
  if (list === null || typeof list !== 'object' || !Object.hasOwn(list, name)) return undefined;
  const v = parseQuantity(list[name]);
  return v !== undefined && v > 0 ? v : undefined;
}

/** qos.GetPodQOS: Guaranteed when every container's cpu and memory limits are set and equal its requests, BestEffort when none are set. */
export function getPodQOS(pod: { spec?: PodSpec }): QOSClass {
  const requests = new Map<string, number>();
  const limits = new Map<string, number>();
  let isGuaranteed = true;
  for (const c of allContainers(pod.spec)) {
    const res = c?.resources;
    for (const name of QOS_RESOURCES) {
      const req = positive(res?.requests, name);
      if (req !== undefined) requests.set(name, (requests.get(name) ?? 0) + req);
    }
    let limited = 0;
    for (const name of QOS_RESOURCES) {
      const lim = positive(res?.limits, name);
      if (lim === undefined) continue;
      limited++;
      limits.set(name, (limits.get(name) ?? 0) + lim);
    }
    if (limited !== QOS_RESOURCES.length) isGuaranteed = false;
  }
  if (requests.size === 0 && limits.size === 0) return 'BestEffort';
  if (isGuaranteed) {
    for (const [name, req] of requests) {
      if (Math.abs((limits.get(name) ?? 0) - req) > 1e-9) isGuaranteed = false;
    }
  }
  return isGuaranteed && requests.size === limits.size ? 'Guaranteed' : 'Burstable';
}
