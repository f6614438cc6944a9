// Detached JWS signatures as cluster-bootstrap makes them (upstream's test vectors,
// and `jose` verifying them), and the bootstrap signer's and token cleaner's
// decisions: which tokens sign, what cluster-info's data becomes, when a token expires.
import { describe, expect, it } from '@jest/globals';
import { flattenedVerify } from 'jose';
import type { Secret } from '../../api/core/v1/types.js';
import { signedData, tokenForSigning } from '../../pkg/controller/bootstrap/bootstrapsigner.js';
import { getExpiration, parseSecretName } from '../../pkg/util/bootstraptoken.js';
import { computeDetachedSignature, detachedTokenIsValid } from '../../pkg/util/jws.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');

function tokenSecret(id: string, data: Record<string, string>, type = 'bootstrap.kubernetes.io/token'): Secret {
  const encoded: Record<string, string> = {};
  for (const [k, v] of Object.entries(data)) encoded[k] = b64(v);
  return { apiVersion: 'v1', kind: 'Secret', metadata: { name: `bootstrap-token-${id}`, namespace: 'kube-system' }, type, data: encoded };
}

describe('detached JWS (k8s.io/cluster-bootstrap/token/jws)', () => {
  // jws_test.go's vectors.
  const content = 'Hello from the other side. I must have called a thousand times.';
  it('matches upstream test vectors', () => {
    expect(computeDetachedSignature(content, 'joshua', 'my voice is my passcode')).toBe(
      'eyJhbGciOiJIUzI1NiIsImtpZCI6Impvc2h1YSJ9..VShe2taLd-YTrmWuRkcL_8QTNDHYxQIEBsAYYiIj1_8',
    );
    expect(computeDetachedSignature('', 'joshua', 'my voice is my passcode')).toBe(
      'eyJhbGciOiJIUzI1NiIsImtpZCI6Impvc2h1YSJ9..7Ui1ALizW4jXphVUB7xUqC9vLYLL9RZeOFfVLoB7Tgk',
    );
    expect(computeDetachedSignature(content, 'joshua', '')).toBe('eyJhbGciOiJIUzI1NiIsImtpZCI6Impvc2h1YSJ9..UfkqvDGiIFxrMnFseDj9LYJOLNrvjW8aHhF71mvvAs8');
  });

  it('verifies with jose as a JWS with the payload put back, HS256 under the token secret, kid the token id', async () => {
    const kubeconfig = 'apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n    server: https://127.0.0.1:6443\n';
    const [header, payload, signature] = computeDetachedSignature(kubeconfig, 'abcdef', '0123456789abcdef').split('.');
    expect(payload).toBe('');
    const key = new TextEncoder().encode('0123456789abcdef');
    const ok = await flattenedVerify({ protected: header, payload: Buffer.from(kubeconfig).toString('base64url'), signature }, key, { algorithms: ['HS256'] });
    expect(new TextDecoder().decode(ok.payload)).toBe(kubeconfig);
    expect(ok.protectedHeader).toEqual({ alg: 'HS256', kid: 'abcdef' });
    await expect(
      flattenedVerify({ protected: header, payload: Buffer.from(`${kubeconfig}#`).toString('base64url'), signature }, key, { algorithms: ['HS256'] }),
    ).rejects.toThrow();
  });

  it('DetachedTokenIsValid', () => {
    const sig = computeDetachedSignature(content, 'joshua', 'my voice is my passcode');
    expect(detachedTokenIsValid(sig, content, 'joshua', 'my voice is my passcode')).toBe(true);
    expect(detachedTokenIsValid(`${sig}foo`, content, 'joshua', 'my voice is my passcode')).toBe(false);
    expect(detachedTokenIsValid(sig, content, 'joshua', 'another')).toBe(false);
  });
});

