// The kubelet API's authentication and authorization (pkg/kubelet/server/auth):
// the attributes a request is authorised with, the webhook authorizer and token
// authenticator against fake reviewers (decisions, what is asked, how long answers
// are kept), the union of authenticators, and the filter on a real TLS kubelet
// server with client certificates from a CA.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TokenReviewStatus } from '../../api/authentication/v1/types.js';
import type { CRIClient } from '../../pkg/cri/client.js';
import { requestAttributes, type KubeletUser } from '../../pkg/kubelet/server/auth/attributes.js';
import { KubeletAuth } from '../../pkg/kubelet/server/auth/auth.js';
import { DelegatingAuthenticator, WebhookTokenAuthenticator, bearerToken } from '../../pkg/client/delegated/authenticator.js';
import { ALWAYS_ALLOW, WebhookAuthorizer, subjectAccessReviewSpec } from '../../pkg/kubelet/server/auth/authorizer.js';
import { ExpiringCache } from '../../pkg/client/delegated/cache.js';
import type { SubjectAccessReviewSpec, SubjectAccessReviewStatus, SubjectAccessReviewer, TokenReviewer } from '../../pkg/client/delegated/reviews.js';
import { startKubeletServer, type KubeletServer } from '../../pkg/kubelet/server/server.js';
import type { ContainerLocator } from '../../pkg/kubelet/server/types.js';
import { newCertificate, type CertKeyPair } from '../../pkg/util/certs.js';

const alice: KubeletUser = { name: 'alice', groups: ['team', 'system:authenticated'] };

/** A SubjectAccessReviewer that answers from a function and records what it was asked. */
function fakeReviewer(answer: (spec: SubjectAccessReviewSpec) => SubjectAccessReviewStatus | Promise<SubjectAccessReviewStatus>) {
  const asked: SubjectAccessReviewSpec[] = [];
  const reviewer: SubjectAccessReviewer = {
    review: async (spec) => {
      asked.push(spec);
      return answer(spec);
    },
  };
  return { reviewer, asked };
}

function fakeTokens(answer: (token: string) => TokenReviewStatus | Promise<TokenReviewStatus>) {
  const asked: string[] = [];
  const reviewer: TokenReviewer = {
    review: async (token) => {
      asked.push(token);
      return answer(token);
    },
  };
  return { reviewer, asked };
}

/** A request as the authenticator sees it: headers and a socket without a TLS certificate. */
function plainRequest(headers: Record<string, string> = {}, method = 'GET'): IncomingMessage {
  return { headers, method, socket: {} } as unknown as IncomingMessage;
}

describe('request attributes (nodeAuthorizerAttributesGetter)', () => {
  it('the verb comes from the method, the resource is this node', () => {
    const cases: Array<[string, string]> = [
      ['GET', 'get'],
      ['POST', 'create'],
      ['PUT', 'update'],
      ['PATCH', 'patch'],
      ['DELETE', 'delete'],
      ['OPTIONS', ''],
    ];
    for (const [method, verb] of cases) {
      const a = requestAttributes(alice, method, '/pods', 'node-1');
      expect([a.verb, a.apiGroup, a.apiVersion, a.resource, a.name, a.namespace]).toEqual([verb, '', 'v1', 'nodes', 'node-1', '']);
    }
  });

  it('the subresource comes from the path: stats, metrics, log, else proxy', () => {
    const cases: Array<[string, string]> = [
      ['/stats', 'stats'],
      ['/stats/', 'stats'],
      ['/stats/summary', 'stats'],
      ['/statsz', 'proxy'],
      ['/metrics', 'metrics'],
      ['/metrics/cadvisor', 'metrics'],
      ['/metricsx', 'proxy'],
      ['/logs', 'log'],
      ['/logs/syslog', 'log'],
      ['/containerLogs/ns/pod/c', 'proxy'],
      ['/exec/ns/pod/c', 'proxy'],
      ['/pods', 'proxy'],
      ['/', 'proxy'],
    ];
    for (const [path, subresource] of cases) expect([path, requestAttributes(alice, 'GET', path, 'n').subresource]).toEqual([path, subresource]);
  });

  it('the review names the user, uid, groups and extras as the spec fields', () => {
    const user: KubeletUser = { name: 'bob', uid: 'u-1', groups: ['g'], extra: new Map([['scopes', ['a', 'b']]]) };
    expect(subjectAccessReviewSpec(requestAttributes(user, 'POST', '/exec/ns/p/c', 'node-1'))).toEqual({
      user: 'bob',
      uid: 'u-1',
      groups: ['g'],
      extra: { scopes: ['a', 'b'] },
      resourceAttributes: { namespace: '', verb: 'create', group: '', version: 'v1', resource: 'nodes', subresource: 'proxy', name: 'node-1' },
    });
  });
});

