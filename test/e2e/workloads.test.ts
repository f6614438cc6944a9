// Pods run for real: `timonel up` with containerd and the kubelet, the real
// kubectl, images pulled through the local mirror, and the acceptance cases of
// the kubelet issue, each checked against what containerd itself reports.
import { afterAll, beforeAll, describe, it, jest } from '@jest/globals';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { timonelUp, type UpCluster } from '../support/upcluster.js';
import { until, sleep } from '../support/controllers.js';
import { EXAMPLES_DIR } from '../support/examples.js';
import { CRIClient } from '../../pkg/cri/client.js';
import { containerdPaths } from '../../pkg/cluster/containerd.js';
import { isAlive } from '../../pkg/cluster/process.js';

interface PodJSON {
  metadata: { name: string; uid: string; labels?: Record<string, string> };
  status?: {
    phase?: string;
    podIP?: string;
    conditions?: { type: string; status: string }[];
    containerStatuses?: { name: string; ready: boolean; restartCount: number; containerID?: string; state?: Record<string, { reason?: string }> }[];
  };
}

// kubectl round trips are slow; poll twice a second, not every 50 ms.
const poll = <T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs: number) => until(what, check, timeoutMs, 500);

jest.setTimeout(600_000);
describe('workloads on a real node', () => {
  let c: UpCluster;
  let cri: CRIClient;

  const pods = async (selector: string): Promise<PodJSON[]> => JSON.parse((await c.kubectl(['get', 'pods', '-l', selector, '-o', 'json'])).stdout).items;
  const pod = async (name: string): Promise<PodJSON> => JSON.parse((await c.kubectl(['get', 'pod', name, '-o', 'json'])).stdout);
  const ready = (p: PodJSON) => p.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True') ?? false;
  const criContainers = async (podName: string) =>
    (await cri.runtime.listContainers({ filter: { labelSelector: { 'io.kubernetes.pod.name': podName } } })).containers;

  beforeAll(async () => {
    c = await timonelUp({ podCIDR: '10.244.100.0/24', bridge: 'tmnl-e2e0' });
    cri = new CRIClient(containerdPaths(c.dataDir).socket);
    await c.kubectl(['wait', '--for=condition=Ready', 'node', '--all', '--timeout=60s']);
  });
  afterAll(async () => {
    cri?.close();
    await c?.down();
  });

  it('runs the nginx Deployment example: Ready pods serving on their IPs, logs, exec, port-forward', async () => {
    await c.kubectl(['apply', '-f', join(EXAMPLES_DIR, 'application/deployment.yaml')]);
    await c.kubectl(['rollout', 'status', 'deployment/nginx-deployment', '--timeout=180s']);
    const running = await pods('app.kubernetes.io/name=nginx');
    assert.equal(running.length, 2);
    for (const p of running) {
      assert.ok(ready(p), `${p.metadata.name} not Ready`);
      assert.match(p.status?.podIP ?? '', /^10\.244\.100\.\d+$/);
      const page = await (await fetch(`http://${p.status?.podIP}/`)).text();
      assert.match(page, /Welcome to nginx!/);
    }
    const first = running[0].metadata.name;
    const logs = await poll(
      'nginx access log line in kubectl logs',
      async () => {
        const out = (await c.kubectl(['logs', first])).stdout;
        return /"GET \/ HTTP\/1\.1" 200/.test(out) ? out : undefined;
      },
      30_000,
    );
    assert.match(logs, /GET \/ HTTP\/1\.1/);
    const hostname = (await c.kubectl(['exec', first, '--', 'cat', '/etc/hostname'])).stdout.trim();
    assert.equal(hostname, first);

    const pf = c.kubectlSpawn(['port-forward', `pod/${first}`, ':80']);
    try {
      const port = await new Promise<number>((resolve, reject) => {
        let out = '';
        pf.stdout?.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /Forwarding from 127\.0\.0\.1:(\d+) -> 80/.exec(out);
          if (m) resolve(Number(m[1]));
        });
        pf.once('exit', (code) => reject(new Error(`port-forward exited ${code}`)));
      });
      const page = await (await fetch(`http://127.0.0.1:${port}/`)).text();
      assert.match(page, /Welcome to nginx!/);
    } finally {
      pf.kill();
    }
  });

  it('deleting the Deployment removes its containers from containerd', async () => {
    const names = (await pods('app.kubernetes.io/name=nginx')).map((p) => p.metadata.name);
    assert.ok((await criContainers(names[0])).length > 0);
    await c.kubectl(['delete', 'deployment', 'nginx-deployment', '--wait=true']);
    await c.kubectl(['wait', '--for=delete', 'pod', '-l', 'app.kubernetes.io/name=nginx', '--timeout=90s']);
    for (const name of names) {
      await poll('containers of deleted pod gone from containerd', async () => (await criContainers(name)).length === 0, 30_000);
      const sandboxes = (await cri.runtime.listPodSandbox({ filter: { labelSelector: { 'io.kubernetes.pod.name': name } } })).items;
      assert.equal(sandboxes.length, 0, `sandbox of ${name} left behind`);
    }
  });

  it('a crashing container goes to CrashLoopBackOff with growing restarts', async () => {
    await c.kubectl(['run', 'crasher', '--image=busybox', '--restart=Always', '--', 'sh', '-c', 'echo failing; exit 1']);
    const seen = await poll(
      'CrashLoopBackOff with 2+ restarts',
      async () => {
        const s = (await pod('crasher')).status?.containerStatuses?.[0];
        return s && s.restartCount >= 2 && s.state?.waiting?.reason === 'CrashLoopBackOff' ? s : undefined;
      },
      120_000,
    );
    assert.ok(seen.restartCount >= 2);
    const table = (await c.kubectl(['get', 'pod', 'crasher'])).stdout;
    assert.match(table, /CrashLoopBackOff|Error/);
    assert.match((await c.kubectl(['logs', 'crasher', '--previous'])).stdout, /failing/);
    await c.kubectl(['delete', 'pod', 'crasher', '--grace-period=1']);
  });

  it('liveness and readiness probes: a failing exec liveness probe restarts, a failing readiness probe keeps the pod unready', async () => {
    const manifest = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'probed' },
      spec: {
        containers: [
          {
            name: 'live',
            image: 'busybox',
            command: ['sh', '-c', 'touch /tmp/healthy; sleep 5; rm /tmp/healthy; sleep 3600'],
            livenessProbe: { exec: { command: ['cat', '/tmp/healthy'] }, periodSeconds: 1, failureThreshold: 1 },
          },
          {
            name: 'unready',
            image: 'busybox',
            command: ['sleep', '3600'],
            readinessProbe: { exec: { command: ['false'] }, periodSeconds: 1 },
          },
        ],
      },
    };
    await c.kubectl(['apply', '-f', '-'], { input: JSON.stringify(manifest) });
    const restarted = await poll(
      'liveness restart',
      async () => {
        const s = (await pod('probed')).status?.containerStatuses?.find((x) => x.name === 'live');
        return s && s.restartCount >= 1 ? s : undefined;
      },
      90_000,
    );
    assert.ok(restarted.restartCount >= 1);
    await poll(
      'an Unhealthy event',
      async () => /Liveness probe failed/.test((await c.kubectl(['get', 'events', '--field-selector', 'involvedObject.name=probed', '-o', 'json'])).stdout),
      30_000,
    );
    const p = await pod('probed');
    const unready = p.status?.containerStatuses?.find((x) => x.name === 'unready');
    assert.equal(unready?.ready, false);
    assert.equal(ready(p), false);
    assert.match((await c.kubectl(['get', 'pod', 'probed'])).stdout, /probed\s+[01]\/2/);
    await c.kubectl(['delete', 'pod', 'probed', '--grace-period=1']);
  });

  it('ConfigMap and Secret as env and files; an updated ConfigMap reaches the mounted file', async () => {
    await c.kubectl(['create', 'configmap', 'app-config', '--from-literal=color=blue']);
    await c.kubectl(['create', 'secret', 'generic', 'app-secret', '--from-literal=password=s3cret']);
    const manifest = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'configured' },
      spec: {
        containers: [
          {
            name: 'main',
            image: 'busybox',
            command: ['sleep', '3600'],
            env: [
              { name: 'COLOR', valueFrom: { configMapKeyRef: { name: 'app-config', key: 'color' } } },
              { name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'app-secret', key: 'password' } } },
            ],
            volumeMounts: [
              { name: 'config', mountPath: '/etc/config' },
              { name: 'secret', mountPath: '/etc/secret', readOnly: true },
            ],
          },
        ],
        volumes: [
          { name: 'config', configMap: { name: 'app-config' } },
          { name: 'secret', secret: { secretName: 'app-secret' } },
        ],
      },
    };
    await c.kubectl(['apply', '-f', '-'], { input: JSON.stringify(manifest) });
    await c.kubectl(['wait', '--for=condition=Ready', 'pod/configured', '--timeout=90s']);
    const exec = async (cmd: string) => (await c.kubectl(['exec', 'configured', '--', 'sh', '-c', cmd])).stdout.trim();
    assert.equal(await exec('echo $COLOR/$PASSWORD'), 'blue/s3cret');
    assert.equal(await exec('cat /etc/config/color'), 'blue');
    assert.equal(await exec('cat /etc/secret/password'), 's3cret');
    await c.kubectl(['patch', 'configmap', 'app-config', '-p', '{"data":{"color":"green"}}']);
    await poll('updated ConfigMap in mounted file', async () => (await exec('cat /etc/config/color')) === 'green', 90_000);
    await c.kubectl(['delete', 'pod', 'configured', '--grace-period=1']);
  });

  it('an image that does not exist: ErrImagePull/ImagePullBackOff with an event, other pods unaffected', async () => {
    await c.kubectl(['run', 'healthy', '--image=busybox', '--', 'sleep', '3600']);
    await c.kubectl(['run', 'missing-image', '--image=example.invalid/no-such-image:1.0']);
    const reason = await poll(
      'ErrImagePull/ImagePullBackOff',
      async () => {
        const r = (await pod('missing-image')).status?.containerStatuses?.[0]?.state?.waiting?.reason;
        return r === 'ErrImagePull' || r === 'ImagePullBackOff' ? r : undefined;
      },
      90_000,
    );
    assert.ok(reason);
    await poll(
      'a Failed event',
      async () =>
        /Failed to pull image/.test((await c.kubectl(['get', 'events', '--field-selector', 'involvedObject.name=missing-image', '-o', 'json'])).stdout),
      30_000,
    );
    await c.kubectl(['wait', '--for=condition=Ready', 'pod/healthy', '--timeout=90s']);
    await c.kubectl(['delete', 'pod', 'missing-image', 'healthy', '--grace-period=1']);
  });

  it('a killed kubelet comes back and adopts running containers: same IDs, same restart counts', async () => {
    await c.kubectl(['run', 'survivor', '--image=busybox', '--', 'sleep', '3600']);
    await c.kubectl(['wait', '--for=condition=Ready', 'pod/survivor', '--timeout=90s']);
    const beforeStatus = (await pod('survivor')).status?.containerStatuses?.[0];
    const beforeIds = (await criContainers('survivor')).map((x) => x.id).sort();
    const killed = c.pid('kubelet');
    process.kill(killed, 'SIGKILL');
    await poll('the killed kubelet is gone', async () => !isAlive(killed), 10_000);
    const again = await c.timonel(['up']);
    assert.match(again.stdout, /kubelet: (ready|running)/);
    // The restarted kubelet has synced once it reports the node Ready again.
    await c.kubectl(['wait', '--for=condition=Ready', 'node', '--all', '--timeout=60s']);
    await sleep(3000);
    const afterStatus = (await pod('survivor')).status?.containerStatuses?.[0];
    assert.deepEqual((await criContainers('survivor')).map((x) => x.id).sort(), beforeIds);
    assert.equal(afterStatus?.containerID, beforeStatus?.containerID);
    assert.equal(afterStatus?.restartCount, beforeStatus?.restartCount);
    assert.ok(afterStatus?.ready);
    await c.kubectl(['delete', 'pod', 'survivor', '--grace-period=1']);
  });
});
