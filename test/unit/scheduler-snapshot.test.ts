// What the scheduler keeps between cycles to make a cycle cheap must never change a
// decision: the cache's per-node lists (pods with affinity, image counts), the
// in-place confirmation of assumed pods, the per-node-generation counts spreading and
// inter-pod affinity use, and the Skip answers of PreFilter/PreScore.
import { test } from '@jest/globals';
import assert from 'node:assert/strict';
import { SchedulerCache } from '../../pkg/scheduler/cache.js';
import type { Affinity, Node, Pod, TopologySpreadConstraint } from '../../api/core/v1/types.js';
import { CycleState, type ClusterLister, type NodeInfo } from '../../pkg/scheduler/framework/types.js';
import { newNodeInfo } from '../../pkg/scheduler/plugins/helper/nodeinfo.js';
import { InterPodAffinity } from '../../pkg/scheduler/plugins/interpodaffinity/plugin.js';
import { affinityInfo, termMatches } from '../../pkg/scheduler/plugins/interpodaffinity/terms.js';
import { PodTopologySpread } from '../../pkg/scheduler/plugins/podtopologyspread/plugin.js';
import { defaultProfile } from '../../pkg/scheduler/plugins/registry.js';
import { prioritizeNodes, schedulePod } from '../../pkg/scheduler/schedule_one.js';

function node(name: string, labels: Record<string, string> = {}, extra: Partial<Node> = {}): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...labels } },
    spec: {},
    status: { allocatable: { cpu: '8', memory: '16Gi', pods: '110' } },
    ...extra,
  };
}

let uid = 0;
function pod(
  name: string,
  opts: {
    labels?: Record<string, string>;
    nodeName?: string;
    cpu?: string;
    affinity?: Affinity;
    spread?: TopologySpreadConstraint[];
    ns?: string;
  } = {},
): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: opts.ns ?? 'default', uid: `u-${name}-${++uid}`, labels: opts.labels },
    spec: {
      nodeName: opts.nodeName,
      containers: [{ name: 'c', image: 'img', resources: { requests: { cpu: opts.cpu ?? '100m', memory: '64Mi' } } }],
      affinity: opts.affinity,
      topologySpreadConstraints: opts.spread,
    },
  };
}

const antiPreferred = (app: string, key = 'kubernetes.io/hostname', weight = 1) => ({
  podAntiAffinity: {
    preferredDuringSchedulingIgnoredDuringExecution: [{ weight, podAffinityTerm: { labelSelector: { matchLabels: { app } }, topologyKey: key } }],
  },
});
const antiRequired = (app: string, key = 'kubernetes.io/hostname') => ({
  podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app } }, topologyKey: key }] },
});

function listerOf(cache: SchedulerCache): ClusterLister {
  return {
    nodes: () => cache.snapshot(),
    nodeInfo: (n) => cache.nodeInfo(n),
    havePodsWithAffinity: () => cache.havePodsWithAffinity(),
    havePodsWithRequiredAntiAffinity: () => cache.havePodsWithRequiredAntiAffinity(),
    imageNumNodes: (i) => cache.imageNumNodes(i),
    get: () => undefined,
    list: () => [],
  };
}

/** The same cluster as fresh NodeInfos (no per-node caches) behind a lister without the cache's shortcuts. */
function freshLister(cache: SchedulerCache): ClusterLister {
  const infos = cache.snapshot().map((ni) => newNodeInfo(ni.node, ni.pods));
  return { nodes: () => infos, nodeInfo: (n) => infos.find((i) => i.node.metadata.name === n), get: () => undefined, list: () => [] };
}

const names = (infos: NodeInfo[]) => infos.map((n) => n.node.metadata.name).sort();