describe('webhook authorizer', () => {
  it('allowed, denied and no opinion; both allowed and denied is an error', async () => {
    const { reviewer } = fakeReviewer((spec) => {
      switch (spec.user) {
        case 'yes':
          return { allowed: true, reason: 'bound' };
        case 'no':
          return { allowed: false, denied: true, reason: 'denied by policy' };
        case 'both':
          return { allowed: true, denied: true };
        default:
          return { allowed: false };
      }
    });
    const authz = new WebhookAuthorizer(reviewer);
    const as = (name: string) => requestAttributes({ name, groups: [] }, 'GET', '/pods', 'n');
    expect(await authz.authorize(as('yes'))).toEqual({ decision: 'Allow', reason: 'bound' });
    expect(await authz.authorize(as('no'))).toEqual({ decision: 'Deny', reason: 'denied by policy' });
    expect(await authz.authorize(as('other'))).toEqual({ decision: 'NoOpinion', reason: '' });
    await expect(authz.authorize(as('both'))).rejects.toThrow('both allow and deny');
  });

  it('keeps an allowed answer 5 minutes and any other 30 seconds; a failed review is not kept', async () => {
    let now = 1_000_000;
    let allow = true;
    let fail = false;
    const { reviewer, asked } = fakeReviewer(() => {
      if (fail) throw new Error('connection refused');
      return { allowed: allow };
    });
    const authz = new WebhookAuthorizer(reviewer, { now: () => now });
    const attrs = requestAttributes(alice, 'GET', '/stats/summary', 'n');
    expect((await authz.authorize(attrs)).decision).toBe('Allow');
    allow = false;
    now += 5 * 60_000 - 1;
    expect((await authz.authorize(attrs)).decision).toBe('Allow');
    expect(asked).toHaveLength(1);
    now += 1;
    expect((await authz.authorize(attrs)).decision).toBe('NoOpinion');
    expect(asked).toHaveLength(2);
    allow = true;
    now += 30_000 - 1;
    expect((await authz.authorize(attrs)).decision).toBe('NoOpinion');
    now += 1;
    expect((await authz.authorize(attrs)).decision).toBe('Allow');
    expect(asked).toHaveLength(3);
    // Another subresource is another question.
    await authz.authorize(requestAttributes(alice, 'GET', '/metrics', 'n'));
    expect(asked).toHaveLength(4);
    fail = true;
    const other = requestAttributes(alice, 'GET', '/logs/', 'n');
    await expect(authz.authorize(other)).rejects.toThrow('connection refused');
    fail = false;
    expect((await authz.authorize(other)).decision).toBe('Allow');
  });
});

describe('token authentication through TokenReview', () => {
  const known: TokenReviewStatus = {
    authenticated: true,
    user: { username: 'system:serviceaccount:ns:sa', uid: 'sa-uid', groups: ['system:serviceaccounts', 'system:authenticated'], extra: { k: ['v'] } },
  };

  it('the user of an authenticated review; an error for a refused one', async () => {
    const { reviewer } = fakeTokens((t) => (t === 'good' ? known : { authenticated: false, error: t === 'expired' ? 'token has expired' : '' }));
    const authn = new WebhookTokenAuthenticator(reviewer);
    const r = await authn.authenticateToken('good');
    assert.ok('user' in r);
    expect(r.user.name).toBe('system:serviceaccount:ns:sa');
    expect(r.user.uid).toBe('sa-uid');
    expect(r.user.groups).toEqual(['system:serviceaccounts', 'system:authenticated']);
    expect([...(r.user.extra ?? [])]).toEqual([['k', ['v']]]);
    expect(await authn.authenticateToken('expired')).toEqual({ error: 'token has expired' });
    expect(await authn.authenticateToken('unknown')).toEqual({ error: 'token not authenticated' });
  });

  it('keeps answers, yes and no, for the cache TTL; a failed review is not kept', async () => {
    let now = 0;
    let fail = false;
    const { reviewer, asked } = fakeTokens((t) => {
      if (fail) throw new Error('apiserver unreachable');
      return t === 'good' ? known : { authenticated: false };
    });
    const authn = new WebhookTokenAuthenticator(reviewer, { cacheTTLMs: 1000, now: () => now });
    await authn.authenticateToken('good');
    await authn.authenticateToken('bad');
    await authn.authenticateToken('good');
    await authn.authenticateToken('bad');
    expect(asked).toEqual(['good', 'bad']);
    now = 1000;
    await authn.authenticateToken('good');
    expect(asked).toEqual(['good', 'bad', 'good']);
    fail = true;
    expect(await authn.authenticateToken('third')).toEqual({ error: 'token review failed: apiserver unreachable' });
    fail = false;
    await authn.authenticateToken('third');
    expect(asked).toEqual(['good', 'bad', 'good', 'third', 'third']);
  });

  it('reads the bearer header as upstream', () => {
    expect(bearerToken('Bearer abc')).toBe('abc');
    expect(bearerToken('bearer abc extra')).toBe('abc');
    expect(bearerToken('Basic abc')).toBeUndefined();
    expect(bearerToken('Bearer ')).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
  });
});

