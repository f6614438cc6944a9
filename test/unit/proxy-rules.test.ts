// The iptables layout against kube-proxy's: chain-name hashes, and the complete
// ruleset for the services of upstream's TestOverallIPTablesRules (1.29 layout,
// before the nfacct counters), rule for rule and in order within each chain. The
// masquerade mark is written as kube-proxy writes it (%#08x: 0x00004000); the
// upstream test's fake proxier hard-codes 0x4000, which is the same mark.
import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import {
  isServiceChainName,
  portProtoHash,
  serviceExternalChain,
  serviceFirewallChain,
  servicePortEndpointChain,
  servicePortPolicyClusterChain,
  servicePortPolicyLocalChain,
} from '../../pkg/proxy/iptables/chains.js';
import { buildServicePortRules, cidrContains, detectLocalByCIDR, NO_LOCAL_DETECTOR, probability } from '../../pkg/proxy/iptables/servicerules.js';
import { servicePortInfos } from '../../pkg/proxy/serviceport.js';
import { endpointsForPort } from '../../pkg/proxy/endpoints.js';
import type { Service } from '../../api/core/v1/types.js';
import type { EndpointSlice } from '../../api/discovery/v1/types.js';
import { newFakeIPTables, parseRestore, slice, svc, upstreamOverallObjects } from './proxy-fakes.js';
import { Proxier } from '../../pkg/proxy/iptables/proxier.js';

describe('chain names', () => {
  it('hash "ns/name:port" + protocol as upstream (values from real clusters and upstream tests)', () => {
    assert.equal(servicePortPolicyClusterChain('default/kubernetes:https', 'tcp'), 'KUBE-SVC-NPX46M4PTMTKRN6Y');
    assert.equal(servicePortPolicyClusterChain('kube-system/kube-dns:dns', 'udp'), 'KUBE-SVC-TCOU7JCQXEZGVUNU');
    assert.equal(servicePortPolicyClusterChain('kube-system/kube-dns:dns-tcp', 'tcp'), 'KUBE-SVC-ERIFXISQEP7F7OF4');
    assert.equal(servicePortPolicyClusterChain('kube-system/kube-dns:metrics', 'tcp'), 'KUBE-SVC-JD5MR3NA4I4DYORP');
    assert.equal(servicePortPolicyClusterChain('ns1/svc1:p80', 'tcp'), 'KUBE-SVC-XPGD46QRK7WJZT7O');
    assert.equal(servicePortEndpointChain('ns1/svc1:p80', 'tcp', '10.180.0.1:80'), 'KUBE-SEP-SXIVWICOYRO3J4NJ');
    assert.equal(serviceExternalChain('ns2/svc2:p80', 'tcp'), 'KUBE-EXT-GNZBNJ2PO5MGZ6GT');
    assert.equal(servicePortPolicyLocalChain('ns2/svc2:p80', 'tcp'), 'KUBE-SVL-GNZBNJ2PO5MGZ6GT');
    assert.equal(serviceFirewallChain('ns5/svc5:p80', 'tcp'), 'KUBE-FW-NUKIZ6OKUXPJNT4C');
    assert.equal(portProtoHash('ns1/svc1:p80', 'tcp').length, 16);
  });

  it('knows which chains are per-service', () => {
    for (const c of ['KUBE-SVC-X', 'KUBE-SVL-X', 'KUBE-SEP-X', 'KUBE-FW-X', 'KUBE-EXT-X']) assert.ok(isServiceChainName(c), c);
    for (const c of ['KUBE-SERVICES', 'KUBE-NODEPORTS', 'KUBE-MARK-MASQ', 'DOCKER', 'KUBE-FORWARD']) assert.ok(!isServiceChainName(c), c);
  });

  it('formats probabilities as %0.10f', () => {
    assert.equal(probability(2), '0.5000000000');
    assert.equal(probability(3), '0.3333333333');
    assert.equal(probability(7), '0.1428571429');
  });

  it('tests CIDR membership', () => {
    assert.ok(cidrContains('203.0.113.0/25', '203.0.113.100'));
    assert.ok(!cidrContains('203.0.113.0/25', '203.0.113.200'));
    assert.ok(cidrContains('0.0.0.0/0', '1.2.3.4'));
    assert.ok(cidrContains('10.0.0.1/32', '10.0.0.1'));
  });
});

const NODE = 'test-hostname';

