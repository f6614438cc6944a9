// apiserver_validating_admission_policy_check_total and _check_duration_seconds
// (upstream's admission/plugin/policy/validating/metrics): one observation per
// evaluation of a policy for a binding, labelled with the policy, the binding, the
// error type (no_error, compile_error, invalid_error) and the enforcement action
// taken (allow, or the binding's actions: deny, warn, audit).
import { Counter, Histogram, type Registry } from 'prom-client';

type Labels = 'policy' | 'policy_binding' | 'error_type' | 'enforcement_action';
/** Upstream's buckets: expressions are expected to take microseconds. */
const BUCKETS = [0.0000005, 0.001, 0.01, 0.1, 1.0];

export type PolicyErrorType = 'no_error' | 'compile_error' | 'invalid_error';

export class PolicyMetrics {
  private readonly total: Counter<Labels>;
  private readonly duration: Histogram<Labels>;

  constructor(registry: Registry) {
    const labelNames: Labels[] = ['policy', 'policy_binding', 'error_type', 'enforcement_action'];
    this.total = new Counter({
      name: 'apiserver_validating_admission_policy_check_total',
      help: 'Validation admission policy check total, labeled by policy and further identified by binding and enforcement action taken.',
      labelNames,
      registers: [registry],
    });
    this.duration = new Histogram({
      name: 'apiserver_validating_admission_policy_check_duration_seconds',
      help: 'Validation admission latency for individual validation expressions in seconds, labeled by policy and further including binding and enforcement action taken.',
      labelNames,
      buckets: BUCKETS,
      registers: [registry],
    });
  }

  observe(policy: string, binding: string, errorType: PolicyErrorType, enforcementAction: string, seconds: number): void {
    const labels = { policy, policy_binding: binding, error_type: errorType, enforcement_action: enforcementAction };
    this.total.inc(labels);
    this.duration.observe(labels, seconds);
  }
}
