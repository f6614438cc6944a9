// What every bench phase shares: where figures go, where progress goes, and
// which processes' CPU to report alongside each figure.
import { CPUMeter } from './procstat.js';

export type Figure = { bench: string } & Record<string, string | number | boolean>;

export interface BenchContext {
  /** One JSON line on stdout. */
  emit(figure: Figure): void;
  /** A line on stderr. */
  progress(msg: string): void;
  /** Processes whose CPU use each phase reports (name -> pid). */
  pids: Record<string, number>;
  /** Starts measuring CPU for a phase; the next emit closes the phase. */
  meter(): CPUMeter;
  /** Each emitted figure's time window on CLOCK_MONOTONIC (µs), to slice a CPU profile by phase. */
  phases: PhaseWindow[];
}

export interface PhaseWindow {
  label: string;
  startUs: number;
  endUs: number;
}

/** CLOCK_MONOTONIC in µs: the clock V8 stamps CPU profiles with, shared by every process. */
export function monotonicUs(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

export function newContext(pids: Record<string, number>): BenchContext {
  let phaseStart: number | undefined;
  const phases: PhaseWindow[] = [];
  return {
    emit: (figure) => {
      if (phaseStart !== undefined) {
        const clients = figure.clients ?? figure.watchers;
        phases.push({ label: clients === undefined ? figure.bench : `${figure.bench} clients=${clients}`, startUs: phaseStart, endUs: monotonicUs() });
        phaseStart = undefined;
      }
      process.stdout.write(JSON.stringify(figure) + '\n');
    },
    progress: (msg) => void process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`),
    pids,
    meter: () => {
      phaseStart = monotonicUs();
      return new CPUMeter(pids);
    },
    phases,
  };
}
