// The filters after authentication, with an authorizer of the test's own given to
// the apiserver: what it is asked (upstream's RequestInfo), the 403 bodies kubectl
// shows, impersonation honoured and refused (kubectl --as), upgrade requests
// (exec) passing the same filters, and authorizers that answer later or fail.
import { afterAll, beforeAll, describe, it, jest } from '@jest/globals';
import assert from 'node:assert/strict';
import { request as httpsRequest } from 'node:https';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startCluster, type TestCluster } from '../support/cluster.js';
import { kubeconfigYAML } from '../../pkg/cluster/kubeconfig.js';
import type { Attributes, Authorizer, AuthorizerResult } from '../../pkg/auth/authorizer.js';

const ALLOW: AuthorizerResult = { decision: 'Allow', reason: '' };
const NO_OPINION: AuthorizerResult = { decision: 'NoOpinion', reason: '' };

/** Anyone authenticated may ask who they are; viewer-a may discover and read pods in namespace a; system:masters may do anything. */
function viewerPolicy(a: Attributes): AuthorizerResult | Promise<AuthorizerResult> {
  if (a.user.groups.includes('system:masters')) return ALLOW;
  const review = a.apiGroup === 'authentication.k8s.io' && a.resource === 'selfsubjectreviews' && a.verb === 'create';
  if (review && a.user.groups.includes('system:authenticated')) return ALLOW;
  if (a.user.name === 'slow-user') return new Promise((r) => setTimeout(() => r(ALLOW), 20));
  if (a.user.name === 'broken-user') throw new Error('the policy store is unreachable');
  if (a.user.name !== 'viewer-a') return NO_OPINION;
  if (!a.isResourceRequest) return a.verb === 'get' && /^\/(healthz|version|api|apis|openapi)(\/|$)/.test(a.path) ? ALLOW : NO_OPINION;
  if (a.apiGroup === '' && a.resource === 'pods' && a.namespace === 'a' && a.subresource === '' && ['get', 'list', 'watch'].includes(a.verb)) return ALLOW;
  return NO_OPINION;
}

