// The kubelet API's authentication against a real apiserver: a bearer token is
// checked with a TokenReview the kubelet creates through its client, as its own
// identity (system:node:<name>, which the audit log records), and client
// certificates from the cluster CA are taken as they are. Authorization here is
// AlwaysAllow; the Webhook mode's SubjectAccessReview is tested with a fake
// reviewer in the unit tier.
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
import { loadOrCreateSignedCert, type CertKeyPair } from '../../pkg/util/certs.js';
import { startCluster, type TestCluster } from '../support/cluster.js';
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
    const pki = join(c.dir, 'pki');
    loadOrCreateSignedCert(pki, 'kubelet-serving', { commonName: `system:node:${NODE}`, usage: 'server', hosts: [NODE, '127.0.0.1'] }, c.ca);
    kubelet = await startKubeletServer({
      address: '127.0.0.1',
      port: 0,
      tlsCertFile: join(pki, 'kubelet-serving.crt'),
      tlsKeyFile: join(pki, 'kubelet-serving.key'),
      clientCAFile: join(pki, 'ca.crt'),
      auth: buildAuth({ nodeName: NODE, clientCA: true, anonymous: false, tokenWebhook: true, authorizationMode: 'AlwaysAllow', client }),
      cri: {} as CRIClient,
      locator: { find: async () => ({ code: 404, error: 'none' }), findSandbox: async () => ({ code: 404, error: 'none' }) },
      pods: () => [],
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
    c = await startCluster({ tokens: [{ token: 'reader-token', user: { name: 'reader', groups: [] } }], auditLogPath: join(dir, 'audit.log') });
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
