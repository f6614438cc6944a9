// The Job controller (pkg/controller/job/job_controller.go): runs pods from a
// Job's template until enough succeed (completions, parallelism; Indexed jobs run
// one pod per completion index) or the Job fails (backoffLimit, activeDeadlineSeconds).
//
// Pods carry the batch.kubernetes.io/job-tracking finalizer. A pod that finished
// is first written into status.uncountedTerminatedPods, then its finalizer is
// removed, and only then is it moved into status.succeeded/failed, so a pod is
// never counted twice nor lost when it is deleted. As upstream (1.32, with
// JobPodReplacementPolicy on), a finishing Job first gets the interim
// SuccessCriteriaMet / FailureTarget condition and then Complete / Failed.
import type { Job, JobCondition, JobStatus } from '../../../api/batch/v1/types.js';
import { isPodReady, isPodTerminal } from '../../../api/core/v1/pod.js';
import type { Pod, PodSpec } from '../../../api/core/v1/types.js';
import { controllerRef, ControllerExpectations, newControllerRef } from '../../client/controllerutil.js';
import type { SharedIndexInformer } from '../../client/informer.js';
import { isStatus, type ResourceClient } from '../../client/rest.js';
import { metaNamespaceKeyFunc, OwnerUIDIndex, splitMetaNamespaceKey } from '../../client/store.js';
import { RateLimitingQueue, runWorkers } from '../../client/workqueue.js';
import type { Controller, ControllerContext } from '../context.js';
import { resolveControllerRef } from '../controller_ref_manager.js';
import { filterActivePods } from '../replicaset/pod_util.js';
import { slowStartBatch, SLOW_START_INITIAL_BATCH_SIZE } from '../replicaset/slow_start.js';
import { firstPendingIndexes, formatIndexes, getCompletionIndex, parseIndexes, UNKNOWN_COMPLETION_INDEX } from './indexed_job_utils.js';
import {
  JOB_COMPLETION_INDEX_ANNOTATION,
  JOB_COMPLETION_INDEX_ENV,
  JOB_GVK,
  JOB_TRACKING_FINALIZER,
  JobComplete,
  JobFailed,
  JobFailureTarget,
  JobReasonBackoffLimitExceeded,
  JobReasonCompletionsReached,
  JobReasonDeadlineExceeded,
  JobSuccessCriteriaMet,
  JobSuspended,
  isJobFinished,
  rfc3339,
} from './types.js';

/** Upstream's MaxPodCreateDeletePerSync. */
const MAX_POD_CREATE_DELETE_PER_SYNC = 500;
/** DefaultJobPodFailureBackOff and MaxJobPodFailureBackOff. */
export const DEFAULT_POD_FAILURE_BACKOFF_MS = 10_000;
export const MAX_POD_FAILURE_BACKOFF_MS = 10 * 60_000;

export interface JobControllerOptions {
  /** The clock; tests may inject one. */
  now?: () => Date;
  /** Delay before recreating a pod after the first failure; doubles per further failure. */
  podFailureBackoffMs?: number;
}

interface BackoffRecord {
  failuresAfterLastSuccess: number;
  lastFailureTime?: number;
}

/** Everything one sync works on (upstream's syncJobCtx). */
interface SyncJobCtx {
  job: Job;
  key: string;
  pods: Pod[];
  activePods: Pod[];
  ready: number;
  terminating: number;
  uncountedSucceeded: Set<string>;
  uncountedFailed: Set<string>;
  expectedRmFinalizers: Set<string>;
  succeeded: number;
  failed: number;
  /** Indexed: the indexes recorded in status, and those plus newly succeeded pods. */
  prevSucceededIndexes: Set<number>;
  succeededIndexes: Set<number>;
  finishedCondition?: JobCondition;
}

export class JobController implements Controller {
  readonly queue = new RateLimitingQueue<string>(undefined, 'job');
  readonly expectations = new ControllerExpectations();
  /** finalizerExpectations: pod uids whose finalizer removal we issued and have not yet seen, per job key. */
  private readonly finalizerExpectations = new Map<string, Set<string>>();
  private readonly backoff = new Map<string, BackoffRecord>();
  private readonly jobInformer: SharedIndexInformer<Job>;
  private readonly podInformer: SharedIndexInformer<Pod>;
  private readonly jobClient: ResourceClient<Job>;
  private readonly podClient: ResourceClient<Pod>;
  private readonly now: () => Date;
  private readonly podFailureBackoffMs: number;

