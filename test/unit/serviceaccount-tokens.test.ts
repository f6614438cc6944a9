// Service-account tokens without a server: keys (ids, algorithms, PEM shapes),
// the claims of bound and legacy tokens, the JWT authenticator over fake getters
// (signature, expiry with upstream's minute of leeway, audiences, bound objects),
// TokenRequest validation, and the ServiceAccount admission's mount logic.
import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { createHash, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import type { KubeObject } from '../../api/meta/v1/types.js';
import type { Pod, ServiceAccount } from '../../api/core/v1/types.js';
import { StatusError } from '../../api/meta/v1/status.js';
import { boundClaims, legacyClaims, LEGACY_ISSUER, privateClaimsOf } from '../../pkg/util/serviceaccount/claims.js';
import {
  JWTTokenAuthenticator,
  boundTokenValidator,
  legacyAuthenticator,
  userInfoOf,
  type ServiceAccountTokenGetter,
} from '../../pkg/auth/serviceaccount/jwt.js';
import { ensureSigningKeyPair, keyID, parsePublicKeys, parseSigningKey, publicJWK, readSigningKey } from '../../pkg/util/serviceaccount/keys.js';
import { TokenGenerator } from '../../pkg/util/serviceaccount/generator.js';
import { tokenRequestSpec } from '../../pkg/registry/core/serviceaccount/token.js';
import { ServiceAccountAdmission, mountServiceAccountToken, shouldAutomount } from '../../pkg/registry/core/serviceaccount/admission.js';

const ISSUER = 'https://kubernetes.default.svc.cluster.local';

function rsaKey() {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return parseSigningKey(privateKey.export({ type: 'pkcs1', format: 'pem' }) as string);
}
const KEY = rsaKey();

function obj(name: string, uid: string, extra: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'X', metadata: { name, namespace: 'ns', uid }, ...extra } as KubeObject;
}

function getter(objects: { sa?: KubeObject; pod?: KubeObject; secret?: KubeObject }): ServiceAccountTokenGetter {
  return {
    getServiceAccount: async (_ns, name) => (objects.sa?.metadata.name === name ? objects.sa : undefined),
    getPod: async (_ns, name) => (objects.pod?.metadata.name === name ? objects.pod : undefined),
    getSecret: async (_ns, name) => (objects.secret?.metadata.name === name ? objects.secret : undefined),
  };
}

function authenticator(g: ServiceAccountTokenGetter, keys = [KEY]): JWTTokenAuthenticator {
  return new JWTTokenAuthenticator({ issuers: [ISSUER], keys, implicitAudiences: [ISSUER], validator: boundTokenValidator(g) });
}

const SA = { namespace: 'ns', name: 'robot', uid: 'sa-uid' };

describe('service-account keys', () => {
  it('key ids are the base64url SHA-256 of the SPKI DER; RSA signs RS256, P-256 ES256, P-384 ES384', () => {
    const der = KEY.key.export({ type: 'spki', format: 'der' });
    assert.equal(KEY.kid, createHash('sha256').update(der).digest('base64url'));
    assert.equal(KEY.alg, 'RS256');
    for (const [curve, alg] of [
      ['prime256v1', 'ES256'],
      ['secp384r1', 'ES384'],
    ] as const) {
      const { privateKey } = generateKeyPairSync('ec', { namedCurve: curve });
      assert.equal(parseSigningKey(privateKey.export({ type: 'sec1', format: 'pem' }) as string).alg, alg);
    }
    const { privateKey: ed } = generateKeyPairSync('ed25519');
    assert.throws(() => parseSigningKey(ed.export({ type: 'pkcs8', format: 'pem' }) as string), /unsupported key type/);
  });

  it('a key file may hold several public keys (SPKI, PKCS #1) and private keys; the same key has the same id in each', () => {
    const pub = createPublicKey(KEY.privateKey).export({ type: 'spki', format: 'pem' }) as string;
    const priv = KEY.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    const other = rsaKey();
    const otherPub = createPublicKey(other.privateKey).export({ type: 'pkcs1', format: 'pem' }) as string;
    const keys = parsePublicKeys(`${pub}\n${priv}\n${otherPub}`);
    assert.deepEqual(
      keys.map((k) => k.kid),
      [KEY.kid, KEY.kid, other.kid],
    );
    assert.throws(() => parsePublicKeys('not a key'), /no public keys found/);
    assert.throws(() => parseSigningKey(pub), /no private key found/);
  });

  it('ensureSigningKeyPair makes an RSA key once and keeps it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sa-keys-'));
    try {
      ensureSigningKeyPair(join(dir, 'sa.key'), join(dir, 'sa.pub'));
      const first = readFileSync(join(dir, 'sa.key'), 'utf8');
      ensureSigningKeyPair(join(dir, 'sa.key'), join(dir, 'sa.pub'));
      assert.equal(readFileSync(join(dir, 'sa.key'), 'utf8'), first);
      assert.equal(readSigningKey(join(dir, 'sa.key')).kid, keyID(createPublicKey(readFileSync(join(dir, 'sa.pub'), 'utf8'))));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the published JWK has use, kid and alg and no private members', () => {
    const jwk = publicJWK(KEY);
    assert.equal(jwk.use, 'sig');
    assert.equal(jwk.kid, KEY.kid);
    assert.equal(jwk.alg, 'RS256');
    assert.equal(jwk.kty, 'RSA');
    assert.equal(jwk.d, undefined);
  });
});

