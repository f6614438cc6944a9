// The keys service-account tokens are signed and verified with, read as
// kube-apiserver reads --service-account-signing-key-file (one RSA or ECDSA
// private key) and --service-account-key-file (PEM files of public keys,
// private keys or certificates, several a file). A key's id is upstream's
// keyIDFromPublicKey: the unpadded base64url SHA-256 of its PKIX (SPKI) DER.
import { X509Certificate, createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { JWK } from 'jose';

export type SigningAlgorithm = 'RS256' | 'ES256' | 'ES384' | 'ES512';

export interface PublicKey {
  key: KeyObject;
  kid: string;
  alg: SigningAlgorithm;
}

export interface SigningKey extends PublicKey {
  privateKey: KeyObject;
}

const CURVE_ALGORITHMS: Record<string, SigningAlgorithm> = { prime256v1: 'ES256', secp384r1: 'ES384', secp521r1: 'ES512' };

/** The JWS algorithm upstream signs with for a key: RS256 for RSA, ES256/384/512 by the curve; an error for others. */
export function algorithmOf(key: KeyObject): SigningAlgorithm {
  if (key.asymmetricKeyType === 'rsa') return 'RS256';
  if (key.asymmetricKeyType === 'ec') {
    const alg = CURVE_ALGORITHMS[key.asymmetricKeyDetails?.namedCurve ?? ''];
    if (alg) return alg;
  }
  throw new Error(`unsupported key type ${key.asymmetricKeyType ?? 'unknown'}: want an RSA or an ECDSA (P-256, P-384, P-521) key`);
}

export function keyID(publicKey: KeyObject): string {
  return createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('base64url');
}

function publicKeyOf(key: KeyObject): PublicKey {
  return { key, kid: keyID(key), alg: algorithmOf(key) };
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;

/** The public keys of every PEM block of a file: public keys, private keys (their public half) and certificates. */
export function parsePublicKeys(pem: string, source = 'key file'): PublicKey[] {
  const keys: PublicKey[] = [];
  for (const m of pem.matchAll(PEM_BLOCK)) {
    const block = m[0];
    const type = m[1];
    if (type === 'CERTIFICATE') keys.push(publicKeyOf(new X509Certificate(block).publicKey));
    else if (type.endsWith('PRIVATE KEY')) keys.push(publicKeyOf(createPublicKey(createPrivateKey(block))));
    else if (type.endsWith('PUBLIC KEY')) keys.push(publicKeyOf(createPublicKey(block)));
  }
  if (keys.length === 0) throw new Error(`${source}: no public keys found (want PEM public keys, private keys or certificates)`);
  return keys;
}

export function readPublicKeys(path: string): PublicKey[] {
  return parsePublicKeys(readFileSync(path, 'utf8'), path);
}

/** The one private key of a PEM file (--service-account-signing-key-file, --service-account-private-key-file). */
export function parseSigningKey(pem: string, source = 'key file'): SigningKey {
  const m = /-----BEGIN ([A-Z ]*PRIVATE KEY)-----[\s\S]*?-----END \1-----/.exec(pem);
  if (!m) throw new Error(`${source}: no private key found (want a PEM RSA or ECDSA private key)`);
  const privateKey = createPrivateKey(m[0]);
  return { privateKey, ...publicKeyOf(createPublicKey(privateKey)) };
}

export function readSigningKey(path: string): SigningKey {
  return parseSigningKey(readFileSync(path, 'utf8'), path);
}

/**
 * The signing key `timonel up` makes at the first start (as kubeadm's sa.key and sa.pub):
 * a 2048-bit RSA key in PKCS #1 PEM and its public half in PKIX PEM. Kept when present.
 */
export function ensureSigningKeyPair(keyPath: string, pubPath: string): void {
  if (!existsSync(keyPath)) {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    writeFileSync(keyPath, privateKey.export({ type: 'pkcs1', format: 'pem' }), { mode: 0o600 });
  }
  if (!existsSync(pubPath)) {
    const pub = createPublicKey(createPrivateKey(readFileSync(keyPath, 'utf8')));
    writeFileSync(pubPath, pub.export({ type: 'spki', format: 'pem' }), { mode: 0o644 });
  }
}

/** A key as the JWKS document publishes it: use sig, kid and alg beside the key's own members. */
export function publicJWK(k: PublicKey): JWK {
  const jwk = k.key.export({ format: 'jwk' }) as JWK;
  return { use: 'sig', kty: jwk.kty, kid: k.kid, alg: k.alg, ...jwk };
}
