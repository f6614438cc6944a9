// Probes against real local servers on 127.0.0.1 (HTTP, TCP, gRPC) and a fake
// ExecSync, then the ProbeManager's workers with shortened probe seconds.
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { fromJSON } from '@grpc/proto-loader';
import { ExecTimeoutError, PROBE_USER_AGENT, ProbeManager, runProbe, type ProbeKind, type ProbeResult } from '../../pkg/kubelet/prober/index.js';
import type { Container, ContainerStatus, Pod } from '../../api/core/v1/types.js';

let server: http.Server;
let port = 0;
const seen: http.IncomingHttpHeaders[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    seen.push(req.headers);
    const url = new URL(req.url ?? '/', 'http://x');
    switch (url.pathname) {
      case '/ok':
        res.end(`fine${url.search}`);
        break;
      case '/fail':
        res.writeHead(503).end('secret details');
        break;
      case '/same':
        res.writeHead(302, { location: '/ok' }).end();
        break;
      case '/elsewhere':
        // localhost is another host name than 127.0.0.1: not followed.
        res.writeHead(301, { location: `http://localhost:${port}/ok` }).end('moved');
        break;
      case '/loop':
        res.writeHead(302, { location: '/loop' }).end();
        break;
      case '/nolocation':
        res.writeHead(304).end();
        break;
      case '/slow':
        setTimeout(() => res.end('late'), 1500);
        break;
      default:
        res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

const ctx = (container?: Container) => ({ podIP: '127.0.0.1', container });

describe('httpGet probes', () => {
  it('succeeds on 2xx with the body as output, sending kube-probe headers', async () => {
    seen.length = 0;
    const out = await runProbe({ httpGet: { path: '/ok?x=1', port } }, ctx());
    assert.deepEqual(out, { result: 'success', output: 'fine?x=1' });
    assert.equal(seen[0]['user-agent'], PROBE_USER_AGENT);
    assert.equal(PROBE_USER_AGENT, 'kube-probe/1.32');
    assert.equal(seen[0].accept, '*/*');
  });

  it('sends the probe headers (Host and User-Agent included) and resolves named ports', async () => {
    seen.length = 0;
    const c: Container = { name: 'app', ports: [{ name: 'http', containerPort: port }] };
    const out = await runProbe(
      {
        httpGet: {
          path: 'ok',
          port: 'http',
          host: '127.0.0.1',
          httpHeaders: [
            { name: 'X-Probe', value: 'a' },
            { name: 'Host', value: 'example.test' },
            { name: 'User-Agent', value: 'mine' },
          ],
        },
      },
      ctx(c),
    );
    assert.equal(out.result, 'success');
    assert.equal(seen[0]['x-probe'], 'a');
    assert.equal(seen[0].host, 'example.test');
    assert.equal(seen[0]['user-agent'], 'mine');
  });

  it('fails on other status codes without the body in the message', async () => {
    assert.deepEqual(await runProbe({ httpGet: { path: '/fail', port } }, ctx()), { result: 'failure', output: 'HTTP probe failed with statuscode: 503' });
  });

  it('follows same-host redirects, stops at another host with a warning, and gives up after 10', async () => {
    assert.deepEqual(await runProbe({ httpGet: { path: '/same', port } }, ctx()), { result: 'success', output: 'fine' });
    assert.deepEqual(await runProbe({ httpGet: { path: '/elsewhere', port } }, ctx()), {
      result: 'success',
      output: 'Probe terminated redirects, Response body: moved',
      warning: true,
    });
    assert.deepEqual(await runProbe({ httpGet: { path: '/loop', port } }, ctx()), {
      result: 'failure',
      output: `Get "http://127.0.0.1:${port}/loop": stopped after 10 redirects`,
    });
    assert.equal((await runProbe({ httpGet: { path: '/nolocation', port } }, ctx())).warning, true);
  });

  it('fails on timeouts and refused connections, in Go client words', async () => {
    const slow = await runProbe({ httpGet: { path: '/slow', port }, timeoutSeconds: 1 }, ctx());
    assert.equal(slow.result, 'failure');
    assert.equal(slow.output, `Get "http://127.0.0.1:${port}/slow": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`);
    const closed = await closedPort();
    assert.deepEqual(await runProbe({ httpGet: { path: '/', port: closed } }, ctx()), {
      result: 'failure',
      output: `Get "http://127.0.0.1:${closed}/": dial tcp 127.0.0.1:${closed}: connect: connection refused`,
    });
  });

  it('reports an unknown port name as a prober error, not a verdict', async () => {
    const out = await runProbe({ httpGet: { path: '/', port: 'metrics' } }, ctx({ name: 'app' }));
    assert.equal(out.error, 'port metrics not found');
    assert.equal((await runProbe({ tcpSocket: { port: 70000 } }, ctx())).error, 'invalid port number: 70000');
  });
});

async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const p = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return p;
}

describe('tcpSocket probes', () => {
  it('succeeds when the port accepts and fails when it refuses', async () => {
    assert.deepEqual(await runProbe({ tcpSocket: { port } }, ctx()), { result: 'success', output: '' });
    const closed = await closedPort();
    assert.deepEqual(await runProbe({ tcpSocket: { port: String(closed) } }, ctx()), {
      result: 'failure',
      output: `dial tcp 127.0.0.1:${closed}: connect: connection refused`,
    });
  });
});

describe('exec probes', () => {
  it('maps exit codes, expands static env in the command, and times out as a failure', async () => {
    const calls: Array<{ cmd: string[]; timeout: number }> = [];
    const c: Container = {
      name: 'app',
      env: [
        { name: 'FILE', value: '/tmp/ready' },
        { name: 'FROM', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      ],
    };
    const execSync = async (cmd: string[], timeout: number) => {
      calls.push({ cmd, timeout });
      if (cmd[1] === 'timeout') throw new ExecTimeoutError(cmd, timeout);
      if (cmd[1] === 'grpc-deadline') throw Object.assign(new Error('deadline'), { code: 4 });
      if (cmd[1] === 'broken') throw new Error('container not running');
      return { exitCode: cmd[1] === 'ok' ? 0 : 2, stdout: Buffer.from('out;'), stderr: Buffer.from('err') };
    };
    const run = (arg: string) =>
      runProbe({ exec: { command: ['check', arg, '$(FILE)', '$(FROM)'] }, timeoutSeconds: 3 }, { podIP: '', container: c, execSync });
    assert.deepEqual(await run('ok'), { result: 'success', output: 'out;err' });
    assert.deepEqual(calls[0], { cmd: ['check', 'ok', '/tmp/ready', ''], timeout: 3 });
    assert.deepEqual(await run('bad'), { result: 'failure', output: 'out;err' });
    assert.deepEqual(await run('timeout'), { result: 'failure', output: 'command "check timeout /tmp/ready " timed out' });
    assert.equal((await run('grpc-deadline')).result, 'failure');
    assert.deepEqual(await run('broken'), { result: 'failure', output: '', error: 'container not running' });
  });
});

describe('grpc probes', () => {
  const HEALTH = {
    nested: {
      grpc: {
        nested: {
          health: {
            nested: {
              v1: {
                nested: {
                  HealthCheckRequest: { fields: { service: { type: 'string', id: 1 } } },
                  HealthCheckResponse: {
                    fields: { status: { type: 'ServingStatus', id: 1 } },
                    nested: { ServingStatus: { values: { UNKNOWN: 0, SERVING: 1, NOT_SERVING: 2, SERVICE_UNKNOWN: 3 } } },
                  },
                  Health: { methods: { Check: { requestType: 'HealthCheckRequest', responseType: 'HealthCheckResponse' } } },
                },
              },
            },
          },
        },
      },
    },
  };
  let gserver: grpc.Server;
  let bare: grpc.Server;
  let gport = 0;
  let bport = 0;
  const agents: string[] = [];

  beforeAll(async () => {
    const def = fromJSON(HEALTH as Parameters<typeof fromJSON>[0], { enums: String, defaults: true });
    const pkg = grpc.loadPackageDefinition(def) as unknown as { grpc: { health: { v1: { Health: { service: grpc.ServiceDefinition } } } } };
    gserver = new grpc.Server();
    gserver.addService(pkg.grpc.health.v1.Health.service, {
      Check: (call: grpc.ServerUnaryCall<{ service: string }, unknown>, cb: grpc.sendUnaryData<{ status: string }>) => {
        agents.push(String(call.metadata.get('user-agent')[0]));
        if (call.request.service === 'slow') return void setTimeout(() => cb(null, { status: 'SERVING' }), 1500);
        cb(null, { status: call.request.service === 'down' ? 'NOT_SERVING' : 'SERVING' });
      },
    });
    bare = new grpc.Server();
    const bind = (s: grpc.Server) =>
      new Promise<number>((res, rej) => s.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? rej(e) : res(p))));
    gport = await bind(gserver);
    bport = await bind(bare);
  });
  afterAll(() => {
    gserver.forceShutdown();
    bare.forceShutdown();
  });

  // Probes that should get an answer have 10 s for it: the first gRPC call of a process
  // (loading grpc-js, connecting) can take over the default second on a busy machine.
  it('is healthy on SERVING and unhealthy otherwise', async () => {
    assert.deepEqual(await runProbe({ grpc: { port: gport }, timeoutSeconds: 10 }, ctx()), { result: 'success', output: 'service healthy' });
    assert.ok(agents[0].startsWith('kube-probe/1.32'));
    assert.deepEqual(await runProbe({ grpc: { port: gport, service: 'down' }, timeoutSeconds: 10 }, ctx()), {
      result: 'failure',
      output: 'service unhealthy (responded with "NOT_SERVING")',
    });
  });

  it('reports servers without the health service, slow answers and dead ports as upstream does', async () => {
    assert.deepEqual(await runProbe({ grpc: { port: bport }, timeoutSeconds: 10 }, ctx()), {
      result: 'failure',
      output:
        'error: this server does not implement the grpc health protocol (grpc.health.v1.Health): The server does not implement the method /grpc.health.v1.Health/Check',
    });
    assert.deepEqual(await runProbe({ grpc: { port: gport, service: 'slow' }, timeoutSeconds: 1 }, ctx()), {
      result: 'failure',
      output: 'timeout: health rpc did not complete within 1s',
    });
    const closed = await closedPort();
    assert.deepEqual(await runProbe({ grpc: { port: closed }, timeoutSeconds: 1 }, ctx()), {
      result: 'failure',
      output: `timeout: failed to connect service "127.0.0.1:${closed}" within 1s: context deadline exceeded`,
    });
  });
});

