// Events as a Kubernetes user reads them, with the real kubectl: a real kubelet (against a
// CRI runtime double, test/support/fakecri.ts, instead of containerd) and the node lifecycle
// controller, both on a real apiserver. Container events name their container
// (involvedObject.fieldPath), `kubectl events --for pod/x` and `kubectl get events -w` show
// them, and `kubectl describe node` shows the kubelet's node events and the controller's.
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Event, Node, Pod } from '../../api/core/v1/types.js';
import type { ControllerManager } from '../../pkg/controller/manager.js';
import { Client } from '../../pkg/client/rest.js';
import { Kubelet } from '../../pkg/kubelet/kubelet.js';
import { logger } from '../../pkg/util/log.js';
import { startCluster, type TestCluster } from '../support/cluster.js';
import { startManager, until } from '../support/controllers.js';
import { startFakeRuntime, type FakeRuntime } from '../support/fakecri.js';

jest.setTimeout(120_000);

const NODE = 'events-node';
const NS = 'ev';

describe('events from the kubelet and the node lifecycle controller', () => {
  let c: TestCluster;
  let client: Client;
  let dir: string;
  let runtime: FakeRuntime;
  let kubelet: Kubelet | undefined;
  let manager: ControllerManager | undefined;

  const events = async (selector: string): Promise<Event[]> =>
    (JSON.parse((await c.kubectl(['get', 'events', '-A', '--field-selector', selector, '-o', 'json'])).stdout) as { items: Event[] }).items;

  beforeAll(async () => {
    c = await startCluster();
    client = Client.fromFile(c.kubeconfig);
    dir = mkdtempSync(join(tmpdir(), 'timonel-kubelet-events-'));
    runtime = await startFakeRuntime(join(dir, 'cri.sock'), { images: ['registry.k8s.io/pause:3.9'] });
    manager = await startManager(c, ['nodelifecycle'], { nodeMonitorPeriodMs: 300, nodeMonitorGracePeriodMs: 5000, nodeStartupGracePeriodMs: 5000 });
    kubelet = new Kubelet({
      client,
      nodeName: NODE,
      nodeIP: '127.0.0.1',
      runtimeEndpoint: join(dir, 'cri.sock'),
      rootDir: join(dir, 'kubelet'),
      cniBridge: 'unused0',
      setUpNetwork: false,
      clusterDNS: [],
      clusterDomain: 'cluster.local',
      port: 0,
      maxPods: 110,
      enableServer: false,
      relistPeriodMs: 200,
      nodeStatusUpdateFrequencyMs: 300,
      leaseRenewIntervalMs: 300,
      log: logger('kubelet-test', -1),
    });
    await kubelet.run();
    await c.kubectl(['create', 'namespace', NS]);
  });
  afterAll(async () => {
    await kubelet?.stop();
    await manager?.stop();
    await runtime?.stop();
    client?.close();
    await c?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('names the container in the events about it', async () => {
    const pod: Pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web', namespace: NS },
      spec: {
        nodeName: NODE,
        initContainers: [{ name: 'setup', image: 'busybox:1.36' }],
        containers: [{ name: 'app', image: 'nginx:1.14.2' }],
      },
    };
    await c.kubectl(['create', '-f', '-'], { input: JSON.stringify(pod) });
    // The init container runs until stopped here; the runtime double lets it exit 0.
    await until(
      'both containers started',
      async () => {
        const init = [...runtime.containers.values()].find((x) => x.metadata.name === 'setup');
        if (init?.state === 'CONTAINER_RUNNING') Object.assign(init, { state: 'CONTAINER_EXITED', finishedAt: Date.now() * 1e6, exitCode: 0 });
        return (await events(`involvedObject.name=web,reason=Started`)).length >= 2;
      },
      60_000,
    );
    const all = await events('involvedObject.kind=Pod,involvedObject.name=web');
    const byPath = (fieldPath: string) => all.filter((e) => e.involvedObject.fieldPath === fieldPath).map((e) => e.reason);
    expect(byPath('spec.initContainers{setup}')).toEqual(expect.arrayContaining(['Pulling', 'Pulled', 'Created', 'Started']));
    expect(byPath('spec.containers{app}')).toEqual(expect.arrayContaining(['Pulling', 'Pulled', 'Created', 'Started']));
    const started = all.find((e) => e.reason === 'Started' && e.involvedObject.fieldPath === 'spec.containers{app}');
    assert.ok(started);
    expect(started.message).toBe('Started container app');
    expect(started.source).toEqual({ component: 'kubelet', host: NODE });
    expect(started.involvedObject).toMatchObject({ kind: 'Pod', apiVersion: 'v1', namespace: NS, name: 'web' });
    // The field selector kubectl users write for one container.
    const appOnly = await events('involvedObject.fieldPath=spec.containers{app}');
    expect(new Set(appOnly.map((e) => e.involvedObject.fieldPath))).toEqual(new Set(['spec.containers{app}']));

    const out = (await c.kubectl(['events', '-n', NS, '--for', 'pod/web'])).stdout;
    expect(out).toMatch(/^LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE/);
    expect(out).toMatch(/Normal\s+Started\s+Pod\/web\s+Started container app/);
    expect(out).toMatch(/Normal\s+Pulling\s+Pod\/web\s+Pulling image "busybox:1.36"/);
  });

  it('streams a new event to `kubectl get events -w`', async () => {
    const child = spawn('kubectl', ['get', 'events', '-n', NS, '-w', '--kubeconfig', c.kubeconfig], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    try {
      // The listed events first, then the watch.
      await until('the listed events', async () => out.includes('Started'), 30_000);
      expect(out).not.toContain('Killing');
      await c.kubectl(['-n', NS, 'delete', 'pod', 'web', '--wait=false']);
      await until('the Killing event watched', async () => out.includes('Killing'), 30_000);
      expect(out).toMatch(/Normal\s+Killing\s+pod\/web\s+Stopping container app/);
    } finally {
      child.kill();
    }
  });

  it('shows the node events in `kubectl describe node`, and NodeNotReady once the kubelet is gone', async () => {
    const node = JSON.parse((await c.kubectl(['get', 'node', NODE, '-o', 'json'])).stdout) as Node;
    const reasons = async () => (await events(`involvedObject.kind=Node,involvedObject.name=${NODE}`)).map((e) => `${e.source?.component} ${e.reason}`);
    await until('RegisteredNode', async () => (await reasons()).includes('node-controller RegisteredNode'), 30_000);
    expect(await reasons()).toEqual(
      expect.arrayContaining([
        'kubelet Starting',
        'kubelet NodeHasSufficientMemory',
        'kubelet NodeHasNoDiskPressure',
        'kubelet NodeHasSufficientPID',
        'kubelet NodeReady',
        'node-controller RegisteredNode',
      ]),
    );
    // The kubelet names its node by name (uid = name), the controller by uid: describe finds both.
    const kubeletStart = (await events(`involvedObject.kind=Node,involvedObject.name=${NODE},reason=Starting`))[0];
    expect(kubeletStart.involvedObject).toEqual({ kind: 'Node', name: NODE, uid: NODE });
    expect(kubeletStart.message).toBe('Starting kubelet.');
    expect(kubeletStart.metadata.namespace).toBe('default');
    const registered = (await events(`involvedObject.name=${NODE},reason=RegisteredNode`))[0];
    expect(registered.involvedObject).toEqual({ kind: 'Node', apiVersion: 'v1', name: NODE, uid: node.metadata.uid });
    expect(registered.message).toBe(`Node ${NODE} event: Registered Node ${NODE} in Controller`);
    const ready = (await events(`involvedObject.name=${NODE},reason=NodeReady`))[0];
    expect(ready.message).toBe(`Node ${NODE} status is now: NodeReady`);

    let describe = (await c.kubectl(['describe', 'node', NODE])).stdout;
    const eventsSection = describe.slice(describe.indexOf('\nEvents:'));
    for (const line of [
      /Normal\s+Starting\s+\S+\s+kubelet\s+Starting kubelet\./,
      /Normal\s+NodeHasSufficientMemory\s+\S+\s+kubelet\s+Node events-node status is now: NodeHasSufficientMemory/,
      /Normal\s+NodeReady\s+\S+\s+kubelet\s+Node events-node status is now: NodeReady/,
      /Normal\s+RegisteredNode\s+\S+\s+node-controller\s+Node events-node event: Registered Node events-node in Controller/,
    ])
      expect(eventsSection).toMatch(line);

    // `kubectl events --for node/x` looks in the default namespace and filters on involvedObject.apiVersion,
    // which the kubelet's node reference lacks (upstream's too): it lists the controller's events only.
    const forNode = (await c.kubectl(['events', '--for', `node/${NODE}`])).stdout;
    expect(forNode).toMatch(/Normal\s+RegisteredNode\s+Node\/events-node\s+Node events-node event: Registered Node events-node in Controller/);
    expect(forNode).not.toContain('NodeReady');

    // The kubelet stops: past the grace period the controller takes Ready away and says so.
    await kubelet?.stop();
    kubelet = undefined;
    const readyCondition = async () => (await client.resource<Node>('v1', 'nodes').get(NODE)).status?.conditions?.find((x) => x.type === 'Ready');
    await until('Ready to become Unknown', async () => (await readyCondition())?.status === 'Unknown', 30_000);
    expect(await readyCondition()).toMatchObject({ status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' });
    await until('NodeNotReady', async () => (await reasons()).includes('node-controller NodeNotReady'), 10_000);
    describe = (await c.kubectl(['describe', 'node', NODE])).stdout;
    expect(describe).toMatch(/Normal\s+NodeNotReady\s+\S+\s+node-controller\s+Node events-node status is now: NodeNotReady/);
  });
});
