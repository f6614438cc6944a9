// The cluster DNS against a real apiserver: manifests/dns.yaml applied with the
// real kubectl, the server answering real dns-packet queries over UDP and TCP on
// 127.0.0.1 from the Services and EndpointSlices it watches (a StatefulSet's
// pods through the real StatefulSet and EndpointSlice controllers), and the
// EndpointSlice it keeps for its own Service.
import { afterAll, beforeAll, describe, it, jest } from '@jest/globals';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { join } from 'node:path';
import dnsPacket from 'dns-packet';
import type { EndpointSlice } from '../../api/discovery/v1/types.js';
import type { ControllerManager } from '../../pkg/controller/manager.js';
import { freePort } from '../../pkg/cluster/process.js';
import { runClusterDNS, type RunningClusterDNS } from '../../pkg/dns/app.js';
import { logger } from '../../pkg/util/log.js';
import { request, startCluster, type TestCluster } from '../support/cluster.js';
import { setPodStatus, startManager, until } from '../support/controllers.js';

type Decoded = ReturnType<typeof dnsPacket.decode> & { rcode?: string };
const WEB = join(process.cwd(), 'test/fixtures/examples/application/web/web.yaml');

function udpQuery(port: number, name: string, type: string): Promise<Decoded> {
  return new Promise((resolve, reject) => {
    const sock = createSocket('udp4');
    const t = setTimeout(() => {
      sock.close();
      reject(new Error(`no answer for ${name} ${type}`));
    }, 3000);
    sock.once('message', (m) => {
      clearTimeout(t);
      sock.close();
      resolve(dnsPacket.decode(m) as Decoded);
    });
    sock.send(dnsPacket.encode({ type: 'query', id: 77, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: type as 'A', name }] }), port, '127.0.0.1');
  });
}

function tcpQuery(port: number, name: string, type: string): Promise<Decoded> {
  return new Promise((resolve, reject) => {
    const sock = connect(port, '127.0.0.1', () => sock.write(dnsPacket.streamEncode({ type: 'query', id: 78, questions: [{ type: type as 'A', name }] })));
    let buf = Buffer.alloc(0);
    sock.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        sock.end();
        resolve(dnsPacket.streamDecode(buf) as Decoded);
      }
    });
    sock.on('error', reject);
  });
}

const addresses = (p: Decoded) => (p.answers ?? []).map((a) => (a as { data: unknown }).data);

