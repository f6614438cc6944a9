// Secrets at rest (--encryption-provider-config) against a real etcd and apiserver:
// etcd, read directly with etcdctl, holds only ciphertext under the k8s:enc prefix,
// while kubectl, lists and watches (the watch cache's shortcuts included) get plaintext;
// rotating to a new key keeps old Secrets readable.
import { afterAll, beforeAll, describe, it, jest } from '@jest/globals';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { request, startCluster, type TestCluster } from '../support/cluster.js';

const run = promisify(execFile);
const KEY1 = Buffer.alloc(32, 0x11).toString('base64');
const KEY2 = Buffer.alloc(32, 0x22).toString('base64');

function encryptionConfig(keys: [string, string][]): string {
  return `apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
  - resources: [secrets]
    providers:
      - aescbc:
          keys:
${keys.map(([name, secret]) => `            - name: ${name}\n              secret: ${secret}`).join('\n')}
      - identity: {}
`;
}

interface WatchedEvent {
  type: string;
  object: { kind?: string; metadata?: { name?: string }; data?: Record<string, string> };
}

/** A watch whose events are collected as they come. */
function watch(
  c: TestCluster,
  path: string,
): Promise<{ events: WatchedEvent[]; until(pred: (e: WatchedEvent) => boolean): Promise<WatchedEvent>; close(): void }> {
  return new Promise((resolve, reject) => {
    const events: WatchedEvent[] = [];
    let buf = '';
    let wake: () => void = () => {};
    const req = httpsRequest(new URL(path, c.url), { ca: c.caCert, cert: c.adminCert.cert, key: c.adminCert.key }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`watch ${path}: ${res.statusCode}`));
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buf += chunk;
        for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
          const line = buf.slice(0, i).trim();
          buf = buf.slice(i + 1);
          if (line) events.push(JSON.parse(line) as WatchedEvent);
        }
        wake();
      });
      resolve({
        events,
        async until(pred) {
          const deadline = Date.now() + 10_000;
          for (;;) {
            const found = events.find(pred);
            if (found) return found;
            if (Date.now() > deadline) throw new Error(`no such event on ${path}: ${JSON.stringify(events)}`);
            await new Promise<void>((r) => {
              wake = r;
              setTimeout(r, 200);
            });
          }
        },
        close: () => req.destroy(),
      });
    });
    req.on('error', reject);
    req.end();
  });
}