// ---- ProbeManager ----

const SECOND = 20; // ms per probe second in these tests

function waitFor(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const tick = () => {
      if (cond()) return resolve();
      if (Date.now() > deadline) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(tick, 5);
    };
    tick();
  });
}

interface Harness {
  mgr: ProbeManager;
  events: Array<{ container: string; kind: ProbeKind; result: ProbeResult; id: string }>;
  calls: string[];
  healthy: Map<string, boolean>;
  kubeEvents: string[];
}

function harness(): Harness {
  const events: Harness['events'] = [];
  const calls: string[] = [];
  const kubeEvents: string[] = [];
  const healthy = new Map<string, boolean>();
  const mgr = new ProbeManager({
    secondMs: SECOND,
    execSync: async (id, cmd) => {
      calls.push(`${id}:${cmd[0]}`);
      return { exitCode: healthy.get(cmd[0]) === false ? 1 : 0, stdout: `${cmd[0]} says ${healthy.get(cmd[0]) === false ? 'no' : 'yes'}` };
    },
    onResult: (_uid, container, kind, result, id) => events.push({ container, kind, result, id }),
    recordEvent: (_pod, container, type, reason, msg) => kubeEvents.push(`${container} ${type} ${reason} ${msg}`),
  });
  return { mgr, events, calls, healthy, kubeEvents };
}

