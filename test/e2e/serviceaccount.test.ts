// Pods use the API with their service account's token, on a `timonel up` node:
// the files ServiceAccount admission mounts (or not), a @kubernetes/client-node
// program calling loadFromCluster() that lists pods while a RoleBinding allows
// it and gets 403 once it is removed, and keeps working past the kubelet's
// refresh of a short-lived token; `kubectl create token` with an expiry and with
// a pod binding; the token's signature checked with the published JWKS.
import { afterAll, beforeAll, describe, it, jest } from '@jest/globals';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLocalJWKSet, decodeJwt, jwtVerify, type JSONWebKeySet } from 'jose';
import { until } from '../support/controllers.js';
import { timonelUp, type UpCluster } from '../support/upcluster.js';

const NODE_MODULES = fileURLToPath(new URL('../../../node_modules', import.meta.url));
const NS = 'sa-e2e';
const SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
/** The shortest lifetime a projected token may ask for: the kubelet fetches a new one at 80% of it. */
const SHORT_TOKEN_SECONDS = 600;

// Runs in the pod: every 2 s one JSON line with the outcome of a pod list and a digest of the token it used.
const LISTER = `
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as k8s from '@kubernetes/client-node';
const kc = new k8s.KubeConfig();
kc.loadFromCluster();
const api = kc.makeApiClient(k8s.CoreV1Api);
const namespace = readFileSync('${SA_DIR}/namespace', 'utf8');
for (;;) {
  const token = createHash('sha256').update(readFileSync('${SA_DIR}/token')).digest('hex').slice(0, 12);
  const line = { t: Date.now(), token };
  try {
    line.pods = (await api.listNamespacedPod({ namespace })).items.length;
  } catch (err) {
    line.status = err.code ?? String(err);
  }
  console.log(JSON.stringify(line));
  await new Promise((r) => setTimeout(r, 2000));
}
`;

interface Line {
  t: number;
  token: string;
  pods?: number;
  status?: number | string;
}