  constructor(
    private readonly deps: ControllerContext,
    opts: JobControllerOptions = {},
  ) {
    this.now = opts.now ?? (() => new Date());
    this.podFailureBackoffMs = opts.podFailureBackoffMs ?? DEFAULT_POD_FAILURE_BACKOFF_MS;
    this.jobInformer = deps.informers.forResource<Job>('batch/v1', 'jobs');
    this.podInformer = deps.informers.forResource<Pod>('v1', 'pods');
    this.jobClient = deps.client.resource<Job>('batch/v1', 'jobs');
    this.podClient = deps.client.resource<Pod>('v1', 'pods');
    this.jobInformer.addEventHandler({
      onAdd: (job) => this.enqueue(job),
      onUpdate: (old, cur) => this.updateJob(old, cur),
      onDelete: (job) => this.deleteJob(job),
    });
    this.podInformer.addEventHandler({
      onAdd: (pod) => this.addPod(pod),
      onUpdate: (old, cur) => this.updatePod(old, cur),
      onDelete: (pod) => this.deletePod(pod, true),
    });
  }

  async run(workers: number, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return;
    signal.addEventListener('abort', () => this.queue.shutDown(), { once: true });
    this.deps.log('starting job controller', { workers });
    this.deps.informers.start();
    await Promise.all([this.jobInformer.waitForCacheSync(), this.podInformer.waitForCacheSync()]);
    await runWorkers(this.queue, workers, (key) => this.syncJob(key), { log: (m) => this.deps.log(m) });
    this.deps.log('job controller stopped');
  }

  // ---- event handlers: map to Job keys, nothing else ----

  private enqueue(job: Job): void {
    this.queue.add(metaNamespaceKeyFunc(job));
  }

  private updateJob(old: Job, cur: Job): void {
    if (old.metadata.uid !== cur.metadata.uid) this.deleteJob(old);
    this.enqueue(cur);
  }

  private deleteJob(job: Job): void {
    this.queue.add(metaNamespaceKeyFunc(job));
  }

  private resolveControllerRef(pod: Pod): Job | undefined {
    return resolveControllerRef(this.jobInformer.lister, pod.metadata.namespace ?? '', controllerRef(pod), JOB_GVK.kind, 'batch');
  }

  private addPod(pod: Pod): void {
    if (pod.metadata.deletionTimestamp) {
      this.deletePod(pod, false);
      return;
    }
    const job = this.resolveControllerRef(pod);
    if (!job) return;
    const key = metaNamespaceKeyFunc(job);
    this.expectations.creationObserved(key);
    this.queue.add(key);
  }

  private updatePod(old: Pod, cur: Pod): void {
    if (old.metadata.resourceVersion === cur.metadata.resourceVersion) return;
    if (cur.metadata.deletionTimestamp && !old.metadata.deletionTimestamp) {
      this.deletePod(cur, false);
      return;
    }
    const job = this.resolveControllerRef(cur);
    if (job) {
      const key = metaNamespaceKeyFunc(job);
      if (!hasTrackingFinalizer(cur)) this.finalizerRemovalObserved(key, cur.metadata.uid ?? '');
      this.queue.add(key);
    }
    const oldJob = this.resolveControllerRef(old);
    if (oldJob && oldJob !== job) this.enqueue(oldJob);
  }

  private deletePod(pod: Pod, final: boolean): void {
    const job = this.resolveControllerRef(pod);
    if (!job) return;
    const key = metaNamespaceKeyFunc(job);
    this.expectations.deletionObserved(key);
    if (final || !hasTrackingFinalizer(pod)) this.finalizerRemovalObserved(key, pod.metadata.uid ?? '');
    this.queue.add(key);
  }

  private finalizerRemovalObserved(key: string, uid: string): void {
    const set = this.finalizerExpectations.get(key);
    if (!set) return;
    set.delete(uid);
    if (set.size === 0) this.finalizerExpectations.delete(key);
  }

  // ---- sync ----

