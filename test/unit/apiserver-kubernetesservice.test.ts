// The apiserver's reachability from pods: the names of its serving certificate,
// when that certificate is made again, and the `default/kubernetes` objects its
// endpoint reconciler keeps.
import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { servingCertificateHosts } from '../../pkg/apiserver/servingcert.js';
import { advertisedAddress, covers, kubernetesEndpointSlice, kubernetesEndpoints, kubernetesService } from '../../pkg/apiserver/kubernetesservice.js';
import { certificateHosts, loadOrCreateServingCerts, newCertificate, servingCertReissueReason } from '../../pkg/util/certs.js';

describe('serving certificate names', () => {
  it('are the Service names, its first ClusterIP, the advertised and loopback addresses', () => {
    assert.deepEqual(servingCertificateHosts({ serviceClusterIPRange: '10.96.0.0/12', bindAddress: '0.0.0.0', advertiseAddress: '10.244.0.1' }), [
      'kubernetes',
      'kubernetes.default',
      'kubernetes.default.svc',
      'kubernetes.default.svc.cluster.local',
      '10.96.0.1',
      '10.244.0.1',
      '127.0.0.1',
      'localhost',
    ]);
  });

  it('follow the service range and a bind address, once each', () => {
    const hosts = servingCertificateHosts({ serviceClusterIPRange: '172.20.0.0/16', bindAddress: '127.0.0.1' });
    assert.ok(hosts.includes('172.20.0.1'));
    assert.ok(!hosts.includes('10.96.0.1'));
    assert.equal(hosts.filter((h) => h === '127.0.0.1').length, 1);
    assert.ok(servingCertificateHosts({ serviceClusterIPRange: '10.96.0.0/12', bindAddress: '192.0.2.7' }).includes('192.0.2.7'));
  });
});

describe('serving certificate reissue decision', () => {
  const ca = newCertificate({ commonName: 'test-ca', usage: 'ca' });
  const hosts = ['kubernetes', '10.96.0.1', '127.0.0.1', 'localhost'];
  const cert = newCertificate({ commonName: 'apiserver', usage: 'server', hosts, issuer: ca });

  it('reads the names back from the certificate', () => {
    assert.deepEqual(certificateHosts(cert.cert).sort(), [...hosts].sort());
  });

  it('keeps a certificate for the same names in any order', () => {
    assert.equal(servingCertReissueReason(cert.cert, ca.cert, [...hosts].reverse()), undefined);
  });

  it('reissues when a name is added or dropped', () => {
    assert.match(servingCertReissueReason(cert.cert, ca.cert, [...hosts, '10.244.0.1']) ?? '', /names changed \(\+10\.244\.0\.1\)/);
    assert.match(servingCertReissueReason(cert.cert, ca.cert, hosts.slice(1)) ?? '', /names changed \(-kubernetes\)/);
  });

  it('reissues a certificate of another CA, or an expired one', () => {
    const other = newCertificate({ commonName: 'other-ca', usage: 'ca' });
    assert.equal(servingCertReissueReason(cert.cert, other.cert, hosts), 'it is not signed by the CA');
    assert.equal(servingCertReissueReason(cert.cert, ca.cert, hosts, new Date(Date.now() + 4000 * 24 * 3600 * 1000)), 'it expired');
  });

  it('keeps the CA in the cert dir and makes only the serving certificate again', () => {
    const dir = mkdtempSync(join(tmpdir(), 'timonel-serving-'));
    try {
      const first = loadOrCreateServingCerts(dir, ['127.0.0.1', 'localhost']);
      assert.equal(first.reissued, undefined);
      const same = loadOrCreateServingCerts(dir, ['localhost', '127.0.0.1']);
      assert.equal(same.cert, first.cert);
      const wider = loadOrCreateServingCerts(dir, ['127.0.0.1', 'localhost', 'kubernetes.default.svc', '10.96.0.1']);
      assert.match(wider.reissued ?? '', /names changed/);
      assert.equal(wider.caCert, first.caCert);
      assert.notEqual(wider.cert, first.cert);
      assert.equal(readFileSync(join(dir, 'apiserver.crt'), 'utf8'), wider.cert);
      assert.deepEqual(certificateHosts(wider.cert).sort(), ['10.96.0.1', '127.0.0.1', 'kubernetes.default.svc', 'localhost']);
      // Placed by hand (no CA key): used as they are.
      rmSync(join(dir, 'ca.key'));
      writeFileSync(join(dir, 'apiserver.crt'), first.cert);
      assert.equal(loadOrCreateServingCerts(dir, ['other']).cert, first.cert);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('default/kubernetes objects', () => {
  it('publish the advertised address on the secure port, as upstream labels them', () => {
    assert.deepEqual(kubernetesEndpoints('10.244.0.1', 6443), {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { namespace: 'default', name: 'kubernetes', labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
      subsets: [{ addresses: [{ ip: '10.244.0.1' }], ports: [{ name: 'https', port: 6443, protocol: 'TCP' }] }],
    });
    assert.deepEqual(kubernetesEndpointSlice('10.244.0.1', 6443), {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { namespace: 'default', name: 'kubernetes', labels: { 'kubernetes.io/service-name': 'kubernetes' } },
      addressType: 'IPv4',
      endpoints: [{ addresses: ['10.244.0.1'], conditions: { ready: true } }],
      ports: [{ name: 'https', port: 6443, protocol: 'TCP' }],
    });
    const svc = kubernetesService(6443);
    assert.equal(svc.spec?.selector, undefined);
    assert.deepEqual(svc.spec?.ports, [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }]);
  });

  it('advertise the given address, else a bind address pods can dial', () => {
    assert.equal(advertisedAddress({ advertiseAddress: '10.244.0.1', bindAddress: '0.0.0.0' }), '10.244.0.1');
    assert.equal(advertisedAddress({ bindAddress: '192.0.2.7' }), '192.0.2.7');
    assert.equal(advertisedAddress({ bindAddress: '0.0.0.0' }), undefined);
    assert.equal(advertisedAddress({ bindAddress: '127.0.0.1' }), undefined);
  });

  it('count as unchanged when the stored object only has defaulted fields more', () => {
    const want = kubernetesEndpointSlice('10.244.0.1', 6443).endpoints;
    assert.ok(covers([{ addresses: ['10.244.0.1'], conditions: { ready: true, serving: true } }], want));
    assert.ok(!covers([{ addresses: ['10.244.0.2'], conditions: { ready: true } }], want));
    assert.ok(!covers([...want, { addresses: ['10.244.0.3'], conditions: { ready: true } }], want));
    assert.ok(!covers([{ addresses: ['10.244.0.1'], conditions: { ready: false } }], want));
    assert.ok(!covers(undefined, want));
  });
});
