// Kubernetes DNS-based service discovery (schema 1.1.0) from Services and
// EndpointSlices: the answer to each kind of question.
import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { addressFromReverse, ClusterDNSRecords, reverseName } from '../../pkg/dns/records.js';
import type { Service } from '../../api/core/v1/types.js';
import type { EndpointSlice } from '../../api/discovery/v1/types.js';

function service(ns: string, name: string, spec: Service['spec']): Service {
  return { metadata: { namespace: ns, name }, spec };
}
function endpoints(
  ns: string,
  svcName: string,
  eps: Array<{ ip: string; hostname?: string; ready?: boolean }>,
  ports: Array<{ name: string; port: number; protocol?: 'TCP' | 'UDP' }>,
  name = `${svcName}-x`,
): EndpointSlice {
  return {
    metadata: { namespace: ns, name, labels: { 'kubernetes.io/service-name': svcName } },
    addressType: 'IPv4',
    endpoints: eps.map((e) => ({ addresses: [e.ip], hostname: e.hostname, conditions: { ready: e.ready ?? true } })),
    ports: ports.map((p) => ({ name: p.name, port: p.port, protocol: p.protocol ?? 'TCP' })),
  };
}

function cluster(): ClusterDNSRecords {
  const r = new ClusterDNSRecords();
  r.setService(
    service('default', 'my-nginx', {
      clusterIP: '10.96.0.50',
      ports: [
        { name: 'http', port: 80, protocol: 'TCP' },
        { name: 'dns', port: 53, protocol: 'UDP' },
      ],
    }),
  );
  r.setService(service('default', 'nginx', { clusterIP: 'None', ports: [{ name: 'web', port: 80, protocol: 'TCP' }] }));
  r.setEndpointSlice(
    endpoints(
      'default',
      'nginx',
      [
        { ip: '10.244.0.7', hostname: 'web-0' },
        { ip: '10.244.0.8', hostname: 'web-1' },
        { ip: '10.244.0.9', ready: false, hostname: 'web-2' },
        { ip: '10.244.0.10' },
      ],
      [{ name: 'web', port: 8080 }],
    ),
  );
  r.setService(service('prod', 'db', { type: 'ExternalName', externalName: 'db.example.com.' }));
  r.setService(service('dual', 'v6', { clusterIP: '10.96.0.60', clusterIPs: ['10.96.0.60', 'fd00::60'], ports: [{ name: 'x', port: 1, protocol: 'TCP' }] }));
  return r;
}

const data = (res: ReturnType<ClusterDNSRecords['lookup']>) => res.answers.map((a) => a.data);

