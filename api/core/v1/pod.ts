// Pod helpers every component shares, after upstream's pkg/api/v1/pod (podutil)
// and pkg/apis/core/v1/helper/qos. They read objects that may come from any
// client, so a missing or malformed list counts as empty.
import { parseQuantity } from '../../resource/quantity.js';
import type { Container, ContainerStatus, EnvFromSource, EnvVar, Pod, PodCondition, PodSpec, Volume } from './types.js';

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

/** What env and envFrom every container of a pod reads, ephemeral ones included (podutil.VisitContainers with AllContainers). */
function containerEnvSources(spec: PodSpec | undefined): Array<{ env?: EnvVar[]; envFrom?: EnvFromSource[] }> {
  const ephemeral = Array.isArray(spec?.ephemeralContainers) ? spec.ephemeralContainers : [];
  return [...allContainers(spec), ...ephemeral].filter((c) => c !== null && typeof c === 'object');
}

function volumesOf(spec: PodSpec | undefined): Volume[] {
  return Array.isArray(spec?.volumes) ? spec.volumes.filter((v) => v !== null && typeof v === 'object') : [];
}

function list<T>(v: T[] | undefined): T[] {
  return Array.isArray(v) ? v : [];
}

/**
 * podutil.VisitPodSecretNames: the name of every Secret the pod refers to (image pull
 * secrets, env and envFrom, and volume sources), once or more each, empty names skipped.
 */
export function visitPodSecretNames(pod: Pick<Pod, 'spec'>, visit: (name: string) => void): void {
  const v = (name: string | undefined) => typeof name === 'string' && name !== '' && visit(name);
  for (const ref of list(pod.spec?.imagePullSecrets)) v(ref?.name);
  for (const c of containerEnvSources(pod.spec)) {
    for (const e of list(c.envFrom)) v(e?.secretRef?.name);
    for (const e of list(c.env)) v(e?.valueFrom?.secretKeyRef?.name);
  }
  for (const s of volumesOf(pod.spec)) {
    v(s.secret?.secretName);
    for (const p of list(s.projected?.sources)) v(p?.secret?.name);
    v(s.azureFile?.secretName);
    for (const ref of [s.cephfs?.secretRef, s.cinder?.secretRef, s.flexVolume?.secretRef, s.rbd?.secretRef, s.scaleIO?.secretRef]) v(ref?.name);
    for (const ref of [s.iscsi?.secretRef, s.storageos?.secretRef, s.csi?.nodePublishSecretRef]) v(ref?.name);
  }
}

/** podutil.VisitPodConfigmapNames: the name of every ConfigMap the pod refers to (env, envFrom, volumes). */
export function visitPodConfigMapNames(pod: Pick<Pod, 'spec'>, visit: (name: string) => void): void {
  const v = (name: string | undefined) => typeof name === 'string' && name !== '' && visit(name);
  for (const c of containerEnvSources(pod.spec)) {
    for (const e of list(c.envFrom)) v(e?.configMapRef?.name);
    for (const e of list(c.env)) v(e?.valueFrom?.configMapKeyRef?.name);
  }
  for (const s of volumesOf(pod.spec)) {
    v(s.configMap?.name);
    for (const p of list(s.projected?.sources)) v(p?.configMap?.name);
  }
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
