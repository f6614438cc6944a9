// Services for real: the proxy's rules and the cluster DNS on a `timonel up`
// node, reached from a busybox pod by name and by ClusterIP, from the host by
// NodePort, with the upstream StatefulSet example's headless names. Once per
// proxy mode (`timonel up --proxy-mode iptables|nftables`), one cluster after the other.
import { afterAll, beforeAll, describe, it, jest } from '@jest/globals';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { timonelUp, type UpCluster } from '../support/upcluster.js';
import { until } from '../support/controllers.js';
import { EXAMPLES_DIR } from '../support/examples.js';

const poll = <T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs: number) => until(what, check, timeoutMs, 250);

const APP = {
  apiVersion: 'v1',
  kind: 'List',
  items: [
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'my-nginx' },
      spec: {
        replicas: 3,
        selector: { matchLabels: { run: 'my-nginx' } },
        template: { metadata: { labels: { run: 'my-nginx' } }, spec: { containers: [{ name: 'my-nginx', image: 'nginx', ports: [{ containerPort: 80 }] }] } },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'my-nginx', labels: { run: 'my-nginx' } },
      spec: { type: 'NodePort', ports: [{ port: 80, protocol: 'TCP' }], selector: { run: 'my-nginx' } },
    },
  ],
};

const run = promisify(execFile);

