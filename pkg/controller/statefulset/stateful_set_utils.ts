// stateful_set_utils.go: a StatefulSet pod's identity (name, ordinal, hostname,
// subdomain, identity labels), its storage (one PVC per claim template and
// ordinal), pod predicates, and the revision data of a set's template.
import type { PersistentVolumeClaim, Pod, PodTemplateSpec, Volume } from '../../../api/core/v1/types.js';
import type { ControllerRevision, StatefulSet } from '../../../api/apps/v1/types.js';
import { isPodAvailable, isPodReady } from '../../../api/core/v1/pod.js';
import type { OwnerReference } from '../../../api/meta/v1/types.js';
import { newControllerRef } from '../../client/controllerutil.js';
import { newControllerRevision } from './controller_history.js';
import { POD_INDEX_LABEL, STATEFULSET_GVK, STATEFULSET_POD_NAME_LABEL, STATEFULSET_REVISION_LABEL } from './types.js';

const ORDINAL_RE = /^(.*)-([0-9]+)$/;

/** getParentNameAndOrdinal: `web-3` → { parent: 'web', ordinal: 3 }; ordinal -1 when the name has none. */
export function getParentNameAndOrdinal(pod: Pod): { parent: string; ordinal: number } {
  const m = ORDINAL_RE.exec(pod.metadata.name ?? '');
  if (!m) return { parent: '', ordinal: -1 };
  const ordinal = Number(m[2]);
  return Number.isSafeInteger(ordinal) ? { parent: m[1], ordinal } : { parent: '', ordinal: -1 };
}

export function getOrdinal(pod: Pod): number {
  return getParentNameAndOrdinal(pod).ordinal;
}

export function getStartOrdinal(set: StatefulSet): number {
  return set.spec.ordinals?.start ?? 0;
}

export function getReplicas(set: StatefulSet): number {
  return set.spec.replicas ?? 1;
}

/** getEndOrdinal: the last ordinal in range (start + replicas - 1). */
export function getEndOrdinal(set: StatefulSet): number {
  return getStartOrdinal(set) + getReplicas(set) - 1;
}

export function podInOrdinalRange(pod: Pod, set: StatefulSet): boolean {
  const o = getOrdinal(pod);
  return o >= getStartOrdinal(set) && o <= getEndOrdinal(set);
}

export function getPodName(set: StatefulSet, ordinal: number): string {
  return `${set.metadata.name ?? ''}-${ordinal}`;
}

/** getPersistentVolumeClaimName: `<claim>-<set>-<ordinal>`. */
export function getPersistentVolumeClaimName(set: StatefulSet, claim: PersistentVolumeClaim, ordinal: number): string {
  return `${claim.metadata.name ?? ''}-${set.metadata.name ?? ''}-${ordinal}`;
}

/** isMemberOf: the pod's name says it belongs to set. */
export function isMemberOf(set: StatefulSet, pod: Pod): boolean {
  return getParentNameAndOrdinal(pod).parent === set.metadata.name;
}

/** identityMatches: name, namespace, hostname, subdomain and identity labels are those of its ordinal. */
export function identityMatches(set: StatefulSet, pod: Pod): boolean {
  const { parent, ordinal } = getParentNameAndOrdinal(pod);
  const labels = pod.metadata.labels ?? {};
  return (
    ordinal >= 0 &&
    parent === set.metadata.name &&
    pod.metadata.name === getPodName(set, ordinal) &&
    pod.metadata.namespace === set.metadata.namespace &&
    labels[STATEFULSET_POD_NAME_LABEL] === pod.metadata.name &&
    labels[POD_INDEX_LABEL] === String(ordinal)
  );
}

/** storageMatches: every claim template is mounted from this ordinal's claim. */
export function storageMatches(set: StatefulSet, pod: Pod): boolean {
  const ordinal = getOrdinal(pod);
  if (ordinal < 0) return false;
  const volumes = new Map((pod.spec?.volumes ?? []).map((v) => [v.name, v]));
  for (const claim of set.spec.volumeClaimTemplates ?? []) {
    const v = volumes.get(claim.metadata.name ?? '');
    if (!v?.persistentVolumeClaim || v.persistentVolumeClaim.claimName !== getPersistentVolumeClaimName(set, claim, ordinal)) return false;
  }
  return true;
}

/** getPersistentVolumeClaims: the claims a pod of this ordinal needs, keyed by claim template name. */
export function getPersistentVolumeClaims(set: StatefulSet, pod: Pod): Map<string, PersistentVolumeClaim> {
  const ordinal = getOrdinal(pod);
  const out = new Map<string, PersistentVolumeClaim>();
  for (const tmpl of set.spec.volumeClaimTemplates ?? []) {
    const labels: Record<string, string> = { ...(tmpl.metadata.labels ?? {}), ...(set.spec.selector?.matchLabels ?? {}) };
    const claim: PersistentVolumeClaim = {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: {
        name: getPersistentVolumeClaimName(set, tmpl, ordinal),
        namespace: set.metadata.namespace,
        labels,
        ...(tmpl.metadata.annotations ? { annotations: { ...tmpl.metadata.annotations } } : {}),
      },
      spec: structuredClone(tmpl.spec ?? {}),
    };
    out.set(tmpl.metadata.name ?? '', claim);
  }
  return out;
}

/** updateStorage: mount each claim template from this ordinal's claim, replacing template volumes of the same name. */
export function updateStorage(set: StatefulSet, pod: Pod): void {
  const claims = getPersistentVolumeClaims(set, pod);
  if (claims.size === 0) return;
  const spec = (pod.spec ??= { containers: [] });
  const volumes: Volume[] = [];
  for (const [name, claim] of claims) volumes.push({ name, persistentVolumeClaim: { claimName: claim.metadata.name ?? '' } });
  for (const v of spec.volumes ?? []) if (!claims.has(v.name)) volumes.push(v);
  spec.volumes = volumes;
}

