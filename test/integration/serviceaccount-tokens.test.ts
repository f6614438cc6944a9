// Service-account tokens against a real apiserver on a real etcd: TokenRequest
// through the real `kubectl create token`, the tokens authenticating (`kubectl auth
// whoami`, SelfSubjectReview) with the service account's user, bound tokens refused
// once their pod is gone, forged, expired and foreign tokens refused with 401, bad
// TokenRequests refused with a Status, and the OIDC discovery documents, whose JWKS
// verifies a token with `jose`.
import { afterAll, beforeAll, describe, it, jest } from '@jest/globals';
import assert from 'node:assert/strict';
import { createHmac, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import { SERVICE_ACCOUNT_ISSUER, request, run, startCluster, type TestCluster } from '../support/cluster.js';
import { until } from '../support/controllers.js';
import { startEtcd, type TestEtcd } from '../support/etcd.js';
import { startAPIServerProcess, type APIServerProcess } from '../bench/apiserver-process.js';
import { kubeconfigYAML } from '../../pkg/cluster/kubeconfig.js';
import { TokenGenerator } from '../../pkg/util/serviceaccount/generator.js';
import { ensureSigningKeyPair, parseSigningKey, readSigningKey } from '../../pkg/util/serviceaccount/keys.js';
import { boundClaims, legacyClaims, LEGACY_ISSUER } from '../../pkg/util/serviceaccount/claims.js';

jest.setTimeout(120_000);

const JSON_HDR = { 'content-type': 'application/json' };

describe('service-account tokens', () => {
  let c: TestCluster;

  beforeAll(async () => {
    c = await startCluster({ authorizationModes: ['Node', 'RBAC'] });
    await c.kubectl(['create', 'serviceaccount', 'robot']);
  });
  afterAll(async () => {
    await c?.stop();
  });

  /** kubectl with only the token as credentials (no client certificate). */
  async function kubectlAs(token: string, args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
    const file = join(c.dir, `token-${Math.random().toString(36).slice(2)}.kubeconfig`);
    writeFileSync(file, kubeconfigYAML(c.url, c.caCert, token, 'timonel', 'robot'), { mode: 0o600 });
    try {
      const { stdout, stderr } = await run('kubectl', ['--kubeconfig', file, ...args], {
        env: { ...process.env, HOME: c.dir, KUBECACHEDIR: join(c.dir, 'kc') },
      });
      return { stdout, stderr, code: 0 };
    } catch (err) {
      const e = err as { stdout?: string; stderr?: string; code?: number };
      return { stdout: e.stdout ?? '', stderr: e.stderr ?? '', code: e.code ?? 1 };
    }
  }

  async function whoami(token: string): Promise<{ status: number; userInfo?: Record<string, unknown>; body: string }> {
    const res = await request({ ...c, token }, 'POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', {
      body: JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' }),
      headers: JSON_HDR,
    });
    if (res.status !== 201) return { status: res.status, body: res.body };
    return { status: 201, userInfo: (res.json() as { status: { userInfo: Record<string, unknown> } }).status.userInfo, body: res.body };
  }

  /** The watch caches the authenticator reads catch up with a write within moments: wait for the answer. */
  function whoamiUntil(token: string, status: number): Promise<{ status: number; userInfo?: Record<string, unknown>; body: string }> {
    return until(`a SelfSubjectReview answered ${status}`, async () => {
      const r = await whoami(token);
      return r.status === status && r;
    });
  }

  async function uidOf(kind: string, name: string): Promise<string> {
    return (await c.kubectl(['get', kind, name, '-o', 'jsonpath={.metadata.uid}'])).stdout;
  }

  it('kubectl create token returns a JWT with upstream claims, and kubectl auth whoami names the service account', async () => {
    const { stdout } = await c.kubectl(['create', 'token', 'robot', '--duration=20m', '--audience=https://kubernetes.default.svc.cluster.local']);
    const token = stdout.trim();
    const claims = decodeJwt(token);
    const saUID = await uidOf('serviceaccount', 'robot');
    assert.equal(claims.iss, SERVICE_ACCOUNT_ISSUER);
    assert.equal(claims.sub, 'system:serviceaccount:default:robot');
    assert.deepEqual(claims.aud, [SERVICE_ACCOUNT_ISSUER]);
    assert.equal((claims.exp as number) - (claims.iat as number), 1200);
    assert.equal(claims.nbf, claims.iat);
    assert.match(String(claims.jti), /^[0-9a-f-]{36}$/);
    assert.deepEqual(claims['kubernetes.io'], { namespace: 'default', serviceaccount: { name: 'robot', uid: saUID } });
    assert.equal(decodeProtectedHeader(token).alg, 'RS256');

    const out = await kubectlAs(token, ['auth', 'whoami', '-o', 'json']);
    assert.equal(out.code, 0, out.stderr);
    const info = (JSON.parse(out.stdout) as { status: { userInfo: Record<string, unknown> } }).status.userInfo;
    assert.equal(info.username, 'system:serviceaccount:default:robot');
    assert.equal(info.uid, saUID);
    assert.deepEqual(info.groups, ['system:serviceaccounts', 'system:serviceaccounts:default', 'system:authenticated']);
    assert.deepEqual(info.extra, { 'authentication.kubernetes.io/credential-id': [`JTI=${String(claims.jti)}`] });
  });

  it('a token for another audience, one whose service account was recreated, and an expired one are refused with 401', async () => {
    const other = (await c.kubectl(['create', 'token', 'robot', '--audience=vault'])).stdout.trim();
    assert.equal((await whoami(other)).status, 401);

    await c.kubectl(['create', 'serviceaccount', 'shortlived']);
    const token = (await c.kubectl(['create', 'token', 'shortlived'])).stdout.trim();
    assert.equal((await whoami(token)).status, 201);
    await c.kubectl(['delete', 'serviceaccount', 'shortlived']);
    await c.kubectl(['create', 'serviceaccount', 'shortlived']);
    await whoamiUntil(token, 401);

    // Signed with the cluster's own key, but past its expiry (and the minute of leeway).
    const key = readSigningKey(join(c.dir, 'pki', 'sa.key'));
    const saUID = await uidOf('serviceaccount', 'robot');
    const claims = boundClaims({
      serviceAccount: { namespace: 'default', name: 'robot', uid: saUID },
      audiences: [SERVICE_ACCOUNT_ISSUER],
      expirationSeconds: 600,
      now: Date.now() - 700_000,
    });
    const expired = await new TokenGenerator(SERVICE_ACCOUNT_ISSUER, key).generateToken(claims);
    const res = await whoami(expired);
    assert.equal(res.status, 401, res.body);
    assert.equal((JSON.parse(res.body) as { kind: string; reason: string }).reason, 'Unauthorized');
    // The same claims, still valid: the refusal was the expiry.
    const fresh = await new TokenGenerator(SERVICE_ACCOUNT_ISSUER, key).generateToken({ ...claims, exp: Math.floor(Date.now() / 1000) + 600 });
    assert.equal((await whoami(fresh)).status, 201);
  });

  it('TokenReview takes a token for the audiences it names, and says which', async () => {
    const vault = (await c.kubectl(['create', 'token', 'robot', '--audience=vault', '--audience=other'])).stdout.trim();
    const review = async (token: string, audiences?: string[]) => {
      const res = await request(c, 'POST', '/apis/authentication.k8s.io/v1/tokenreviews', {
        body: JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token, audiences } }),
        headers: JSON_HDR,
      });
      assert.equal(res.status, 201, res.body);
      return (res.json() as { status: { authenticated?: boolean; audiences?: string[]; user: { username?: string } } }).status;
    };
    const ok = await review(vault, ['vault', 'unrelated']);
    assert.equal(ok.authenticated, true);
    assert.deepEqual(ok.audiences, ['vault']);
    assert.equal(ok.user.username, 'system:serviceaccount:default:robot');
    assert.equal((await review(vault)).authenticated, undefined, 'not for the api audiences');
    assert.equal((await review(vault, [SERVICE_ACCOUNT_ISSUER])).authenticated, undefined);
    const api = (await c.kubectl(['create', 'token', 'robot'])).stdout.trim();
    assert.deepEqual((await review(api, [SERVICE_ACCOUNT_ISSUER])).audiences, [SERVICE_ACCOUNT_ISSUER]);
    assert.equal((await review(api, ['vault'])).authenticated, undefined);
  });

  it('forged and malformed tokens are 401, never 500', async () => {
    const saUID = await uidOf('serviceaccount', 'robot');
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const foreign = parseSigningKey(privateKey.export({ type: 'pkcs8', format: 'pem' }) as string);
    const claims = boundClaims({
      serviceAccount: { namespace: 'default', name: 'robot', uid: saUID },
      audiences: [SERVICE_ACCOUNT_ISSUER],
      expirationSeconds: 600,
    });
    const forged = await new TokenGenerator(SERVICE_ACCOUNT_ISSUER, foreign).generateToken(claims);
    const good = (await c.kubectl(['create', 'token', 'robot'])).stdout.trim();
    const [h, p, s] = good.split('.');
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...payload, sub: 'system:serviceaccount:kube-system:admin' })).toString('base64url')}.${s}`;
    const none = `${Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url')}.${p}.`;
    const badKubernetes = await new TokenGenerator(SERVICE_ACCOUNT_ISSUER, readSigningKey(join(c.dir, 'pki', 'sa.key'))).generateToken({
      ...claims,
      'kubernetes.io': { namespace: 'default', serviceaccount: 'robot', pod: [1] },
    });
    // HS256 keyed with the published public key: the old algorithm confusion.
    const pubPEM = readFileSync(join(c.dir, 'pki', 'sa.pub'));
    const hsHeader = Buffer.from(JSON.stringify({ alg: 'HS256', kid: decodeProtectedHeader(good).kid })).toString('base64url');
    const hs = `${hsHeader}.${p}.${createHmac('sha256', pubPEM).update(`${hsHeader}.${p}`).digest('base64url')}`;
    const nullHeader = `${Buffer.from('null').toString('base64url')}.${p}.${s}`;
    for (const token of [forged, tampered, none, hs, nullHeader, `${h}.${p}.${s}x`, `${h}.bm90IGpzb24.${s}`, 'e30.e30.e30', badKubernetes]) {
      const res = await whoami(token);
      assert.equal(res.status, 401, `${token}: ${res.body}`);
    }
    assert.equal((await whoami(good)).status, 201);
  });

  it('a token bound to a pod names the pod and is refused once the pod is deleted', async () => {
    await c.kubectl(['create', 'serviceaccount', 'podsa']);
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'bound', namespace: 'default' },
      spec: { serviceAccountName: 'podsa', automountServiceAccountToken: false, containers: [{ name: 'c', image: 'busybox' }] },
    };
    await c.kubectl(['apply', '-f', '-'], { input: JSON.stringify(pod) });
    const podUID = await uidOf('pod', 'bound');
    const token = (await c.kubectl(['create', 'token', 'podsa', '--bound-object-kind=Pod', '--bound-object-name=bound'])).stdout.trim();
    const claims = decodeJwt(token);
    assert.deepEqual((claims['kubernetes.io'] as { pod: unknown }).pod, { name: 'bound', uid: podUID });
    const who = await whoamiUntil(token, 201);
    const extra = who.userInfo?.extra as Record<string, string[]>;
    assert.deepEqual(extra['authentication.kubernetes.io/pod-name'], ['bound']);
    assert.deepEqual(extra['authentication.kubernetes.io/pod-uid'], [podUID]);

    // Bound to the pod of another service account: 400.
    const wrong = await c.kubectl(['create', 'token', 'robot', '--bound-object-kind=Pod', '--bound-object-name=bound'], { allowFail: true });
    assert.notEqual(wrong.code, 0);
    assert.match(wrong.stderr, /cannot bind token for serviceaccount "robot" to pod running with serviceaccount "podsa"/);

    await c.kubectl(['delete', 'pod', 'bound', '--grace-period=0', '--force']);
    await whoamiUntil(token, 401);
  });

  it('a token bound to a Secret is refused once the Secret is deleted; the bound uid must match', async () => {
    await c.kubectl(['create', 'secret', 'generic', 'anchor', '--from-literal=a=b']);
    const token = (await c.kubectl(['create', 'token', 'robot', '--bound-object-kind=Secret', '--bound-object-name=anchor'])).stdout.trim();
    await whoamiUntil(token, 201);
    const conflict = await request(c, 'POST', '/api/v1/namespaces/default/serviceaccounts/robot/token', {
      body: JSON.stringify({
        kind: 'TokenRequest',
        apiVersion: 'authentication.k8s.io/v1',
        spec: { boundObjectRef: { apiVersion: 'v1', kind: 'Secret', name: 'anchor', uid: 'not-its-uid' } },
      }),
      headers: JSON_HDR,
    });
    assert.equal(conflict.status, 409, conflict.body);
    await c.kubectl(['delete', 'secret', 'anchor']);
    await whoamiUntil(token, 401);
  });

  it('malformed TokenRequests are 400/404/422 with a Status', async () => {
    const post = (name: string, body: string) => request(c, 'POST', `/api/v1/namespaces/default/serviceaccounts/${name}/token`, { body, headers: JSON_HDR });
    const cases: Array<[string, string, number]> = [
      ['robot', '{', 400],
      ['robot', '[]', 400],
      ['robot', JSON.stringify({ spec: { expirationSeconds: 60 } }), 422],
      ['robot', JSON.stringify({ spec: { expirationSeconds: 2 ** 33 } }), 422],
      ['robot', JSON.stringify({ spec: { expirationSeconds: '3600' } }), 400],
      ['robot', JSON.stringify({ spec: { audiences: 'x' } }), 400],
      ['robot', JSON.stringify({ spec: { audiences: [{}] } }), 400],
      ['robot', JSON.stringify({ spec: { boundObjectRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'x' } } }), 400],
      ['robot', JSON.stringify({ spec: { boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: 'nope' } } }), 404],
      ['robot', JSON.stringify({ spec: { boundObjectRef: 'pod' } }), 400],
      ['nobody', JSON.stringify({ spec: {} }), 404],
    ];
    for (const [name, body, code] of cases) {
      const res = await post(name, body);
      assert.equal(res.status, code, `${body}: ${res.body}`);
      assert.equal((res.json() as { kind: string }).kind, 'Status', res.body);
    }
    const get = await request(c, 'GET', '/api/v1/namespaces/default/serviceaccounts/robot/token');
    assert.equal(get.status, 405, get.body);
  });

  it('discovery lists serviceaccounts/token as upstream does', async () => {
    const list = (await request(c, 'GET', '/api/v1')).json() as { resources: Array<Record<string, unknown>> };
    assert.deepEqual(
      list.resources.find((r) => r.name === 'serviceaccounts/token'),
      {
        name: 'serviceaccounts/token',
        singularName: '',
        namespaced: true,
        group: 'authentication.k8s.io',
        version: 'v1',
        kind: 'TokenRequest',
        verbs: ['create'],
      },
    );
  });

  it('serves OIDC discovery; its JWKS verifies a token with jose', async () => {
    const conf = await request(c, 'GET', '/.well-known/openid-configuration');
    assert.equal(conf.status, 200, conf.body);
    assert.equal(conf.headers['content-type'], 'application/json');
    const doc = conf.json() as Record<string, unknown>;
    assert.deepEqual(doc, {
      issuer: SERVICE_ACCOUNT_ISSUER,
      jwks_uri: `${SERVICE_ACCOUNT_ISSUER}/openid/v1/jwks`,
      response_types_supported: ['id_token'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
    });
    const jwks = await request(c, 'GET', '/openid/v1/jwks');
    assert.equal(jwks.status, 200, jwks.body);
    assert.equal(jwks.headers['content-type'], 'application/jwk-set+json');
    const set = jwks.json() as JSONWebKeySet;
    assert.equal(set.keys.length, 1);
    assert.equal(set.keys[0].d, undefined, 'no private part');
    const token = (await c.kubectl(['create', 'token', 'robot'])).stdout.trim();
    const { payload } = await jwtVerify(token, createLocalJWKSet(set), { issuer: SERVICE_ACCOUNT_ISSUER, audience: SERVICE_ACCOUNT_ISSUER });
    assert.equal(payload.sub, 'system:serviceaccount:default:robot');
    // Another key does not verify it.
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    await assert.rejects(jwtVerify(token, publicKey));
  });

  it('a service account reads discovery through RBAC (system:service-account-issuer-discovery); anonymous does not', async () => {
    const token = (await c.kubectl(['create', 'token', 'robot'])).stdout.trim();
    const res = await request({ ...c, token }, 'GET', '/openid/v1/jwks');
    assert.equal(res.status, 200, res.body);
    const anon = await request(c, 'GET', '/openid/v1/jwks', { headers: { authorization: '' } });
    assert.equal(anon.status, 403, anon.body);
  });

  it('legacy tokens are taken while their Secret holds them', async () => {
    const key = readSigningKey(join(c.dir, 'pki', 'sa.key'));
    const saUID = await uidOf('serviceaccount', 'robot');
    const token = await new TokenGenerator(LEGACY_ISSUER, key).generateToken(legacyClaims({ namespace: 'default', name: 'robot', uid: saUID }, 'robot-legacy'));
    assert.equal((await whoami(token)).status, 401, 'no Secret yet');
    const secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'robot-legacy', annotations: { 'kubernetes.io/service-account.name': 'robot' } },
      type: 'kubernetes.io/service-account-token',
      data: { token: Buffer.from(token).toString('base64') },
    };
    await c.kubectl(['apply', '-f', '-'], { input: JSON.stringify(secret) });
    const who = await whoamiUntil(token, 201);
    assert.equal(who.userInfo?.username, 'system:serviceaccount:default:robot');
    await c.kubectl(['delete', 'secret', 'robot-legacy']);
    await whoamiUntil(token, 401);
  });

  it('the signing key made for the cluster is an RSA key in PEM', () => {
    assert.match(readFileSync(join(c.dir, 'pki', 'sa.key'), 'utf8'), /^-----BEGIN RSA PRIVATE KEY-----/);
  });
});