  /**
   * syncJob(key): one pass of reconciliation for one Job. Long on purpose: it keeps the steps and
   * their order of upstream's syncJob (finished, past deadline, backoff, manage pods, status), which matter.
   */
  async syncJob(key: string): Promise<void> {
    const { namespace, name } = splitMetaNamespaceKey(key);
    const shared = this.jobInformer.lister.get(namespace, name);
    if (!shared) {
      this.expectations.deleteExpectations(key);
      this.finalizerExpectations.delete(key);
      this.backoff.delete(key);
      return;
    }
    const job = structuredClone(shared);
    if (isJobFinished(job)) {
      this.backoff.delete(key);
      return;
    }
    const mode = job.spec.completionMode ?? 'NonIndexed';
    if (mode !== 'NonIndexed' && mode !== 'Indexed') {
      void this.deps.recorder.event(job, 'Warning', 'UnknownCompletionMode', 'Skipped Job sync because completion mode is unknown', JOB_GVK);
      return;
    }
    const status: JobStatus = (job.status ??= {});
    status.uncountedTerminatedPods ??= {};
    // Check expectations before reading pods, so a pod arriving meanwhile defers us rather than being missed.
    const satisfied = this.expectations.satisfied(key);
    const pods = this.podsForJob(job);
    const activePods = filterActivePods(pods);
    const ctx: SyncJobCtx = {
      job,
      key,
      pods,
      activePods,
      ready: activePods.filter(isPodReady).length,
      terminating: pods.filter(isPodTerminating).length,
      uncountedSucceeded: new Set(status.uncountedTerminatedPods.succeeded ?? []),
      uncountedFailed: new Set(status.uncountedTerminatedPods.failed ?? []),
      expectedRmFinalizers: new Set(this.finalizerExpectations.get(key) ?? []),
      succeeded: 0,
      failed: 0,
      prevSucceededIndexes: new Set(),
      succeededIndexes: new Set(),
    };
    let active = activePods.length;
    const { newSucceeded, newFailed } = this.newFinishedPods(ctx);
    ctx.succeeded = (status.succeeded ?? 0) + newSucceeded.length + ctx.uncountedSucceeded.size;
    ctx.failed = (status.failed ?? 0) + newFailed.length + ctx.uncountedFailed.size;
    this.updateBackoffRecord(key, newSucceeded.length, newFailed.length);

    const suspended = job.spec.suspend === true;
    if (!status.startTime && !suspended) status.startTime = rfc3339(this.now());

    // A condition already recorded in an earlier pass stands.
    const criteriaMet = status.conditions?.find((c) => c.type === JobSuccessCriteriaMet && c.status === 'True');
    const failureTarget = status.conditions?.find((c) => c.type === JobFailureTarget && c.status === 'True');
    if (criteriaMet) ctx.finishedCondition = criteriaMet;
    else if (failureTarget) ctx.finishedCondition = newCondition(JobFailed, failureTarget.reason, failureTarget.message, this.now());
    else if (ctx.failed > (job.spec.backoffLimit ?? 6) || pastBackoffLimitOnFailure(job, pods)) {
      ctx.finishedCondition = newCondition(JobFailureTarget, JobReasonBackoffLimitExceeded, 'Job has reached the specified backoff limit', this.now());
    } else if (this.pastActiveDeadline(job)) {
      ctx.finishedCondition = newCondition(JobFailureTarget, JobReasonDeadlineExceeded, 'Job was active longer than specified deadline', this.now());
    } else if (job.spec.activeDeadlineSeconds != null && !suspended && status.startTime) {
      const left = job.spec.activeDeadlineSeconds * 1000 - (this.now().getTime() - Date.parse(status.startTime));
      this.queue.addAfter(key, Math.max(0, left));
    }

    if (mode === 'Indexed') {
      const completions = job.spec.completions ?? 0;
      ctx.prevSucceededIndexes = parseIndexes(status.completedIndexes, completions);
      ctx.succeededIndexes = new Set(ctx.prevSucceededIndexes);
      for (const p of pods) {
        const ix = getCompletionIndex(p);
        if (p.status?.phase === 'Succeeded' && ix !== UNKNOWN_COMPLETION_INDEX && ix < completions && hasTrackingFinalizer(p)) ctx.succeededIndexes.add(ix);
      }
      ctx.succeeded = ctx.succeededIndexes.size;
    }

    let manageErr: unknown;
    let suspendChanged = false;
    if (ctx.finishedCondition) {
      // Finishing: no pod may keep running.
      const { deleted, error } = await this.deletePods(job, key, activePods);
      if (deleted !== active || !satisfied) ctx.finishedCondition = undefined;
      active -= deleted;
      ctx.terminating += deleted;
      manageErr = error;
    } else {
      let manageCalled = false;
      if (satisfied && !job.metadata.deletionTimestamp) {
        try {
          active = await this.manageJob(ctx);
        } catch (err) {
          manageErr = err;
        }
        manageCalled = true;
      }
      const complete = job.spec.completions == null ? ctx.succeeded > 0 && active === 0 : ctx.succeeded >= job.spec.completions && active === 0;
      if (complete) {
        ctx.finishedCondition = newCondition(JobSuccessCriteriaMet, JobReasonCompletionsReached, 'Reached expected number of succeeded pods', this.now());
      } else if (manageCalled) {
        if (suspended) {
          if (ensureCondition(status, JobSuspended, 'True', 'JobSuspended', 'Job suspended', this.now())) {
            suspendChanged = true;
            void this.deps.recorder.event(job, 'Normal', 'Suspended', 'Job suspended', JOB_GVK);
          }
        } else if (ensureCondition(status, JobSuspended, 'False', 'JobResumed', 'Job resumed', this.now())) {
          suspendChanged = true;
          void this.deps.recorder.event(job, 'Normal', 'Resumed', 'Job resumed', JOB_GVK);
          // activeDeadlineSeconds counts continuous activity: it restarts on resume.
          status.startTime = rfc3339(this.now());
        }
      }
    }

    const needsUpdate =
      suspendChanged ||
      active !== (status.active ?? 0) ||
      ctx.ready !== status.ready ||
      ctx.terminating !== status.terminating ||
      status.startTime !== shared.status?.startTime;
    status.active = active;
    status.ready = ctx.ready;
    status.terminating = ctx.terminating;
    await this.trackJobStatusAndRemoveFinalizers(ctx, needsUpdate);
    if (manageErr) throw manageErr;
  }

