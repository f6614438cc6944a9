// The proxy (cmd/proxy, a real process) against a real apiserver, programming
// the tables of a network namespace the test creates and nothing else: traffic
// from the "node" and from an outside client reaches pods (network namespaces
// running tiny servers) through the ClusterIP and the NodePort, spreads over
// them, sticks with sessionAffinity ClientIP, is rejected at once without
// endpoints, and UDP flows move when an endpoint goes. The EndpointSlices come
// from the real EndpointSlice controller, fed pods whose status the test sets.
// One suite, run once per proxy mode (proxy-iptables.test.ts, proxy-nftables.test.ts).
import { afterAll, beforeAll, describe, it, jest } from '@jest/globals';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Service } from '../../api/core/v1/types.js';
import type { ControllerManager } from '../../pkg/controller/manager.js';
import { freePort } from '../../pkg/cluster/process.js';
import { logger } from '../../pkg/util/log.js';
import { request, startCluster, type TestCluster } from '../support/cluster.js';
import { setPodStatus, startManager, until } from '../support/controllers.js';
import { servicePortPolicyClusterChain } from '../../pkg/proxy/iptables/chains.js';
import { servicePortChainNameBase, servicePortPolicyClusterChain as nftServiceChain } from '../../pkg/proxy/nftables/names.js';
import type { ProxyMode } from '../../pkg/proxy/provider.js';
import { NetnsLab } from './proxy-netns.js';

const JSON_HDR = { 'content-type': 'application/json' };
const PROXY = fileURLToPath(new URL('../../cmd/proxy/main.js', import.meta.url));
const NODE_IP = '10.244.77.1';
const OUTSIDE_NODE_IP = '192.168.77.1';
const PODS = [
  { name: 'web-a', ip: '10.244.77.11' },
  { name: 'web-b', ip: '10.244.77.12' },
  { name: 'web-c', ip: '10.244.77.13' },
];

function runProcess(argv: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => resolve({ code: code ?? 1, out }));
  });
}

/** What a mode's rules look like where the tests check them. */
const MODE = {
  iptables: {
    dnatTo: (ep: string) => `--to-destination ${ep}`,
    affinity: '--rcheck',
    rejects: (spn: string) => new RegExp(`"${spn} has no endpoints" .*-j REJECT`),
    serviceChain: (ns: string, name: string, port: string, proto: string) => servicePortPolicyClusterChain(`${ns}/${name}:${port}`, proto),
  },
  nftables: {
    dnatTo: (ep: string) => `dnat to ${ep}`,
    affinity: 'ip saddr @affinity-',
    rejects: (spn: string) => new RegExp(`comment "${spn}" : goto reject-chain`),
    serviceChain: (ns: string, name: string, port: string, proto: string) => nftServiceChain(servicePortChainNameBase(`${ns}/${name}`, port, proto)),
  },
};

