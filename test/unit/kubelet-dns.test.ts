// The pod's resolv.conf (CRI DNSConfig) per dnsPolicy and dnsConfig, with the
// resolver limits upstream enforces.
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseResolvConf, podDNSConfig, podDNSType, resolvConfContent, type PodDNSOptions } from '../../pkg/kubelet/dns.js';
import type { Pod } from '../../api/core/v1/types.js';

let dir = '';
let hostConf = '';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'timonel-dns-'));
  hostConf = join(dir, 'resolv.conf');
  writeFileSync(
    hostConf,
    '# generated\nnameserver 192.168.1.1\nnameserver 192.168.1.2\nsearch old.example\nsearch corp.example. lab.example .\noptions timeout:2 attempts:3\noptions timeout:1 rotate\n',
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function pod(spec: Partial<Pod['spec']> = {}): Pod {
  return { metadata: { name: 'p', namespace: 'team-a', uid: 'u1' }, spec: { containers: [], ...spec } };
}

function opts(extra: Partial<PodDNSOptions> = {}): PodDNSOptions {
  return { clusterDNS: ['10.96.0.10'], clusterDomain: 'cluster.local', hostResolvConf: hostConf, ...extra };
}

describe('parseResolvConf', () => {
  it('accumulates nameservers, keeps the last search line (without trailing dots) and merges options', () => {
    assert.deepEqual(
      parseResolvConf('nameserver 1.1.1.1\n  # nameserver 9.9.9.9\nnameserver 8.8.8.8\nsearch a.\nsearch b c.\noptions ndots:2 edns0\noptions ndots:3\n'),
      {
        servers: ['1.1.1.1', '8.8.8.8'],
        searches: ['b', 'c'],
        options: ['ndots:3', 'edns0'],
      },
    );
  });
});

describe('podDNSConfig', () => {
  it('ClusterFirst: only the cluster DNS, the cluster search path before the host one, ndots:5', () => {
    assert.deepEqual(podDNSConfig(pod(), opts()), {
      servers: ['10.96.0.10'],
      searches: ['team-a.svc.cluster.local', 'svc.cluster.local', 'cluster.local', 'corp.example', 'lab.example'],
      options: ['ndots:5'],
    });
    assert.equal(podDNSType(pod({ dnsPolicy: 'ClusterFirst' })), 'Cluster');
  });

  it('ClusterFirst on the host network falls back to Default; ClusterFirstWithHostNet does not', () => {
    const host = { servers: ['192.168.1.1', '192.168.1.2'], searches: ['corp.example', 'lab.example'], options: ['timeout:1', 'attempts:3', 'rotate'] };
    assert.deepEqual(podDNSConfig(pod({ hostNetwork: true }), opts()), host);
    assert.deepEqual(podDNSConfig(pod({ dnsPolicy: 'Default' }), opts()), host);
    assert.deepEqual(podDNSConfig(pod({ hostNetwork: true, dnsPolicy: 'ClusterFirstWithHostNet' }), opts()).servers, ['10.96.0.10']);
  });

  it('None starts empty and takes dnsConfig as given', () => {
    const p = pod({
      dnsPolicy: 'None',
      dnsConfig: {
        nameservers: ['1.2.3.4'],
        searches: ['ns1.svc.cluster-domain.example', 'my.dns.search.suffix'],
        options: [{ name: 'ndots', value: '2' }, { name: 'edns0' }],
      },
    });
    const dns = podDNSConfig(p, opts());
    assert.deepEqual(dns, { servers: ['1.2.3.4'], searches: ['ns1.svc.cluster-domain.example', 'my.dns.search.suffix'], options: ['ndots:2', 'edns0'] });
    assert.equal(resolvConfContent(dns), 'search ns1.svc.cluster-domain.example my.dns.search.suffix\nnameserver 1.2.3.4\noptions ndots:2 edns0\n');
  });

  it('merges dnsConfig into ClusterFirst: extra servers and searches appended once, options overriding by name', () => {
    const p = pod({
      dnsConfig: {
        nameservers: ['10.96.0.10', '1.1.1.1'],
        searches: ['cluster.local', 'extra.example'],
        options: [{ name: 'ndots', value: '1' }, { name: 'single-request' }],
      },
    });
    assert.deepEqual(podDNSConfig(p, opts()), {
      servers: ['10.96.0.10', '1.1.1.1'],
      searches: ['team-a.svc.cluster.local', 'svc.cluster.local', 'cluster.local', 'corp.example', 'lab.example', 'extra.example'],
      options: ['ndots:1', 'single-request'],
    });
  });

  it('without cluster DNS, ClusterFirst falls back to Default with a MissingClusterDNS event', () => {
    const events: string[] = [];
    const dns = podDNSConfig(pod(), opts({ clusterDNS: [], recordEvent: (_t, reason) => events.push(reason) }));
    assert.deepEqual(dns.servers, ['192.168.1.1', '192.168.1.2']);
    assert.deepEqual(events, ['MissingClusterDNS']);
  });

  it('with no host resolv.conf, Default uses the local resolver and disables search', () => {
    assert.deepEqual(podDNSConfig(pod({ dnsPolicy: 'Default' }), opts({ hostResolvConf: '' })), { servers: ['127.0.0.1'], searches: ['.'], options: [] });
    assert.deepEqual(podDNSConfig(pod({ dnsPolicy: 'Default' }), opts({ hostResolvConf: '', nodeIPs: ['fd00::1'] })).servers, ['::1']);
  });

  it('keeps at most 3 nameservers and 32 search paths, dropping over-long ones, with a DNSConfigForming event', () => {
    const events: string[] = [];
    const recordEvent = (_t: string, reason: string, msg: string) => events.push(`${reason}: ${msg}`);
    const p = pod({
      dnsPolicy: 'None',
      dnsConfig: { nameservers: ['1.1.1.1', '2.2.2.2', '3.3.3.3', '4.4.4.4'], searches: Array.from({ length: 40 }, (_, i) => `s${i}.example`) },
    });
    const dns = podDNSConfig(p, opts({ recordEvent }));
    assert.deepEqual(dns.servers, ['1.1.1.1', '2.2.2.2', '3.3.3.3']);
    assert.equal(dns.searches.length, 32);
    assert.equal(dns.searches[31], 's31.example');
    assert.deepEqual(
      events[0],
      'DNSConfigForming: Nameserver limits were exceeded, some nameservers have been omitted, the applied nameserver line is: 1.1.1.1 2.2.2.2 3.3.3.3',
    );
    assert.match(
      events[1],
      /^DNSConfigForming: Search Line limits were exceeded, some search paths have been omitted, the applied search line is: s0\.example/,
    );

    const long = 'a'.repeat(254);
    const cut = podDNSConfig(pod({ dnsPolicy: 'None', dnsConfig: { searches: ['ok.example', long] } }), opts());
    assert.deepEqual(cut.searches, ['ok.example']);
    // 2048 characters for the whole line: the last paths go.
    const many = Array.from({ length: 12 }, (_, i) => `${String(i).padStart(2, '0')}${'b'.repeat(198)}`);
    const line = podDNSConfig(pod({ dnsPolicy: 'None', dnsConfig: { searches: many } }), opts()).searches;
    assert.ok(line.join(' ').length <= 2048);
    assert.deepEqual(line, many.slice(0, 10));
  });
});
