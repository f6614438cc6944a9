// The apiserver under test as a separate process (node dist/cmd/apiserver/main.js),
// so the load generator does not share its event loop or its core.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, readdirSync } from 'node:fs';
import { request } from 'node:https';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stopChild, tailFile } from './child.js';
import { CONTROL_PLANE_NODE_FLAGS, freePort } from '../../pkg/cluster/process.js';

export interface APIServerProcess {
  url: string;
  caCert: string;
  pid: number;
  logFile: string;
  /** The last lines the apiserver logged, for error messages. */
  logTail(lines?: number): string;
  /** SIGTERM (which lets a --cpu-prof profile be written), SIGKILL after graceMs. */
  stop(graceMs?: number): Promise<void>;
}

export interface APIServerProcessOptions {
  etcdEndpoint: string;
  /** A scratch directory: certificates and the log go here. */
  dir: string;
  /** Write a V8 CPU profile of the apiserver into this directory when it exits. */
  cpuProfDir?: string;
  startTimeoutMs?: number;
  /** More apiserver flags. */
  args?: string[];
}

// dist/test/bench/apiserver-process.js -> dist/cmd/apiserver/main.js
const MAIN = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../cmd/apiserver/main.js');

function readyz(url: string): Promise<number> {
  return new Promise((res) => {
    // The CA is not known until the apiserver has written it; readiness only needs an answer.
    const req = request(`${url}/readyz`, { rejectUnauthorized: false, timeout: 2000 }, (r) => {
      r.resume();
      r.on('end', () => res(r.statusCode ?? 0));
    });
    req.on('error', () => res(0));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

export async function startAPIServerProcess(opts: APIServerProcessOptions): Promise<APIServerProcess> {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} not found: build first (npx tsc -p tsconfig.json)`);
  const port = await freePort();
  const certDir = join(opts.dir, 'pki');
  const logFile = join(opts.dir, 'apiserver.log');
  // The V8 flags `timonel up` gives the apiserver, so the bench measures what runs.
  const nodeArgs = [...CONTROL_PLANE_NODE_FLAGS, ...(opts.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${opts.cpuProfDir}`] : [])];
  const out = openSync(logFile, 'a');
  const child = spawn(
    process.execPath,
    [
      ...nodeArgs,
      MAIN,
      `--etcd-servers=${opts.etcdEndpoint}`,
      `--secure-port=${port}`,
      `--cert-dir=${certDir}`,
      '--bind-address=127.0.0.1',
      // As upstream's test servers: pods need no ServiceAccount, no controller-manager makes one here.
      '--disable-admission-plugins=ServiceAccount',
      ...(opts.args ?? []),
    ],
    { stdio: ['ignore', out, out] },
  );
  closeSync(out);
  if (!child.pid) throw new Error('could not start the apiserver');
  const pid = child.pid;
  const url = `https://127.0.0.1:${port}`;
  const logTail = (lines = 20) => tailFile(logFile, lines);
  const stop = (graceMs?: number) => stopChild(child, graceMs);

  const deadline = Date.now() + (opts.startTimeoutMs ?? 60_000);
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`the apiserver exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${logTail()}`);
    if ((await readyz(url)) === 200) break;
    if (Date.now() > deadline) {
      await stop(2000);
      throw new Error(`the apiserver did not become ready at ${url}:\n${logTail()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const caCert = readFileSync(join(certDir, 'ca.crt'), 'utf8');
  return { url, caCert, pid, logFile, logTail, stop };
}

/** The .cpuprofile files a profiled process left in dir. */
export function cpuProfiles(dir: string): string[] {
  return existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith('.cpuprofile'))
        .map((f) => join(dir, f))
    : [];
}