export function describeProxyTraffic(mode: ProxyMode): void {
  jest.setTimeout(240_000);
  describe(`proxy on ${mode}, in a network namespace`, () => {
    let c: TestCluster;
    let m: ControllerManager;
    const lab = new NetnsLab();
    let node = '';
    let outside = '';
    let proxy: ChildProcess | undefined;
    let proxyLog = '';
    let metricsPort = 0;
    let healthzPort = 0;
    let web: Service;
    const podNS: string[] = [];
    const M = MODE[mode];
    const other: ProxyMode = mode === 'iptables' ? 'nftables' : 'iptables';

    /** The proxy's rules in the node namespace, as the given mode lists them ("" when there are none). */
    async function rules(m: ProxyMode = mode): Promise<string> {
      if (m === 'iptables') return (await lab.exec(node, ['iptables-save', '-t', 'nat'])) + (await lab.exec(node, ['iptables-save', '-t', 'filter']));
      return lab.exec(node, ['nft', 'list', 'table', 'ip', 'kube-proxy']).catch(() => '');
    }

    function startProxy(proxyMode: ProxyMode = mode): void {
      proxyLog = '';
      proxy = spawn(
        process.execPath,
        [
          PROXY,
          '--kubeconfig',
          c.kubeconfig,
          '--proxy-mode',
          proxyMode,
          '--netns',
          node,
          '--hostname-override',
          'node-a',
          '--cluster-cidr',
          '10.244.0.0/16',
          '--metrics-bind-address',
          `127.0.0.1:${metricsPort}`,
          '--healthz-bind-address',
          `127.0.0.1:${healthzPort}`,
          '-v',
          '2',
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      proxy.stdout?.on('data', (d: Buffer) => (proxyLog += d.toString()));
      proxy.stderr?.on('data', (d: Buffer) => (proxyLog += d.toString()));
    }

    async function stopProxy(): Promise<void> {
      if (!proxy || proxy.exitCode !== null) return;
      const exited = new Promise((r) => proxy?.once('exit', r));
      proxy.kill('SIGTERM');
      await exited;
    }

    const api = (method: string, path: string, body?: unknown) =>
      request(c, method, path, body === undefined ? {} : { body: JSON.stringify(body), headers: JSON_HDR });

    beforeAll(async () => {
      c = await startCluster();
      m = await startManager(c, ['endpointslice'], { log: logger('proxy-test', -1) });

      // The node: a bridge for the pods, a route for the service range, a link to the outside.
      node = await lab.netns('node');
      outside = await lab.netns('out');
      await lab.bridge(node, `pxbr${lab.id}`, `${NODE_IP}/24`);
      await lab.exec(node, ['ip', 'route', 'add', '10.96.0.0/12', 'dev', `pxbr${lab.id}`]);
      await lab.link(node, outside, { name: `px${lab.id}o`, cidr: '192.168.77.2/24', gateway: OUTSIDE_NODE_IP, outerCidr: `${OUTSIDE_NODE_IP}/24` });
      for (const [i, p] of PODS.entries()) {
        const ns = await lab.netns(p.name);
        podNS.push(ns);
        await lab.link(node, ns, { name: `px${lab.id}${i}`, cidr: `${p.ip}/24`, gateway: NODE_IP, bridge: `pxbr${lab.id}` });
        await lab.httpServer(ns, p.name, 8080);
        await lab.udpEcho(ns, p.name, 5353);
      }
      // Sanity: the pods answer directly, before any rule exists.
      assert.deepEqual((await lab.http(node, `http://${PODS[0].ip}:8080/`))[0].body, 'web-a');

      metricsPort = await freePort();
      healthzPort = await freePort();
      startProxy();

      // Pods selected by a NodePort service; their status (IP, Ready) as a kubelet would report it.
      for (const p of PODS) {
        const res = await api('POST', '/api/v1/namespaces/default/pods', {
          metadata: { name: p.name, labels: { app: 'web' } },
          spec: { nodeName: 'node-a', containers: [{ name: 'web', image: 'nginx', ports: [{ name: 'http', containerPort: 8080 }] }] },
        });
        assert.equal(res.status, 201, res.body);
        await setPodStatus(c, 'default', p.name, { ready: true, status: { podIP: p.ip, podIPs: [{ ip: p.ip }] } });
      }
      const created = await api('POST', '/api/v1/namespaces/default/services', {
        metadata: { name: 'web' },
        spec: { type: 'NodePort', selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }] },
      });
      assert.equal(created.status, 201, created.body);
      web = created.json() as Service;
    });

    afterAll(async () => {
      await stopProxy();
      await lab.cleanup();
      await m?.stop();
      await c?.stop();
    });

    const clusterURL = () => `http://${web.spec.clusterIP}/`;
    const nodePort = () => web.spec.ports?.[0].nodePort as number;

    it('sets the node settings it needs (in the node namespace only)', async () => {
      await until(
        'the proxy to start',
        () => proxyLog.includes('proxy running') || (proxy?.exitCode !== null ? Promise.reject(new Error(proxyLog)) : false),
        30_000,
      );
      assert.equal((await lab.exec(node, ['sysctl', '-n', 'net.ipv4.ip_forward'])).trim(), '1');
      // Only iptables mode opens NodePorts on localhost (nftables mode does not, as upstream).
      if (mode === 'iptables') assert.equal((await lab.exec(node, ['sysctl', '-n', 'net.ipv4.conf.all.route_localnet'])).trim(), '1');
      assert.equal((await lab.exec(node, ['sysctl', '-n', 'net.bridge.bridge-nf-call-iptables'])).trim(), '1');
    });

    it('sends ClusterIP traffic from the node to every endpoint', async () => {
      await until('the cluster IP to answer', async () => (await lab.http(node, clusterURL()))[0].ok, 30_000, 200);
      const results = await lab.http(node, clusterURL(), 60);
      assert.ok(
        results.every((r) => r.ok),
        JSON.stringify(results.filter((r) => !r.ok)),
      );
      const responders = new Set(results.map((r) => r.body));
      assert.deepEqual([...responders].sort(), ['web-a', 'web-b', 'web-c'], 'requests spread over all three pods');
    });

    it("sends a pod's ClusterIP traffic to pods on the same bridge, itself included (bridge netfilter, hairpin masquerade)", async () => {
      const results = await lab.http(podNS[0], clusterURL(), 60);
      assert.ok(
        results.every((r) => r.ok),
        JSON.stringify(results.filter((r) => !r.ok)),
      );
      assert.deepEqual([...new Set(results.map((r) => r.body))].sort(), ['web-a', 'web-b', 'web-c']);
    });

    it("reaches a server on the node itself, as the cluster DNS is published (DNAT to the node's address)", async () => {
      await lab.udpEcho(node, 'node-dns', 10053);
      const created = await api('POST', '/api/v1/namespaces/default/services', {
        metadata: { name: 'node-dns' },
        spec: { ports: [{ name: 'dns', port: 53, protocol: 'UDP' }] },
      });
      assert.equal(created.status, 201, created.body);
      const ip = (created.json() as Service).spec.clusterIP ?? '';
      const res = await api('POST', '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices', {
        metadata: { name: 'node-dns-1', labels: { 'kubernetes.io/service-name': 'node-dns' } },
        addressType: 'IPv4',
        ports: [{ name: 'dns', port: 10053, protocol: 'UDP' }],
        endpoints: [{ addresses: [NODE_IP], conditions: { ready: true }, nodeName: 'node-a' }],
      });
      assert.equal(res.status, 201, res.body);
      await until('rules for the node endpoint', async () => (await rules()).includes(M.dnatTo(`${NODE_IP}:10053`)), 15_000, 100);
      assert.equal(await lab.udp(podNS[1], ip, 53, 41053), 'node-dns');
    });

    it(`answers on the NodePort: from the node${mode === 'iptables' ? ', on localhost' : ''}, and from outside`, async () => {
      for (const [ns, url] of [
        [node, `http://${NODE_IP}:${nodePort()}/`],
        ...(mode === 'iptables' ? [[node, `http://127.0.0.1:${nodePort()}/`]] : []),
        [outside, `http://${OUTSIDE_NODE_IP}:${nodePort()}/`],
      ]) {
        const results = await lab.http(ns, url, 20);
        assert.ok(
          results.every((r) => r.ok),
          `${url} from ${ns}: ${JSON.stringify(results.filter((r) => !r.ok))}`,
        );
        assert.ok(new Set(results.map((r) => r.body)).size >= 2, `${url}: spread`);
      }
    });

    it('keeps a client on one endpoint with sessionAffinity ClientIP', async () => {
      const cur = (await api('GET', '/api/v1/namespaces/default/services/web')).json() as Service;
      const res = await api('PUT', '/api/v1/namespaces/default/services/web', { ...cur, spec: { ...cur.spec, sessionAffinity: 'ClientIP' } });
      assert.equal(res.status, 200, res.body);
      // Rules change within a sync; then every request lands where the first did.
      await until('affinity rules', async () => (await rules()).includes(M.affinity), 15_000, 200);
      const results = await lab.http(node, clusterURL(), 30);
      assert.equal(new Set(results.map((r) => r.body)).size, 1, JSON.stringify(results.map((r) => r.body)));
      const back = (await api('GET', '/api/v1/namespaces/default/services/web')).json() as Service;
      assert.equal((await api('PUT', '/api/v1/namespaces/default/services/web', { ...back, spec: { ...back.spec, sessionAffinity: 'None' } })).status, 200);
      await until('affinity gone', async () => !(await rules()).includes(M.affinity), 15_000, 200);
    });

    it('rejects at once when the service has no ready endpoints, and serves again when it has', async () => {
      for (const p of PODS) await setPodStatus(c, 'default', p.name, { ready: false, status: { podIP: p.ip, podIPs: [{ ip: p.ip }] } });
      const refused = await until(
        'the cluster IP to refuse',
        async () => {
          const [r] = await lab.http(node, clusterURL());
          return !r.ok && r.code === 'ECONNREFUSED' ? r : undefined;
        },
        15_000,
        100,
      );
      assert.ok(refused.ms < 1000, `refused in ${refused.ms} ms, not by a timeout`);
      const [fromOutside] = await lab.http(outside, `http://${OUTSIDE_NODE_IP}:${nodePort()}/`);
      assert.equal(fromOutside.code, 'ECONNREFUSED', 'the NodePort rejects too');
      assert.match(await rules(), M.rejects('default/web:http'));

      const t0 = Date.now();
      await setPodStatus(c, 'default', 'web-b', { ready: true, status: { podIP: PODS[1].ip, podIPs: [{ ip: PODS[1].ip }] } });
      await until('the cluster IP to answer again', async () => (await lab.http(node, clusterURL(), 1, 500))[0].ok, 15_000, 50);
      // Reported, not asserted: the time from the pod turning ready to traffic flowing (controller + informer + sync).
      process.stderr.write(`# proxy-${mode}: serving again ${Date.now() - t0} ms after the pod turned ready\n`);
      const results = await lab.http(node, clusterURL(), 10);
      assert.deepEqual([...new Set(results.map((r) => r.body))], ['web-b']);
      for (const p of PODS) await setPodStatus(c, 'default', p.name, { ready: true, status: { podIP: p.ip, podIPs: [{ ip: p.ip }] } });
    });

    it('moves a UDP flow to another endpoint when its endpoint goes (conntrack entries deleted)', async () => {
      const slice = (ip: string) => ({
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: { name: 'echo-1', labels: { 'kubernetes.io/service-name': 'echo' } },
        addressType: 'IPv4',
        ports: [{ name: 'dns', port: 5353, protocol: 'UDP' }],
        endpoints: [{ addresses: [ip], conditions: { ready: true }, nodeName: 'node-a' }],
      });
      const created = await api('POST', '/api/v1/namespaces/default/services', {
        metadata: { name: 'echo' },
        spec: { ports: [{ name: 'dns', port: 53, protocol: 'UDP' }] },
      });
      assert.equal(created.status, 201, created.body);
      const ip = (created.json() as Service).spec.clusterIP ?? '';
      assert.equal((await api('POST', '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices', slice(PODS[0].ip))).status, 201);
      // The first datagram only once the DNAT exists, so its flow is a DNATed one from the start.
      await until('rules for web-a', async () => (await rules()).includes(M.dnatTo(`${PODS[0].ip}:5353`)), 15_000, 100);
      await until('UDP answers from web-a', async () => (await lab.udp(node, ip, 53, 40053)) === 'web-a', 15_000, 200);
      // Same source port: without the conntrack clean-up this flow would stay DNATed to web-a (which still answers).
      const cur = (await api('GET', '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices/echo-1')).json() as { metadata: { resourceVersion: string } };
      const upd = await api('PUT', '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices/echo-1', {
        ...slice(PODS[2].ip),
        metadata: { ...slice(PODS[2].ip).metadata, resourceVersion: cur.metadata.resourceVersion },
      });
      assert.equal(upd.status, 200, upd.body);
      await until('rules for web-c', async () => (await rules()).includes(M.dnatTo(`${PODS[2].ip}:5353`)), 15_000, 100);
      await until('the flow to move to web-c', async () => (await lab.udp(node, ip, 53, 40053)) === 'web-c', 5000, 100);
    });

    it('serves metrics and /healthz as kube-proxy does', async () => {
      const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
      const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(metrics)?.[1]);
      assert.ok(value('kubeproxy_sync_proxy_rules_duration_seconds_count') > 0);
      assert.ok(value('kubeproxy_network_programming_duration_seconds_count') > 0);
      assert.ok(value('kubeproxy_sync_proxy_rules_last_timestamp_seconds') > Date.now() / 1000 - 600);
      if (mode === 'iptables') assert.match(metrics, /kubeproxy_sync_proxy_rules_iptables_total\{table="nat"\} [1-9]/);
      const health = await fetch(`http://127.0.0.1:${healthzPort}/healthz`);
      assert.equal(health.status, 200);
      const body = (await health.json()) as { lastUpdated: string; currentTime: string };
      assert.ok(Date.parse(body.lastUpdated) > 0 && Date.parse(body.currentTime) >= Date.parse(body.lastUpdated));
    });

    it('after a restart, removes the chains of a service deleted while it was down', async () => {
      const echoChain = M.serviceChain('default', 'echo', 'dns', 'udp');
      assert.ok((await rules()).includes(echoChain), `${echoChain} is there`);
      await stopProxy();
      assert.equal((await api('DELETE', '/api/v1/namespaces/default/services/echo')).status, 200);
      startProxy();
      await until('the stale chain to go', async () => !(await rules()).includes(echoChain), 30_000, 200);
      // And the rest still works.
      await until('the cluster IP to answer', async () => (await lab.http(node, clusterURL()))[0].ok, 30_000, 200);
    });

    it(`switching to ${other} mode removes the ${mode} rules, and switching back removes the ${other} ones`, async () => {
      const webDNAT = M.dnatTo(`${PODS[0].ip}:8080`);
      assert.ok((await rules()).includes(webDNAT));
      for (const [from, to] of [
        [mode, other],
        [other, mode],
      ] as const) {
        await stopProxy();
        startProxy(to);
        await until(`${to} rules`, async () => (await rules(to)).includes(MODE[to].dnatTo(`${PODS[0].ip}:8080`)), 30_000, 200);
        await until(`the ${from} rules to go`, async () => !/KUBE-SERVICES|kube-proxy/.test(await rules(from)), 30_000, 200);
        const results = await lab.http(node, clusterURL(), 10);
        assert.ok(
          results.every((r) => r.ok),
          `${to}: ${JSON.stringify(results.filter((r) => !r.ok))}`,
        );
      }
    });

    it('--cleanup removes every KUBE-* chain, every jump into one, and the kube-proxy table', async () => {
      await stopProxy();
      assert.ok((await rules()).includes(M.dnatTo(`${PODS[0].ip}:8080`)), 'rules stay after the proxy stops');
      // Leave something of the other mode too: --cleanup removes both, whichever ran.
      const res0 = await runProcess([PROXY, '--cleanup', '--netns', node]);
      assert.equal(res0.code, 0, res0.out);
      const after = await lab.exec(node, ['iptables-save']);
      assert.ok(!after.includes('KUBE-'), after);
      assert.ok(!(await lab.exec(node, ['nft', 'list', 'tables'])).includes('kube-proxy'));
      // The host's tables were never touched by this test.
    });
  });
}