  /** Pods this Job controls (by controllerRef; orphans are not adopted). */
  private podsForJob(job: Job): Pod[] {
    return this.podInformer.lister.byIndex(OwnerUIDIndex, job.metadata.uid ?? '').filter((p) => controllerRef(p)?.uid === job.metadata.uid);
  }

  /** getNewFinishedPods: finished pods still holding our finalizer and not yet in uncountedTerminatedPods. */
  private newFinishedPods(ctx: SyncJobCtx): { newSucceeded: Pod[]; newFailed: Pod[] } {
    const newSucceeded: Pod[] = [];
    const newFailed: Pod[] = [];
    for (const p of ctx.pods) {
      const uid = p.metadata.uid ?? '';
      if (!hasTrackingFinalizer(p) || ctx.expectedRmFinalizers.has(uid)) continue;
      if (p.status?.phase === 'Succeeded') {
        if (!ctx.uncountedSucceeded.has(uid)) newSucceeded.push(p);
      } else if (isPodFailed(p, ctx.job) && !ctx.uncountedFailed.has(uid)) newFailed.push(p);
    }
    return { newSucceeded, newFailed };
  }

  private updateBackoffRecord(key: string, newSucceeded: number, newFailed: number): void {
    const rec = this.backoff.get(key) ?? { failuresAfterLastSuccess: 0 };
    if (newSucceeded > 0) rec.failuresAfterLastSuccess = 0;
    if (newFailed > 0) {
      rec.failuresAfterLastSuccess += newFailed;
      rec.lastFailureTime = this.now().getTime();
    }
    this.backoff.set(key, rec);
  }

  /** How long before another pod may be created after failures (exponential, from the last failure). */
  private remainingBackoffMs(key: string): number {
    const rec = this.backoff.get(key);
    if (!rec || rec.failuresAfterLastSuccess === 0 || rec.lastFailureTime === undefined) return 0;
    const delay = Math.min(this.podFailureBackoffMs * 2 ** (rec.failuresAfterLastSuccess - 1), MAX_POD_FAILURE_BACKOFF_MS);
    return Math.max(0, rec.lastFailureTime + delay - this.now().getTime());
  }

  private pastActiveDeadline(job: Job): boolean {
    if (job.spec.activeDeadlineSeconds == null || !job.status?.startTime || job.spec.suspend === true) return false;
    return this.now().getTime() - Date.parse(job.status.startTime) >= job.spec.activeDeadlineSeconds * 1000;
  }

