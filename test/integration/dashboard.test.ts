// The web view's server against a real apiserver (RBAC on) and the real
// Deployment and ReplicaSet controllers: it reads with the add-on's own
// ServiceAccount token and ClusterRole (manifests/dashboard/rbac.yaml), and its
// event stream follows the cluster from watches: node columns, pods placed and
// made Ready, a scale-up, a deletion, the namespace and label filters, a pod's
// owner chain and events. Pods here are bound and given their status by the
// test, as a kubelet would (the browser and real containers are the e2e test's).
import { afterAll, beforeAll, describe, it, jest } from '@jest/globals';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { APIClient } from '../../pkg/dashboard/apiclient.js';
import { createDashboard, type Dashboard } from '../../pkg/dashboard/server.js';
import { logger } from '../../pkg/util/log.js';
import { request, startCluster, type TestCluster } from '../support/cluster.js';
import { setPodStatus, startManager } from '../support/controllers.js';
import { ClusterFeed, readEvents } from '../support/eventstream.js';
import type { ControllerManager } from '../../pkg/controller/manager.js';

jest.setTimeout(120_000);

const RBAC = fileURLToPath(new URL('../../../manifests/dashboard/rbac.yaml', import.meta.url));
const SA = 'system:serviceaccount:kube-system:timonel-dashboard';
const JSON_HDR = { 'content-type': 'application/json' };

const deployment = (replicas: number) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'default' },
  spec: {
    replicas,
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: { containers: [{ name: 'nginx', image: 'nginx:1.14.2', resources: { requests: { cpu: '100m', memory: '64Mi' } } }] },
    },
  },
});

