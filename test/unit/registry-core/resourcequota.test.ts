import { test } from '@jest/globals';
import assert from 'node:assert/strict';
import type { Pod, ResourceQuota } from '../../../api/core/v1/types.js';
import type { KubeObject } from '../../../api/meta/v1/types.js';
import { StatusError } from '../../../api/meta/v1/status.js';
import { formatQuantity } from '../../../api/resource/quantity.js';
import { matchingResources, podConstraints, quotaMatches, usageOf } from '../../../pkg/util/quota/evaluator.js';
import { prettyPrint, toUsage } from '../../../pkg/util/quota/resources.js';
import { ResourceQuotaAdmission, syncedQuota } from '../../../pkg/registry/core/resourcequota/admission.js';
import { LIVE_LOOKUP_TTL_MS, LiveLookupLister } from '../../../pkg/registry/livelookup.js';
import type { Store } from '../../../pkg/registry/store.js';
import type { ResourceInfo } from '../../../api/resourceinfo.js';

function pod(name: string, containers: Array<{ requests?: Record<string, string>; limits?: Record<string, string> }>, spec: Partial<Pod['spec']> = {}): Pod {
  return {
    metadata: { name, namespace: 'ns' },
    spec: { containers: containers.map((r, i) => ({ name: `c${i}`, image: 'x', resources: r })), ...spec },
  } as Pod;
}

function quota(name: string, hard: Record<string, string>, used: Record<string, string>, spec: Partial<ResourceQuota['spec']> = {}): ResourceQuota {
  return { metadata: { name, namespace: 'ns' }, spec: { hard, ...spec }, status: { hard, used } } as ResourceQuota;
}

const podsInfo = { group: '', version: 'v1', kind: 'Pod', plural: 'pods', namespaced: true } as ResourceInfo;

test('quantities print in canonical form', () => {
  assert.equal(formatQuantity(700 * 2 ** 20, true), '700Mi');
  assert.equal(formatQuantity(2 ** 30, true), '1Gi');
  assert.equal(formatQuantity(1.8), '1800m');
  assert.equal(formatQuantity(2), '2');
  assert.equal(formatQuantity(0.1 + 0.2), '300m');
  assert.equal(formatQuantity(1e9, true), '1G');
});

test("a pod's usage: counts, requests (also as bare names) and limits, with init containers' maximum", () => {
  const p = pod('p', [{ requests: { cpu: '500m', memory: '600Mi' }, limits: { cpu: '800m', memory: '800Mi' } }, { requests: { cpu: '100m' } }]);
  p.spec.initContainers = [{ name: 'i', image: 'x', resources: { requests: { cpu: '2' } } }];
  assert.equal(
    prettyPrint(usageOf('', 'pods', p)),
    'count/pods=1,cpu=2,limits.cpu=800m,limits.memory=800Mi,memory=600Mi,pods=1,requests.cpu=2,requests.memory=600Mi',
  );
  assert.equal(usageOf('', 'pods', { ...p, status: { phase: 'Succeeded' } } as KubeObject).size, 0);
});

test('object counts, the legacy names and count/<resource>.<group>', () => {
  assert.equal(prettyPrint(usageOf('', 'configmaps', { metadata: { name: 'c' } })), 'configmaps=1,count/configmaps=1');
  assert.equal(prettyPrint(usageOf('apps', 'deployments', { metadata: { name: 'd' } })), 'count/deployments.apps=1');
  const svc = { metadata: { name: 's' }, spec: { type: 'NodePort', ports: [{ port: 1 }, { port: 2 }] } };
  assert.equal(prettyPrint(usageOf('', 'services', svc)), 'count/services=1,services=1,services.loadbalancers=0,services.nodeports=2');
  assert.deepEqual(matchingResources('', 'pods', ['pods', 'services', 'requests.cpu', 'count/deployments.apps']), ['pods', 'requests.cpu']);
  assert.deepEqual(matchingResources('apps', 'deployments', ['pods', 'count/deployments.apps']), ['count/deployments.apps']);
});