test('cache: nodes with affinity pods and with required anti-affinity pods follow adds, assumes, forgets and removals', () => {
  const cache = new SchedulerCache();
  for (const n of ['n1', 'n2', 'n3']) cache.addNode(node(n));
  const soft = pod('soft', { nodeName: 'n1', affinity: antiPreferred('web') });
  cache.addPod(soft);
  assert.deepEqual(names(cache.havePodsWithAffinity()), ['n1']);
  assert.deepEqual(names(cache.havePodsWithRequiredAntiAffinity()), []);
  const hard = pod('hard', { affinity: antiRequired('db') });
  cache.assume(hard, 'n2');
  assert.deepEqual(names(cache.havePodsWithAffinity()), ['n1', 'n2']);
  assert.deepEqual(names(cache.havePodsWithRequiredAntiAffinity()), ['n2']);
  cache.forget(hard);
  assert.deepEqual(names(cache.havePodsWithAffinity()), ['n1']);
  assert.deepEqual(names(cache.havePodsWithRequiredAntiAffinity()), []);
  cache.addPod(pod('plain', { nodeName: 'n1' }));
  cache.removePod(soft);
  assert.deepEqual(names(cache.havePodsWithAffinity()), []);
  // A removed node whose pods are still known stays out of the lists.
  const h2 = pod('hard2', { nodeName: 'n3', affinity: antiRequired('db') });
  cache.addPod(h2);
  cache.removeNode(node('n3'));
  assert.deepEqual(names(cache.havePodsWithRequiredAntiAffinity()), []);
  cache.addNode(node('n3'));
  assert.deepEqual(names(cache.havePodsWithRequiredAntiAffinity()), ['n3']);
});

test('cache: image node counts follow node adds, updates and removals', () => {
  const cache = new SchedulerCache();
  const withImages = (name: string, images: string[][]) =>
    node(name, {}, { status: { allocatable: { cpu: '1', pods: '10' }, images: images.map((n) => ({ names: n, sizeBytes: 100 << 20 })) } });
  cache.addNode(withImages('n1', [['nginx:1', 'nginx@sha256:1'], ['nginx:1']]));
  cache.addNode(withImages('n2', [['nginx:1']]));
  assert.equal(cache.imageNumNodes('nginx:1'), 2);
  assert.equal(cache.imageNumNodes('nginx@sha256:1'), 1);
  cache.updateNode(withImages('n1', []), withImages('n1', [['redis:7']]));
  assert.equal(cache.imageNumNodes('nginx:1'), 1);
  assert.equal(cache.imageNumNodes('redis:7'), 1);
  cache.removeNode(withImages('n2', []));
  assert.equal(cache.imageNumNodes('nginx:1'), 0);
});

test('cache: the informer confirming an assumed pod replaces it in place; a changed request or node still recounts', () => {
  const cache = new SchedulerCache();
  cache.addNode(node('n1'));
  cache.addNode(node('n2'));
  const p = pod('p', { cpu: '500m' });
  cache.assume(p, 'n1');
  const n1 = cache.nodeInfo('n1') as NodeInfo;
  const gen = n1.generation;
  assert.equal(n1.requested.cpu, 500);
  const seen = { ...p, metadata: { ...p.metadata, resourceVersion: '7' }, spec: { ...p.spec, nodeName: 'n1' } };
  cache.addPod(seen);
  assert.equal(n1.pods.length, 1);
  assert.equal(n1.pods[0], seen);
  assert.equal(n1.requested.cpu, 500);
  assert.equal(n1.requested.pods, 1);
  assert.ok(n1.generation > gen, 'plugins keyed on the generation see the new object');
  assert.equal(cache.isAssumed(p), false);
  // A bigger request recounts.
  const bigger = { ...seen, spec: { ...seen.spec, containers: [{ name: 'c', resources: { requests: { cpu: '2', memory: '64Mi' } } }] } };
  cache.updatePod(seen, bigger);
  assert.equal(n1.requested.cpu, 2000);
  assert.equal(n1.pods.length, 1);
  // Bound elsewhere than assumed: moves.
  const q = pod('q', { cpu: '1' });
  cache.assume(q, 'n1');
  cache.addPod({ ...q, spec: { ...q.spec, nodeName: 'n2' } });
  assert.equal(n1.requested.cpu, 2000);
  assert.equal((cache.nodeInfo('n2') as NodeInfo).requested.cpu, 1000);
});

