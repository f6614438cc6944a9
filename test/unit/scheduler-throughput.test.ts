// The pieces that keep the scheduler's pipeline moving: the scheduling loop steps out
// to the event loop, bindings go out through a bounded window, and Events wait for
// bindings and are dropped past a bounded backlog.
import { test } from '@jest/globals';
import assert from 'node:assert/strict';
import { BoundedWriter, ConcurrencyLimiter, TokenBucket } from '../../pkg/util/limiter.js';
import { schedulingLoop } from '../../pkg/scheduler/scheduler.js';

function busy(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    /* a cycle's CPU work */
  }
}

test('schedulingLoop lets I/O callbacks run between cycles that resolve as microtasks', async () => {
  let cycles = 0;
  let ranAt = -1;
  setImmediate(() => (ranAt = cycles));
  const total = 200;
  // Each cycle costs 1 ms of CPU and resolves without I/O, like scheduleOne with pods waiting.
  await schedulingLoop(
    async () => {
      busy(1);
      return ++cycles < total;
    },
    () => false,
    (err) => assert.fail(String(err)),
  );
  assert.equal(cycles, total);
  assert.ok(ranAt >= 0, 'the setImmediate callback ran');
  // With a 2 ms yield interval it must have run within the first few cycles, not after all of them.
  assert.ok(ranAt <= 5, `setImmediate ran only after ${ranAt} cycles`);
});

test('schedulingLoop stops when told, and survives a throwing cycle', async () => {
  let cycles = 0;
  let stopped = false;
  const errors: unknown[] = [];
  await schedulingLoop(
    async () => {
      cycles++;
      if (cycles === 2) throw new Error('boom');
      if (cycles === 5) stopped = true;
      return true;
    },
    () => stopped,
    (err) => errors.push(err),
    0,
  );
  assert.equal(cycles, 5);
  assert.equal(errors.length, 1);
});

test('ConcurrencyLimiter keeps at most limit tasks running, starts waiters in order, frees slots on failure', async () => {
  const limiter = new ConcurrencyLimiter(3);
  let running = 0;
  let peak = 0;
  const started: number[] = [];
  const releases: Array<() => void> = [];
  const tasks = Array.from({ length: 10 }, (_, i) =>
    limiter.run(async () => {
      started.push(i);
      running++;
      peak = Math.max(peak, running);
      await new Promise<void>((r) => releases.push(r));
      running--;
      if (i === 4) throw new Error('task 4 fails');
      return i;
    }),
  );
  const settled = Promise.allSettled(tasks);
  // Let the first three start.
  await new Promise((r) => setImmediate(r));
  assert.equal(limiter.inFlight, 3);
  assert.equal(limiter.queued, 7);
  while (releases.length || started.length < 10) {
    const r = releases.shift();
    if (r) r();
    await new Promise((res) => setImmediate(res));
  }
  const results = await settled;
  assert.equal(peak, 3);
  assert.deepEqual(started, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.equal(results.filter((r) => r.status === 'rejected').length, 1);
  assert.equal(limiter.inFlight, 0);
  assert.equal(limiter.queued, 0);
  assert.throws(() => new ConcurrencyLimiter(0), /at least 1/);
});

test('BoundedWriter waits while not ready, resumes on kick, and drops past its backlog', async () => {
  let ready = false;
  const drops: number[] = [];
  const writer = new BoundedWriter(2, 3, { ready: () => ready, onDrop: (n) => drops.push(n), retryMs: 10_000 });
  const written: number[] = [];
  const submit = (i: number) =>
    writer.submit(async () => {
      written.push(i);
    });
  assert.equal(submit(1), true);
  assert.equal(submit(2), true);
  assert.equal(submit(3), true);
  // The backlog holds 3: the fourth is dropped, as client-go drops when its event queue is full.
  assert.equal(submit(4), false);
  assert.deepEqual(drops, [1]);
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(written, [], 'nothing is written while bindings hold priority');
  ready = true;
  writer.kick();
  for (let i = 0; i < 5 && writer.pending; i++) await new Promise((r) => setImmediate(r));
  assert.deepEqual(written, [1, 2, 3]);
  assert.equal(writer.pending, 0);
  // A failing write does not stop the writer.
  writer.submit(async () => {
    throw new Error('lost event');
  });
  submit(5);
  for (let i = 0; i < 5 && writer.pending; i++) await new Promise((r) => setImmediate(r));
  assert.deepEqual(written, [1, 2, 3, 5]);
  writer.clear();
});

test('TokenBucket gives burst tokens at once, then qps a second', () => {
  let now = 0;
  const bucket = new TokenBucket(50, 100, () => now);
  let taken = 0;
  while (bucket.tryAccept()) taken++;
  assert.equal(taken, 100);
  assert.equal(bucket.msUntilToken(), 20, 'one token every 1000/50 ms');
  now += 1000;
  taken = 0;
  while (bucket.tryAccept()) taken++;
  assert.equal(taken, 50);
  now += 60_000;
  taken = 0;
  while (bucket.tryAccept()) taken++;
  assert.equal(taken, 100, 'never more than burst saved up');
  assert.throws(() => new TokenBucket(0, 1), /qps > 0/);
});

test('BoundedWriter starts writes no faster than its rate limit', async () => {
  let now = 0;
  const writer = new BoundedWriter(10, 100, { rateLimit: new TokenBucket(10, 2, () => now) });
  const written: number[] = [];
  for (let i = 0; i < 5; i++) writer.submit(async () => void written.push(i));
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
  assert.deepEqual(written, [0, 1], 'the burst goes at once, the rest wait for tokens');
  now += 100;
  writer.kick();
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
  assert.deepEqual(written, [0, 1, 2]);
  now += 1000;
  writer.kick();
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
  assert.deepEqual(written, [0, 1, 2, 3, 4]);
  writer.clear();
});