describe('service-account claims', () => {
  it('bound claims as upstream: sub, aud, exp, iat = nbf, jti, and kubernetes.io', () => {
    const now = Date.UTC(2030, 0, 1);
    const c = boundClaims({
      serviceAccount: SA,
      audiences: ['a', 'b'],
      expirationSeconds: 3600,
      pod: { name: 'p', uid: 'pod-uid' },
      node: { name: 'n', uid: 'node-uid' },
      now,
    });
    assert.equal(c.sub, 'system:serviceaccount:ns:robot');
    assert.deepEqual(c.aud, ['a', 'b']);
    assert.equal(c.iat, now / 1000);
    assert.equal(c.nbf, now / 1000);
    assert.equal(c.exp, now / 1000 + 3600);
    assert.equal(typeof c.jti, 'string');
    assert.deepEqual(c['kubernetes.io'], {
      namespace: 'ns',
      serviceaccount: { name: 'robot', uid: 'sa-uid' },
      pod: { name: 'p', uid: 'pod-uid' },
      node: { name: 'n', uid: 'node-uid' },
    });
    assert.notEqual(boundClaims({ serviceAccount: SA, audiences: [], expirationSeconds: 600 }).jti, c.jti);
  });

  it('legacy claims carry the flat kubernetes.io/serviceaccount claims and no expiry', () => {
    assert.deepEqual(legacyClaims(SA, 'robot-token'), {
      sub: 'system:serviceaccount:ns:robot',
      'kubernetes.io/serviceaccount/namespace': 'ns',
      'kubernetes.io/serviceaccount/secret.name': 'robot-token',
      'kubernetes.io/serviceaccount/service-account.name': 'robot',
      'kubernetes.io/serviceaccount/service-account.uid': 'sa-uid',
    });
  });

  it('hostile private claims are refused, not trusted', () => {
    for (const k of [
      undefined,
      'x',
      [],
      { namespace: 'ns' },
      { namespace: 1, serviceaccount: { name: 'a' } },
      { namespace: 'ns', serviceaccount: { name: 'a' }, pod: 'p' },
    ]) {
      assert.equal(typeof privateClaimsOf({ 'kubernetes.io': k }), 'string', JSON.stringify(k));
    }
  });

  it('user info: the service account user, its groups, and the extra keys of a bound token', () => {
    const user = userInfoOf({ namespace: 'ns', name: 'robot', uid: 'u', podName: 'p', podUID: 'pu', nodeName: 'n', credentialID: 'JTI=j' });
    assert.equal(user.name, 'system:serviceaccount:ns:robot');
    assert.equal(user.uid, 'u');
    assert.deepEqual(user.groups, ['system:serviceaccounts', 'system:serviceaccounts:ns', 'system:authenticated']);
    assert.deepEqual(Object.fromEntries(user.extra ?? []), {
      'authentication.kubernetes.io/pod-name': ['p'],
      'authentication.kubernetes.io/pod-uid': ['pu'],
      'authentication.kubernetes.io/node-name': ['n'],
      'authentication.kubernetes.io/credential-id': ['JTI=j'],
    });
  });
});

