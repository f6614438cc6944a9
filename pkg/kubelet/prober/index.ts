export { runProbe, resolveContainerPort, PROBE_USER_AGENT, type ProbeContext } from './prober.js';
export { ProbeManager, type ProbeManagerOptions, type ProbePodStatus } from './manager.js';
export { ExecTimeoutError, type ExecSync, type ProbeKind, type ProbeOutcome, type ProbeResult } from './types.js';
