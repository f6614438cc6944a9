// Runs test tiers under jest, one after another, each with its own concurrency, and
// ends with one line summed over all of them: "N passed, N failed, N skipped".
// Every tier runs even when an earlier one failed, so the line covers them all; the
// exit status is non-zero when any test failed or any tier could not run.
//   node dist/test/run.js unit integration e2e
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Test files run at once per tier: unit tests are CPU-bound and short; the others start etcd, apiservers, containerd. */
const WORKERS = new Map([
  ['unit', 4],
  ['integration', 2],
  ['e2e', 1],
]);

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const JEST = join(ROOT, 'node_modules/jest/bin/jest.js');

/** The parts of jest's --json output counted here. */
interface Results {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
  success: boolean;
  testResults: { status: string; assertionResults: { status: string }[] }[];
}

const tiers = process.argv.slice(2);
if (!tiers.length || tiers.some((t) => !WORKERS.has(t))) {
  console.error(`usage: run.js ${[...WORKERS.keys()].join('|')}...`);
  process.exit(2);
}

const out = mkdtempSync(join(tmpdir(), 'timonel-jest-'));
let passed = 0;
let failed = 0;
let skipped = 0;
let ok = true;
try {
  for (const tier of tiers) {
    const file = join(out, `${tier}.json`);
    console.log(`\n== ${tier} tests (${WORKERS.get(tier)} file(s) at once)`);
    const r = spawnSync(
      process.execPath,
      [
        '--experimental-vm-modules',
        '--disable-warning=ExperimentalWarning',
        JEST,
        '--selectProjects',
        tier,
        `--maxWorkers=${WORKERS.get(tier)}`,
        '--json',
        `--outputFile=${file}`,
      ],
      { cwd: ROOT, stdio: 'inherit' },
    );
    let res: Results;
    try {
      res = JSON.parse(readFileSync(file, 'utf8')) as Results;
    } catch {
      console.error(`${tier}: jest left no results (exit ${r.status ?? r.signal}); counted as one failure`);
      failed++;
      ok = false;
      continue;
    }
    // A file that failed outside its tests (it could not be imported, or a hook failed) counts as one failure.
    const fileFailures = res.testResults.filter((f) => f.status === 'failed' && !f.assertionResults.some((a) => a.status === 'failed')).length;
    passed += res.numPassedTests;
    failed += res.numFailedTests + fileFailures;
    skipped += res.numPendingTests + res.numTodoTests;
    if (!res.success || r.status !== 0) ok = false;
  }
} finally {
  rmSync(out, { recursive: true, force: true });
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(ok && failed === 0 ? 0 : 1);
