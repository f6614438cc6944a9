// The bootstrap-token controllers against a real apiserver (bootstrap-token
// authentication on, Node and RBAC authorization), run by a controller-manager as
// system:kube-controller-manager, which the default policy's namespaced roles allow:
// the signer keeps kube-public/cluster-info signed with each signing token
// (jws-kubeconfig-<id>, checked as a joining node checks it: read anonymously,
// verified with the token), follows changes of the kubeconfig and of the tokens;
// the cleaner deletes bootstrap tokens once they expire, and nothing else.
import { afterAll, beforeAll, describe, it, jest } from '@jest/globals';
import assert from 'node:assert/strict';
import { request as httpsRequest } from 'node:https';
import { flattenedVerify } from 'jose';
import type { ControllerManager } from '../../pkg/controller/manager.js';
import { clusterInfoKubeconfigYAML } from '../../pkg/cluster/kubeconfig.js';
import { computeDetachedSignature } from '../../pkg/util/jws.js';
import { logger } from '../../pkg/util/log.js';
import { request, startCluster, type TestCluster } from '../support/cluster.js';
import { rfc3339, startManager, until } from '../support/controllers.js';

const JSON_HDR = { 'content-type': 'application/json' };
const CLUSTER_INFO = '/api/v1/namespaces/kube-public/configmaps/cluster-info';
const SECRETS = '/api/v1/namespaces/kube-system/secrets';

const b64 = (s: string) => Buffer.from(s).toString('base64');

function bootstrapToken(id: string, secret: string, more: Record<string, string> = {}, type = 'bootstrap.kubernetes.io/token') {
  const data: Record<string, string> = {};
  for (const [k, v] of Object.entries({
    'token-id': id,
    'token-secret': secret,
    'usage-bootstrap-signing': 'true',
    'usage-bootstrap-authentication': 'true',
    ...more,
  }))
    data[k] = b64(v);
  return { apiVersion: 'v1', kind: 'Secret', metadata: { name: `bootstrap-token-${id}`, namespace: 'kube-system' }, type, data };
}