jest.setTimeout(120_000);
describe('cluster DNS', () => {
  let c: TestCluster;
  let m: ControllerManager;
  let dns: RunningClusterDNS;
  let metricsPort = 0;
  let dnsServiceUID = '';

  beforeAll(async () => {
    c = await startCluster();
    m = await startManager(c, ['statefulset', 'endpointslice'], { log: logger('dns-test', -1) });
    const applied = await c.kubectl(['apply', '-f', 'manifests/dns.yaml']);
    assert.match(applied.stdout, /service\/kube-dns created/);
    const svc = (await request(c, 'GET', '/api/v1/namespaces/kube-system/services/kube-dns')).json() as {
      metadata: { uid: string };
      spec: { clusterIP: string };
    };
    assert.equal(svc.spec.clusterIP, '10.96.0.10');
    dnsServiceUID = svc.metadata.uid;
    metricsPort = await freePort();
    dns = await runClusterDNS({
      kubeconfig: c.kubeconfig,
      bindAddress: '127.0.0.1',
      port: 0,
      clusterDomain: 'cluster.local',
      metricsBindAddress: `127.0.0.1:${metricsPort}`,
      publishService: 'kube-system/kube-dns',
      advertiseAddress: '10.250.0.5',
      nodeName: 'node-a',
      log: logger('dns', -1),
    });
  });

  afterAll(async () => {
    await dns?.stop();
    await m?.stop();
    await c?.stop();
  });

  it('answers a ClusterIP service by name over UDP and TCP, and PTR for its address', async () => {
    await c.kubectl(['create', 'service', 'clusterip', 'my-nginx', '--tcp=80:8080']);
    const ip = ((await request(c, 'GET', '/api/v1/namespaces/default/services/my-nginx')).json() as { spec: { clusterIP: string } }).spec.clusterIP;
    const udp = await until('my-nginx in DNS', async () => {
      const r = await udpQuery(dns.server.port, 'my-nginx.default.svc.cluster.local', 'A');
      return r.rcode === 'NOERROR' && r.answers?.length ? r : undefined;
    });
    assert.deepEqual(addresses(udp), [ip]);
    assert.ok(udp.flag_aa);
    const tcp = await tcpQuery(dns.server.port, 'my-nginx.default.svc.cluster.local', 'A');
    assert.deepEqual(addresses(tcp), [ip]);
    const srv = await udpQuery(dns.server.port, '_80-8080._tcp.my-nginx.default.svc.cluster.local', 'SRV');
    assert.deepEqual(addresses(srv), [{ priority: 0, weight: 100, port: 80, target: 'my-nginx.default.svc.cluster.local' }]);
    const ptr = await udpQuery(dns.server.port, `${ip.split('.').reverse().join('.')}.in-addr.arpa`, 'PTR');
    assert.deepEqual(addresses(ptr), ['my-nginx.default.svc.cluster.local']);
  });

  it('answers the StatefulSet pods of a headless service by name (web-0.nginx.default.svc.cluster.local)', async () => {
    await c.kubectl(['apply', '-f', WEB]);
    // No kubelet here: each pod is marked Running and Ready with an IP, as one would; OrderedReady then makes the next.
    for (const [i, name] of ['web-0', 'web-1'].entries()) {
      await until(`${name} to exist`, async () => (await request(c, 'GET', `/api/v1/namespaces/default/pods/${name}`)).status === 200, 30_000, 100);
      await setPodStatus(c, 'default', name, { status: { podIP: `10.244.9.${10 + i}`, podIPs: [{ ip: `10.244.9.${10 + i}` }] } });
    }
    const web0 = await until(
      'web-0 in DNS',
      async () => {
        const r = await udpQuery(dns.server.port, 'web-0.nginx.default.svc.cluster.local', 'A');
        return r.rcode === 'NOERROR' && r.answers?.length ? r : undefined;
      },
      30_000,
      100,
    );
    assert.deepEqual(addresses(web0), ['10.244.9.10']);
    const all = await until(
      'both pods behind the headless name',
      async () => {
        const r = await udpQuery(dns.server.port, 'nginx.default.svc.cluster.local', 'A');
        return r.answers?.length === 2 ? r : undefined;
      },
      30_000,
      100,
    );
    assert.deepEqual(addresses(all).sort(), ['10.244.9.10', '10.244.9.11']);
    const srv = await udpQuery(dns.server.port, '_web._tcp.nginx.default.svc.cluster.local', 'SRV');
    assert.deepEqual(
      addresses(srv)
        .map((d) => (d as { target: string }).target)
        .sort(),
      ['web-0.nginx.default.svc.cluster.local', 'web-1.nginx.default.svc.cluster.local'],
    );
    const ptr = await udpQuery(dns.server.port, '11.9.244.10.in-addr.arpa', 'PTR');
    assert.deepEqual(addresses(ptr), ['web-1.nginx.default.svc.cluster.local']);
  });

  it('follows deletions, answers NXDOMAIN inside the zone and REFUSED outside it', async () => {
    await c.kubectl(['delete', 'service', 'my-nginx']);
    const gone = await until('my-nginx gone from DNS', async () => {
      const r = await udpQuery(dns.server.port, 'my-nginx.default.svc.cluster.local', 'A');
      return r.rcode === 'NXDOMAIN' ? r : undefined;
    });
    assert.equal(gone.authorities?.[0].type, 'SOA');
    assert.equal((await udpQuery(dns.server.port, 'kubernetes.default.svc.cluster.local', 'A')).rcode, 'NOERROR', "the apiserver's own service");
    assert.equal((await udpQuery(dns.server.port, 'www.example.com', 'A')).rcode, 'REFUSED');
  });

  it('keeps an EndpointSlice for kube-dns pointing at itself, owned by the Service', async () => {
    const slice = await until('the kube-dns endpoint slice', async () => {
      const r = await request(c, 'GET', '/apis/discovery.k8s.io/v1/namespaces/kube-system/endpointslices/kube-dns-node-a');
      return r.status === 200 ? (r.json() as EndpointSlice) : undefined;
    });
    assert.equal(slice.metadata.labels?.['kubernetes.io/service-name'], 'kube-dns');
    assert.equal(slice.metadata.labels?.['endpointslice.kubernetes.io/managed-by'], 'timonel-dns');
    assert.deepEqual(
      slice.metadata.ownerReferences?.map((o) => [o.kind, o.name, o.uid]),
      [['Service', 'kube-dns', dnsServiceUID]],
    );
    assert.equal(slice.addressType, 'IPv4');
    assert.deepEqual(
      slice.endpoints.map((e) => [e.addresses, e.conditions?.ready, e.nodeName]),
      [[['10.250.0.5'], true, 'node-a']],
    );
    assert.deepEqual(slice.ports, [
      { name: 'dns', port: dns.server.port, protocol: 'UDP' },
      { name: 'dns-tcp', port: dns.server.port, protocol: 'TCP' },
    ]);
    // Deleted by someone: back within a resync.
    assert.equal((await request(c, 'DELETE', '/apis/discovery.k8s.io/v1/namespaces/kube-system/endpointslices/kube-dns-node-a')).status, 200);
    assert.ok(await dns.publisher?.publish(true));
    assert.equal((await request(c, 'GET', '/apis/discovery.k8s.io/v1/namespaces/kube-system/endpointslices/kube-dns-node-a')).status, 200);
  });

  it('serves /ready, /health and coredns_dns_* metrics', async () => {
    assert.equal((await fetch(`http://127.0.0.1:${metricsPort}/ready`)).status, 200);
    assert.equal((await fetch(`http://127.0.0.1:${metricsPort}/health`)).status, 200);
    const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    assert.match(text, /coredns_dns_requests_total\{proto="udp",type="A"\} [1-9]/);
    assert.match(text, /coredns_dns_requests_total\{proto="tcp",type="A"\} [1-9]/);
  });

  it('removes its EndpointSlice when it stops', async () => {
    await dns.stop();
    const res = await request(c, 'GET', '/apis/discovery.k8s.io/v1/namespaces/kube-system/endpointslices/kube-dns-node-a');
    assert.equal(res.status, 404, res.body);
  });
});
