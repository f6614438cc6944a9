// Names of batch/v1 Job (condition types, reasons, finalizer, annotations) and the
// jobutil helpers the Job, CronJob and TTL-after-finished controllers share.
import type { Job, JobCondition } from '../../../api/batch/v1/types.js';

export const JOB_GVK = { apiVersion: 'batch/v1', kind: 'Job' } as const;

// Condition types and reasons (k8s.io/api/batch/v1).
export const JobComplete = 'Complete';
export const JobFailed = 'Failed';
export const JobSuspended = 'Suspended';
export const JobFailureTarget = 'FailureTarget';
export const JobSuccessCriteriaMet = 'SuccessCriteriaMet';
export const JobReasonBackoffLimitExceeded = 'BackoffLimitExceeded';
export const JobReasonDeadlineExceeded = 'DeadlineExceeded';
export const JobReasonCompletionsReached = 'CompletionsReached';

export const JOB_TRACKING_FINALIZER = 'batch.kubernetes.io/job-tracking';
export const JOB_COMPLETION_INDEX_ANNOTATION = 'batch.kubernetes.io/job-completion-index';
export const JOB_COMPLETION_INDEX_ENV = 'JOB_COMPLETION_INDEX';

/** jobutil.FinishedCondition: the Complete or Failed condition that is True. */
export function finishedCondition(job: Job): JobCondition | undefined {
  return job.status?.conditions?.find((c) => (c.type === JobComplete || c.type === JobFailed) && c.status === 'True');
}

/** jobutil.IsJobFinished. */
export function isJobFinished(job: Job): boolean {
  return finishedCondition(job) !== undefined;
}

/** jobutil.IsJobSucceeded. */
export function isJobSucceeded(job: Job): boolean {
  return job.status?.conditions?.some((c) => c.type === JobComplete && c.status === 'True') ?? false;
}

/** metav1.Time on the wire: RFC 3339, whole seconds. */
export function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
