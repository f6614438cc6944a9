// Authentication's parts as kube-apiserver's behave: the token file, the bearer
// header, bootstrap token Secrets, the union of authenticators, and the
// impersonation headers.
import { describe, expect, it } from '@jest/globals';
import type { IncomingMessage } from 'node:http';
import { RequestAuthenticator, bearerToken } from '../../pkg/apiserver/authentication/authenticator.js';
import { BootstrapTokenAuthenticator, groupsOf, hasExpired } from '../../pkg/apiserver/authentication/bootstrap.js';
import { TokenFileAuthenticator, parseCSVLine, parseTokenFile } from '../../pkg/apiserver/authentication/tokenfile.js';
import { splitUsername } from '../../pkg/util/serviceaccount/username.js';
import { ImpersonationError, impersonate, impersonationRequests } from '../../pkg/apiserver/filters/impersonation.js';
import type { Attributes, Authorizer } from '../../pkg/auth/authorizer.js';
import type { KubeObject } from '../../api/meta/v1/types.js';
import type { StatusError } from '../../api/meta/v1/status.js';

/** A request with these headers (as node parses them: lower-case names, repeats kept apart in headersDistinct). */
function fakeRequest(headers: Array<[string, string]>, socket: object = {}): IncomingMessage {
  const single: Record<string, string> = {};
  const distinct: Record<string, string[]> = {};
  for (const [k, v] of headers) {
    const key = k.toLowerCase();
    single[key] ??= v;
    (distinct[key] ??= []).push(v);
  }
  return { headers: single, headersDistinct: distinct, rawHeaders: headers.flat(), socket } as unknown as IncomingMessage;
}

