// The nftables proxier against a model of the kernel's table: names and the
// complete ruleset compared with upstream's TestOverallNFTablesRules, what a
// partial sync writes (only what changed, as one transaction), that any
// sequence of partial syncs leaves the table a full sync writes, and recovery
// after a failed transaction.
import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { NftProxier, type NftProxierOptions } from '../../pkg/proxy/nftables/proxier.js';
import { hashAndTruncate, servicePortChainNameBase, servicePortEndpointChainNameBase } from '../../pkg/proxy/nftables/names.js';
import { spreadRules } from '../../pkg/proxy/nftables/servicerules.js';
import { namesInTable } from '../../pkg/proxy/nftables/nftables.js';
import { detectLocalByCIDR } from '../../pkg/proxy/localdetector.js';
import type { Service } from '../../api/core/v1/types.js';
import type { EndpointSlice } from '../../api/discovery/v1/types.js';
import { slice, svc, upstreamOverallObjects } from './proxy-fakes.js';
import { newFakeNFT, normalizeDump, NftModel } from './proxy-nft-fakes.js';

const NODE = 'test-node';

// Upstream's pkg/proxy/nftables/proxier_test.go: baseRules and TestOverallNFTablesRules' expected
// ruleset (its fake proxier: pod CIDR 10.0.0.0/8, service CIDR 172.30.0.0/16, NodePorts on 192.168.0.2).
const UPSTREAM_BASE_RULES = `
add table ip kube-proxy { comment "rules for kube-proxy" ; }

add set ip kube-proxy cluster-ips { type ipv4_addr ; comment "Active ClusterIPs" ; }
add set ip kube-proxy nodeport-ips { type ipv4_addr ; comment "IPs that accept NodePort traffic" ; }

add map ip kube-proxy firewall-ips { type ipv4_addr . inet_proto . inet_service : verdict ; comment "destinations that are subject to LoadBalancerSourceRanges" ; }
add map ip kube-proxy no-endpoint-nodeports { type inet_proto . inet_service : verdict ; comment "vmap to drop or reject packets to service nodeports with no endpoints" ; }
add map ip kube-proxy no-endpoint-services { type ipv4_addr . inet_proto . inet_service : verdict ; comment "vmap to drop or reject packets to services with no endpoints" ; }
add map ip kube-proxy service-ips { type ipv4_addr . inet_proto . inet_service : verdict ; comment "ClusterIP, ExternalIP and LoadBalancer IP traffic" ; }
add map ip kube-proxy service-nodeports { type inet_proto . inet_service : verdict ; comment "NodePort traffic" ; }

add chain ip kube-proxy cluster-ips-check
add chain ip kube-proxy filter-prerouting-pre-dnat { type filter hook prerouting priority -110 ; }
add chain ip kube-proxy filter-output-pre-dnat { type filter hook output priority -110 ; }
add chain ip kube-proxy filter-forward { type filter hook forward priority 0 ; }
add chain ip kube-proxy filter-input { type filter hook input priority 0 ; }
add chain ip kube-proxy filter-output { type filter hook output priority 0 ; }
add chain ip kube-proxy firewall-check
add chain ip kube-proxy mark-for-masquerade
add chain ip kube-proxy masquerading
add chain ip kube-proxy nat-output { type nat hook output priority -100 ; }
add chain ip kube-proxy nat-postrouting { type nat hook postrouting priority 100 ; }
add chain ip kube-proxy nat-prerouting { type nat hook prerouting priority -100 ; }
add chain ip kube-proxy nodeport-endpoints-check
add chain ip kube-proxy reject-chain { comment "helper for @no-endpoint-services / @no-endpoint-nodeports" ; }
add chain ip kube-proxy services
add chain ip kube-proxy service-endpoints-check

add rule ip kube-proxy cluster-ips-check ip daddr @cluster-ips reject comment "Reject traffic to invalid ports of ClusterIPs"
add rule ip kube-proxy cluster-ips-check ip daddr { 172.30.0.0/16 } drop comment "Drop traffic to unallocated ClusterIPs"
add rule ip kube-proxy filter-prerouting-pre-dnat ct state new jump firewall-check
add rule ip kube-proxy filter-forward ct state new jump service-endpoints-check
add rule ip kube-proxy filter-forward ct state new jump cluster-ips-check
add rule ip kube-proxy filter-input ct state new jump nodeport-endpoints-check
add rule ip kube-proxy filter-input ct state new jump service-endpoints-check
add rule ip kube-proxy filter-output ct state new jump service-endpoints-check
add rule ip kube-proxy filter-output-pre-dnat ct state new jump firewall-check
add rule ip kube-proxy filter-output ct state new jump cluster-ips-check
add rule ip kube-proxy firewall-check ip daddr . meta l4proto . th dport vmap @firewall-ips
add rule ip kube-proxy mark-for-masquerade mark set mark or 0x4000
add rule ip kube-proxy masquerading mark and 0x4000 == 0 return
add rule ip kube-proxy masquerading mark set mark xor 0x4000
add rule ip kube-proxy masquerading masquerade fully-random
add rule ip kube-proxy nat-output jump services
add rule ip kube-proxy nat-postrouting jump masquerading
add rule ip kube-proxy nat-prerouting jump services
add rule ip kube-proxy nodeport-endpoints-check ip daddr @nodeport-ips meta l4proto . th dport vmap @no-endpoint-nodeports
add rule ip kube-proxy reject-chain reject
add rule ip kube-proxy services ip daddr . meta l4proto . th dport vmap @service-ips
add rule ip kube-proxy services ip daddr @nodeport-ips meta l4proto . th dport vmap @service-nodeports

add element ip kube-proxy nodeport-ips { 192.168.0.2 }
add rule ip kube-proxy service-endpoints-check ip daddr . meta l4proto . th dport vmap @no-endpoint-services
`;

