// The labels and annotations the kubelet puts on CRI sandboxes and containers
// (upstream kuberuntime/labels.go, same keys). They are the kubelet's only memory
// across restarts: a new kubelet rebuilds each pod's runtime state — which
// container belongs to which pod, its restart count, spec hash, termination
// message path and preStop hook — from ListPodSandbox/ListContainers alone.
import type { Container, ContainerPort, LifecycleHandler, Pod } from '../../../api/core/v1/types.js';

export const POD_NAME_LABEL = 'io.kubernetes.pod.name';
export const POD_NAMESPACE_LABEL = 'io.kubernetes.pod.namespace';
export const POD_UID_LABEL = 'io.kubernetes.pod.uid';
export const CONTAINER_NAME_LABEL = 'io.kubernetes.container.name';

export const POD_DELETION_GRACE_PERIOD_ANNOTATION = 'io.kubernetes.pod.deletionGracePeriod';
export const POD_TERMINATION_GRACE_PERIOD_ANNOTATION = 'io.kubernetes.pod.terminationGracePeriod';
export const CONTAINER_HASH_ANNOTATION = 'io.kubernetes.container.hash';
export const CONTAINER_RESTART_COUNT_ANNOTATION = 'io.kubernetes.container.restartCount';
export const CONTAINER_TERMINATION_MESSAGE_PATH_ANNOTATION = 'io.kubernetes.container.terminationMessagePath';
export const CONTAINER_TERMINATION_MESSAGE_POLICY_ANNOTATION = 'io.kubernetes.container.terminationMessagePolicy';
export const CONTAINER_PRESTOP_HANDLER_ANNOTATION = 'io.kubernetes.container.preStopHandler';
export const CONTAINER_PORTS_ANNOTATION = 'io.kubernetes.container.ports';
export const CONTAINER_TYPE_ANNOTATION = 'io.kubernetes.container.type';

export type ContainerType = 'init' | 'container' | 'ephemeral';

/** Sandbox labels: the pod's own labels plus name/namespace/uid. */
export function newPodLabels(pod: Pod): Record<string, string> {
  return {
    ...(pod.metadata.labels ?? {}),
    [POD_NAME_LABEL]: pod.metadata.name ?? '',
    [POD_NAMESPACE_LABEL]: pod.metadata.namespace ?? '',
    [POD_UID_LABEL]: pod.metadata.uid ?? '',
  };
}

/** Sandbox annotations: the pod's annotations as they are. */
export function newPodAnnotations(pod: Pod): Record<string, string> {
  return { ...(pod.metadata.annotations ?? {}) };
}

export function newContainerLabels(container: Container, pod: Pod): Record<string, string> {
  return {
    [POD_NAME_LABEL]: pod.metadata.name ?? '',
    [POD_NAMESPACE_LABEL]: pod.metadata.namespace ?? '',
    [POD_UID_LABEL]: pod.metadata.uid ?? '',
    [CONTAINER_NAME_LABEL]: container.name,
  };
}

export function newContainerAnnotations(container: Container, pod: Pod, restartCount: number, hash: string): Record<string, string> {
  const a: Record<string, string> = {
    [CONTAINER_HASH_ANNOTATION]: hash,
    [CONTAINER_RESTART_COUNT_ANNOTATION]: String(restartCount),
    [CONTAINER_TERMINATION_MESSAGE_PATH_ANNOTATION]: container.terminationMessagePath ?? '',
    [CONTAINER_TERMINATION_MESSAGE_POLICY_ANNOTATION]: container.terminationMessagePolicy ?? '',
  };
  if (pod.metadata.deletionGracePeriodSeconds !== undefined) a[POD_DELETION_GRACE_PERIOD_ANNOTATION] = String(pod.metadata.deletionGracePeriodSeconds);
  if (pod.spec.terminationGracePeriodSeconds !== undefined) a[POD_TERMINATION_GRACE_PERIOD_ANNOTATION] = String(pod.spec.terminationGracePeriodSeconds);
  // JSON so the handler can be rebuilt when the pod itself is gone (deleted while the kubelet was down).
  if (container.lifecycle?.preStop) a[CONTAINER_PRESTOP_HANDLER_ANNOTATION] = JSON.stringify(container.lifecycle.preStop);
  if (container.ports?.length) a[CONTAINER_PORTS_ANNOTATION] = JSON.stringify(container.ports);
  if ((pod.spec.initContainers ?? []).some((c) => c.name === container.name)) a[CONTAINER_TYPE_ANNOTATION] = 'init';
  else if (pod.spec.containers.some((c) => c.name === container.name)) a[CONTAINER_TYPE_ANNOTATION] = 'container';
  return a;
}