describe('token file (--token-auth-file)', () => {
  it('reads CSV as Go does: quoted groups, "" for a quote, at least three columns', () => {
    expect(parseCSVLine('a,b,c')).toEqual(['a', 'b', 'c']);
    expect(parseCSVLine('tok,viewer-a,uid-1,"team-a,team-b"')).toEqual(['tok', 'viewer-a', 'uid-1', 'team-a,team-b']);
    expect(parseCSVLine('t,"say ""hi""",u')).toEqual(['t', 'say "hi"', 'u']);
    expect(parseCSVLine('t,,u,')).toEqual(['t', '', 'u', '']);
    expect(() => parseCSVLine('t,"open,u')).toThrow(/quoted-field/);
    expect(() => parseCSVLine('t,a"b,u')).toThrow(/bare "/);
    const tokens = parseTokenFile('# comment\n\ntok1,viewer-a,uid-1,"team-a,team-b"\ntok2,editor-b,uid-2\n,empty,uid-3\n');
    expect(tokens).toEqual([
      { token: 'tok1', user: { name: 'viewer-a', uid: 'uid-1', groups: ['team-a', 'team-b'] } },
      { token: 'tok2', user: { name: 'editor-b', uid: 'uid-2', groups: [] } },
    ]);
    expect(() => parseTokenFile('tok,user\n', '/etc/tokens.csv')).toThrow(
      "token file '/etc/tokens.csv' must have at least 3 columns (token, user name, user uid), found 2",
    );
  });

  it('a token is its user, in system:authenticated; a later line wins', () => {
    const a = new TokenFileAuthenticator(parseTokenFile('t1,viewer-a,u1,team-a\nt2,old,u2\nt2,new,u3,system:authenticated\n'));
    expect(a.authenticateToken('t1')).toEqual({ name: 'viewer-a', uid: 'u1', groups: ['team-a', 'system:authenticated'] });
    expect(a.authenticateToken('t2')).toEqual({ name: 'new', uid: 'u3', groups: ['system:authenticated'] });
    expect(a.authenticateToken('t3')).toBeUndefined();
    expect(a.authenticateToken('__proto__')).toBeUndefined();
  });
});

describe('bearer token header', () => {
  it.each([
    ['Bearer abc', 'abc'],
    ['bearer abc', 'abc'],
    ['  Bearer abc  ', 'abc'],
    ['Bearer abc def', 'abc'],
    ['Bearer  abc', undefined],
    ['Bearer', undefined],
    ['Basic YWxhZGRpbjpvcGVuc2VzYW1l', undefined],
    ['', undefined],
  ])('%j', (header, want) => {
    expect(bearerToken(header)).toBe(want);
  });
});

describe('bootstrap tokens', () => {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  function secret(data: Record<string, string>, extra: Partial<KubeObject> = {}): KubeObject {
    return {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'bootstrap-token-abcdef', namespace: 'kube-system' },
      type: 'bootstrap.kubernetes.io/token',
      data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)])),
      ...extra,
    } as KubeObject;
  }
  const good = { 'token-id': 'abcdef', 'token-secret': '0123456789abcdef', 'usage-bootstrap-authentication': 'true' };
  const authenticate = (s: KubeObject | undefined, token = 'abcdef.0123456789abcdef') => {
    const asked: string[] = [];
    const a = new BootstrapTokenAuthenticator(async (name) => {
      asked.push(name);
      return s;
    });
    return { result: a.authenticateToken(token), asked };
  };

  it('a matching Secret is system:bootstrap:<id> in system:bootstrappers and its extra groups', async () => {
    const { result, asked } = authenticate(secret({ ...good, 'auth-extra-groups': 'system:bootstrappers:worker,system:bootstrappers:a' }));
    expect(await result).toEqual({
      name: 'system:bootstrap:abcdef',
      groups: ['system:bootstrappers', 'system:bootstrappers:a', 'system:bootstrappers:worker', 'system:authenticated'],
    });
    expect(asked).toEqual(['bootstrap-token-abcdef']);
  });

  it('tokens of another shape are not looked up', () => {
    for (const t of ['abcdef.0123456789abcde', 'ABCDEF.0123456789abcdef', 'abcdef0123456789abcdef', 'a.b']) {
      const { result, asked } = authenticate(secret(good), t);
      expect(result).toBeUndefined();
      expect(asked).toEqual([]);
    }
  });

  it.each([
    ['no Secret', undefined],
    ['a wrong secret', secret({ ...good, 'token-secret': 'ffffffffffffffff' })],
    ['a wrong id', secret({ ...good, 'token-id': 'zzzzzz' })],
    ['another type', secret(good, { type: 'Opaque' } as Partial<KubeObject>)],
    ['not for authentication', secret({ ...good, 'usage-bootstrap-authentication': 'false' })],
    ['expired', secret({ ...good, expiration: '2020-01-01T00:00:00Z' })],
    ['an unparsable expiration', secret({ ...good, expiration: 'tomorrow' })],
    ['an extra group outside system:bootstrappers:', secret({ ...good, 'auth-extra-groups': 'system:masters' })],
    ['being deleted', secret(good, { metadata: { name: 'bootstrap-token-abcdef', namespace: 'kube-system', deletionTimestamp: '2020-01-01T00:00:00Z' } })],
  ])('%s: refused', async (_why, s) => {
    expect(await authenticate(s).result).toBeUndefined();
  });

  it('expiration and groups as bootstrapsecretutil reads them', () => {
    const now = Date.parse('2030-01-01T00:00:00Z');
    expect(hasExpired(secret({ expiration: '2030-01-01T00:00:01Z' }), now)).toBe(false);
    expect(hasExpired(secret({ expiration: '2030-01-01T00:00:00Z' }), now)).toBe(true);
    expect(hasExpired(secret({}), now)).toBe(false);
    expect(groupsOf(secret({}))).toEqual(['system:bootstrappers']);
    expect(groupsOf(secret({ 'auth-extra-groups': 'system:bootstrappers:x,system:bootstrappers:x' }))).toEqual([
      'system:bootstrappers',
      'system:bootstrappers:x',
    ]);
    expect(groupsOf(secret({ 'auth-extra-groups': 'system:bootstrappers:' }))).toBeUndefined();
  });
});