test('scopes: Terminating, NotTerminating, BestEffort, NotBestEffort; other kinds are in no scope', () => {
  const bestEffort = pod('p', [{}]);
  const terminating = pod('t', [{ requests: { cpu: '1' } }], { activeDeadlineSeconds: 30 });
  const scoped = (s: string) => quota('q', { pods: '1' }, { pods: '0' }, { scopes: [s] });
  const matches = (q: ResourceQuota, p: KubeObject) => quotaMatches(q, '', 'pods', p, Object.keys(q.status?.hard ?? {}));
  assert.equal(matches(scoped('BestEffort'), bestEffort), true);
  assert.equal(matches(scoped('BestEffort'), terminating), false);
  assert.equal(matches(scoped('NotBestEffort'), terminating), true);
  assert.equal(matches(scoped('Terminating'), terminating), true);
  assert.equal(matches(scoped('Terminating'), bestEffort), false);
  assert.equal(matches(scoped('NotTerminating'), bestEffort), true);
  const cmQuota = quota('q', { configmaps: '1' }, {}, { scopes: ['NotTerminating'] });
  assert.equal(quotaMatches(cmQuota, '', 'configmaps', { metadata: { name: 'c' } }, ['configmaps']), false);
});

test('a cpu or memory quota requires every container to state it, in upstream words', () => {
  const p = pod('p', [{ requests: { cpu: '1', memory: '1Gi' } }, { limits: { memory: '1Gi' }, requests: { memory: '1Gi' } }]);
  assert.equal(podConstraints(['limits.cpu', 'limits.memory', 'pods'], p), 'must specify limits.cpu for: c0,c1; limits.memory for: c0');
  assert.equal(podConstraints(['pods', 'requests.storage'], p), undefined);
});

/** The admission plugin against an in-memory quota store: list and a read-modify-write like the registry's. */
function fakeQuotas(items: ResourceQuota[]): Store {
  return {
    list: async () => ({ items: structuredClone(items), resourceVersion: '1' }),
    updateWith: async (_ctx: unknown, name: string, fn: (cur: KubeObject) => Promise<KubeObject>) => {
      const i = items.findIndex((q) => q.metadata.name === name);
      items[i] = (await fn(structuredClone(items[i]))) as ResourceQuota;
      return items[i];
    },
  } as unknown as Store;
}

/** The quota store and the admission's accessor over it. */
function quotaStores(items: ResourceQuota[]): [Store, LiveLookupLister<ResourceQuota>] {
  const store = fakeQuotas(items);
  return [store, new LiveLookupLister<ResourceQuota>(store)];
}

const ctx = { namespace: 'ns', dryRun: false, fieldValidation: 'Strict' as const, warnings: [] };

async function refusal(p: Promise<unknown>): Promise<StatusError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(err instanceof StatusError, 'expected a refusal');
  return err;
}

test('the admission charges the quota and refuses past the limit with the exceeded message', async () => {
  const items = [quota('mem-cpu-demo', { 'requests.memory': '1Gi', 'limits.memory': '2Gi', 'requests.cpu': '1', 'limits.cpu': '2' }, {})];
  const admission = new ResourceQuotaAdmission(...quotaStores(items), podsInfo, async () => new Map());
  // A quota the controller has not counted yet is counted first (here: nothing in the namespace).
  items[0] = await syncedQuota({ ...items[0], status: undefined }, async () => new Map());
  await admission.validateCreate(pod('p1', [{ requests: { cpu: '800m', memory: '600Mi' }, limits: { cpu: '800m', memory: '800Mi' } }]), ctx);
  assert.deepEqual({ ...items[0].status?.used }, { 'limits.cpu': '800m', 'limits.memory': '800Mi', 'requests.cpu': '800m', 'requests.memory': '600Mi' });
  const err = await refusal(
    admission.validateCreate(pod('quota-mem-cpu-demo-2', [{ requests: { cpu: '100m', memory: '700Mi' }, limits: { cpu: '800m', memory: '1Gi' } }]), ctx),
  );
  assert.equal(err.code, 403);
  assert.equal(
    err.message,
    'pods "quota-mem-cpu-demo-2" is forbidden: exceeded quota: mem-cpu-demo, requested: requests.memory=700Mi, used: requests.memory=600Mi, limited: requests.memory=1Gi',
  );
  assert.equal(items[0].status?.used?.['requests.memory'], '600Mi');
  const missing = await refusal(admission.validateCreate(pod('p3', [{ requests: { cpu: '100m', memory: '1Mi' } }]), ctx));
  assert.equal(missing.message, 'pods "p3" is forbidden: failed quota: mem-cpu-demo: must specify limits.cpu for: c0; limits.memory for: c0');
});