/** Upstream's scoring loop, written plainly: every existing pod on every node against the incoming pod. */
function naiveAffinityScores(incoming: Pod, infos: NodeInfo[]): Map<string, number> {
  const nsLabels = () => undefined;
  const ts = new Map<string, number>();
  const add = (key: string, value: string, w: number) => ts.set(`${key}=${value}`, (ts.get(`${key}=${value}`) ?? 0) + w);
  const info = affinityInfo(incoming);
  for (const ni of infos) {
    const labels = ni.node.metadata.labels ?? {};
    for (const existing of ni.pods) {
      for (const t of info.preferredAffinity)
        if (labels[t.topologyKey] !== undefined && termMatches(t, existing, nsLabels)) add(t.topologyKey, labels[t.topologyKey], t.weight);
      for (const t of info.preferredAntiAffinity)
        if (labels[t.topologyKey] !== undefined && termMatches(t, existing, nsLabels)) add(t.topologyKey, labels[t.topologyKey], -t.weight);
      const e = affinityInfo(existing);
      for (const t of e.requiredAffinity)
        if (labels[t.topologyKey] !== undefined && termMatches(t, incoming, nsLabels)) add(t.topologyKey, labels[t.topologyKey], 1);
      for (const t of e.preferredAffinity)
        if (labels[t.topologyKey] !== undefined && termMatches(t, incoming, nsLabels)) add(t.topologyKey, labels[t.topologyKey], t.weight);
      for (const t of e.preferredAntiAffinity)
        if (labels[t.topologyKey] !== undefined && termMatches(t, incoming, nsLabels)) add(t.topologyKey, labels[t.topologyKey], -t.weight);
    }
  }
  const raw = new Map<string, number>();
  for (const ni of infos) {
    let s = 0;
    for (const [k, v] of Object.entries(ni.node.metadata.labels ?? {})) s += ts.get(`${k}=${v}`) ?? 0;
    raw.set(ni.node.metadata.name ?? '', s);
  }
  return raw;
}

function rawScores(
  plugin: { preScore(s: CycleState, p: Pod, n: NodeInfo[]): unknown; score(s: CycleState, p: Pod, n: NodeInfo): number },
  incoming: Pod,
  infos: NodeInfo[],
): Map<string, number> {
  const st = new CycleState();
  plugin.preScore(st, incoming, infos);
  return new Map(infos.map((ni) => [ni.node.metadata.name ?? '', plugin.score(st, incoming, ni)]));
}