jest.setTimeout(120_000);
describe('bootstrap signer and token cleaner', () => {
  let c: TestCluster;
  let manager: ControllerManager;
  let kubeconfig: string;

  /** cluster-info as anyone reads it: without credentials. */
  function anonymousClusterInfo(): Promise<{ data: Record<string, string> }> {
    return new Promise((resolve, reject) => {
      const req = httpsRequest(new URL(CLUSTER_INFO, c.url), { ca: c.caCert, agent: false }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () =>
          res.statusCode === 200 ? resolve(JSON.parse(body) as { data: Record<string, string> }) : reject(new Error(`${res.statusCode} ${body}`)),
        );
      });
      req.on('error', reject);
      req.end();
    });
  }

  const signatures = async () => {
    const data = (await anonymousClusterInfo()).data;
    return new Map(Object.entries(data).filter(([k]) => k.startsWith('jws-kubeconfig-')));
  };

  async function create(path: string, body: object): Promise<void> {
    const res = await request(c, 'POST', path, { body: JSON.stringify(body), headers: JSON_HDR });
    assert.equal(res.status, 201, res.body);
  }

  beforeAll(async () => {
    c = await startCluster({ enableBootstrapTokenAuth: true, authorizationModes: ['Node', 'RBAC'] });
    kubeconfig = clusterInfoKubeconfigYAML(c.url, c.caCert);
    await create('/api/v1/namespaces/kube-public/configmaps', { metadata: { name: 'cluster-info', namespace: 'kube-public' }, data: { kubeconfig } });
    // As kubeadm (and timonel up): anyone may read cluster-info.
    await c.kubectl([
      'create',
      'role',
      'kubeadm:bootstrap-signer-clusterinfo',
      '-n',
      'kube-public',
      '--verb=get',
      '--resource=configmaps',
      '--resource-name=cluster-info',
    ]);
    await c.kubectl([
      'create',
      'rolebinding',
      'kubeadm:bootstrap-signer-clusterinfo',
      '-n',
      'kube-public',
      '--role=kubeadm:bootstrap-signer-clusterinfo',
      '--user=system:anonymous',
    ]);
    manager = await startManager(c, ['bootstrapsigner', 'tokencleaner'], {
      kubeconfig: c.kubeconfigFor('system:kube-controller-manager'),
      log: logger('controller-manager-test', process.env.TIMONEL_TEST_LOG ? 4 : -1),
    });
  });
  afterAll(async () => {
    await manager?.stop();
    await c?.stop();
  });

  it('signs cluster-info with a signing token, as a joining node verifies it', async () => {
    await create(SECRETS, bootstrapToken('abcdef', '0123456789abcdef'));
    const sig = await until('signature of abcdef', async () => (await signatures()).get('jws-kubeconfig-abcdef'));
    const [header, empty, signature] = sig.split('.');
    assert.equal(empty, '');
    const read = (await anonymousClusterInfo()).data.kubeconfig;
    assert.equal(read, kubeconfig);
    const verified = await flattenedVerify(
      { protected: header, payload: Buffer.from(read).toString('base64url'), signature },
      new TextEncoder().encode('0123456789abcdef'),
    );
    assert.deepEqual(verified.protectedHeader, { alg: 'HS256', kid: 'abcdef' });
    // The same token authenticates while it is valid.
    const who = await request(c, 'POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', {
      body: JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' }),
      headers: { ...JSON_HDR, authorization: 'Bearer abcdef.0123456789abcdef' },
    });
    assert.equal((who.json() as { status: { userInfo: { username: string } } }).status.userInfo.username, 'system:bootstrap:abcdef');
  });

  it('a token not for signing does not sign; a changed kubeconfig is signed again; a deleted token is no longer', async () => {
    await create(SECRETS, bootstrapToken('nosign', '0123456789abcdef', { 'usage-bootstrap-signing': 'false' }));
    await create(SECRETS, bootstrapToken('second', 'fedcba9876543210'));
    await until('signature of second', async () => (await signatures()).has('jws-kubeconfig-second'));
    assert.deepEqual([...(await signatures()).keys()].sort(), ['jws-kubeconfig-abcdef', 'jws-kubeconfig-second']);

    const changed = clusterInfoKubeconfigYAML('https://10.0.0.1:6443', c.caCert);
    const patch = await request(c, 'PATCH', CLUSTER_INFO, {
      body: JSON.stringify({ data: { kubeconfig: changed } }),
      headers: { 'content-type': 'application/merge-patch+json' },
    });
    assert.equal(patch.status, 200, patch.body);
    const want = computeDetachedSignature(changed, 'abcdef', '0123456789abcdef');
    await until('signature over the new kubeconfig', async () => (await signatures()).get('jws-kubeconfig-abcdef') === want);

    assert.equal((await request(c, 'DELETE', `${SECRETS}/bootstrap-token-second`)).status, 200);
    await until('signature of second removed', async () => !(await signatures()).has('jws-kubeconfig-second'));
  });

  it('the cleaner deletes a token when it expires, and the signer drops its signature; other Secrets stay', async () => {
    await create(SECRETS, bootstrapToken('expird', '0123456789abcdef', { expiration: rfc3339(Date.now() - 1000) }));
    await create(SECRETS, bootstrapToken('sooner', '0123456789abcdef', { expiration: rfc3339(Date.now() + 4000) }));
    await create(SECRETS, { ...bootstrapToken('opaque', '0123456789abcdef', { expiration: rfc3339(Date.now() - 1000) }, 'Opaque') });
    await until('expired token deleted', async () => (await request(c, 'GET', `${SECRETS}/bootstrap-token-expird`)).status === 404);
    // Still valid: signs, and is kept.
    await until('signature of sooner', async () => (await signatures()).has('jws-kubeconfig-sooner'));
    assert.equal((await request(c, 'GET', `${SECRETS}/bootstrap-token-sooner`)).status, 200);
    await until('token deleted once expired', async () => (await request(c, 'GET', `${SECRETS}/bootstrap-token-sooner`)).status === 404, 15_000);
    await until('signature of sooner removed', async () => !(await signatures()).has('jws-kubeconfig-sooner'));
    assert.equal((await request(c, 'GET', `${SECRETS}/bootstrap-token-opaque`)).status, 200);
    assert.ok((await signatures()).has('jws-kubeconfig-abcdef'));
  });
});
