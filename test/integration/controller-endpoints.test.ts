// The EndpointSlice and Endpoints controllers against a real apiserver: pods are
// marked Running/Ready with an IP by the test, as a kubelet would.
import { afterAll, beforeAll, describe, it, jest } from '@jest/globals';
import assert from 'node:assert/strict';
import type { ControllerManager } from '../../pkg/controller/manager.js';
import { logger } from '../../pkg/util/log.js';
import { request, startCluster, type TestCluster } from '../support/cluster.js';
import { setPodStatus, startManager, until } from '../support/controllers.js';

const JSON_HDR = { 'content-type': 'application/json' };

interface Slice {
  metadata: { name: string; labels: Record<string, string>; ownerReferences?: Array<{ kind: string; name: string }> };
  endpoints: Array<{
    addresses: string[];
    conditions: { ready: boolean; serving: boolean; terminating: boolean };
    targetRef: { name: string };
    hostname?: string;
  }>;
  ports: Array<{ name?: string; port: number; protocol: string }>;
}

jest.setTimeout(90_000);
describe('endpoints controllers', () => {
  let c: TestCluster;
  let m: ControllerManager;
  const ns = '/api/v1/namespaces/default';

  async function pod(name: string, labels: Record<string, string>, ip: string, ready: boolean, extra: Record<string, unknown> = {}): Promise<void> {
    const created = await request(c, 'POST', `${ns}/pods`, {
      body: JSON.stringify({
        metadata: { name, labels },
        spec: { containers: [{ name: 'web', image: 'nginx', ports: [{ name: 'http', containerPort: 8080 }] }], ...extra },
      }),
      headers: JSON_HDR,
    });
    assert.equal(created.status, 201, created.body);
    await setStatus(name, ip, ready);
  }

  const setStatus = (name: string, ip: string, ready: boolean) => setPodStatus(c, 'default', name, { ready, status: { podIP: ip, podIPs: [{ ip }] } });

  async function slicesOf(svc: string): Promise<Slice[]> {
    const res = await request(c, 'GET', `/apis/discovery.k8s.io/v1/namespaces/default/endpointslices?labelSelector=kubernetes.io/service-name=${svc}`);
    return (res.json() as { items: Slice[] }).items;
  }

  beforeAll(async () => {
    c = await startCluster();
    m = await startManager(c, ['endpointslice', 'endpoint'], { log: logger('endpoints-test', -1) });
  });
  afterAll(async () => {
    await m?.stop();
    await c?.stop();
  });

  it('lists ready, not-ready and terminating pods with their conditions and resolved ports', async () => {
    await c.kubectl(['apply', '-f', 'test/fixtures/examples/service/nginx-service.yaml']);
    await pod('web-a', { 'app.kubernetes.io/name': 'nginx' }, '10.244.0.10', true);
    await pod('web-b', { 'app.kubernetes.io/name': 'nginx' }, '10.244.0.11', false);
    await pod('other', { app: 'other' }, '10.244.0.12', true);
    const slices = await until('a slice with both pods', async () => {
      const s = await slicesOf('nginx-service');
      return s.length === 1 && s[0].endpoints?.length === 2 ? s : undefined;
    });
    const [slice] = slices;
    assert.equal(slice.metadata.labels['endpointslice.kubernetes.io/managed-by'], 'endpointslice-controller.k8s.io');
    assert.deepEqual(
      slice.metadata.ownerReferences?.map((o) => `${o.kind}/${o.name}`),
      ['Service/nginx-service'],
    );
    assert.deepEqual(slice.ports, [{ name: '', port: 80, protocol: 'TCP' }]);
    const byName = Object.fromEntries(slice.endpoints.map((e) => [e.targetRef.name, e]));
    assert.deepEqual(byName['web-a'].conditions, { ready: true, serving: true, terminating: false });
    assert.deepEqual(byName['web-b'].conditions, { ready: false, serving: false, terminating: false });
    assert.deepEqual(byName['web-a'].addresses, ['10.244.0.10']);

    const ep = await until('Endpoints', async () => {
      const res = await request(c, 'GET', `${ns}/endpoints/nginx-service`);
      const body = res.json() as { subsets?: Array<{ addresses?: Array<{ ip: string }>; notReadyAddresses?: Array<{ ip: string }>; ports: unknown[] }> };
      return res.status === 200 && body.subsets?.[0]?.addresses?.length === 1 && body.subsets[0].notReadyAddresses?.length === 1 ? body : undefined;
    });
    assert.deepEqual(ep.subsets?.[0].ports, [{ port: 80, protocol: 'TCP' }]);
    const table = (await c.kubectl(['get', 'endpoints', 'nginx-service'])).stdout;
    assert.match(table, /nginx-service\s+10\.244\.0\.10:80\s+/);

    // Readiness flips, and a pod going away leaves.
    await setStatus('web-b', '10.244.0.11', true);
    await until('web-b ready', async () => (((await slicesOf('nginx-service'))[0]?.endpoints ?? []).every((e) => e.conditions.ready) ? true : undefined));
    await request(c, 'DELETE', `${ns}/pods/web-a?gracePeriodSeconds=0`);
    await until('web-a gone', async () => (((await slicesOf('nginx-service'))[0]?.endpoints ?? []).length === 1 ? true : undefined));
  });

  it('resolves named target ports per pod, and gives headless pods their hostname', async () => {
    await request(c, 'POST', `${ns}/services`, {
      body: JSON.stringify({
        metadata: { name: 'named' },
        spec: { clusterIP: 'None', selector: { app: 'named' }, ports: [{ name: 'web', port: 80, targetPort: 'http' }] },
      }),
      headers: JSON_HDR,
    });
    await pod('named-0', { app: 'named' }, '10.244.0.20', true, { hostname: 'named-0', subdomain: 'named' });
    const slice = await until('named slice', async () => (await slicesOf('named')).find((s) => s.endpoints?.length === 1));
    assert.deepEqual(slice.ports, [{ name: 'web', port: 8080, protocol: 'TCP' }]);
    assert.equal(slice.endpoints[0].hostname, 'named-0');
  });

  it('a service without endpoints keeps one empty slice; a deleted service loses its slices', async () => {
    await request(c, 'POST', `${ns}/services`, {
      body: JSON.stringify({ metadata: { name: 'empty' }, spec: { selector: { app: 'nobody' }, ports: [{ port: 80 }] } }),
      headers: JSON_HDR,
    });
    const [slice] = await until('placeholder', async () => {
      const s = await slicesOf('empty');
      return s.length ? s : undefined;
    });
    assert.deepEqual(slice.endpoints ?? [], []);
    await request(c, 'DELETE', `${ns}/services/empty`);
    await until('slices removed', async () => ((await slicesOf('empty')).length === 0 ? true : undefined));
  });
});