test('InterPodAffinity and PodTopologySpread scores with per-node caches equal a from-scratch computation as the cluster changes', () => {
  let seed = 7;
  const rnd = (n: number) => {
    seed = (seed * 16807) % 2147483647;
    return seed % n;
  };
  const cache = new SchedulerCache();
  for (let i = 0; i < 12; i++) cache.addNode(node(`n${i}`, { zone: `z${i % 3}` }));
  const apps = ['web', 'db', 'cache'];
  const makeIncoming = (i: number): Pod => {
    const app = apps[rnd(3)];
    const kind = rnd(4);
    const affinity =
      kind === 0
        ? antiPreferred(apps[rnd(3)], rnd(2) ? 'zone' : 'kubernetes.io/hostname', 1 + rnd(5))
        : kind === 1
          ? {
              podAffinity: {
                preferredDuringSchedulingIgnoredDuringExecution: [
                  { weight: 3, podAffinityTerm: { labelSelector: { matchLabels: { app: apps[rnd(3)] } }, topologyKey: 'zone' } },
                ],
              },
            }
          : kind === 2
            ? { ...antiRequired(app, 'kubernetes.io/hostname') }
            : undefined;
    const spread = rnd(2)
      ? [{ maxSkew: 1, topologyKey: rnd(2) ? 'zone' : 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { app } } }]
      : undefined;
    return pod(`p${i}`, { labels: { app }, affinity, spread, ns: rnd(5) === 0 ? 'other' : 'default' });
  };
  const placed: Pod[] = [];
  for (let i = 0; i < 120; i++) {
    const incoming = makeIncoming(i);
    const fresh = freshLister(cache);
    const cached = listerOf(cache);
    const ipaCached = rawScores(new InterPodAffinity(cached), incoming, cached.nodes());
    const ipaFresh = rawScores(new InterPodAffinity(fresh), incoming, fresh.nodes());
    assert.deepEqual(ipaCached, ipaFresh, `InterPodAffinity raw scores, pod ${i}`);
    assert.deepEqual(ipaCached, naiveAffinityScores(incoming, fresh.nodes()), `InterPodAffinity against the plain loop, pod ${i}`);
    assert.deepEqual(
      rawScores(new PodTopologySpread(cached), incoming, cached.nodes()),
      rawScores(new PodTopologySpread(fresh), incoming, fresh.nodes()),
      `PodTopologySpread raw scores, pod ${i}`,
    );
    // Change the cluster the way scheduling does: assume, confirm, relabel, delete.
    const host = `n${rnd(12)}`;
    const action = rnd(6);
    if (action < 3 || placed.length === 0) {
      cache.assume(incoming, host);
      if (action !== 0) cache.addPod({ ...incoming, spec: { ...incoming.spec, nodeName: host } });
      placed.push(incoming);
    } else if (action === 3) {
      const p = placed[rnd(placed.length)];
      const current = cache
        .snapshot()
        .flatMap((n) => n.pods)
        .find((x) => x.metadata.uid === p.metadata.uid) as Pod;
      cache.updatePod(current, { ...current, metadata: { ...current.metadata, labels: { app: apps[rnd(3)] } } });
    } else {
      const p = placed.splice(rnd(placed.length), 1)[0];
      if (cache.isAssumed(p)) cache.forget(p);
      else cache.removePod(p);
    }
  }
});

test('Skip answers only drop scores that are equal on every node: the totals differ by one constant', () => {
  const cache = new SchedulerCache();
  for (let i = 0; i < 8; i++) cache.addNode(node(`n${i}`, { zone: `z${i % 2}` }));
  for (let i = 0; i < 20; i++) cache.addPod(pod(`e${i}`, { nodeName: `n${i % 8}`, cpu: `${100 * (1 + (i % 5))}m` }));
  const lister = listerOf(cache);
  const profile = defaultProfile(lister);
  const plain = pod('plain');
  const infos = cache.snapshot();
  const withSkips = prioritizeNodes(profile, new CycleState(), plain, infos);
  // Every score plugin run on every node, as before the Skip answers.
  const st = new CycleState();
  for (const pl of profile.preScore) pl.preScore(st, plain, infos);
  const all = new Map(infos.map((n) => [n.node.metadata.name ?? '', 0]));
  for (const pl of profile.score) {
    const m = new Map(infos.map((n) => [n.node.metadata.name ?? '', pl.score(st, plain, n)]));
    pl.normalizeScores?.(st, plain, m);
    for (const [k, v] of m) all.set(k, (all.get(k) ?? 0) + v * pl.weight);
  }
  const diffs = new Set([...all].map(([k, v]) => v - (withSkips.get(k) ?? NaN)));
  assert.equal(diffs.size, 1, `differences ${[...diffs].join(', ')}`);
  // And the choice is one of the best nodes either way.
  const best = Math.max(...all.values());
  const host = schedulePod(profile, new CycleState(), plain, infos, { nextStartNodeIndex: 0 }).suggestedHost;
  assert.equal(all.get(host), best);
});
