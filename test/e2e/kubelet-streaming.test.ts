// kubectl logs, exec, attach, cp and port-forward end to end: the real kubectl
// against a real apiserver (etcd behind it), which reaches the kubelet server
// over TLS with its client certificate, verifying the kubelet's (from the CA); the kubelet server talks to a real
// containerd (its own state dir, CNI bridge tmnl-st0, 10.244.203.0/24) where
// busybox containers run, started with raw CRI calls and the kubelet's labels.
import { afterAll, beforeAll, describe, it, jest } from '@jest/globals';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { CRIClient, type ContainerConfig__Input, type PodSandboxConfig__Input } from '../../pkg/cri/client.js';
import { which } from '../../pkg/cluster/process.js';
import { DEFAULT_REGISTRY_PORT, startRegistry, type RunningRegistry } from '../../pkg/cluster/registry.js';
import { DEFAULT_IMAGE_CACHE_DIR, ensureImages } from '../../pkg/cluster/images.js';
import { startCluster, request, type TestCluster } from '../support/cluster.js';
import { startTestContainerd, type TestContainerd } from '../support/containerd.js';
import { startKubeletServer, type KubeletServer } from '../../pkg/kubelet/server/server.js';
import { CRILabelLocator } from '../../pkg/kubelet/server/crilocator.js';
import { loadOrCreateSignedCert } from '../../pkg/util/certs.js';

const BRIDGE = 'tmnl-st0';
const SUBNET = '10.244.203.0/24';
const BUSYBOX = 'docker.io/library/busybox:1.36';
const NODE = 'streaming-node';
const NS = 'default';
const POD = 'web';
const UID = 'b1f0c6f2-5a43-4c3e-9e0b-streaming01';

const skip = !which('containerd') ? 'containerd is not installed' : !which('kubectl') ? 'kubectl is not installed' : false;

interface Run {
  stdout: string;
  stderr: string;
  code: number;
}

