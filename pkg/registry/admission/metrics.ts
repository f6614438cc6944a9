// The admission chain's latency (k8s.io/apiserver/pkg/admission/metrics upstream):
//   apiserver_admission_step_admission_duration_seconds{type,operation,rejected}: one
//     observation per phase of a request, mutating ("admit") or validating ("validate");
//   apiserver_admission_controller_admission_duration_seconds{name,type,operation,rejected}:
//     one per plugin that takes part in the phase, under its upstream name.
// The webhooks' own calls are timed by webhook/metrics.ts.
import { Histogram, type Registry } from 'prom-client';
import { since } from '../../storage/metrics.js';

/** Upstream's buckets for both: 5 ms to 2.5 s. */
const BUCKETS = [0.005, 0.025, 0.1, 0.5, 1.0, 2.5];

export type AdmissionType = 'admit' | 'validate';
export type AdmissionOperation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';

/** A plugin as the chain sees it: its upstream name(s). */
export interface NamedAdmissionPlugin {
  /** The upstream plugin name (LimitRanger, ServiceAccount, ...). */
  readonly name: string;
  /** The name its validating side goes by, where one object is two upstream plugins (the admission webhooks). */
  readonly validatingName?: string;
}

export class AdmissionMetrics {
  private readonly step: Histogram<'type' | 'operation' | 'rejected'>;
  private readonly controller: Histogram<'name' | 'type' | 'operation' | 'rejected'>;

  constructor(registry: Registry) {
    this.step = new Histogram({
      name: 'apiserver_admission_step_admission_duration_seconds',
      help: 'Admission sub-step latency histogram in seconds, broken out for each operation and API resource and step type (validate or admit).',
      labelNames: ['type', 'operation', 'rejected'],
      buckets: BUCKETS,
      registers: [registry],
    });
    this.controller = new Histogram({
      name: 'apiserver_admission_controller_admission_duration_seconds',
      help: 'Admission controller latency histogram in seconds, identified by name and broken out for each operation and API resource and type (validate or admit).',
      labelNames: ['name', 'type', 'operation', 'rejected'],
      buckets: BUCKETS,
      registers: [registry],
    });
  }

  observeStep(type: AdmissionType, operation: AdmissionOperation, rejected: boolean, seconds: number): void {
    this.step.observe({ type, operation, rejected: rejected ? 'true' : 'false' }, seconds);
  }

  observeController(name: string, type: AdmissionType, operation: AdmissionOperation, rejected: boolean, seconds: number): void {
    this.controller.observe({ name, type, operation, rejected: rejected ? 'true' : 'false' }, seconds);
  }
}

/**
 * Runs one admission phase: each plugin in order, where `call` returns a promise for the
 * plugins that take part (undefined for one without that method). The first refusal ends
 * the phase. With metrics, the phase and each plugin that took part are observed.
 */
export async function runAdmissionPhase<P extends NamedAdmissionPlugin>(
  plugins: readonly P[],
  metrics: AdmissionMetrics | undefined,
  type: AdmissionType,
  operation: AdmissionOperation,
  call: (plugin: P) => Promise<void> | undefined,
): Promise<void> {
  if (!metrics) {
    for (const plugin of plugins) await call(plugin);
    return;
  }
  const stepStart = performance.now();
  let rejected = true;
  try {
    for (const plugin of plugins) {
      const start = performance.now();
      let tookPart = true;
      let ok = false;
      try {
        const pending = call(plugin);
        if (!pending) {
          tookPart = false;
          continue;
        }
        await pending;
        ok = true;
      } finally {
        const name = type === 'validate' ? (plugin.validatingName ?? plugin.name) : plugin.name;
        if (tookPart) metrics.observeController(name, type, operation, !ok, since(start));
      }
    }
    rejected = false;
  } finally {
    metrics.observeStep(type, operation, rejected, since(stepStart));
  }
}