describe('cluster DNS records', () => {
  it('answers a ClusterIP service with its cluster IP, any case, with or without the final dot', () => {
    const r = cluster();
    for (const q of ['my-nginx.default.svc.cluster.local', 'My-Nginx.Default.SVC.cluster.local.']) {
      const res = r.lookup(q, 'A');
      assert.equal(res.rcode, 'NOERROR');
      assert.ok(res.authoritative);
      assert.deepEqual(data(res), ['10.96.0.50']);
      assert.equal(res.answers[0].ttl, 5);
    }
  });

  it('answers AAAA only with IPv6 cluster IPs, and NODATA (SOA) without one', () => {
    const r = cluster();
    assert.deepEqual(data(r.lookup('v6.dual.svc.cluster.local', 'AAAA')), ['fd00::60']);
    const none = r.lookup('my-nginx.default.svc.cluster.local', 'AAAA');
    assert.equal(none.rcode, 'NOERROR');
    assert.deepEqual(none.answers, []);
    assert.equal(none.authorities[0].type, 'SOA');
  });

  it('answers a headless service with its ready endpoints, and each endpoint by hostname (StatefulSet pods)', () => {
    const r = cluster();
    assert.deepEqual(data(r.lookup('nginx.default.svc.cluster.local', 'A')).sort(), ['10.244.0.10', '10.244.0.7', '10.244.0.8']);
    assert.deepEqual(data(r.lookup('web-0.nginx.default.svc.cluster.local', 'A')), ['10.244.0.7']);
    assert.deepEqual(data(r.lookup('10-244-0-10.nginx.default.svc.cluster.local', 'A')), ['10.244.0.10'], 'no hostname: the dashed address');
    assert.equal(r.lookup('web-2.nginx.default.svc.cluster.local', 'A').rcode, 'NXDOMAIN', 'not ready: not published');
    assert.equal(r.lookup('web-0.my-nginx.default.svc.cluster.local', 'A').rcode, 'NXDOMAIN', 'only headless services have endpoint names');
  });

  it('answers SRV for named ports: the service name for ClusterIP, each endpoint for headless', () => {
    const r = cluster();
    const c = r.lookup('_http._tcp.my-nginx.default.svc.cluster.local', 'SRV');
    assert.deepEqual(data(c), [{ priority: 0, weight: 100, port: 80, target: 'my-nginx.default.svc.cluster.local' }]);
    assert.deepEqual(
      c.additionals.map((a) => [a.name, a.data]),
      [['my-nginx.default.svc.cluster.local', '10.96.0.50']],
    );
    assert.deepEqual(
      data(r.lookup('_dns._udp.my-nginx.default.svc.cluster.local', 'SRV')).map((d) => (d as { port: number }).port),
      [53],
    );
    assert.equal(r.lookup('_dns._tcp.my-nginx.default.svc.cluster.local', 'SRV').rcode, 'NXDOMAIN', 'the protocol must match');
    const h = r.lookup('_web._tcp.nginx.default.svc.cluster.local', 'SRV');
    assert.deepEqual(
      data(h)
        .map((d) => (d as { target: string }).target)
        .sort(),
      ['10-244-0-10.nginx.default.svc.cluster.local', 'web-0.nginx.default.svc.cluster.local', 'web-1.nginx.default.svc.cluster.local'],
    );
    assert.ok(
      data(h).every((d) => (d as { port: number }).port === 8080),
      'headless SRV carries the endpoint port',
    );
    assert.equal(h.additionals.length, 3);
  });

  it('answers ExternalName with a CNAME', () => {
    assert.deepEqual(data(cluster().lookup('db.prod.svc.cluster.local', 'A')), ['db.example.com']);
    assert.equal(cluster().lookup('db.prod.svc.cluster.local', 'A').answers[0].type, 'CNAME');
  });

  it('answers PTR for cluster IPs and headless endpoints', () => {
    const r = cluster();
    assert.deepEqual(data(r.lookup('50.0.96.10.in-addr.arpa', 'PTR')), ['my-nginx.default.svc.cluster.local']);
    assert.deepEqual(data(r.lookup('7.0.244.10.in-addr.arpa.', 'PTR')), ['web-0.nginx.default.svc.cluster.local']);
    assert.deepEqual(data(r.lookup(reverseName('fd00::60') as string, 'PTR')), ['v6.dual.svc.cluster.local']);
    const unknown = r.lookup('1.2.3.4.in-addr.arpa', 'PTR');
    assert.equal(unknown.rcode, 'NXDOMAIN');
    assert.equal(unknown.authorities[0].name, 'in-addr.arpa');
  });

  it('answers NXDOMAIN with the SOA for unknown names in the zone, NODATA for names that exist without records', () => {
    const r = cluster();
    const nx = r.lookup('nope.default.svc.cluster.local', 'A');
    assert.equal(nx.rcode, 'NXDOMAIN');
    assert.equal(nx.authorities[0].type, 'SOA');
    assert.deepEqual(nx.authorities[0].data, {
      mname: 'ns.dns.cluster.local',
      rname: 'hostmaster.cluster.local',
      serial: (nx.authorities[0].data as { serial: number }).serial,
      refresh: 7200,
      retry: 1800,
      expire: 86400,
      minimum: 5,
    });
    assert.equal(r.lookup('my-nginx.svc.cluster.local', 'A').rcode, 'NXDOMAIN', 'a search-path miss (no such namespace)');
    assert.equal(r.lookup('default.svc.cluster.local', 'A').rcode, 'NOERROR', 'a namespace with services exists');
    assert.equal(r.lookup('svc.cluster.local', 'A').rcode, 'NOERROR');
    assert.equal(r.lookup('cluster.local', 'SOA').answers[0].type, 'SOA');
    assert.equal(r.lookup('foo.cluster.local', 'A').rcode, 'NXDOMAIN');
  });

  it('refuses names outside the cluster domain', () => {
    const res = cluster().lookup('example.com', 'A');
    assert.equal(res.rcode, 'REFUSED');
    assert.ok(!res.authoritative);
    assert.equal(cluster().lookup('cluster.local.example.com', 'A').rcode, 'REFUSED');
  });

  it('answers pod names and the schema version', () => {
    const r = cluster();
    assert.deepEqual(data(r.lookup('10-244-1-5.default.pod.cluster.local', 'A')), ['10.244.1.5']);
    assert.equal(r.lookup('not-an-ip.default.pod.cluster.local', 'A').rcode, 'NXDOMAIN');
    assert.deepEqual(data(r.lookup('dns-version.cluster.local', 'TXT')), ['1.1.0']);
  });

  it('follows changes: endpoints, deletions, and slices moving between services', () => {
    const r = cluster();
    r.setEndpointSlice(endpoints('default', 'nginx', [{ ip: '10.244.0.7', hostname: 'web-0' }], [{ name: 'web', port: 8080 }]));
    assert.deepEqual(data(r.lookup('nginx.default.svc.cluster.local', 'A')), ['10.244.0.7']);
    assert.equal(r.lookup('8.0.244.10.in-addr.arpa', 'PTR').rcode, 'NXDOMAIN', 'the old endpoint has no PTR any more');
    r.deleteEndpointSlice(endpoints('default', 'nginx', [], []));
    assert.deepEqual(data(r.lookup('nginx.default.svc.cluster.local', 'A')), []);
    r.deleteService(service('default', 'my-nginx', {}));
    assert.equal(r.lookup('my-nginx.default.svc.cluster.local', 'A').rcode, 'NXDOMAIN');
    assert.equal(r.lookup('50.0.96.10.in-addr.arpa', 'PTR').rcode, 'NXDOMAIN');
    r.deleteService(service('default', 'nginx', {}));
    assert.equal(r.lookup('default.svc.cluster.local', 'A').rcode, 'NXDOMAIN', 'no services left in the namespace');
  });

  it('uses another cluster domain when told, and rejects a bad one', () => {
    const r = new ClusterDNSRecords({ clusterDomain: 'corp.example.' });
    r.setService(service('a', 'b', { clusterIP: '10.96.0.9', ports: [] }));
    assert.deepEqual(data(r.lookup('b.a.svc.corp.example', 'A')), ['10.96.0.9']);
    assert.equal(r.lookup('b.a.svc.cluster.local', 'A').rcode, 'REFUSED');
    assert.throws(() => new ClusterDNSRecords({ clusterDomain: 'bad domain' }), /bad cluster domain/);
  });

  it('converts reverse names both ways', () => {
    assert.equal(reverseName('10.96.0.10'), '10.0.96.10.in-addr.arpa');
    assert.equal(addressFromReverse('10.0.96.10.in-addr.arpa'), '10.96.0.10');
    assert.equal(addressFromReverse('0.96.10.in-addr.arpa'), undefined);
    assert.equal(addressFromReverse(reverseName('fd00::1') as string), 'fd00:0000:0000:0000:0000:0000:0000:0001');
  });
});