jest.setTimeout(180_000);
describe('authorization and impersonation filters', () => {
  let c: TestCluster;
  const asked: Attributes[] = [];
  const authorizer: Authorizer = {
    authorize(a) {
      asked.push(a);
      return viewerPolicy(a);
    },
  };
  let viewerConfig: string;

  beforeAll(async () => {
    c = await startCluster({
      authorizer,
      tokens: [
        { token: 'viewer-token', user: { name: 'viewer-a', uid: 'uid-a', groups: ['team-a'] } },
        { token: 'slow-token', user: { name: 'slow-user', groups: [] } },
        { token: 'broken-token', user: { name: 'broken-user', groups: [] } },
      ],
    });
    viewerConfig = join(c.dir, 'viewer.kubeconfig');
    writeFileSync(viewerConfig, kubeconfigYAML(c.url, c.caCert, 'viewer-token'));
    await c.kubectl(['create', 'namespace', 'a']);
    await c.kubectl(['create', 'namespace', 'b']);
  });
  afterAll(async () => {
    await c?.stop();
  });

  function call(method: string, path: string, headers: Record<string, string>, body?: unknown): Promise<{ status: number; type: string; body: string }> {
    return new Promise((resolve, reject) => {
      const text = body === undefined ? undefined : JSON.stringify(body);
      const h = { ...headers, ...(text === undefined ? {} : { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) }) };
      // Without a token, as the admin (its client certificate).
      const admin = headers.authorization === undefined ? { cert: c.adminCert.cert, key: c.adminCert.key } : {};
      const req = httpsRequest(new URL(path, c.url), { method, ca: c.caCert, ...admin, headers: h }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body: Buffer.concat(chunks).toString() }));
      });
      req.on('error', reject);
      req.end(text);
    });
  }
  const as = (token: string, more: Record<string, string> = {}) => ({ authorization: `Bearer ${token}`, ...more });

  async function viewer(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const env = { ...process.env, HOME: c.dir, KUBECONFIG: viewerConfig, KUBECACHEDIR: join(c.dir, 'viewer-cache') };
    const { execFile } = await import('node:child_process');
    return new Promise((resolve) => {
      execFile('kubectl', args, { env }, (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }));
    });
  }

  it('what the authorizer does not allow is 403 with upstream message; kubectl shows it', async () => {
    assert.equal((await viewer(['get', 'pods', '-n', 'a'])).code, 0);
    const out = await viewer(['get', 'pods', '-n', 'b']);
    assert.notEqual(out.code, 0);
    assert.equal(
      out.stderr.trim(),
      'Error from server (Forbidden): pods is forbidden: User "viewer-a" cannot list resource "pods" in API group "" in the namespace "b"',
    );
    const named = await viewer(['get', 'secret', 'db', '-n', 'a']);
    assert.equal(
      named.stderr.trim(),
      'Error from server (Forbidden): secrets "db" is forbidden: User "viewer-a" cannot get resource "secrets" in API group "" in the namespace "a"',
    );
    const cluster = await viewer(['get', 'clusterroles']);
    assert.equal(
      cluster.stderr.trim(),
      'Error from server (Forbidden): clusterroles.rbac.authorization.k8s.io is forbidden: User "viewer-a" cannot list resource "clusterroles" in API group "rbac.authorization.k8s.io" at the cluster scope',
    );
    const create = await call('POST', '/api/v1/namespaces/a/configmaps', as('viewer-token'), { metadata: { name: 'x' } });
    assert.equal(create.status, 403);
    assert.deepEqual(JSON.parse(create.body), {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'configmaps is forbidden: User "viewer-a" cannot create resource "configmaps" in API group "" in the namespace "a"',
      reason: 'Forbidden',
      details: { kind: 'configmaps' },
      code: 403,
    });
    assert.equal((await c.kubectl(['get', 'configmap', 'x', '-n', 'a'], { allowFail: true })).code, 1, 'nothing was written');
  });

  it('non-resource paths are authorised by path', async () => {
    assert.equal((await call('GET', '/healthz', as('viewer-token'))).status, 200);
    assert.equal((await call('GET', '/api', as('viewer-token'))).status, 200);
    const api = await call('GET', '/metrics', as('viewer-token'));
    assert.equal(api.status, 403);
    assert.deepEqual(JSON.parse(api.body), {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'forbidden: User "viewer-a" cannot get path "/metrics"',
      reason: 'Forbidden',
      details: {},
      code: 403,
    });
  });

  it('the authorizer is asked about the request as upstream derives it', async () => {
    const last = () => asked[asked.length - 1];
    await call('GET', '/api/v1/namespaces/a/pods?watch=true&timeoutSeconds=1&fieldSelector=metadata.name%3Dweb', as('viewer-token'));
    assert.deepEqual(last(), {
      user: { name: 'viewer-a', uid: 'uid-a', groups: ['team-a', 'system:authenticated'] },
      verb: 'watch',
      isResourceRequest: true,
      path: '/api/v1/namespaces/a/pods',
      apiGroup: '',
      apiVersion: 'v1',
      namespace: 'a',
      resource: 'pods',
      subresource: '',
      name: 'web',
      fieldSelector: [{ field: 'metadata.name', operator: '=', value: 'web' }],
    });
    await call('DELETE', '/apis/apps/v1/namespaces/b/deployments', as('viewer-token'));
    assert.deepEqual([last().verb, last().apiGroup, last().resource, last().namespace], ['deletecollection', 'apps', 'deployments', 'b']);
    await call('PATCH', '/apis/apps/v1/namespaces/b/deployments/web/scale', as('viewer-token'));
    assert.deepEqual([last().verb, last().resource, last().subresource, last().name], ['patch', 'deployments', 'scale', 'web']);
  });

  it('kubectl --as: the admin may impersonate, and then is the impersonated user', async () => {
    const who = await c.kubectl(['auth', 'whoami', '--as=viewer-a', '--as-group=team-a', '--as-uid=uid-7']);
    assert.match(who.stdout, /^Username\s+viewer-a$/m);
    assert.match(who.stdout, /^UID\s+uid-7$/m);
    assert.match(who.stdout, /^Groups\s+\[team-a system:authenticated\]$/m);
    const denied = await c.kubectl(['get', 'pods', '-n', 'b', '--as=viewer-a'], { allowFail: true });
    assert.equal(
      denied.stderr.trim(),
      'Error from server (Forbidden): pods is forbidden: User "viewer-a" cannot list resource "pods" in API group "" in the namespace "b"',
    );
    assert.ok(asked.some((a) => a.verb === 'impersonate' && a.resource === 'users' && a.name === 'viewer-a' && a.user.name === 'admin'));
    assert.ok(asked.some((a) => a.verb === 'impersonate' && a.resource === 'uids' && a.apiGroup === 'authentication.k8s.io' && a.name === 'uid-7'));
  });

  it('kubectl --as is refused for a user who may not impersonate', async () => {
    const out = await viewer(['get', 'pods', '-n', 'a', '--as=admin']);
    assert.notEqual(out.code, 0);
    assert.equal(
      out.stderr.trim(),
      'Error from server (Forbidden): users "admin" is forbidden: User "viewer-a" cannot impersonate resource "users" in API group "" at the cluster scope',
    );
    const group = await call('GET', '/api/v1/namespaces/a/pods', as('viewer-token', { 'impersonate-user': 'viewer-a', 'impersonate-group': 'system:masters' }));
    assert.equal(group.status, 403);
    assert.equal(
      JSON.parse(group.body).message,
      'users "viewer-a" is forbidden: User "viewer-a" cannot impersonate resource "users" in API group "" at the cluster scope',
    );
  });

  it('extras, a service account, and groups without a user', async () => {
    const review = { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' };
    const res = await call(
      'POST',
      '/apis/authentication.k8s.io/v1/selfsubjectreviews',
      { 'impersonate-user': 'system:serviceaccount:a:builder', 'impersonate-extra-acme.com%2fteam': 'blue' },
      review,
    );
    assert.equal(res.status, 201, res.body);
    assert.deepEqual(JSON.parse(res.body).status.userInfo, {
      username: 'system:serviceaccount:a:builder',
      groups: ['system:serviceaccounts', 'system:serviceaccounts:a', 'system:authenticated'],
      extra: { 'acme.com/team': ['blue'] },
    });
    const bad = await call('GET', '/api/v1/namespaces/a/pods', { 'impersonate-group': 'system:masters' });
    assert.equal(bad.status, 500);
    assert.equal(bad.type, 'text/plain; charset=utf-8');
    assert.equal(bad.body, 'Internal Server Error: "/api/v1/namespaces/a/pods": requested [{Group  system:masters    }] without impersonating a user\n');
  });

  it('upgrade requests (exec) pass the same filters', async () => {
    const upgrade = { connection: 'Upgrade', upgrade: 'SPDY/3.1', 'x-stream-protocol-version': 'v4.channel.k8s.io' };
    const exec = '/api/v1/namespaces/a/pods/web-0/exec?command=ls&stdout=true';
    assert.equal((await call('POST', exec, as('wrong', upgrade))).status, 401);
    const denied = await call('POST', exec, as('viewer-token', upgrade));
    assert.equal(denied.status, 403);
    assert.equal(
      JSON.parse(denied.body).message,
      'pods "web-0" is forbidden: User "viewer-a" cannot create resource "pods/exec" in API group "" in the namespace "a"',
    );
    // The admin gets past the filters to the handler, which finds no such pod.
    const admin = await call('POST', exec, upgrade);
    assert.equal(admin.status, 404, admin.body);
    assert.equal(JSON.parse(admin.body).message, 'pods "web-0" not found');
  });

  it('an authorizer may answer later; one that fails is a 500', async () => {
    assert.equal((await call('GET', '/api/v1/namespaces/a/pods', as('slow-token'))).status, 200);
    const broken = await call('GET', '/api/v1/namespaces/a/pods', as('broken-token'));
    assert.equal(broken.status, 500);
    assert.equal(JSON.parse(broken.body).reason, 'InternalError');
  });

  it('bootstrap tokens are not taken without --enable-bootstrap-token-auth', async () => {
    assert.equal((await call('GET', '/api', as('abcdef.0123456789abcdef'))).status, 401);
  });
});
