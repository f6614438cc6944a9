// The DaemonSet controller against a real apiserver. No kubelet and no
// scheduler: the test creates Node objects itself, marks pods Running/Ready
// through pods/<name>/status, and leaves pods unbound (as the controller makes
// them: pinned by required node affinity, nodeName unset).
import type { Node, Pod } from '../../api/core/v1/types.js';
import type { ControllerRevision, DaemonSet } from '../../api/apps/v1/types.js';
import { afterAll, beforeAll, describe, it, jest } from '@jest/globals';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { isStatus, type ResourceClient } from '../../pkg/client/rest.js';
import { DaemonSetsController } from '../../pkg/controller/daemon/daemon_controller.js';
import { getTargetNodeName } from '../../pkg/controller/daemon/util/daemonset_util.js';
import { startCluster, type TestCluster } from '../support/cluster.js';
import { controlledBy, createNode, markPodReady, setPodStatus, sleep, startControllers, until, type RunningControllers } from '../support/controllers.js';

const BASIC = join(process.cwd(), 'test/fixtures/examples/application/basic-daemonset.yaml');

jest.setTimeout(120_000);
describe('DaemonSet controller', () => {
  let c: TestCluster;
  let ctl: RunningControllers;
  let pods: ResourceClient<Pod>;
  let dss: ResourceClient<DaemonSet>;
  let nodes: ResourceClient<Node>;
  let revisions: ResourceClient<ControllerRevision>;

  beforeAll(async () => {
    c = await startCluster();
    ctl = startControllers(c, (h) => [[new DaemonSetsController(h.context('daemonset-controller')), 2]]);
    const client = ctl.client;
    pods = client.resource<Pod>('v1', 'pods').namespace('default');
    dss = client.resource<DaemonSet>('apps/v1', 'daemonsets').namespace('default');
    nodes = client.resource<Node>('v1', 'nodes');
    revisions = client.resource<ControllerRevision>('apps/v1', 'controllerrevisions').namespace('default');
  });
  afterAll(async () => {
    await ctl?.stop();
    await c?.stop();
  });

  async function labelNode(name: string, labels: Record<string, string | null>): Promise<void> {
    await nodes.patch(name, 'merge', { metadata: { labels } });
  }

  /** Pods the DaemonSet controls, not being deleted. */
  async function dsPods(ds: DaemonSet): Promise<Pod[]> {
    const list = await pods.list();
    return list.items.filter((p) => !p.metadata.deletionTimestamp && controlledBy(p, ds));
  }

  /** Waits until the DaemonSet's pods target exactly these nodes, one each. */
  async function podsOnNodes(ds: DaemonSet, want: string[]): Promise<Map<string, Pod>> {
    const sorted = [...want].sort();
    return until(`${ds.metadata.name} pods on [${sorted.join(',')}]`, async () => {
      const ps = await dsPods(ds);
      const targets = ps.map((p) => getTargetNodeName(p) ?? '?').sort();
      if (JSON.stringify(targets) !== JSON.stringify(sorted)) return undefined;
      return new Map(ps.map((p) => [getTargetNodeName(p) ?? '', p]));
    });
  }

  const isReady = (p: Pod) => p.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True') ?? false;

  it('runs basic-daemonset.yaml on every node, pinned by node affinity, and reports status', async () => {
    for (const n of ['node-1', 'node-2', 'node-3']) await createNode(c, n);
    await c.kubectl(['apply', '-f', BASIC]);
    const ds = await dss.get('example-daemonset');
    const byNode = await podsOnNodes(ds, ['node-1', 'node-2', 'node-3']);
    const revs = await until('one ControllerRevision', async () => {
      const l = (await revisions.list()).items.filter((r) => r.metadata.ownerReferences?.some((o) => o.uid === ds.metadata.uid));
      return l.length === 1 ? l : undefined;
    });
    const hash = revs[0].metadata.labels?.['controller-revision-hash'] ?? '';
    assert.equal(revs[0].metadata.name, `example-daemonset-${hash}`);
    assert.equal(revs[0].revision, 1);
    assert.equal(revs[0].metadata.labels?.['app.kubernetes.io/name'], 'example');
    for (const [node, p] of byNode) {
      assert.match(p.metadata.name ?? '', /^example-daemonset-[a-z0-9]{5}$/);
      assert.equal(p.metadata.generateName, 'example-daemonset-');
      assert.equal(p.spec?.nodeName, undefined, 'the scheduler binds daemon pods; nodeName stays unset');
      assert.deepEqual(p.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution, {
        nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [node] }] }],
      });
      assert.equal(p.metadata.labels?.['app.kubernetes.io/name'], 'example');
      assert.equal(p.metadata.labels?.['controller-revision-hash'], hash);
      assert.ok(p.metadata.labels?.['pod-template-generation'], 'pod-template-generation label');
      assert.deepEqual(p.metadata.ownerReferences, [
        { apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'example-daemonset', uid: ds.metadata.uid, controller: true, blockOwnerDeletion: true },
      ]);
      const tol = (p.spec?.tolerations ?? []).map((t) => `${t.key}:${t.operator}:${t.effect}`);
      for (const t of [
        'node.kubernetes.io/not-ready:Exists:NoExecute',
        'node.kubernetes.io/unreachable:Exists:NoExecute',
        'node.kubernetes.io/disk-pressure:Exists:NoSchedule',
        'node.kubernetes.io/memory-pressure:Exists:NoSchedule',
        'node.kubernetes.io/pid-pressure:Exists:NoSchedule',
        'node.kubernetes.io/unschedulable:Exists:NoSchedule',
      ]) {
        assert.ok(tol.includes(t), `toleration ${t} in ${tol.join(' ')}`);
      }
    }
    let st = await until('status: 3 desired, 3 current', async () => {
      const s = (await dss.get('example-daemonset')).status;
      return s?.desiredNumberScheduled === 3 && s.currentNumberScheduled === 3 ? s : undefined;
    });
    assert.equal(st.numberReady, 0);
    assert.equal(st.numberUnavailable, 3);
    for (const p of byNode.values()) await markPodReady(c, 'default', p.metadata.name ?? '');
    st = await until('3 ready and available', async () => {
      const s = (await dss.get('example-daemonset')).status;
      return s?.numberReady === 3 && s.numberAvailable === 3 ? s : undefined;
    });
    assert.equal(st.updatedNumberScheduled, 3);
    assert.equal(st.numberMisscheduled, 0);
    assert.equal(st.numberUnavailable ?? 0, 0);
    assert.equal(st.observedGeneration, ds.metadata.generation);
    const out = (await c.kubectl(['get', 'ds', 'example-daemonset'])).stdout;
    assert.match(out, /^NAME\s+DESIRED\s+CURRENT\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+NODE SELECTOR\s+AGE/);
    assert.match(out, /\nexample-daemonset\s+3\s+3\s+3\s+3\s+3\s+<none>\s+/);
    const rollout = await c.kubectl(['rollout', 'status', 'ds/example-daemonset', '--timeout=10s']);
    assert.match(rollout.stdout, /daemon set "example-daemonset" successfully rolled out/);
  });

  it('follows nodes: a new node gets a pod, a removed node loses it; a failed pod is replaced', async () => {
    const ds = await dss.get('example-daemonset');
    await createNode(c, 'node-4');
    const byNode = await podsOnNodes(ds, ['node-1', 'node-2', 'node-3', 'node-4']);
    await until('desired 4', async () => (await dss.get('example-daemonset')).status?.desiredNumberScheduled === 4);
    await nodes.delete('node-4');
    await podsOnNodes(ds, ['node-1', 'node-2', 'node-3']);
    await assert.rejects(pods.get(byNode.get('node-4')?.metadata.name ?? ''), (e: unknown) => isStatus(e, 404));
    await until('desired 3', async () => (await dss.get('example-daemonset')).status?.desiredNumberScheduled === 3);

    const failed = byNode.get('node-2')?.metadata.name ?? '';
    await setPodStatus(c, 'default', failed, { phase: 'Failed', ready: false });
    const again = await until('a new pod on node-2', async () => {
      const m = await podsOnNodes(ds, ['node-1', 'node-2', 'node-3']);
      const p = m.get('node-2');
      return p && p.metadata.name !== failed ? p : undefined;
    });
    await assert.rejects(pods.get(failed), (e: unknown) => isStatus(e, 404));
    await markPodReady(c, 'default', again.metadata.name ?? '');
  });

  it('honours nodeSelector: only labelled nodes get pods, unlabelled ones lose them', async () => {
    await c.kubectl(['create', '-f', '-'], {
      input: JSON.stringify({
        apiVersion: 'apps/v1',
        kind: 'DaemonSet',
        metadata: { name: 'ssd-ds' },
        spec: {
          selector: { matchLabels: { app: 'ssd' } },
          template: { metadata: { labels: { app: 'ssd' } }, spec: { nodeSelector: { disk: 'ssd' }, containers: [{ name: 'c', image: 'busybox' }] } },
        },
      }),
    });
    const ds = await dss.get('ssd-ds');
    await sleep(300);
    assert.equal((await dsPods(ds)).length, 0, 'no node is labelled yet');
    await labelNode('node-2', { disk: 'ssd' });
    await podsOnNodes(ds, ['node-2']);
    await labelNode('node-3', { disk: 'ssd' });
    await podsOnNodes(ds, ['node-2', 'node-3']);
    await labelNode('node-2', { disk: null });
    await podsOnNodes(ds, ['node-3']);
    const st = await until('ssd-ds desired 1', async () => {
      const s = (await dss.get('ssd-ds')).status;
      return s?.desiredNumberScheduled === 1 && s.currentNumberScheduled === 1 && s.numberMisscheduled === 0 ? s : undefined;
    });
    assert.equal(st.numberReady, 0);
    const out = (await c.kubectl(['get', 'ds', 'ssd-ds'])).stdout;
    assert.match(out, /\nssd-ds\s+1\s+1\s+0\s+1\s+0\s+disk=ssd\s+/);
    await c.kubectl(['delete', 'ds', 'ssd-ds']);
  });

  it('keeps off untolerated NoSchedule taints and onto tolerated ones', async () => {
    await createNode(c, 'tainted', { pool: 'gpu' }, [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }]);
    await createNode(c, 'plain', { pool: 'gpu' });
    const mk = (name: string, tolerations?: unknown[]) => ({
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name },
      spec: {
        selector: { matchLabels: { app: name } },
        template: {
          metadata: { labels: { app: name } },
          spec: { nodeSelector: { pool: 'gpu' }, ...(tolerations ? { tolerations } : {}), containers: [{ name: 'c', image: 'busybox' }] },
        },
      },
    });
    await c.kubectl(['create', '-f', '-'], { input: JSON.stringify(mk('untolerating')) });
    await c.kubectl(['create', '-f', '-'], {
      input: JSON.stringify(mk('tolerating', [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }])),
    });
    await podsOnNodes(await dss.get('tolerating'), ['plain', 'tainted']);
    await podsOnNodes(await dss.get('untolerating'), ['plain']);
    // basic-daemonset has no toleration either: it goes on 'plain' only.
    await podsOnNodes(await dss.get('example-daemonset'), ['node-1', 'node-2', 'node-3', 'plain']);
    await until('untolerating desired 1', async () => (await dss.get('untolerating')).status?.desiredNumberScheduled === 1);
    // Tainting a node NoSchedule does not evict (shouldContinueRunning); NoExecute does.
    await nodes.patch('plain', 'merge', { spec: { taints: [{ key: 'evict', effect: 'NoExecute' }] } });
    await podsOnNodes(await dss.get('untolerating'), []);
    await podsOnNodes(await dss.get('tolerating'), ['tainted']);
    for (const n of ['untolerating', 'tolerating']) await c.kubectl(['delete', 'ds', n]);
    for (const n of ['tainted', 'plain']) await nodes.delete(n);
    await podsOnNodes(await dss.get('example-daemonset'), ['node-1', 'node-2', 'node-3']);
  });

  it('rolls an image change out node by node within maxUnavailable 1', async () => {
    const ds = await dss.get('example-daemonset');
    assert.equal(ds.spec.updateStrategy?.type, 'RollingUpdate');
    const oldHash = (await dsPods(ds))[0].metadata.labels?.['controller-revision-hash'];
    for (const p of await dsPods(ds)) if (!isReady(p)) await markPodReady(c, 'default', p.metadata.name ?? '');
    await until('3 available before the update', async () => (await dss.get('example-daemonset')).status?.numberAvailable === 3);

    await c.kubectl(['set', 'image', 'ds/example-daemonset', 'pause=registry.k8s.io/pause:3.10']);
    const rollout = c.kubectl(['rollout', 'status', 'ds/example-daemonset', '--timeout=25s']);
    // Play kubelet: a pod becomes Ready 300 ms after it first shows up; watch availability meanwhile.
    const firstSeen = new Map<string, number>();
    let maxUnavailable = 0;
    let newHash = '';
    await until(
      'every pod on the new revision and ready',
      async () => {
        const ps = await dsPods(ds);
        const readyNodes = new Set(ps.filter(isReady).map((p) => getTargetNodeName(p)));
        maxUnavailable = Math.max(maxUnavailable, 3 - readyNodes.size);
        for (const p of ps) {
          const name = p.metadata.name ?? '';
          if (isReady(p)) continue;
          const t = firstSeen.get(name) ?? Date.now();
          firstSeen.set(name, t);
          if (Date.now() - t > 300) await markPodReady(c, 'default', name);
        }
        const hashes = new Set(ps.map((p) => p.metadata.labels?.['controller-revision-hash']));
        if (ps.length !== 3 || hashes.size !== 1 || hashes.has(oldHash) || readyNodes.size !== 3) return undefined;
        newHash = [...hashes][0] ?? '';
        return true;
      },
      25_000,
    );
    assert.equal(maxUnavailable, 1, 'exactly one node at a time was without a ready pod');
    assert.match((await rollout).stdout, /successfully rolled out/);
    for (const p of await dsPods(ds)) assert.equal((p.spec as { containers: { image: string }[] }).containers[0].image, 'registry.k8s.io/pause:3.10');

    const st = await until('status after the update', async () => {
      const cur = await dss.get('example-daemonset');
      const s = cur.status;
      return s?.updatedNumberScheduled === 3 && s.numberAvailable === 3 && s.observedGeneration === cur.metadata.generation ? s : undefined;
    });
    assert.deepEqual([st.desiredNumberScheduled, st.currentNumberScheduled, st.numberReady, st.numberMisscheduled, st.numberUnavailable ?? 0], [3, 3, 3, 0, 0]);
    const revs = (await revisions.list()).items.filter((r) => r.metadata.ownerReferences?.some((o) => o.uid === ds.metadata.uid));
    assert.deepEqual(revs.map((r) => [r.revision, r.metadata.labels?.['controller-revision-hash']]).sort(), [
      [1, oldHash],
      [2, newHash],
    ]);
    // Events are written after the pods change, not with them: wait for them.
    await until('SuccessfulDelete and SuccessfulCreate events', async () => {
      const events = (await ctl.client.resource('v1', 'events').namespace('default').list()).items
        .filter((e) => (e.involvedObject as { uid?: string }).uid === ds.metadata.uid)
        .map((e) => String(e.reason));
      return events.includes('SuccessfulDelete') && events.includes('SuccessfulCreate');
    });

    // revisionHistoryLimit 0: the old revision goes, no pod runs it any more.
    await dss.patch('example-daemonset', 'merge', { spec: { revisionHistoryLimit: 0 } });
    await until('only the current revision left', async () => {
      const l = (await revisions.list()).items.filter((r) => r.metadata.ownerReferences?.some((o) => o.uid === ds.metadata.uid));
      return l.length === 1 && l[0].metadata.labels?.['controller-revision-hash'] === newHash;
    });
  });

  it('OnDelete replaces only the pods that are deleted', async () => {
    const ds = await dss.get('example-daemonset');
    await dss.patch('example-daemonset', 'merge', { spec: { updateStrategy: { type: 'OnDelete', rollingUpdate: null } } });
    const before = await dsPods(ds);
    const hash = before[0].metadata.labels?.['controller-revision-hash'];
    await c.kubectl(['set', 'image', 'ds/example-daemonset', 'pause=registry.k8s.io/pause:3.9']);
    await until('updated 0 of 3', async () => {
      const cur = await dss.get('example-daemonset');
      return cur.status?.observedGeneration === cur.metadata.generation && cur.status?.updatedNumberScheduled === 0;
    });
    await sleep(300);
    assert.deepEqual((await dsPods(ds)).map((p) => p.metadata.name).sort(), before.map((p) => p.metadata.name).sort(), 'no pod replaced by itself');
    const victim = before.find((p) => getTargetNodeName(p) === 'node-1');
    await pods.delete(victim?.metadata.name ?? '');
    const byNode = await until('a new pod on node-1', async () => {
      const m = await podsOnNodes(ds, ['node-1', 'node-2', 'node-3']);
      return m.get('node-1')?.metadata.name !== victim?.metadata.name ? m : undefined;
    });
    assert.notEqual(byNode.get('node-1')?.metadata.labels?.['controller-revision-hash'], hash);
    assert.equal(byNode.get('node-2')?.metadata.labels?.['controller-revision-hash'], hash);
    await until('updated 1 of 3', async () => (await dss.get('example-daemonset')).status?.updatedNumberScheduled === 1);
  });
});