  /** manageJob: create or delete pods so min(parallelism, remaining completions) run. Returns the new active count. */
  private async manageJob(ctx: SyncJobCtx): Promise<number> {
    const { job, key, activePods } = ctx;
    let active = activePods.length;
    if (job.spec.suspend === true) {
      const { deleted, error } = await this.deletePods(job, key, activePods);
      if (error) throw error;
      return active - deleted;
    }
    const parallelism = job.spec.parallelism ?? 1;
    let wantActive: number;
    if (job.spec.completions == null) wantActive = ctx.succeeded > 0 ? active : parallelism;
    else wantActive = Math.max(0, Math.min(job.spec.completions - ctx.succeeded, parallelism));

    // Too many: drop pods for indexes already done or duplicated first, then the least progressed.
    const toDelete = this.activePodsForRemoval(ctx, Math.max(0, active - wantActive));
    if (toDelete.length) {
      const { deleted, error } = await this.deletePods(job, key, toDelete);
      active -= deleted;
      if (error) throw error;
    }

    let diff = wantActive - active;
    if (diff <= 0) return active;
    const wait = this.remainingBackoffMs(key);
    if (wait > 0) {
      this.queue.addAfter(key, wait);
      return active;
    }
    diff = Math.min(diff, MAX_POD_CREATE_DELETE_PER_SYNC);
    let indexes: number[] | undefined;
    if (job.spec.completionMode === 'Indexed') {
      indexes = firstPendingIndexes(ctx.succeededIndexes, activePods, diff, job.spec.completions ?? 0);
      diff = indexes.length;
      if (diff === 0) return active;
    }
    this.expectations.expectCreations(key, diff);
    let next = 0;
    const { successes, error } = await slowStartBatch(diff, SLOW_START_INITIAL_BATCH_SIZE, () => this.createPod(job, indexes?.[next++]));
    for (let i = successes; i < diff; i++) this.expectations.creationObserved(key);
    active += successes;
    if (error) throw error;
    return active;
  }

  /** activePodsForRemoval: for Indexed jobs, pods of succeeded, out-of-range or duplicated indexes; then not-ready, newest first. */
  private activePodsForRemoval(ctx: SyncJobCtx, rmAtLeast: number): Pod[] {
    const out: Pod[] = [];
    let rest = ctx.activePods;
    if (ctx.job.spec.completionMode === 'Indexed') {
      const seen = new Set<number>();
      rest = [];
      for (const p of [...ctx.activePods].sort(byCreation)) {
        const ix = getCompletionIndex(p);
        if (ix === UNKNOWN_COMPLETION_INDEX || ix >= (ctx.job.spec.completions ?? 0) || ctx.succeededIndexes.has(ix) || seen.has(ix)) out.push(p);
        else {
          seen.add(ix);
          rest.push(p);
        }
      }
    }
    const more = rmAtLeast - out.length;
    if (more > 0) {
      const ranked = [...rest].sort((a, b) => Number(isPodReady(a)) - Number(isPodReady(b)) || byCreation(b, a));
      out.push(...ranked.slice(0, more));
    }
    return out;
  }

