// The controller-manager under test as a separate process
// (node dist/cmd/controller-manager/main.js), like the apiserver child: its CPU
// and memory are its own, and its log goes to a file whose tail explains failures.
import { spawn } from 'node:child_process';
import { CONTROL_PLANE_NODE_FLAGS } from '../../pkg/cluster/process.js';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stopChild, tailFile } from './child.js';

export interface ControllerManagerProcess {
  pid: number;
  logFile: string;
  /** The last lines the controller-manager logged. */
  logTail(lines?: number): string;
  /** How it ended (exit code or signal), or undefined while it runs. */
  exitStatus(): string | undefined;
  /** SIGTERM, SIGKILL after graceMs. */
  stop(graceMs?: number): Promise<void>;
}

export interface ControllerManagerProcessOptions {
  kubeconfig: string;
  /** Where stderr/stdout go (appended). */
  logFile: string;
  /** Names for --controllers, e.g. ['deployment', 'replicaset']. */
  controllers: string[];
  concurrentSyncs?: number;
  /** Contend for the kube-controller-manager Lease first (default false: one replica needs no lease). */
  leaderElect?: boolean;
  /** More flags. */
  args?: string[];
  verbosity?: number;
  /** Resolves once this text appears in the log (the controllers are starting). */
  readyLine?: string;
  startTimeoutMs?: number;
}

// dist/test/bench/controller-manager-process.js -> dist/cmd/controller-manager/main.js
const MAIN = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../cmd/controller-manager/main.js');

export async function startControllerManagerProcess(opts: ControllerManagerProcessOptions): Promise<ControllerManagerProcess> {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} not found: build first (npx tsc -p tsconfig.json)`);
  const out = openSync(opts.logFile, 'a');
  const child = spawn(
    process.execPath,
    [
      ...CONTROL_PLANE_NODE_FLAGS,
      MAIN,
      `--kubeconfig=${opts.kubeconfig}`,
      `--controllers=${opts.controllers.join(',')}`,
      // One replica needs no lease: leader election would only add a delay before the first sync.
      ...(opts.leaderElect ? ['--leader-elect-retry-period=0.2'] : ['--leader-elect=false']),
      `--concurrent-syncs=${opts.concurrentSyncs ?? 5}`,
      `-v=${opts.verbosity ?? 0}`,
      // No secure port unless a caller's args ask for one.
      '--secure-port=0',
      ...(opts.args ?? []),
    ],
    { stdio: ['ignore', out, out] },
  );
  closeSync(out);
  if (!child.pid) throw new Error('could not start the controller-manager');
  const pid = child.pid;
  const logTail = (lines = 30) => tailFile(opts.logFile, lines);
  const stop = (graceMs?: number) => stopChild(child, graceMs);

  const readyLine = opts.readyLine ?? 'starting controllers';
  const deadline = Date.now() + (opts.startTimeoutMs ?? 30_000);
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`the controller-manager exited (${child.exitCode ?? child.signalCode}) before it started its controllers:\n${logTail()}`);
    let text = '';
    try {
      text = readFileSync(opts.logFile, 'utf8');
    } catch {
      // not written yet
    }
    if (text.includes(readyLine)) break;
    if (Date.now() > deadline) {
      await stop(2000);
      throw new Error(`the controller-manager did not log "${readyLine}" in time:\n${logTail()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const exitStatus = () => (child.exitCode !== null ? `exit code ${child.exitCode}` : child.signalCode !== null ? `signal ${child.signalCode}` : undefined);
  return { pid, logFile: opts.logFile, logTail, exitStatus, stop };
}
