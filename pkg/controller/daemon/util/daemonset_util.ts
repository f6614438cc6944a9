// pkg/controller/daemon/util: what a daemon pod looks like — the template plus
// the default tolerations, the revision labels, and a required node affinity
// that pins it to one node (the scheduler binds it; nodeName stays unset) —
// and how to tell an up-to-date pod from an old one.
import type { DaemonSet } from '../../../../api/apps/v1/types.js';
import type { Affinity, NodeSelectorTerm, Pod, PodSpec, PodTemplateSpec, Toleration } from '../../../../api/core/v1/types.js';

/** apps.DefaultDaemonSetUniqueLabelKey (= ControllerRevisionHashLabelKey). */
export const DAEMONSET_UNIQUE_LABEL_KEY = 'controller-revision-hash';
/** extensions.DaemonSetTemplateGenerationKey. */
export const TEMPLATE_GENERATION_LABEL_KEY = 'pod-template-generation';
/** The v1 spelling of the internal spec.templateGeneration. */
export const TEMPLATE_GENERATION_ANNOTATION = 'deprecated.daemonset.template.generation';
/** metav1.ObjectNameField: the only field a node selector's matchFields may name. */
export const OBJECT_NAME_FIELD = 'metadata.name';

export const TAINT_NODE_NOT_READY = 'node.kubernetes.io/not-ready';
export const TAINT_NODE_UNREACHABLE = 'node.kubernetes.io/unreachable';
export const TAINT_NODE_DISK_PRESSURE = 'node.kubernetes.io/disk-pressure';
export const TAINT_NODE_MEMORY_PRESSURE = 'node.kubernetes.io/memory-pressure';
export const TAINT_NODE_PID_PRESSURE = 'node.kubernetes.io/pid-pressure';
export const TAINT_NODE_UNSCHEDULABLE = 'node.kubernetes.io/unschedulable';
export const TAINT_NODE_NETWORK_UNAVAILABLE = 'node.kubernetes.io/network-unavailable';

/** v1helper.AddOrUpdateTolerationInPodSpec: replace a toleration with the same key/operator/value/effect, else append. */
function addOrUpdateToleration(spec: PodSpec, t: Toleration): void {
  const out: Toleration[] = [];
  let updated = false;
  for (const old of spec.tolerations ?? []) {
    const same =
      (old.key ?? '') === (t.key ?? '') &&
      (old.operator ?? '') === (t.operator ?? '') &&
      (old.value ?? '') === (t.value ?? '') &&
      (old.effect ?? '') === (t.effect ?? '');
    if (same) {
      out.push(t);
      updated = true;
    } else out.push(old);
  }
  if (!updated) out.push(t);
  spec.tolerations = out;
}

/**
 * util.AddOrUpdateDaemonPodTolerations: daemon pods survive node problems and
 * cordoning (infinite NoExecute tolerations for not-ready/unreachable, NoSchedule
 * ones for pressure and unschedulable; network-unavailable too for host-network pods).
 */
export function addOrUpdateDaemonPodTolerations(spec: PodSpec): void {
  addOrUpdateToleration(spec, { key: TAINT_NODE_NOT_READY, operator: 'Exists', effect: 'NoExecute' });
  addOrUpdateToleration(spec, { key: TAINT_NODE_UNREACHABLE, operator: 'Exists', effect: 'NoExecute' });
  addOrUpdateToleration(spec, { key: TAINT_NODE_DISK_PRESSURE, operator: 'Exists', effect: 'NoSchedule' });
  addOrUpdateToleration(spec, { key: TAINT_NODE_MEMORY_PRESSURE, operator: 'Exists', effect: 'NoSchedule' });
  addOrUpdateToleration(spec, { key: TAINT_NODE_PID_PRESSURE, operator: 'Exists', effect: 'NoSchedule' });
  addOrUpdateToleration(spec, { key: TAINT_NODE_UNSCHEDULABLE, operator: 'Exists', effect: 'NoSchedule' });
  if (spec.hostNetwork) addOrUpdateToleration(spec, { key: TAINT_NODE_NETWORK_UNAVAILABLE, operator: 'Exists', effect: 'NoSchedule' });
}

/** The template generation the apiserver keeps in an annotation (upstream's spec.templateGeneration), if any. */
export function getTemplateGeneration(ds: DaemonSet): number | undefined {
  const v = ds.metadata.annotations?.[TEMPLATE_GENERATION_ANNOTATION];
  if (v === undefined) return undefined;
  const n = Number(v);
  return Number.isInteger(n) ? n : undefined;
}

