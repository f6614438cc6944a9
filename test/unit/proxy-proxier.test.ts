// The proxier's syncs against a model of the kernel's tables: what a partial
// sync writes (only what changed), that any sequence of partial syncs leaves the
// same ruleset a full sync writes, failure handling, and UDP conntrack clean-up.
import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { Proxier, type ProxierOptions } from '../../pkg/proxy/iptables/proxier.js';
import { detectLocalByCIDR } from '../../pkg/proxy/iptables/servicerules.js';
import { servicePortEndpointChain, servicePortPolicyClusterChain } from '../../pkg/proxy/iptables/chains.js';
import { Conntrack } from '../../pkg/proxy/conntrack.js';
import { ProxyMetrics } from '../../pkg/proxy/metrics.js';
import type { Service } from '../../api/core/v1/types.js';
import type { EndpointSlice } from '../../api/discovery/v1/types.js';
import { newModelIPTables, parseRestore, RulesetModel, slice, svc } from './proxy-fakes.js';

const NODE = 'node-a';
const tcp80 = [{ name: 'http', port: 80, protocol: 'TCP' as const }];
const ep8080 = [{ name: 'http', port: 8080, protocol: 'TCP' as const }];

function web(name: string, ip: string, extra: Partial<Service['spec']> = {}): Service {
  return svc('default', name, { clusterIP: ip, ports: tcp80, ...extra });
}
function eps(name: string, ips: string[]): EndpointSlice {
  return slice(
    'default',
    name,
    ips.map((ip) => ({ addresses: [ip], conditions: { ready: true }, nodeName: NODE })),
    ep8080,
  );
}

async function started(opts: Partial<ProxierOptions> = {}, model?: RulesetModel) {
  const fake = newModelIPTables(model);
  const p = new Proxier({ iptables: fake.ipt, hostname: NODE, localDetector: detectLocalByCIDR('10.244.0.0/16'), minSyncPeriodMs: 0, ...opts });
  return {
    p,
    fake,
    async start(services: Service[] = [], slices: EndpointSlice[] = []) {
      for (const s of services) p.onServiceAdd(s);
      for (const s of slices) p.onEndpointSliceAdd(s);
      p.onServicesSynced();
      p.onEndpointSlicesSynced();
      await p.syncProxyRules();
    },
  };
}

