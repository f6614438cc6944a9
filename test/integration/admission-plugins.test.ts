// Admission plugins against a real apiserver through the real kubectl: ResourceQuota
// and LimitRanger (with the resourcequota controller running in this process) on the
// Kubernetes documentation's "Configure Memory and CPU Quotas for a Namespace" and
// "Configure Default Memory Requests and Limits for a Namespace" tasks, on their
// example files; DefaultStorageClass on claims.
import { afterAll, beforeAll, describe, it, jest } from '@jest/globals';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Pod, ResourceQuota } from '../../api/core/v1/types.js';
import { ResourceQuotaController } from '../../pkg/controller/resourcequota/resource_quota_controller.js';
import { startCluster, type TestCluster } from '../support/cluster.js';
import { startControllers, until, type RunningControllers } from '../support/controllers.js';

const RESOURCE = join(process.cwd(), 'test/fixtures/examples/admin/resource');

/** quota-mem-cpu-pod-2.yaml from the task's page (not among the vendored examples). */
const QUOTA_MEM_CPU_POD_2 = `apiVersion: v1
kind: Pod
metadata:
  name: quota-mem-cpu-demo-2
spec:
  containers:
  - name: quota-mem-cpu-demo-2-ctr
    image: redis
    resources:
      limits:
        memory: "1Gi"
        cpu: "800m"
      requests:
        memory: "700Mi"
        cpu: "400m"
`;

const podYAML = (name: string) => `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\nspec:\n  containers:\n  - name: c\n    image: busybox\n`;

jest.setTimeout(120_000);
describe('ResourceQuota and LimitRanger admission', () => {
  let c: TestCluster;
  let ctl: RunningControllers;

  beforeAll(async () => {
    c = await startCluster();
    ctl = startControllers(c, (h) => [[new ResourceQuotaController(h.context('resourcequota-controller'), { resyncPeriodMs: 1000 }), 1]]);
  });
  afterAll(async () => {
    await ctl?.stop();
    await c?.stop();
  });

  const namespace = (ns: string) => c.kubectl(['create', 'namespace', ns]);
  const getQuota = async (ns: string, name: string) =>
    JSON.parse((await c.kubectl(['get', 'resourcequota', name, '-n', ns, '-o', 'json'])).stdout) as ResourceQuota;

  it('quota-mem-cpu: the first pod fits, the second exceeds requests.memory with upstream message', async () => {
    await namespace('quota-mem-cpu-example');
    const ns = ['--namespace', 'quota-mem-cpu-example'];
    await c.kubectl(['apply', '-f', join(RESOURCE, 'quota-mem-cpu.yaml'), ...ns]);
    await c.kubectl(['apply', '-f', join(RESOURCE, 'quota-mem-cpu-pod.yaml'), ...ns]);
    const quota = await until('the quota counts the pod', async () => {
      const q = await getQuota('quota-mem-cpu-example', 'mem-cpu-demo');
      return q.status?.used?.['requests.memory'] === '600Mi' && q;
    });
    assert.deepEqual(quota.status?.used, { 'limits.cpu': '800m', 'limits.memory': '800Mi', 'requests.cpu': '400m', 'requests.memory': '600Mi' });
    assert.deepEqual(quota.status?.hard, { 'limits.cpu': '2', 'limits.memory': '2Gi', 'requests.cpu': '1', 'requests.memory': '1Gi' });

    const second = await c.kubectl(['apply', '-f', '-', ...ns], { input: QUOTA_MEM_CPU_POD_2, allowFail: true });
    assert.notEqual(second.code, 0);
    assert.match(
      second.stderr,
      /Error from server \(Forbidden\): .*pods "quota-mem-cpu-demo-2" is forbidden: exceeded quota: mem-cpu-demo, requested: requests.memory=700Mi, used: requests.memory=600Mi, limited: requests.memory=1Gi/,
    );
    const describe = await c.kubectl(['describe', 'quota', 'mem-cpu-demo', ...ns]);
    assert.match(describe.stdout, /requests\.memory\s+600Mi\s+1Gi/);
    assert.match(describe.stdout, /limits\.cpu\s+800m\s+2/);

    // A pod without limits is refused for them, in upstream's words.
    const bare = await c.kubectl(['apply', '-f', '-', ...ns], { input: podYAML('no-limits'), allowFail: true });
    assert.match(
      bare.stderr,
      /pods "no-limits" is forbidden: failed quota: mem-cpu-demo: must specify limits.cpu for: c; limits.memory for: c; requests.cpu for: c; requests.memory for: c/,
    );
  });

  it('a pods=1 quota refuses the second pod, shows pods: 1 used, and frees the slot when the pod goes', async () => {
    await namespace('pods-one');
    await c.kubectl(['create', 'quota', 'q', '--hard=pods=1', '-n', 'pods-one']);
    await c.kubectl(['apply', '-f', '-', '-n', 'pods-one'], { input: podYAML('p1') });
    const second = await c.kubectl(['apply', '-f', '-', '-n', 'pods-one'], { input: podYAML('p2'), allowFail: true });
    assert.match(second.stderr, /pods "p2" is forbidden: exceeded quota: q, requested: pods=1, used: pods=1, limited: pods=1/);
    assert.equal((await getQuota('pods-one', 'q')).status?.used?.pods, '1');
    await c.kubectl(['delete', 'pod', 'p1', '-n', 'pods-one', '--grace-period=0', '--force'], { allowFail: true });
    await until('the controller gives the slot back', async () => (await getQuota('pods-one', 'q')).status?.used?.pods === '0');
    await c.kubectl(['apply', '-f', '-', '-n', 'pods-one'], { input: podYAML('p2') });
  });

  it('concurrent creates do not both take the last slot', async () => {
    await namespace('race');
    await c.kubectl(['create', 'quota', 'q', '--hard=configmaps=3', '-n', 'race']);
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => c.kubectl(['create', 'configmap', `cm${i}`, '-n', 'race'], { allowFail: true })));
    assert.equal(results.filter((r) => r.code === 0).length, 3, results.map((r) => r.stderr).join('\n'));
    assert.equal((await getQuota('race', 'q')).status?.used?.configmaps, '3');
  });

  it('memory-defaults: the pod gets the default request 256Mi and limit 512Mi', async () => {
    await namespace('default-mem-example');
    const ns = ['--namespace', 'default-mem-example'];
    await c.kubectl(['apply', '-f', join(RESOURCE, 'memory-defaults.yaml'), ...ns]);
    await c.kubectl(['apply', '-f', join(RESOURCE, 'memory-defaults-pod.yaml'), ...ns]);
    const pod = JSON.parse((await c.kubectl(['get', 'pod', 'default-mem-demo', '-o', 'json', ...ns])).stdout) as Pod;
    assert.deepEqual(pod.spec.containers[0].resources, { limits: { memory: '512Mi' }, requests: { memory: '256Mi' } });
  });

  it('a LimitRange max refuses a container above it', async () => {
    await namespace('lr-max');
    await c.kubectl(['apply', '-n', 'lr-max', '-f', '-'], {
      input: 'apiVersion: v1\nkind: LimitRange\nmetadata:\n  name: m\nspec:\n  limits:\n  - type: Container\n    max:\n      memory: 1Gi\n',
    });
    const res = await c.kubectl(['apply', '-n', 'lr-max', '-f', '-'], {
      input: podYAML('big') + '    resources:\n      limits:\n        memory: 2Gi\n',
      allowFail: true,
    });
    assert.match(res.stderr, /pods "big" is forbidden: maximum memory usage per Container is 1Gi, but limit is 2Gi/);
  });
});

