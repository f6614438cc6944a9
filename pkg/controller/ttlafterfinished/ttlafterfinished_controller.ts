// The TTL-after-finished controller (pkg/controller/ttlafterfinished): deletes a
// finished Job (Complete or Failed) spec.ttlSecondsAfterFinished seconds after it
// finished, cascading in the foreground so its pods go first, as upstream does.
import type { Job } from '../../../api/batch/v1/types.js';
import type { SharedIndexInformer } from '../../client/informer.js';
import { isStatus, type ResourceClient } from '../../client/rest.js';
import { metaNamespaceKeyFunc, splitMetaNamespaceKey } from '../../client/store.js';
import { RateLimitingQueue, runWorkers } from '../../client/workqueue.js';
import type { Controller, ControllerContext } from '../context.js';
import { JobComplete, JobFailed, isJobFinished } from '../job/types.js';

export interface TTLAfterFinishedControllerOptions {
  now?: () => Date;
}

export class TTLAfterFinishedController implements Controller {
  readonly queue = new RateLimitingQueue<string>(undefined, 'ttl_jobs_to_delete');
  private readonly jobInformer: SharedIndexInformer<Job>;
  private readonly jobClient: ResourceClient<Job>;
  private readonly now: () => Date;

  constructor(
    private readonly deps: ControllerContext,
    opts: TTLAfterFinishedControllerOptions = {},
  ) {
    this.now = opts.now ?? (() => new Date());
    this.jobInformer = deps.informers.forResource<Job>('batch/v1', 'jobs');
    this.jobClient = deps.client.resource<Job>('batch/v1', 'jobs');
    const consider = (job: Job) => {
      if (!job.metadata.deletionTimestamp && needsCleanup(job)) this.queue.add(metaNamespaceKeyFunc(job));
    };
    this.jobInformer.addEventHandler({ onAdd: consider, onUpdate: (_, cur) => consider(cur) });
  }

  async run(workers: number, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return;
    signal.addEventListener('abort', () => this.queue.shutDown(), { once: true });
    this.deps.log('starting TTL after finished controller', { workers });
    this.deps.informers.start();
    await this.jobInformer.waitForCacheSync();
    await runWorkers(this.queue, workers, (key) => this.processJob(key), { log: (m) => this.deps.log(m) });
    this.deps.log('TTL after finished controller stopped');
  }

  /** processJob: delete the Job if its TTL has run out, else look again when it will have. */
  async processJob(key: string): Promise<void> {
    const { namespace, name } = splitMetaNamespaceKey(key);
    const job = this.jobInformer.lister.get(namespace, name);
    if (!job || !this.expired(job, key)) return;
    // The cached TTL may be stale: check a fresh copy before deleting.
    let fresh: Job;
    try {
      fresh = await this.jobClient.namespace(namespace).get(name);
    } catch (err) {
      if (isStatus(err, 404)) return;
      throw err;
    }
    if (!this.expired(fresh, key)) return;
    this.deps.log.v(4)('cleaning up Job', { job: key });
    try {
      await this.jobClient.namespace(namespace).delete(name, { propagationPolicy: 'Foreground', preconditions: { uid: fresh.metadata.uid } });
    } catch (err) {
      if (isStatus(err, 404) || isStatus(err, 409)) return;
      throw err;
    }
  }

  /** processTTL: true when expired; otherwise requeues for when it expires. */
  private expired(job: Job, key: string): boolean {
    if (job.metadata.deletionTimestamp || !needsCleanup(job)) return false;
    const finishAt = jobFinishTime(job);
    if (finishAt === undefined) {
      this.deps.log(`unable to find the time when the Job ${key} finished`);
      return false;
    }
    const left = finishAt + (job.spec.ttlSecondsAfterFinished ?? 0) * 1000 - this.now().getTime();
    if (left <= 0) return true;
    this.queue.addAfter(key, left);
    return false;
  }
}

function needsCleanup(job: Job): boolean {
  return job.spec?.ttlSecondsAfterFinished != null && isJobFinished(job);
}

/** jobFinishTime: the lastTransitionTime of the True Complete or Failed condition. */
function jobFinishTime(job: Job): number | undefined {
  const c = job.status?.conditions?.find((x) => (x.type === JobComplete || x.type === JobFailed) && x.status === 'True');
  const t = c?.lastTransitionTime ? Date.parse(c.lastTransitionTime) : NaN;
  return Number.isNaN(t) ? undefined : t;
}