  /** getPodFromTemplate plus the Indexed job's index annotation, label, hostname and env. */
  private async createPod(job: Job, index: number | undefined): Promise<void> {
    const template = job.spec.template ?? {};
    const tm = template.metadata ?? {};
    const name = job.metadata.name ?? '';
    const spec: PodSpec = structuredClone(template.spec ?? { containers: [] });
    const pod: Pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        generateName: index === undefined ? `${name}-` : podGenerateNameWithIndex(name, index),
        namespace: job.metadata.namespace,
        labels: { ...(tm.labels ?? {}) },
        annotations: { ...(tm.annotations ?? {}) },
        finalizers: [...(tm.finalizers ?? []), JOB_TRACKING_FINALIZER],
        ownerReferences: [newControllerRef(job, JOB_GVK)],
      },
      spec,
    };
    if (index !== undefined) {
      pod.metadata.annotations![JOB_COMPLETION_INDEX_ANNOTATION] = String(index);
      pod.metadata.labels![JOB_COMPLETION_INDEX_ANNOTATION] = String(index);
      if (!spec.hostname) spec.hostname = `${name}-${index}`;
      addCompletionIndexEnv(spec);
    }
    if (Object.keys(pod.metadata.annotations!).length === 0) delete pod.metadata.annotations;
    try {
      const created = await this.podClient.namespace(job.metadata.namespace).create(pod);
      void this.deps.recorder.event(job, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name ?? ''}`, JOB_GVK);
    } catch (err) {
      void this.deps.recorder.event(job, 'Warning', 'FailedCreate', `Error creating: ${(err as Error)?.message ?? String(err)}`, JOB_GVK);
      throw err;
    }
  }

  /** deleteJobPods: DELETE each pod (finalizers stay; tracking removes them). Returns how many went. */
  private async deletePods(job: Job, key: string, pods: Pod[]): Promise<{ deleted: number; error?: unknown }> {
    if (pods.length === 0) return { deleted: 0 };
    this.expectations.expectDeletions(key, pods.length);
    let deleted = 0;
    let error: unknown;
    await Promise.all(
      pods.map(async (pod) => {
        const podName = pod.metadata.name ?? '';
        try {
          await this.podClient.namespace(pod.metadata.namespace).delete(podName);
          deleted++;
          void this.deps.recorder.event(job, 'Normal', 'SuccessfulDelete', `Deleted pod: ${podName}`, JOB_GVK);
        } catch (err) {
          this.expectations.deletionObserved(key);
          if (isStatus(err, 404)) {
            deleted++;
            return;
          }
          error ??= err;
          void this.deps.recorder.event(job, 'Warning', 'FailedDelete', `Error deleting: ${(err as Error)?.message ?? String(err)}`, JOB_GVK);
        }
      }),
    );
    return { deleted, error };
  }

  /**
   * trackJobStatusAndRemoveFinalizers: record finished pods in uncountedTerminatedPods,
   * remove their finalizers, move them into the counters, and add the final condition
   * once nothing is left uncounted or terminating. One function, as upstream's, because the
   * order of those writes is what keeps a pod from being counted twice.
   */
  private async trackJobStatusAndRemoveFinalizers(ctx: SyncJobCtx, needsFlushIn: boolean): Promise<void> {
    let needsFlush = needsFlushIn;
    const { job } = ctx;
    const status = job.status!;
    const indexed = job.spec.completionMode === 'Indexed';
    const completions = job.spec.completions ?? 0;
    const uidsWithFinalizer = new Set<string>();
    for (const p of ctx.pods) if (hasTrackingFinalizer(p) && !ctx.expectedRmFinalizers.has(p.metadata.uid ?? '')) uidsWithFinalizer.add(p.metadata.uid ?? '');
    if (cleanUncountedPodsWithoutFinalizers(status, uidsWithFinalizer)) needsFlush = true;
    const uncounted = status.uncountedTerminatedPods!;
    const toRemove: Pod[] = [];
    const newSucceededIndexes: number[] = [];
    for (const pod of ctx.pods) {
      const uid = pod.metadata.uid ?? '';
      if (!hasTrackingFinalizer(pod) || ctx.expectedRmFinalizers.has(uid)) continue;
      const failed = isPodFailed(pod, job);
      const canRemove = !!job.metadata.deletionTimestamp || !!ctx.finishedCondition || pod.status?.phase === 'Succeeded' || failed;
      if (!canRemove) continue;
      toRemove.push(pod);
      if (pod.status?.phase === 'Succeeded' && !ctx.uncountedFailed.has(uid)) {
        if (indexed) {
          const ix = getCompletionIndex(pod);
          if (ix !== UNKNOWN_COMPLETION_INDEX && ix < completions && !ctx.prevSucceededIndexes.has(ix)) {
            newSucceededIndexes.push(ix);
            needsFlush = true;
          }
        } else if (!ctx.uncountedSucceeded.has(uid)) {
          (uncounted.succeeded ??= []).push(uid);
          ctx.uncountedSucceeded.add(uid);
          needsFlush = true;
        }
      } else if (failed || (ctx.finishedCondition && ctx.finishedCondition.type !== JobSuccessCriteriaMet)) {
        // Once the Job is failing, every pod not yet terminated counts as failed.
        const ix = getCompletionIndex(pod);
        if (!ctx.uncountedFailed.has(uid) && (!indexed || (ix !== UNKNOWN_COMPLETION_INDEX && ix < completions))) {
          (uncounted.failed ??= []).push(uid);
          ctx.uncountedFailed.add(uid);
          needsFlush = true;
        }
      }
    }
    if (indexed) {
      const all = new Set([...ctx.prevSucceededIndexes, ...newSucceededIndexes]);
      const s = formatIndexes(all);
      if (s !== (status.completedIndexes ?? '')) needsFlush = true;
      status.completedIndexes = s;
      status.succeeded = all.size;
    }
    let finished = ctx.finishedCondition;
    if (finished?.type === JobFailureTarget) {
      status.conditions = [...(status.conditions ?? []), finished];
      needsFlush = true;
      finished = newCondition(JobFailed, finished.reason, finished.message, this.now());
    } else if (finished?.type === JobSuccessCriteriaMet) {
      if (!status.conditions?.some((c) => c.type === JobSuccessCriteriaMet)) {
        status.conditions = [...(status.conditions ?? []), finished];
        needsFlush = true;
      }
      finished = newCondition(JobComplete, finished.reason, finished.message, this.now());
    }

    // Flush what is uncounted before any finalizer goes, so no pod can be lost.
    let current = job;
    if (needsFlush) {
      current = await this.updateStatus(current);
      needsFlush = false;
    }
    if (toRemove.length) {
      const expected = this.finalizerExpectations.get(ctx.key) ?? new Set<string>();
      this.finalizerExpectations.set(ctx.key, expected);
      let rmErr: unknown;
      await Promise.all(
        toRemove.map(async (pod) => {
          const uid = pod.metadata.uid ?? '';
          expected.add(uid);
          try {
            await this.podClient.namespace(pod.metadata.namespace).patch(pod.metadata.name ?? '', 'strategic', {
              metadata: { [`$deleteFromPrimitiveList/finalizers`]: [JOB_TRACKING_FINALIZER], uid },
            });
            uidsWithFinalizer.delete(uid);
          } catch (err) {
            if (isStatus(err, 404)) {
              uidsWithFinalizer.delete(uid);
              return;
            }
            // The update will never be observed.
            this.finalizerRemovalObserved(ctx.key, uid);
            rmErr ??= err;
          }
        }),
      );
      if (cleanUncountedPodsWithoutFinalizers(current.status!, uidsWithFinalizer)) needsFlush = true;
      if (rmErr) {
        if (needsFlush) await this.updateStatus(current);
        throw rmErr;
      }
    }
    // enactJobFinished: only once every pod is counted and none is still terminating.
    const st = current.status!;
    const remaining = (st.uncountedTerminatedPods?.succeeded?.length ?? 0) + (st.uncountedTerminatedPods?.failed?.length ?? 0);
    const jobFinished = !!finished && remaining === 0 && ctx.terminating === 0;
    if (jobFinished && finished) {
      ensureCondition(st, finished.type, 'True', finished.reason ?? '', finished.message ?? '', this.now());
      if (finished.type === JobComplete) st.completionTime = finished.lastTransitionTime;
      needsFlush = true;
    }
    if (needsFlush) current = await this.updateStatus(current);
    if (jobFinished && finished) {
      if (finished.type === JobComplete) void this.deps.recorder.event(current, 'Normal', 'Completed', 'Job completed', JOB_GVK);
      else void this.deps.recorder.event(current, 'Warning', finished.reason ?? '', finished.message ?? '', JOB_GVK);
    }
  }

  /** PUT …/status with the object's resourceVersion: a stale copy fails with 409 and the sync is retried. */
  private async updateStatus(job: Job): Promise<Job> {
    const body: Job = { ...job, apiVersion: JOB_GVK.apiVersion, kind: JOB_GVK.kind };
    const updated = await this.jobClient.namespace(job.metadata.namespace).updateStatus(body);
    // Keep working on our computed status, with the new resourceVersion.
    return { ...updated, status: job.status };
  }
}

// ---- helpers ----

function hasTrackingFinalizer(pod: Pod): boolean {
  return pod.metadata.finalizers?.includes(JOB_TRACKING_FINALIZER) ?? false;
}

/** isPodFailed: Failed, or (unless only failed pods are replaced) being deleted without having succeeded. */
function isPodFailed(pod: Pod, job: Job): boolean {
  if (pod.status?.phase === 'Failed') return true;
  if (job.spec.podReplacementPolicy === 'Failed') return false;
  return !!pod.metadata.deletionTimestamp && pod.status?.phase !== 'Succeeded';
}

/** controller.IsPodTerminating: being deleted and not yet finished. */
function isPodTerminating(pod: Pod): boolean {
  return !!pod.metadata.deletionTimestamp && !isPodTerminal(pod);
}

/** pastBackoffLimitOnFailure: with restartPolicy OnFailure, container restarts count against backoffLimit. */
function pastBackoffLimitOnFailure(job: Job, pods: Pod[]): boolean {
  if (job.spec.template?.spec?.restartPolicy !== 'OnFailure') return false;
  let restarts = 0;
  for (const p of pods) {
    const phase = p.status?.phase;
    if (phase !== 'Running' && phase !== 'Pending') continue;
    for (const cs of [...(p.status?.initContainerStatuses ?? []), ...(p.status?.containerStatuses ?? [])]) restarts += cs.restartCount ?? 0;
  }
  const limit = job.spec.backoffLimit ?? 6;
  return limit === 0 ? restarts > 0 : restarts >= limit;
}

function newCondition(type: string, reason: string | undefined, message: string | undefined, now: Date): JobCondition {
  const t = rfc3339(now);
  return { type, status: 'True', lastProbeTime: t, lastTransitionTime: t, reason: reason ?? '', message: message ?? '' };
}

/** ensureJobConditionStatus: set a condition's status; returns whether anything changed. A missing False condition is not added. */
function ensureCondition(status: JobStatus, type: string, value: string, reason: string, message: string, now: Date): boolean {
  const conds = (status.conditions ??= []);
  const existing = conds.find((c) => c.type === type);
  const t = rfc3339(now);
  if (existing) {
    if (existing.status === value && existing.reason === reason && existing.message === message) return false;
    if (existing.status !== value) existing.lastTransitionTime = t;
    Object.assign(existing, { status: value, reason, message, lastProbeTime: t });
    return true;
  }
  if (value !== 'True') return false;
  conds.push({ type, status: value, lastProbeTime: t, lastTransitionTime: t, reason, message });
  return true;
}

/** cleanUncountedPodsWithoutFinalizers: uids whose pod no longer holds our finalizer move into the counters. */
function cleanUncountedPodsWithoutFinalizers(status: JobStatus, uidsWithFinalizer: Set<string>): boolean {
  const u = (status.uncountedTerminatedPods ??= {});
  let changed = false;
  const keepS = (u.succeeded ?? []).filter((uid) => uidsWithFinalizer.has(uid));
  if (keepS.length !== (u.succeeded ?? []).length) {
    status.succeeded = (status.succeeded ?? 0) + (u.succeeded ?? []).length - keepS.length;
    u.succeeded = keepS;
    changed = true;
  }
  const keepF = (u.failed ?? []).filter((uid) => uidsWithFinalizer.has(uid));
  if (keepF.length !== (u.failed ?? []).length) {
    status.failed = (status.failed ?? 0) + (u.failed ?? []).length - keepF.length;
    u.failed = keepF;
    changed = true;
  }
  if (u.succeeded?.length === 0) delete u.succeeded;
  if (u.failed?.length === 0) delete u.failed;
  return changed;
}

function byCreation(a: Pod, b: Pod): number {
  return (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '') || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');
}

/** podGenerateNameWithIndex: `<job>-<index>-`, the job name cut so the result stays a valid name. */
function podGenerateNameWithIndex(jobName: string, index: number): string {
  const suffix = `-${index}-`;
  const max = 63 - 5; // generated names append 5 random characters
  return jobName.slice(0, Math.max(0, max - suffix.length)) + suffix;
}

/** addCompletionIndexEnvVariables: JOB_COMPLETION_INDEX from the annotation, unless a container sets it. */
function addCompletionIndexEnv(spec: PodSpec): void {
  for (const list of [spec.initContainers, spec.containers]) {
    if (!Array.isArray(list)) continue;
    for (const c of list) {
      const env = (c.env ??= []);
      if (env.some((e) => e.name === JOB_COMPLETION_INDEX_ENV)) continue;
      env.push({ name: JOB_COMPLETION_INDEX_ENV, valueFrom: { fieldRef: { fieldPath: `metadata.annotations['${JOB_COMPLETION_INDEX_ANNOTATION}']` } } });
    }
  }
}