const UPSTREAM_OVERALL = `
# svc1
add chain ip kube-proxy service-ULMVA6XW-ns1/svc1/tcp/p80
add rule ip kube-proxy service-ULMVA6XW-ns1/svc1/tcp/p80 ip daddr 172.30.0.41 ip saddr != 10.0.0.0/8 jump mark-for-masquerade
add rule ip kube-proxy service-ULMVA6XW-ns1/svc1/tcp/p80 numgen random mod 1 vmap { 0 : goto endpoint-5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80 }

add chain ip kube-proxy endpoint-5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80
add rule ip kube-proxy endpoint-5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80 ip saddr 10.180.0.1 jump mark-for-masquerade
add rule ip kube-proxy endpoint-5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80 meta l4proto tcp dnat to 10.180.0.1:80

add element ip kube-proxy cluster-ips { 172.30.0.41 }
add element ip kube-proxy service-ips { 172.30.0.41 . tcp . 80 : goto service-ULMVA6XW-ns1/svc1/tcp/p80 }

# svc2
add chain ip kube-proxy service-42NFTM6N-ns2/svc2/tcp/p80
add rule ip kube-proxy service-42NFTM6N-ns2/svc2/tcp/p80 ip daddr 172.30.0.42 ip saddr != 10.0.0.0/8 jump mark-for-masquerade
add rule ip kube-proxy service-42NFTM6N-ns2/svc2/tcp/p80 numgen random mod 1 vmap { 0 : goto endpoint-SGOXE6O3-ns2/svc2/tcp/p80__10.180.0.2/80 }
add chain ip kube-proxy external-42NFTM6N-ns2/svc2/tcp/p80
add rule ip kube-proxy external-42NFTM6N-ns2/svc2/tcp/p80 ip saddr 10.0.0.0/8 goto service-42NFTM6N-ns2/svc2/tcp/p80 comment "short-circuit pod traffic"
add rule ip kube-proxy external-42NFTM6N-ns2/svc2/tcp/p80 fib saddr type local jump mark-for-masquerade comment "masquerade local traffic"
add rule ip kube-proxy external-42NFTM6N-ns2/svc2/tcp/p80 fib saddr type local goto service-42NFTM6N-ns2/svc2/tcp/p80 comment "short-circuit local traffic"
add chain ip kube-proxy endpoint-SGOXE6O3-ns2/svc2/tcp/p80__10.180.0.2/80
add rule ip kube-proxy endpoint-SGOXE6O3-ns2/svc2/tcp/p80__10.180.0.2/80 ip saddr 10.180.0.2 jump mark-for-masquerade
add rule ip kube-proxy endpoint-SGOXE6O3-ns2/svc2/tcp/p80__10.180.0.2/80 meta l4proto tcp dnat to 10.180.0.2:80

add element ip kube-proxy cluster-ips { 172.30.0.42 }
add element ip kube-proxy service-ips { 172.30.0.42 . tcp . 80 : goto service-42NFTM6N-ns2/svc2/tcp/p80 }
add element ip kube-proxy service-ips { 192.168.99.22 . tcp . 80 : goto external-42NFTM6N-ns2/svc2/tcp/p80 }
add element ip kube-proxy service-ips { 1.2.3.4 . tcp . 80 : goto external-42NFTM6N-ns2/svc2/tcp/p80 }
add element ip kube-proxy service-nodeports { tcp . 3001 : goto external-42NFTM6N-ns2/svc2/tcp/p80 }

add element ip kube-proxy no-endpoint-nodeports { tcp . 3001 comment "ns2/svc2:p80" : drop }
add element ip kube-proxy no-endpoint-services { 1.2.3.4 . tcp . 80 comment "ns2/svc2:p80" : drop }
add element ip kube-proxy no-endpoint-services { 192.168.99.22 . tcp . 80 comment "ns2/svc2:p80" : drop }

# svc3
add chain ip kube-proxy service-4AT6LBPK-ns3/svc3/tcp/p80
add rule ip kube-proxy service-4AT6LBPK-ns3/svc3/tcp/p80 ip daddr 172.30.0.43 ip saddr != 10.0.0.0/8 jump mark-for-masquerade
add rule ip kube-proxy service-4AT6LBPK-ns3/svc3/tcp/p80 numgen random mod 1 vmap { 0 : goto endpoint-UEIP74TE-ns3/svc3/tcp/p80__10.180.0.3/80 }
add chain ip kube-proxy external-4AT6LBPK-ns3/svc3/tcp/p80
add rule ip kube-proxy external-4AT6LBPK-ns3/svc3/tcp/p80 jump mark-for-masquerade
add rule ip kube-proxy external-4AT6LBPK-ns3/svc3/tcp/p80 goto service-4AT6LBPK-ns3/svc3/tcp/p80
add chain ip kube-proxy endpoint-UEIP74TE-ns3/svc3/tcp/p80__10.180.0.3/80
add rule ip kube-proxy endpoint-UEIP74TE-ns3/svc3/tcp/p80__10.180.0.3/80 ip saddr 10.180.0.3 jump mark-for-masquerade
add rule ip kube-proxy endpoint-UEIP74TE-ns3/svc3/tcp/p80__10.180.0.3/80 meta l4proto tcp dnat to 10.180.0.3:80

add element ip kube-proxy cluster-ips { 172.30.0.43 }
add element ip kube-proxy service-ips { 172.30.0.43 . tcp . 80 : goto service-4AT6LBPK-ns3/svc3/tcp/p80 }
add element ip kube-proxy service-nodeports { tcp . 3003 : goto external-4AT6LBPK-ns3/svc3/tcp/p80 }

# svc4
add chain ip kube-proxy service-LAUZTJTB-ns4/svc4/tcp/p80
add rule ip kube-proxy service-LAUZTJTB-ns4/svc4/tcp/p80 ip daddr 172.30.0.44 ip saddr != 10.0.0.0/8 jump mark-for-masquerade
add rule ip kube-proxy service-LAUZTJTB-ns4/svc4/tcp/p80 numgen random mod 2 vmap { 0 : goto endpoint-UNZV3OEC-ns4/svc4/tcp/p80__10.180.0.4/80 , 1 : goto endpoint-5RFCDDV7-ns4/svc4/tcp/p80__10.180.0.5/80 }
add chain ip kube-proxy external-LAUZTJTB-ns4/svc4/tcp/p80
add rule ip kube-proxy external-LAUZTJTB-ns4/svc4/tcp/p80 jump mark-for-masquerade
add rule ip kube-proxy external-LAUZTJTB-ns4/svc4/tcp/p80 goto service-LAUZTJTB-ns4/svc4/tcp/p80
add chain ip kube-proxy endpoint-5RFCDDV7-ns4/svc4/tcp/p80__10.180.0.5/80
add rule ip kube-proxy endpoint-5RFCDDV7-ns4/svc4/tcp/p80__10.180.0.5/80 ip saddr 10.180.0.5 jump mark-for-masquerade
add rule ip kube-proxy endpoint-5RFCDDV7-ns4/svc4/tcp/p80__10.180.0.5/80 meta l4proto tcp dnat to 10.180.0.5:80
add chain ip kube-proxy endpoint-UNZV3OEC-ns4/svc4/tcp/p80__10.180.0.4/80
add rule ip kube-proxy endpoint-UNZV3OEC-ns4/svc4/tcp/p80__10.180.0.4/80 ip saddr 10.180.0.4 jump mark-for-masquerade
add rule ip kube-proxy endpoint-UNZV3OEC-ns4/svc4/tcp/p80__10.180.0.4/80 meta l4proto tcp dnat to 10.180.0.4:80

add element ip kube-proxy cluster-ips { 172.30.0.44 }
add element ip kube-proxy service-ips { 172.30.0.44 . tcp . 80 : goto service-LAUZTJTB-ns4/svc4/tcp/p80 }
add element ip kube-proxy service-ips { 192.168.99.33 . tcp . 80 : goto external-LAUZTJTB-ns4/svc4/tcp/p80 }

# svc5
add set ip kube-proxy affinity-GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80 { type ipv4_addr ; flags dynamic,timeout ; timeout 10800s ; }
add chain ip kube-proxy service-HVFWP5L3-ns5/svc5/tcp/p80
add rule ip kube-proxy service-HVFWP5L3-ns5/svc5/tcp/p80 ip daddr 172.30.0.45 ip saddr != 10.0.0.0/8 jump mark-for-masquerade
add rule ip kube-proxy service-HVFWP5L3-ns5/svc5/tcp/p80 ip saddr @affinity-GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80 goto endpoint-GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80
add rule ip kube-proxy service-HVFWP5L3-ns5/svc5/tcp/p80 numgen random mod 1 vmap { 0 : goto endpoint-GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80 }
add chain ip kube-proxy external-HVFWP5L3-ns5/svc5/tcp/p80
add rule ip kube-proxy external-HVFWP5L3-ns5/svc5/tcp/p80 jump mark-for-masquerade
add rule ip kube-proxy external-HVFWP5L3-ns5/svc5/tcp/p80 goto service-HVFWP5L3-ns5/svc5/tcp/p80

add chain ip kube-proxy endpoint-GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80
add rule ip kube-proxy endpoint-GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80 ip saddr 10.180.0.3 jump mark-for-masquerade
add rule ip kube-proxy endpoint-GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80 update @affinity-GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80 { ip saddr }
add rule ip kube-proxy endpoint-GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80 meta l4proto tcp dnat to 10.180.0.3:80

add chain ip kube-proxy firewall-HVFWP5L3-ns5/svc5/tcp/p80
add rule ip kube-proxy firewall-HVFWP5L3-ns5/svc5/tcp/p80 ip saddr != { 203.0.113.0/25 } drop

add element ip kube-proxy cluster-ips { 172.30.0.45 }
add element ip kube-proxy service-ips { 172.30.0.45 . tcp . 80 : goto service-HVFWP5L3-ns5/svc5/tcp/p80 }
add element ip kube-proxy service-ips { 5.6.7.8 . tcp . 80 : goto external-HVFWP5L3-ns5/svc5/tcp/p80 }
add element ip kube-proxy service-nodeports { tcp . 3002 : goto external-HVFWP5L3-ns5/svc5/tcp/p80 }
add element ip kube-proxy firewall-ips { 5.6.7.8 . tcp . 80 : goto firewall-HVFWP5L3-ns5/svc5/tcp/p80 }

# svc6
add element ip kube-proxy cluster-ips { 172.30.0.46 }
add element ip kube-proxy no-endpoint-services { 172.30.0.46 . tcp . 80 comment "ns6/svc6:p80" : goto reject-chain }
`;