describe('the service-account JWT authenticator', () => {
  const generator = new TokenGenerator(ISSUER, KEY);
  const sa = obj('robot', 'sa-uid');
  const pod = obj('p', 'pod-uid');
  const sign = (
    over: Record<string, unknown> = {},
    more: Parameters<typeof boundClaims>[0] = { serviceAccount: SA, audiences: [ISSUER], expirationSeconds: 600 },
  ) => generator.generateToken({ ...boundClaims(more), ...over });

  it('signs with the key id in the header and verifies', async () => {
    const token = await sign();
    assert.deepEqual(decodeProtectedHeader(token), { alg: 'RS256', kid: KEY.kid });
    assert.equal(decodeJwt(token).iss, ISSUER);
    const user = await authenticator(getter({ sa })).authenticateToken(token);
    assert.equal(user?.name, 'system:serviceaccount:ns:robot');
  });

  it('leaves tokens of other issuers and non-JWTs to other authenticators', async () => {
    const a = authenticator(getter({ sa }));
    assert.equal(a.authenticateToken('abcdef.0123456789abcdef'), undefined);
    assert.equal(a.authenticateToken('a.b.c'), undefined);
    const other = await new TokenGenerator('https://elsewhere', KEY).generateToken(
      boundClaims({ serviceAccount: SA, audiences: [ISSUER], expirationSeconds: 600 }),
    );
    assert.equal(a.authenticateToken(other), undefined);
  });

  it('refuses: another key, expired beyond the leeway, not yet valid, another audience, a gone or recreated account', async () => {
    const a = authenticator(getter({ sa }));
    const now = Math.floor(Date.now() / 1000);
    await assert.rejects(async () => authenticator(getter({ sa }), [rsaKey()]).authenticateToken(await sign()), /signature/);
    await assert.rejects(async () => a.authenticateToken(await sign({ exp: now - 61 })), /has expired/);
    assert.ok(await a.authenticateToken(await sign({ exp: now - 30 })), 'within the leeway');
    await assert.rejects(async () => a.authenticateToken(await sign({ nbf: now + 120 })), /not valid yet/);
    await assert.rejects(async () => a.authenticateToken(await sign({ aud: ['vault'] })), /audiences/);
    await assert.rejects(async () => authenticator(getter({})).authenticateToken(await sign()), /not found/);
    await assert.rejects(async () => authenticator(getter({ sa: obj('robot', 'other') })).authenticateToken(await sign()), /does not match/);
  });

  it('a pod-bound token needs the pod with its uid; one being deleted counts for a minute', async () => {
    const token = await sign({}, { serviceAccount: SA, audiences: [ISSUER], expirationSeconds: 600, pod: { name: 'p', uid: 'pod-uid' } });
    const user = await authenticator(getter({ sa, pod })).authenticateToken(token);
    assert.deepEqual(user?.extra?.get('authentication.kubernetes.io/pod-uid'), ['pod-uid']);
    await assert.rejects(async () => authenticator(getter({ sa })).authenticateToken(token), /invalidated/);
    await assert.rejects(async () => authenticator(getter({ sa, pod: obj('p', 'new-uid') })).authenticateToken(token), /does not match/);
    const deleting = (secondsAgo: number) => ({
      ...pod,
      metadata: { ...pod.metadata, deletionTimestamp: new Date(Date.now() - secondsAgo * 1000).toISOString() },
    });
    assert.ok(await authenticator(getter({ sa, pod: deleting(10) })).authenticateToken(token));
    await assert.rejects(async () => authenticator(getter({ sa, pod: deleting(120) })).authenticateToken(token), /invalidated/);
  });

  it('legacy tokens: the Secret must hold this very token', async () => {
    const token = await new TokenGenerator(LEGACY_ISSUER, KEY).generateToken(legacyClaims(SA, 's'));
    const secret = (t: string) => obj('s', 'secret-uid', { data: { token: Buffer.from(t).toString('base64') } });
    const legacy = (s?: KubeObject) => legacyAuthenticator([KEY], [ISSUER], getter({ sa, secret: s }));
    assert.equal((await legacy(secret(token)).authenticateToken(token))?.name, 'system:serviceaccount:ns:robot');
    await assert.rejects(async () => legacy(secret('other')).authenticateToken(token), /server's copy/);
    await assert.rejects(async () => legacy(undefined).authenticateToken(token), /invalidated/);
  });
});

describe('TokenRequest validation', () => {
  const invalid = (body: unknown, code: number) => {
    try {
      tokenRequestSpec(body);
    } catch (err) {
      assert.ok(err instanceof StatusError);
      assert.equal(err.code, code, err.message);
      return err.message;
    }
    assert.fail(`accepted ${JSON.stringify(body)}`);
  };

  it('defaults expirationSeconds to 3600 and audiences to none', () => {
    assert.deepEqual(tokenRequestSpec({}), { audiences: [], expirationSeconds: 3600 });
  });

  it('refuses durations under ten minutes or over 2^32 seconds (422), and ill-typed fields (400)', () => {
    assert.match(invalid({ spec: { expirationSeconds: 599 } }, 422), /may not specify a duration less than 10 minutes/);
    assert.match(invalid({ spec: { expirationSeconds: 2 ** 32 + 1 } }, 422), /larger than 2\^32 seconds/);
    invalid({ spec: { expirationSeconds: 600.5 } }, 400);
    invalid({ spec: { audiences: [1] } }, 400);
    invalid({ spec: { boundObjectRef: { name: 5 } } }, 400);
    invalid(null, 400);
    invalid({ kind: 'Pod' }, 400);
  });
});

describe('ServiceAccount admission: mounts', () => {
  const pod = (spec: Partial<Pod['spec']>): Pod => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [], ...spec } }) as Pod;

  it('reuses an existing kube-api-access volume and mounts it where no mount is at the path', () => {
    const p = pod({
      containers: [{ name: 'a' }, { name: 'b', volumeMounts: [{ name: 'x', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' }] }],
      volumes: [{ name: 'kube-api-access-abcde', emptyDir: {} }],
    });
    mountServiceAccountToken(p, () => assert.fail('no new name needed'));
    assert.equal(p.spec.volumes?.length, 1);
    assert.deepEqual(p.spec.containers[0].volumeMounts, [
      { name: 'kube-api-access-abcde', readOnly: true, mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' },
    ]);
    assert.equal(p.spec.containers[1].volumeMounts?.length, 1);
  });

  it('adds no volume when every container has its own mount at the path', () => {
    const p = pod({ containers: [{ name: 'a', volumeMounts: [{ name: 'x', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' }] }] });
    mountServiceAccountToken(p, () => 'kube-api-access-zzzzz');
    assert.equal(p.spec.volumes, undefined);
  });

  it('automount: the pod decides, then the service account, else on', () => {
    const sa = (v?: boolean) => ({ metadata: { name: 'd' }, automountServiceAccountToken: v }) as ServiceAccount;
    assert.equal(shouldAutomount(sa(), pod({})), true);
    assert.equal(shouldAutomount(sa(false), pod({})), false);
    assert.equal(shouldAutomount(sa(false), pod({ automountServiceAccountToken: true })), true);
    assert.equal(shouldAutomount(sa(true), pod({ automountServiceAccountToken: false })), false);
  });
});

describe('ServiceAccount admission: looking up the account', () => {
  /** A store whose account appears at the nth look. */
  const appearsAt = (n: number) => {
    let looks = 0;
    return {
      looks: () => looks,
      store: {
        getCached: async () => undefined,
        getIfExists: async (_ctx: unknown, name: string) => (++looks >= n ? ({ metadata: { name, uid: 'u' } } as KubeObject) : undefined),
      },
    };
  };
  const newPod = (serviceAccountName?: string) =>
    ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns' }, spec: { serviceAccountName, containers: [{ name: 'a' }] } }) as KubeObject;
  const ctx = { namespace: 'ns', dryRun: false, fieldValidation: 'Strict' as const, warnings: [] };

  it('waits for `default`, which the controller makes just after the namespace', async () => {
    const s = appearsAt(4);
    await new ServiceAccountAdmission(s.store as never, 1).admitCreate(newPod(), ctx);
    assert.equal(s.looks(), 4);
    const never = appearsAt(100);
    await assert.rejects(new ServiceAccountAdmission(never.store as never, 1).admitCreate(newPod(), ctx), /error looking up service account ns\/default/);
    assert.equal(never.looks(), 10);
  });

  it('looks once for any other account', async () => {
    const s = appearsAt(2);
    await assert.rejects(new ServiceAccountAdmission(s.store as never, 1).admitCreate(newPod('robot'), ctx), /serviceaccount "robot" not found/);
    assert.equal(s.looks(), 1);
  });
});
