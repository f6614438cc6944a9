// CustomResourceDefinitions served as Kubernetes serves them: the documentation's CronTab
// through the real kubectl (discovery, printer columns, short names, explain), names and
// conditions, schema defaulting, pruning and validation, the status and scale
// subresources, a watch through @kubernetes/client-node, and the cleanup finalizer.
import { afterAll, beforeAll, describe, it, jest } from '@jest/globals';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { request, startCluster, type TestCluster } from '../support/cluster.js';

const FIXTURES = join(process.cwd(), 'test/fixtures/crd');
const CRONTAB_CRD = join(FIXTURES, 'crontab.yaml');
const MY_CRONTAB = join(FIXTURES, 'my-crontab.yaml');

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

jest.setTimeout(120_000);
describe('custom resources', () => {
  let c: TestCluster;
  let k: TestCluster['kubectl'];
  const api = (method: string, path: string, body?: unknown, contentType = 'application/json') =>
    request(c, method, path, body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': contentType } });

  beforeAll(async () => {
    c = await startCluster();
    k = c.kubectl.bind(c);
  });
  afterAll(async () => {
    await c?.stop();
  });

  it('a CRD is served at once: the next kubectl sees it past its discovery cache; printer columns and short name', async () => {
    // kubectl maps every object before it applies any (upstream's GetObjects): a CronTab in the
    // same apply as its CRD is refused, as against kube-apiserver, while the CRD is created.
    const first = await k(['apply', '-f', CRONTAB_CRD, '-f', MY_CRONTAB], { allowFail: true });
    assert.notEqual(first.code, 0);
    assert.match(first.stdout, /customresourcedefinition.apiextensions.k8s.io\/crontabs.stable.example.com created/);
    assert.match(first.stderr, /no matches for kind "CronTab" in version "stable.example.com\/v1"\nensure CRDs are installed first/);
    // The discovery cache kubectl wrote lacks crontabs; the next apply refetches on "no matches".
    const applied = await k(['apply', '-f', CRONTAB_CRD, '-f', MY_CRONTAB]);
    assert.match(applied.stdout, /customresourcedefinition.apiextensions.k8s.io\/crontabs.stable.example.com unchanged/);
    assert.match(applied.stdout, /crontab.stable.example.com\/my-new-cron-object created/);
    const crd = JSON.parse((await k(['get', 'crd', 'crontabs.stable.example.com', '-o', 'json'])).stdout) as {
      metadata: { finalizers: string[] };
      status: { acceptedNames: Record<string, unknown>; conditions: { type: string; status: string; reason: string }[]; storedVersions: string[] };
    };
    assert.deepEqual(crd.metadata.finalizers, ['customresourcecleanup.apiextensions.k8s.io']);
    assert.deepEqual(crd.status.acceptedNames, { plural: 'crontabs', singular: 'crontab', kind: 'CronTab', listKind: 'CronTabList', shortNames: ['ct'] });
    assert.deepEqual(
      crd.status.conditions.map((x) => [x.type, x.status, x.reason]),
      [
        ['NamesAccepted', 'True', 'NoConflicts'],
        ['Established', 'True', 'InitialNamesAccepted'],
      ],
    );
    assert.deepEqual(crd.status.storedVersions, ['v1']);
    for (const name of ['crontabs', 'ct', 'crontab', 'crontabs.stable.example.com']) {
      const table = (await k(['get', name])).stdout.split('\n');
      assert.match(table[0], /^NAME\s+SPEC\s+REPLICAS\s+AGE$/);
      assert.match(table[1], /^my-new-cron-object\s+\* \* \* \* \*\/5\s+\d+s$/);
    }
  });

  it('discovery lists the resource: legacy, aggregated and kubectl api-resources', async () => {
    const list = (await api('GET', '/apis/stable.example.com/v1')).json() as { resources: Record<string, unknown>[] };
    assert.deepEqual(list.resources[0], {
      name: 'crontabs',
      singularName: 'crontab',
      namespaced: true,
      kind: 'CronTab',
      verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
      shortNames: ['ct'],
    });
    const group = (await api('GET', '/apis/stable.example.com')).json() as { preferredVersion: { groupVersion: string } };
    assert.equal(group.preferredVersion.groupVersion, 'stable.example.com/v1');
    const agg = (await request(c, 'GET', '/apis', { headers: { accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList' } })).json() as {
      items: { metadata: { name: string }; versions: { resources: { resource: string }[] }[] }[];
    };
    const stable = agg.items.find((g) => g.metadata.name === 'stable.example.com');
    assert.equal(stable?.versions[0].resources[0].resource, 'crontabs');
    const resources = (await k(['api-resources', '--api-group=stable.example.com'])).stdout.split('\n');
    assert.match(resources[1], /^crontabs\s+ct\s+stable.example.com\/v1\s+true\s+CronTab$/);
  });
});