/**
 * Upstream's one load-balancing rule, `numgen random mod n vmap { 0 : goto a , 1 : goto b }`,
 * as this proxier writes it: a cascade of numgen rules with no anonymous set (see spreadRules).
 * The only rewrite applied to upstream's expected output.
 */
function asCascade(line: string): string[] {
  const m = /^(add rule ip kube-proxy \S+) numgen random mod \d+ vmap \{ (.*) \}$/.exec(line.trim());
  if (!m) return [line];
  return spreadRules(m[2].split(' , ').map((e) => e.split(' : goto ')[1])).map((r) => `${m[1]} ${r}`);
}

const tcp80 = [{ name: 'http', port: 80, protocol: 'TCP' as const }];
const ep8080 = [{ name: 'http', port: 8080, protocol: 'TCP' as const }];
const web = (name: string, ip: string, extra: Partial<Service['spec']> = {}): Service => svc('default', name, { clusterIP: ip, ports: tcp80, ...extra });
const eps = (name: string, ips: string[]): EndpointSlice =>
  slice(
    'default',
    name,
    ips.map((ip) => ({ addresses: [ip], conditions: { ready: true }, nodeName: NODE })),
    ep8080,
  );

function started(opts: Partial<NftProxierOptions> = {}, model?: NftModel) {
  const fake = newFakeNFT(model);
  const p = new NftProxier({ nftables: fake.nft, hostname: NODE, localDetector: detectLocalByCIDR('10.244.0.0/16'), minSyncPeriodMs: 0, ...opts });
  return {
    p,
    fake,
    async start(services: Service[] = [], slices: EndpointSlice[] = []) {
      for (const s of services) p.onServiceAdd(s);
      for (const s of slices) p.onEndpointSliceAdd(s);
      void p.onServicesSynced();
      const res = await p.onEndpointSlicesSynced();
      assert.equal(res?.full, true, 'the first sync is a full one');
    },
  };
}

