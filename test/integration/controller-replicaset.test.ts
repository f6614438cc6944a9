// The ReplicaSet controller against a real apiserver (no kubelet, no scheduler:
// the test binds pods and marks them Running/Ready itself).
import { afterAll, beforeAll, describe, it, jest } from '@jest/globals';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { isStatus, type ResourceClient } from '../../pkg/client/rest.js';
import { ReplicaSetController } from '../../pkg/controller/replicaset/replica_set.js';
import type { ReplicaSet } from '../../api/apps/v1/types.js';
import type { Pod } from '../../api/core/v1/types.js';
import { startCluster, type TestCluster } from '../support/cluster.js';
import { controlledBy, eventMessages, markPodReady, startControllers, until, type RunningControllers } from '../support/controllers.js';

const FRONTEND = join(process.cwd(), 'test/fixtures/examples/controllers/frontend.yaml');

jest.setTimeout(60_000);
describe('ReplicaSet controller', () => {
  let c: TestCluster;
  let ctl: RunningControllers;
  let pods: ResourceClient<Pod>;
  let rss: ResourceClient<ReplicaSet>;

  beforeAll(async () => {
    c = await startCluster();
    ctl = startControllers(c, (h) => [[new ReplicaSetController(h.context('replicaset-controller')), 2]]);
    pods = ctl.client.resource<Pod>('v1', 'pods').namespace('default');
    rss = ctl.client.resource<ReplicaSet>('apps/v1', 'replicasets').namespace('default');
  });
  afterAll(async () => {
    await ctl?.stop();
    await c?.stop();
  });

  /** Active pods controlled by rs (not being deleted). */
  async function ownedPods(rs: ReplicaSet): Promise<Pod[]> {
    const list = await pods.list();
    return list.items.filter((p) => !p.metadata.deletionTimestamp && controlledBy(p, rs));
  }

  async function podsCount(rs: ReplicaSet, n: number): Promise<Pod[]> {
    return until(`${n} pods of ${rs.metadata.name}`, async () => {
      const ps = await ownedPods(rs);
      return ps.length === n ? ps : undefined;
    });
  }

  async function bind(name: string, node: string): Promise<void> {
    await ctl.client.rest.request('POST', pods.path('default', name, 'binding'), {
      body: { apiVersion: 'v1', kind: 'Binding', metadata: { name }, target: { apiVersion: 'v1', kind: 'Node', name: node } },
    });
  }

  const events = (rs: ReplicaSet, reason: string) => eventMessages(c, rs, reason);

  it('creates the pods of frontend.yaml and reports them ready', async () => {
    await c.kubectl(['apply', '-f', FRONTEND]);
    const rs = await rss.get('frontend');
    const ps = await podsCount(rs, 3);
    for (const p of ps) {
      assert.match(p.metadata.name ?? '', /^frontend-[a-z0-9]{5}$/);
      assert.equal(p.metadata.generateName, 'frontend-');
      assert.deepEqual(p.metadata.labels, { tier: 'frontend' });
      assert.deepEqual(p.metadata.ownerReferences, [
        { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'frontend', uid: rs.metadata.uid, controller: true, blockOwnerDeletion: true },
      ]);
      assert.equal((p.spec as { containers: { image: string }[] }).containers[0].image, 'nginx');
    }
    await until('status.replicas 3', async () => (await rss.get('frontend')).status?.replicas === 3);
    let st = (await rss.get('frontend')).status;
    assert.equal(st?.readyReplicas ?? 0, 0);
    assert.equal(st?.fullyLabeledReplicas, 3);
    for (const p of ps) await markPodReady(c, 'default', p.metadata.name ?? '');
    st = await until('3 ready and available', async () => {
      const s = (await rss.get('frontend')).status;
      return s?.readyReplicas === 3 && s.availableReplicas === 3 ? s : undefined;
    });
    assert.equal(st.observedGeneration, rs.metadata.generation);
    const out = (await c.kubectl(['get', 'rs', 'frontend'])).stdout.trim().split('\n');
    assert.deepEqual(out[0].split(/\s+/), ['NAME', 'DESIRED', 'CURRENT', 'READY', 'AGE']);
    assert.deepEqual(out[1].split(/\s+/).slice(0, 4), ['frontend', '3', '3', '3']);
    const created = await until('SuccessfulCreate events', async () => {
      const m = await events(rs, 'SuccessfulCreate');
      return m.length === 3 ? m : undefined;
    });
    assert.deepEqual(created.sort(), ps.map((p) => `Created pod: ${p.metadata.name}`).sort());
  });

  it('scales up, then deletes unscheduled and not-ready pods first when scaling down', async () => {
    const rs = await rss.get('frontend');
    const old = await ownedPods(rs);
    await c.kubectl(['scale', 'rs', 'frontend', '--replicas=5']);
    const five = await podsCount(rs, 5);
    const fresh = five.filter((p) => !old.some((o) => o.metadata.name === p.metadata.name));
    assert.equal(fresh.length, 2);
    // keep: scheduled, Running, ready. D: scheduled but Pending. B, C: ready but unscheduled. E: neither.
    const [keep, b, c2] = old.map((p) => p.metadata.name ?? '');
    const [d, e] = fresh.map((p) => p.metadata.name ?? '');
    await bind(keep, 'node-1');
    await bind(d, 'node-1');
    await until('status 5 replicas, 3 ready', async () => {
      const s = (await rss.get('frontend')).status;
      return s?.replicas === 5 && s.readyReplicas === 3;
    });

    await c.kubectl(['scale', 'rs', 'frontend', '--replicas=2']);
    const two = await podsCount(rs, 2);
    assert.deepEqual(two.map((p) => p.metadata.name).sort(), [keep, d].sort(), 'the three unscheduled pods (b, c, e) go first');
    for (const n of [b, c2, e])
      await until(`${n} gone`, async () =>
        pods.get(n).then(
          () => false,
          (err) => isStatus(err, 404),
        ),
      );

    await c.kubectl(['scale', 'rs', 'frontend', '--replicas=1']);
    const one = await podsCount(rs, 1);
    assert.equal(one[0].metadata.name, keep, 'the Pending, not-ready pod goes before the Running, ready one');
    // A scheduled pod is deleted gracefully: it stays, marked, until its kubelet finishes it.
    const dying = await pods.get(d);
    assert.ok(dying.metadata.deletionTimestamp);
    const s = await until('status 1/1', async () => {
      const st = (await rss.get('frontend')).status;
      return st?.replicas === 1 && st.readyReplicas === 1 ? st : undefined;
    });
    assert.equal(s.availableReplicas, 1);
    const deleted = await until('SuccessfulDelete events', async () => {
      const m = await events(rs, 'SuccessfulDelete');
      return m.length === 4 ? m : undefined;
    });
    assert.deepEqual(deleted.sort(), [b, c2, d, e].map((n) => `Deleted pod: ${n}`).sort());
  });

  it('adopts a matching orphan, and releases and replaces a pod whose labels no longer match', async () => {
    await pods.create({ metadata: { name: 'orphan', labels: { app: 'adopt' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } });
    const rs = await rss.create({
      metadata: { name: 'adopter' },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'adopt' } },
        template: { metadata: { labels: { app: 'adopt' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } },
      },
    });
    const ps = await podsCount(rs, 2);
    assert.ok(
      ps.some((p) => p.metadata.name === 'orphan'),
      'the orphan was adopted',
    );
    const orphan = await pods.get('orphan');
    assert.deepEqual(orphan.metadata.ownerReferences, [
      { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'adopter', uid: rs.metadata.uid, controller: true, blockOwnerDeletion: true },
    ]);
    // Give a wrong extra create time to show itself, then check there were exactly two pods.
    await until('the SuccessfulCreate event', async () => (await events(rs, 'SuccessfulCreate')).length > 0);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await pods.list({ labelSelector: 'app=adopt' })).items.length, 2);
    assert.equal((await events(rs, 'SuccessfulCreate')).length, 1);

    await pods.patch('orphan', 'merge', { metadata: { labels: { app: 'elsewhere' } } });
    await until('orphan released', async () => {
      const p = await pods.get('orphan');
      return (p.metadata.ownerReferences ?? []).length === 0;
    });
    const now = await podsCount(rs, 2);
    assert.ok(!now.some((p) => p.metadata.name === 'orphan'));
    assert.ok(now.every((p) => p.metadata.labels?.app === 'adopt'));
  });

  it('replaces a deleted pod', async () => {
    const rs = await rss.get('adopter');
    const before = await ownedPods(rs);
    const victim = before[0].metadata.name ?? '';
    await pods.delete(victim);
    const after = await until('a replacement', async () => {
      const ps = await ownedPods(rs);
      return ps.length === 2 && !ps.some((p) => p.metadata.name === victim) ? ps : undefined;
    });
    assert.ok(after.some((p) => p.metadata.name === before[1].metadata.name));
  });

  it('follows metadata.generation in status.observedGeneration', async () => {
    const rs = await rss.get('adopter');
    const gen = rs.metadata.generation ?? 0;
    await until('observedGeneration caught up', async () => (await rss.get('adopter')).status?.observedGeneration === gen);
    await rss.patch('adopter', 'merge', { spec: { minReadySeconds: 3 } });
    const bumped = await rss.get('adopter');
    assert.ok((bumped.metadata.generation ?? 0) > gen);
    await until('observedGeneration follows', async () => (await rss.get('adopter')).status?.observedGeneration === bumped.metadata.generation);
    // minReadySeconds: ready pods become available only after 3 s (2 s at least: the Ready
    // condition's lastTransitionTime has whole seconds), time enough to see them ready but not available.
    const ps = await ownedPods(bumped);
    for (const p of ps) await markPodReady(c, 'default', p.metadata.name ?? '');
    const st = await until('ready 2', async () => {
      const s = (await rss.get('adopter')).status;
      return s?.readyReplicas === 2 ? s : undefined;
    });
    assert.ok((st.availableReplicas ?? 0) < 2, 'not available before minReadySeconds');
    await until('available 2 after minReadySeconds', async () => (await rss.get('adopter')).status?.availableReplicas === 2);
  });
});
