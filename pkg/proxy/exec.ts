// How the proxy runs the node's tools (iptables, conntrack, sysctl). With a
// network namespace every command runs as `ip netns exec <ns> ...`, so tests
// program a namespace of their own and never the machine's tables.
import { spawn } from 'node:child_process';

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CommandRunner {
  /** Runs cmd with args (stdin from input); never rejects for a non-zero exit, only when cmd cannot start. */
  run(cmd: string, args: string[], input?: string): Promise<CommandResult>;
  /** What the runner prefixes, for messages ("ip netns exec ns"), or "". */
  readonly description: string;
}

export function execRunner(netns?: string): CommandRunner {
  const prefix = netns ? ['ip', 'netns', 'exec', netns] : [];
  return {
    description: prefix.join(' '),
    run(cmd, args, input) {
      const argv = [...prefix, cmd, ...args];
      return new Promise((resolve, reject) => {
        const child = spawn(argv[0], argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
        const out: Buffer[] = [];
        const err: Buffer[] = [];
        child.stdout.on('data', (d: Buffer) => out.push(d));
        child.stderr.on('data', (d: Buffer) => err.push(d));
        child.on('error', (e: NodeJS.ErrnoException) =>
          reject(new Error(`cannot run ${argv.join(' ')}: ${e.code === 'ENOENT' ? `${argv[0]} is not installed` : e.message}`)),
        );
        child.on('close', (code) => resolve({ code: code ?? 1, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() }));
        // A child that exits before reading all of stdin must not crash us with EPIPE.
        child.stdin.on('error', () => undefined);
        child.stdin.end(input ?? '');
      });
    },
  };
}
