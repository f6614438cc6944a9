// The kubelet API's authentication against a real apiserver: a bearer token is
// checked with a TokenReview the kubelet creates through its client, as its own
// identity (system:node:<name>, which the audit log records), and client
// certificates from the cluster CA are taken as they are; with Webhook
// authorization, each request is a SubjectAccessReview on nodes/<subresource>
// that the apiserver's Node and RBAC authorizers answer.
import { afterAll, beforeAll, describe, it, jest } from '@jest/globals';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { Client } from '../../pkg/client/rest.js';
import type { CRIClient } from '../../pkg/cri/client.js';
import { buildAuth } from '../../pkg/kubelet/server/auth/auth.js';
import { startKubeletServer, type KubeletServer } from '../../pkg/kubelet/server/server.js';
import { startTestKubeletServer } from '../support/kubeletserver.js';
import type { CertKeyPair } from '../../pkg/util/certs.js';
import { startCluster, type TestCluster } from '../support/cluster.js';
import { writeAuditPolicy } from '../support/audit.js';
import { until } from '../support/controllers.js';

const NODE = 'node-auth';

jest.setTimeout(120_000);
describe('kubelet API authentication through the apiserver', () => {
  let c: TestCluster;
  let client: Client;
  let kubelet: KubeletServer;

  function get(path: string, opts: { token?: string; cert?: CertKeyPair } = {}): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string> = opts.token ? { authorization: `Bearer ${opts.token}` } : {};
      const req = httpsRequest({ host: '127.0.0.1', port: kubelet.port, path, ca: c.caCert, servername: NODE, ...opts.cert, headers, agent: false }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end();
    });
  }

  beforeAll(async () => {
    c = await startCluster({
      tokens: [{ token: 'reader-token', user: { name: 'reader', uid: 'uid-reader', groups: ['readers'] } }],
    });
    client = Client.fromFile(c.kubeconfigFor(`system:node:${NODE}`, ['system:nodes']));
    kubelet = await startTestKubeletServer(c, NODE, {
      auth: buildAuth({ nodeName: NODE, clientCA: true, anonymous: false, tokenWebhook: true, authorizationMode: 'AlwaysAllow', client }),
    });
  });
  afterAll(async () => {
    await kubelet?.close();
    client?.close();
    await c?.stop();
  });

  it('a token the apiserver knows is served; a wrong one and none are 401', async () => {
    assert.equal((await get('/pods', { token: 'reader-token' })).status, 200);
    assert.deepEqual(await get('/pods', { token: 'wrong' }), { status: 401, body: 'Unauthorized\n' });
    assert.deepEqual(await get('/pods'), { status: 401, body: 'Unauthorized\n' });
  });

  it("a certificate from the cluster CA is served; the admin's too", async () => {
    assert.equal((await get('/pods', { cert: c.clientCert('kube-apiserver-kubelet-client', ['system:masters']) })).status, 200);
    assert.equal((await get('/pods', { cert: c.adminCert })).status, 200);
  });
});

describe('who asks the apiserver for the review', () => {
  let c: TestCluster;
  let client: Client;
  let kubelet: KubeletServer;
  const dir = mkdtempSync(join(tmpdir(), 'timonel-kubelet-auth-'));
  const audit = () => readFileSync(join(dir, 'audit.log'), 'utf8');

  beforeAll(async () => {
    c = await startCluster({
      tokens: [{ token: 'reader-token', user: { name: 'reader', groups: [] } }],
      auditLogPath: join(dir, 'audit.log'),
      auditPolicyFile: writeAuditPolicy(dir),
    });
  });
  afterAll(async () => {
    await kubelet?.close();
    client?.close();
    await c?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the kubelet, as system:node:<name> in system:nodes', async () => {
    client = Client.fromFile(c.kubeconfigFor(`system:node:${NODE}`, ['system:nodes']));
    kubelet = await startKubeletServer({
      address: '127.0.0.1',
      port: 0,
      insecure: true,
      auth: buildAuth({ nodeName: NODE, clientCA: false, anonymous: false, tokenWebhook: true, authorizationMode: 'AlwaysAllow', client }),
      cri: {} as CRIClient,
      locator: { find: async () => ({ code: 404, error: 'none' }), findSandbox: async () => ({ code: 404, error: 'none' }) },
      pods: () => [],
    });
    const res = await fetch(`http://127.0.0.1:${kubelet.port}/pods`, { headers: { authorization: 'Bearer reader-token' } });
    assert.equal(res.status, 200);
    const review = await until('the TokenReview in the audit log', () =>
      audit()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { verb: string; objectRef?: { resource?: string }; user: { username: string; groups: string[] } })
        .find((e) => e.objectRef?.resource === 'tokenreviews'),
    );
    assert.equal(review.verb, 'create');
    assert.equal(review.user.username, `system:node:${NODE}`);
    assert.deepEqual(review.user.groups, ['system:nodes', 'system:authenticated']);
  });
});

