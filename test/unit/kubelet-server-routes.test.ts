// The kubelet server's HTTP surface: which paths it serves, the status codes,
// headers and bodies of its answers and refusals, client-certificate checks, and
// upgrades passed through to the runtime's streaming server. The runtime is a
// small in-process stand-in for the CRI calls the server makes.
import { describe, it, beforeAll, afterAll } from '@jest/globals';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CRIClient } from '../../pkg/cri/client.js';
import { startKubeletServer, type KubeletServer } from '../../pkg/kubelet/server/server.js';
import type { ContainerLocator, LocatedContainer, LocatedSandbox, LocateError } from '../../pkg/kubelet/server/types.js';
import { newCertificate } from '../../pkg/util/certs.js';

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

function get(port: number, path: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** An upgrade request: the refusal (a plain response) or the upgraded socket's first bytes. */
function upgrade(port: number, path: string, headers: Record<string, string>): Promise<Answer & { upgraded: boolean }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, headers: { Connection: 'Upgrade', ...headers } });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString(), upgraded: false }));
    });
    req.on('upgrade', (res, socket: Socket, head: Buffer) => {
      const chunks: Buffer[] = head.length ? [head] : [];
      socket.on('data', (c: Buffer) => chunks.push(c));
      socket.on('close', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString(), upgraded: true }));
    });
    req.on('error', reject);
    req.end();
  });
}

const grpcError = (code: number, details: string) => Object.assign(new Error(`${code} ${details}`), { code, details });

