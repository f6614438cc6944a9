// Who is asking, against the real apiserver program (node dist/cmd/apiserver/main.js)
// on a real etcd, started with --client-ca-file, --token-auth-file,
// --enable-bootstrap-token-auth and --audit-log-path: client certificates from the
// CA (and not from another CA, nor expired ones), static tokens with their users,
// bootstrap tokens, anonymous requests, wrong tokens on every path, TokenReview,
// SelfSubjectReview through the real `kubectl auth whoami`, and the audit log.
import { afterAll, beforeAll, describe, it, jest } from '@jest/globals';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import forge from 'node-forge';
import { stringify } from 'yaml';
import { startEtcd, type TestEtcd } from '../support/etcd.js';
import { writeAuditPolicy } from '../support/audit.js';
import { startAPIServerProcess, type APIServerProcess } from '../bench/apiserver-process.js';
import { newCertificate, type CertKeyPair } from '../../pkg/util/certs.js';

const run = promisify(execFile);

interface Credentials {
  token?: string;
  cert?: CertKeyPair;
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  json: () => Record<string, unknown>;
}

/** A certificate for a key of its own, signed by ca, valid only in the past. */
function expiredClientCert(ca: CertKeyPair, commonName: string): CertKeyPair {
  const keys = forge.pki.rsa.generateKeyPair(2048);
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = '0badc0de';
  const day = 24 * 3600 * 1000;
  cert.validity.notBefore = new Date(Date.now() - 3 * day);
  cert.validity.notAfter = new Date(Date.now() - day);
  cert.setSubject([{ name: 'commonName', value: commonName }]);
  const issuer = forge.pki.certificateFromPem(ca.cert);
  cert.setIssuer(issuer.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
    { name: 'extKeyUsage', clientAuth: true },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(ca.key) as forge.pki.rsa.PrivateKey, forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert), key: forge.pki.privateKeyToPem(keys.privateKey) };
}

