// The CronJob controller (pkg/controller/cronjob/cronjob_controllerv2.go): creates a
// Job for each activation of a CronJob's schedule, named `<cronjob>-<minutes since
// epoch>` so the same activation can never create two Jobs, honours
// concurrencyPolicy, startingDeadlineSeconds and suspend, keeps status.active,
// lastScheduleTime and lastSuccessfulTime, prunes finished Jobs beyond the history
// limits, and requeues itself for the next activation.
import { parseCronSchedule, type CronSchedule } from '../../../api/batch/v1/cron.js';
import type { CronJob, Job } from '../../../api/batch/v1/types.js';
import { controllerRef } from '../../client/controllerutil.js';
import { objectReference } from '../../client/events.js';
import type { SharedIndexInformer } from '../../client/informer.js';
import { isStatus, type ResourceClient } from '../../client/rest.js';
import { metaNamespaceKeyFunc, OwnerUIDIndex, splitMetaNamespaceKey } from '../../client/store.js';
import { RateLimitingQueue, runWorkers } from '../../client/workqueue.js';
import type { Controller, ControllerContext } from '../context.js';
import { finishedCondition, isJobFinished, isJobSucceeded, JOB_GVK, JobComplete, JobFailed, rfc3339 } from '../job/types.js';
import { byJobStartTime, CRONJOB_GVK, getJobFromTemplate, getJobName, mostRecentScheduleTime, nextScheduleTimeDuration } from './utils.js';

export interface CronJobControllerOptions {
  /** The clock; tests inject one to move time. */
  now?: () => Date;
}

export class CronJobController implements Controller {
  readonly queue = new RateLimitingQueue<string>(undefined, 'cronjob');
  private readonly cjInformer: SharedIndexInformer<CronJob>;
  private readonly jobInformer: SharedIndexInformer<Job>;
  private readonly cjClient: ResourceClient<CronJob>;
  private readonly jobClient: ResourceClient<Job>;
  private readonly now: () => Date;

  constructor(
    private readonly deps: ControllerContext,
    opts: CronJobControllerOptions = {},
  ) {
    this.now = opts.now ?? (() => new Date());
    this.cjInformer = deps.informers.forResource<CronJob>('batch/v1', 'cronjobs');
    this.jobInformer = deps.informers.forResource<Job>('batch/v1', 'jobs');
    this.cjClient = deps.client.resource<CronJob>('batch/v1', 'cronjobs');
    this.jobClient = deps.client.resource<Job>('batch/v1', 'jobs');
    this.cjInformer.addEventHandler({
      onAdd: (cj) => this.enqueue(cj),
      onUpdate: (old, cur) => this.updateCronJob(old, cur),
    });
    this.jobInformer.addEventHandler({
      onAdd: (job) => this.enqueueOwner(job),
      onUpdate: (old, cur) => {
        this.enqueueOwner(cur);
        if (controllerRef(old)?.uid !== controllerRef(cur)?.uid) this.enqueueOwner(old);
      },
      onDelete: (job) => this.enqueueOwner(job),
    });
  }

  async run(workers: number, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return;
    signal.addEventListener('abort', () => this.queue.shutDown(), { once: true });
    this.deps.log('starting cronjob controller', { workers });
    this.deps.informers.start();
    await Promise.all([this.cjInformer.waitForCacheSync(), this.jobInformer.waitForCacheSync()]);
    await runWorkers(this.queue, workers, (key) => this.sync(key), { log: (m) => this.deps.log(m) });
    this.deps.log('cronjob controller stopped');
  }

  // ---- event handlers ----

  private enqueue(cj: CronJob): void {
    this.queue.add(metaNamespaceKeyFunc(cj));
  }