test('a refusal by one quota charges no other', async () => {
  const items = [quota('a', { pods: '5' }, { pods: '0' }), quota('b', { pods: '1' }, { pods: '1' })];
  const admission = new ResourceQuotaAdmission(...quotaStores(items), podsInfo, async () => new Map());
  const err = await refusal(admission.validateCreate(pod('p2', [{}]), ctx));
  assert.equal(err.message, 'pods "p2" is forbidden: exceeded quota: b, requested: pods=1, used: pods=1, limited: pods=1');
  assert.equal(items[0].status?.used?.pods, '0');
});

test('a Service update is charged for the node ports it adds', async () => {
  const items = [quota('np', { 'services.nodeports': '1' }, { 'services.nodeports': '0' })];
  const services = { group: '', version: 'v1', kind: 'Service', plural: 'services', namespaced: true } as ResourceInfo;
  const admission = new ResourceQuotaAdmission(...quotaStores(items), services, async () => new Map());
  const svc = (type: string, ports: number) => ({
    metadata: { name: 's', namespace: 'ns' },
    spec: { type, ports: Array.from({ length: ports }, (_, i) => ({ port: i + 1 })) },
  });
  await admission.validateUpdate(svc('ClusterIP', 2), svc('ClusterIP', 1), ctx);
  assert.equal(items[0].status?.used?.['services.nodeports'], '0');
  const err = await refusal(admission.validateUpdate(svc('NodePort', 2), svc('ClusterIP', 2), ctx));
  assert.equal(
    err.message,
    'services "s" is forbidden: exceeded quota: np, requested: services.nodeports=2, used: services.nodeports=0, limited: services.nodeports=1',
  );
  await admission.validateUpdate(svc('NodePort', 1), svc('ClusterIP', 1), ctx);
  assert.equal(items[0].status?.used?.['services.nodeports'], '1');
});

test('the admission lister reads the watch cache; a namespace the cache has none for is looked up live, once per 30 s', async () => {
  let cached: ResourceQuota[] = [];
  let live: ResourceQuota[] = [quota('new', { pods: '1' }, {})];
  const lists: string[] = [];
  const store = {
    list: async (opts: { resourceVersion?: string }) => {
      lists.push(opts.resourceVersion === '0' ? 'cache' : 'live');
      await new Promise((r) => setImmediate(r));
      return { items: opts.resourceVersion === '0' ? cached : live, resourceVersion: '1' };
    },
  } as unknown as Store;
  let now = 1_000;
  const lister = new LiveLookupLister<ResourceQuota>(store, () => now);
  // Concurrent lookups share one live list.
  const [a, b] = await Promise.all([lister.list('ns'), lister.list('ns')]);
  assert.deepEqual([a[0].metadata.name, b[0].metadata.name], ['new', 'new']);
  assert.deepEqual(lists, ['cache', 'cache', 'live']);
  // Within the TTL the remembered answer stands, even if etcd changed.
  live = [];
  now += LIVE_LOOKUP_TTL_MS - 1;
  assert.equal((await lister.list('ns'))[0].metadata.name, 'new');
  now += 2;
  assert.deepEqual(await lister.list('ns'), []);
  // Once the cache holds quotas, they answer and nothing is listed live.
  cached = [quota('cached', { pods: '1' }, {})];
  lists.length = 0;
  assert.equal((await lister.list('ns'))[0].metadata.name, 'cached');
  assert.deepEqual(lists, ['cache']);
});
