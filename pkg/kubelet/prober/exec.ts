// Exec probes: CRI ExecSync in the container; exit code 0 is success, a command
// that runs past timeoutSeconds is a failure (ExecProbeTimeout, GA since 1.20).
import { expandVars, mappingFuncFor } from '../envvars.js';
import type { Container } from '../../../api/core/v1/types.js';
import { ExecTimeoutError, type ExecSync, type ProbeOutcome } from './types.js';

/** Probe output is cut at 10 KiB, as upstream's LimitWriter does. */
const MAX_OUTPUT = 10 * 1024;

/** A gRPC DEADLINE_EXCEEDED from CRI ExecSync means the command timed out. */
function isTimeout(err: unknown): boolean {
  return err instanceof ExecTimeoutError || (typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 4);
}

/**
 * ExpandContainerCommandOnlyStatic: $(VAR) in the probe command sees only the
 * container's literal env values (no valueFrom, no service variables).
 */
export function expandProbeCommand(cmd: string[], container: Container | undefined): string[] {
  const vars = Object.create(null) as Record<string, string>; // env names are the pod's: "__proto__" is one
  for (const e of container?.env ?? []) vars[e.name] = e.value ?? '';
  const mapping = mappingFuncFor(vars);
  return cmd.map((c) => expandVars(c, mapping));
}

export async function execProbe(command: string[], container: Container | undefined, execSync: ExecSync, timeoutS: number): Promise<ProbeOutcome> {
  const cmd = expandProbeCommand(command, container);
  let timer: NodeJS.Timeout | undefined;
  // The runtime enforces the timeout; this guard only keeps a stuck runtime call from stalling the worker.
  const guard = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ExecTimeoutError(cmd, timeoutS)), timeoutS * 1000 + 2000);
  });
  try {
    const res = await Promise.race([execSync(cmd, timeoutS), guard]);
    const out = Buffer.concat([Buffer.from(res.stdout ?? ''), Buffer.from(res.stderr ?? '')])
      .subarray(0, MAX_OUTPUT)
      .toString('utf8');
    return { result: res.exitCode === 0 ? 'success' : 'failure', output: out };
  } catch (err) {
    if (isTimeout(err)) return { result: 'failure', output: `command "${cmd.join(' ')}" timed out` };
    return { result: 'failure', output: '', error: (err as Error).message };
  } finally {
    clearTimeout(timer);
  }
}