  private updateCronJob(old: CronJob, cur: CronJob): void {
    // A changed schedule: wait for its next activation (an immediate sync would only find nothing due).
    if (old.spec?.schedule !== cur.spec?.schedule || old.spec?.timeZone !== cur.spec?.timeZone) {
      try {
        const d = nextScheduleTimeDuration(cur, this.now(), parseCronSchedule(cur.spec.schedule, cur.spec.timeZone));
        if (d !== undefined) {
          this.queue.addAfter(metaNamespaceKeyFunc(cur), d);
          return;
        }
      } catch {
        // Unparseable: the sync reports it.
      }
    }
    this.enqueue(cur);
  }

  private enqueueOwner(job: Job): void {
    const ref = controllerRef(job);
    if (!ref || ref.kind !== CRONJOB_GVK.kind || !ref.apiVersion.startsWith('batch/')) return;
    const cj = this.cjInformer.lister.get(job.metadata.namespace ?? '', ref.name);
    if (cj && cj.metadata.uid === ref.uid) this.enqueue(cj);
  }

  // ---- sync ----

  /** sync(key): reconcile one CronJob with the Jobs it controls, write status, requeue for the next activation. */
  async sync(key: string): Promise<void> {
    const { namespace, name } = splitMetaNamespaceKey(key);
    const shared = this.cjInformer.lister.get(namespace, name);
    if (!shared) return;
    const jobs = this.jobInformer.lister.byIndex(OwnerUIDIndex, shared.metadata.uid ?? '').filter((j) => controllerRef(j)?.uid === shared.metadata.uid);
    let cj = structuredClone(shared);
    cj.status ??= {};
    let result: { cj: CronJob; requeueAfter?: number; updateStatus: boolean };
    let syncErr: unknown;
    try {
      result = await this.syncCronJob(cj, jobs);
    } catch (err) {
      syncErr = err;
      result = { cj, updateStatus: false };
    }
    cj = result.cj;
    let updateStatus = result.updateStatus;
    if (!cj.metadata.deletionTimestamp && (await this.cleanupFinishedJobs(cj, jobs))) updateStatus = true;
    if (updateStatus) {
      // An empty list is omitted on the wire, as Go's omitempty does.
      if (cj.status?.active?.length === 0) delete cj.status.active;
      await this.cjClient.namespace(namespace).updateStatus({ ...cj, apiVersion: CRONJOB_GVK.apiVersion, kind: CRONJOB_GVK.kind });
    }
    if (result.requeueAfter !== undefined) this.queue.addAfter(key, Math.max(0, result.requeueAfter));
    if (syncErr) throw syncErr;
  }