describe('partial syncs', () => {
  it("an endpoint change rewrites only that service's chains and leaves the top-level chains alone", async () => {
    const { p, fake, start } = await started();
    await start([web('a', '10.96.0.1'), web('b', '10.96.0.2')], [eps('a', ['10.244.1.1', '10.244.1.2']), eps('b', ['10.244.2.1'])]);
    const before = fake.restores.length;
    p.onEndpointSliceUpdate(undefined, eps('a', ['10.244.1.1', '10.244.1.3']));
    const res = await p.syncProxyRules();
    assert.equal(res?.full, false);
    assert.equal(fake.restores.length, before + 1);
    const data = fake.restores.at(-1) as string;
    assert.ok(!data.includes('*filter'), 'nothing for the filter table');
    assert.ok(!data.includes(':KUBE-SERVICES'), 'KUBE-SERVICES is not rewritten');
    const parsed = parseRestore(data);
    const svcA = servicePortPolicyClusterChain('default/a:http', 'tcp');
    const gone = servicePortEndpointChain('default/a:http', 'tcp', '10.244.1.2:8080');
    const added = servicePortEndpointChain('default/a:http', 'tcp', '10.244.1.3:8080');
    assert.deepEqual(
      [...(parsed.declared.get('nat') ?? [])].sort(),
      [svcA, gone, added, servicePortEndpointChain('default/a:http', 'tcp', '10.244.1.1:8080')].sort(),
    );
    assert.deepEqual(parsed.other.get('nat'), [`-X ${gone}`]);
    assert.ok(!data.includes('default/b'), 'service b is not touched');
    await p.stop();
  });

  it('a new service is inserted at the top of KUBE-SERVICES, a deleted one removed with -D and its chains with -X', async () => {
    const { p, fake, start } = await started();
    await start([web('a', '10.96.0.1')], [eps('a', ['10.244.1.1'])]);
    p.onServiceAdd(web('c', '10.96.0.3'));
    p.onEndpointSliceAdd(eps('c', ['10.244.3.1']));
    await p.syncProxyRules();
    const add = fake.restores.at(-1) as string;
    assert.match(add, /^-I KUBE-SERVICES 1 -m comment --comment "default\/c:http cluster IP" .* -j KUBE-SVC-/m);
    assert.ok(!add.includes(':KUBE-SERVICES'));
    const nat = fake.model.tables.get('nat') as Map<string, string[]>;
    assert.match((nat.get('KUBE-SERVICES') as string[]).at(-1) as string, /must be the last rule/, 'the NodePorts jump stays last');

    p.onServiceDelete(web('a', '10.96.0.1'));
    await p.syncProxyRules();
    const del = fake.restores.at(-1) as string;
    assert.match(del, /^-D KUBE-SERVICES -m comment --comment "default\/a:http cluster IP"/m);
    assert.match(del, new RegExp(`^-X ${servicePortPolicyClusterChain('default/a:http', 'tcp')}$`, 'm'));
    assert.ok(!fake.model.tables.get('nat')?.has(servicePortPolicyClusterChain('default/a:http', 'tcp')));
    await p.stop();
  });

  it('a service losing its last endpoint moves from a nat jump to a filter REJECT, and back', async () => {
    const { p, fake, start } = await started();
    await start([web('a', '10.96.0.1')], [eps('a', ['10.244.1.1'])]);
    p.onEndpointSliceUpdate(undefined, eps('a', []));
    await p.syncProxyRules();
    const filter = fake.model.tables.get('filter') as Map<string, string[]>;
    assert.deepEqual(filter.get('KUBE-SERVICES'), ['-m comment --comment "default/a:http has no endpoints" -m tcp -p tcp -d 10.96.0.1 --dport 80 -j REJECT']);
    assert.ok(!(fake.model.tables.get('nat')?.get('KUBE-SERVICES') ?? []).some((r) => r.includes('default/a')));
    p.onEndpointSliceUpdate(undefined, eps('a', ['10.244.1.2']));
    await p.syncProxyRules();
    assert.deepEqual(fake.model.tables.get('filter')?.get('KUBE-SERVICES'), []);
    assert.ok((fake.model.tables.get('nat')?.get('KUBE-SERVICES') ?? []).some((r) => r.includes('default/a:http cluster IP')));
    await p.stop();
  });

  it('rewrites a top-level chain instead of editing it when many entries change at once', async () => {
    const { p, fake, start } = await started();
    await start();
    for (let i = 0; i < 250; i++) {
      p.onServiceAdd(web(`s${i}`, `10.96.1.${i}`));
      p.onEndpointSliceAdd(eps(`s${i}`, [`10.244.5.${i}`]));
    }
    await p.syncProxyRules();
    const data = fake.restores.at(-1) as string;
    assert.ok(data.includes(':KUBE-SERVICES - [0:0]'));
    assert.ok(!data.includes('-I KUBE-SERVICES'));
    assert.equal((fake.model.tables.get('nat')?.get('KUBE-SERVICES') ?? []).length, 251);
    await p.stop();
  });

  it('after a failed restore the next sync is a full one', async () => {
    const metrics = new ProxyMetrics();
    const { p, fake, start } = await started({ metrics });
    await start([web('a', '10.96.0.1')], [eps('a', ['10.244.1.1'])]);
    fake.failNextRestore();
    p.onEndpointSliceUpdate(undefined, eps('a', ['10.244.1.2']));
    assert.equal(await p.syncProxyRules(), undefined);
    const failures = await metrics.iptablesRestoreFailuresTotal.get();
    assert.equal(failures.values[0].value, 1);
    const res = await p.syncProxyRules();
    assert.equal(res?.full, true);
    assert.ok((fake.model.tables.get('nat')?.get(servicePortEndpointChain('default/a:http', 'tcp', '10.244.1.2:8080')) ?? []).length > 0);
    await p.stop();
  });

  it('switching into large-cluster mode rewrites everything without per-endpoint comments', async () => {
    const { p, fake, start } = await started();
    const ips = (n: number, base: number) => Array.from({ length: n }, (_, i) => `10.244.${base + Math.floor(i / 250)}.${i % 250}`);
    await start([web('a', '10.96.0.1'), web('big', '10.96.0.2')], [eps('a', ['10.244.1.1']), eps('big', ips(900, 10))]);
    const sepA = servicePortEndpointChain('default/a:http', 'tcp', '10.244.1.1:8080');
    assert.ok(fake.model.tables.get('nat')?.get(sepA)?.[0].includes('--comment'));
    p.onEndpointSliceUpdate(undefined, eps('big', ips(1100, 10)));
    const res = await p.syncProxyRules();
    assert.equal(res?.full, true);
    assert.deepEqual(fake.model.tables.get('nat')?.get(sepA), ['-s 10.244.1.1 -j KUBE-MARK-MASQ', '-m tcp -p tcp -j DNAT --to-destination 10.244.1.1:8080']);
    await p.stop();
  });

  it('any sequence of partial syncs leaves the ruleset a full sync writes', async () => {
    // A seeded pseudo-random walk over the kinds of change a cluster sees.
    let seed = 42;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const { p, fake, start } = await started();
    await start();
    const services = new Map<string, Service>();
    const slices = new Map<string, EndpointSlice>();
    for (let step = 0; step < 120; step++) {
      const name = `s${rand(12)}`;
      const ip = `10.96.0.${10 + Number(name.slice(1))}`;
      const op = rand(6);
      if (op === 0 && services.has(name)) {
        p.onServiceDelete(services.get(name) as Service);
        services.delete(name);
      } else if (op <= 2) {
        const kind = rand(4);
        const s = web(
          name,
          ip,
          kind === 1
            ? { type: 'NodePort', ports: [{ ...tcp80[0], nodePort: 30000 + Number(name.slice(1)) }] }
            : kind === 2
              ? { sessionAffinity: 'ClientIP' }
              : kind === 3
                ? { type: 'NodePort', externalTrafficPolicy: 'Local', ports: [{ ...tcp80[0], nodePort: 30100 + Number(name.slice(1)) }] }
                : {},
        );
        p.onServiceUpdate(services.get(name), s);
        services.set(name, s);
      } else {
        const n = rand(4);
        const sl = eps(
          name,
          Array.from({ length: n }, () => `10.244.${Number(name.slice(1))}.${rand(6) + 1}`),
        );
        if (rand(3) === 0) sl.endpoints = (sl.endpoints ?? []).map((e, i) => ({ ...e, nodeName: i % 2 ? 'node-b' : NODE }));
        p.onEndpointSliceUpdate(slices.get(name), sl);
        slices.set(name, sl);
      }
      if (rand(3) === 0) {
        const res = await p.syncProxyRules();
        assert.ok(res, `sync failed at step ${step}`);
      }
    }
    await p.syncProxyRules();
    assert.ok(
      fake.restores.slice(1).every((r) => !r.includes(':KUBE-POSTROUTING')),
      'only the first sync was a full one',
    );

    const fresh = await started();
    await fresh.start([...services.values()], [...slices.values()]);
    assert.deepEqual(fake.model.normalized(), fresh.fake.model.normalized());
    await p.stop();
    await fresh.p.stop();
  });
});

