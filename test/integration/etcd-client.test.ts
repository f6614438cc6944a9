// The etcd client (pkg/storage/etcd.ts, on `etcd3`) against real etcd processes:
// TLS with client certificates (and the apiserver's --etcd-* flags), deadlines
// with etcd stopped, a killed and restarted etcd, failover between endpoints,
// and compaction.
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { newCertificate } from '../../pkg/util/certs.js';
import { spawnEtcd, type EtcdMemberConfig } from '../../pkg/cluster/etcd.js';
import { freePort } from '../../pkg/cluster/process.js';
import { kubeconfigYAML } from '../../pkg/cluster/kubeconfig.js';
import { CompactedError, EtcdClient } from '../../pkg/storage/etcd.js';
import { startAPIServerProcess } from '../bench/apiserver-process.js';
import { waitEtcdHealthy } from '../support/etcd.js';

const run = promisify(execFile);

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  assert.fail('expected a rejection');
}

function exited(proc: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  const done = new Promise<void>((r) => proc.once('exit', () => r()));
  proc.kill(signal);
  return done;
}

async function until(cond: () => boolean | Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Whether every thread of pid is in the stopped state ("T" in /proc/<pid>/task/<tid>/stat). */
function allThreadsStopped(pid: number): boolean {
  return readdirSync(`/proc/${pid}/task`).every((tid) => {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('T');
  });
}

/** An etcd member in a scratch directory that can be killed and started again on the same ports. */
async function member(extra: Partial<EtcdMemberConfig> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'timonel-etcd-client-'));
  const cfg: EtcdMemberConfig = { dataDir: join(dir, 'data'), clientPort: await freePort(), peerPort: await freePort(), ...extra };
  let proc = spawnEtcd(cfg);
  const scheme = cfg.clientTLS ? 'https' : 'http';
  return {
    dir,
    endpoint: `${scheme}://127.0.0.1:${cfg.clientPort}`,
    get proc() {
      return proc;
    },
    restart() {
      proc = spawnEtcd(cfg);
    },
    async stop() {
      await exited(proc);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

describe('etcd client over TLS with client certificates', () => {
  let etcd: Awaited<ReturnType<typeof member>>;
  let pki: string;
  let files: { ca: string; cert: string; key: string };

  beforeAll(async () => {
    pki = mkdtempSync(join(tmpdir(), 'timonel-etcd-pki-'));
    const ca = newCertificate({ commonName: 'etcd-ca', usage: 'ca' });
    const server = newCertificate({ commonName: 'etcd', usage: 'server', hosts: ['127.0.0.1', 'localhost'], issuer: ca });
    const client = newCertificate({ commonName: 'kube-apiserver-etcd-client', usage: 'client', issuer: ca });
    const path = (name: string, text: string) => {
      const p = join(pki, name);
      writeFileSync(p, text, { mode: 0o600 });
      return p;
    };
    files = { ca: path('ca.crt', ca.cert), cert: path('client.crt', client.cert), key: path('client.key', client.key) };
    etcd = await member({ clientTLS: { certFile: path('server.crt', server.cert), keyFile: path('server.key', server.key), trustedCAFile: files.ca } });
    const probe = new EtcdClient([etcd.endpoint], { caFile: files.ca, certFile: files.cert, keyFile: files.key, requestTimeoutMs: 1000 });
    try {
      await until(
        () =>
          probe.currentRevision().then(
            () => true,
            () => false,
          ),
        'etcd over TLS',
        20_000,
      );
    } finally {
      probe.close();
    }
  });
  afterAll(async () => {
    await etcd?.stop();
    rmSync(pki, { recursive: true, force: true });
  });

  it('refuses a client without a certificate', async () => {
    const anonymous = new EtcdClient([etcd.endpoint], { caFile: files.ca, requestTimeoutMs: 2000 });
    try {
      await rejection(anonymous.put('/anything', 'x'));
    } finally {
      anonymous.close();
    }
  });

  it('the apiserver stores through --etcd-cafile, --etcd-certfile and --etcd-keyfile; kubectl reads it back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'timonel-apiserver-tls-'));
    try {
      const token = 'etcd-tls-test-token';
      writeFileSync(join(dir, 'tokens.csv'), `${token},admin,admin,"system:masters"\n`);
      const api = await startAPIServerProcess({
        etcdEndpoint: etcd.endpoint,
        dir,
        args: [`--etcd-cafile=${files.ca}`, `--etcd-certfile=${files.cert}`, `--etcd-keyfile=${files.key}`, `--token-auth-file=${join(dir, 'tokens.csv')}`],
      });
      const direct = new EtcdClient([etcd.endpoint], { caFile: files.ca, certFile: files.cert, keyFile: files.key });
      try {
        const kubeconfig = join(dir, 'kubeconfig.yaml');
        writeFileSync(kubeconfig, kubeconfigYAML(api.url, api.caCert, token));
        const env = { ...process.env, HOME: dir, KUBECONFIG: kubeconfig };
        await run('kubectl', ['create', 'configmap', 'over-tls', '--from-literal=k=v'], { env });
        const { stdout } = await run('kubectl', ['get', 'configmap', 'over-tls', '-o', 'jsonpath={.data.k}'], { env });
        assert.equal(stdout, 'v');
        const { kv } = await direct.get('/registry/configmaps/default/over-tls');
        assert.ok(kv, 'the object is in etcd');
        assert.equal(JSON.parse(kv.value.toString()).data.k, 'v');
      } finally {
        direct.close();
        await api.stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('etcd client failures', () => {
  it('fails a call at its deadline while etcd is stopped, and works again once it continues', async () => {
    const etcd = await member();
    const client = new EtcdClient([etcd.endpoint], { requestTimeoutMs: 300 });
    try {
      await waitEtcdHealthy(etcd.endpoint);
      await client.put('/t/a', '1');
      etcd.proc.kill('SIGSTOP');
      try {
        // A stop reaches a process's threads one by one, after kill returns: wait until all are stopped.
        await until(() => allThreadsStopped(etcd.proc.pid as number), 'etcd to stop');
        const started = Date.now();
        const err = await rejection(client.get('/t/a'));
        assert.match(err.message, /deadline/i);
        assert.ok(Date.now() - started < 3000, `took ${Date.now() - started} ms`);
      } finally {
        etcd.proc.kill('SIGCONT');
      }
      assert.equal((await client.get('/t/a')).kv?.value.toString(), '1');
    } finally {
      client.close();
      await etcd.stop();
    }
  });

  it('a killed etcd ends the watch and fails calls; after a restart on the same port calls work again', async () => {
    const etcd = await member();
    const client = new EtcdClient([etcd.endpoint], { requestTimeoutMs: 1000 });
    try {
      await waitEtcdHealthy(etcd.endpoint);
      const rev = await client.put('/r/k', 'before');
      let closed: Error | undefined;
      const events: string[] = [];
      await client.watchPrefix('/r/', rev + 1, {
        onEvents: (evs) => events.push(...evs.map((e) => `${e.type} ${e.key}`)),
        onProgress: () => undefined,
        onClose: (err) => {
          closed = err;
        },
      });
      await client.put('/r/k', 'seen');
      await until(() => events.length === 1, 'the watch event');
      assert.deepEqual(events, ['PUT /r/k']);

      await exited(etcd.proc, 'SIGKILL');
      await until(() => closed !== undefined, 'the watch to end');
      await rejection(client.get('/r/k'));

      etcd.restart();
      await waitEtcdHealthy(etcd.endpoint);
      await until(
        () =>
          client.get('/r/k').then(
            (r) => r.kv?.value.toString() === 'seen',
            () => false,
          ),
        'reads after the restart',
        20_000,
      );
      await client.put('/r/k', 'after');
      assert.equal((await client.get('/r/k')).kv?.value.toString(), 'after');
    } finally {
      client.close();
      await etcd.stop();
    }
  });

  it('fails over to the next endpoint when the first cannot be reached', async () => {
    const etcd = await member();
    const dead = `http://127.0.0.1:${await freePort()}`;
    const client = new EtcdClient([dead, etcd.endpoint], { requestTimeoutMs: 2000 });
    try {
      await waitEtcdHealthy(etcd.endpoint);
      for (let i = 0; i < 20; i++) await client.put(`/f/${i}`, String(i));
      assert.equal((await client.range('/f/')).count, 20);
    } finally {
      client.close();
      await etcd.stop();
    }
  });

  it('a read below the compacted revision is CompactedError; a watch from there ends at once', async () => {
    const etcd = await member();
    const client = new EtcdClient([etcd.endpoint]);
    try {
      await waitEtcdHealthy(etcd.endpoint);
      const old = await client.put('/c/k', '1');
      const now = await client.put('/c/k', '2');
      await client.compact(now);
      await client.compact(old); // already compacted past it: not an error
      assert.ok((await rejection(client.range('/c/', { revision: old }))) instanceof CompactedError);
      // etcd creates the watch, then cancels it with compact_revision set (or refuses it outright).
      let ended: Error | undefined;
      let events = 0;
      await client
        .watchPrefix('/c/', old, { onEvents: () => events++, onProgress: () => undefined, onClose: (err) => (ended = err) })
        .catch((err: Error) => (ended = err));
      await until(() => ended !== undefined, 'the watch to end');
      assert.equal(events, 0);
    } finally {
      client.close();
      await etcd.stop();
    }
  });
});