  /** syncCronJob: the active list, then at most one new Job for the most recent unmet activation. */
  private async syncCronJob(cjIn: CronJob, jobs: Job[]): Promise<{ cj: CronJob; requeueAfter?: number; updateStatus: boolean }> {
    let cj = cjIn;
    const now = this.now();
    let updateStatus = false;
    const children = new Set<string>();
    for (const j of jobs) {
      const uid = j.metadata.uid ?? '';
      children.add(uid);
      const found = inActiveList(cj, uid);
      if (!found && !isJobFinished(j)) {
        // Perhaps our own status write is not in the cache yet: ask the apiserver.
        const fresh = await this.cjClient.namespace(cj.metadata.namespace).get(cj.metadata.name ?? '');
        if (inActiveList(fresh, uid)) {
          cj = { ...fresh, status: fresh.status ?? {} };
          continue;
        }
        this.event(cj, 'Warning', 'UnexpectedJob', `Saw a job that the controller did not create or forgot: ${j.metadata.name}`);
      } else if (isJobFinished(j)) {
        if (found) {
          deleteFromActiveList(cj, uid);
          this.event(cj, 'Normal', 'SawCompletedJob', `Saw completed job: ${j.metadata.name}, condition: ${finishedCondition(j)?.type}`);
          updateStatus = true;
        }
        if (isJobSucceeded(j) && j.status?.completionTime) {
          const last = cj.status!.lastSuccessfulTime;
          if (!last || Date.parse(j.status.completionTime) > Date.parse(last)) {
            cj.status!.lastSuccessfulTime = j.status.completionTime;
            updateStatus = true;
          }
        }
      }
    }
    // Active Jobs that are gone (checked against the apiserver, the cache may lag).
    for (const ref of [...(cj.status!.active ?? [])]) {
      if (children.has(ref.uid ?? '')) continue;
      try {
        await this.jobClient.namespace(ref.namespace).get(ref.name ?? '');
      } catch (err) {
        if (!isStatus(err, 404)) throw err;
        this.event(cj, 'Normal', 'MissingJob', `Active job went missing: ${ref.name}`);
        deleteFromActiveList(cj, ref.uid ?? '');
        updateStatus = true;
      }
    }
    if (cj.metadata.deletionTimestamp) return { cj, updateStatus };

    const tz = cj.spec.timeZone;
    if (tz !== undefined && tz !== null) {
      try {
        new Intl.DateTimeFormat('en-US', { timeZone: tz });
      } catch {
        this.event(cj, 'Warning', 'UnknownTimeZone', `invalid timeZone: ${JSON.stringify(tz)}: unknown time zone ${tz}`);
        return { cj, updateStatus };
      }
    }
    if (cj.spec.suspend === true) return { cj, updateStatus };

    if (cj.spec.schedule.includes('TZ')) {
      this.event(
        cj,
        'Warning',
        'UnsupportedSchedule',
        `CRON_TZ or TZ used in schedule ${JSON.stringify(cj.spec.schedule)} is not officially supported, see https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/ for more details`,
      );
    }
    let sched: CronSchedule;
    try {
      sched = parseCronSchedule(cj.spec.schedule, tz ?? undefined);
    } catch (err) {
      // A user error: nothing to do until the spec changes.
      this.event(cj, 'Warning', 'UnparseableSchedule', `unparseable schedule: ${JSON.stringify(cj.spec.schedule)} : ${(err as Error).message}`);
      return { cj, updateStatus };
    }

    // nextScheduleTime: the most recent unmet activation, within startingDeadlineSeconds.
    const recent = mostRecentScheduleTime(cj, now, sched, true);
    if (recent.error) {
      this.event(cj, 'Warning', 'InvalidSchedule', `invalid schedule: ${cj.spec.schedule} : ${recent.error}`);
      return { cj, updateStatus };
    }
    const scheduledTime = recent.mostRecentTime && recent.mostRecentTime <= now ? recent.mostRecentTime : undefined;
    if (scheduledTime && recent.missed === 'many') {
      this.event(cj, 'Warning', 'TooManyMissedTimes', 'too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew');
    }
    const requeue = () => nextScheduleTimeDuration(cj, now, sched);
    if (!scheduledTime) return { cj, requeueAfter: requeue(), updateStatus };

    if (cj.spec.startingDeadlineSeconds != null && scheduledTime.getTime() + cj.spec.startingDeadlineSeconds * 1000 < now.getTime()) {
      this.event(cj, 'Warning', 'MissSchedule', `Missed scheduled time to start a job: ${rfc1123z(scheduledTime)}`);
      return { cj, requeueAfter: requeue(), updateStatus };
    }
    const jobName = getJobName(cj, scheduledTime);
    const last = cj.status!.lastScheduleTime;
    if (
      (cj.status!.active ?? []).some((r) => r.name === jobName && r.namespace === cj.metadata.namespace) ||
      (last && Date.parse(last) === scheduledTime.getTime())
    ) {
      return { cj, requeueAfter: requeue(), updateStatus };
    }
    if (cj.spec.concurrencyPolicy === 'Forbid' && (cj.status!.active ?? []).length > 0) {
      this.event(cj, 'Normal', 'JobAlreadyActive', 'Not starting job because prior execution is running and concurrency policy is Forbid');
      return { cj, requeueAfter: requeue(), updateStatus };
    }
    if (cj.spec.concurrencyPolicy === 'Replace') {
      for (const ref of [...(cj.status!.active ?? [])]) {
        let job: Job;
        try {
          job = await this.jobClient.namespace(ref.namespace).get(ref.name ?? '');
        } catch (err) {
          this.event(cj, 'Warning', 'FailedGet', `Get job: ${(err as Error).message}`);
          throw err;
        }
        if (!(await this.deleteJob(cj, job))) throw new Error(`could not replace job ${job.metadata.namespace}/${job.metadata.name}`);
        updateStatus = true;
      }
    }

    const jobReq = getJobFromTemplate(cj, scheduledTime);
    let created: Job;
    try {
      created = await this.jobClient.namespace(cj.metadata.namespace).create(jobReq);
      this.event(cj, 'Normal', 'SuccessfulCreate', `Created job ${created.metadata.name}`);
    } catch (err) {
      if (!isStatus(err, 409)) {
        this.event(cj, 'Warning', 'FailedCreate', `Error creating job: ${(err as Error).message}`);
        throw err;
      }
      // Created before, but the status write was lost: put it back in the active list if it is ours.
      created = await this.jobClient.namespace(cj.metadata.namespace).get(jobName);
      if (controllerRef(created)?.uid !== cj.metadata.uid || inActiveList(cj, created.metadata.uid ?? '')) return { cj, updateStatus };
      this.deps.log('job already exists', { cronjob: metaNamespaceKeyFunc(cj), job: jobName });
    }
    (cj.status!.active ??= []).push(objectReference(created, JOB_GVK));
    cj.status!.lastScheduleTime = rfc3339(scheduledTime);
    return { cj, requeueAfter: requeue(), updateStatus: true };
  }