describe('the web view server', () => {
  let c: TestCluster;
  let m: ControllerManager;
  let d: Dashboard;
  let base = '';
  const feeds: ClusterFeed[] = [];

  beforeAll(async () => {
    c = await startCluster({ authorizationModes: ['Node', 'RBAC'] });
    await c.kubectl(['apply', '-f', RBAC]);
    const token = (await c.kubectl(['create', 'token', 'timonel-dashboard', '-n', 'kube-system'])).stdout.trim();
    const tokenFile = join(c.dir, 'dashboard-token');
    writeFileSync(tokenFile, token);
    m = await startManager(c, ['deployment', 'replicaset'], { log: logger('dashboard-test', -1) });
    const node = {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'n1', labels: { 'kubernetes.io/hostname': 'n1' } },
      status: {
        capacity: { cpu: '2', memory: '4Gi', pods: '110' },
        allocatable: { cpu: '2', memory: '4Gi', pods: '110' },
        conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'ready', lastHeartbeatTime: new Date().toISOString() }],
      },
    };
    assert.equal((await request(c, 'POST', '/api/v1/nodes', { body: JSON.stringify(node), headers: JSON_HDR })).status, 201);
    const st = await request(c, 'PATCH', '/api/v1/nodes/n1/status', {
      body: JSON.stringify({ status: node.status }),
      headers: { 'content-type': 'application/merge-patch+json' },
    });
    assert.equal(st.status, 200, st.body);
    d = createDashboard({ api: new APIClient({ server: c.url, ca: c.caCert, tokenFile }), metricsIntervalMs: 60_000 });
    await new Promise<void>((r) => d.server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(d.server.address() as AddressInfo).port}`;
    await d.synced;
  });

  afterAll(async () => {
    for (const f of feeds) f.close();
    await d?.stop();
    await m?.stop();
    await c?.stop();
  });

  const feed = async (query = '') => {
    const f = await ClusterFeed.open(`${base}/api/stream${query}`);
    feeds.push(f);
    return f;
  };

  async function bindAndRun(name: string): Promise<void> {
    const binding = { apiVersion: 'v1', kind: 'Binding', metadata: { name }, target: { apiVersion: 'v1', kind: 'Node', name: 'n1' } };
    const res = await request(c, 'POST', `/api/v1/namespaces/default/pods/${name}/binding`, { body: JSON.stringify(binding), headers: JSON_HDR });
    assert.equal(res.status, 201, res.body);
    await setPodStatus(c, 'default', name, { phase: 'Running', ready: true });
  }

  const webPods = (f: ClusterFeed) => [...f.pods.values()].filter((p) => p.labels.app === 'web');

  it('reads only: its ServiceAccount may watch but not change, and the server takes GETs only', async () => {
    const can = async (verb: string, what: string) => (await c.kubectl(['auth', 'can-i', verb, what, `--as=${SA}`], { allowFail: true })).stdout.trim();
    assert.equal(await can('watch', 'pods'), 'yes');
    assert.equal(await can('get', 'pods/log'), 'yes');
    assert.equal(await can('delete', 'pods'), 'no');
    assert.equal(await can('create', 'pods/exec'), 'no');
    assert.equal(await can('list', 'secrets'), 'no');
    const post = await fetch(`${base}/api/stream`, { method: 'POST' });
    assert.equal(post.status, 405);
    const bad = await fetch(`${base}/api/stream?labelSelector=${encodeURIComponent('app in (web')}`);
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { message: string }).message, /.+/);
    assert.equal((await fetch(`${base}/healthz`)).status, 200);
    const page = await fetch(`${base}/`);
    const script = /<script type="module"[^>]* src="\.(\/assets\/[\w-]+\.js)">/.exec(await page.text());
    assert.ok(script, 'the built page names its bundled script');
    const js = await fetch(`${base}${script[1]}`);
    assert.equal(js.status, 200);
    assert.equal(js.headers.get('content-type'), 'text/javascript; charset=utf-8');
    assert.match(await js.text(), /EventSource/);
  });

  it('shows the node column, then pods pending, placed, Ready and counted against the node', async () => {
    const f = await feed();
    const n1 = f.nodes.get('n1');
    assert.ok(n1, 'the node column is in the snapshot');
    assert.equal(n1.ready, true);
    assert.deepEqual(n1.allocatable, { cpu: 2000, memory: 4 * 2 ** 30 });
    await c.kubectl(['apply', '-f', '-'], { input: JSON.stringify(deployment(2)) });
    const pending = await f.until('two pending web cards', () => webPods(f).length === 2 && webPods(f));
    assert.ok(pending.every((p) => p.node === '' && p.state === 'pending'));
    for (const p of pending) await bindAndRun(p.name);
    await f.until('two ready cards on n1', () => webPods(f).filter((p) => p.node === 'n1' && p.state === 'ready').length === 2);
    await f.until('requests on the node', () => f.nodes.get('n1')?.requested.cpu === 200);
    assert.equal(f.nodes.get('n1')?.requested.memory, 128 * 2 ** 20);
  });

  it('a scale from 2 to 5 shows five cards; a deleted pod loses its card', async () => {
    const f = await feed();
    assert.equal(webPods(f).length, 2);
    await c.kubectl(['scale', 'deployment/web', '--replicas=5']);
    await f.until('five web cards', () => webPods(f).length === 5);
    const gone = webPods(f).find((p) => p.state === 'ready');
    assert.ok(gone);
    await c.kubectl(['delete', 'pod', gone.name, '--wait=false']);
    // A pod without a kubelet keeps its card, terminating, until it is gone; force it.
    await f.until('the card terminating', () => f.pods.get(gone.key)?.state === 'terminating');
    await c.kubectl(['delete', 'pod', gone.name, '--grace-period=0', '--force']);
    await f.until('the card gone', () => !f.pods.has(gone.key));
  });

  it('filters by namespace and label selector, and drops a card whose labels stop matching', async () => {
    await c.kubectl(['create', 'namespace', 'other']);
    await c.kubectl(['run', 'lonely', '-n', 'other', '--image=busybox', '--labels=app=lonely,tier=cache']);
    await c.kubectl(['run', 'solo', '--image=busybox', '--labels=app=solo']);
    const byNs = await feed('?namespace=other');
    assert.deepEqual([...byNs.pods.keys()], ['other/lonely']);
    assert.ok(byNs.nodes.has('n1'), 'nodes whatever the filter');
    const bySel = await feed(`?labelSelector=${encodeURIComponent('app in (web,solo),tier!=cache')}`);
    await bySel.until('web pods and solo', () => bySel.pods.size === webPods(bySel).length + 1 && bySel.pods.has('default/solo'));
    await c.kubectl(['label', 'pod', 'solo', 'tier=cache']);
    await bySel.until('solo removed once it is tier=cache', () => !bySel.pods.has('default/solo'));
  });

  it("a pod's owner chain and its events, live", async () => {
    const f = await feed('?labelSelector=app%3Dweb');
    const p = webPods(f)[0];
    const owners = (await (await fetch(`${base}/api/namespaces/default/pods/${p.name}/owners`)).json()) as {
      chain: { kind: string; name: string; found: boolean }[];
    };
    assert.equal(owners.chain.map((o) => `${o.kind}:${o.found}`).join(' → '), 'Deployment:true → ReplicaSet:true → Pod:true');
    assert.equal(owners.chain[0].name, 'web');
    assert.ok(owners.chain[1].name.startsWith('web-'));
    const ac = new AbortController();
    const res = await fetch(`${base}/api/namespaces/default/pods/${p.name}/events`, { signal: ac.signal });
    assert.equal(res.headers.get('content-type'), 'text/event-stream; charset=utf-8');
    const events = readEvents(res.body as ReadableStream<Uint8Array>);
    const ev = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: `${p.name}.test`, namespace: 'default' },
      involvedObject: { apiVersion: 'v1', kind: 'Pod', name: p.name, namespace: 'default', uid: p.uid },
      reason: 'Pulled',
      message: 'shown on the page while the panel is open',
      type: 'Normal',
      source: { component: 'kubelet' },
      count: 1,
      firstTimestamp: new Date().toISOString(),
      lastTimestamp: new Date().toISOString(),
    };
    // Created after the stream opened: it arrives through the watch.
    setTimeout(() => void request(c, 'POST', '/api/v1/namespaces/default/events', { body: JSON.stringify(ev), headers: JSON_HDR }), 300);
    for await (const e of events) {
      if (e.event !== 'event') continue;
      const line = JSON.parse(e.data) as { reason: string; message: string; source: string };
      if (line.message !== ev.message) continue;
      assert.equal(line.reason, 'Pulled');
      assert.equal(line.source, 'kubelet');
      break;
    }
    ac.abort();
    const notFound = await fetch(`${base}/api/namespaces/default/pods/nope/owners`);
    assert.equal(notFound.status, 404);
    assert.equal((await fetch(`${base}/api/namespaces/Bad_NS/pods/x/owners`)).status, 400);
  });
});
