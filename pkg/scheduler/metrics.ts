// kube-scheduler's metrics (pkg/scheduler/metrics), with prom-client, on a registry of
// their own so two schedulers in one process (tests) do not collide.
import type { Server } from 'node:http';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Client } from '../client/rest.js';
import { DelegatedAuth } from '../client/delegated/filter.js';
import { healthPaths, serveSecureMetrics } from '../metrics/secure.js';

/** Upstream's buckets for attempt and e2e latency: ExponentialBuckets(0.001, 2, 15). */
const LATENCY_BUCKETS = Array.from({ length: 15 }, (_, i) => 0.001 * 2 ** i);

export type AttemptResult = 'scheduled' | 'unschedulable' | 'error';

export class SchedulerMetrics {
  readonly registry = new Registry();
  readonly scheduleAttempts: Counter<'result' | 'profile'>;
  readonly schedulingAttemptDuration: Histogram<'result' | 'profile'>;
  readonly e2eSchedulingDuration: Histogram<'result' | 'profile'>;
  readonly pendingPods: Gauge<'queue'>;
  readonly goroutines: Gauge<'operation'>;
  private pendingSource?: () => Record<string, number>;
  private bindingsSource?: () => number;

  constructor(opts: { defaultMetrics?: boolean } = {}) {
    const registers = [this.registry];
    this.scheduleAttempts = new Counter({
      name: 'scheduler_schedule_attempts_total',
      help: "Number of attempts to schedule pods, by the result. 'unschedulable' means a pod could not be scheduled, while 'error' means an internal scheduler problem.",
      labelNames: ['result', 'profile'],
      registers,
    });
    this.schedulingAttemptDuration = new Histogram({
      name: 'scheduler_scheduling_attempt_duration_seconds',
      help: 'Scheduling attempt latency in seconds (scheduling algorithm + binding)',
      labelNames: ['result', 'profile'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.e2eSchedulingDuration = new Histogram({
      name: 'scheduler_e2e_scheduling_duration_seconds',
      help: 'E2e scheduling latency in seconds (from the first attempt to the binding being done)',
      labelNames: ['result', 'profile'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    const self = this;
    this.pendingPods = new Gauge({
      name: 'scheduler_pending_pods',
      help: "Number of pending pods, by the queue type. 'active' means number of pods in activeQ; 'backoff' means number of pods in backoffQ; 'unschedulable' means number of pods in unschedulablePods; 'gated' is the number of gated pods.",
      labelNames: ['queue'],
      registers,
      collect() {
        const counts = self.pendingSource?.() ?? {};
        for (const q of ['active', 'backoff', 'unschedulable', 'gated']) this.set({ queue: q }, counts[q] ?? 0);
      },
    });
    this.goroutines = new Gauge({
      name: 'scheduler_goroutines',
      // Upstream counts goroutines; here: bindings started and not finished (on the wire or waiting for a slot).
      help: 'Number of running goroutines split by the work they do such as binding.',
      labelNames: ['operation'],
      registers,
      collect() {
        this.set({ operation: 'binding' }, self.bindingsSource?.() ?? 0);
      },
    });
    if (opts.defaultMetrics) collectDefaultMetrics({ register: this.registry });
  }

  /** Where scheduler_pending_pods reads its counts at scrape time. */
  setPendingPodsSource(source: () => Record<string, number>): void {
    this.pendingSource = source;
  }

  /** Where scheduler_goroutines{operation="binding"} reads the bindings in flight at scrape time. */
  setBindingsSource(source: () => number): void {
    this.bindingsSource = source;
  }

  observeAttempt(result: AttemptResult, profile: string, seconds: number): void {
    this.scheduleAttempts.inc({ result, profile });
    this.schedulingAttemptDuration.observe({ result, profile }, seconds);
  }
}

export interface SchedulerServingOptions {
  /** host:port (--bind-address, --secure-port). */
  bindAddress: string;
  tlsCertFile?: string;
  tlsKeyFile?: string;
  certDir?: string;
  clientCAFile?: string;
  alwaysAllowPaths?: string[];
  log?: (msg: string) => void;
}

/**
 * kube-scheduler's secure port (10259): HTTPS, /metrics for whoever the apiserver lets
 * get the path (TokenReview, SubjectAccessReview through the scheduler's client), and
 * /healthz, /livez, /readyz for anyone.
 */
export function serveSecureSchedulerMetrics(
  o: SchedulerServingOptions,
  client: Client,
  registry: Registry,
  healthy: () => boolean = () => true,
): Promise<Server> {
  const auth = new DelegatedAuth({ client, clientCA: !!o.clientCAFile, alwaysAllowPaths: o.alwaysAllowPaths, log: o.log });
  return serveSecureMetrics({ ...o, name: 'kube-scheduler', authorize: (req, path) => auth.check(req, path), handle: healthPaths(healthy) }, registry);
}