describe('service-account flags of the apiserver program', () => {
  let etcd: TestEtcd;
  let api: APIServerProcess;
  let dir: string;

  beforeAll(async () => {
    etcd = await startEtcd();
    dir = mkdtempSync(join(tmpdir(), 'timonel-sa-flags-'));
    ensureSigningKeyPair(join(dir, 'sa.key'), join(dir, 'sa.pub'));
    // A retired key still accepted for verification, given as a comma list beside the current one.
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    writeFileSync(join(dir, 'old.key'), privateKey.export({ type: 'sec1', format: 'pem' }));
    writeFileSync(join(dir, 'tokens.csv'), 'admin-token,admin,admin,"system:masters"\n');
    api = await startAPIServerProcess({
      etcdEndpoint: etcd.endpoint,
      dir,
      args: [
        `--token-auth-file=${join(dir, 'tokens.csv')}`,
        '--service-account-issuer=https://issuer.example',
        '--service-account-issuer=https://old-issuer.example',
        `--service-account-signing-key-file=${join(dir, 'sa.key')}`,
        `--service-account-key-file=${join(dir, 'sa.pub')},${join(dir, 'old.key')}`,
        '--service-account-max-token-expiration=1h',
        '--api-audiences=api',
      ],
    });
  });
  afterAll(async () => {
    await api?.stop();
    await etcd?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const admin = () => ({ url: api.url, caCert: api.caCert, adminCert: { cert: '', key: '' }, token: 'admin-token' });

  it('signs for the first issuer, caps the expiry, takes tokens of any issuer signed by any listed key, and publishes every key', async () => {
    const sa = await request(admin(), 'POST', '/api/v1/namespaces/default/serviceaccounts', {
      body: JSON.stringify({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'robot' } }),
      headers: JSON_HDR,
    });
    assert.equal(sa.status, 201, sa.body);
    const saUID = (sa.json() as { metadata: { uid: string } }).metadata.uid;
    const res = await request(admin(), 'POST', '/api/v1/namespaces/default/serviceaccounts/robot/token', {
      body: JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 7200 } }),
      headers: JSON_HDR,
    });
    assert.equal(res.status, 201, res.body);
    const tr = res.json() as { spec: { audiences: string[]; expirationSeconds: number }; status: { token: string; expirationTimestamp: string } };
    const claims = decodeJwt(tr.status.token);
    assert.equal(claims.iss, 'https://issuer.example');
    assert.deepEqual(claims.aud, ['api']);
    assert.equal((claims.exp as number) - (claims.iat as number), 3600);
    assert.equal(tr.spec.expirationSeconds, 3600);
    assert.equal(Date.parse(tr.status.expirationTimestamp) / 1000, claims.exp);
    assert.equal((await request({ ...admin(), token: tr.status.token }, 'GET', '/api/v1/namespaces/default/serviceaccounts/robot')).status, 200);

    const old = readSigningKey(join(dir, 'old.key'));
    const oldToken = await new TokenGenerator('https://old-issuer.example', old).generateToken(
      boundClaims({ serviceAccount: { namespace: 'default', name: 'robot', uid: saUID }, audiences: ['api'], expirationSeconds: 600 }),
    );
    assert.equal((await request({ ...admin(), token: oldToken }, 'GET', '/api/v1/namespaces/default/serviceaccounts/robot')).status, 200);

    const jwks = (await request(admin(), 'GET', '/openid/v1/jwks')).json() as JSONWebKeySet;
    assert.deepEqual(jwks.keys.map((k) => k.alg).sort(), ['ES256', 'RS256']);
    const conf = (await request(admin(), 'GET', '/.well-known/openid-configuration')).json() as { issuer: string; jwks_uri: string };
    assert.equal(conf.issuer, 'https://issuer.example');
    assert.equal(conf.jwks_uri, 'https://issuer.example/openid/v1/jwks');
  });
});
