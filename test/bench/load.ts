// A closed-loop load generator: `clients` workers each issue one operation at a
// time, back to back, until `ops` operations are done or `maxSeconds` pass.
import { performance } from 'node:perf_hooks';
import { summarize, type PhaseFigures } from './stats.js';

export interface LoadSpec {
  clients: number;
  /** Operations to measure (the phase may stop early at maxSeconds). */
  ops: number;
  maxSeconds: number;
  /** Operations run first and not measured: they open connections and warm the JIT. */
  warmupOps?: number;
  /** One operation; i is its sequence number (warm-up operations get negative numbers). Rejects on failure. */
  op(i: number): Promise<void>;
  /** Called once with the first failure, so a broken phase says why. */
  onFirstError?(err: unknown): void;
}

async function runWorkers(
  clients: number,
  next: () => number | undefined,
  op: (i: number) => Promise<void>,
  onDone: (ms: number, ok: boolean, err?: unknown) => void,
): Promise<void> {
  const worker = async () => {
    for (let i = next(); i !== undefined; i = next()) {
      const t0 = performance.now();
      try {
        await op(i);
        onDone(performance.now() - t0, true);
      } catch (err) {
        onDone(performance.now() - t0, false, err);
      }
    }
  };
  await Promise.all(Array.from({ length: clients }, worker));
}

export async function runLoad(spec: LoadSpec): Promise<PhaseFigures> {
  const warmup = spec.warmupOps ?? Math.min(spec.clients * 2, 200);
  let w = 0;
  let firstErrorSeen = false;
  const reportError = (err: unknown) => {
    if (!firstErrorSeen) {
      firstErrorSeen = true;
      spec.onFirstError?.(err);
    }
  };
  await runWorkers(
    spec.clients,
    () => (w < warmup ? -1 - w++ : undefined),
    spec.op,
    (_ms, ok, err) => {
      if (!ok) reportError(err);
    },
  );

  const latencies = new Float64Array(spec.ops);
  let issued = 0;
  let done = 0;
  let errors = 0;
  const start = performance.now();
  const deadline = start + spec.maxSeconds * 1000;
  await runWorkers(
    spec.clients,
    () => (issued < spec.ops && performance.now() < deadline ? issued++ : undefined),
    spec.op,
    (ms, ok, err) => {
      if (ok) latencies[done++] = ms;
      else {
        errors++;
        reportError(err);
      }
    },
  );
  const elapsed = performance.now() - start;
  return summarize(latencies.subarray(0, done), errors, elapsed);
}
