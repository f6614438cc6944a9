// Validation of Jobs and CronJobs after k8s pkg/apis/batch/validation.
import type { KubeObject } from '../../meta/v1/types.js';
import {
  type ErrorList,
  type Obj,
  deepEqual,
  invalid,
  notSupported,
  objAt,
  required,
  str,
  validateImmutableField,
  validateNonnegative,
} from '../../validation/field.js';
import { nameIsDNSSubdomain } from '../../validation/names.js';
import {
  asLabelSelector,
  validateAnnotations,
  validateLabelSelector,
  validateLabels,
  validateObjectMeta,
  validateObjectMetaUpdate,
  validateSelectorMatchesTemplate,
} from '../../validation/objectmeta.js';
import { validatePodTemplateSpec } from '../../core/v1/podvalidation.js';
import { cronScheduleError } from './cron.js';

const COMPLETION_MODES = ['NonIndexed', 'Indexed'];
const CONCURRENCY_POLICIES = ['Allow', 'Forbid', 'Replace'];

/** validateJobSpec: what a Job and a CronJob's job template share. */
function validateJobSpecCommon(spec: Obj, field: string): ErrorList {
  const errs: ErrorList = [];
  for (const k of [
    'parallelism',
    'completions',
    'activeDeadlineSeconds',
    'backoffLimit',
    'ttlSecondsAfterFinished',
    'backoffLimitPerIndex',
    'maxFailedIndexes',
  ]) {
    errs.push(...validateNonnegative(spec[k], `${field}.${k}`));
  }
  const mode = spec.completionMode;
  if (mode !== undefined && !COMPLETION_MODES.includes(String(mode))) errs.push(notSupported(`${field}.completionMode`, mode, COMPLETION_MODES));
  if (mode === 'Indexed' && (spec.completions === undefined || spec.completions === null))
    errs.push(required(`${field}.completions`, 'when completion mode is Indexed'));
  const template = objAt(spec, 'template');
  if (!template) return [...errs, required(`${field}.template`, '')];
  errs.push(...validatePodTemplateSpec(template, `${field}.template`));
  const rp = objAt(template, 'spec')?.restartPolicy;
  if (rp !== 'OnFailure' && rp !== 'Never') errs.push(notSupported(`${field}.template.spec.restartPolicy`, rp ?? '', ['OnFailure', 'Never']));
  return errs;
}

export function validateJob(job: KubeObject): ErrorList {
  const errs = validateObjectMeta(job.metadata, { nameFn: nameIsDNSSubdomain });
  const spec = objAt(job, 'spec') ?? {};
  const selector = asLabelSelector(spec.selector);
  // With an automatic selector the strategy generates it from the uid (prepareForCreate).
  const generated = spec.manualSelector !== true;
  if (!selector) {
    if (!generated || job.metadata.uid) errs.push(required('spec.selector', ''));
  } else {
    errs.push(...validateLabelSelector(selector, 'spec.selector'));
    const labels = objAt(objAt(objAt(spec, 'template'), 'metadata'), 'labels') as Record<string, string> | undefined;
    errs.push(...validateSelectorMatchesTemplate(selector, labels, 'spec.template.metadata.labels'));
  }
  errs.push(...validateJobSpecCommon(spec, 'spec'));
  return errs;
}

/** Template fields a suspended Job that never started may still change (scheduling directives). */
function stripMutableSchedulingDirectives(template: unknown): unknown {
  const t = structuredClone((template ?? {}) as Obj);
  const meta = objAt(t, 'metadata');
  if (meta) {
    delete meta.labels;
    delete meta.annotations;
  }
  const spec = objAt(t, 'spec');
  if (spec) for (const k of ['nodeSelector', 'tolerations', 'affinity', 'schedulingGates']) delete spec[k];
  return t;
}

