// Pod creates per second, with p50/p99 latency, as validating admission grows:
// no validating webhook, 1, 3, then one ValidatingAdmissionPolicy (no webhook).
// The webhooks are served over HTTPS by this process (allowing every pod but a
// probe labelled bench-deny=true); each configuration is scoped to the bench's
// namespace and proven active by a refused probe before its figures are taken.
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { newCertificate } from '../../pkg/util/certs.js';
import type { BenchContext } from './context.js';
import { HTTPSClient } from './https-client.js';
import { runLoad } from './load.js';
import { ensureNamespace, podBody, podsPath } from './pods.js';
import type { APIServerTarget } from './pod-bench.js';

export interface AdmissionBenchSizes {
  clients: number;
  ops: number;
  maxSeconds: number;
}

const NS = 'bench-admission';
const ADMISSION = '/apis/admissionregistration.k8s.io/v1';
const scoped = { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': NS } } };

interface Review {
  request: { uid: string; object?: { metadata?: { labels?: Record<string, string> } } };
}

/** A webhook server that allows every pod but those labelled bench-deny=true; counts its calls. */
async function startWebhookServer(): Promise<{ server: Server; port: number; caBundle: string; calls: () => number }> {
  const ca = newCertificate({ commonName: 'bench-webhook-ca', usage: 'ca' });
  const serving = newCertificate({ commonName: 'bench-webhook', usage: 'server', hosts: ['127.0.0.1'], issuer: ca });
  let calls = 0;
  const server = createServer({ cert: serving.cert, key: serving.key }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (d: Buffer) => chunks.push(d));
    req.on('end', () => {
      calls++;
      const review = JSON.parse(Buffer.concat(chunks).toString()) as Review;
      const denied = review.request.object?.metadata?.labels?.['bench-deny'] === 'true';
      const response = denied ? { uid: review.request.uid, allowed: false, status: { message: 'bench probe' } } : { uid: review.request.uid, allowed: true };
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, caBundle: Buffer.from(ca.cert).toString('base64'), calls: () => calls };
}

function probeBody(name: string): string {
  const pod = JSON.parse(podBody(name)) as { metadata: Record<string, unknown> };
  pod.metadata.labels = { 'bench-deny': 'true' };
  return JSON.stringify(pod);
}

export async function benchAdmission(ctx: BenchContext, target: APIServerTarget, sizes: AdmissionBenchSizes): Promise<void> {
  const setup = new HTTPSClient(target.url, target.caCert, 4);
  const hook = await startWebhookServer();
  const webhook = (i: number) => ({
    name: `bench-${i}.timonel.example.com`,
    clientConfig: { url: `https://127.0.0.1:${hook.port}/validate`, caBundle: hook.caBundle },
    rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'] }],
    sideEffects: 'None',
    admissionReviewVersions: ['v1'],
    failurePolicy: 'Fail',
    ...scoped,
  });
  const configPath = `${ADMISSION}/validatingwebhookconfigurations`;
  let probes = 0;
  /** Waits until a labelled probe pod is refused: the configuration is in effect. */
  const untilRefused = async (what: string) => {
    for (let i = 0; i < 200; i++) {
      const res = await setup.send('POST', podsPath(NS), probeBody(`probe-${probes++}`));
      if (res.status === 403 || res.status === 422) return;
      if (res.status !== 201) throw new Error(`probe for ${what}: HTTP ${res.status}: ${res.body.slice(0, 300)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`${what} never took effect`);
  };
  const measure = async (label: string, webhooks: number, policies: number) => {
    ctx.progress(`admission: pod create with ${label}, ${sizes.clients} clients`);
    const client = new HTTPSClient(target.url, target.caCert, sizes.clients);
    const callsBefore = hook.calls();
    const meter = ctx.meter();
    const fig = await runLoad({
      clients: sizes.clients,
      ops: sizes.ops,
      maxSeconds: sizes.maxSeconds,
      warmupOps: sizes.clients,
      op: async (i) => {
        await client.expect(201, 'POST', podsPath(NS), podBody(`${label}-${i < 0 ? `w${-i}` : i}`));
      },
      onFirstError: (err) => ctx.progress(`admission pod create failed: ${(err as Error).message}`),
    });
    client.close();
    const webhookCalls = hook.calls() - callsBefore;
    ctx.emit({
      bench: 'admission_pod_create',
      validating_webhooks: webhooks,
      validating_admission_policies: policies,
      clients: sizes.clients,
      ...fig,
      // Warm-up creates are not in fig.ops but did call the webhooks.
      webhook_calls_per_create: fig.ops > 0 ? Math.round((webhookCalls / (fig.ops + sizes.clients)) * 100) / 100 : 0,
      ...meter.read(),
    });
  };
  try {
    await ensureNamespace(setup, NS);
    await measure('none', 0, 0);

    const config = (webhooks: unknown[]) =>
      JSON.stringify({ apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingWebhookConfiguration', metadata: { name: 'bench' }, webhooks });
    await setup.expect(201, 'POST', configPath, config([webhook(1)]));
    await untilRefused('1 webhook');
    await measure('webhooks-1', 1, 0);
    const current = JSON.parse((await setup.expect(200, 'GET', `${configPath}/bench`)).body) as { metadata: { resourceVersion: string } };
    const three = JSON.parse(config([webhook(1), webhook(2), webhook(3)])) as { metadata: Record<string, unknown> };
    three.metadata.resourceVersion = current.metadata.resourceVersion;
    await setup.expect(200, 'PUT', `${configPath}/bench`, JSON.stringify(three));
    // Three webhooks are in effect once one probe reaches all three.
    for (let tries = 0; ; tries++) {
      const before = hook.calls();
      await untilRefused('3 webhooks');
      if (hook.calls() - before >= 3) break;
      if (tries > 100) throw new Error('3 webhooks never took effect');
    }
    await measure('webhooks-3', 3, 0);
    await setup.expect(200, 'DELETE', `${configPath}/bench`);

    await setup.expect(
      201,
      'POST',
      `${ADMISSION}/validatingadmissionpolicies`,
      JSON.stringify({
        apiVersion: 'admissionregistration.k8s.io/v1',
        kind: 'ValidatingAdmissionPolicy',
        metadata: { name: 'bench.timonel.example.com' },
        spec: {
          matchConstraints: { resourceRules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'] }] },
          validations: [
            { expression: "!has(object.metadata.labels) || !('bench-deny' in object.metadata.labels)", message: 'bench probe' },
            { expression: "object.spec.containers.all(c, c.image != '')" },
          ],
        },
      }),
    );
    await setup.expect(
      201,
      'POST',
      `${ADMISSION}/validatingadmissionpolicybindings`,
      JSON.stringify({
        apiVersion: 'admissionregistration.k8s.io/v1',
        kind: 'ValidatingAdmissionPolicyBinding',
        metadata: { name: 'bench' },
        spec: { policyName: 'bench.timonel.example.com', validationActions: ['Deny'], matchResources: scoped },
      }),
    );
    // The policy is in effect, and the webhook configuration gone, once a probe is refused without a webhook call.
    for (let tries = 0; ; tries++) {
      const before = hook.calls();
      await untilRefused('the policy');
      if (hook.calls() === before) break;
      if (tries > 100) throw new Error('the webhook configuration stayed in effect');
    }
    await measure('policy-1', 0, 1);
    await setup.expect(200, 'DELETE', `${ADMISSION}/validatingadmissionpolicybindings/bench`);
    await setup.expect(200, 'DELETE', `${ADMISSION}/validatingadmissionpolicies/bench.timonel.example.com`);
  } finally {
    setup.close();
    hook.server.closeAllConnections();
    hook.server.close();
  }
}
