// Admission webhooks against a real apiserver through the real kubectl: a webhook
// server written here, over TLS, reached by URL and through a Service, verified
// against the caBundle; refusals, JSON patches, warnings, failurePolicy, timeouts,
// selectors, dry run and a configuration stored before v1 (sideEffects Unknown).
import { afterAll, beforeAll, describe, it, jest } from '@jest/globals';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { freePort } from '../../pkg/cluster/process.js';
import { newCertificate } from '../../pkg/util/certs.js';
import { run, startCluster, type TestCluster } from '../support/cluster.js';

interface Review {
  request: {
    uid: string;
    operation: string;
    name?: string;
    namespace?: string;
    dryRun: boolean;
    userInfo: { username?: string };
    kind?: { kind: string };
    object?: { kind?: string; command?: string[]; metadata?: { labels?: Record<string, string> } } | null;
    oldObject?: { metadata?: { name?: string } } | null;
  };
}

const ca = newCertificate({ commonName: 'webhook-ca', usage: 'ca' });
const serving = newCertificate({ commonName: 'webhook', usage: 'server', hosts: ['127.0.0.1', 'webhook.webhooks.svc'], issuer: ca });
const caBundle = Buffer.from(ca.cert).toString('base64');

/** What each path of the webhook server answers. */
function answer(path: string, review: Review): Record<string, unknown> | undefined {
  const { uid, object } = review.request;
  const labels = object?.metadata?.labels ?? {};
  switch (path) {
    case '/deny-forbidden':
      if (labels.forbidden === 'true') return { uid, allowed: false, status: { code: 403, message: 'pods with label forbidden=true are not allowed' } };
      return { uid, allowed: true, warnings: ['checked by deny-forbidden'] };
    case '/add-label': {
      const ops = object?.metadata?.labels
        ? [{ op: 'add', path: '/metadata/labels/webhook-added', value: 'yes' }]
        : [{ op: 'add', path: '/metadata/labels', value: { 'webhook-added': 'yes' } }];
      return { uid, allowed: true, patchType: 'JSONPatch', patch: Buffer.from(JSON.stringify(ops)).toString('base64') };
    }
    case '/deny-all':
      return {
        uid,
        allowed: false,
        status: { message: `no ${review.request.operation} of ${review.request.oldObject?.metadata?.name ?? review.request.name}` },
      };
    case '/hang':
      return undefined; // never answers: the apiserver's timeout must end the call
    default:
      return { uid, allowed: true };
  }
}