describe('kubelet server routes', () => {
  let dir: string;
  let kubelet: KubeletServer;
  let streaming: Server;
  let streamingURL: string;
  const calls: string[] = [];

  const locator: ContainerLocator = {
    async find(namespace, podName, containerName): Promise<LocatedContainer | LocateError> {
      if (namespace !== 'ns' || podName !== 'web') return { code: 404, error: `pod "${podName}" does not exist` };
      if (containerName === 'waiting') return { code: 400, error: `container "waiting" in pod "web" is waiting to start: ContainerCreating` };
      return { podUID: 'uid-1', containerName: containerName ?? 'app', containerId: 'c1', logPath: join(dir, 'app.log') };
    },
    async findSandbox(namespace, podName): Promise<LocatedSandbox | LocateError> {
      if (namespace !== 'ns' || podName !== 'web') return { code: 404, error: `pod "${podName}" does not exist` };
      return { podUID: 'uid-1', podSandboxId: 's1' };
    },
  };

  const runtime = {
    async containerStatus() {
      return { status: { state: 'CONTAINER_EXITED' } };
    },
    async execSync(req: { cmd: string[] }) {
      calls.push(`execSync ${req.cmd.join(' ')}`);
      if (req.cmd[0] === 'missing') throw grpcError(5, 'no such container');
      return { stdout: Buffer.from(`out:${req.cmd.join(' ')}\n`), stderr: Buffer.from('err\n'), exitCode: 0 };
    },
    async exec(req: { cmd: string[]; tty: boolean; stdin: boolean; stdout: boolean; stderr: boolean }) {
      calls.push(`exec ${req.cmd.join(' ')} tty=${req.tty} stdin=${req.stdin} stdout=${req.stdout} stderr=${req.stderr}`);
      if (req.cmd[0] === 'refused') throw grpcError(9, 'container not running');
      return { url: `${streamingURL}/exec/token1` };
    },
    async attach(req: { tty: boolean }) {
      calls.push(`attach tty=${req.tty}`);
      return { url: `${streamingURL}/attach/token2` };
    },
    async portForward(req: { podSandboxId: string; port: number[] }) {
      calls.push(`portForward ${req.podSandboxId} ${req.port.join(',')}`);
      return { url: `${streamingURL}/portforward/token3` };
    },
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kubelet-routes-'));
    writeFileSync(join(dir, 'app.log'), '2024-05-01T10:00:01.000000000Z stdout F hello\n2024-05-01T10:00:02.000000000Z stderr F world\n');
    // The runtime's streaming server: upgrades every request and names the path it got.
    streaming = createServer((_req, res) => res.writeHead(500).end());
    streaming.on('upgrade', (req, socket: Socket) => {
      socket.end(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\n\r\nstreaming ${req.url}`);
    });
    await new Promise<void>((resolve) => streaming.listen(0, '127.0.0.1', resolve));
    streamingURL = `http://127.0.0.1:${(streaming.address() as AddressInfo).port}`;
    kubelet = await startKubeletServer({
      address: '127.0.0.1',
      port: 0,
      insecure: true,
      cri: { runtime } as unknown as CRIClient,
      locator,
      pods: () => [{ metadata: { name: 'web', namespace: 'ns' } }],
    });
  });

  afterAll(async () => {
    await kubelet?.close();
    await new Promise<void>((resolve) => streaming?.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('/healthz answers ok in plain text; anything below it is not found', async () => {
    const ok = await get(kubelet.port, '/healthz');
    assert.equal(ok.status, 200);
    assert.equal(ok.headers['content-type'], 'text/plain; charset=utf-8');
    assert.equal(ok.body, 'ok\n');
    const below = await get(kubelet.port, '/healthz/extra');
    assert.equal(below.status, 404);
    assert.equal(below.body, '404 page not found\n');
  });

  it('unknown paths and the root are not found, whatever name the client picks', async () => {
    for (const path of ['/', '/metrics', '/stats/summary', '/nope/x', '/constructor', '/__proto__', '/toString', '/hasOwnProperty/x']) {
      const r = await get(kubelet.port, path);
      assert.equal(r.status, 404, path);
      assert.equal(r.body, '404 page not found\n', path);
    }
  });

  it('a path with a malformed escape is a bad request, and the server keeps serving', async () => {
    const r = await get(kubelet.port, '/containerLogs/ns/%E0/app');
    assert.deepEqual([r.status, r.body], [400, 'invalid request URL\n']);
    const u = await upgrade(kubelet.port, '/exec/ns/%E0/app?command=ls&output=1', { Upgrade: 'SPDY/3.1' });
    assert.equal(u.status, 400);
    assert.equal(JSON.parse(u.body).message, 'invalid request URL');
    assert.equal((await get(kubelet.port, '/healthz')).status, 200);
  });

  it('/pods lists the pods as a PodList', async () => {
    const r = await get(kubelet.port, '/pods');
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-type'], 'application/json');
    assert.deepEqual(JSON.parse(r.body), { kind: 'PodList', apiVersion: 'v1', metadata: {}, items: [{ metadata: { name: 'web', namespace: 'ns' } }] });
  });

  it('exec, attach and portForward without an upgrade are refused', async () => {
    for (const path of ['/exec/ns/web/app?command=ls', '/attach/ns/web/app', '/portForward/ns/web']) {
      const r = await get(kubelet.port, path);
      assert.equal(r.status, 400, path);
      assert.equal(r.body, 'Upgrade request required\n', path);
    }
  });

  it('/containerLogs streams the log as text and refuses bad requests with the kubelet wording', async () => {
    const r = await get(kubelet.port, '/containerLogs/ns/web/app');
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-type'], 'text/plain');
    assert.equal(r.headers['transfer-encoding'], 'chunked');
    assert.equal(r.body, 'hello\nworld\n');
    assert.equal((await get(kubelet.port, '/containerLogs/ns/web/app?stream=Stdout&timestamps=true')).body, '2024-05-01T10:00:01.000000000Z hello\n');

    const cases: Array<[string, number, string]> = [
      ['/containerLogs/ns', 400, 'path must be /containerLogs/{namespace}/{pod}/{container}\n'],
      ['/containerLogs/ns/db/app', 404, 'pod "db" does not exist\n'],
      ['/containerLogs/ns/web/waiting', 400, 'container "waiting" in pod "web" is waiting to start: ContainerCreating\n'],
      ['/containerLogs/ns/web/app?previous=true', 400, 'previous terminated container "app" in pod "web" not found\n'],
      ['/containerLogs/ns/web/app?tailLines=-1', 400, 'invalid tailLines "-1": must be an integer >= 0\n'],
    ];
    for (const [path, status, body] of cases) {
      const e = await get(kubelet.port, path);
      assert.equal(e.status, status, path);
      assert.equal(e.headers['content-type'], 'text/plain; charset=utf-8', path);
      assert.equal(e.body, body, path);
    }
  });

  it('/run runs the command and answers its output; runtime errors keep their HTTP code', async () => {
    const r = await get(kubelet.port, '/run/ns/web/app?cmd=echo%20hi');
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-type'], 'text/plain');
    assert.equal(r.body, 'out:echo hi\nerr\n');
    assert.ok(calls.includes('execSync echo hi'));
    const noCmd = await get(kubelet.port, '/run/ns/web/app');
    assert.deepEqual([noCmd.status, noCmd.body], [400, 'cmd is required\n']);
    const missing = await get(kubelet.port, '/run/ns/web/app?cmd=missing');
    assert.deepEqual([missing.status, missing.body], [404, 'no such container\n']);
  });

  it('exec and attach upgrades go through to the runtime streaming server', async () => {
    const r = await upgrade(kubelet.port, '/exec/ns/web/app?command=sh&command=-c&input=1&output=1&error=1&tty=1', { Upgrade: 'SPDY/3.1' });
    assert.equal(r.upgraded, true);
    assert.equal(r.status, 101);
    assert.equal(r.body, 'streaming /exec/token1?command=sh&command=-c&input=1&output=1&error=1&tty=1');
    // A terminal carries stderr on stdout.
    assert.ok(calls.includes('exec sh -c tty=true stdin=true stdout=true stderr=false'));
    const a = await upgrade(kubelet.port, '/attach/ns/web/uid-1/app?output=1', { Upgrade: 'SPDY/3.1' });
    assert.equal(a.body, 'streaming /attach/token2?output=1');
  });

  it('portForward upgrades go through to the runtime streaming server', async () => {
    const r = await upgrade(kubelet.port, '/portForward/ns/web?port=8080,9090', { Upgrade: 'SPDY/3.1' });
    assert.equal(r.upgraded, true);
    assert.equal(r.body, 'streaming /portforward/token3?port=8080,9090');
    assert.ok(calls.includes('portForward s1 8080,9090'));
  });

  it('refuses bad upgrades with a metav1.Status', async () => {
    const ws = { Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==' };
    const cases: Array<[string, Record<string, string>, number, string, string]> = [
      ['/nope/ns/web/app', { Upgrade: 'SPDY/3.1' }, 404, 'NotFound', '404 page not found'],
      ['/constructor/ns/web/app', { Upgrade: 'SPDY/3.1' }, 404, 'NotFound', '404 page not found'],
      ['/pods', { Upgrade: 'SPDY/3.1' }, 404, 'NotFound', '404 page not found'],
      ['/exec/ns/web?command=ls&output=1', { Upgrade: 'SPDY/3.1' }, 404, 'NotFound', 'path must be /{verb}/{namespace}/{pod}[/{uid}]/{container}'],
      ['/exec/ns/web/app?command=ls', { Upgrade: 'SPDY/3.1' }, 400, 'BadRequest', 'you must specify at least 1 of stdin, stdout, stderr'],
      ['/exec/ns/web/app?output=1', { Upgrade: 'SPDY/3.1' }, 400, 'BadRequest', 'you must specify a command to run'],
      ['/exec/ns/db/app?command=ls&output=1', { Upgrade: 'SPDY/3.1' }, 404, 'NotFound', 'pod "db" does not exist'],
      ['/exec/ns/web/other-uid/app?command=ls&output=1', { Upgrade: 'SPDY/3.1' }, 404, 'NotFound', 'pod "web" with UID other-uid not found'],
      [
        '/exec/ns/web/app?command=refused&output=1',
        { Upgrade: 'SPDY/3.1' },
        400,
        'BadRequest',
        'unable to exec in container "app" of pod "web": container not running',
      ],
      [
        '/exec/ns/web/app?command=ls&output=1',
        { ...ws, 'Sec-WebSocket-Protocol': 'v9.channel.k8s.io' },
        400,
        'BadRequest',
        'requested protocol(s) are not supported: v9.channel.k8s.io; supports v5.channel.k8s.io, v4.channel.k8s.io, v4.base64.channel.k8s.io, channel.k8s.io, base64.channel.k8s.io',
      ],
      ['/portForward/ns', { Upgrade: 'SPDY/3.1' }, 404, 'NotFound', 'path must be /portForward/{namespace}/{pod}[/{uid}]'],
      ['/portForward/ns/web?port=70000', { Upgrade: 'SPDY/3.1' }, 400, 'BadRequest', 'invalid port in "70000"'],
    ];
    for (const [path, headers, code, reason, message] of cases) {
      const r = await upgrade(kubelet.port, path, headers);
      assert.equal(r.upgraded, false, path);
      assert.equal(r.status, code, path);
      assert.equal(r.headers['content-type'], 'application/json', path);
      assert.deepEqual(JSON.parse(r.body), { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code }, path);
    }
  });
});

describe('kubelet server with a client CA', () => {
  let dir: string;
  let kubelet: KubeletServer;
  let client: { cert: string; key: string };

  const secureGet = (path: string, withCert: boolean): Promise<Answer> =>
    new Promise((resolve, reject) => {
      const req = httpsRequest({ host: '127.0.0.1', port: kubelet.port, path, rejectUnauthorized: false, ...(withCert ? client : {}) }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
      });
      req.on('error', reject);
      req.end();
    });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kubelet-routes-tls-'));
    const ca = newCertificate({ commonName: 'test-ca', usage: 'ca' });
    writeFileSync(join(dir, 'ca.crt'), ca.cert);
    client = newCertificate({ commonName: 'apiserver', usage: 'client', issuer: ca });
    const unused: ContainerLocator = {
      find: async () => ({ code: 404, error: 'none' }),
      findSandbox: async () => ({ code: 404, error: 'none' }),
    };
    kubelet = await startKubeletServer({
      address: '127.0.0.1',
      port: 0,
      certDir: join(dir, 'pki'),
      clientCAFile: join(dir, 'ca.crt'),
      cri: {} as CRIClient,
      locator: unused,
      pods: () => [],
    });
  });

  afterAll(async () => {
    await kubelet?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves /healthz to anyone and everything else only to certificates the CA signed', async () => {
    assert.deepEqual(await secureGet('/healthz', false).then((r) => [r.status, r.body]), [200, 'ok\n']);
    const anonymous = await secureGet('/pods', false);
    assert.deepEqual([anonymous.status, anonymous.body], [401, 'Unauthorized\n']);
    const signed = await secureGet('/pods', true);
    assert.equal(signed.status, 200);
    assert.deepEqual(JSON.parse(signed.body).items, []);
  });
});
