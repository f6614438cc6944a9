// Pods reach the apiserver: on a `timonel up` node, a pod of the node image
// (Debian's Node.js 18) dials https://kubernetes.default.svc, which the cluster
// DNS answers with the kubernetes Service's ClusterIP 10.96.0.1, which the proxy
// sends to the apiserver on the node's bridge address; the serving certificate
// verifies with the cluster CA for those names, also through @kubernetes/client-node
// (the repository's node_modules, mounted read-only with a hostPath volume).
import { afterAll, beforeAll, describe, it, jest } from '@jest/globals';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { get as httpsGet } from 'node:https';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { timonelUp, type UpCluster } from '../support/upcluster.js';

const NODE_MODULES = fileURLToPath(new URL('../../../node_modules', import.meta.url));
const NODE_IP = '10.244.104.1';

// Runs in the pod: every outcome goes into one JSON line on stdout.
const PROGRAM = `
import { readFileSync } from 'node:fs';
import { get as httpsGet } from 'node:https';
import { get } from 'node:https';
import * as k8s from '@kubernetes/client-node';

const ca = readFileSync('/app/prog/ca.crt', 'utf8');
const fetchText = (url, opts) =>
  new Promise((resolve) => {
    get(url, opts, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode, body }));
    }).on('error', (err) => resolve({ error: err.code ?? err.message }));
  });

const out = { node: process.version, env: { host: process.env.KUBERNETES_SERVICE_HOST, port: process.env.KUBERNETES_SERVICE_PORT } };
out.byName = await fetchText('https://kubernetes.default.svc:443/healthz', { ca });
out.byFullName = await fetchText('https://kubernetes.default.svc.cluster.local/readyz', { ca });
out.byEnv = await fetchText('https://' + process.env.KUBERNETES_SERVICE_HOST + ':' + process.env.KUBERNETES_SERVICE_PORT + '/livez', { ca });
out.withoutCA = await fetchText('https://kubernetes.default.svc/healthz', {});
const kc = new k8s.KubeConfig();
kc.loadFromOptions({
  clusters: [{ name: 'in-cluster', server: 'https://kubernetes.default.svc', caData: Buffer.from(ca).toString('base64') }],
  users: [{ name: 'anonymous' }],
  contexts: [{ name: 'in-cluster', cluster: 'in-cluster', user: 'anonymous' }],
  currentContext: 'in-cluster',
});
try {
  out.version = (await kc.makeApiClient(k8s.VersionApi).getCode()).gitVersion;
} catch (err) {
  out.version = { error: String(err) };
}
console.log(JSON.stringify(out));
`;

interface Outcome {
  node: string;
  env: { host?: string; port?: string };
  byName: { status?: number; body?: string; error?: string };
  byFullName: { status?: number; body?: string; error?: string };
  byEnv: { status?: number; body?: string; error?: string };
  withoutCA: { status?: number; error?: string };
  version: string | { error: string };
}

jest.setTimeout(600_000);
describe('pods reach the apiserver through the kubernetes Service', () => {
  let c: UpCluster;
  let securePort: number;

  beforeAll(async () => {
    c = await timonelUp({ podCIDR: '10.244.104.0/24', bridge: 'tmnl-e2e4' });
    securePort = Number(c.flags[c.flags.indexOf('--secure-port') + 1]);
  });
  afterAll(async () => {
    await c?.kubectl(['delete', 'pod', 'reach', '--now', '--ignore-not-found'], { allowFail: true });
    await c?.down();
  });

  it('publishes the node address and secure port in the Endpoints and EndpointSlice of default/kubernetes', async () => {
    const ep = JSON.parse((await c.kubectl(['get', 'endpoints', 'kubernetes', '-o', 'json'])).stdout) as {
      subsets: Array<{ addresses: Array<{ ip: string }>; ports: Array<{ port: number }> }>;
    };
    assert.deepEqual(
      ep.subsets[0].addresses.map((a) => a.ip),
      [NODE_IP],
    );
    assert.deepEqual(
      ep.subsets[0].ports.map((p) => p.port),
      [securePort],
    );
    const slice = (await c.kubectl(['get', 'endpointslice', 'kubernetes', '-o', 'jsonpath={.endpoints[0].addresses[0]}:{.ports[0].port}'])).stdout;
    assert.equal(slice, `${NODE_IP}:${securePort}`);
    assert.equal((await c.kubectl(['get', 'svc', 'kubernetes', '-o', 'jsonpath={.spec.clusterIP}:{.spec.ports[0].port}'])).stdout, '10.96.0.1:443');
  });

  it('answers on the ClusterIP from the node itself, with a certificate for that address', async () => {
    const ca = readFileSync(join(c.dataDir, 'pki', 'ca.crt'), 'utf8');
    const res = await new Promise<{ status?: number; body: string }>((resolve, reject) => {
      httpsGet('https://10.96.0.1:443/healthz', { ca, timeout: 5000 }, (r) => {
        let body = '';
        r.on('data', (d: Buffer) => (body += d.toString()));
        r.on('end', () => resolve({ status: r.statusCode, body }));
      }).on('error', reject);
    });
    assert.deepEqual(res, { status: 200, body: 'ok' });
  });

  it('a node:18 pod verifies https://kubernetes.default.svc with the cluster CA, also through @kubernetes/client-node', async () => {
    const ca = readFileSync(join(c.dataDir, 'pki', 'ca.crt'), 'utf8');
    const pod = {
      apiVersion: 'v1',
      kind: 'List',
      items: [
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'reach' }, data: { 'main.mjs': PROGRAM, 'ca.crt': ca } },
        {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: 'reach' },
          spec: {
            restartPolicy: 'Never',
            containers: [
              {
                name: 'reach',
                image: 'node:18-slim',
                command: ['node', '/app/prog/main.mjs'],
                volumeMounts: [
                  { name: 'prog', mountPath: '/app/prog' },
                  { name: 'modules', mountPath: '/app/node_modules', readOnly: true },
                ],
              },
            ],
            volumes: [
              { name: 'prog', configMap: { name: 'reach' } },
              { name: 'modules', hostPath: { path: NODE_MODULES, type: 'Directory' } },
            ],
          },
        },
      ],
    };
    await c.kubectl(['apply', '-f', '-'], { input: JSON.stringify(pod) });
    const waited = await c.kubectl(['wait', '--for=jsonpath={.status.phase}=Succeeded', 'pod/reach', '--timeout=240s'], { allowFail: true });
    const logs = (await c.kubectl(['logs', 'reach'], { allowFail: true })).stdout;
    assert.equal(
      waited.code,
      0,
      `pod did not succeed: ${waited.stderr}\n${(await c.kubectl(['describe', 'pod', 'reach'], { allowFail: true })).stdout}\n${logs}`,
    );
    const out = JSON.parse(logs.trim().split('\n').at(-1) ?? '') as Outcome;
    assert.match(out.node, /^v18\.20\./);
    assert.deepEqual(out.env, { host: '10.96.0.1', port: '443' });
    assert.deepEqual(out.byName, { status: 200, body: 'ok' });
    assert.deepEqual(out.byFullName, { status: 200, body: 'ok' });
    assert.deepEqual(out.byEnv, { status: 200, body: 'ok' });
    // Without the cluster CA the same certificate is refused: the checks above did verify it.
    assert.ok(out.withoutCA.error && out.withoutCA.status === undefined, JSON.stringify(out.withoutCA));
    assert.match(String(out.version), /^v\d+\.\d+\.\d+/, JSON.stringify(out.version));
  });
});