describe('UDP conntrack clean-up', () => {
  it('deletes flows to a removed endpoint, and flows cached while a service had no endpoints', async () => {
    const fake = newModelIPTables();
    const p = new Proxier({ iptables: fake.ipt, conntrack: new Conntrack(fake.runner), hostname: NODE, minSyncPeriodMs: 0 });
    const dns = svc('kube-system', 'dns', { clusterIP: '10.96.0.10', ports: [{ name: 'dns', port: 53, protocol: 'UDP' }] });
    const udpSlice = (ips: string[]) =>
      slice(
        'kube-system',
        'dns',
        ips.map((ip) => ({ addresses: [ip] })),
        [{ name: 'dns', port: 53, protocol: 'UDP' }],
      );
    p.onServiceAdd(dns);
    p.onServicesSynced();
    p.onEndpointSlicesSynced();
    await p.syncProxyRules();
    const ct = () => fake.commands.filter((c) => c.startsWith('conntrack'));
    assert.deepEqual(ct(), []);
    p.onEndpointSliceAdd(udpSlice(['10.244.0.5', '10.244.0.6']));
    await p.syncProxyRules();
    assert.deepEqual(ct(), ['conntrack -D --orig-dst 10.96.0.10 -p udp'], 'newly served: the cached rejections go');
    p.onEndpointSliceUpdate(undefined, udpSlice(['10.244.0.6']));
    await p.syncProxyRules();
    assert.deepEqual(ct().slice(1), ['conntrack -D --orig-dst 10.96.0.10 --dst-nat 10.244.0.5 -p udp']);
    p.onServiceDelete(dns);
    await p.syncProxyRules();
    assert.deepEqual(ct().slice(2), ['conntrack -D --orig-dst 10.96.0.10 -p udp']);
    await p.stop();
  });
});