describe('the union of authenticators', () => {
  const tokens = new TokenFileAuthenticator(parseTokenFile('good,viewer-a,u1,team-a\n'));
  const failing = { authenticateToken: () => Promise.reject(new Error('etcd unreachable')) };
  const certUser = { name: 'cert-user', groups: ['system:authenticated'] };
  const x509 = (r: { user: typeof certUser } | { error: string } | undefined) => ({ authenticate: () => r }) as never;

  it('no credentials: anonymous, or 401 without --anonymous-auth', () => {
    const req = fakeRequest([]);
    expect(new RequestAuthenticator({ tokens: [tokens], anonymous: true }).authenticate(req)).toEqual({
      user: { name: 'system:anonymous', groups: ['system:unauthenticated'] },
    });
    expect(new RequestAuthenticator({ tokens: [tokens], anonymous: false }).authenticate(req)).toHaveProperty('error');
  });

  it('a known token is its user, synchronously; an unknown one is refused, never anonymous', () => {
    const a = new RequestAuthenticator({ tokens: [tokens], anonymous: true });
    expect(a.authenticate(fakeRequest([['Authorization', 'Bearer good']]))).toEqual({
      user: { name: 'viewer-a', uid: 'u1', groups: ['team-a', 'system:authenticated'] },
    });
    expect(a.authenticate(fakeRequest([['Authorization', 'Bearer bad']]))).toEqual({ error: 'invalid bearer token' });
    // Not a bearer token: as if there were no credentials.
    expect(a.authenticate(fakeRequest([['Authorization', 'Basic eDp5']]))).toEqual({ user: { name: 'system:anonymous', groups: ['system:unauthenticated'] } });
  });

  it('without any token authenticator a bearer token is not looked at, as upstream', () => {
    const a = new RequestAuthenticator({ tokens: [], anonymous: true });
    expect(a.authenticate(fakeRequest([['Authorization', 'Bearer anything']]))).toEqual({
      user: { name: 'system:anonymous', groups: ['system:unauthenticated'] },
    });
    expect(new RequestAuthenticator({ tokens: [], anonymous: false }).authenticate(fakeRequest([['Authorization', 'Bearer anything']]))).toHaveProperty(
      'error',
    );
  });

  it('a certificate is asked first; a bad one is refused unless a token names the user', async () => {
    const ok = new RequestAuthenticator({ x509: x509({ user: certUser }), tokens: [tokens], anonymous: true });
    expect(ok.authenticate(fakeRequest([['Authorization', 'Bearer bad']]))).toEqual({ user: certUser });
    const bad = new RequestAuthenticator({ x509: x509({ error: 'x509: certificate signed by unknown authority' }), tokens: [tokens], anonymous: true });
    expect(bad.authenticate(fakeRequest([]))).toEqual({ error: 'x509: certificate signed by unknown authority' });
    expect(bad.authenticate(fakeRequest([['Authorization', 'Bearer good']]))).toHaveProperty('user.name', 'viewer-a');
    expect(bad.authenticate(fakeRequest([['Authorization', 'Bearer bad']]))).toEqual({
      error: '[x509: certificate signed by unknown authority, invalid bearer token]',
    });
  });

  it('an authenticator that fails is a refusal with its error; the others are still asked', async () => {
    const a = new RequestAuthenticator({ tokens: [failing, tokens], anonymous: true });
    expect(await a.authenticate(fakeRequest([['Authorization', 'Bearer good']]))).toHaveProperty('user.name', 'viewer-a');
    expect(await a.authenticate(fakeRequest([['Authorization', 'Bearer bad']]))).toEqual({ error: 'etcd unreachable' });
  });
});