describe('nftables names and rules', () => {
  it("reads one table's chains and sets from `nft -t list` output", () => {
    const chains = [
      'table ip nat {',
      '\tchain POSTROUTING {',
      '\t\ttype nat hook postrouting priority srcnat; policy accept;',
      '\t}',
      '}',
      'table ip kube-proxy {',
      '\tchain services {',
      '\t}',
      '\tchain service-ULMVA6XW-ns1/svc1/tcp/p80 {',
      '\t}',
      '}',
    ].join('\n');
    assert.deepEqual(namesInTable(chains, 'kube-proxy', 'chain'), ['services', 'service-ULMVA6XW-ns1/svc1/tcp/p80']);
    const sets = 'table ip kube-proxy {\n\tset cluster-ips {\n\t\ttype ipv4_addr\n\t}\n\tset affinity-X-ns/s/tcp/p__1.2.3.4/80 {\n\t}\n}\n';
    assert.deepEqual(namesInTable(sets, 'kube-proxy', 'set'), ['cluster-ips', 'affinity-X-ns/s/tcp/p__1.2.3.4/80']);
    assert.deepEqual(namesInTable(sets, 'other', 'set'), []);
  });

  it('spreads over n endpoints: rule i goes on when numgen mod (n-i) is 0, the last one always', () => {
    assert.deepEqual(spreadRules(['a']), ['goto a']);
    assert.deepEqual(spreadRules(['a', 'b', 'c']), ['numgen random mod 3 0 goto a', 'numgen random mod 2 0 goto b', 'goto c']);
  });

  it('prefix "ns/svc/protocol/port" with 8 characters of its hash, as upstream', () => {
    assert.equal(servicePortChainNameBase('ns1/svc1', 'p80', 'tcp'), 'ULMVA6XW-ns1/svc1/tcp/p80');
    assert.equal(servicePortEndpointChainNameBase('ns1/svc1', 'p80', 'tcp', '10.180.0.1:80'), '5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80');
    assert.equal(servicePortEndpointChainNameBase('ns5/svc5', 'p80', 'tcp', '10.180.0.3:80'), 'GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80');
    const long = hashAndTruncate('x'.repeat(300));
    assert.equal(long.length, 240);
    assert.ok(long.endsWith('...'));
  });
});