/** The Services and EndpointSlices of upstream's TestOverallIPTablesRules. */
const overallObjects = () => upstreamOverallObjects(NODE);

const EXPECTED_FILTER: Record<string, string[]> = {
  'KUBE-NODEPORTS': ['-m comment --comment "ns2/svc2:p80 health check node port" -m tcp -p tcp --dport 30000 -j ACCEPT'],
  'KUBE-SERVICES': ['-m comment --comment "ns6/svc6:p80 has no endpoints" -m tcp -p tcp -d 172.30.0.46 --dport 80 -j REJECT'],
  'KUBE-EXTERNAL-SERVICES': [
    '-m comment --comment "ns2/svc2:p80 has no local endpoints" -m tcp -p tcp -d 192.168.99.22 --dport 80 -j DROP',
    '-m comment --comment "ns2/svc2:p80 has no local endpoints" -m tcp -p tcp -d 1.2.3.4 --dport 80 -j DROP',
    '-m comment --comment "ns2/svc2:p80 has no local endpoints" -m addrtype --dst-type LOCAL -m tcp -p tcp --dport 3001 -j DROP',
  ],
  'KUBE-FIREWALL': [
    '-m comment --comment "block incoming localnet connections" -d 127.0.0.0/8 ! -s 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP',
  ],
  'KUBE-FORWARD': [
    '-m conntrack --ctstate INVALID -j DROP',
    '-m comment --comment "kubernetes forwarding rules" -m mark --mark 0x00004000/0x00004000 -j ACCEPT',
    '-m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
  ],
  'KUBE-PROXY-FIREWALL': ['-m comment --comment "ns5/svc5:p80 traffic not accepted by KUBE-FW-NUKIZ6OKUXPJNT4C" -m tcp -p tcp -d 5.6.7.8 --dport 80 -j DROP'],
};

