// Defaulting for batch/v1, after k8s pkg/apis/batch/v1/defaults.go, and the Job
// strategy's selector generation (which needs the object's uid).
import type { KubeObject } from '../../meta/v1/types.js';
import { type Obj, child, isObj, objAt, setIfAbsent } from '../../validation/field.js';
import { setDefaultsPodTemplateSpec } from '../../core/v1/defaults.js';

export const CONTROLLER_UID_LABEL = 'batch.kubernetes.io/controller-uid';
export const LEGACY_CONTROLLER_UID_LABEL = 'controller-uid';
export const JOB_NAME_LABEL = 'batch.kubernetes.io/job-name';
export const LEGACY_JOB_NAME_LABEL = 'job-name';
const MAX_INT32 = 2147483647;

export function setDefaultsJobSpec(spec: Obj): void {
  // A non-parallel job may leave both unset; both then default to 1.
  if (spec.completions == null && spec.parallelism == null) {
    spec.completions = 1;
    spec.parallelism = 1;
  }
  setIfAbsent(spec, 'parallelism', 1);
  if (spec.backoffLimit == null) spec.backoffLimit = spec.backoffLimitPerIndex != null ? MAX_INT32 : 6;
  if (!spec.completionMode) spec.completionMode = 'NonIndexed';
  setIfAbsent(spec, 'suspend', false);
  const pfp = objAt(spec, 'podFailurePolicy');
  if (pfp) {
    for (const rule of Array.isArray(pfp.rules) ? pfp.rules : []) {
      if (!isObj(rule) || !Array.isArray(rule.onPodConditions)) continue;
      for (const c of rule.onPodConditions) if (isObj(c) && !c.status) c.status = 'True';
    }
  }
  if (!spec.podReplacementPolicy) spec.podReplacementPolicy = pfp ? 'Failed' : 'TerminatingOrFailed';
  setIfAbsent(spec, 'manualSelector', false);
  setDefaultsPodTemplateSpec(objAt(spec, 'template'));
}

export function setDefaultsJob(job: KubeObject): void {
  const spec = child(job, 'spec');
  if (job.metadata.uid) generateJobSelector(job);
  defaultJobLabels(job);
  setDefaultsJobSpec(spec);
}

/** A Job without labels takes its pod template's (which carry the generated job-name and controller-uid ones). */
function defaultJobLabels(job: KubeObject): void {
  const labels = objAt(objAt(objAt(objAt(job, 'spec'), 'template'), 'metadata'), 'labels') as Record<string, string> | undefined;
  if (labels && (!job.metadata.labels || Object.keys(job.metadata.labels).length === 0)) job.metadata.labels = { ...labels };
}

/** The Job strategy's generateSelector: pods carry the job's uid and name; the selector picks the uid. */
export function generateJobSelector(job: KubeObject): void {
  const spec = child(job, 'spec');
  if (spec.manualSelector === true || !job.metadata.uid) return;
  const template = child(spec, 'template');
  const meta = child(template, 'metadata');
  const labels = child(meta, 'labels');
  for (const k of [LEGACY_JOB_NAME_LABEL, JOB_NAME_LABEL]) setIfAbsent(labels, k, job.metadata.name ?? '');
  for (const k of [LEGACY_CONTROLLER_UID_LABEL, CONTROLLER_UID_LABEL]) setIfAbsent(labels, k, job.metadata.uid);
  const selector = child(spec, 'selector');
  const matchLabels = child(selector, 'matchLabels');
  setIfAbsent(matchLabels, CONTROLLER_UID_LABEL, job.metadata.uid);
}

export function prepareNewJob(job: KubeObject): void {
  generateJobSelector(job);
  defaultJobLabels(job);
  job.status = {};
}

export function setDefaultsCronJob(cj: KubeObject): void {
  const spec = child(cj, 'spec');
  if (!spec.concurrencyPolicy) spec.concurrencyPolicy = 'Allow';
  setIfAbsent(spec, 'suspend', false);
  setIfAbsent(spec, 'successfulJobsHistoryLimit', 3);
  setIfAbsent(spec, 'failedJobsHistoryLimit', 1);
  // The job template's pod template gets pod-spec defaults; JobSpec defaults apply when the Job is created.
  setDefaultsPodTemplateSpec(objAt(objAt(objAt(spec, 'jobTemplate'), 'spec'), 'template'));
}
