import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { BucketRateLimiter, ItemExponentialFailureRateLimiter, MaxOfRateLimiter, RateLimitingQueue, runWorkers } from '../../../pkg/client/workqueue.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('RateLimitingQueue', () => {
  it('coalesces adds of a key that is already waiting', async () => {
    const q = new RateLimitingQueue<string>();
    q.add('a');
    q.add('b');
    q.add('a');
    assert.equal(q.len(), 2);
    assert.deepEqual(await q.get(), { key: 'a', shutdown: false });
    assert.deepEqual(await q.get(), { key: 'b', shutdown: false });
    assert.equal(q.len(), 0);
  });

  it('re-queues a key added while it is processed only after done, once', async () => {
    const q = new RateLimitingQueue<string>();
    q.add('a');
    const first = await q.get();
    assert.equal(first.key, 'a');
    q.add('a');
    q.add('a');
    assert.equal(q.len(), 0, 'not handed out while processing');
    q.done('a');
    assert.equal(q.len(), 1);
    assert.equal((await q.get()).key, 'a');
    q.done('a');
    assert.equal(q.len(), 0);
  });

  it('never runs one key in two workers at once', async () => {
    const q = new RateLimitingQueue<string>();
    const active = new Set<string>();
    let overlaps = 0;
    let runs = 0;
    const workers = runWorkers(q, 4, async (key) => {
      if (active.has(key)) overlaps++;
      active.add(key);
      runs++;
      await sleep(2);
      active.delete(key);
    });
    // Bursts of adds while the keys are being processed.
    for (let round = 0; round < 10; round++) {
      for (let i = 0; i < 15; i++) q.add(`k${i % 3}`);
      await sleep(1);
    }
    await sleep(30);
    q.shutDown();
    await workers;
    assert.equal(overlaps, 0);
    assert.ok(runs >= 3 && runs <= 60, `coalesced: ${runs} runs for 150 adds`);
  });

  it('runWorkers re-queues failures with growing backoff and forgets on success', async () => {
    const q = new RateLimitingQueue<string>(new ItemExponentialFailureRateLimiter<string>(5, 1000));
    const times: number[] = [];
    const workers = runWorkers(q, 1, async () => {
      times.push(Date.now());
      if (times.length < 4) throw new Error('not yet');
    });
    q.add('x');
    const deadline = Date.now() + 2000;
    while (times.length < 4 && Date.now() < deadline) await sleep(5);
    await sleep(10);
    assert.equal(times.length, 4);
    assert.equal(q.numRequeues('x'), 0, 'forgotten after success');
    const gaps = times.slice(1).map((t, i) => t - times[i]);
    // 5, 10, 20 ms: each gap at least the backoff for that failure.
    assert.ok(gaps[0] >= 4 && gaps[1] >= 9 && gaps[2] >= 19, gaps.join(','));
    q.shutDown();
    await workers;
  });

  it('addAfter delays, and the earliest of two delays wins', async () => {
    const q = new RateLimitingQueue<string>();
    q.addAfter('a', 200);
    q.addAfter('a', 20);
    assert.equal(q.len(), 0);
    await sleep(40);
    assert.equal(q.len(), 1);
    await sleep(200);
    assert.equal(q.len(), 1, 'the later delay did not add it again');
  });

  it('shutDown releases waiting workers', async () => {
    const q = new RateLimitingQueue<string>();
    const pending = q.get();
    q.shutDown();
    assert.deepEqual(await pending, { key: undefined, shutdown: true });
    q.add('late');
    assert.equal(q.len(), 0);
  });
});

describe('rate limiters', () => {
  it('per-item exponential backoff grows from 5 ms and caps at 1000 s, per key', () => {
    const r = new ItemExponentialFailureRateLimiter<string>();
    assert.deepEqual([r.when('a'), r.when('a'), r.when('a'), r.when('a')], [5, 10, 20, 40]);
    assert.equal(r.when('b'), 5);
    assert.equal(r.numRequeues('a'), 4);
    for (let i = 0; i < 40; i++) r.when('a');
    assert.equal(r.when('a'), 1000_000);
    r.forget('a');
    assert.equal(r.numRequeues('a'), 0);
    assert.equal(r.when('a'), 5);
  });

  it('the token bucket allows a burst of 100 then 10 per second', () => {
    let now = 0;
    const b = new BucketRateLimiter<string>(10, 100, () => now);
    for (let i = 0; i < 100; i++) assert.equal(b.when(`k${i}`), 0);
    assert.equal(b.when('x'), 100);
    assert.equal(b.when('y'), 200);
    now = 100; // one token back, owed two: the next waits 200 ms
    assert.equal(b.when('z'), 200);
    now = 2000; // refilled (19 tokens accrue, 100 max)
    assert.equal(b.when('w'), 0);
  });

  it('the default combination is the max of both', () => {
    let now = 0;
    const r = new MaxOfRateLimiter<string>(new ItemExponentialFailureRateLimiter<string>(5, 1000_000), new BucketRateLimiter<string>(10, 1, () => now));
    assert.equal(r.when('a'), 5); // bucket has a token: backoff decides
    assert.equal(r.when('a'), 100); // bucket empty: 100 ms > 10 ms
    assert.equal(r.numRequeues('a'), 2);
    r.forget('a');
    assert.equal(r.numRequeues('a'), 0);
  });
});
