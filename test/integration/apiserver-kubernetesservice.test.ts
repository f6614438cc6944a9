// The apiserver keeps the `default/kubernetes` Service's Endpoints and EndpointSlice
// (its endpoint reconciler) against a real etcd: re-created when deleted, put back
// when changed, and left alone by the EndpointSlice and Endpoints controllers.
import { afterAll, beforeAll, describe, it, jest } from '@jest/globals';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import type { Endpoints } from '../../api/core/v1/types.js';
import type { EndpointSlice } from '../../api/discovery/v1/types.js';
import type { ControllerManager } from '../../pkg/controller/manager.js';
import { logger } from '../../pkg/util/log.js';
import { request, startCluster, type TestCluster } from '../support/cluster.js';
import { sleep, startManager, until } from '../support/controllers.js';

const ADVERTISE = '10.244.0.1';
const ENDPOINTS = '/api/v1/namespaces/default/endpoints/kubernetes';
const SLICE = '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices/kubernetes';
const JSON_HDR = { 'content-type': 'application/json' };

jest.setTimeout(60_000);
describe('the kubernetes Service endpoint reconciler', () => {
  let c: TestCluster;
  let m: ControllerManager;
  let port: number;

  const get = async <T>(path: string): Promise<T | undefined> => {
    const res = await request(c, 'GET', path);
    return res.status === 200 ? (res.json() as T) : undefined;
  };
  const endpointsRight = async () => {
    const ep = await get<Endpoints>(ENDPOINTS);
    return (
      ep?.metadata.labels?.['endpointslice.kubernetes.io/skip-mirror'] === 'true' &&
      JSON.stringify(ep.subsets) === JSON.stringify([{ addresses: [{ ip: ADVERTISE }], ports: [{ name: 'https', port, protocol: 'TCP' }] }]) &&
      ep
    );
  };
  const sliceRight = async () => {
    const s = await get<EndpointSlice>(SLICE);
    return (
      s?.metadata.labels?.['kubernetes.io/service-name'] === 'kubernetes' &&
      s.metadata.labels?.['endpointslice.kubernetes.io/managed-by'] === undefined &&
      s.addressType === 'IPv4' &&
      JSON.stringify(s.endpoints.map((e) => [e.addresses, e.conditions?.ready])) === JSON.stringify([[[ADVERTISE], true]]) &&
      JSON.stringify(s.ports) === JSON.stringify([{ name: 'https', port, protocol: 'TCP' }]) &&
      s
    );
  };

  beforeAll(async () => {
    c = await startCluster({ advertiseAddress: ADVERTISE, endpointReconcileIntervalMs: 200 });
    port = c.server.config.securePort;
    // The controllers that write endpoints run too: they must not fight the apiserver over these.
    m = await startManager(c, ['endpointslice', 'endpoint'], { log: logger('kubernetes-service-test', -1) });
  });
  afterAll(async () => {
    await m?.stop();
    await c?.stop();
  });

  it('publishes the advertised address and secure port', async () => {
    await until('Endpoints default/kubernetes', endpointsRight);
    await until('EndpointSlice default/kubernetes', sliceRight);
    const svc = (await get<{ spec: { clusterIP: string; ports: Array<{ port: number; targetPort: number }> } }>(
      '/api/v1/namespaces/default/services/kubernetes',
    ))!;
    assert.equal(svc.spec.clusterIP, '10.96.0.1');
    assert.deepEqual(
      svc.spec.ports.map((p) => [p.port, p.targetPort]),
      [[443, port]],
    );
  });

  it('serves a certificate for the Service names, its ClusterIP and the advertised address', async () => {
    const { connect } = await import('node:tls');
    const pem = await new Promise<string>((resolve, reject) => {
      const s = connect({ host: '127.0.0.1', port, ca: c.caCert, servername: 'kubernetes.default.svc' }, () => {
        resolve(s.getPeerX509Certificate()!.toString());
        s.end();
      });
      s.on('error', reject);
    });
    const cert = new X509Certificate(pem);
    for (const name of ['kubernetes.default.svc', 'kubernetes.default.svc.cluster.local']) assert.equal(cert.checkHost(name), name);
    for (const ip of ['10.96.0.1', ADVERTISE, '127.0.0.1']) assert.equal(cert.checkIP(ip), ip);
  });

  it('re-creates the Endpoints and the EndpointSlice when they are deleted', async () => {
    const before = (await until('EndpointSlice default/kubernetes', sliceRight)).metadata.uid;
    assert.equal((await request(c, 'DELETE', SLICE)).status, 200);
    assert.equal((await request(c, 'DELETE', ENDPOINTS)).status, 200);
    const after = await until('the EndpointSlice back', async () => {
      const s = await sliceRight();
      return s && s.metadata.uid !== before && s;
    });
    assert.notEqual(after.metadata.uid, before);
    await until('the Endpoints back', endpointsRight);
  });

  it('puts back an address or port that was changed', async () => {
    const ep = (await until('Endpoints default/kubernetes', endpointsRight)) as Endpoints;
    ep.subsets = [{ addresses: [{ ip: '10.244.0.99' }], ports: [{ name: 'https', port: 1, protocol: 'TCP' }] }];
    assert.equal((await request(c, 'PUT', ENDPOINTS, { body: JSON.stringify(ep), headers: JSON_HDR })).status, 200);
    const patch = JSON.stringify({ endpoints: [{ addresses: ['10.244.0.98'], conditions: { ready: true } }] });
    const patched = await request(c, 'PATCH', SLICE, { body: patch, headers: { 'content-type': 'application/merge-patch+json' } });
    assert.equal(patched.status, 200, patched.body);
    await until('the Endpoints put back', endpointsRight);
    await until('the EndpointSlice put back', sliceRight);
  });

  it('stays as it is while the controllers run', async () => {
    const ep = (await until('Endpoints default/kubernetes', endpointsRight)) as Endpoints;
    await sleep(1000);
    const again = (await endpointsRight()) as Endpoints;
    assert.equal(again.metadata.resourceVersion, ep.metadata.resourceVersion);
    const slices = await request(c, 'GET', '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices?labelSelector=kubernetes.io/service-name=kubernetes');
    assert.deepEqual(
      (slices.json() as { items: Array<{ metadata: { name: string } }> }).items.map((s) => s.metadata.name),
      ['kubernetes'],
    );
  });
});
