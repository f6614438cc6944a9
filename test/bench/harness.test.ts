// Tests of the harness's own arithmetic: percentiles, the closed-loop runner,
// and slicing a CPU profile by phase. Not a test tier: npm run jest -- --selectProjects bench
import { test } from '@jest/globals';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { percentile, summarize } from './stats.js';
import { runLoad } from './load.js';
import { hotSpots, readProfile } from './cpuprofile.js';
import { cpuSeconds, rssBytes } from './procstat.js';

test('percentile is nearest-rank', () => {
  const xs = Float64Array.from({ length: 100 }, (_, i) => i + 1);
  assert.equal(percentile(xs, 50), 50);
  assert.equal(percentile(xs, 99), 99);
  assert.equal(percentile(xs, 100), 100);
  assert.equal(percentile(Float64Array.of(7), 99), 7);
  assert.ok(Number.isNaN(percentile(new Float64Array(0), 50)));
});

test('summarize sorts numerically and derives throughput', () => {
  const f = summarize(Float64Array.of(10, 2, 30, 4), 1, 2000);
  assert.equal(f.ops, 4);
  assert.equal(f.errors, 1);
  assert.equal(f.ops_per_sec, 2);
  assert.equal(f.p50_ms, 4);
  assert.equal(f.max_ms, 30);
});

test('runLoad keeps warm-up out of the figures, counts errors, bounds concurrency', async () => {
  const seen: number[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const fig = await runLoad({
    clients: 4,
    ops: 40,
    maxSeconds: 10,
    warmupOps: 6,
    op: async (i) => {
      seen.push(i);
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((r) => setTimeout(r, 1));
      inFlight--;
      if (i === 5) throw new Error('boom');
    },
  });
  assert.equal(seen.filter((i) => i < 0).length, 6);
  assert.equal(seen.filter((i) => i >= 0).length, 40);
  assert.equal(fig.ops, 39);
  assert.equal(fig.errors, 1);
  assert.equal(maxInFlight, 4);
});

test('runLoad stops at maxSeconds', async () => {
  const fig = await runLoad({ clients: 1, ops: 1_000_000, maxSeconds: 0.2, warmupOps: 0, op: () => new Promise((r) => setTimeout(r, 5)) });
  assert.ok(fig.ops > 5 && fig.ops < 100, `ops ${fig.ops}`);
  assert.ok(fig.duration_s < 1);
});

test('hotSpots attributes self time, and only inside the window when given one', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-test-'));
  try {
    const path = join(dir, 'x.cpuprofile');
    writeFileSync(
      path,
      JSON.stringify({
        startTime: 1000,
        endTime: 1600,
        nodes: [
          { id: 1, callFrame: { functionName: '(root)', url: '', lineNumber: -1 }, children: [2, 3] },
          { id: 2, callFrame: { functionName: 'encode', url: 'file:///w/dist/pkg/a.js', lineNumber: 9 } },
          { id: 3, callFrame: { functionName: 'decode', url: 'file:///w/dist/pkg/b.js', lineNumber: 0 } },
        ],
        // t = 1100 (encode), 1200 (encode), 1300 (decode), 1600 (decode)
        samples: [2, 2, 3, 3],
        timeDeltas: [100, 100, 100, 300],
      }),
    );
    const p = readProfile(path);
    const all = hotSpots(p);
    assert.equal(all.total_ms, 1); // 600 µs, rounded to ms
    assert.equal(all.functions[0].name, 'decode dist/pkg/b.js:1');
    const early = hotSpots(p, 10, { startUs: 1000, endUs: 1250 });
    assert.deepEqual(
      early.functions.map((f) => f.name),
      ['encode dist/pkg/a.js:10'],
    );
    assert.deepEqual(
      early.files.map((f) => f.name),
      ['dist/pkg/a.js'],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('procstat reads this process', () => {
  assert.ok(rssBytes(process.pid) > 1024 * 1024);
  assert.ok(cpuSeconds(process.pid) >= 0);
  assert.ok(Number.isNaN(rssBytes(2 ** 22 + 12345)));
});