describe('impersonation', () => {
  const admin = { name: 'admin', groups: ['system:masters', 'system:authenticated'] };
  const asked: Attributes[] = [];
  const allowAll: Authorizer = {
    authorize: (a) => {
      asked.push(a);
      return { decision: 'Allow', reason: '' };
    },
  };

  it('groups, extras or a uid without a user are refused', () => {
    expect(() => impersonationRequests(fakeRequest([['Impersonate-Group', 'g']]))).toThrow(ImpersonationError);
    expect(() => impersonationRequests(fakeRequest([['Impersonate-Uid', 'u']]))).toThrow(
      'requested [{UID  u  authentication.k8s.io/v1  }] without impersonating a user',
    );
    expect(() => impersonationRequests(fakeRequest([['Impersonate-Extra-Scopes', 'x']]))).toThrow(
      'requested [{UserExtra  x  authentication.k8s.io/v1  scopes}] without impersonating a user',
    );
  });

  it('each thing impersonated is authorised; the user gets system:authenticated unless a group says otherwise', async () => {
    asked.length = 0;
    const req = fakeRequest([
      ['Impersonate-User', 'viewer-a'],
      ['Impersonate-Group', 'team-a'],
      ['Impersonate-Group', 'team-b'],
      ['Impersonate-Uid', 'uid-7'],
      ['Impersonate-Extra-Acme.com%2Fproject', 'p1'],
      ['Impersonate-Extra-acme.com%2Fproject', 'p2'],
    ]);
    const user = await impersonate(req, admin, allowAll);
    expect(user).toEqual({
      name: 'viewer-a',
      uid: 'uid-7',
      groups: ['team-a', 'team-b', 'system:authenticated'],
      extra: new Map([['acme.com/project', ['p1', 'p2']]]),
    });
    expect(asked.map((a) => [a.verb, a.apiGroup, a.resource, a.subresource, a.name])).toEqual([
      ['impersonate', '', 'users', '', 'viewer-a'],
      ['impersonate', '', 'groups', '', 'team-a'],
      ['impersonate', '', 'groups', '', 'team-b'],
      ['impersonate', 'authentication.k8s.io', 'userextras', 'acme.com/project', 'p1'],
      ['impersonate', 'authentication.k8s.io', 'userextras', 'acme.com/project', 'p2'],
      ['impersonate', 'authentication.k8s.io', 'uids', '', 'uid-7'],
    ]);
    expect(asked.every((a) => a.user === admin)).toBe(true);
    expect(req.headers['impersonate-user']).toBeUndefined();
  });

  it('a service account gets its groups; anonymous gets system:unauthenticated', async () => {
    expect(await impersonate(fakeRequest([['Impersonate-User', 'system:serviceaccount:kube-system:default']]), admin, allowAll)).toEqual({
      name: 'system:serviceaccount:kube-system:default',
      groups: ['system:serviceaccounts', 'system:serviceaccounts:kube-system', 'system:authenticated'],
    });
    expect(asked[asked.length - 1]).toMatchObject({ resource: 'serviceaccounts', namespace: 'kube-system', name: 'default' });
    expect(await impersonate(fakeRequest([['Impersonate-User', 'system:anonymous']]), admin, allowAll)).toEqual({
      name: 'system:anonymous',
      groups: ['system:unauthenticated'],
    });
    expect(
      await impersonate(
        fakeRequest([
          ['Impersonate-User', 'x'],
          ['Impersonate-Group', 'system:unauthenticated'],
        ]),
        admin,
        allowAll,
      ),
    ).toEqual({
      name: 'x',
      groups: ['system:unauthenticated'],
    });
    expect(splitUsername('system:serviceaccount:Bad:x')).toBeUndefined();
    expect(splitUsername('system:serviceaccount:a:b:c')).toBeUndefined();
  });

  it('the first refusal is a 403 naming it', async () => {
    const denyGroups: Authorizer = { authorize: (a) => ({ decision: a.resource === 'groups' ? 'NoOpinion' : 'Allow', reason: '' }) };
    const r = (await impersonate(
      fakeRequest([
        ['Impersonate-User', 'viewer-a'],
        ['Impersonate-Group', 'system:masters'],
      ]),
      admin,
      denyGroups,
    )) as StatusError;
    expect(r.code).toBe(403);
    expect(r.message).toBe('groups "system:masters" is forbidden: User "admin" cannot impersonate resource "groups" in API group "" at the cluster scope');
  });
});