jest.setTimeout(120_000);
describe('encryption at rest', () => {
  let c: TestCluster;
  let k: TestCluster['kubectl'];
  let dir: string;
  /** The raw value etcd holds at key, read with Debian's etcdctl. */
  const etcdRaw = async (key: string): Promise<Buffer> =>
    (
      await run('etcdctl', [`--endpoints=${c.etcd.endpoint}`, 'get', key, '--print-value-only'], {
        env: { ...process.env, ETCDCTL_API: '3' },
        encoding: 'buffer',
      })
    ).stdout;
  const password = async (name: string) =>
    Buffer.from((await k(['get', 'secret', name, '-n', 'enc', '-o', 'jsonpath={.data.password}'])).stdout, 'base64').toString();

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'timonel-enc-'));
    const config = join(dir, 'encryption-config.yaml');
    writeFileSync(config, encryptionConfig([['key1', KEY1]]), { mode: 0o600 });
    c = await startCluster({ encryptionProviderConfig: config });
    k = c.kubectl.bind(c);
    await k(['create', 'namespace', 'enc']);
  });
  afterAll(async () => {
    await c?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('etcd holds only ciphertext under k8s:enc:aescbc:v1:key1:, kubectl shows the value', async () => {
    await k(['create', 'secret', 'generic', 's1', '-n', 'enc', '--from-literal=password=s3cret-at-rest-1']);
    await k(['create', 'configmap', 'c1', '-n', 'enc', '--from-literal=password=plain-config-1']);
    const raw = await etcdRaw('/registry/secrets/enc/s1');
    assert.equal(raw.subarray(0, 23).toString(), 'k8s:enc:aescbc:v1:key1:');
    for (const plain of ['s3cret-at-rest-1', Buffer.from('s3cret-at-rest-1').toString('base64'), '"kind":"Secret"'])
      assert.ok(!raw.includes(plain), `etcd holds ${plain}`);
    // What is not configured is stored as before: the same read sees a ConfigMap's value.
    assert.ok((await etcdRaw('/registry/configmaps/enc/c1')).includes('plain-config-1'));
    assert.equal(await password('s1'), 's3cret-at-rest-1');
  });

  it('lists, from etcd and from the watch cache, answer plaintext', async () => {
    await k(['create', 'secret', 'generic', 's-list', '-n', 'enc', '--from-literal=password=listed-value']);
    for (const query of ['', '?resourceVersion=0', '?limit=1', '?resourceVersion=0&fieldSelector=metadata.name%3Ds-list']) {
      const res = await request(c, 'GET', `/api/v1/namespaces/enc/secrets${query}`);
      assert.equal(res.status, 200, res.body);
      assert.ok(!res.body.includes('k8s:enc:'), `${query}: ${res.body}`);
      const items = (res.json() as { items: WatchedEvent['object'][] }).items;
      if (query.startsWith('?limit')) continue;
      const s = items.find((i) => i.metadata?.name === 's-list');
      assert.equal(Buffer.from(s?.data?.password ?? '', 'base64').toString(), 'listed-value', `${query}: ${res.body}`);
    }
    const all = JSON.parse((await k(['get', 'secrets', '-n', 'enc', '-o', 'json'])).stdout) as { items: WatchedEvent['object'][] };
    assert.deepEqual(
      all.items.filter((i) => i.data?.password).map((i) => [i.metadata?.name, Buffer.from(i.data?.password ?? '', 'base64').toString()]),
      [
        ['s-list', 'listed-value'],
        ['s1', 's3cret-at-rest-1'],
      ],
    );
  });

  it('a watch on Secrets delivers plaintext objects, new and initial', async () => {
    const w = await watch(c, '/api/v1/namespaces/enc/secrets?watch=1');
    const initial = await watch(c, '/api/v1/namespaces/enc/secrets?watch=1&resourceVersion=0');
    try {
      await k(['create', 'secret', 'generic', 's-watch', '-n', 'enc', '--from-literal=password=watched-value']);
      await k(['patch', 'secret', 's-watch', '-n', 'enc', '-p', '{"stringData":{"password":"patched-value"}}']);
      for (const stream of [w, initial]) {
        const added = await stream.until((e) => e.type === 'ADDED' && e.object.metadata?.name === 's-watch');
        assert.equal(added.object.kind, 'Secret');
        assert.equal(Buffer.from(added.object.data?.password ?? '', 'base64').toString(), 'watched-value');
        const modified = await stream.until((e) => e.type === 'MODIFIED' && e.object.metadata?.name === 's-watch');
        assert.equal(Buffer.from(modified.object.data?.password ?? '', 'base64').toString(), 'patched-value');
      }
      // Secrets made before the watch come as initial ADDED events, also in plaintext.
      const s1 = await initial.until((e) => e.type === 'ADDED' && e.object.metadata?.name === 's1');
      assert.equal(Buffer.from(s1.object.data?.password ?? '', 'base64').toString(), 's3cret-at-rest-1');
      assert.ok(!JSON.stringify([w.events, initial.events]).includes('k8s:enc:'));
      assert.ok((await etcdRaw('/registry/secrets/enc/s-watch')).subarray(0, 23).toString() === 'k8s:enc:aescbc:v1:key1:');
    } finally {
      w.close();
      initial.close();
    }
  });

  it('rotation: with key2 first, new writes use key2 and Secrets written with key1 stay readable', async () => {
    const config = join(c.dir, 'rotated.yaml');
    writeFileSync(
      config,
      encryptionConfig([
        ['key2', KEY2],
        ['key1', KEY1],
      ]),
      { mode: 0o600 },
    );
    await c.restartServer({ encryptionProviderConfig: config });
    assert.equal(await password('s1'), 's3cret-at-rest-1');
    assert.equal((await etcdRaw('/registry/secrets/enc/s1')).subarray(0, 23).toString(), 'k8s:enc:aescbc:v1:key1:');
    await k(['create', 'secret', 'generic', 's2', '-n', 'enc', '--from-literal=password=s3cret-at-rest-2']);
    const raw2 = await etcdRaw('/registry/secrets/enc/s2');
    assert.equal(raw2.subarray(0, 23).toString(), 'k8s:enc:aescbc:v1:key2:');
    assert.ok(!raw2.includes('s3cret-at-rest-2'));
    assert.equal(await password('s2'), 's3cret-at-rest-2');
    // Rewriting an old Secret (as `kubectl replace` does in upstream's rotation steps) moves it to key2.
    await k(['label', 'secret', 's1', '-n', 'enc', 'rotated=yes']);
    assert.equal((await etcdRaw('/registry/secrets/enc/s1')).subarray(0, 23).toString(), 'k8s:enc:aescbc:v1:key2:');
    assert.equal(await password('s1'), 's3cret-at-rest-1');
  });

  it('an apiserver whose keys cannot read the stored Secrets says so at start', async () => {
    const config = join(c.dir, 'other-key.yaml');
    writeFileSync(config, encryptionConfig([['key3', Buffer.alloc(32, 0x33).toString('base64')]]), { mode: 0o600 });
    await assert.rejects(
      c.restartServer({ encryptionProviderConfig: config }),
      /cannot decrypt \/registry\/secrets\/enc\/\S+: no configured provider or key matches its prefix "k8s:enc:aescbc:v1:key[12]:"/,
    );
    // With the keys back, it starts and reads them again.
    await c.restartServer({ encryptionProviderConfig: join(c.dir, 'rotated.yaml') });
    assert.equal(await password('s1'), 's3cret-at-rest-1');
  });
});
