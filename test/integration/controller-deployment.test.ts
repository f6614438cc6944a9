// The Deployment controller against a real apiserver, with the real ReplicaSet
// controller making pods. No kubelet exists, so a small "readiness" helper here
// marks pods Running/Ready (PUT pods/<name>/status) after a short lag, except
// pods whose image is listed as never becoming ready.
import type { Pod, PodSpec } from '../../api/core/v1/types.js';
import type { Deployment, ReplicaSet } from '../../api/apps/v1/types.js';
import { afterAll, beforeAll, describe, it, jest } from '@jest/globals';
import assert from 'node:assert/strict';
import type { Event } from '../../api/core/v1/types.js';
import type { SharedInformerFactory } from '../../pkg/client/factory.js';
import type { Client, ResourceClient, WatchHandle } from '../../pkg/client/rest.js';
import { DeploymentController } from '../../pkg/controller/deployment/deployment_controller.js';
import { ReplicaSetController } from '../../pkg/controller/replicaset/replica_set.js';
import { computeHash } from '../../pkg/controller/deployment/util/hash.js';
import { resolveFenceposts } from '../../pkg/controller/deployment/util/intstr.js';
import { getProportion } from '../../pkg/controller/deployment/util/replicas.js';
import { safeEncodeString } from '../../pkg/util/hash.js';
import { equalIgnoreHash } from '../../pkg/controller/deployment/util/replicasets.js';
import { logger } from '../../pkg/util/log.js';
import { startCluster, type TestCluster } from '../support/cluster.js';
import { setPodStatus, sleep, startControllers, until, type RunningControllers } from '../support/controllers.js';

const REVISION = 'deployment.kubernetes.io/revision';
const verbosity = process.env.TIMONEL_TEST_LOG ? 4 : -1;

function containerImage(obj: { spec?: PodSpec } | undefined): string | undefined {
  return obj?.spec?.containers?.[0]?.image;
}

/** Stands in for the kubelet's readiness reports: pods become Running and Ready lagMs after they appear. */
class PodReadiness {
  readonly neverReady = new Set<string>();
  private readonly pending = new Set<string>();
  constructor(
    private readonly c: TestCluster,
    factory: SharedInformerFactory,
    private readonly lagMs = 150,
  ) {
    const inf = factory.forResource<Pod>('v1', 'pods');
    inf.addEventHandler({ onAdd: (p) => this.consider(p), onUpdate: (_o, p) => this.consider(p) });
  }

  private consider(pod: Pod): void {
    const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
    if (pod.metadata.deletionTimestamp || this.pending.has(key)) return;
    if (pod.status?.phase === 'Running') return;
    if (this.neverReady.has(containerImage(pod) ?? '')) return;
    this.pending.add(key);
    const ready = () =>
      setPodStatus(this.c, pod.metadata.namespace ?? 'default', pod.metadata.name ?? '', { conditionTypes: ['Ready', 'ContainersReady'], ifExists: true });
    setTimeout(() => void ready().finally(() => this.pending.delete(key)), this.lagMs);
  }
}

describe('deployment util', () => {
  it('resolves fenceposts as upstream: surge rounds up, unavailable down, never both 0', () => {
    assert.deepEqual(resolveFenceposts('25%', '25%', 10), { surge: 3, unavailable: 2 });
    assert.deepEqual(resolveFenceposts('25%', '25%', 1), { surge: 1, unavailable: 0 });
    assert.deepEqual(resolveFenceposts(0, 0, 5), { surge: 0, unavailable: 1 });
    assert.deepEqual(resolveFenceposts(0, '10%', 5), { surge: 0, unavailable: 1 });
    assert.throws(() => resolveFenceposts('3', 0, 5), /invalid value for IntOrString/);
  });
  it('encodes with the SafeEncodeString alphabet, digit by digit', () => {
    assert.equal(safeEncodeString('0123456789'), '456789bcdf');
  });
  it('ignores pod-template-hash, null creationTimestamp and empty resources when comparing templates', () => {
    const a = { metadata: { labels: { app: 'x', 'pod-template-hash': 'abc' } }, spec: { containers: [{ name: 'c', image: 'i' }] } };
    const b = { metadata: { labels: { app: 'x' }, creationTimestamp: null }, spec: { containers: [{ name: 'c', image: 'i', resources: {} }] } };
    assert.ok(equalIgnoreHash(a, b as never));
    assert.ok(!equalIgnoreHash(a, { ...b, spec: { containers: [{ name: 'c', image: 'j' }] } } as never));
  });
  it('shares a scale-up proportionally to max-replicas (upstream 10 -> 15 example)', () => {
    const d = {
      metadata: {},
      spec: { replicas: 15, template: {}, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 3, maxUnavailable: 2 } } },
    } as Deployment;
    const rs = (n: number) =>
      ({ metadata: { annotations: { 'deployment.kubernetes.io/max-replicas': '13' } }, spec: { replicas: n, selector: {} } }) as ReplicaSet;
    const toAdd = 18 - 13;
    const old = getProportion(rs(8), d, toAdd, 0);
    assert.equal(old, 3);
    assert.equal(getProportion(rs(5), d, toAdd, old), 2);
  });
});