describe('bootstrap tokens that sign', () => {
  const now = Date.parse('2030-01-01T00:00:00Z');
  const good = { 'token-id': 'abcdef', 'token-secret': '0123456789abcdef', 'usage-bootstrap-signing': 'true' };

  it('a valid token with usage-bootstrap-signing signs', () => {
    expect(tokenForSigning(tokenSecret('abcdef', good), now)).toEqual({ id: 'abcdef', secret: '0123456789abcdef' });
    expect(tokenForSigning(tokenSecret('abcdef', { ...good, expiration: '2030-01-01T00:00:01Z' }), now)).toBeDefined();
  });

  it('not: another type, a name or id that do not match, no secret, expired, not for signing', () => {
    expect(tokenForSigning(tokenSecret('abcdef', good, 'Opaque'), now)).toBeUndefined();
    expect(tokenForSigning(tokenSecret('abcdeg', good), now)).toBeUndefined();
    expect(tokenForSigning(tokenSecret('ABCDEF', { ...good, 'token-id': 'ABCDEF' }), now)).toBeUndefined();
    expect(tokenForSigning(tokenSecret('abcdef', { ...good, 'token-secret': '' }), now)).toBeUndefined();
    expect(tokenForSigning(tokenSecret('abcdef', { ...good, expiration: '2030-01-01T00:00:00Z' }), now)).toBeUndefined();
    expect(tokenForSigning(tokenSecret('abcdef', { ...good, expiration: 'tomorrow' }), now)).toBeUndefined();
    expect(tokenForSigning(tokenSecret('abcdef', { ...good, 'usage-bootstrap-signing': 'false' }), now)).toBeUndefined();
  });

  it('secret names and expirations as cluster-bootstrap reads them', () => {
    expect(parseSecretName('bootstrap-token-abc123')).toBe('abc123');
    expect(parseSecretName('bootstrap-token-abc12')).toBeUndefined();
    expect(parseSecretName('other-abc123')).toBeUndefined();
    expect(getExpiration(tokenSecret('abcdef', {}), now)).toEqual({ remainingMs: 0, expired: false });
    expect(getExpiration(tokenSecret('abcdef', { expiration: '2030-01-01T00:01:00Z' }), now)).toEqual({ remainingMs: 60_000, expired: false });
    expect(getExpiration(tokenSecret('abcdef', { expiration: '2029-12-31T23:00:00Z' }), now)).toEqual({ remainingMs: 0, expired: true });
    expect(getExpiration(tokenSecret('abcdef', { expiration: 'soon' }), now)).toEqual({ remainingMs: 0, expired: true });
  });
});

describe("cluster-info's data", () => {
  const kubeconfig = 'apiVersion: v1\nkind: Config\n';
  const tokens = new Map([
    ['abcdef', '0123456789abcdef'],
    ['ghijkl', 'fedcba9876543210'],
  ]);

  it('gets one signature per token, keeps its other keys, and is left alone once signed', () => {
    const data = signedData({ kubeconfig, other: 'x' }, tokens);
    expect(data).toEqual({
      kubeconfig,
      other: 'x',
      'jws-kubeconfig-abcdef': computeDetachedSignature(kubeconfig, 'abcdef', '0123456789abcdef'),
      'jws-kubeconfig-ghijkl': computeDetachedSignature(kubeconfig, 'ghijkl', 'fedcba9876543210'),
    });
    expect(signedData(data, tokens)).toBeUndefined();
  });

  it('drops the signatures of tokens that are gone and fixes wrong ones; nothing to sign without a kubeconfig', () => {
    const signed = signedData({ kubeconfig }, tokens) as Record<string, string>;
    const one = new Map([['abcdef', '0123456789abcdef']]);
    expect(Object.keys(signedData(signed, one) ?? {})).toEqual(['kubeconfig', 'jws-kubeconfig-abcdef']);
    const tampered = { ...signed, 'jws-kubeconfig-abcdef': 'forged..sig' };
    expect(signedData(tampered, tokens)?.['jws-kubeconfig-abcdef']).toBe(signed['jws-kubeconfig-abcdef']);
    expect(signedData({ other: 'x' }, tokens)).toBeUndefined();
    expect(signedData({ kubeconfig }, new Map())).toBeUndefined();
  });

  it('keys a client chose stay data, never a prototype', () => {
    const data = JSON.parse(`{"kubeconfig":"k","__proto__":{"polluted":"yes"}}`) as Record<string, string>;
    const out = signedData(data, tokens) as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.prototype.hasOwnProperty.call(out, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
