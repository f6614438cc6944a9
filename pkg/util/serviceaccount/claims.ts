// The claims of service-account tokens, as upstream's pkg/serviceaccount:
// bound tokens (TokenRequest) carry iss, sub, aud, exp, iat, nbf, jti and the
// private `kubernetes.io` claim naming the namespace, the service account and
// what the token is bound to; legacy tokens (the Secrets of type
// kubernetes.io/service-account-token) carry the `kubernetes/serviceaccount`
// issuer and flat `kubernetes.io/serviceaccount/...` claims, and no expiry.
import { randomUUID } from 'node:crypto';
import type { JWTPayload } from 'jose';
import { makeUsername } from './username.js';

/** The issuer of legacy Secret-based tokens. */
export const LEGACY_ISSUER = 'kubernetes/serviceaccount';
/** The expiry of the token the ServiceAccount admission plugin projects (an hour and 7 s, so it can be told apart). */
export const WARN_ONLY_BOUND_TOKEN_EXPIRATION_SECONDS = 60 * 60 + 7;
/** The lifetime of a pod-bound token asked for WARN_ONLY_BOUND_TOKEN_EXPIRATION_SECONDS when expiry is extended: a year. */
export const EXPIRATION_EXTENSION_SECONDS = 24 * 365 * 60 * 60;
/** TokenRequest's shortest lifetime: ten minutes. */
export const MIN_TOKEN_EXPIRATION_SECONDS = 600;
/** TokenRequest's longest lifetime: 2^32 seconds. */
export const MAX_TOKEN_EXPIRATION_SECONDS = 2 ** 32;
/** The lifetime of a TokenRequest that names none. */
export const DEFAULT_TOKEN_EXPIRATION_SECONDS = 3600;

export interface ObjectRef {
  name: string;
  uid: string;
}

export interface ServiceAccountRef extends ObjectRef {
  namespace: string;
}

/** The `kubernetes.io` private claim of a bound token. */
export interface PrivateClaims {
  namespace: string;
  serviceaccount: ObjectRef;
  pod?: ObjectRef;
  secret?: ObjectRef;
  node?: ObjectRef;
  warnafter?: number;
}

export interface BoundTokenRequest {
  serviceAccount: ServiceAccountRef;
  audiences: string[];
  expirationSeconds: number;
  pod?: ObjectRef;
  secret?: ObjectRef;
  /** The node the bound pod runs on (its uid may be unknown: ''). */
  node?: ObjectRef;
  /** When set, the private claim's warnafter: this many seconds from now. */
  warnAfterSeconds?: number;
  /** Milliseconds since the epoch; now by default. */
  now?: number;
}

/** Claims(): every claim of a bound token but iss, which the signer adds. */
export function boundClaims(r: BoundTokenRequest): JWTPayload {
  const now = Math.floor((r.now ?? Date.now()) / 1000);
  const k8s: PrivateClaims = { namespace: r.serviceAccount.namespace, serviceaccount: { name: r.serviceAccount.name, uid: r.serviceAccount.uid } };
  if (r.pod) k8s.pod = { name: r.pod.name, uid: r.pod.uid };
  else if (r.secret) k8s.secret = { name: r.secret.name, uid: r.secret.uid };
  if (r.node) k8s.node = r.node.uid ? { name: r.node.name, uid: r.node.uid } : { name: r.node.name, uid: '' };
  if (r.warnAfterSeconds) k8s.warnafter = now + r.warnAfterSeconds;
  return {
    sub: makeUsername(r.serviceAccount.namespace, r.serviceAccount.name),
    aud: r.audiences,
    exp: now + r.expirationSeconds,
    iat: now,
    nbf: now,
    jti: randomUUID(),
    'kubernetes.io': k8s,
  };
}

export const LEGACY_NAMESPACE_CLAIM = 'kubernetes.io/serviceaccount/namespace';
export const LEGACY_SECRET_NAME_CLAIM = 'kubernetes.io/serviceaccount/secret.name';
export const LEGACY_SA_NAME_CLAIM = 'kubernetes.io/serviceaccount/service-account.name';
export const LEGACY_SA_UID_CLAIM = 'kubernetes.io/serviceaccount/service-account.uid';

/** LegacyClaims(): the claims of a Secret's token, but iss. */
export function legacyClaims(sa: ServiceAccountRef, secretName: string): JWTPayload {
  return {
    sub: makeUsername(sa.namespace, sa.name),
    [LEGACY_NAMESPACE_CLAIM]: sa.namespace,
    [LEGACY_SECRET_NAME_CLAIM]: secretName,
    [LEGACY_SA_NAME_CLAIM]: sa.name,
    [LEGACY_SA_UID_CLAIM]: sa.uid,
  };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function refOf(v: unknown): ObjectRef | undefined {
  if (!isRecord(v)) return undefined;
  const name = typeof v.name === 'string' ? v.name : '';
  const uid = typeof v.uid === 'string' ? v.uid : '';
  return { name, uid };
}

/** The private claim of a verified token, or why it is not one a bound token carries. */
export function privateClaimsOf(payload: JWTPayload): PrivateClaims | string {
  const k = payload['kubernetes.io'];
  if (!isRecord(k)) return 'token has no kubernetes.io claim';
  const sa = refOf(k.serviceaccount);
  if (typeof k.namespace !== 'string' || k.namespace === '' || !sa || sa.name === '') return 'token does not name a service account';
  const out: PrivateClaims = { namespace: k.namespace, serviceaccount: sa };
  for (const key of ['pod', 'secret', 'node'] as const) {
    if (k[key] === undefined || k[key] === null) continue;
    const ref = refOf(k[key]);
    if (!ref || ref.name === '') return `token has an invalid ${key} reference`;
    out[key] = ref;
  }
  if (typeof k.warnafter === 'number') out.warnafter = k.warnafter;
  return out;
}