const EXPECTED_NAT: Record<string, string[]> = {
  'KUBE-NODEPORTS': [
    '-m comment --comment ns2/svc2:p80 -m tcp -p tcp --dport 3001 -j KUBE-EXT-GNZBNJ2PO5MGZ6GT',
    '-m comment --comment ns3/svc3:p80 -m tcp -p tcp --dport 3003 -j KUBE-EXT-X27LE4BHSL4DOUIK',
    '-m comment --comment ns5/svc5:p80 -m tcp -p tcp --dport 3002 -j KUBE-EXT-NUKIZ6OKUXPJNT4C',
  ],
  'KUBE-SERVICES': [
    '-m comment --comment "ns1/svc1:p80 cluster IP" -m tcp -p tcp -d 172.30.0.41 --dport 80 -j KUBE-SVC-XPGD46QRK7WJZT7O',
    '-m comment --comment "ns2/svc2:p80 cluster IP" -m tcp -p tcp -d 172.30.0.42 --dport 80 -j KUBE-SVC-GNZBNJ2PO5MGZ6GT',
    '-m comment --comment "ns2/svc2:p80 external IP" -m tcp -p tcp -d 192.168.99.22 --dport 80 -j KUBE-EXT-GNZBNJ2PO5MGZ6GT',
    '-m comment --comment "ns2/svc2:p80 loadbalancer IP" -m tcp -p tcp -d 1.2.3.4 --dport 80 -j KUBE-EXT-GNZBNJ2PO5MGZ6GT',
    '-m comment --comment "ns3/svc3:p80 cluster IP" -m tcp -p tcp -d 172.30.0.43 --dport 80 -j KUBE-SVC-X27LE4BHSL4DOUIK',
    '-m comment --comment "ns4/svc4:p80 cluster IP" -m tcp -p tcp -d 172.30.0.44 --dport 80 -j KUBE-SVC-4SW47YFZTEDKD3PK',
    '-m comment --comment "ns4/svc4:p80 external IP" -m tcp -p tcp -d 192.168.99.33 --dport 80 -j KUBE-EXT-4SW47YFZTEDKD3PK',
    '-m comment --comment "ns5/svc5:p80 cluster IP" -m tcp -p tcp -d 172.30.0.45 --dport 80 -j KUBE-SVC-NUKIZ6OKUXPJNT4C',
    '-m comment --comment "ns5/svc5:p80 loadbalancer IP" -m tcp -p tcp -d 5.6.7.8 --dport 80 -j KUBE-FW-NUKIZ6OKUXPJNT4C',
    '-m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS',
  ],
  'KUBE-EXT-4SW47YFZTEDKD3PK': [
    '-m comment --comment "masquerade traffic for ns4/svc4:p80 external destinations" -j KUBE-MARK-MASQ',
    '-j KUBE-SVC-4SW47YFZTEDKD3PK',
  ],
  'KUBE-EXT-GNZBNJ2PO5MGZ6GT': [
    '-m comment --comment "pod traffic for ns2/svc2:p80 external destinations" -s 10.0.0.0/8 -j KUBE-SVC-GNZBNJ2PO5MGZ6GT',
    '-m comment --comment "masquerade LOCAL traffic for ns2/svc2:p80 external destinations" -m addrtype --src-type LOCAL -j KUBE-MARK-MASQ',
    '-m comment --comment "route LOCAL traffic for ns2/svc2:p80 external destinations" -m addrtype --src-type LOCAL -j KUBE-SVC-GNZBNJ2PO5MGZ6GT',
  ],
  'KUBE-EXT-NUKIZ6OKUXPJNT4C': [
    '-m comment --comment "masquerade traffic for ns5/svc5:p80 external destinations" -j KUBE-MARK-MASQ',
    '-j KUBE-SVC-NUKIZ6OKUXPJNT4C',
  ],
  'KUBE-EXT-X27LE4BHSL4DOUIK': [
    '-m comment --comment "masquerade traffic for ns3/svc3:p80 external destinations" -j KUBE-MARK-MASQ',
    '-j KUBE-SVC-X27LE4BHSL4DOUIK',
  ],
  'KUBE-FW-NUKIZ6OKUXPJNT4C': [
    '-m comment --comment "ns5/svc5:p80 loadbalancer IP" -s 203.0.113.0/25 -j KUBE-EXT-NUKIZ6OKUXPJNT4C',
    '-m comment --comment "other traffic to ns5/svc5:p80 will be dropped by KUBE-PROXY-FIREWALL"',
  ],
  'KUBE-MARK-MASQ': ['-j MARK --or-mark 0x00004000'],
  'KUBE-POSTROUTING': [
    '-m mark ! --mark 0x00004000/0x00004000 -j RETURN',
    '-j MARK --xor-mark 0x00004000',
    '-m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully',
  ],
  'KUBE-SEP-C6EBXVWJJZMIWKLZ': [
    '-m comment --comment ns4/svc4:p80 -s 10.180.0.5 -j KUBE-MARK-MASQ',
    '-m comment --comment ns4/svc4:p80 -m tcp -p tcp -j DNAT --to-destination 10.180.0.5:80',
  ],
  'KUBE-SEP-I77PXRDZVX7PMWMN': [
    '-m comment --comment ns5/svc5:p80 -s 10.180.0.3 -j KUBE-MARK-MASQ',
    '-m comment --comment ns5/svc5:p80 -m recent --name KUBE-SEP-I77PXRDZVX7PMWMN --set -m tcp -p tcp -j DNAT --to-destination 10.180.0.3:80',
  ],
  'KUBE-SEP-OYPFS5VJICHGATKP': [
    '-m comment --comment ns3/svc3:p80 -s 10.180.0.3 -j KUBE-MARK-MASQ',
    '-m comment --comment ns3/svc3:p80 -m tcp -p tcp -j DNAT --to-destination 10.180.0.3:80',
  ],
  'KUBE-SEP-RS4RBKLTHTF2IUXJ': [
    '-m comment --comment ns2/svc2:p80 -s 10.180.0.2 -j KUBE-MARK-MASQ',
    '-m comment --comment ns2/svc2:p80 -m tcp -p tcp -j DNAT --to-destination 10.180.0.2:80',
  ],
  'KUBE-SEP-SXIVWICOYRO3J4NJ': [
    '-m comment --comment ns1/svc1:p80 -s 10.180.0.1 -j KUBE-MARK-MASQ',
    '-m comment --comment ns1/svc1:p80 -m tcp -p tcp -j DNAT --to-destination 10.180.0.1:80',
  ],
  'KUBE-SEP-UKSFD7AGPMPPLUHC': [
    '-m comment --comment ns4/svc4:p80 -s 10.180.0.4 -j KUBE-MARK-MASQ',
    '-m comment --comment ns4/svc4:p80 -m tcp -p tcp -j DNAT --to-destination 10.180.0.4:80',
  ],
  'KUBE-SVC-4SW47YFZTEDKD3PK': [
    '-m comment --comment "ns4/svc4:p80 cluster IP" -m tcp -p tcp -d 172.30.0.44 --dport 80 ! -s 10.0.0.0/8 -j KUBE-MARK-MASQ',
    '-m comment --comment "ns4/svc4:p80 -> 10.180.0.4:80" -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-UKSFD7AGPMPPLUHC',
    '-m comment --comment "ns4/svc4:p80 -> 10.180.0.5:80" -j KUBE-SEP-C6EBXVWJJZMIWKLZ',
  ],
  'KUBE-SVC-GNZBNJ2PO5MGZ6GT': [
    '-m comment --comment "ns2/svc2:p80 cluster IP" -m tcp -p tcp -d 172.30.0.42 --dport 80 ! -s 10.0.0.0/8 -j KUBE-MARK-MASQ',
    '-m comment --comment "ns2/svc2:p80 -> 10.180.0.2:80" -j KUBE-SEP-RS4RBKLTHTF2IUXJ',
  ],
  'KUBE-SVC-NUKIZ6OKUXPJNT4C': [
    '-m comment --comment "ns5/svc5:p80 cluster IP" -m tcp -p tcp -d 172.30.0.45 --dport 80 ! -s 10.0.0.0/8 -j KUBE-MARK-MASQ',
    '-m comment --comment "ns5/svc5:p80 -> 10.180.0.3:80" -m recent --name KUBE-SEP-I77PXRDZVX7PMWMN --rcheck --seconds 10800 --reap -j KUBE-SEP-I77PXRDZVX7PMWMN',
    '-m comment --comment "ns5/svc5:p80 -> 10.180.0.3:80" -j KUBE-SEP-I77PXRDZVX7PMWMN',
  ],
  'KUBE-SVC-X27LE4BHSL4DOUIK': [
    '-m comment --comment "ns3/svc3:p80 cluster IP" -m tcp -p tcp -d 172.30.0.43 --dport 80 ! -s 10.0.0.0/8 -j KUBE-MARK-MASQ',
    '-m comment --comment "ns3/svc3:p80 -> 10.180.0.3:80" -j KUBE-SEP-OYPFS5VJICHGATKP',
  ],
  'KUBE-SVC-XPGD46QRK7WJZT7O': [
    '-m comment --comment "ns1/svc1:p80 cluster IP" -m tcp -p tcp -d 172.30.0.41 --dport 80 ! -s 10.0.0.0/8 -j KUBE-MARK-MASQ',
    '-m comment --comment "ns1/svc1:p80 -> 10.180.0.1:80" -j KUBE-SEP-SXIVWICOYRO3J4NJ',
  ],
};