jest.setTimeout(900_000);
describe('service accounts: pods use the API', () => {
  let c: UpCluster;
  let listerStarted = 0;
  let expiringToken = '';
  const lines = async (): Promise<Line[]> =>
    (await c.kubectl(['logs', 'lister', '-n', NS], { allowFail: true })).stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Line);
  /** Throws what the lister pod shows (the last log lines, its status), so a timeout says why. */
  const explain = async (): Promise<never> => {
    const logs =
      (await c.kubectl(['logs', 'lister', '-n', NS, '--tail=5'], { allowFail: true })).stdout +
      (await c.kubectl(['logs', 'lister', '-n', NS, '--tail=5'], { allowFail: true })).stderr;
    const status = (await c.kubectl(['get', 'pod', 'lister', '-n', NS, '-o', 'jsonpath={.status.phase} {.status.containerStatuses}'], { allowFail: true }))
      .stdout;
    throw new Error(`lister: ${status}\n${logs}`);
  };
  /** kubectl by the token alone (the admin kubeconfig's client certificate would be authenticated first). */
  const whoami = (token: string) => {
    const server = /server: (\S+)/.exec(readFileSync(c.kubeconfig, 'utf8'))?.[1] ?? '';
    const args = ['--kubeconfig=/dev/null', `--server=${server}`, `--certificate-authority=${join(c.dataDir, 'pki', 'ca.crt')}`, `--token=${token}`];
    return c.kubectl([...args, 'auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}'], { allowFail: true });
  };
  const podReader = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name: 'lister-reads-pods', namespace: NS },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'pod-reader' },
    subjects: [{ kind: 'ServiceAccount', name: 'lister', namespace: NS }],
  };

  beforeAll(async () => {
    c = await timonelUp({ podCIDR: '10.244.105.0/24', bridge: 'tmnl-e2e5' });
    await c.kubectl(['create', 'namespace', NS]);
    await c.kubectl(['create', 'serviceaccount', 'lister', '-n', NS]);
    await c.kubectl(['create', 'role', 'pod-reader', '--verb=list', '--resource=pods', '-n', NS]);
    await c.kubectl(['apply', '-f', '-'], { input: JSON.stringify(podReader) });
    await c.kubectl(['create', 'configmap', 'lister', '-n', NS, `--from-literal=main.mjs=${LISTER}`]);
    // The pod's own projected volume at the usual path, with the shortest token lifetime, so the
    // kubelet replaces the token within the test (upstream's InClusterConfig rotation test does the same).
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'lister', namespace: NS },
      spec: {
        serviceAccountName: 'lister',
        automountServiceAccountToken: false,
        containers: [
          {
            name: 'lister',
            image: 'node:18-slim',
            command: ['node', '/app/prog/main.mjs'],
            volumeMounts: [
              { name: 'prog', mountPath: '/app/prog' },
              { name: 'modules', mountPath: '/app/node_modules', readOnly: true },
              { name: 'token', mountPath: SA_DIR, readOnly: true },
            ],
          },
        ],
        volumes: [
          { name: 'prog', configMap: { name: 'lister' } },
          { name: 'modules', hostPath: { path: NODE_MODULES, type: 'Directory' } },
          {
            name: 'token',
            projected: {
              sources: [
                { serviceAccountToken: { path: 'token', expirationSeconds: SHORT_TOKEN_SECONDS } },
                { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
                { downwardAPI: { items: [{ path: 'namespace', fieldRef: { fieldPath: 'metadata.namespace' } }] } },
              ],
            },
          },
        ],
      },
    };
    await c.kubectl(['apply', '-f', '-'], { input: JSON.stringify(pod) });
    listerStarted = Date.now();
    // A token with the shortest lifetime kubectl may ask for, checked again at the end.
    expiringToken = (await c.kubectl(['create', 'token', 'lister', '-n', NS, '--duration=10m'])).stdout.trim();
  });
  afterAll(async () => {
    await c?.down();
  });

  it('mounts token, ca.crt and namespace in a pod, and nothing with automountServiceAccountToken: false', async () => {
    const script = `for f in namespace ca.crt token; do echo "== $f"; cat ${SA_DIR}/$f 2>&1; echo; done`;
    const pods = [
      { name: 'mounted', automount: undefined },
      { name: 'unmounted', automount: false },
    ].map(({ name, automount }) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: NS },
      spec: {
        restartPolicy: 'Never',
        ...(automount === undefined ? {} : { automountServiceAccountToken: automount }),
        containers: [{ name: 'c', image: 'busybox:1.36', command: ['sh', '-c', script] }],
      },
    }));
    await c.kubectl(['apply', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: pods }) });
    await c.kubectl(['wait', '--for=jsonpath={.status.phase}=Succeeded', 'pod/mounted', 'pod/unmounted', '-n', NS, '--timeout=120s']);
    const files = (name: string) =>
      c.kubectl(['logs', name, '-n', NS]).then((r) =>
        Object.fromEntries(
          r.stdout
            .split('== ')
            .slice(1)
            .map((part) => [part.slice(0, part.indexOf('\n')), part.slice(part.indexOf('\n') + 1).trim()]),
        ),
      );
    const mounted = await files('mounted');
    assert.equal(mounted.namespace, NS);
    const fingerprint = (pem: string | Buffer) => new X509Certificate(pem).fingerprint256;
    assert.equal(fingerprint(mounted['ca.crt']), fingerprint(readFileSync(join(c.dataDir, 'pki', 'ca.crt'))));
    const claims = decodeJwt(mounted.token);
    assert.equal(claims.sub, `system:serviceaccount:${NS}:default`);
    assert.deepEqual((claims['kubernetes.io'] as { pod: { name: string } }).pod.name, 'mounted');
    const unmounted = await files('unmounted');
    for (const f of ['namespace', 'ca.crt', 'token']) assert.match(unmounted[f], /No such file or directory/);
    const spec = JSON.parse((await c.kubectl(['get', 'pod', 'mounted', '-n', NS, '-o', 'json'])).stdout) as { spec: { volumes: { name: string }[] } };
    assert.ok(
      spec.spec.volumes.some((v) => /^kube-api-access-[a-z0-9]{5}$/.test(v.name)),
      JSON.stringify(spec.spec.volumes),
    );
  });

  it('a client-node program with loadFromCluster() lists pods while its RoleBinding allows it, and gets 403 once it is gone', async () => {
    await until('the lister lists pods', async () => (await lines()).some((l) => typeof l.pods === 'number' && l.pods > 0) || explain(), 180_000, 1000);
    await c.kubectl(['delete', 'rolebinding', 'lister-reads-pods', '-n', NS]);
    const since = Date.now();
    await until('the lister is refused', async () => (await lines()).some((l) => l.t > since && l.status === 403), 60_000, 1000);
    await c.kubectl(['apply', '-f', '-'], { input: JSON.stringify(podReader) });
    const again = Date.now();
    await until('the lister lists pods again', async () => (await lines()).some((l) => l.t > again && typeof l.pods === 'number'), 60_000, 1000);
  });

  it('kubectl create token: a token bound to a pod works until the pod is deleted; the JWKS verifies it', async () => {
    await c.kubectl(['run', 'holder', '-n', NS, '--image=busybox:1.36', '--overrides={"spec":{"serviceAccountName":"lister"}}', '--', 'sleep', '3600']);
    const token = (await c.kubectl(['create', 'token', 'lister', '-n', NS, '--bound-object-kind=Pod', '--bound-object-name=holder'])).stdout.trim();
    assert.equal((await whoami(token)).stdout, `system:serviceaccount:${NS}:lister`);

    const discovery = JSON.parse((await c.kubectl(['get', '--raw', '/.well-known/openid-configuration'])).stdout) as { issuer: string; jwks_uri: string };
    const jwks = JSON.parse((await c.kubectl(['get', '--raw', '/openid/v1/jwks'])).stdout) as JSONWebKeySet;
    const { payload } = await jwtVerify(token, createLocalJWKSet(jwks), { issuer: discovery.issuer });
    assert.equal(payload.sub, `system:serviceaccount:${NS}:lister`);
    assert.equal((payload['kubernetes.io'] as { pod: { name: string } }).pod.name, 'holder');
    // A token signed by another key fails the same check.
    const [h, p] = token.split('.');
    await assert.rejects(jwtVerify(`${h}.${p}.${Buffer.from('forged').toString('base64url')}`, createLocalJWKSet(jwks)));

    await c.kubectl(['delete', 'pod', 'holder', '-n', NS, '--now']);
    await until('the pod-bound token is refused', async () => /Unauthorized/.test((await whoami(token)).stderr), 30_000, 500);
  });

  it('the lister keeps working past the kubelet refreshing its token; a 10-minute token stops working at its expiry', async () => {
    // The kubelet fetches a new token at 80% of its lifetime and writes it at the next pod sync;
    // client-node reads the file again every minute.
    const rotated = await until(
      'the lister uses a refreshed token',
      async () => {
        const all = await lines();
        const first = all[0]?.token;
        return (all.some((l) => l.token !== first && typeof l.pods === 'number') && all) || explain();
      },
      SHORT_TOKEN_SECONDS * 1000 + 240_000 - (Date.now() - listerStarted),
      5000,
    );
    const tokens = new Set(rotated.map((l) => l.token));
    assert.ok(tokens.size >= 2, `token digests seen: ${[...tokens].join(', ')}`);
    // Every call since the binding came back succeeded, across the change of token.
    let lastRefused = -1;
    rotated.forEach((l, i) => {
      if (l.status !== undefined) lastRefused = i;
    });
    const after = rotated.slice(lastRefused + 1);
    assert.ok(new Set(after.map((l) => l.token)).size >= 2, 'the token changed after the binding came back');
    for (const l of after) assert.equal(typeof l.pods, 'number', JSON.stringify(l));

    // Expiry is checked with go-jose's leeway of a minute, as upstream does.
    const exp = decodeJwt(expiringToken).exp ?? 0;
    await until('the 10-minute token expires', async () => Date.now() > (exp + 60) * 1000 + 2000, 180_000, 1000);
    assert.match((await whoami(expiringToken)).stderr, /Unauthorized/);
  });
});