describe('the union of authenticators', () => {
  const { reviewer } = fakeTokens((t) =>
    t === 'good' ? { authenticated: true, user: { username: 'tok', groups: ['system:authenticated'] } } : { authenticated: false },
  );
  const tokens = new WebhookTokenAuthenticator(reviewer);

  it('a token the apiserver knows, else 401; no credentials are anonymous only when allowed', async () => {
    const strict = new DelegatingAuthenticator({ x509: true, tokens, anonymous: false });
    expect(await strict.authenticate(plainRequest({ authorization: 'Bearer good' }))).toEqual({ user: { name: 'tok', groups: ['system:authenticated'] } });
    expect(await strict.authenticate(plainRequest({ authorization: 'Bearer wrong' }))).toEqual({ error: 'token not authenticated' });
    expect(await strict.authenticate(plainRequest())).toEqual({ error: 'no credentials' });
    const open = new DelegatingAuthenticator({ x509: true, tokens, anonymous: true });
    expect(await open.authenticate(plainRequest())).toEqual({ user: { name: 'system:anonymous', groups: ['system:unauthenticated'] } });
    // A wrong token is refused even where anonymous requests are allowed.
    expect('error' in (await open.authenticate(plainRequest({ authorization: 'Bearer wrong' })))).toBe(true);
  });

  it('without token authentication a bearer token is no credential at all', async () => {
    const certsOnly = new DelegatingAuthenticator({ x509: true, anonymous: false });
    expect(await certsOnly.authenticate(plainRequest({ authorization: 'Bearer good' }))).toEqual({ error: 'no credentials' });
  });
});

describe('the filter', () => {
  const node = 'node-1';
  const authn = new DelegatingAuthenticator({
    x509: false,
    tokens: new WebhookTokenAuthenticator(fakeTokens((t) => ({ authenticated: t !== 'wrong', user: { username: t, groups: [] } })).reviewer),
    anonymous: false,
  });

  it('401 Unauthorized, 403 and 500 with the attributes, as the kubelet writes them', async () => {
    const { reviewer } = fakeReviewer((spec) => {
      if (spec.user === 'broken') throw new Error('no route to apiserver');
      return { allowed: spec.user === 'viewer' && spec.resourceAttributes?.subresource === 'stats' };
    });
    const auth = new KubeletAuth(authn, new WebhookAuthorizer(reviewer), node);
    const check = (token: string, path: string, method = 'GET') => auth.check(plainRequest({ authorization: `Bearer ${token}` }, method), path);
    expect(await check('wrong', '/pods')).toEqual({ allowed: false, code: 401, message: 'Unauthorized' });
    expect(await check('viewer', '/stats/summary')).toMatchObject({ allowed: true });
    expect(await check('viewer', '/exec/ns/p/c', 'POST')).toEqual({
      allowed: false,
      code: 403,
      message: 'Forbidden (user=viewer, verb=create, resource=nodes, subresource=proxy)',
    });
    expect(await check('broken', '/logs/')).toEqual({
      allowed: false,
      code: 500,
      message: 'Authorization error (user=broken, verb=get, resource=nodes, subresource=log)',
    });
  });

  it('AlwaysAllow lets every authenticated user in', async () => {
    const auth = new KubeletAuth(authn, ALWAYS_ALLOW, node);
    expect(await auth.check(plainRequest({ authorization: 'Bearer anyone' }), '/pods')).toMatchObject({ allowed: true });
    expect(await auth.check(plainRequest({ authorization: 'Bearer wrong' }), '/pods')).toMatchObject({ allowed: false, code: 401 });
  });
});

describe('expiring cache', () => {
  it('forgets entries after their TTL and the oldest first when full', () => {
    let now = 0;
    const c = new ExpiringCache<number>(2, () => now);
    c.set('a', 1, 10);
    c.set('b', 2, 10);
    c.set('c', 3, 10);
    expect([c.get('a'), c.get('b'), c.get('c')]).toEqual([undefined, 2, 3]);
    now = 10;
    expect(c.get('b')).toBeUndefined();
    c.set('d', 4, 0);
    expect(c.get('d')).toBeUndefined();
  });
});