jest.setTimeout(120_000);
describe('admission webhooks', () => {
  let c: TestCluster;
  let server: Server;
  let port: number;
  const received: { path: string; review: Review }[] = [];

  beforeAll(async () => {
    c = await startCluster();
    server = createServer({ cert: serving.cert, key: serving.key }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (d: Buffer) => chunks.push(d));
      req.on('end', () => {
        const path = new URL(req.url ?? '/', 'https://x').pathname;
        const review = JSON.parse(Buffer.concat(chunks).toString()) as Review;
        received.push({ path, review });
        const response = answer(path, review);
        if (!response) return; // /hang
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server?.closeAllConnections();
    server?.close();
    await c?.stop();
  });

  const webhook = (name: string, clientConfig: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    name,
    clientConfig: { caBundle, ...clientConfig },
    rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'] }],
    sideEffects: 'None',
    admissionReviewVersions: ['v1'],
    ...extra,
  });
  const configuration = (kind: 'Validating' | 'Mutating', name: string, webhooks: unknown[]) =>
    JSON.stringify({ apiVersion: 'admissionregistration.k8s.io/v1', kind: `${kind}WebhookConfiguration`, metadata: { name }, webhooks });
  const apply = (doc: string) => c.kubectl(['apply', '-f', '-'], { input: doc });
  const pod = (name: string, namespace: string, labels: Record<string, string> = {}) =>
    JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace, labels }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });
  /**
   * The configurations take effect once the apiserver's watch cache has them: a consistent
   * list returns only then, and the cache hands each change to the webhook view as it applies it.
   */
  const settle = () => c.kubectl(['get', 'validatingwebhookconfigurations,mutatingwebhookconfigurations']);

  it('a validating webhook by URL refuses a pod with the label it forbids, and its message and warnings reach kubectl', async () => {
    await c.kubectl(['create', 'namespace', 'deny']);
    const hook = webhook(
      'deny.example.com',
      { url: `https://127.0.0.1:${port}/deny-forbidden` },
      { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'deny' } } },
    );
    await apply(configuration('Validating', 'deny', [hook]));
    await settle();
    const refused = await c.kubectl(['apply', '-f', '-'], { input: pod('bad', 'deny', { forbidden: 'true' }), allowFail: true });
    assert.notEqual(refused.code, 0);
    assert.match(
      refused.stderr,
      /pods "bad" is forbidden: admission webhook "deny.example.com" denied the request: pods with label forbidden=true are not allowed/,
    );
    const admitted = await c.kubectl(['apply', '-f', '-'], { input: pod('good', 'deny') });
    assert.match(admitted.stderr, /Warning: checked by deny-forbidden/);
    const review = received.find((r) => r.path === '/deny-forbidden' && r.review.request.name === 'good')?.review;
    assert.equal(review?.request.operation, 'CREATE');
    assert.equal(review?.request.namespace, 'deny');
    assert.equal(review?.request.userInfo.username, 'admin');
    await c.kubectl(['delete', 'validatingwebhookconfiguration', 'deny']);
  });

  it('a mutating webhook reached through its Service adds a label to every pod', async () => {
    await c.kubectl(['create', 'namespace', 'webhooks']);
    await apply(
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'List',
        items: [
          {
            apiVersion: 'v1',
            kind: 'Service',
            metadata: { name: 'webhook', namespace: 'webhooks' },
            spec: { ports: [{ name: 'https', port: 443, targetPort: port }] },
          },
          {
            apiVersion: 'discovery.k8s.io/v1',
            kind: 'EndpointSlice',
            metadata: { name: 'webhook-1', namespace: 'webhooks', labels: { 'kubernetes.io/service-name': 'webhook' } },
            addressType: 'IPv4',
            ports: [{ name: 'https', port, protocol: 'TCP' }],
            endpoints: [{ addresses: ['127.0.0.1'], conditions: { ready: true } }],
          },
        ],
      }),
    );
    await c.kubectl(['create', 'namespace', 'mutate']);
    const hook = webhook(
      'label.example.com',
      { service: { name: 'webhook', namespace: 'webhooks', path: '/add-label' } },
      { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'mutate' } } },
    );
    await apply(configuration('Mutating', 'label', [hook]));
    await settle();
    await c.kubectl(['apply', '-f', '-'], { input: pod('labelled', 'mutate', { app: 'x' }) });
    await c.kubectl(['apply', '-f', '-'], { input: pod('unlabelled', 'mutate') });
    const shown = (await c.kubectl(['get', 'pods', '-n', 'mutate', '--show-labels'])).stdout;
    assert.match(shown, /labelled\s.*app=x,webhook-added=yes/);
    assert.match(shown, /unlabelled\s.*webhook-added=yes/);
    // The patched pod went through the pod's defaults and validation as any other.
    const stored = JSON.parse((await c.kubectl(['get', 'pod', 'unlabelled', '-n', 'mutate', '-o', 'json'])).stdout) as { spec: { restartPolicy?: string } };
    assert.equal(stored.spec.restartPolicy, 'Always');
    await c.kubectl(['delete', 'mutatingwebhookconfiguration', 'label']);
  });

  it('with the webhook down, failurePolicy Ignore admits and Fail refuses with upstream message; a namespaceSelector keeps kube-system out', async () => {
    const closed = await freePort();
    const down = (failurePolicy: string) =>
      webhook(
        `down-${failurePolicy.toLowerCase()}.example.com`,
        { url: `https://127.0.0.1:${closed}/x` },
        {
          failurePolicy,
          rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['configmaps'] }],
          namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system'] }] },
        },
      );
    await apply(configuration('Validating', 'down-ignore', [down('Ignore')]));
    await settle();
    await c.kubectl(['create', 'configmap', 'ignored', '-n', 'default']);
    await apply(configuration('Validating', 'down-fail', [down('Fail')]));
    await settle();
    const refused = await c.kubectl(['create', 'configmap', 'failed', '-n', 'default'], { allowFail: true });
    assert.notEqual(refused.code, 0);
    assert.ok(
      refused.stderr.includes(
        `Internal error occurred: failed calling webhook "down-fail.example.com": failed to call webhook: Post "https://127.0.0.1:${closed}/x?timeout=10s": dial tcp 127.0.0.1:${closed}: connect: connection refused`,
      ),
      refused.stderr,
    );
    // kube-system is excluded by the selector: the system keeps working while the webhook is down.
    await c.kubectl(['create', 'configmap', 'system-ok', '-n', 'kube-system']);
    await c.kubectl(['delete', 'validatingwebhookconfiguration', 'down-ignore', 'down-fail']);
  });

  it('timeoutSeconds ends a call the webhook never answers', async () => {
    const hook = webhook(
      'slow.example.com',
      { url: `https://127.0.0.1:${port}/hang` },
      { timeoutSeconds: 1, rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['secrets'] }] },
    );
    await apply(configuration('Validating', 'slow', [hook]));
    await settle();
    const refused = await c.kubectl(['create', 'secret', 'generic', 'slow', '-n', 'default'], { allowFail: true });
    assert.notEqual(refused.code, 0);
    assert.match(
      refused.stderr,
      /failed calling webhook "slow.example.com": failed to call webhook: Post "https:\/\/127.0.0.1:\d+\/hang\?timeout=1s": context deadline exceeded/,
    );
    await c.kubectl(['delete', 'validatingwebhookconfiguration', 'slow']);
  });

  it('deletes are sent with the old object; dry runs carry dryRun, and a webhook with side effects refuses them', async () => {
    await c.kubectl(['create', 'configmap', 'kept', '-n', 'default']);
    const hook = webhook(
      'nodelete.example.com',
      { url: `https://127.0.0.1:${port}/deny-all` },
      { rules: [{ operations: ['DELETE'], apiGroups: [''], apiVersions: ['v1'], resources: ['configmaps'] }] },
    );
    await apply(configuration('Validating', 'nodelete', [hook]));
    await settle();
    const refused = await c.kubectl(['delete', 'configmap', 'kept', '-n', 'default'], { allowFail: true });
    assert.match(refused.stderr, /configmaps "kept" is forbidden: admission webhook "nodelete.example.com" denied the request: no DELETE of kept/);
    await c.kubectl(['delete', 'validatingwebhookconfiguration', 'nodelete']);

    // A dry run reaches a webhook without side effects, marked as such.
    const allow = webhook('allow.example.com', { url: `https://127.0.0.1:${port}/allow` });
    await apply(configuration('Validating', 'allow', [allow]));
    await settle();
    await c.kubectl(['apply', '--dry-run=server', '-f', '-'], { input: pod('dry', 'default') });
    assert.equal(received.find((r) => r.path === '/allow' && r.review.request.name === 'dry')?.review.request.dryRun, true);
    await c.kubectl(['delete', 'validatingwebhookconfiguration', 'allow']);

    // v1 refuses sideEffects Unknown on a new configuration...
    const unknown = { ...webhook('legacy.example.com', { url: `https://127.0.0.1:${port}/allow` }), sideEffects: 'Unknown' };
    const invalid = await c.kubectl(['apply', '-f', '-'], { input: configuration('Validating', 'legacy', [unknown]), allowFail: true });
    assert.match(invalid.stderr, /webhooks\[0\]\.sideEffects: Unsupported value: "Unknown": supported values: "None", "NoneOnDryRun"/);
    // ...but one stored before v1 keeps it, and such a webhook cannot take part in a dry run.
    const legacy = {
      ...JSON.parse(configuration('Validating', 'legacy', [{ ...unknown, failurePolicy: 'Fail', timeoutSeconds: 10 }])),
      metadata: { name: 'legacy', uid: 'legacy-uid', creationTimestamp: '2020-01-01T00:00:00Z' },
    };
    await run('etcdctl', [
      `--endpoints=${c.etcd.endpoint}`,
      'put',
      '/registry/admissionregistration.k8s.io/validatingwebhookconfigurations/legacy',
      JSON.stringify(legacy),
    ]);
    await settle();
    const dry = await c.kubectl(['apply', '--dry-run=server', '-f', '-'], { input: pod('dry2', 'default'), allowFail: true });
    assert.match(dry.stderr, /admission webhook "legacy.example.com" does not support dry run/);
    // Without dry run it is called as usual.
    await c.kubectl(['apply', '-f', '-'], { input: pod('wet', 'default') });
    assert.ok(received.some((r) => r.path === '/allow' && r.review.request.name === 'wet'));
    await c.kubectl(['delete', 'validatingwebhookconfiguration', 'legacy']);
  });

  it('a CONNECT (kubectl exec) is sent with its PodExecOptions and can be refused', async () => {
    await c.kubectl(['apply', '-f', '-'], { input: pod('shell', 'default') });
    const hook = webhook(
      'noexec.example.com',
      { url: `https://127.0.0.1:${port}/deny-all` },
      { rules: [{ operations: ['CONNECT'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods/exec'] }] },
    );
    await apply(configuration('Validating', 'noexec', [hook]));
    await settle();
    const refused = await c.kubectl(['exec', 'shell', '-n', 'default', '--', 'ls', '/'], { allowFail: true });
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /admission webhook "noexec.example.com" denied the request: no CONNECT of shell/);
    const review = received.find((r) => r.path === '/deny-all' && r.review.request.operation === 'CONNECT')?.review;
    assert.equal(review?.request.kind?.kind, 'PodExecOptions');
    assert.deepEqual(review?.request.object?.command, ['ls', '/']);
    await c.kubectl(['delete', 'validatingwebhookconfiguration', 'noexec']);
  });

  it('webhook configurations are validated with upstream messages', async () => {
    const bad = {
      name: 'short',
      clientConfig: { url: 'http://127.0.0.1/x' },
      rules: [{ operations: ['CREATE', '*'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'] }],
      timeoutSeconds: 31,
      sideEffects: 'Some',
      admissionReviewVersions: ['v2'],
    };
    const res = await c.kubectl(['apply', '-f', '-'], { input: configuration('Validating', 'bad', [bad]), allowFail: true });
    assert.notEqual(res.code, 0);
    for (const want of [
      'webhooks[0].name: Invalid value: "short": should be a domain with at least three segments separated by dots',
      'webhooks[0].rules[0].operations: Invalid value: []string{"CREATE", "*"}: if \'*\' is present, must not specify other operations',
      'webhooks[0].sideEffects: Unsupported value: "Some": supported values: "None", "NoneOnDryRun"',
      'webhooks[0].timeoutSeconds: Invalid value: 31: the timeout value must be between 1 and 30 seconds',
      'webhooks[0].admissionReviewVersions: Invalid value: []string{"v2"}: must include at least one of v1, v1beta1',
      `webhooks[0].clientConfig.url: Invalid value: "http://127.0.0.1/x": 'https' is the only allowed URL scheme`,
    ]) {
      assert.ok(res.stderr.includes(want), `missing ${want} in ${res.stderr}`);
    }
    const hooks = ['one', 'two'].map((n) => webhook(`${n}.example.com`, { url: `https://127.0.0.1:${port}/allow` }, { rules: [] }));
    await apply(configuration('Validating', 'listed', hooks));
    const listed = await c.kubectl(['get', 'validatingwebhookconfigurations']);
    assert.match(listed.stdout, /NAME\s+WEBHOOKS\s+AGE\nlisted\s+2\s/);
    await c.kubectl(['delete', 'validatingwebhookconfiguration', 'listed']);
  });
});