  /** cleanupFinishedJobs: delete the oldest finished Jobs beyond the history limits. */
  private async cleanupFinishedJobs(cj: CronJob, jobs: Job[]): Promise<boolean> {
    const { successfulJobsHistoryLimit: okLimit, failedJobsHistoryLimit: failLimit } = cj.spec;
    if (okLimit == null && failLimit == null) return false;
    const succeeded: Job[] = [];
    const failed: Job[] = [];
    for (const j of jobs) {
      const type = finishedCondition(j)?.type;
      if (type === JobComplete) succeeded.push(j);
      else if (type === JobFailed) failed.push(j);
    }
    let changed = false;
    for (const [list, limit] of [
      [succeeded, okLimit],
      [failed, failLimit],
    ] as const) {
      if (limit == null || list.length <= limit) continue;
      const sorted = [...list].sort(byJobStartTime);
      for (const j of sorted.slice(0, sorted.length - limit)) if (await this.deleteJob(cj, j)) changed = true;
    }
    return changed;
  }

  /** deleteJob: the Job (its pods in the background) and its active-list entry. */
  private async deleteJob(cj: CronJob, job: Job): Promise<boolean> {
    try {
      await this.jobClient.namespace(job.metadata.namespace).delete(job.metadata.name ?? '', { propagationPolicy: 'Background' });
    } catch (err) {
      if (!isStatus(err, 404)) {
        this.event(cj, 'Warning', 'FailedDelete', `Deleted job: ${(err as Error).message}`);
        return false;
      }
    }
    deleteFromActiveList(cj, job.metadata.uid ?? '');
    this.event(cj, 'Normal', 'SuccessfulDelete', `Deleted job ${job.metadata.name}`);
    return true;
  }

  private event(cj: CronJob, type: 'Normal' | 'Warning', reason: string, message: string): void {
    void this.deps.recorder.event(cj, type, reason, message, CRONJOB_GVK);
  }
}

function inActiveList(cj: CronJob, uid: string): boolean {
  return (cj.status?.active ?? []).some((r) => r.uid === uid);
}

function deleteFromActiveList(cj: CronJob, uid: string): void {
  const st = (cj.status ??= {});
  st.active = (st.active ?? []).filter((r) => r.uid !== uid);
}

/** Go's time.RFC1123Z in UTC: "Mon, 02 Jan 2006 15:04:05 +0000". */
function rfc1123z(t: Date): string {
  return t.toUTCString().replace('GMT', '+0000');
}
