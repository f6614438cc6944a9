// A local etcd member: Debian's etcd-server, one node, loopback only.
import { mkdirSync } from 'node:fs';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { which, type ProcessSpec } from './process.js';

export interface EtcdMemberConfig {
  dataDir: string;
  clientPort: number;
  peerPort: number;
  name?: string;
  /** Serve clients over TLS and require a client certificate signed by trustedCAFile (etcd's --client-cert-auth). */
  clientTLS?: { certFile: string; keyFile: string; trustedCAFile: string };
}

export function etcdSpec(cfg: EtcdMemberConfig): ProcessSpec {
  const bin = which('etcd');
  if (!bin) throw new Error('etcd not found: install the Debian package etcd-server (run `make deps`)');
  mkdirSync(cfg.dataDir, { recursive: true, mode: 0o700 });
  const name = cfg.name ?? 'timonel';
  const tls = cfg.clientTLS;
  const client = `${tls ? 'https' : 'http'}://127.0.0.1:${cfg.clientPort}`;
  const peer = `http://127.0.0.1:${cfg.peerPort}`;
  return {
    name: 'etcd',
    command: bin,
    args: [
      '--name',
      name,
      '--data-dir',
      cfg.dataDir,
      '--listen-client-urls',
      client,
      '--advertise-client-urls',
      client,
      '--listen-peer-urls',
      peer,
      '--initial-advertise-peer-urls',
      peer,
      '--initial-cluster',
      `${name}=${peer}`,
      '--initial-cluster-state',
      'new',
      '--quota-backend-bytes',
      String(8 * 1024 * 1024 * 1024),
      // One member on loopback: no network to ride out, so elect a leader quickly.
      '--heartbeat-interval',
      '50',
      '--election-timeout',
      '300',
      '--log-level',
      'warn',
      ...(tls ? ['--cert-file', tls.certFile, '--key-file', tls.keyFile, '--trusted-ca-file', tls.trustedCAFile, '--client-cert-auth'] : []),
    ],
  };
}

/** For tests: an etcd child process tied to this process, in a throwaway directory. */
export function spawnEtcd(cfg: EtcdMemberConfig): ChildProcess {
  const spec = etcdSpec(cfg);
  const child = spawn(spec.command, spec.args, { stdio: ['ignore', 'ignore', 'pipe'], env: spec.env });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  child.on('exit', (code) => {
    if (code && code !== 0 && !child.killed) process.stderr.write(`etcd exited with ${code}: ${stderr}\n`);
  });
  return child;
}

export function etcdDataDir(dataDir: string): string {
  return join(dataDir, 'etcd');
}
