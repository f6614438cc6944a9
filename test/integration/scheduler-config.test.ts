// The scheduler process with --config: a KubeSchedulerConfiguration with two
// profiles, the default one (NodeResourcesFit LeastAllocated: spread) and
// "binpack" (MostAllocated, Swarm's binpack strategy). Against a real apiserver,
// three pods of the default profile land on three different nodes while three
// of the binpack profile share one node. A configuration that does not validate
// stops the process at start with upstream's message.
import { afterAll, beforeAll, describe, it, jest } from '@jest/globals';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request, startCluster, type TestCluster } from '../support/cluster.js';
import { until } from '../support/controllers.js';

const JSON_HDR = { 'content-type': 'application/json' };
const SCHEDULER = new URL('../../cmd/scheduler/main.js', import.meta.url).pathname;

const CONFIG = `apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
leaderElection:
  leaderElect: false
profiles:
- schedulerName: default-scheduler
- schedulerName: binpack
  pluginConfig:
  - name: NodeResourcesFit
    args:
      scoringStrategy:
        type: MostAllocated
        resources:
        - {name: cpu, weight: 1}
        - {name: memory, weight: 1}
`;

jest.setTimeout(90_000);
describe('scheduler --config', () => {
  let c: TestCluster;
  let dir: string;
  const children: ChildProcess[] = [];

  function startScheduler(config: string): { proc: ChildProcess; log: () => string; exited: Promise<number | null> } {
    const file = join(dir, `config-${children.length}.yaml`);
    writeFileSync(file, config);
    const proc = spawn(process.execPath, [SCHEDULER, `--kubeconfig=${c.kubeconfig}`, '--secure-port=0', `--config=${file}`], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    children.push(proc);
    let out = '';
    proc.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
    return { proc, log: () => out, exited };
  }

  async function createNode(name: string, group: string): Promise<void> {
    const node = {
      metadata: { name, labels: { 'kubernetes.io/hostname': name, group } },
      status: {
        allocatable: { cpu: '4', memory: '8Gi', pods: '110' },
        capacity: { cpu: '4', memory: '8Gi', pods: '110' },
        conditions: [{ type: 'Ready', status: 'True' }],
      },
    };
    const res = await request(c, 'POST', '/api/v1/nodes', { body: JSON.stringify(node), headers: JSON_HDR });
    assert.equal(res.status, 201, res.body);
  }

  /** Creates a pod (an eighth of a node's cpu and memory) and waits for its node. */
  async function schedule(name: string, schedulerName: string, group: string): Promise<string> {
    const pod = {
      metadata: { name },
      spec: {
        schedulerName,
        nodeSelector: { group },
        containers: [{ name: 'c', image: 'busybox', resources: { requests: { cpu: '500m', memory: '1Gi' } } }],
      },
    };
    const res = await request(c, 'POST', '/api/v1/namespaces/default/pods', { body: JSON.stringify(pod), headers: JSON_HDR });
    assert.equal(res.status, 201, res.body);
    return until(`node of ${name}`, async () => {
      const r = await request(c, 'GET', `/api/v1/namespaces/default/pods/${name}`);
      return (r.json() as { spec: { nodeName?: string } }).spec.nodeName;
    });
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'timonel-scheduler-config-'));
    c = await startCluster();
    for (const g of ['spread', 'pack']) for (const i of [1, 2, 3]) await createNode(`${g}-${i}`, g);
  });
  afterAll(async () => {
    for (const p of children) if (p.exitCode === null) p.kill('SIGKILL');
    await c?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('the default profile spreads pods over the nodes; the MostAllocated profile packs them onto one', async () => {
    const s = startScheduler(CONFIG);
    await until('scheduler started', () => s.log().includes('scheduler started profiles=default-scheduler,binpack'));
    const spread: string[] = [];
    for (const i of [1, 2, 3]) spread.push(await schedule(`spread-${i}`, 'default-scheduler', 'spread'));
    assert.deepEqual([...spread].sort(), ['spread-1', 'spread-2', 'spread-3']);
    const packed: string[] = [];
    for (const i of [1, 2, 3]) packed.push(await schedule(`pack-${i}`, 'binpack', 'pack'));
    assert.equal(new Set(packed).size, 1, `binpack pods on ${packed.join(', ')}`);
    // Each profile records its events as its scheduler name.
    const events = await request(c, 'GET', '/api/v1/namespaces/default/events?fieldSelector=involvedObject.name%3Dpack-1');
    const scheduled = (events.json() as { items: Array<{ reason: string; source?: { component?: string } }> }).items.find((e) => e.reason === 'Scheduled');
    assert.equal(scheduled?.source?.component, 'binpack');
    s.proc.kill('SIGTERM');
    await s.exited;
  });

  it('an invalid configuration stops the start with the validation errors', async () => {
    const bad = CONFIG.replace('type: MostAllocated', 'type: Binpack').replace('leaderElect: false', 'leaderElect: false\npercentageOfNodesToScore: 101');
    const s = startScheduler(bad);
    assert.equal(await s.exited, 1);
    assert.match(
      s.log(),
      /Error: \[profiles\[1\]\.pluginConfig\[0\]\.args\.scoringStrategy\.type: Unsupported value: "Binpack": supported values: "LeastAllocated", "MostAllocated", "RequestedToCapacityRatio", percentageOfNodesToScore: Invalid value: 101: not in valid range \[0-100\]\]/,
    );
    const unknown = startScheduler(CONFIG.replace('- schedulerName: binpack', '- schedulerName: binpack\n  plugins: {score: {enabled: [{name: Binpack}]}}'));
    assert.equal(await unknown.exited, 1);
    assert.match(unknown.log(), /initializing profiles: creating profile for scheduler name binpack: ScorePlugin "Binpack" does not exist/);
  });
});