export interface LabeledPodSandboxInfo {
  podName: string;
  podNamespace: string;
  podUID: string;
  /** The pod's own labels (the three above removed). */
  labels: Record<string, string>;
}

export function podSandboxInfoFromLabels(labels: Record<string, string> | undefined): LabeledPodSandboxInfo {
  const l = labels ?? {};
  const own: Record<string, string> = {};
  for (const [k, v] of Object.entries(l)) if (k !== POD_NAME_LABEL && k !== POD_NAMESPACE_LABEL && k !== POD_UID_LABEL) own[k] = v;
  return { podName: l[POD_NAME_LABEL] ?? '', podNamespace: l[POD_NAMESPACE_LABEL] ?? '', podUID: l[POD_UID_LABEL] ?? '', labels: own };
}

export interface LabeledContainerInfo {
  containerName: string;
  podName: string;
  podNamespace: string;
  podUID: string;
}

export function containerInfoFromLabels(labels: Record<string, string> | undefined): LabeledContainerInfo {
  const l = labels ?? {};
  return {
    containerName: l[CONTAINER_NAME_LABEL] ?? '',
    podName: l[POD_NAME_LABEL] ?? '',
    podNamespace: l[POD_NAMESPACE_LABEL] ?? '',
    podUID: l[POD_UID_LABEL] ?? '',
  };
}

export interface AnnotatedContainerInfo {
  hash: string;
  restartCount: number;
  podDeletionGracePeriod?: number;
  podTerminationGracePeriod?: number;
  terminationMessagePath: string;
  terminationMessagePolicy: string;
  preStopHandler?: LifecycleHandler;
  containerPorts?: ContainerPort[];
  containerType: string;
}

function intOrUndefined(v: string | undefined): number | undefined {
  if (v === undefined || v === '') return undefined;
  const n = Number.parseInt(v, 10);
  return Number.isFinite(n) ? n : undefined;
}

function jsonOrUndefined<T>(v: string | undefined): T | undefined {
  if (!v) return undefined;
  try {
    return JSON.parse(v) as T;
  } catch {
    // A malformed annotation (hand-made container) loses only that detail.
    return undefined;
  }
}

export function containerInfoFromAnnotations(annotations: Record<string, string> | undefined): AnnotatedContainerInfo {
  const a = annotations ?? {};
  return {
    hash: a[CONTAINER_HASH_ANNOTATION] ?? '',
    restartCount: intOrUndefined(a[CONTAINER_RESTART_COUNT_ANNOTATION]) ?? 0,
    podDeletionGracePeriod: intOrUndefined(a[POD_DELETION_GRACE_PERIOD_ANNOTATION]),
    podTerminationGracePeriod: intOrUndefined(a[POD_TERMINATION_GRACE_PERIOD_ANNOTATION]),
    terminationMessagePath: a[CONTAINER_TERMINATION_MESSAGE_PATH_ANNOTATION] ?? '',
    terminationMessagePolicy: a[CONTAINER_TERMINATION_MESSAGE_POLICY_ANNOTATION] ?? '',
    preStopHandler: jsonOrUndefined<LifecycleHandler>(a[CONTAINER_PRESTOP_HANDLER_ANNOTATION]),
    containerPorts: jsonOrUndefined<ContainerPort[]>(a[CONTAINER_PORTS_ANNOTATION]),
    containerType: a[CONTAINER_TYPE_ANNOTATION] ?? '',
  };
}