export function validateJobUpdate(job: KubeObject, old: KubeObject): ErrorList {
  const errs = validateObjectMetaUpdate(job.metadata, old.metadata);
  const spec = objAt(job, 'spec') ?? {};
  const oldSpec = objAt(old, 'spec') ?? {};
  errs.push(...validateImmutableField(spec.selector, oldSpec.selector, 'spec.selector'));
  const oldStatus = objAt(old, 'status');
  const mayChangeScheduling = oldSpec.suspend === true && !str(oldStatus, 'startTime');
  const same = mayChangeScheduling
    ? deepEqual(stripMutableSchedulingDirectives(spec.template), stripMutableSchedulingDirectives(oldSpec.template))
    : deepEqual(spec.template, oldSpec.template);
  if (!same) errs.push(invalid('spec.template', spec.template, 'field is immutable'));
  if (oldSpec.completionMode !== 'Indexed') errs.push(...validateImmutableField(spec.completions, oldSpec.completions, 'spec.completions'));
  else if (!deepEqual(spec.completions, oldSpec.completions) && !deepEqual(spec.completions, spec.parallelism)) {
    errs.push(invalid('spec.completions', spec.completions, 'can only be modified in tandem with spec.parallelism'));
  }
  errs.push(...validateImmutableField(spec.completionMode, oldSpec.completionMode, 'spec.completionMode'));
  errs.push(...validateImmutableField(spec.podFailurePolicy, oldSpec.podFailurePolicy, 'spec.podFailurePolicy'));
  errs.push(...validateImmutableField(spec.backoffLimitPerIndex, oldSpec.backoffLimitPerIndex, 'spec.backoffLimitPerIndex'));
  return errs;
}

export function validateCronJob(cj: KubeObject): ErrorList {
  const errs = validateObjectMeta(cj.metadata, { nameFn: nameIsDNSSubdomain });
  const name = cj.metadata.name ?? '';
  // Job names get an 11-character suffix; the result must still be a DNS-1035 label.
  if (name.length > 52) errs.push(invalid('metadata.name', name, 'must be no more than 52 characters'));
  const spec = objAt(cj, 'spec') ?? {};
  const schedule = str(spec, 'schedule') ?? '';
  if (!schedule) errs.push(required('spec.schedule', ''));
  else if (/(^|\s)(CRON_)?TZ=/.test(schedule))
    errs.push(invalid('spec.schedule', schedule, 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead'));
  else {
    const e = cronScheduleError(schedule);
    if (e) errs.push(invalid('spec.schedule', schedule, e));
  }
  const tz = spec.timeZone;
  if (typeof tz === 'string') {
    let ok = tz !== '' && !tz.includes(' ');
    try {
      if (ok) new Intl.DateTimeFormat('en-US', { timeZone: tz });
    } catch {
      ok = false;
    }
    if (!ok) errs.push(invalid('spec.timeZone', tz, 'unknown time zone ' + tz));
  }
  const cp = spec.concurrencyPolicy;
  if (cp === undefined || cp === '') errs.push(required('spec.concurrencyPolicy', ''));
  else if (!CONCURRENCY_POLICIES.includes(String(cp))) errs.push(notSupported('spec.concurrencyPolicy', cp, CONCURRENCY_POLICIES));
  for (const k of ['startingDeadlineSeconds', 'successfulJobsHistoryLimit', 'failedJobsHistoryLimit']) errs.push(...validateNonnegative(spec[k], `spec.${k}`));
  const jt = objAt(spec, 'jobTemplate');
  if (!jt) return [...errs, required('spec.jobTemplate', '')];
  const jtMeta = objAt(jt, 'metadata');
  errs.push(...validateLabels(jtMeta?.labels, 'spec.jobTemplate.metadata.labels'));
  errs.push(...validateAnnotations(jtMeta?.annotations, 'spec.jobTemplate.metadata.annotations'));
  const jobSpec = objAt(jt, 'spec') ?? {};
  if (jobSpec.manualSelector === true) errs.push(notSupported('spec.jobTemplate.spec.manualSelector', true, ['nil', 'false']));
  if (jobSpec.selector !== undefined && jobSpec.selector !== null)
    errs.push(invalid('spec.jobTemplate.spec.selector', jobSpec.selector, '`selector` will be auto-generated'));
  errs.push(...validateJobSpecCommon(jobSpec, 'spec.jobTemplate.spec'));
  return errs;
}

export function validateCronJobUpdate(cj: KubeObject, old: KubeObject): ErrorList {
  return validateObjectMetaUpdate(cj.metadata, old.metadata);
}