describe('kubelet API authorization through SubjectAccessReview (Node,RBAC)', () => {
  let c: TestCluster;
  let client: Client;
  let kubelet: KubeletServer;
  const dir = mkdtempSync(join(tmpdir(), 'timonel-kubelet-sar-'));
  const audit = () =>
    readFileSync(join(dir, 'audit.log'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { verb: string; objectRef?: { resource?: string }; user: { username: string } });

  function get(path: string, opts: { token?: string; cert?: CertKeyPair } = {}): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string> = opts.token ? { authorization: `Bearer ${opts.token}` } : {};
      const req = httpsRequest({ host: '127.0.0.1', port: kubelet.port, path, ca: c.caCert, ...opts.cert, headers, agent: false }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end();
    });
  }

  beforeAll(async () => {
    c = await startCluster({
      authorizationModes: ['Node', 'RBAC'],
      tokens: [{ token: 'ops-token', user: { name: 'ops', groups: [] } }],
      auditLogPath: join(dir, 'audit.log'),
      auditPolicyFile: writeAuditPolicy(dir),
    });
    client = Client.fromFile(c.kubeconfigFor(`system:node:${NODE}`, ['system:nodes']));
    kubelet = await startTestKubeletServer(c, NODE, {
      auth: buildAuth({ nodeName: NODE, clientCA: true, anonymous: false, tokenWebhook: true, authorizationMode: 'Webhook', client }),
    });
    // metrics-reader may read this node's metrics; ops may use the whole kubelet API (system:kubelet-api-admin).
    await c.kubectl(['create', 'clusterrole', 'node-metrics', '--verb=get', '--resource=nodes/metrics']);
    await c.kubectl(['create', 'clusterrolebinding', 'node-metrics', '--clusterrole=node-metrics', '--user=metrics-reader']);
    await c.kubectl(['create', 'clusterrolebinding', 'ops-kubelet', '--clusterrole=system:kubelet-api-admin', '--user=ops']);
  });
  afterAll(async () => {
    await kubelet?.close();
    client?.close();
    await c?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("the apiserver's kubelet client (system:masters) may do anything", async () => {
    assert.equal((await get('/pods', { cert: c.clientCert('kube-apiserver-kubelet-client', ['system:masters']) })).status, 200);
  });

  it('a user may do what RBAC grants on nodes/<subresource>, by path, and no more', async () => {
    const reader = c.clientCert('metrics-reader');
    // Past the filter to the router, which serves no /metrics here.
    assert.equal((await get('/metrics', { cert: reader })).status, 404);
    assert.deepEqual(await get('/pods', { cert: reader }), {
      status: 403,
      body: 'Forbidden (user=metrics-reader, verb=get, resource=nodes, subresource=proxy)\n',
    });
    assert.deepEqual(await get('/stats/summary', { cert: reader }), {
      status: 403,
      body: 'Forbidden (user=metrics-reader, verb=get, resource=nodes, subresource=stats)\n',
    });
    assert.equal((await get('/pods', { token: 'ops-token' })).status, 200);
    assert.equal((await get('/pods', { cert: c.clientCert('nobody') })).status, 403);
  });

  it("the reviews are the kubelet's own (system:node:<name>)", async () => {
    const reviews = audit().filter((e) => e.objectRef?.resource === 'subjectaccessreviews' || e.objectRef?.resource === 'tokenreviews');
    assert.ok(reviews.length >= 2);
    assert.deepEqual([...new Set(reviews.map((e) => e.user.username))], [`system:node:${NODE}`]);
  });
});
