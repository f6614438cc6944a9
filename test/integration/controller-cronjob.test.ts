// The CronJob controller against a real apiserver, with an injected clock: the test
// moves time forward a minute at a time and pokes the CronJob so it syncs now. No
// Job controller runs: the test finishes Jobs itself by writing their status.
import { afterAll, beforeAll, describe, it, jest } from '@jest/globals';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { CronJob, Job } from '../../api/batch/v1/types.js';
import { isStatus, type ResourceClient } from '../../pkg/client/rest.js';
import { CronJobController } from '../../pkg/controller/cronjob/cronjob_controllerv2.js';
import { startCluster, type TestCluster } from '../support/cluster.js';
import { controlledBy, eventMessages, rfc3339, sleep, startControllers, until, type RunningControllers } from '../support/controllers.js';

const CRONJOB = join(process.cwd(), 'test/fixtures/examples/application/job/cronjob.yaml');

jest.setTimeout(60_000);
describe('CronJob controller', () => {
  let c: TestCluster;
  let ctl: RunningControllers;
  let cronjobs: ResourceClient<CronJob>;
  let jobs: ResourceClient<Job>;
  let clock = Date.now();
  let pokes = 0;

  beforeAll(async () => {
    c = await startCluster();
    ctl = startControllers(c, (h) => [[new CronJobController(h.context('cronjob-controller'), { now: () => new Date(clock) }), 1]]);
    cronjobs = ctl.client.resource<CronJob>('batch/v1', 'cronjobs').namespace('default');
    jobs = ctl.client.resource<Job>('batch/v1', 'jobs').namespace('default');
  });
  afterAll(async () => {
    await ctl?.stop();
    await c?.stop();
  });

  /** Sets the controller's clock and makes it sync the CronJob now (an update enqueues it). */
  async function advanceTo(ms: number): Promise<void> {
    // Move the clock only once the controller's cache holds the CronJob as last written, or a sync
    // already queued could run at the new time against an older spec (a race of the test, not the controller).
    const current = Number((await cronjobs.get('hello')).metadata.resourceVersion);
    await until(
      'the controller to see the latest CronJob',
      () => Number(ctl.informers.forResource<CronJob>('batch/v1', 'cronjobs').lister.get('default', 'hello')?.metadata.resourceVersion ?? 0) >= current,
    );
    clock = ms;
    await cronjobs.patch('hello', 'merge', { metadata: { annotations: { poke: String(++pokes) } } });
  }

  async function ownedJobs(cj: CronJob): Promise<Job[]> {
    const list = await jobs.list();
    return list.items.filter((j) => controlledBy(j, cj) && !j.metadata.deletionTimestamp);
  }

  const events = (obj: CronJob, reason: string) => eventMessages(c, obj, reason);

  /** What the Job controller would write when the Job finishes. */
  async function finishJob(name: string, type: 'Complete' | 'Failed', at: number): Promise<void> {
    const j = await jobs.get(name);
    const t = rfc3339(at);
    j.status = {
      ...(j.status ?? {}),
      startTime: j.status?.startTime ?? t,
      conditions: [
        {
          type,
          status: 'True',
          lastProbeTime: t,
          lastTransitionTime: t,
          reason: type === 'Complete' ? 'CompletionsReached' : 'BackoffLimitExceeded',
          message: '',
        },
      ],
      ...(type === 'Complete' ? { completionTime: t, succeeded: 1 } : { failed: 1 }),
    };
    await jobs.updateStatus(j);
  }

  /** Start the job at `at`, as the Job controller would, so history ordering is by start time. */
  async function startJob(name: string, at: number): Promise<void> {
    const j = await jobs.get(name);
    j.status = { ...(j.status ?? {}), startTime: rfc3339(at), active: 1 };
    await jobs.updateStatus(j);
  }

  let minute0 = 0;
  const jobName = (minute: number) => `hello-${minute}`;

  it('creates a Job named after the scheduled minute when the schedule comes due', async () => {
    await c.kubectl(['apply', '-f', CRONJOB]);
    const cj = await cronjobs.get('hello');
    const created = Date.parse(cj.metadata.creationTimestamp ?? '');
    minute0 = Math.floor(created / 60_000) + 1;
    // Not yet due: nothing happens.
    await advanceTo(minute0 * 60_000 - 1000);
    await sleep(300);
    assert.equal((await ownedJobs(cj)).length, 0);

    await advanceTo(minute0 * 60_000 + 5000);
    const [job] = await until('a job', async () => {
      const js = await ownedJobs(cj);
      return js.length === 1 ? js : undefined;
    });
    assert.equal(job.metadata.name, jobName(minute0));
    assert.equal(job.metadata.annotations?.['batch.kubernetes.io/cronjob-scheduled-timestamp'], rfc3339(minute0 * 60_000));
    assert.deepEqual(job.metadata.ownerReferences, [
      { apiVersion: 'batch/v1', kind: 'CronJob', name: 'hello', uid: cj.metadata.uid, controller: true, blockOwnerDeletion: true },
    ]);
    const tmpl = (job.spec.template?.spec as { containers: { name: string }[] }).containers;
    assert.equal(tmpl[0].name, 'hello');
    const st = await until('status.active', async () => {
      const s = (await cronjobs.get('hello')).status;
      return s?.active?.length === 1 ? s : undefined;
    });
    assert.equal(st.active?.[0].name, jobName(minute0));
    assert.equal(st.active?.[0].uid, job.metadata.uid);
    assert.equal(st.active?.[0].kind, 'Job');
    assert.equal(st.lastScheduleTime, rfc3339(minute0 * 60_000));
    await until('SuccessfulCreate event', async () => (await events(cj, 'SuccessfulCreate')).includes(`Created job ${jobName(minute0)}`));
    // The same minute again creates nothing more.
    await advanceTo(minute0 * 60_000 + 30_000);
    await sleep(300);
    assert.equal((await ownedJobs(cj)).length, 1);
    const out = (await c.kubectl(['get', 'cronjob', 'hello'])).stdout.trim().split('\n');
    assert.deepEqual(out[1].split(/\s+/).slice(0, 5), ['hello', '*', '*', '*', '*']);
  });

  it('Allow runs the next Job alongside; Forbid skips while one is active', async () => {
    const cj = await cronjobs.get('hello');
    await startJob(jobName(minute0), minute0 * 60_000 + 1000);
    await advanceTo((minute0 + 1) * 60_000 + 1000);
    await until('a second job (Allow)', async () => (await ownedJobs(cj)).length === 2);
    await until('two active', async () => (await cronjobs.get('hello')).status?.active?.length === 2);
    await startJob(jobName(minute0 + 1), (minute0 + 1) * 60_000 + 1000);

    await cronjobs.patch('hello', 'merge', { spec: { concurrencyPolicy: 'Forbid' } });
    await advanceTo((minute0 + 2) * 60_000 + 1000);
    await until('JobAlreadyActive event', async () => (await events(cj, 'JobAlreadyActive')).length > 0);
    assert.equal((await events(cj, 'JobAlreadyActive'))[0], 'Not starting job because prior execution is running and concurrency policy is Forbid');
    assert.equal((await ownedJobs(cj)).length, 2);

    // Once nothing is active, the skipped activation still runs late (no startingDeadlineSeconds).
    await finishJob(jobName(minute0), 'Complete', (minute0 + 2) * 60_000 + 2000);
    await finishJob(jobName(minute0 + 1), 'Failed', (minute0 + 2) * 60_000 + 3000);
    const st = await until('finished jobs leave the active list; the minute+2 job runs', async () => {
      const s = (await cronjobs.get('hello')).status;
      return s?.active?.length === 1 && s.active[0].name === jobName(minute0 + 2) && s.lastSuccessfulTime ? s : undefined;
    });
    assert.equal(st.lastSuccessfulTime, rfc3339((minute0 + 2) * 60_000 + 2000));
    assert.equal(st.lastScheduleTime, rfc3339((minute0 + 2) * 60_000));
    await until('SawCompletedJob events', async () => (await events(cj, 'SawCompletedJob')).length === 2);
    assert.ok((await events(cj, 'SawCompletedJob')).includes(`Saw completed job: ${jobName(minute0)}, condition: Complete`));
    assert.ok((await events(cj, 'SawCompletedJob')).includes(`Saw completed job: ${jobName(minute0 + 1)}, condition: Failed`));
  });

  it('Replace deletes the active Job and starts the new one', async () => {
    const cj = await cronjobs.get('hello');
    await startJob(jobName(minute0 + 2), (minute0 + 2) * 60_000 + 1000);
    await cronjobs.patch('hello', 'merge', { spec: { concurrencyPolicy: 'Replace' } });
    await advanceTo((minute0 + 3) * 60_000 + 1000);
    await until('minute+2 job deleted', async () =>
      jobs.get(jobName(minute0 + 2)).then(
        (j) => !!j.metadata.deletionTimestamp,
        (err) => isStatus(err, 404),
      ),
    );
    await until('minute+3 job', async () => (await ownedJobs(cj)).some((j) => j.metadata.name === jobName(minute0 + 3)));
    const st = await until('active is the new job', async () => {
      const s = (await cronjobs.get('hello')).status;
      return s?.active?.length === 1 && s.active[0].name === jobName(minute0 + 3) ? s : undefined;
    });
    assert.equal(st.lastScheduleTime, rfc3339((minute0 + 3) * 60_000));
    await until('SuccessfulDelete event', async () => (await events(cj, 'SuccessfulDelete')).includes(`Deleted job ${jobName(minute0 + 2)}`));
  });

  it('prunes finished Jobs beyond the history limits', async () => {
    const cj = await cronjobs.get('hello');
    // Jobs so far: minute0 (Complete), minute0+1 (Failed), minute0+3 (active).
    await cronjobs.patch('hello', 'merge', { spec: { concurrencyPolicy: 'Allow', successfulJobsHistoryLimit: 1, failedJobsHistoryLimit: 0 } });
    await until('the failed job pruned', async () =>
      jobs.get(jobName(minute0 + 1)).then(
        () => false,
        (err) => isStatus(err, 404),
      ),
    );
    assert.ok(await jobs.get(jobName(minute0)), 'one successful job is kept');
    await startJob(jobName(minute0 + 3), (minute0 + 3) * 60_000 + 1000);
    await finishJob(jobName(minute0 + 3), 'Complete', (minute0 + 3) * 60_000 + 2000);
    // Two successful now: the older goes.
    await until('the older successful job pruned', async () =>
      jobs.get(jobName(minute0)).then(
        () => false,
        (err) => isStatus(err, 404),
      ),
    );
    assert.ok(await jobs.get(jobName(minute0 + 3)));
    const names = (await ownedJobs(cj)).map((j) => j.metadata.name).sort();
    assert.deepEqual(names, [jobName(minute0 + 3)]);
  });

  it('skips activations older than startingDeadlineSeconds, and warns about too many missed', async () => {
    const cj = await cronjobs.get('hello');
    await cronjobs.patch('hello', 'merge', { spec: { startingDeadlineSeconds: 10 } });
    // 30 s past the minute: that activation is out of its window and never runs.
    await advanceTo((minute0 + 5) * 60_000 + 30_000);
    await sleep(400);
    assert.ok(!(await ownedJobs(cj)).some((j) => j.metadata.name === jobName(minute0 + 5)));
    // Three hours later without a deadline: over 100 missed, the latest still runs.
    await cronjobs.patch('hello', 'json', [{ op: 'remove', path: '/spec/startingDeadlineSeconds' }]);
    await advanceTo((minute0 + 185) * 60_000 + 1000);
    await until('TooManyMissedTimes event', async () => (await events(cj, 'TooManyMissedTimes')).length > 0);
    assert.equal((await events(cj, 'TooManyMissedTimes'))[0], 'too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew');
    await until('the latest activation runs', async () => (await ownedJobs(cj)).some((j) => j.metadata.name === jobName(minute0 + 185)));
  });

  it('does nothing while suspended', async () => {
    const cj = await cronjobs.get('hello');
    await cronjobs.patch('hello', 'merge', { spec: { suspend: true } });
    await advanceTo((minute0 + 186) * 60_000 + 1000);
    await sleep(400);
    assert.ok(!(await ownedJobs(cj)).some((j) => j.metadata.name === jobName(minute0 + 186)));
    await cronjobs.patch('hello', 'merge', { spec: { suspend: false } });
    await until('resumed', async () => (await ownedJobs(cj)).some((j) => j.metadata.name === jobName(minute0 + 186)));
  });
});