/** updateIdentity: name, namespace, hostname, subdomain and the identity labels. */
export function updateIdentity(set: StatefulSet, pod: Pod): void {
  const ordinal = getOrdinal(pod);
  pod.metadata.name = getPodName(set, ordinal);
  pod.metadata.namespace = set.metadata.namespace;
  const spec = (pod.spec ??= { containers: [] });
  spec.hostname = pod.metadata.name;
  if (set.spec.serviceName) spec.subdomain = set.spec.serviceName;
  pod.metadata.labels = { ...(pod.metadata.labels ?? {}), [STATEFULSET_POD_NAME_LABEL]: pod.metadata.name, [POD_INDEX_LABEL]: String(ordinal) };
}

/** newStatefulSetPod: controller.GetPodFromTemplate plus identity and storage for one ordinal. */
export function newStatefulSetPod(set: StatefulSet, ordinal: number): Pod {
  const tmpl: PodTemplateSpec = set.spec.template ?? {};
  const owner: OwnerReference = newControllerRef(set, STATEFULSET_GVK);
  const pod: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: getPodName(set, ordinal),
      namespace: set.metadata.namespace,
      labels: { ...(tmpl.metadata?.labels ?? {}) },
      ...(tmpl.metadata?.annotations ? { annotations: { ...tmpl.metadata.annotations } } : {}),
      ...(tmpl.metadata?.finalizers ? { finalizers: [...tmpl.metadata.finalizers] } : {}),
      ownerReferences: [owner],
    },
    spec: structuredClone(tmpl.spec ?? { containers: [] }),
  };
  updateIdentity(set, pod);
  updateStorage(set, pod);
  return pod;
}

/**
 * newVersionedStatefulSetPod: below the partition (or below currentReplicas with
 * no partition) a RollingUpdate set still creates pods at the current revision;
 * everything else is created at the update revision.
 */
export function newVersionedStatefulSetPod(
  currentSet: StatefulSet,
  updateSet: StatefulSet,
  currentRevision: string,
  updateRevision: string,
  ordinal: number,
  indexInRange: number,
): Pod {
  const strategy = currentSet.spec.updateStrategy;
  if (strategy?.type !== 'OnDelete') {
    const partition = strategy?.rollingUpdate?.partition;
    const atCurrent = partition === undefined ? indexInRange < (currentSet.status?.currentReplicas ?? 0) : indexInRange < partition;
    if (atCurrent) {
      const pod = newStatefulSetPod(currentSet, ordinal);
      setPodRevision(pod, currentRevision);
      return pod;
    }
  }
  const pod = newStatefulSetPod(updateSet, ordinal);
  setPodRevision(pod, updateRevision);
  return pod;
}

export function getPodRevision(pod: Pod): string {
  return pod.metadata.labels?.[STATEFULSET_REVISION_LABEL] ?? '';
}

export function setPodRevision(pod: Pod, revision: string): void {
  pod.metadata.labels = { ...(pod.metadata.labels ?? {}), [STATEFULSET_REVISION_LABEL]: revision };
}

// ---- pod predicates ----

/** isCreated: the apiserver has given it a phase. */
export function isCreated(pod: Pod): boolean {
  return (pod.status?.phase ?? '') !== '';
}

export function isPending(pod: Pod): boolean {
  return pod.status?.phase === 'Pending';
}

export function isFailed(pod: Pod): boolean {
  return pod.status?.phase === 'Failed';
}

export function isSucceeded(pod: Pod): boolean {
  return pod.status?.phase === 'Succeeded';
}

export function isTerminating(pod: Pod): boolean {
  return pod.metadata.deletionTimestamp !== undefined && pod.metadata.deletionTimestamp !== null;
}

export function isRunningAndReady(pod: Pod): boolean {
  return pod.status?.phase === 'Running' && isPodReady(pod);
}

/** isRunningAndAvailable: running and ready for at least minReadySeconds. */
export function isRunningAndAvailable(pod: Pod, minReadySeconds: number, now = Date.now()): boolean {
  return pod.status?.phase === 'Running' && isPodAvailable(pod, minReadySeconds, now);
}

/** isHealthy: running, ready and not on its way out. */
export function isHealthy(pod: Pod): boolean {
  return isRunningAndReady(pod) && !isTerminating(pod);
}

// ---- revisions ----

/** getPatch: the revision data upstream stores: {spec:{template:{..., $patch: replace}}}. */
export function getPatch(set: StatefulSet): Record<string, unknown> {
  const template = structuredClone(set.spec.template ?? {}) as Record<string, unknown>;
  template.$patch = 'replace';
  return { spec: { template } };
}

/** newRevision: a ControllerRevision holding set's template. */
export function newRevision(set: StatefulSet, revision: number, collisionCount: number | undefined): ControllerRevision {
  return newControllerRevision(set, STATEFULSET_GVK, set.spec.template?.metadata?.labels, getPatch(set), revision, collisionCount);
}

/** applyRevision: set as it was at revision (its template replaced by the revision's). */
export function applyRevision(set: StatefulSet, revision: ControllerRevision): StatefulSet {
  const clone = structuredClone(set);
  const data = revision.data as { spec?: { template?: Record<string, unknown> } } | undefined;
  const template = data?.spec?.template;
  if (template && typeof template === 'object') {
    const t = structuredClone(template);
    delete t.$patch;
    clone.spec.template = t as PodTemplateSpec;
  }
  return clone;
}
