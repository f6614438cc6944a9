// Latency and throughput figures for one measured phase.

export interface PhaseFigures {
  ops: number;
  errors: number;
  duration_s: number;
  ops_per_sec: number;
  p50_ms: number;
  p99_ms: number;
  max_ms: number;
}

/** Nearest-rank percentile of an ascending-sorted sample (p in 0..100). */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

/** Rounds to 3 decimals so the JSON lines stay readable. */
export function round(n: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

export function summarize(latenciesMs: Float64Array, errors: number, durationMs: number): PhaseFigures {
  const sorted = Float64Array.from(latenciesMs).sort();
  const ops = sorted.length;
  return {
    ops,
    errors,
    duration_s: round(durationMs / 1000),
    ops_per_sec: round(ops / (durationMs / 1000), 1),
    p50_ms: round(percentile(sorted, 50)),
    p99_ms: round(percentile(sorted, 99)),
    max_ms: round(ops ? sorted[ops - 1] : NaN),
  };
}