jest.setTimeout(300_000);
(skip ? describe.skip : describe)('kubectl logs/exec/attach/cp/port-forward through the apiserver to the kubelet server', () => {
  let stateDir = '';
  let registry: RunningRegistry | undefined;
  let containerd: TestContainerd | undefined;
  let cri: CRIClient | undefined;
  let cluster: TestCluster | undefined;
  let kubelet: KubeletServer | undefined;
  let sandboxId = '';
  let sandboxConfig: PodSandboxConfig__Input;
  const spawned: ChildProcess[] = [];

  function kubectlEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    const c = cluster as TestCluster;
    return { ...process.env, HOME: c.dir, KUBECONFIG: c.kubeconfig, KUBECACHEDIR: join(c.dir, 'kubecache'), ...extra };
  }

  /** kubectl with its exit code; stdin from input (closed at once when absent). */
  function kubectl(args: string[], opts: { input?: string; env?: Record<string, string>; timeoutMs?: number } = {}): Promise<Run> {
    return new Promise((resolve, reject) => {
      const child = spawn('kubectl', args, { env: kubectlEnv(opts.env), stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`kubectl ${args.join(' ')} did not finish in time; stdout: ${stdout} stderr: ${stderr}`));
      }, opts.timeoutMs ?? 30_000);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ stdout, stderr, code: code ?? -1 });
      });
      child.stdin.end(opts.input ?? '');
    });
  }

  /** A long-running kubectl (logs -f, port-forward); killed in after() if still running. */
  function kubectlSpawn(
    args: string[],
    env: Record<string, string> = {},
  ): { child: ChildProcess; out: () => string; waitFor: (re: RegExp, ms?: number) => Promise<RegExpExecArray>; exited: Promise<number> } {
    const child = spawn('kubectl', args, { env: kubectlEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    spawned.push(child);
    let text = '';
    const waiters: (() => void)[] = [];
    const onData = (d: Buffer) => {
      text += d.toString();
      for (const w of waiters) w();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    const exited = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? -1)));
    return {
      child,
      out: () => text,
      exited,
      waitFor: (re, ms = 20_000) =>
        new Promise((resolve, reject) => {
          const check = () => {
            const m = re.exec(text);
            if (m) {
              clearTimeout(t);
              resolve(m);
            }
          };
          const t = setTimeout(() => reject(new Error(`timed out waiting for ${re} in kubectl output: ${text}`)), ms);
          waiters.push(check);
          check();
        }),
    };
  }

  async function runContainer(name: string, script: string, opts: { attempt?: number; stdin?: boolean; tty?: boolean } = {}): Promise<string> {
    const c = cri as CRIClient;
    const attempt = opts.attempt ?? 0;
    const config: ContainerConfig__Input = {
      metadata: { name, attempt },
      image: { image: BUSYBOX },
      command: ['sh', '-c', script],
      labels: { 'io.kubernetes.pod.name': POD, 'io.kubernetes.pod.namespace': NS, 'io.kubernetes.pod.uid': UID, 'io.kubernetes.container.name': name },
      logPath: `${name}/${attempt}.log`,
      stdin: opts.stdin ?? false,
      tty: opts.tty ?? false,
    };
    const { containerId } = await c.runtime.createContainer({ podSandboxId: sandboxId, sandboxConfig, config });
    await c.runtime.startContainer({ containerId });
    return containerId;
  }

  async function waitExited(containerId: string): Promise<void> {
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const { status } = await (cri as CRIClient).runtime.containerStatus({ containerId });
      if (status?.state === 'CONTAINER_EXITED') return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`container ${containerId} did not exit`);
  }

  async function createObject(path: string, obj: object): Promise<Record<string, unknown>> {
    const res = await request(cluster as TestCluster, 'POST', path, { body: JSON.stringify(obj), headers: { 'content-type': 'application/json' } });
    assert.equal(res.status, 201, res.body);
    return res.json() as Record<string, unknown>;
  }

  async function putStatus(path: string, obj: Record<string, unknown>, status: object): Promise<void> {
    const res = await request(cluster as TestCluster, 'PUT', path, {
      body: JSON.stringify({ ...obj, status }),
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(res.status, 200, res.body);
  }

  beforeAll(async () => {
    registry = await startRegistry(DEFAULT_IMAGE_CACHE_DIR, DEFAULT_REGISTRY_PORT);
    await ensureImages({ registry: registry.addr, credentials: registry.credentials.catalogue, only: ['busybox', 'pause'] });

    containerd = await startTestContainerd({
      tmpPrefix: '/tmp/timonel-streaming-e2e-',
      registryMirror: registry.url,
      network: { bridge: BRIDGE, subnet: SUBNET },
    });
    ({ stateDir, cri } = containerd);
    await cri.image.pullImage({ image: { image: BUSYBOX } });

    cluster = await startCluster();
    // The apiserver verifies the kubelet's serving certificate: the cluster CA signs it for the node's address.
    const pki = join(cluster.dir, 'pki');
    loadOrCreateSignedCert(pki, 'kubelet-serving', { commonName: `system:node:${NODE}`, usage: 'server', hosts: [NODE, '127.0.0.1'] }, cluster.ca);
    kubelet = await startKubeletServer({
      address: '127.0.0.1',
      port: 0,
      tlsCertFile: join(pki, 'kubelet-serving.crt'),
      tlsKeyFile: join(pki, 'kubelet-serving.key'),
      clientCAFile: join(pki, 'ca.crt'),
      cri,
      locator: new CRILabelLocator(cri),
      log: (m) => {
        if (process.env.TIMONEL_TEST_LOG) process.stderr.write(`kubelet: ${m}\n`);
      },
    });

    // The pod's sandbox and containers, as the kubelet would start them.
    sandboxConfig = {
      metadata: { name: POD, namespace: NS, uid: UID, attempt: 0 },
      hostname: POD,
      logDirectory: join(stateDir, 'pods', `${NS}_${POD}_${UID}`),
      labels: { 'io.kubernetes.pod.name': POD, 'io.kubernetes.pod.namespace': NS, 'io.kubernetes.pod.uid': UID },
      linux: { securityContext: { namespaceOptions: { network: 'POD', pid: 'CONTAINER', ipc: 'POD' } } },
    };
    mkdirSync(sandboxConfig.logDirectory as string, { recursive: true });
    ({ podSandboxId: sandboxId } = await cri.runtime.runPodSandbox({ config: sandboxConfig, runtimeHandler: '' }));
    const podIP = (await cri.runtime.podSandboxStatus({ podSandboxId: sandboxId })).status?.network?.ip ?? '';
    await runContainer('main', 'mkdir -p /www; echo streaming-ok > /www/index.html; echo started; echo to-stderr >&2; exec httpd -f -p 8080 -h /www');
    await runContainer('ticker', 'i=0; while true; do echo tick $i; i=$((i+1)); sleep 0.2; done');
    await runContainer('quiet', 'exec sleep 3600');
    await runContainer('reader', 'echo reader-up; while read l; do echo got:$l; done; echo reader-eof; exec sleep 3600', { stdin: true });

    // The API objects kubectl works from: a Node whose kubelet is our server, and the Pod on it.
    const node = await createObject('/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: NODE } });
    await putStatus(`/api/v1/nodes/${NODE}/status`, node, {
      addresses: [
        { type: 'InternalIP', address: '127.0.0.1' },
        { type: 'Hostname', address: NODE },
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: kubelet.port } },
    });
    const container = (name: string, extra: object = {}) => ({ name, image: 'busybox:1.36', ...extra });
    const pod = await createObject(`/api/v1/namespaces/${NS}/pods`, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: POD, namespace: NS },
      spec: {
        nodeName: NODE,
        containers: [
          container('main', { ports: [{ containerPort: 8080 }] }),
          container('ticker'),
          container('reader', { stdin: true }),
          container('quiet'),
          container('short'),
          container('never'),
        ],
      },
    });
    await putStatus(`/api/v1/namespaces/${NS}/pods/${POD}/status`, pod, { phase: 'Running', podIP, podIPs: [{ ip: podIP }], hostIP: '127.0.0.1' });
  });

  afterAll(async () => {
    for (const c of spawned) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await kubelet?.close();
    await cluster?.stop();
    try {
      await containerd?.stop();
    } finally {
      await registry?.stop();
    }
  });

  it('kubectl logs shows both streams; --tail and --timestamps apply', async () => {
    const all = await kubectl(['logs', POD, '-c', 'main']);
    assert.equal(all.code, 0, all.stderr);
    assert.deepEqual(all.stdout.split('\n').filter(Boolean).sort(), ['started', 'to-stderr']);
    const tail = await kubectl(['logs', POD, '-c', 'ticker', '--tail=2', '--timestamps']);
    assert.equal(tail.code, 0, tail.stderr);
    const lines = tail.stdout.trim().split('\n');
    assert.equal(lines.length, 2);
    for (const l of lines) assert.match(l, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z tick \d+$/);
    const limited = await kubectl(['logs', POD, '-c', 'ticker', '--limit-bytes=6']);
    assert.equal(limited.stdout, 'tick 0');
  });

  it('kubectl logs -f streams new lines as the container writes them', async () => {
    const first = await kubectl(['logs', POD, '-c', 'ticker', '--tail=1']);
    const start = Number(/tick (\d+)/.exec(first.stdout)?.[1]);
    const f = kubectlSpawn(['logs', '-f', POD, '-c', 'ticker', '--tail=1']);
    // Lines the container writes after kubectl started following.
    await f.waitFor(new RegExp(`tick ${start + 5}\\n`));
    assert.equal(f.child.exitCode, null, 'still following');
    f.child.kill('SIGTERM');
    await f.exited;
    const ticks = [...f.out().matchAll(/tick (\d+)/g)].map((m) => Number(m[1]));
    assert.deepEqual(
      ticks,
      ticks.map((_, i) => ticks[0] + i),
      `consecutive ticks: ${ticks.join(',')}`,
    );
  });

  it('kubectl logs -f ends by itself when the container exits', async () => {
    const id = await runContainer('short', 'echo short-1; sleep 2; echo short-2');
    const f = kubectlSpawn(['logs', '-f', POD, '-c', 'short']);
    assert.equal(await f.exited, 0, f.out());
    assert.equal(f.out(), 'short-1\nshort-2\n');
    await waitExited(id);
  });

  it('kubectl logs --previous: an error when there is none, the older instance when there is', async () => {
    const none = await kubectl(['logs', POD, '-c', 'main', '--previous']);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /Error from server \(BadRequest\): previous terminated container "main" in pod "web" not found/);
    const id = await runContainer('short', 'echo second-run', { attempt: 1 });
    await waitExited(id);
    const prev = await kubectl(['logs', POD, '-c', 'short', '--previous']);
    assert.equal(prev.code, 0, prev.stderr);
    assert.equal(prev.stdout, 'short-1\nshort-2\n');
    const cur = await kubectl(['logs', POD, '-c', 'short']);
    assert.equal(cur.stdout, 'second-run\n');
  });

  it('kubectl exec runs a command in the container (WebSocket v5)', async () => {
    const r = await kubectl(['exec', POD, '-c', 'main', '-v=6', '--', 'cat', '/etc/hostname']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${POD}\n`);
    assert.match(r.stderr, /101 Switching Protocols/);
    assert.doesNotMatch(r.stderr, /fallback/i, 'no fallback to SPDY was needed');
  });

  it('kubectl exec passes the exit code on', async () => {
    const r = await kubectl(['exec', POD, '-c', 'main', '--', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
    assert.equal(r.code, 3);
    assert.equal(r.stdout, 'out\n');
    assert.match(r.stderr, /^err\ncommand terminated with exit code 3/);
  });

  it('kubectl exec -i: stdin reaches the command and its end closes it', async () => {
    const r = await kubectl(['exec', '-i', POD, '-c', 'main', '--', 'cat'], { input: 'hi\nthere\n' });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'hi\nthere\n');
  });

  it('kubectl exec over SPDY (the fallback) works the same', async () => {
    const env = { KUBECTL_REMOTE_COMMAND_WEBSOCKETS: 'false' };
    const r = await kubectl(['exec', '-i', POD, '-c', 'main', '--', 'sh', '-c', 'cat; exit 5'], { input: 'spdy-in\n', env });
    assert.equal(r.code, 5, r.stderr);
    assert.equal(r.stdout, 'spdy-in\n');
  });

  // script (util-linux) gives kubectl the pseudo-terminal.
  (which('script') ? it : it.skip)("kubectl exec -it gives a terminal with the client's size", async () => {
    // The size arrives on the resize channel once the command runs: look a few times.
    const inner = 'tty; for i in 1 2 3 4 5 6 7 8 9 10; do stty -a | grep -q "rows 27; columns 91" && break; sleep 0.2; done; stty -a | head -n 1; exit 4';
    const cmd = `stty cols 91 rows 27; kubectl exec -it ${POD} -c main -- sh -c '${inner}'`;
    const r = await new Promise<Run>((resolve) => {
      const child = spawn('script', ['-qec', cmd, '/dev/null'], { env: kubectlEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.on('close', (code) => resolve({ stdout, stderr: '', code: code ?? -1 }));
    });
    assert.equal(r.code, 4, r.stdout);
    assert.match(r.stdout, /\/dev\/pts\/\d+/);
    assert.match(r.stdout, /rows 27; columns 91/);
  });

  it("kubectl attach -i talks to the container's own stdin and output", async () => {
    const child = spawn('kubectl', ['attach', '-i', POD, '-c', 'reader'], { env: kubectlEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
    spawned.push(child);
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? -1)));
    child.stdin.write('line1\nline2\n');
    const deadline = Date.now() + 20_000;
    while (!/got:line2\n/.test(out) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.match(out, /got:line1\ngot:line2\n/);
    // Closing our stdin ends the attach session; the container keeps running with its stdin open.
    child.stdin.end();
    assert.equal(await exited, 0, out);
    const logs = await kubectl(['logs', POD, '-c', 'reader']);
    assert.match(logs.stdout, /^reader-up\ngot:line1\ngot:line2\n/);
    assert.doesNotMatch(logs.stdout, /reader-eof/);
  });

  it('kubectl cp copies a file in and out (tar over exec)', async () => {
    const local = join(stateDir, 'payload.bin');
    const data = Buffer.alloc(256 * 1024);
    for (let i = 0; i < data.length; i++) data[i] = (i * 7 + 3) & 0xff;
    writeFileSync(local, data);
    const up = await kubectl(['cp', local, `${NS}/${POD}:/tmp/payload.bin`, '-c', 'main']);
    assert.equal(up.code, 0, up.stderr);
    const back = join(stateDir, 'back.bin');
    const down = await kubectl(['cp', `${NS}/${POD}:/tmp/payload.bin`, back, '-c', 'main']);
    assert.equal(down.code, 0, down.stderr);
    assert.ok(readFileSync(back).equals(data));
  });

  async function httpGet(port: number, path: string): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, path }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end();
    });
  }

  for (const [how, env] of [
    ['WebSocket tunnel', {}],
    ['SPDY', { KUBECTL_PORT_FORWARD_WEBSOCKETS: 'false' }],
  ] as const) {
    it(`kubectl port-forward serves the pod's port on localhost (${how})`, async () => {
      const pf = kubectlSpawn(['port-forward', '-v=4', `pod/${POD}`, ':8080'], env);
      const m = await pf.waitFor(/Forwarding from 127\.0\.0\.1:(\d+) -> 8080/);
      const port = Number(m[1]);
      for (let i = 0; i < 3; i++) {
        const r = await httpGet(port, '/');
        assert.equal(r.status, 200);
        assert.equal(r.body, 'streaming-ok\n');
      }
      assert.equal((await httpGet(port, '/missing')).status, 404);
      if (how === 'SPDY') assert.doesNotMatch(pf.out(), /tunneling_dialer/, pf.out());
      else {
        assert.match(pf.out(), /negotiated protocol: portforward\.k8s\.io/, pf.out());
        assert.doesNotMatch(pf.out(), /fallback/, pf.out());
      }
      pf.child.kill('SIGTERM');
      await pf.exited;
    });
  }

  it('nodes/proxy reaches the kubelet', async () => {
    const r = await kubectl(['get', '--raw', `/api/v1/nodes/${NODE}/proxy/healthz`]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'ok');
    const logs = await kubectl(['get', '--raw', `/api/v1/nodes/${NODE}/proxy/containerLogs/${NS}/${POD}/main`]);
    assert.match(logs.stdout, /started/);
  });

  it('errors come back as Kubernetes Status errors', async () => {
    const noPod = await kubectl(['exec', 'nopod', '--', 'true']);
    assert.equal(noPod.code, 1);
    assert.match(noPod.stderr, /Error from server \(NotFound\): pods "nopod" not found/);
    const badContainer = await kubectl(['exec', POD, '-c', 'nope', '--', 'true']);
    assert.match(badContainer.stderr, /container nope is not valid for pod web/);
    const notStarted = await kubectl(['logs', POD, '-c', 'never']);
    assert.equal(notStarted.code, 1);
    assert.match(notStarted.stderr, /Error from server \(BadRequest\): container "never" in pod "web" is waiting to start: ContainerCreating/);
    const execNotStarted = await kubectl(['exec', POD, '-c', 'never', '--', 'true']);
    assert.match(execNotStarted.stderr, /container "never" in pod "web" is waiting to start: ContainerCreating/);

    const unscheduled = await createObject(`/api/v1/namespaces/${NS}/pods`, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'pending' },
      spec: { containers: [{ name: 'c', image: 'busybox' }] },
    });
    assert.ok(unscheduled);
    const pending = await kubectl(['exec', 'pending', '--', 'true']);
    assert.match(pending.stderr, /pod pending does not have a host assigned/);

    // A kubelet that cannot be reached: 503 with the reason.
    const gone = await createObject('/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'gone-node' } });
    await putStatus('/api/v1/nodes/gone-node/status', gone, {
      addresses: [{ type: 'InternalIP', address: '127.0.0.1' }],
      daemonEndpoints: { kubeletEndpoint: { Port: 1 } },
    });
    const lost = await createObject(`/api/v1/namespaces/${NS}/pods`, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'lost' },
      spec: { nodeName: 'gone-node', containers: [{ name: 'c', image: 'busybox' }] },
    });
    assert.ok(lost);
    const unreachable = await kubectl(['logs', 'lost']);
    assert.match(
      unreachable.stderr,
      /Error from server \(ServiceUnavailable\): error trying to reach the kubelet of node "gone-node" at https:\/\/127\.0\.0\.1:1/,
    );
  });

  it('a follower of a quiet container gets the answer at once (the apiserver would time out waiting otherwise)', async () => {
    const pki = join((cluster as TestCluster).dir, 'pki');
    const got = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpsRequest(
        {
          host: '127.0.0.1',
          port: (kubelet as KubeletServer).port,
          path: `/containerLogs/${NS}/${POD}/quiet?follow=true`,
          rejectUnauthorized: false,
          // The apiserver's own kubelet client certificate, from the cluster CA.
          cert: readFileSync(join(pki, 'kubelet-client.crt')),
          key: readFileSync(join(pki, 'kubelet-client.key')),
        },
        (res) => {
          // Headers are here while the container has written nothing: stop following.
          resolve({ status: res.statusCode ?? 0, body: '' });
          req.destroy();
        },
      );
      req.setTimeout(5_000, () => req.destroy(new Error('no response headers from the kubelet for a quiet container')));
      req.on('error', reject);
      req.end();
    });
    assert.equal(got.status, 200);
  });

  it('the kubelet server refuses requests without a client certificate from the cluster CA (but /healthz)', async () => {
    const status = (path: string) =>
      new Promise<number>((resolve, reject) => {
        const req = httpsRequest({ host: '127.0.0.1', port: (kubelet as KubeletServer).port, path, rejectUnauthorized: false }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end();
      });
    assert.equal(await status('/pods'), 401);
    assert.equal(await status('/containerLogs/default/x/y'), 401);
    assert.equal(await status('/healthz'), 200);
  });
});
