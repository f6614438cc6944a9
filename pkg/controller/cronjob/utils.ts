// Schedule arithmetic and Job construction for the CronJob controller
// (pkg/controller/cronjob/utils.go).
import type { CronJob, Job } from '../../../api/batch/v1/types.js';
import { type CronSchedule, zoneOffsetMs } from '../../../api/batch/v1/cron.js';
import { newControllerRef } from '../../client/controllerutil.js';
import { JOB_GVK } from '../job/types.js';

export const CRONJOB_GVK = { apiVersion: 'batch/v1', kind: 'CronJob' } as const;
export const CRONJOB_SCHEDULED_TIMESTAMP_ANNOTATION = 'batch.kubernetes.io/cronjob-scheduled-timestamp';
/** nextScheduleDelta: requeue a little after the scheduled time, for clock skew. */
export const NEXT_SCHEDULE_DELTA_MS = 100;

export type MissedSchedules = 'none' | 'few' | 'many';

export interface MostRecent {
  earliestTime: Date;
  mostRecentTime?: Date;
  missed: MissedSchedules;
  error?: string;
}

/**
 * mostRecentScheduleTime: the last schedule time (or creation time), the most recent
 * time a Job should have been created (undefined if none has come since), and how
 * many were missed (roughly, from the interval between two activations).
 */
export function mostRecentScheduleTime(cj: CronJob, now: Date, schedule: CronSchedule, includeStartingDeadline: boolean): MostRecent {
  let earliest = Date.parse(cj.status?.lastScheduleTime ?? cj.metadata.creationTimestamp ?? '') || 0;
  if (includeStartingDeadline && cj.spec.startingDeadlineSeconds != null) {
    const deadline = now.getTime() - cj.spec.startingDeadlineSeconds * 1000;
    if (deadline > earliest) earliest = deadline;
  }
  const earliestTime = new Date(earliest);
  const t1 = schedule.next(earliestTime);
  if (!t1 || now < t1) return { earliestTime, missed: 'none' };
  const t2 = schedule.next(t1);
  if (!t2 || now < t2) return { earliestTime, mostRecentTime: t1, missed: 'none' };
  const between = Math.round((t2.getTime() - t1.getTime()) / 1000);
  if (between < 1) return { earliestTime, missed: 'none', error: 'time difference between two schedules is less than 1 second' };
  const elapsed = Math.floor((now.getTime() - t1.getTime()) / 1000);
  const missedCount = Math.floor(elapsed / between) + 1;
  // Jump close to now, then walk: exact for irregular schedules too.
  let t: Date | undefined = schedule.next(new Date(t1.getTime() + (missedCount - 2) * between * 1000));
  let mostRecentTime: Date | undefined;
  while (t && t <= now) {
    mostRecentTime = t;
    t = schedule.next(t);
  }
  const missed: MissedSchedules = missedCount > 100 ? 'many' : missedCount > 0 ? 'few' : 'none';
  return { earliestTime, mostRecentTime, missed };
}

/** nextScheduleTimeDuration: how long until the next activation (plus the delta), for the requeue. */
export function nextScheduleTimeDuration(cj: CronJob, now: Date, schedule: CronSchedule): number | undefined {
  const r = mostRecentScheduleTime(cj, now, schedule, false);
  let from: Date;
  if (r.error) from = now;
  else if (r.mostRecentTime) from = r.mostRecentTime;
  else from = r.missed === 'none' ? r.earliestTime : now;
  const next = schedule.next(from);
  if (!next) return undefined;
  return next.getTime() + NEXT_SCHEDULE_DELTA_MS - now.getTime();
}

/** getTimeHashInMinutes: the scheduled time in minutes since the epoch, the Job name's suffix. */
export function getTimeHashInMinutes(t: Date): number {
  return Math.floor(t.getTime() / 60_000);
}

export function getJobName(cj: CronJob, scheduledTime: Date): string {
  return `${cj.metadata.name ?? ''}-${getTimeHashInMinutes(scheduledTime)}`;
}

/** time.Format(time.RFC3339) of t in a zone ("Z" for UTC, as LoadLocation("") is UTC). */
export function formatRFC3339InZone(t: Date, timeZone: string | undefined): string {
  const offset = timeZone ? zoneOffsetMs(t, timeZone) : 0;
  const wall = new Date(Math.floor(t.getTime() / 1000) * 1000 + offset).toISOString().replace(/\.\d{3}Z$/, '');
  if (offset === 0) return `${wall}Z`;
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset) / 60_000;
  return `${wall}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** getJobFromTemplate2: the Job for one scheduled time, named after it, owned by the CronJob. */
export function getJobFromTemplate(cj: CronJob, scheduledTime: Date): Job {
  const tmpl = cj.spec.jobTemplate ?? {};
  return {
    apiVersion: JOB_GVK.apiVersion,
    kind: JOB_GVK.kind,
    metadata: {
      name: getJobName(cj, scheduledTime),
      namespace: cj.metadata.namespace,
      labels: { ...(tmpl.metadata?.labels ?? {}) },
      annotations: { ...(tmpl.metadata?.annotations ?? {}), [CRONJOB_SCHEDULED_TIMESTAMP_ANNOTATION]: formatRFC3339InZone(scheduledTime, cj.spec.timeZone) },
      ownerReferences: [newControllerRef(cj, CRONJOB_GVK)],
    },
    spec: structuredClone(tmpl.spec ?? { template: {} }),
  };
}

/** byJobStartTime: started before not started; by start time; then by name. */
export function byJobStartTime(a: Job, b: Job): number {
  const sa = a.status?.startTime;
  const sb = b.status?.startTime;
  if (!sa && sb) return 1;
  if (sa && !sb) return -1;
  if (sa && sb && sa !== sb) return Date.parse(sa) - Date.parse(sb);
  return (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');
}