jest.setTimeout(180_000);
describe('Deployment controller', () => {
  let c: TestCluster;
  let ctl: RunningControllers;
  let client: Client;
  let deployments: ResourceClient<Deployment>;
  let replicaSets: ResourceClient<ReplicaSet>;
  let readiness: PodReadiness;

  beforeAll(async () => {
    c = await startCluster();
    const log = logger('deployment-test', verbosity);
    ctl = startControllers(c, (h) => {
      readiness = new PodReadiness(c, h.informers);
      return [
        [new DeploymentController(h.context('deployment-controller', log)), 2],
        [new ReplicaSetController(h.context('replicaset-controller', log)), 2],
      ];
    });
    client = ctl.client;
    deployments = client.resource<Deployment>('apps/v1', 'deployments');
    replicaSets = client.resource<ReplicaSet>('apps/v1', 'replicasets');
  });
  afterAll(async () => {
    await ctl?.stop();
    await c?.stop();
  });

  const getD = (ns: string, name: string) => deployments.namespace(ns).get(name);
  const rsOf = async (ns: string, d: Deployment): Promise<ReplicaSet[]> =>
    (await replicaSets.namespace(ns).list()).items.filter((rs) => rs.metadata.ownerReferences?.some((r) => r.uid === d.metadata.uid && r.controller));
  const complete = (d: Deployment) => {
    const s = d.status ?? {};
    const r = d.spec.replicas ?? 1;
    return (
      (s.observedGeneration ?? 0) >= (d.metadata.generation ?? 0) &&
      (s.updatedReplicas ?? 0) === r &&
      (s.replicas ?? 0) === r &&
      (s.availableReplicas ?? 0) === r
    );
  };
  async function namespace(name: string): Promise<string> {
    await c.kubectl(['create', 'namespace', name]);
    return name;
  }
  function yaml(name: string, opts: { replicas: number; image: string; strategy?: string; extra?: string }): string {
    return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  replicas: ${opts.replicas}
  selector:
    matchLabels: {app: ${name}}
${opts.strategy ?? ''}${opts.extra ?? ''}  template:
    metadata:
      labels: {app: ${name}}
    spec:
      containers:
      - name: c
        image: ${opts.image}
`;
  }

  /** Watches the namespace's ReplicaSets, calling check with the current set after every event. */
  async function watchReplicaSets(ns: string, check: (all: ReplicaSet[]) => void): Promise<WatchHandle> {
    const state = new Map<string, ReplicaSet>();
    const list = await replicaSets.namespace(ns).list();
    for (const rs of list.items) state.set(rs.metadata.name ?? '', rs);
    return replicaSets.namespace(ns).watch({ resourceVersion: list.metadata?.resourceVersion }, (type, rs) => {
      if (type === 'DELETED') state.delete(rs.metadata.name ?? '');
      else if (type !== 'BOOKMARK') state.set(rs.metadata.name ?? '', rs);
      check([...state.values()]);
    });
  }

  let firstRS = '';

  it('creates one ReplicaSet named <deployment>-<pod-template-hash>, revision 1, and completes', async () => {
    await namespace('roll');
    await c.kubectl(['apply', '-n', 'roll', '-f', 'test/fixtures/examples/application/deployment.yaml']);
    const d = await until('the deployment to be available', async () => {
      const d = await getD('roll', 'nginx-deployment');
      return (d.status?.availableReplicas ?? 0) === 2 && complete(d) ? d : undefined;
    });
    const rss = await rsOf('roll', d);
    assert.equal(rss.length, 1);
    const rs = rss[0];
    const hash = computeHash(d.spec.template);
    assert.equal(rs.metadata.name, `nginx-deployment-${hash}`);
    assert.match(hash, /^[bcdfghjklmnpqrstvwxz2456789]+$/);
    assert.equal(rs.metadata.labels?.['pod-template-hash'], hash);
    assert.equal(rs.spec.selector?.matchLabels?.['pod-template-hash'], hash);
    assert.equal(rs.spec.template?.metadata?.labels?.['pod-template-hash'], hash);
    assert.equal(rs.spec.replicas, 2);
    assert.equal(rs.metadata.annotations?.[REVISION], '1');
    assert.equal(rs.metadata.annotations?.['deployment.kubernetes.io/desired-replicas'], '2');
    assert.equal(rs.metadata.annotations?.['deployment.kubernetes.io/max-replicas'], '3');
    assert.equal(d.metadata.annotations?.[REVISION], '1');
    const available = d.status?.conditions?.find((x) => x.type === 'Available');
    assert.equal(available?.status, 'True');
    assert.equal(available?.reason, 'MinimumReplicasAvailable');
    const progressing = d.status?.conditions?.find((x) => x.type === 'Progressing');
    assert.equal(progressing?.status, 'True');
    assert.equal(progressing?.reason, 'NewReplicaSetAvailable');
    assert.equal(progressing?.message, `ReplicaSet "${rs.metadata.name}" has successfully progressed.`);
    firstRS = rs.metadata.name ?? '';
    const out = await c.kubectl(['rollout', 'status', 'deployment/nginx-deployment', '-n', 'roll', '--timeout=20s']);
    assert.match(out.stdout, /deployment "nginx-deployment" successfully rolled out/);
    // Events are written after the change they report: wait for it.
    await until('a ScalingReplicaSet event', async () => {
      const events = (await client.resource<Event>('v1', 'events').namespace('roll').list()).items;
      return events.some(
        (e) => e.reason === 'ScalingReplicaSet' && e.involvedObject.kind === 'Deployment' && e.message === `Scaled up replica set ${firstRS} from 0 to 2`,
      );
    });
  });

  it('rolls out a new template within maxSurge/maxUnavailable; history lists both revisions', async () => {
    const { surge, unavailable } = resolveFenceposts('25%', '25%', 2);
    assert.deepEqual({ surge, unavailable }, { surge: 1, unavailable: 0 });
    const violations: string[] = [];
    let maxTotal = 0;
    const w = await watchReplicaSets('roll', (all) => {
      const total = all.reduce((n, rs) => n + (rs.spec.replicas ?? 0), 0);
      const available = all.reduce((n, rs) => n + (rs.status?.availableReplicas ?? 0), 0);
      maxTotal = Math.max(maxTotal, total);
      if (total > 2 + surge) violations.push(`total ${total} > ${2 + surge}`);
      if (available < 2 - unavailable) violations.push(`available ${available} < ${2 - unavailable}`);
    });
    try {
      await c.kubectl(['apply', '-n', 'roll', '-f', 'test/fixtures/examples/application/deployment-update.yaml']);
      const d = await until('the rollout to finish', async () => {
        const d = await getD('roll', 'nginx-deployment');
        if (!complete(d) || d.metadata.annotations?.[REVISION] !== '2') return undefined;
        const rss = await rsOf('roll', d);
        return rss.length === 2 && rss.find((rs) => rs.metadata.name === firstRS)?.spec.replicas === 0 ? d : undefined;
      });
      const rss = await rsOf('roll', d);
      const next = rss.find((rs) => rs.metadata.name !== firstRS);
      assert.equal(next?.metadata.annotations?.[REVISION], '2');
      assert.equal(containerImage(next?.spec.template), 'nginx:1.16.1');
      assert.equal(next?.spec.replicas, 2);
    } finally {
      w.stop();
    }
    assert.deepEqual(violations, []);
    assert.equal(maxTotal, 3, 'the rollout used its surge');
    const history = await c.kubectl(['rollout', 'history', 'deployment/nginx-deployment', '-n', 'roll']);
    assert.match(history.stdout, /^1\s+<none>/m);
    assert.match(history.stdout, /^2\s+<none>/m);
    await until(`a "Scaled down replica set ${firstRS} from 2 to 1" event`, async () => {
      const events = (await client.resource<Event>('v1', 'events').namespace('roll').list()).items.map((e) => e.message);
      return events.some((m) => m?.startsWith(`Scaled down replica set ${firstRS} from 2 to 1`));
    });
  });

  it('kubectl rollout undo brings back the first template as revision 3', async () => {
    const out = await c.kubectl(['rollout', 'undo', 'deployment/nginx-deployment', '-n', 'roll']);
    assert.match(out.stdout, /rolled back/);
    const d = await until('the rollback to finish', async () => {
      const d = await getD('roll', 'nginx-deployment');
      return complete(d) && d.metadata.annotations?.[REVISION] === '3' ? d : undefined;
    });
    assert.equal(containerImage(d.spec.template), 'nginx:1.14.2');
    const rss = await rsOf('roll', d);
    assert.equal(rss.length, 2, 'the old ReplicaSet is reused, not a new one made');
    const first = rss.find((rs) => rs.metadata.name === firstRS);
    assert.equal(first?.spec.replicas, 2);
    assert.equal(first?.metadata.annotations?.[REVISION], '3');
    assert.equal(first?.metadata.annotations?.['deployment.kubernetes.io/revision-history'], '1');
    assert.equal(rss.find((rs) => rs.metadata.name !== firstRS)?.spec.replicas, 0);
    await c.kubectl(['rollout', 'status', 'deployment/nginx-deployment', '-n', 'roll', '--timeout=20s']);
    const history = await c.kubectl(['rollout', 'history', 'deployment/nginx-deployment', '-n', 'roll']);
    assert.match(history.stdout, /^2\s/m);
    assert.match(history.stdout, /^3\s/m);
    assert.doesNotMatch(history.stdout, /^1\s/m, 'revision 1 became revision 3');
  });

  it('Recreate scales the old ReplicaSet to 0 and waits for its pods before scaling the new one up', async () => {
    const ns = await namespace('recreate');
    await c.kubectl(['apply', '-n', ns, '-f', '-'], { input: yaml('web', { replicas: 3, image: 'nginx:1.14.2', strategy: '  strategy: {type: Recreate}\n' }) });
    const d0 = await until('available', async () => {
      const d = await getD(ns, 'web');
      return complete(d) ? d : undefined;
    });
    const [old] = await rsOf(ns, d0);
    const violations: string[] = [];
    const w = await watchReplicaSets(ns, (all) => {
      const oldRS = all.find((rs) => rs.metadata.name === old.metadata.name);
      const newUp = all.some((rs) => rs.metadata.name !== old.metadata.name && (rs.spec.replicas ?? 0) > 0);
      if (newUp && ((oldRS?.spec.replicas ?? 0) > 0 || (oldRS?.status?.replicas ?? 0) > 0))
        violations.push(`new scaled up while old has ${oldRS?.spec.replicas}/${oldRS?.status?.replicas}`);
    });
    try {
      await c.kubectl(['set', 'image', 'deployment/web', 'c=nginx:1.16.1', '-n', ns]);
      await until('the recreate to finish', async () => {
        const d = await getD(ns, 'web');
        return complete(d) && d.metadata.annotations?.[REVISION] === '2';
      });
    } finally {
      w.stop();
    }
    assert.deepEqual(violations, []);
    const d = await getD(ns, 'web');
    const rss = await rsOf(ns, d);
    assert.equal(rss.find((rs) => rs.metadata.name === old.metadata.name)?.spec.replicas, 0);
    assert.equal(rss.find((rs) => rs.metadata.name !== old.metadata.name)?.spec.replicas, 3);
  });

  it('scales proportionally during a rollout (10 replicas, maxSurge 3, maxUnavailable 2, scaled to 15)', async () => {
    const ns = await namespace('proportional');
    readiness.neverReady.add('nginx:sometag');
    const strategy = '  strategy:\n    type: RollingUpdate\n    rollingUpdate: {maxSurge: 3, maxUnavailable: 2}\n';
    await c.kubectl(['apply', '-n', ns, '-f', '-'], { input: yaml('nginx-deployment', { replicas: 10, image: 'nginx:1.14.2', strategy }) });
    const d0 = await until('10 available', async () => {
      const d = await getD(ns, 'nginx-deployment');
      return complete(d) ? d : undefined;
    });
    const [old] = await rsOf(ns, d0);
    await c.kubectl(['set', 'image', 'deployment/nginx-deployment', 'c=nginx:sometag', '-n', ns]);
    const sizes = async () => {
      const rss = await rsOf(ns, await getD(ns, 'nginx-deployment'));
      return {
        old: rss.find((rs) => rs.metadata.name === old.metadata.name)?.spec.replicas,
        new: rss.find((rs) => rs.metadata.name !== old.metadata.name)?.spec.replicas,
      };
    };
    await until('the stuck rollout: old 8, new 5', async () => {
      const s = await sizes();
      return s.old === 8 && s.new === 5;
    });
    await c.kubectl(['scale', 'deployment/nginx-deployment', '--replicas=15', '-n', ns]);
    await until('old 11, new 7', async () => {
      const s = await sizes();
      return s.old === 11 && s.new === 7;
    });
    // and it stays there: the new pods never become available
    await sleep(500);
    assert.deepEqual(await sizes(), { old: 11, new: 7 });
  });

  it('a paused Deployment makes no new ReplicaSet until resumed, but still scales', async () => {
    const ns = await namespace('paused');
    await c.kubectl(['apply', '-n', ns, '-f', '-'], { input: yaml('web', { replicas: 2, image: 'nginx:1.14.2' }) });
    await until('available', async () => complete(await getD(ns, 'web')));
    await c.kubectl(['rollout', 'pause', 'deployment/web', '-n', ns]);
    await c.kubectl(['set', 'image', 'deployment/web', 'c=nginx:1.16.1', '-n', ns]);
    await until(
      'the Paused condition',
      async () => (await getD(ns, 'web')).status?.conditions?.find((x) => x.type === 'Progressing')?.reason === 'DeploymentPaused',
    );
    await c.kubectl(['scale', 'deployment/web', '--replicas=3', '-n', ns]);
    const scaled = await until('the paused deployment to scale', async () => {
      const rss = await rsOf(ns, await getD(ns, 'web'));
      return rss.length === 1 && rss[0].spec.replicas === 3 ? rss : undefined;
    });
    assert.equal(containerImage(scaled[0].spec.template), 'nginx:1.14.2');
    await sleep(1000);
    assert.equal((await rsOf(ns, await getD(ns, 'web'))).length, 1, 'no new ReplicaSet while paused');
    await c.kubectl(['rollout', 'resume', 'deployment/web', '-n', ns]);
    const d = await until('the resumed rollout to finish', async () => {
      const d = await getD(ns, 'web');
      return complete(d) && d.metadata.annotations?.[REVISION] === '2' ? d : undefined;
    });
    assert.equal((await rsOf(ns, d)).length, 2);
    assert.equal(d.status?.conditions?.find((x) => x.type === 'Progressing')?.reason, 'NewReplicaSetAvailable');
  });

  it('kubectl rollout restart is a template change: a new ReplicaSet', async () => {
    const ns = 'paused';
    await c.kubectl(['rollout', 'restart', 'deployment/web', '-n', ns]);
    const d = await until('the restart to finish', async () => {
      const d = await getD(ns, 'web');
      return complete(d) && d.metadata.annotations?.[REVISION] === '3' ? d : undefined;
    });
    assert.ok(d.spec.template.metadata?.annotations?.['kubectl.kubernetes.io/restartedAt']);
    assert.equal((await rsOf(ns, d)).length, 3);
  });

  it('Progressing turns False (ProgressDeadlineExceeded) when the new pods never become available', async () => {
    const ns = await namespace('deadline');
    readiness.neverReady.add('nginx:broken');
    await c.kubectl(['apply', '-n', ns, '-f', '-'], { input: yaml('stuck', { replicas: 2, image: 'nginx:broken', extra: '  progressDeadlineSeconds: 2\n' }) });
    const cond = await until(
      'ProgressDeadlineExceeded',
      async () => {
        const d = await getD(ns, 'stuck');
        const p = d.status?.conditions?.find((x) => x.type === 'Progressing');
        return p?.status === 'False' ? p : undefined;
      },
      10_000,
    );
    assert.equal(cond.reason, 'ProgressDeadlineExceeded');
    assert.match(cond.message ?? '', /^ReplicaSet "stuck-[a-z0-9]+" has timed out progressing\.$/);
    const d = await getD(ns, 'stuck');
    assert.equal(d.status?.conditions?.find((x) => x.type === 'Available')?.status, 'False');
    assert.equal(d.status?.unavailableReplicas, 2);
    const out = await c.kubectl(['rollout', 'status', 'deployment/stuck', '-n', ns, '--timeout=5s'], { allowFail: true });
    assert.notEqual(out.code, 0);
    assert.match(out.stderr, /exceeded its progress deadline/);
  });
});
