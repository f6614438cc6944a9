// Probe outcomes and the hooks the prober needs from the kubelet.
export type ProbeKind = 'liveness' | 'readiness' | 'startup';

/** One probe run: success/failure, with upstream's warning (HTTP redirect elsewhere) as a success. */
export interface ProbeOutcome {
  result: 'success' | 'failure';
  output: string;
  /** Success with a warning (ContainerProbeWarning), e.g. a redirect to another host. */
  warning?: boolean;
  /** The prober itself failed (not the probed container): upstream throws such results away. */
  error?: string;
}

/** What a worker reports: startup begins 'unknown' until its first verdict, as upstream. */
export type ProbeResult = 'success' | 'failure' | 'unknown';

/** CRI ExecSync in the container; resolves with the exit code, rejects with ExecTimeoutError on timeout. */
export type ExecSync = (cmd: string[], timeoutSeconds: number) => Promise<{ exitCode: number; stdout?: Buffer | string; stderr?: Buffer | string }>;

export class ExecTimeoutError extends Error {
  constructor(
    cmd: string[],
    readonly timeoutSeconds: number,
  ) {
    super(`command "${cmd.join(' ')}" timed out`);
    this.name = 'ExecTimeoutError';
  }
}