function running(name: string, id: string, startedAt = new Date().toISOString()): ContainerStatus {
  return { name, containerID: `containerd://${id}`, state: { running: { startedAt } }, ready: false, restartCount: 0, image: 'busybox', imageID: '' };
}

function probePod(containers: Container[]): Pod {
  return { metadata: { name: 'p', namespace: 'ns', uid: 'pod-1' }, spec: { containers, restartPolicy: 'Always' }, status: { podIP: '127.0.0.1' } };
}

describe('ProbeManager', () => {
  it('readiness starts failed, turns ready after successThreshold, and unready after failureThreshold', async () => {
    const h = harness();
    const c: Container = { name: 'web', readinessProbe: { exec: { command: ['ready'] }, periodSeconds: 1, successThreshold: 2, failureThreshold: 2 } };
    h.mgr.add(probePod([c]), [running('web', 'c1')]);
    try {
      assert.deepEqual(h.events[0], { container: 'web', kind: 'readiness', result: 'failure', id: 'containerd://c1' });
      assert.equal(h.mgr.readiness('pod-1', 'web'), false);
      await waitFor(() => h.mgr.readiness('pod-1', 'web'), 'ready');
      // Two successes were needed.
      assert.ok(h.calls.filter((x) => x === 'c1:ready').length >= 2);
      assert.equal(h.mgr.started('pod-1', 'web'), true);
      h.healthy.set('ready', false);
      await waitFor(() => !h.mgr.readiness('pod-1', 'web'), 'unready');
      assert.deepEqual(
        h.events.map((e) => e.result),
        ['failure', 'success', 'failure'],
      );
      assert.ok(h.kubeEvents.includes('web Warning Unhealthy Readiness probe failed: ready says no'));
    } finally {
      h.mgr.stop();
    }
  });

  it('liveness starts successful, fails after failureThreshold, then holds until a new container', async () => {
    const h = harness();
    const c: Container = { name: 'app', livenessProbe: { exec: { command: ['alive'] }, periodSeconds: 1, failureThreshold: 3 } };
    h.mgr.add(probePod([c]), [running('app', 'c1')]);
    try {
      assert.deepEqual(h.events, [{ container: 'app', kind: 'liveness', result: 'success', id: 'containerd://c1' }]);
      await waitFor(() => h.calls.length >= 2, 'two probes');
      h.healthy.set('alive', false);
      const before = h.calls.length;
      await waitFor(() => h.events.length === 2, 'liveness failure');
      assert.deepEqual(h.events[1], { container: 'app', kind: 'liveness', result: 'failure', id: 'containerd://c1' });
      assert.ok(h.calls.length - before >= 3, 'three failures in a row before the verdict');
      // On hold: no more probes of the failed container.
      const held = h.calls.length;
      await new Promise((r) => setTimeout(r, SECOND * 5));
      assert.equal(h.calls.length, held);
      // The kubelet restarts it: a new ID resets the result and resumes probing.
      h.healthy.set('alive', true);
      h.mgr.updateStatus('pod-1', { containerStatuses: [running('app', 'c2')] });
      assert.deepEqual(h.events[2], { container: 'app', kind: 'liveness', result: 'success', id: 'containerd://c2' });
      await waitFor(() => h.calls.some((x) => x === 'c2:alive'), 'probes of the new container');
    } finally {
      h.mgr.stop();
    }
  });

  it('the startup probe gates liveness and readiness until it succeeds', async () => {
    const h = harness();
    h.healthy.set('started', false);
    const c: Container = {
      name: 'slow',
      startupProbe: { exec: { command: ['started'] }, periodSeconds: 1, failureThreshold: 1000 },
      livenessProbe: { exec: { command: ['alive'] }, periodSeconds: 1 },
      readinessProbe: { exec: { command: ['ready'] }, periodSeconds: 1 },
    };
    h.mgr.add(probePod([c]), [running('slow', 'c1')]);
    try {
      await waitFor(() => h.calls.filter((x) => x === 'c1:started').length >= 3, 'startup probes');
      assert.deepEqual(
        h.calls.filter((x) => x !== 'c1:started'),
        [],
        'liveness and readiness wait for startup',
      );
      assert.equal(h.mgr.started('pod-1', 'slow'), false);
      assert.equal(h.mgr.result('pod-1', 'slow', 'startup'), 'unknown');
      assert.equal(h.mgr.readiness('pod-1', 'slow'), false);
      h.healthy.set('started', true);
      await waitFor(() => h.mgr.started('pod-1', 'slow'), 'started');
      await waitFor(() => h.mgr.readiness('pod-1', 'slow'), 'ready');
      await waitFor(() => h.calls.includes('c1:alive'), 'liveness probing');
      const startupCalls = h.calls.filter((x) => x === 'c1:started').length;
      await new Promise((r) => setTimeout(r, SECOND * 4));
      assert.equal(h.calls.filter((x) => x === 'c1:started').length, startupCalls, 'the startup probe stops once started');
    } finally {
      h.mgr.stop();
    }
  });

  it('waits initialDelaySeconds after the container started', async () => {
    const h = harness();
    const c: Container = { name: 'app', livenessProbe: { exec: { command: ['alive'] }, periodSeconds: 1, initialDelaySeconds: 1000 } };
    h.mgr.add(probePod([c]), [running('app', 'c1')]);
    try {
      await new Promise((r) => setTimeout(r, SECOND * 5));
      assert.deepEqual(h.calls, []);
      // A container that started long ago is past the delay.
      h.mgr.updateStatus('pod-1', { containerStatuses: [running('app', 'c2', new Date(Date.now() - 1001 * SECOND).toISOString())] });
      await waitFor(() => h.calls.includes('c2:alive'), 'probe after the delay');
    } finally {
      h.mgr.stop();
    }
  });

  it('has readiness true without a readiness probe, false for non-running containers, and stops on remove', async () => {
    const h = harness();
    const c: Container = { name: 'plain' };
    const d: Container = { name: 'probed', livenessProbe: { exec: { command: ['alive'] }, periodSeconds: 1 } };
    h.mgr.add(probePod([c, d]), [
      running('plain', 'p1'),
      { name: 'probed', state: { waiting: { reason: 'ContainerCreating' } }, ready: false, restartCount: 0, image: '', imageID: '' },
    ]);
    assert.equal(h.mgr.readiness('pod-1', 'plain'), true);
    assert.equal(h.mgr.readiness('pod-1', 'probed'), false);
    assert.equal(h.mgr.started('pod-1', 'probed'), false);
    h.mgr.remove('pod-1');
    await new Promise((r) => setTimeout(r, SECOND * 3));
    assert.deepEqual(h.calls, []);
    assert.equal(h.mgr.readiness('pod-1', 'plain'), false);
  });
});