/**
 * util.CreatePodTemplate: the template with the default tolerations and the
 * pod-template-generation / controller-revision-hash labels.
 */
export function createPodTemplate(template: PodTemplateSpec | undefined, generation: number | undefined, hash: string): PodTemplateSpec {
  const t: PodTemplateSpec = structuredClone(template ?? {});
  t.spec ??= { containers: [] };
  addOrUpdateDaemonPodTolerations(t.spec);
  t.metadata ??= {};
  const labels: Record<string, string> = { ...(t.metadata.labels ?? {}) };
  if (generation !== undefined) labels[TEMPLATE_GENERATION_LABEL_KEY] = String(generation);
  if (hash) labels[DAEMONSET_UNIQUE_LABEL_KEY] = hash;
  t.metadata.labels = labels;
  return t;
}

/**
 * util.ReplaceDaemonSetPodNodeNameNodeAffinity: the required node affinity
 * becomes one term, `metadata.name In [nodeName]`; preferred terms are kept.
 */
export function replaceDaemonSetPodNodeNameNodeAffinity(affinity: Affinity | undefined, nodeName: string): Affinity {
  const term: NodeSelectorTerm = { matchFields: [{ key: OBJECT_NAME_FIELD, operator: 'In', values: [nodeName] }] };
  const out: Affinity = structuredClone(affinity ?? {});
  out.nodeAffinity ??= {};
  out.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution = { nodeSelectorTerms: [term] };
  return out;
}

/**
 * util.GetTargetNodeName: spec.nodeName, or for a pod not yet bound the single
 * node its required affinity names through matchFields metadata.name In [node].
 */
export function getTargetNodeName(pod: Pod): string | undefined {
  if (pod.spec?.nodeName) return pod.spec.nodeName;
  const terms = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  if (terms.length < 1) return undefined;
  for (const term of terms) {
    for (const f of term.matchFields ?? []) {
      if (f.key === OBJECT_NAME_FIELD && f.operator === 'In' && f.values?.length === 1) return f.values[0];
    }
  }
  return undefined;
}

/** util.IsPodUpdated: the pod carries the current revision hash, or the current template generation. */
export function isPodUpdated(pod: Pod, hash: string, generation: number | undefined): boolean {
  const labels = pod.metadata.labels ?? {};
  const templateMatches = generation !== undefined && labels[TEMPLATE_GENERATION_LABEL_KEY] === String(generation);
  const hashMatches = hash.length > 0 && labels[DAEMONSET_UNIQUE_LABEL_KEY] === hash;
  return hashMatches || templateMatches;
}

/**
 * intstr.GetScaledValueFromIntOrPercent: an integer as is, "N%" of total
 * (rounded up or down). Throws on anything else.
 */
export function scaledValueFromIntOrPercent(v: number | string | undefined, total: number, roundUp: boolean): number {
  if (v === undefined) return 0;
  if (typeof v === 'number') return v;
  const m = /^(\d+)%$/.exec(v);
  if (m) {
    const x = (Number(m[1]) * total) / 100;
    return roundUp ? Math.ceil(x) : Math.floor(x);
  }
  if (/^\d+$/.test(v)) throw new Error(`invalid value for IntOrString: invalid type: string is not a percentage`);
  throw new Error(`invalid value "${v}": must be an integer or percentage (e.g '5%')`);
}

/** util.AllowsSurge: a RollingUpdate with maxSurge > 0 (as a count or a percentage). */
export function allowsSurge(ds: DaemonSet): boolean {
  const s = ds.spec.updateStrategy;
  if (s?.type !== 'RollingUpdate' || !s.rollingUpdate) return false;
  try {
    return scaledValueFromIntOrPercent(s.rollingUpdate.maxSurge, 100, true) > 0;
  } catch {
    return false;
  }
}

/** util.SurgeCount: how many extra pods may run at once, scaled to the desired count (rounded up). */
export function surgeCount(ds: DaemonSet, numberToSchedule: number): number {
  const s = ds.spec.updateStrategy;
  if (s?.type !== 'RollingUpdate' || !s.rollingUpdate) return 0;
  return scaledValueFromIntOrPercent(s.rollingUpdate.maxSurge, numberToSchedule, true);
}

/** util.UnavailableCount: how many pods may be unavailable at once, scaled to the desired count (rounded up). */
export function unavailableCount(ds: DaemonSet, numberToSchedule: number): number {
  const s = ds.spec.updateStrategy;
  if (s?.type !== 'RollingUpdate' || !s.rollingUpdate) return 0;
  return scaledValueFromIntOrPercent(s.rollingUpdate.maxUnavailable, numberToSchedule, true);
}