/** Rules within a chain keep their order; chains are compared as sets, KUBE-SERVICES/NODEPORTS entries too (upstream orders them by map iteration). */
function assertChains(actual: Map<string, string[]>, expected: Record<string, string[]>, table: string): void {
  assert.deepEqual([...actual.keys()].filter((c) => c.startsWith('KUBE-')).sort(), Object.keys(expected).sort(), `${table} chains`);
  for (const [chain, rules] of Object.entries(expected)) {
    const got = actual.get(chain) ?? [];
    if (chain === 'KUBE-SERVICES' || chain === 'KUBE-NODEPORTS' || chain === 'KUBE-EXTERNAL-SERVICES') {
      assert.deepEqual([...got].sort(), [...rules].sort(), `${table} ${chain}`);
      if (table === 'nat' && chain === 'KUBE-SERVICES') assert.match(got[got.length - 1], /NOTE: this must be the last rule/);
    } else {
      assert.deepEqual(got, rules, `${table} ${chain}`);
    }
  }
}

describe('Proxier full sync', () => {
  it("writes exactly upstream's ruleset for TestOverallIPTablesRules' services", async () => {
    const fake = newFakeIPTables();
    const p = new Proxier({ iptables: fake.ipt, hostname: NODE, localDetector: detectLocalByCIDR('10.0.0.0/8'), minSyncPeriodMs: 0 });
    const { services, slices } = overallObjects();
    for (const s of services) p.onServiceAdd(s);
    for (const s of slices) p.onEndpointSliceAdd(s);
    p.onServicesSynced();
    p.onEndpointSlicesSynced();
    // The informers' "synced" already ran the first (full) sync; this one finds nothing to do.
    const res = await p.syncProxyRules();
    assert.equal(fake.restores.length, 1);
    const full = fake.restores[0];
    assert.ok(full, 'a restore was written');
    const parsed = parseRestore(full);
    assertChains(parsed.rules.get('filter') ?? new Map(), EXPECTED_FILTER, 'filter');
    assertChains(parsed.rules.get('nat') ?? new Map(), EXPECTED_NAT, 'nat');
    // Every jump target is declared, and nothing references a chain the input does not create.
    for (const [table, chains] of parsed.rules) {
      for (const rules of chains.values()) {
        for (const r of rules) {
          const m = / -j (KUBE-\S+)/.exec(' ' + r);
          if (m) assert.ok(parsed.declared.get(table)?.has(m[1]), `${table}: ${m[1]} jumped to but not declared`);
        }
      }
    }
    // The rule count metric covers every rule the proxy owns.
    const natCount = [...(parsed.rules.get('nat') ?? new Map()).entries()].filter(([c]) => c.startsWith('KUBE-')).reduce((n, [, r]) => n + r.length, 0);
    assert.equal(res?.natRules, natCount);
    await p.stop();
  });

  it('adds the jumps from the built-in chains when they are missing', async () => {
    const fake = newFakeIPTables({ jumpsPresent: false });
    const p = new Proxier({ iptables: fake.ipt, hostname: NODE, minSyncPeriodMs: 0 });
    p.onServicesSynced();
    p.onEndpointSlicesSynced();
    await p.syncProxyRules();
    const data = fake.restores.join('\n');
    assert.match(data, /-I PREROUTING 1 -m comment --comment "kubernetes service portals" -j KUBE-SERVICES/);
    assert.match(data, /-I POSTROUTING 1 -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING/);
    assert.match(data, /-I FORWARD 1 -m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES/);
    assert.match(data, /-I INPUT 1 -j KUBE-FIREWALL/);
    await p.stop();
  });
});