describe('on a TLS kubelet server', () => {
  let dir: string;
  let kubelet: KubeletServer;
  let ca: CertKeyPair;
  let viewer: CertKeyPair;
  let apiserver: CertKeyPair;
  let foreign: CertKeyPair;
  const asked: SubjectAccessReviewSpec[] = [];

  function call(
    path: string,
    cert: CertKeyPair | undefined,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; body: string; upgraded: boolean }> {
    return new Promise((resolve, reject) => {
      const req = httpsRequest({ host: '127.0.0.1', port: kubelet.port, path, ca: ca.cert, servername: 'localhost', ...cert, headers, agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString(), upgraded: false }));
      });
      req.on('upgrade', (res, socket: Socket) => {
        socket.destroy();
        resolve({ status: res.statusCode ?? 0, body: '', upgraded: true });
      });
      req.on('error', reject);
      req.end();
    });
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kubelet-auth-tls-'));
    ca = newCertificate({ commonName: 'cluster-ca', usage: 'ca' });
    writeFileSync(join(dir, 'ca.crt'), ca.cert);
    const serving = newCertificate({ commonName: 'system:node:node-1', usage: 'server', hosts: ['localhost', '127.0.0.1'], issuer: ca });
    writeFileSync(join(dir, 'kubelet.crt'), serving.cert);
    writeFileSync(join(dir, 'kubelet.key'), serving.key);
    viewer = newCertificate({ commonName: 'metrics-reader', organizations: ['monitoring'], usage: 'client', issuer: ca });
    apiserver = newCertificate({ commonName: 'kube-apiserver-kubelet-client', organizations: ['system:masters'], usage: 'client', issuer: ca });
    foreign = newCertificate({
      commonName: 'kube-apiserver-kubelet-client',
      organizations: ['system:masters'],
      usage: 'client',
      issuer: newCertificate({ commonName: 'other', usage: 'ca' }),
    });
    const { reviewer } = fakeReviewer((spec) => {
      asked.push(spec);
      if (spec.groups?.includes('system:masters')) return { allowed: true };
      return { allowed: spec.user === 'metrics-reader' && spec.resourceAttributes?.subresource === 'metrics' };
    });
    const unused: ContainerLocator = { find: async () => ({ code: 404, error: 'none' }), findSandbox: async () => ({ code: 404, error: 'none' }) };
    kubelet = await startKubeletServer({
      address: '127.0.0.1',
      port: 0,
      tlsCertFile: join(dir, 'kubelet.crt'),
      tlsKeyFile: join(dir, 'kubelet.key'),
      clientCAFile: join(dir, 'ca.crt'),
      auth: new KubeletAuth(new DelegatingAuthenticator({ x509: true, anonymous: false }), new WebhookAuthorizer(reviewer), 'node-1'),
      cri: {} as CRIClient,
      locator: unused,
      pods: () => [],
    });
  });

  afterAll(async () => {
    await kubelet?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the user is the certificate CN in its O groups and system:authenticated; what is not allowed is 403', async () => {
    expect(await call('/pods', apiserver)).toMatchObject({ status: 200 });
    const denied = await call('/pods', viewer);
    expect([denied.status, denied.body]).toEqual([403, 'Forbidden (user=metrics-reader, verb=get, resource=nodes, subresource=proxy)\n']);
    expect(asked.find((s) => s.user === 'metrics-reader')).toEqual({
      user: 'metrics-reader',
      groups: ['monitoring', 'system:authenticated'],
      resourceAttributes: { namespace: '', verb: 'get', group: '', version: 'v1', resource: 'nodes', subresource: 'proxy', name: 'node-1' },
    });
    // Allowed nodes/metrics, so past the filter to the router, which has no /metrics.
    expect((await call('/metrics', viewer)).status).toBe(404);
  });

  it('a certificate from another CA and no certificate are 401; /healthz is open', async () => {
    expect(await call('/pods', foreign)).toMatchObject({ status: 401, body: 'Unauthorized\n' });
    expect(await call('/pods', undefined)).toMatchObject({ status: 401, body: 'Unauthorized\n' });
    expect(await call('/healthz', undefined)).toMatchObject({ status: 200, body: 'ok\n' });
  });

  it('upgrade requests (exec) pass the same filter', async () => {
    const upgrade = { Connection: 'Upgrade', Upgrade: 'SPDY/3.1' };
    expect(await call('/exec/ns/pod/c?command=ls&output=1', undefined, upgrade)).toMatchObject({ status: 401, upgraded: false });
    const denied = await call('/exec/ns/pod/c?command=ls&output=1', viewer, upgrade);
    expect(denied.status).toBe(403);
    expect(JSON.parse(denied.body).message).toBe('Forbidden (user=metrics-reader, verb=get, resource=nodes, subresource=proxy)');
  });
});