describe('nftables full sync', () => {
  it("writes exactly upstream's ruleset for TestOverallNFTablesRules' services", async () => {
    const { p, fake, start } = started({
      localDetector: detectLocalByCIDR('10.0.0.0/8'),
      nodeIP: '192.168.0.2',
      nodePortAddresses: ['192.168.0.2'],
      serviceCIDRs: ['172.30.0.0/16'],
    });
    const { services, slices } = upstreamOverallObjects(NODE);
    await start(services, slices);
    assert.equal(fake.transactions.length, 1, 'one transaction');
    const got = normalizeDump(fake.model.dump());
    const want = normalizeDump((UPSTREAM_BASE_RULES + UPSTREAM_OVERALL).split('\n').flatMap(asCascade));
    assert.deepEqual(got.objects, want.objects);
    assert.deepEqual(got.rules, want.rules);
    await p.stop();
  });

  it('without NodePort addresses, NodePorts answer on every local address but 127.0.0.0/8 (no nodeport-ips set)', async () => {
    const { p, fake, start } = started();
    await start([web('a', '10.96.0.1', { type: 'NodePort', ports: [{ ...tcp80[0], nodePort: 30080 }] })], [eps('a', ['10.244.1.1'])]);
    const rules = normalizeDump(fake.model.dump()).rules;
    assert.deepEqual(rules.services, [
      'ip daddr . meta l4proto . th dport vmap @service-ips',
      'fib daddr type local ip daddr != 127.0.0.0/8 meta l4proto . th dport vmap @service-nodeports',
    ]);
    assert.ok(!fake.model.dump().some((l) => l.includes('nodeport-ips')));
    await p.stop();
  });

  it('removes chains and affinity sets no service uses (left by an earlier run)', async () => {
    const model = new NftModel();
    const first = started({}, model);
    await first.start([web('a', '10.96.0.1', { sessionAffinity: 'ClientIP' }), web('b', '10.96.0.2')], [eps('a', ['10.244.1.1']), eps('b', ['10.244.2.1'])]);
    await first.p.stop();
    const second = started({}, model);
    await second.start([web('b', '10.96.0.2')], [eps('b', ['10.244.2.1'])]);
    const dump = model.dump().join('\n');
    assert.ok(!dump.includes('default/a/'), dump);
    assert.match(dump, /service-\S+-default\/b\/tcp\/http/);
    await second.p.stop();
  });
});