jest.setTimeout(600_000);
describe.each(['iptables', 'nftables'] as const)('services: proxy (%s mode) and cluster DNS on a real node', (proxyMode) => {
  let c: UpCluster;
  const clientExec = (cmd: string, allowFail = false) => c.kubectl(['exec', 'client', '--', 'sh', '-c', cmd], { allowFail });

  beforeAll(async () => {
    c = await timonelUp({ podCIDR: '10.244.102.0/24', bridge: 'tmnl-e2e2', proxyMode });
    await c.kubectl(['apply', '-f', '-'], { input: JSON.stringify(APP) });
    await c.kubectl(['run', 'client', '--image=busybox', '--', 'sleep', '3600']);
    await c.kubectl(['rollout', 'status', 'deployment/my-nginx', '--timeout=180s']);
    await c.kubectl(['wait', '--for=condition=Ready', 'pod/client', '--timeout=120s']);
  });
  afterAll(async () => {
    await c?.down();
  });

  it(`programs the node with the ${proxyMode} mode only`, async () => {
    const clusterIP = (await c.kubectl(['get', 'svc', 'my-nginx', '-o', 'jsonpath={.spec.clusterIP}'])).stdout;
    const nft = await run('nft', ['list', 'table', 'ip', 'kube-proxy']).then(
      (r) => r.stdout,
      () => '',
    );
    const ipt = (await run('iptables-save', ['-t', 'nat'])).stdout;
    if (proxyMode === 'nftables') {
      assert.ok(nft.includes(`${clusterIP} . tcp . 80 : goto service-`), nft.slice(0, 2000));
      assert.ok(!ipt.includes('KUBE-SERVICES'), 'no iptables rules left');
    } else {
      assert.match(ipt, new RegExp(`-d ${clusterIP.replace(/\./g, '\\.')}/32 .*-j KUBE-SVC-`));
      assert.equal(nft, '', 'no nftables table left');
    }
  });

  it('resolves the Service by name and serves through the ClusterIP, spreading over every replica', async () => {
    const clusterIP = (await c.kubectl(['get', 'svc', 'my-nginx', '-o', 'jsonpath={.spec.clusterIP}'])).stdout;
    assert.match(clusterIP, /^10\.(9[6-9]|1[01]\d)\.\d+\.\d+$/);
    const resolv = (await clientExec('cat /etc/resolv.conf')).stdout;
    assert.match(resolv, /nameserver 10\.96\.0\.10/);
    assert.match(resolv, /search default\.svc\.cluster\.local svc\.cluster\.local cluster\.local/);
    const lookup = (await clientExec('nslookup my-nginx.default.svc.cluster.local')).stdout;
    assert.ok(lookup.includes(clusterIP), lookup);
    assert.match((await clientExec('timeout 5 wget -qO- http://my-nginx')).stdout, /Welcome to nginx!/);
    assert.match((await clientExec(`timeout 5 wget -qO- http://${clusterIP}`)).stdout, /Welcome to nginx!/);

    // Each replica logs the requests it served; 30 requests through the ClusterIP reach all three.
    await clientExec(`for i in $(seq 1 30); do timeout 5 wget -qO- http://${clusterIP}/spread >/dev/null 2>&1 || true; done`);
    const pods = JSON.parse((await c.kubectl(['get', 'pods', '-l', 'run=my-nginx', '-o', 'json'])).stdout).items as { metadata: { name: string } }[];
    const served = await Promise.all(
      pods.map(async (p) => ((await c.kubectl(['logs', p.metadata.name])).stdout.match(/"GET \/spread HTTP\/1\.1" 404/g) ?? []).length),
    );
    assert.equal(
      served.reduce((a, b) => a + b, 0),
      30,
    );
    for (const n of served) assert.ok(n > 0, `a replica served nothing: ${served.join(',')}`);
  });

  it('answers on the NodePort at the node address, and on the ClusterIP, from the host', async () => {
    const clusterIP = (await c.kubectl(['get', 'svc', 'my-nginx', '-o', 'jsonpath={.spec.clusterIP}'])).stdout;
    assert.match(await (await fetch(`http://${clusterIP}/`, { signal: AbortSignal.timeout(5000) })).text(), /Welcome to nginx!/);
    const nodePort = (await c.kubectl(['get', 'svc', 'my-nginx', '-o', 'jsonpath={.spec.ports[0].nodePort}'])).stdout;
    const nodeIP = (await c.kubectl(['get', 'nodes', '-o', 'jsonpath={.items[0].status.addresses[?(@.type=="InternalIP")].address}'])).stdout;
    const page = await (await fetch(`http://${nodeIP}:${nodePort}/`, { signal: AbortSignal.timeout(5000) })).text();
    assert.match(page, /Welcome to nginx!/);
  });

  it('scaled to 0 the ClusterIP rejects at once; scaled back it answers again', async () => {
    await c.kubectl(['scale', 'deployment/my-nginx', '--replicas=0']);
    await c.kubectl(['wait', '--for=delete', 'pod', '-l', 'run=my-nginx', '--timeout=90s']);
    // Once the proxy has synced the empty EndpointSlice, the REJECT rule refuses at once; until then
    // a try may still go to a deleted pod's IP and hang, so each try is cut at 3 s and retried.
    const rejected = await poll(
      'connection refused',
      async () => {
        const r = await clientExec('timeout 3 wget -qO- http://my-nginx 2>&1; echo exit=$?', true);
        return /refused/i.test(r.stdout) ? r.stdout : undefined;
      },
      30_000,
    );
    assert.match(rejected, /Connection refused/);
    await c.kubectl(['scale', 'deployment/my-nginx', '--replicas=1']);
    await c.kubectl(['rollout', 'status', 'deployment/my-nginx', '--timeout=120s']);
    await poll('answers again', async () => /Welcome to nginx!/.test((await clientExec('timeout 2 wget -qO- http://my-nginx', true)).stdout), 10_000);
  });

  it('the StatefulSet example with its headless Service: web-0.nginx resolves to that pod', async () => {
    await c.kubectl(['apply', '-f', join(EXAMPLES_DIR, 'application/web/web.yaml')]);
    await c.kubectl(['rollout', 'status', 'statefulset/web', '--timeout=180s']);
    const ip = (await c.kubectl(['get', 'pod', 'web-0', '-o', 'jsonpath={.status.podIP}'])).stdout;
    assert.match(ip, /^10\.244\.102\.\d+$/);
    const answer = await poll(
      'web-0 resolves',
      async () => {
        const out = (await clientExec('nslookup web-0.nginx.default.svc.cluster.local', true)).stdout;
        return out.includes(ip) ? out : undefined;
      },
      30_000,
    );
    assert.ok(answer.includes(ip));
  });
});
