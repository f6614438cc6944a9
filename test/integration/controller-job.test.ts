// The Job and TTL-after-finished controllers against a real apiserver. No kubelet
// exists: the test finishes pods itself by writing their status (phase and
// containerStatuses), as a kubelet would.
import { afterAll, beforeAll, describe, it, jest } from '@jest/globals';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Job } from '../../api/batch/v1/types.js';
import type { Pod } from '../../api/core/v1/types.js';
import { isStatus, type ResourceClient } from '../../pkg/client/rest.js';
import { JobController } from '../../pkg/controller/job/job_controller.js';
import { TTLAfterFinishedController } from '../../pkg/controller/ttlafterfinished/ttlafterfinished_controller.js';
import { GarbageCollector } from '../../pkg/controller/garbagecollector/garbagecollector.js';
import { startCluster, type TestCluster } from '../support/cluster.js';
import { controlledBy, eventMessages, startControllers, until, type RunningControllers } from '../support/controllers.js';

const INDEXED = join(process.cwd(), 'test/fixtures/examples/application/job/indexed-job-vol.yaml');

jest.setTimeout(90_000);
describe('Job controller', () => {
  let c: TestCluster;
  let ctl: RunningControllers;
  let pods: ResourceClient<Pod>;
  let jobs: ResourceClient<Job>;

  beforeAll(async () => {
    c = await startCluster();
    ctl = startControllers(c, (h) => [
      [new JobController(h.context('job-controller'), { podFailureBackoffMs: 50 }), 2],
      [new TTLAfterFinishedController(h.context('ttl-after-finished-controller')), 1],
      // The TTL controller deletes in the foreground: the garbage collector finishes that.
      [new GarbageCollector(h.context('garbage-collector')), 1],
    ]);
    pods = ctl.client.resource<Pod>('v1', 'pods').namespace('default');
    jobs = ctl.client.resource<Job>('batch/v1', 'jobs').namespace('default');
  });
  afterAll(async () => {
    await ctl?.stop();
    await c?.stop();
  });

  /** Pods the job controls that have not finished. */
  async function jobPods(job: Job, filter: (p: Pod) => boolean = () => true): Promise<Pod[]> {
    const list = await pods.list();
    return list.items.filter((p) => controlledBy(p, job) && filter(p));
  }
  const isActive = (p: Pod) => !p.metadata.deletionTimestamp && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed';

  /** What a kubelet reports when a pod's container exits. */
  async function finish(name: string, phase: 'Succeeded' | 'Failed'): Promise<void> {
    for (;;) {
      const p = await pods.get(name);
      const exitCode = phase === 'Succeeded' ? 0 : 1;
      p.status = {
        ...(p.status ?? {}),
        phase,
        containerStatuses: [
          {
            name: 'c',
            ready: false,
            restartCount: 0,
            image: 'busybox',
            imageID: '',
            started: false,
            state: {
              terminated: {
                exitCode,
                reason: phase === 'Succeeded' ? 'Completed' : 'Error',
                startedAt: '2024-01-01T00:00:00Z',
                finishedAt: '2024-01-01T00:00:01Z',
              },
            },
          } as never,
        ],
      };
      try {
        await pods.updateStatus(p);
        return;
      } catch (err) {
        if (!isStatus(err, 409)) throw err;
      }
    }
  }

  const events = (job: Job, reason: string) => eventMessages(c, job, reason);

  const condition = (job: Job, type: string) => job.status?.conditions?.find((x) => x.type === type && x.status === 'True');
  const simpleJob = (name: string, spec: Record<string, unknown>): Job => ({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name },
    spec: { ...spec, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } } },
  });

  it('runs completions 3 with parallelism 2: at most 2 at once, then Complete', async () => {
    let job = await jobs.create(simpleJob('pi', { completions: 3, parallelism: 2 }));
    const first = await until('2 active pods', async () => {
      const ps = await jobPods(job, isActive);
      return ps.length === 2 ? ps : undefined;
    });
    for (const p of first) {
      assert.match(p.metadata.name ?? '', /^pi-[a-z0-9]{5}$/);
      assert.equal(p.metadata.labels?.['batch.kubernetes.io/job-name'], 'pi');
      assert.equal(p.metadata.labels?.['job-name'], 'pi');
      assert.equal(p.metadata.labels?.['batch.kubernetes.io/controller-uid'], job.metadata.uid);
      assert.equal(p.metadata.labels?.['controller-uid'], job.metadata.uid);
      assert.deepEqual(p.metadata.finalizers, ['batch.kubernetes.io/job-tracking']);
      assert.deepEqual(p.metadata.ownerReferences, [
        { apiVersion: 'batch/v1', kind: 'Job', name: 'pi', uid: job.metadata.uid, controller: true, blockOwnerDeletion: true },
      ]);
    }
    job = await until('status active 2 and startTime', async () => {
      const j = await jobs.get('pi');
      return j.status?.active === 2 && j.status.startTime ? j : undefined;
    });
    await finish(first[0].metadata.name ?? '', 'Succeeded');
    // One done: a third pod starts, never more than 2 at once.
    const second = await until('a replacement pod', async () => {
      const ps = await jobPods(job, isActive);
      return ps.length === 2 && ps.some((p) => p.metadata.name !== first[1].metadata.name) ? ps : undefined;
    });
    await until('succeeded 1 counted, finalizer removed', async () => {
      const j = await jobs.get('pi');
      const p = await pods.get(first[0].metadata.name ?? '');
      return j.status?.succeeded === 1 && !p.metadata.finalizers?.length;
    });
    for (const p of second) await finish(p.metadata.name ?? '', 'Succeeded');
    job = await until('Complete', async () => {
      const j = await jobs.get('pi');
      return condition(j, 'Complete') ? j : undefined;
    });
    assert.equal(job.status?.succeeded, 3, 'each pod counted once');
    assert.equal(job.status?.active ?? 0, 0);
    assert.equal(job.status?.failed ?? 0, 0);
    assert.ok(job.status?.completionTime);
    const met = condition(job, 'SuccessCriteriaMet');
    assert.equal(met?.reason, 'CompletionsReached');
    assert.equal(condition(job, 'Complete')?.message, 'Reached expected number of succeeded pods');
    assert.deepEqual(job.status?.uncountedTerminatedPods ?? {}, {});
    // No pod beyond the three.
    assert.equal((await jobPods(job)).length, 3);
    const out = (await c.kubectl(['get', 'job', 'pi'])).stdout.trim().split('\n');
    assert.deepEqual(out[0].split(/\s+/).slice(0, 4), ['NAME', 'STATUS', 'COMPLETIONS', 'DURATION']);
    assert.deepEqual(out[1].split(/\s+/).slice(0, 3), ['pi', 'Complete', '3/3']);
    await until('events', async () => (await events(job, 'Completed')).length === 1);
    assert.deepEqual(await events(job, 'Completed'), ['Job completed']);
    const created = await events(job, 'SuccessfulCreate');
    assert.equal(created.length, 3);
    assert.ok(created.every((m) => /^Created pod: pi-[a-z0-9]{5}$/.test(m)));
  });

  it('runs an Indexed job one pod per completion index (indexed-job-vol.yaml)', async () => {
    await c.kubectl(['apply', '-f', INDEXED]);
    let job = await jobs.get('indexed-job');
    const index = (p: Pod) => p.metadata.annotations?.['batch.kubernetes.io/job-completion-index'];
    const first = await until('3 pods for indexes 0..2', async () => {
      const ps = await jobPods(job, isActive);
      return ps.length === 3 ? ps : undefined;
    });
    assert.deepEqual(first.map(index).sort(), ['0', '1', '2']);
    for (const p of first) {
      const ix = index(p);
      assert.equal(p.metadata.labels?.['batch.kubernetes.io/job-completion-index'], ix);
      assert.equal((p.spec as { hostname?: string }).hostname, `indexed-job-${ix}`);
      assert.match(p.metadata.name ?? '', new RegExp(`^indexed-job-${ix}-[a-z0-9]{5}$`));
    }
    // Index 1 fails: it is run again; 0 and 2 succeed.
    const byIndex = (ps: Pod[], ix: string) => ps.find((p) => index(p) === ix)?.metadata.name ?? '';
    await finish(byIndex(first, '1'), 'Failed');
    await finish(byIndex(first, '0'), 'Succeeded');
    await finish(byIndex(first, '2'), 'Succeeded');
    const next = await until('indexes 1, 3, 4 running', async () => {
      const ps = await jobPods(job, isActive);
      return ps.map(index).sort().join() === '1,3,4' ? ps : undefined;
    });
    job = await until('completedIndexes 0,2', async () => {
      const j = await jobs.get('indexed-job');
      return j.status?.completedIndexes === '0,2' ? j : undefined;
    });
    for (const p of next) await finish(p.metadata.name ?? '', 'Succeeded');
    job = await until('Complete', async () => {
      const j = await jobs.get('indexed-job');
      return condition(j, 'Complete') ? j : undefined;
    });
    assert.equal(job.status?.completedIndexes, '0-4');
    assert.equal(job.status?.succeeded, 5);
    assert.equal(job.status?.failed, 1);
    const out = (await c.kubectl(['get', 'job', 'indexed-job'])).stdout.trim().split('\n');
    assert.deepEqual(out[1].split(/\s+/).slice(0, 3), ['indexed-job', 'Complete', '5/5']);
  });

  it('fails with BackoffLimitExceeded once failures pass backoffLimit, deleting what still runs', async () => {
    let job = await jobs.create(simpleJob('flaky', { completions: 3, parallelism: 2, backoffLimit: 1 }));
    const first = await until('2 pods', async () => {
      const ps = await jobPods(job, isActive);
      return ps.length === 2 ? ps : undefined;
    });
    await finish(first[0].metadata.name ?? '', 'Failed');
    // One failure is within the limit: a replacement starts.
    const second = await until('a replacement', async () => {
      const ps = await jobPods(job, isActive);
      return ps.length === 2 && ps.some((p) => p.metadata.name !== first[1].metadata.name) ? ps : undefined;
    });
    const victim = second.find((p) => p.metadata.name !== first[1].metadata.name)!;
    await finish(victim.metadata.name ?? '', 'Failed');
    job = await until('Failed', async () => {
      const j = await jobs.get('flaky');
      return condition(j, 'Failed') ? j : undefined;
    });
    assert.equal(condition(job, 'Failed')?.reason, 'BackoffLimitExceeded');
    assert.equal(condition(job, 'Failed')?.message, 'Job has reached the specified backoff limit');
    assert.equal(condition(job, 'FailureTarget')?.reason, 'BackoffLimitExceeded');
    assert.equal(job.status?.active ?? 0, 0);
    // Two failed pods, plus the one still running when the job failed.
    assert.equal(job.status?.failed, 3);
    assert.equal(job.status?.completionTime, undefined);
    await until('the running pod is gone', async () => (await jobPods(job, isActive)).length === 0);
    await until('no pod holds the finalizer', async () => (await jobPods(job)).every((p) => !p.metadata.finalizers?.length));
    await until('BackoffLimitExceeded event', async () => (await events(job, 'BackoffLimitExceeded')).length === 1);
    const out = (await c.kubectl(['get', 'job', 'flaky'])).stdout.trim().split('\n');
    assert.deepEqual(out[1].split(/\s+/).slice(0, 3), ['flaky', 'Failed', '0/3']);
  });

  it('fails with DeadlineExceeded after activeDeadlineSeconds', async () => {
    let job = await jobs.create(simpleJob('slow', { activeDeadlineSeconds: 2 }));
    await until('a pod', async () => (await jobPods(job, isActive)).length === 1);
    job = await until(
      'Failed',
      async () => {
        const j = await jobs.get('slow');
        return condition(j, 'Failed') ? j : undefined;
      },
      10_000,
    );
    assert.equal(condition(job, 'Failed')?.reason, 'DeadlineExceeded');
    assert.equal(condition(job, 'Failed')?.message, 'Job was active longer than specified deadline');
    const took = Date.parse(condition(job, 'Failed')!.lastTransitionTime!) - Date.parse(job.status!.startTime!);
    assert.ok(took >= 2000 && took < 6000, `failed after ${took} ms`);
    await until('the pod is gone', async () => (await jobPods(job)).length === 0);
  });

  it('deletes a finished Job ttlSecondsAfterFinished later', async () => {
    const job = await jobs.create(simpleJob('short-lived', { ttlSecondsAfterFinished: 1 }));
    const [p] = await until('a pod', async () => {
      const ps = await jobPods(job, isActive);
      return ps.length === 1 ? ps : undefined;
    });
    await finish(p.metadata.name ?? '', 'Succeeded');
    const done = await until('Complete', async () => {
      const j = await jobs.get('short-lived');
      return condition(j, 'Complete') ? j : undefined;
    });
    // Not before the TTL: the condition's time is in whole seconds, so look only while clearly inside it...
    const finishedAt = Date.parse(condition(done, 'Complete')!.lastTransitionTime!);
    if (Date.now() - finishedAt < 600) {
      const early = await jobs.get('short-lived');
      assert.ok(!early.metadata.deletionTimestamp, 'not deleted before its TTL');
    }
    // ...but soon after it, and its pod with it.
    await until('job deleted', async () =>
      jobs.get('short-lived').then(
        () => false,
        (err) => isStatus(err, 404),
      ),
    );
    assert.ok(Date.now() - finishedAt >= 1000);
    await until('pod deleted', async () =>
      pods.get(p.metadata.name ?? '').then(
        () => false,
        (err) => isStatus(err, 404),
      ),
    );
  });
});