describe('nftables partial syncs', () => {
  it("an endpoint change rewrites only that service's chains and elements, in one transaction", async () => {
    const { p, fake, start } = started();
    await start([web('a', '10.96.0.1'), web('b', '10.96.0.2')], [eps('a', ['10.244.1.1', '10.244.1.2']), eps('b', ['10.244.2.1'])]);
    p.onEndpointSliceUpdate(undefined, eps('a', ['10.244.1.1', '10.244.1.3']));
    const res = await p.syncProxyRules();
    assert.equal(res?.full, false);
    assert.equal(fake.transactions.length, 2);
    const tx = (fake.transactions.at(-1) as string).trim().split('\n');
    const base = servicePortChainNameBase('default/a', 'http', 'tcp');
    const gone = `endpoint-${servicePortEndpointChainNameBase('default/a', 'http', 'tcp', '10.244.1.2:8080')}`;
    const added = `endpoint-${servicePortEndpointChainNameBase('default/a', 'http', 'tcp', '10.244.1.3:8080')}`;
    assert.deepEqual(tx, [
      `add chain ip kube-proxy ${added}`,
      `flush chain ip kube-proxy service-${base}`,
      `flush chain ip kube-proxy ${gone}`,
      `delete chain ip kube-proxy ${gone}`,
      `add rule ip kube-proxy ${added} ip saddr 10.244.1.3 jump mark-for-masquerade`,
      `add rule ip kube-proxy ${added} meta l4proto tcp dnat to 10.244.1.3:8080`,
      `add rule ip kube-proxy service-${base} ip daddr 10.96.0.1 ip saddr != 10.244.0.0/16 jump mark-for-masquerade`,
      `add rule ip kube-proxy service-${base} numgen random mod 2 0 goto endpoint-${servicePortEndpointChainNameBase('default/a', 'http', 'tcp', '10.244.1.1:8080')}`,
      `add rule ip kube-proxy service-${base} goto ${added}`,
    ]);
    await p.stop();
  });

  it('a service losing its last endpoint moves from service-ips to a reject in no-endpoint-services, and back', async () => {
    const { p, fake, start } = started();
    await start([web('a', '10.96.0.1')], [eps('a', ['10.244.1.1'])]);
    p.onEndpointSliceUpdate(undefined, eps('a', []));
    await p.syncProxyRules();
    const tx = fake.transactions.at(-1) as string;
    assert.match(tx, /^delete element ip kube-proxy service-ips \{ 10\.96\.0\.1 \. tcp \. 80 \}$/m);
    assert.match(tx, /^add element ip kube-proxy no-endpoint-services \{ 10\.96\.0\.1 \. tcp \. 80 comment "default\/a:http" : goto reject-chain \}$/m);
    assert.ok(!tx.includes('cluster-ips'), 'the cluster IP stays in cluster-ips');
    p.onEndpointSliceUpdate(undefined, eps('a', ['10.244.1.2']));
    await p.syncProxyRules();
    assert.match(fake.transactions.at(-1) as string, /^delete element ip kube-proxy no-endpoint-services \{ 10\.96\.0\.1 \. tcp \. 80 \}$/m);
    await p.stop();
  });

  it('a changed affinity timeout recreates the sets and rewrites the chains that name them', async () => {
    const { p, fake, start } = started();
    await start([web('a', '10.96.0.1', { sessionAffinity: 'ClientIP' })], [eps('a', ['10.244.1.1'])]);
    p.onServiceUpdate(undefined, web('a', '10.96.0.1', { sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } } }));
    const res = await p.syncProxyRules();
    assert.ok(res, 'the transaction applied');
    assert.match(fake.model.dump().join('\n'), /flags dynamic,timeout ; timeout 60s ;/);
    await p.stop();
  });

  it('after a failed transaction the next sync is a full one', async () => {
    const { p, fake, start } = started();
    await start([web('a', '10.96.0.1')], [eps('a', ['10.244.1.1'])]);
    fake.failNextTransaction();
    p.onEndpointSliceUpdate(undefined, eps('a', ['10.244.1.2']));
    assert.equal(await p.syncProxyRules(), undefined);
    p.onEndpointSliceUpdate(undefined, eps('a', ['10.244.1.3']));
    const res = await p.syncProxyRules();
    assert.equal(res?.full, true);
    assert.match(fake.model.dump().join('\n'), /dnat to 10\.244\.1\.3:8080/);
    assert.ok(!fake.model.dump().join('\n').includes('10.244.1.1'));
    await p.stop();
  });

  it('rebuilds the table when it vanished', async () => {
    const { p, fake, start } = started({ syncPeriodMs: 50 });
    await start([web('a', '10.96.0.1')], [eps('a', ['10.244.1.1'])]);
    await p.syncLoop();
    fake.model.table = undefined;
    const t0 = Date.now();
    while (!fake.model.table && Date.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 20));
    assert.match(fake.model.dump().join('\n'), /dnat to 10\.244\.1\.1:8080/);
    await p.stop();
  });

  it('any sequence of partial syncs leaves the table a full sync writes', async () => {
    // A seeded pseudo-random walk over the kinds of change a cluster sees.
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      // The high bits: an LCG's low bits repeat with a short period.
      return Math.floor(seed / 65536) % n;
    };
    const { p, fake, start } = started();
    await start();
    const services = new Map<string, Service>();
    const slices = new Map<string, EndpointSlice>();
    for (let step = 0; step < 200; step++) {
      const name = `s${rand(12)}`;
      const n = Number(name.slice(1));
      const ip = `10.96.0.${10 + n}`;
      const op = rand(6);
      if (op === 0 && services.has(name)) {
        p.onServiceDelete(services.get(name) as Service);
        services.delete(name);
      } else if (op <= 2) {
        const kind = rand(6);
        const s = web(
          name,
          ip,
          kind === 1
            ? { type: 'NodePort', ports: [{ ...tcp80[0], nodePort: 30000 + n }] }
            : kind === 2
              ? { sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 * (1 + rand(2)) } } }
              : kind === 3
                ? { type: 'NodePort', externalTrafficPolicy: 'Local', ports: [{ ...tcp80[0], nodePort: 30100 + n }] }
                : kind === 4
                  ? { internalTrafficPolicy: 'Local', externalIPs: [`192.168.99.${n}`] }
                  : {},
        );
        p.onServiceUpdate(services.get(name), s);
        services.set(name, s);
      } else {
        const sl = eps(
          name,
          Array.from({ length: rand(4) }, () => `10.244.${n}.${rand(6) + 1}`),
        );
        if (rand(3) === 0) sl.endpoints = (sl.endpoints ?? []).map((e, i) => ({ ...e, nodeName: i % 2 ? 'node-b' : NODE }));
        p.onEndpointSliceUpdate(slices.get(name), sl);
        slices.set(name, sl);
      }
      if (rand(3) === 0) {
        const res = await p.syncProxyRules();
        assert.ok(res, `sync failed at step ${step}: ${fake.transactions.at(-1)}`);
        assert.equal(res.full, false, `step ${step} was a partial sync`);
      }
    }
    await p.syncProxyRules();
    const fresh = started();
    await fresh.start([...services.values()], [...slices.values()]);
    const got = normalizeDump(fake.model.dump());
    const want = normalizeDump(fresh.fake.model.dump());
    assert.deepEqual(got.objects, want.objects);
    assert.deepEqual(got.rules, want.rules);
    assert.ok(got.objects.length > 50, `the walk ends with a non-trivial table (${got.objects.length} objects, ${services.size} services)`);
    await p.stop();
    await fresh.p.stop();
  });
});
