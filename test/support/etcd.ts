// A real etcd for tests: a child of the test process, in a throwaway directory, on free ports.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnEtcd } from '../../pkg/cluster/etcd.js';
import { freePorts } from '../../pkg/cluster/process.js';

export interface TestEtcd {
  endpoint: string;
  dir: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

export async function startEtcd(): Promise<TestEtcd> {
  const dir = mkdtempSync(join(tmpdir(), 'timonel-etcd-'));
  const [clientPort, peerPort] = await freePorts(2);
  const proc = spawnEtcd({ dataDir: join(dir, 'data'), clientPort, peerPort });
  const endpoint = `http://127.0.0.1:${clientPort}`;
  await waitEtcdHealthy(endpoint);
  return {
    endpoint,
    dir,
    process: proc,
    async stop() {
      if (proc.exitCode === null) {
        const exited = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Waits until etcd at endpoint answers /health (20 s at most). */
export async function waitEtcdHealthy(endpoint: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const res = await fetch(`${endpoint}/health`).catch(() => undefined);
    if (res?.ok) return;
    if (Date.now() > deadline) throw new Error('etcd did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
}