describe('DefaultStorageClass admission', () => {
  let c: TestCluster;
  beforeAll(async () => {
    c = await startCluster();
  });
  afterAll(async () => {
    await c?.stop();
  });

  const claim = (name: string, storageClassName?: string) =>
    `apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: ${name}\nspec:\n${storageClassName === undefined ? '' : `  storageClassName: "${storageClassName}"\n`}  accessModes: [ReadWriteOnce]\n  resources:\n    requests:\n      storage: 1Gi\n`;
  const storageClass = (name: string, isDefault: boolean) =>
    `apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata:\n  name: ${name}\n  annotations:\n    storageclass.kubernetes.io/is-default-class: "${isDefault}"\nprovisioner: example.com/none\n`;
  const classOf = async (name: string) => (await c.kubectl(['get', 'pvc', name, '-o', 'jsonpath={.spec.storageClassName}'])).stdout;

  it('a claim without a class gets the default class; an empty class and a named one are kept', async () => {
    await c.kubectl(['apply', '-f', '-'], { input: claim('before-any-default') });
    assert.equal(await classOf('before-any-default'), '');
    await c.kubectl(['apply', '-f', '-'], { input: storageClass('slow', false) + '---\n' + storageClass('standard', true) });
    await c.kubectl(['apply', '-f', '-'], { input: claim('unset') + '---\n' + claim('empty', '') + '---\n' + claim('named', 'slow') });
    assert.equal(await classOf('unset'), 'standard');
    assert.equal(await classOf('empty'), '');
    assert.equal(await classOf('named'), 'slow');
  });
});