describe('service rules', () => {
  const ctx = { masqueradeAll: false, localDetector: NO_LOCAL_DETECTOR, largeClusterMode: false };

  it('spreads over n endpoints with probabilities 1/n, 1/(n-1), ... and a last rule that always matches', () => {
    const s = svc('ns', 'web', { clusterIP: '10.96.0.5', ports: [{ name: '', port: 80, protocol: 'TCP' }] });
    const sl = slice(
      'ns',
      'web',
      ['10.1.0.1', '10.1.0.2', '10.1.0.3', '10.1.0.4'].map((ip) => ({ addresses: [ip] })),
      [{ name: '', port: 8080, protocol: 'TCP' }],
    );
    const [info] = servicePortInfos(s);
    assert.equal(info.name, 'ns/web', 'an unnamed port leaves no ":" in the name');
    const r = buildServicePortRules(info, endpointsForPort([sl], '', 'TCP', NODE), ctx);
    const svcChain = servicePortPolicyClusterChain('ns/web', 'tcp');
    const toSep = r.natRules.filter((l) => l.startsWith(`-A ${svcChain}`));
    assert.deepEqual(
      toSep.map((l) => /--probability (\S+)/.exec(l)?.[1] ?? 'last'),
      ['0.2500000000', '0.3333333333', '0.5000000000', 'last'],
    );
    assert.equal(r.natChains.length, 5);
    // Without a local-traffic detector (no --cluster-cidr) there is no masquerade rule for the cluster IP.
    assert.ok(!r.natRules.some((l) => l.includes('cluster IP" -m tcp')));
  });

  it('masquerades everything with --masquerade-all', () => {
    const s = svc('ns', 'web', { clusterIP: '10.96.0.5', ports: [{ name: 'http', port: 80, protocol: 'TCP' }] });
    const sl = slice('ns', 'web', [{ addresses: ['10.1.0.1'] }], [{ name: 'http', port: 8080, protocol: 'TCP' }]);
    const [info] = servicePortInfos(s);
    const r = buildServicePortRules(info, endpointsForPort([sl], 'http', 'TCP', NODE), { ...ctx, masqueradeAll: true });
    assert.ok(
      r.natRules.includes(
        `-A ${servicePortPolicyClusterChain('ns/web:http', 'tcp')} -m comment --comment "ns/web:http cluster IP" -m tcp -p tcp -d 10.96.0.5 --dport 80 -j KUBE-MARK-MASQ`,
      ),
    );
  });

  it('drops per-endpoint comments in large-cluster mode', () => {
    const s = svc('ns', 'web', { clusterIP: '10.96.0.5', ports: [{ name: 'http', port: 80, protocol: 'TCP' }] });
    const sl = slice('ns', 'web', [{ addresses: ['10.1.0.1'] }], [{ name: 'http', port: 8080, protocol: 'TCP' }]);
    const [info] = servicePortInfos(s);
    const r = buildServicePortRules(info, endpointsForPort([sl], 'http', 'TCP', NODE), { ...ctx, largeClusterMode: true });
    const sep = servicePortEndpointChain('ns/web:http', 'tcp', '10.1.0.1:8080');
    assert.deepEqual(
      r.natRules.filter((l) => l.includes(sep) && !l.includes('-j ' + sep)),
      [`-A ${sep} -s 10.1.0.1 -j KUBE-MARK-MASQ`, `-A ${sep} -m tcp -p tcp -j DNAT --to-destination 10.1.0.1:8080`],
    );
    assert.ok(r.natServices[0].includes('"ns/web:http cluster IP"'), 'KUBE-SERVICES keeps its comments');
  });

  it('internalTrafficPolicy Local without a local endpoint drops cluster-IP traffic; with one it uses KUBE-SVL', () => {
    const s = svc('ns', 'web', { clusterIP: '10.96.0.5', internalTrafficPolicy: 'Local', ports: [{ name: 'http', port: 80, protocol: 'TCP' }] });
    const [info] = servicePortInfos(s);
    const remote = buildServicePortRules(
      info,
      endpointsForPort(
        [slice('ns', 'web', [{ addresses: ['10.1.0.1'], nodeName: 'other' }], [{ name: 'http', port: 8080, protocol: 'TCP' }])],
        'http',
        'TCP',
        NODE,
      ),
      ctx,
    );
    assert.deepEqual(remote.filterServices, ['-m comment --comment "ns/web:http has no local endpoints" -m tcp -p tcp -d 10.96.0.5 --dport 80 -j DROP']);
    assert.deepEqual(remote.natServices, []);
    assert.ok(remote.noLocalInternal);
    const local = buildServicePortRules(
      info,
      endpointsForPort(
        [slice('ns', 'web', [{ addresses: ['10.1.0.1'], nodeName: NODE }], [{ name: 'http', port: 8080, protocol: 'TCP' }])],
        'http',
        'TCP',
        NODE,
      ),
      ctx,
    );
    assert.ok(local.natServices[0].endsWith(`-j ${servicePortPolicyLocalChain('ns/web:http', 'tcp')}`));
  });

  it('falls back to serving terminating endpoints when none is ready', () => {
    const s = svc('ns', 'web', { clusterIP: '10.96.0.5', ports: [{ name: 'http', port: 80, protocol: 'TCP' }] });
    const [info] = servicePortInfos(s);
    const eps = endpointsForPort(
      [
        slice(
          'ns',
          'web',
          [
            { addresses: ['10.1.0.1'], conditions: { ready: false, serving: true, terminating: true } },
            { addresses: ['10.1.0.2'], conditions: { ready: false, serving: false, terminating: true } },
          ],
          [{ name: 'http', port: 8080, protocol: 'TCP' }],
        ),
      ],
      'http',
      'TCP',
      NODE,
    );
    const r = buildServicePortRules(info, eps, ctx);
    assert.deepEqual(r.usableEndpoints, ['10.1.0.1:8080']);
    assert.ok(r.hasEndpoints);
  });

  it('skips headless and ExternalName services', () => {
    assert.deepEqual(servicePortInfos(svc('ns', 'h', { clusterIP: 'None', ports: [{ name: 'a', port: 1, protocol: 'TCP' }] })), []);
    assert.deepEqual(
      servicePortInfos(svc('ns', 'e', { type: 'ExternalName', externalName: 'example.com', ports: [{ name: 'a', port: 1, protocol: 'TCP' }] })),
      [],
    );
  });

  it('takes an unset protocol as TCP and leaves out a port with a protocol it cannot program', () => {
    const infos = servicePortInfos(
      svc('ns', 'p', {
        clusterIP: '10.96.0.9',
        ports: [
          { name: 'a', port: 1 },
          { name: 'b', port: 2, protocol: 'ICMP' },
          { name: 'c', port: 3, protocol: 'SCTP' },
        ],
      }),
    );
    assert.deepEqual(
      infos.map((i) => [i.portName, i.protocol]),
      [
        ['a', 'TCP'],
        ['c', 'SCTP'],
      ],
    );
  });
});