jest.setTimeout(180_000);
describe('authentication (the apiserver program)', () => {
  let etcd: TestEtcd;
  let api: APIServerProcess;
  let dir: string;
  let clientCA: CertKeyPair;
  let viewerCert: CertKeyPair;
  let foreignCert: CertKeyPair;
  let expiredCert: CertKeyPair;
  const auditLog = () => join(dir, 'audit.log');
  const admin: Credentials = { token: 'admin-token' };
  const viewerToken: Credentials = { token: 'viewer-token' };

  beforeAll(async () => {
    etcd = await startEtcd();
    dir = mkdtempSync(join(tmpdir(), 'timonel-authn-'));
    clientCA = newCertificate({ commonName: 'test-client-ca', usage: 'ca' });
    const otherCA = newCertificate({ commonName: 'other-ca', usage: 'ca' });
    viewerCert = newCertificate({ commonName: 'viewer-a', organizations: ['team-a', 'team-b'], usage: 'client', issuer: clientCA });
    foreignCert = newCertificate({ commonName: 'viewer-a', organizations: ['system:masters'], usage: 'client', issuer: otherCA });
    expiredCert = expiredClientCert(clientCA, 'viewer-a');
    writeFileSync(join(dir, 'client-ca.crt'), clientCA.cert);
    writeFileSync(
      join(dir, 'tokens.csv'),
      'admin-token,admin,admin,"system:masters"\nviewer-token,viewer-a,uid-viewer-a,"team-a"\neditor-token,editor-b,uid-editor-b\n',
    );
    api = await startAPIServerProcess({
      etcdEndpoint: etcd.endpoint,
      dir,
      args: [
        `--client-ca-file=${join(dir, 'client-ca.crt')}`,
        `--token-auth-file=${join(dir, 'tokens.csv')}`,
        '--enable-bootstrap-token-auth',
        `--audit-log-path=${auditLog()}`,
        `--audit-policy-file=${writeAuditPolicy(dir)}`,
      ],
    });
  });
  afterAll(async () => {
    await api?.stop();
    await etcd?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  function call(method: string, path: string, who: Credentials = {}, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const text = body === undefined ? undefined : JSON.stringify(body);
      const h: Record<string, string> = { ...headers };
      if (who.token !== undefined) h.authorization = `Bearer ${who.token}`;
      if (text !== undefined) Object.assign(h, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) });
      const req = httpsRequest(
        new URL(path, api.url),
        { method, ca: api.caCert, cert: who.cert?.cert, key: who.cert?.key, headers: h, agent: false },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (d: Buffer) => chunks.push(d));
          res.on('end', () => {
            const b = Buffer.concat(chunks).toString();
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: b, json: () => JSON.parse(b) as Record<string, unknown> });
          });
        },
      );
      req.on('error', reject);
      req.end(text);
    });
  }

  async function whoami(who: Credentials): Promise<Record<string, unknown>> {
    const res = await call('POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', who, {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'SelfSubjectReview',
    });
    assert.equal(res.status, 201, res.body);
    return (res.json().status as { userInfo: Record<string, unknown> }).userInfo;
  }

  function kubeconfig(name: string, user: Record<string, string>): string {
    const file = join(dir, `${name}.kubeconfig`);
    writeFileSync(
      file,
      stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 't', cluster: { server: api.url, 'certificate-authority-data': Buffer.from(api.caCert).toString('base64') } }],
        users: [{ name, user }],
        contexts: [{ name: 't', context: { cluster: 't', user: name } }],
        'current-context': 't',
      }),
    );
    return file;
  }

  async function kubectl(config: string, args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
    const child = run('kubectl', args, { env: { ...process.env, HOME: dir, KUBECONFIG: config, KUBECACHEDIR: join(dir, 'kubecache') } });
    if (input !== undefined) child.child.stdin?.end(input);
    try {
      const { stdout, stderr } = await child;
      return { code: 0, stdout, stderr };
    } catch (err) {
      const e = err as { code?: number; stdout?: string; stderr?: string };
      return { code: e.code ?? 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
    }
  }

  const certData = (c: CertKeyPair) => ({
    'client-certificate-data': Buffer.from(c.cert).toString('base64'),
    'client-key-data': Buffer.from(c.key).toString('base64'),
  });

  it('a client certificate from the CA is its CN, in its O groups and system:authenticated', async () => {
    assert.deepEqual(await whoami({ cert: viewerCert }), { username: 'viewer-a', groups: ['team-a', 'team-b', 'system:authenticated'] });
    const res = await call('GET', '/api/v1/namespaces/default/configmaps', { cert: viewerCert });
    assert.equal(res.status, 200, res.body);
  });

  it('kubectl auth whoami with a client certificate in the kubeconfig', async () => {
    const out = await kubectl(kubeconfig('viewer-cert', certData(viewerCert)), ['auth', 'whoami']);
    assert.equal(out.code, 0, out.stderr);
    assert.deepEqual(
      out.stdout
        .trim()
        .split('\n')
        .map((l) => l.trim().split(/\s{2,}/)),
      [
        ['ATTRIBUTE', 'VALUE'],
        ['Username', 'viewer-a'],
        ['Groups', '[team-a team-b system:authenticated]'],
      ],
    );
    const json = await kubectl(kubeconfig('viewer-cert', certData(viewerCert)), ['auth', 'whoami', '-o', 'json']);
    assert.equal((JSON.parse(json.stdout) as { kind: string }).kind, 'SelfSubjectReview');
  });

  it('a certificate from another CA is 401, even on a path anyone may read', async () => {
    for (const path of ['/api/v1/namespaces/default/configmaps', '/api', '/healthz']) {
      const res = await call('GET', path, { cert: foreignCert });
      assert.equal(res.status, 401, `${path}: ${res.body}`);
      assert.deepEqual(res.json(), {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'Unauthorized',
        reason: 'Unauthorized',
        code: 401,
      });
    }
  });

  it('an expired certificate from the CA is 401, with kubectl too', async () => {
    const res = await call('GET', '/api/v1/namespaces/default/configmaps', { cert: expiredCert });
    assert.equal(res.status, 401, res.body);
    const out = await kubectl(kubeconfig('expired-cert', certData(expiredCert)), ['get', 'configmaps']);
    assert.notEqual(out.code, 0);
    assert.match(out.stderr, /error: You must be logged in to the server \(the server has asked for the client to provide credentials\)/);
  });

  it('a static token keeps its user, uid and groups', async () => {
    assert.deepEqual(await whoami(viewerToken), { username: 'viewer-a', uid: 'uid-viewer-a', groups: ['team-a', 'system:authenticated'] });
    assert.deepEqual(await whoami({ token: 'editor-token' }), { username: 'editor-b', uid: 'uid-editor-b', groups: ['system:authenticated'] });
    assert.deepEqual(await whoami(admin), { username: 'admin', uid: 'admin', groups: ['system:masters', 'system:authenticated'] });
    const out = await kubectl(kubeconfig('viewer-token', { token: 'viewer-token' }), ['auth', 'whoami']);
    assert.match(out.stdout, /^Username\s+viewer-a$/m);
    assert.match(out.stdout, /^UID\s+uid-viewer-a$/m);
    assert.match(out.stdout, /^Groups\s+\[team-a system:authenticated\]$/m);
  });

  it('no credentials is system:anonymous in system:unauthenticated (allowed everything until an authorization mode is set)', async () => {
    assert.deepEqual(await whoami({}), { username: 'system:anonymous', groups: ['system:unauthenticated'] });
    assert.equal((await call('GET', '/api')).status, 200);
    // Not a bearer token: no credentials either.
    assert.equal((await call('GET', '/api', {}, undefined, { authorization: 'Basic YWRtaW46YWRtaW4=' })).status, 200);
  });

  it('a wrong token is 401 on every path, health and version included', async () => {
    for (const path of [
      '/healthz',
      '/livez',
      '/readyz',
      '/version',
      '/api',
      '/apis',
      '/openapi/v2',
      '/api/v1/namespaces/default/pods',
      '/apis/apps/v1/deployments',
    ]) {
      const res = await call('GET', path, { token: 'wrong' });
      assert.equal(res.status, 401, `${path}: ${res.body}`);
      assert.equal(res.json().reason, 'Unauthorized');
    }
    const post = await call('POST', '/api/v1/namespaces/default/configmaps', { token: 'wrong' }, { metadata: { name: 'sneaky' } });
    assert.equal(post.status, 401);
    assert.equal((await call('GET', '/api/v1/namespaces/default/configmaps/sneaky', admin)).status, 404);
    // The certificate is asked first (upstream's union): a wrong token beside a good one is not looked at.
    assert.equal((await call('GET', '/healthz', { cert: viewerCert, token: 'wrong' })).status, 200);
  });

  describe('bootstrap tokens', () => {
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    async function createTokenSecret(id: string, secret: string, data: Record<string, string> = {}): Promise<void> {
      const res = await call('POST', '/api/v1/namespaces/kube-system/secrets', admin, {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: `bootstrap-token-${id}` },
        type: 'bootstrap.kubernetes.io/token',
        data: Object.fromEntries(
          Object.entries({ 'token-id': id, 'token-secret': secret, 'usage-bootstrap-authentication': 'true', ...data }).map(([k, v]) => [k, b64(v)]),
        ),
      });
      assert.equal(res.status, 201, res.body);
    }

    it('a token whose Secret matches is system:bootstrap:<id> in system:bootstrappers', async () => {
      const expiration = new Date(Date.now() + 3600_000).toISOString().replace(/\.\d+Z$/, 'Z');
      await createTokenSecret('abcdef', '0123456789abcdef', { expiration, 'auth-extra-groups': 'system:bootstrappers:kubeadm:default-node-token' });
      const user = await whoami({ token: 'abcdef.0123456789abcdef' });
      assert.deepEqual(user, {
        username: 'system:bootstrap:abcdef',
        groups: ['system:bootstrappers', 'system:bootstrappers:kubeadm:default-node-token', 'system:authenticated'],
      });
    });

    it('a wrong secret, an expired token or one not for authentication is 401', async () => {
      await createTokenSecret('expird', '0123456789abcdef', { expiration: '2020-01-01T00:00:00Z' });
      await createTokenSecret('nouse0', '0123456789abcdef', { 'usage-bootstrap-authentication': 'false' });
      for (const token of ['abcdef.ffffffffffffffff', 'expird.0123456789abcdef', 'nouse0.0123456789abcdef', 'zzzzzz.0123456789abcdef']) {
        const res = await call('GET', '/api', { token });
        assert.equal(res.status, 401, `${token}: ${res.body}`);
      }
    });
  });

  describe('TokenReview', () => {
    const review = (spec: Record<string, unknown>) => ({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec });

    it('reviews a static or bootstrap token; a wrong one is not authenticated', async () => {
      const ok = await call('POST', '/apis/authentication.k8s.io/v1/tokenreviews', admin, review({ token: 'viewer-token' }));
      assert.equal(ok.status, 201, ok.body);
      assert.deepEqual(ok.json(), {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenReview',
        metadata: { creationTimestamp: null },
        spec: { token: 'viewer-token' },
        status: { authenticated: true, user: { username: 'viewer-a', uid: 'uid-viewer-a', groups: ['team-a', 'system:authenticated'] } },
      });
      const boot = await call('POST', '/apis/authentication.k8s.io/v1/tokenreviews', admin, review({ token: 'abcdef.0123456789abcdef' }));
      assert.equal((boot.json().status as { user: { username: string } }).user.username, 'system:bootstrap:abcdef');
      const bad = await call('POST', '/apis/authentication.k8s.io/v1/tokenreviews', admin, review({ token: 'wrong' }));
      assert.deepEqual(bad.json().status, { user: {}, error: 'invalid bearer token' });
      // The apiserver has no --api-audiences: a token asked for an audience is none it knows.
      const aud = await call('POST', '/apis/authentication.k8s.io/v1/tokenreviews', admin, review({ token: 'viewer-token', audiences: ['vault'] }));
      assert.deepEqual(aud.json().status, { user: {}, error: 'invalid bearer token' });
    });

    it('with kubectl create; without a token it is 400; only create is served', async () => {
      const config = kubeconfig('admin-token', { token: 'admin-token' });
      const out = await kubectl(config, ['create', '-o', 'json', '-f', '-'], JSON.stringify(review({ token: 'editor-token' })));
      assert.equal(out.code, 0, out.stderr);
      assert.deepEqual((JSON.parse(out.stdout) as { status: unknown }).status, {
        authenticated: true,
        user: { username: 'editor-b', uid: 'uid-editor-b', groups: ['system:authenticated'] },
      });
      const missing = await call('POST', '/apis/authentication.k8s.io/v1/tokenreviews', admin, review({}));
      assert.equal(missing.status, 400);
      assert.equal(missing.json().message, 'token is required for TokenReview in authentication');
      const get = await call('GET', '/apis/authentication.k8s.io/v1/tokenreviews', admin);
      assert.equal(get.status, 405, get.body);
      assert.equal(get.json().message, 'the server does not allow this method on the requested resource');
      assert.equal((await call('GET', '/apis/authentication.k8s.io/v1/tokenreviews/x', admin)).status, 404);
      const list = await kubectl(config, ['get', 'tokenreviews']);
      assert.match(list.stderr, /MethodNotAllowed|does not allow this method/);
    });

    it('discovery lists the reviews with the verb create only', async () => {
      const res = await call('GET', '/apis/authentication.k8s.io/v1', admin);
      const resources = res.json().resources as Array<{ name: string; namespaced: boolean; kind: string; verbs: string[] }>;
      assert.deepEqual(
        resources.map((r) => [r.name, r.namespaced, r.kind, r.verbs]),
        [
          ['tokenreviews', false, 'TokenReview', ['create']],
          ['selfsubjectreviews', false, 'SelfSubjectReview', ['create']],
        ],
      );
      const out = await kubectl(kubeconfig('admin-token', { token: 'admin-token' }), ['api-resources', '--api-group=authentication.k8s.io', '-o', 'wide']);
      assert.match(out.stdout, /^selfsubjectreviews\s+authentication\.k8s\.io\/v1\s+false\s+SelfSubjectReview\s+create\s*$/m);
      assert.match(out.stdout, /^tokenreviews\s+authentication\.k8s\.io\/v1\s+false\s+TokenReview\s+create\s*$/m);
    });
  });

  it('the audit log has a line per request: who, what, on which object, and the answer', async () => {
    await call('GET', '/api/v1/namespaces/default/pods?limit=5', viewerToken);
    await call('GET', '/healthz', { token: 'wrong' });
    await call('POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', admin, { kind: 'SelfSubjectReview' }, { 'impersonate-user': 'viewer-a' });
    type AuditEvent = {
      kind: string;
      apiVersion: string;
      auditID: string;
      stage: string;
      verb: string;
      requestURI: string;
      user: { username?: string; uid?: string; groups?: string[] };
      impersonatedUser?: { username: string };
      objectRef?: Record<string, string>;
      responseStatus?: { code: number };
      annotations?: Record<string, string>;
    };
    let events: AuditEvent[] = [];
    const deadline = Date.now() + 10_000;
    const find = (f: (e: AuditEvent) => boolean) => events.find(f);
    const list = (e: AuditEvent) => e.requestURI === '/api/v1/namespaces/default/pods?limit=5';
    const refused = (e: AuditEvent) => e.requestURI === '/healthz' && e.responseStatus?.code === 401;
    const impersonated = (e: AuditEvent) => e.impersonatedUser !== undefined;
    while (Date.now() < deadline) {
      events = readFileSync(auditLog(), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as AuditEvent);
      if (find(list) && find(refused) && find(impersonated)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const e = find(list);
    assert.ok(e, 'the list is logged');
    assert.equal(e.kind, 'Event');
    assert.equal(e.apiVersion, 'audit.k8s.io/v1');
    assert.equal(e.stage, 'ResponseComplete');
    assert.equal(e.verb, 'list');
    assert.deepEqual(e.user, { username: 'viewer-a', uid: 'uid-viewer-a', groups: ['team-a', 'system:authenticated'] });
    assert.deepEqual(e.objectRef, { resource: 'pods', namespace: 'default', apiVersion: 'v1' });
    assert.equal(e.responseStatus?.code, 200);
    assert.equal(e.annotations?.['authorization.k8s.io/decision'], 'allow');
    assert.match(e.auditID, /^[0-9a-f-]{36}$/);
    const r = find(refused);
    assert.ok(r, 'the refused request is logged');
    assert.deepEqual(r.user, {});
    const i = find(impersonated);
    assert.ok(i);
    assert.equal(i.user.username, 'admin');
    assert.equal(i.impersonatedUser?.username, 'viewer-a');
    assert.deepEqual(i.objectRef, { resource: 'selfsubjectreviews', apiGroup: 'authentication.k8s.io', apiVersion: 'v1' });
    assert.equal(i.verb, 'create');
    assert.equal(i.responseStatus?.code, 201);
  });
});
