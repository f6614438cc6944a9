// Verifying service-account JWTs with `jose`, as upstream's pkg/serviceaccount/jwt.go
// (signing is pkg/util/serviceaccount/generator.ts): a token authenticator for a
// set of issuers and public keys that hands the
// verified claims to a validator (bound tokens: claims.go; legacy tokens:
// legacy.go), which checks that what the token names still exists.
import { decodeJwt, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import type { KubeObject } from '../../../api/meta/v1/types.js';
import type { UserInfo } from '../user.js';
import { ALL_AUTHENTICATED } from '../user.js';
import {
  LEGACY_ISSUER,
  LEGACY_NAMESPACE_CLAIM,
  LEGACY_SA_NAME_CLAIM,
  LEGACY_SA_UID_CLAIM,
  LEGACY_SECRET_NAME_CLAIM,
  privateClaimsOf,
} from '../../util/serviceaccount/claims.js';
import type { PublicKey } from '../../util/serviceaccount/keys.js';
import { makeGroupNames, makeUsername } from '../../util/serviceaccount/username.js';

/** Reads the objects a token names (from the apiserver's watch caches); undefined when absent. */
export interface ServiceAccountTokenGetter {
  getServiceAccount(namespace: string, name: string): Promise<KubeObject | undefined>;
  getPod(namespace: string, name: string): Promise<KubeObject | undefined>;
  getSecret(namespace: string, name: string): Promise<KubeObject | undefined>;
}

/** What a valid token says about its service account (upstream's ServiceAccountInfo). */
export interface ServiceAccountInfo {
  namespace: string;
  name: string;
  uid: string;
  podName?: string;
  podUID?: string;
  nodeName?: string;
  nodeUID?: string;
  credentialID?: string;
}

export const POD_NAME_KEY = 'authentication.kubernetes.io/pod-name';
export const POD_UID_KEY = 'authentication.kubernetes.io/pod-uid';
export const NODE_NAME_KEY = 'authentication.kubernetes.io/node-name';
export const NODE_UID_KEY = 'authentication.kubernetes.io/node-uid';
export const CREDENTIAL_ID_KEY = 'authentication.kubernetes.io/credential-id';

/** ServiceAccountInfo.UserInfo(), with system:authenticated added as the group adder does. */
export function userInfoOf(info: ServiceAccountInfo): UserInfo {
  const extra = new Map<string, string[]>();
  if (info.podName && info.podUID) {
    extra.set(POD_NAME_KEY, [info.podName]);
    extra.set(POD_UID_KEY, [info.podUID]);
  }
  if (info.nodeName) extra.set(NODE_NAME_KEY, [info.nodeName]);
  if (info.nodeName && info.nodeUID) extra.set(NODE_UID_KEY, [info.nodeUID]);
  if (info.credentialID) extra.set(CREDENTIAL_ID_KEY, [info.credentialID]);
  const user: UserInfo = { name: makeUsername(info.namespace, info.name), uid: info.uid, groups: [...makeGroupNames(info.namespace), ALL_AUTHENTICATED] };
  if (extra.size) user.extra = extra;
  return user;
}

/** Checks a verified token's claims against the objects it names; throws Error to refuse. */
export type ClaimsValidator = (token: string, payload: JWTPayload) => Promise<ServiceAccountInfo>;

/** go-jose's DefaultLeeway: exp and nbf are taken a minute loosely, and objects deleted within it still count. */
const LEEWAY_SECONDS = 60;

function deletedBefore(obj: KubeObject, cutoffMs: number): boolean {
  const ts = obj.metadata.deletionTimestamp;
  return typeof ts === 'string' && Date.parse(ts) < cutoffMs;
}

/** claims.go's validator: the service account, and the pod or Secret the token is bound to, still exist with the uids it names. */
export function boundTokenValidator(getter: ServiceAccountTokenGetter): ClaimsValidator {
  return async (_token, payload) => {
    const k = privateClaimsOf(payload);
    if (typeof k === 'string') throw new Error(k);
    const cutoff = Date.now() - LEEWAY_SECONDS * 1000;
    const ns = k.namespace;
    const sa = await getter.getServiceAccount(ns, k.serviceaccount.name);
    if (!sa) throw new Error(`serviceaccounts "${k.serviceaccount.name}" not found`);
    if (deletedBefore(sa, cutoff)) throw new Error(`service account ${ns}/${k.serviceaccount.name} has been deleted`);
    if (sa.metadata.uid !== k.serviceaccount.uid) throw new Error(`service account UID (${sa.metadata.uid}) does not match claim (${k.serviceaccount.uid})`);
    if (k.secret) {
      const secret = await getter.getSecret(ns, k.secret.name);
      if (!secret || deletedBefore(secret, cutoff)) throw new Error('service account token has been invalidated');
      if (secret.metadata.uid !== k.secret.uid)
        throw new Error(`secret UID (${secret.metadata.uid}) does not match service account secret ref claim (${k.secret.uid})`);
    }
    const info: ServiceAccountInfo = { namespace: ns, name: k.serviceaccount.name, uid: k.serviceaccount.uid };
    if (k.pod) {
      const pod = await getter.getPod(ns, k.pod.name);
      if (!pod || deletedBefore(pod, cutoff)) throw new Error('service account token has been invalidated');
      if (pod.metadata.uid !== k.pod.uid) throw new Error(`pod UID (${pod.metadata.uid}) does not match service account pod ref claim (${k.pod.uid})`);
      info.podName = k.pod.name;
      info.podUID = k.pod.uid;
    }
    if (k.node) {
      info.nodeName = k.node.name;
      if (k.node.uid) info.nodeUID = k.node.uid;
    }
    if (typeof payload.jti === 'string' && payload.jti !== '') info.credentialID = `JTI=${payload.jti}`;
    return info;
  };
}

function secretToken(secret: KubeObject): string {
  const data = (secret as { data?: unknown }).data;
  if (typeof data !== 'object' || data === null) return '';
  const token = Object.prototype.hasOwnProperty.call(data, 'token') ? (data as Record<string, unknown>).token : undefined;
  return typeof token === 'string' ? Buffer.from(token, 'base64').toString() : '';
}

/** legacy.go's validator: the token's Secret exists and holds this very token, and the service account exists with its uid. */
export function legacyTokenValidator(getter: ServiceAccountTokenGetter): ClaimsValidator {
  return async (token, payload) => {
    const claim = (key: string) => (typeof payload[key] === 'string' ? (payload[key] as string) : '');
    const ns = claim(LEGACY_NAMESPACE_CLAIM);
    const secretName = claim(LEGACY_SECRET_NAME_CLAIM);
    const name = claim(LEGACY_SA_NAME_CLAIM);
    const uid = claim(LEGACY_SA_UID_CLAIM);
    if (!ns || !secretName || !name || !uid) throw new Error('token is missing a kubernetes.io/serviceaccount claim');
    if (payload.sub !== makeUsername(ns, name)) throw new Error('sub claim does not match the service account claims');
    const secret = await getter.getSecret(ns, secretName);
    if (!secret || secret.metadata.deletionTimestamp) throw new Error('token has been invalidated');
    if (secretToken(secret) !== token) throw new Error("token does not match server's copy");
    const sa = await getter.getServiceAccount(ns, name);
    if (!sa) throw new Error(`serviceaccounts "${name}" not found`);
    if (sa.metadata.deletionTimestamp) throw new Error(`service account ${ns}/${name} has been deleted`);
    if (sa.metadata.uid !== uid) throw new Error(`service account UID (${sa.metadata.uid}) does not match claim (${uid})`);
    return { namespace: ns, name, uid };
  };
}

export interface JWTAuthenticatorOptions {
  /** The issuers whose tokens this authenticator takes (others are not its tokens). */
  issuers: string[];
  keys: PublicKey[];
  /** The audiences a request is for (--api-audiences); a token without aud is taken as one for them. */
  implicitAudiences: string[];
  validator: ClaimsValidator;
}

function audiencesOf(payload: JWTPayload): string[] {
  if (typeof payload.aud === 'string') return [payload.aud];
  return Array.isArray(payload.aud) ? payload.aud.filter((a) => typeof a === 'string') : [];
}

const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/**
 * A TokenAuthenticator for service-account JWTs: a token that is no JWT or not from one of
 * the issuers is left to the other authenticators (undefined); one that is, but fails
 * verification, is refused with the reason (an Error).
 */
export class JWTTokenAuthenticator {
  private readonly issuers: Set<string>;

  constructor(private readonly opts: JWTAuthenticatorOptions) {
    this.issuers = new Set(opts.issuers);
  }

  authenticateToken(token: string, audiences?: string[]): Promise<UserInfo | undefined> | undefined {
    if (token.length > 64 * 1024 || !JWT_SHAPE.test(token)) return undefined;
    let iss: unknown;
    try {
      iss = decodeJwt(token).iss;
    } catch {
      return undefined;
    }
    if (typeof iss !== 'string' || !this.issuers.has(iss)) return undefined;
    return this.verify(token, audiences).then(userInfoOf);
  }

  /** The aud of a token this authenticator took (a legacy token has none: the api audiences). */
  tokenAudiences(token: string): string[] {
    return audiencesOf(decodeJwt(token));
  }

  /** The token's service account, verified: signature, exp/nbf, audience, then the validator. Throws Error to refuse. */
  async verify(token: string, audiences: string[] | undefined = this.opts.implicitAudiences): Promise<ServiceAccountInfo> {
    const payload = await this.verifySignature(token);
    const tokenAuds = audiencesOf(payload);
    // A token without aud (a legacy one) is for the apiserver's own audiences.
    const effective = tokenAuds.length ? tokenAuds : this.opts.implicitAudiences;
    if (this.opts.implicitAudiences.length && !effective.some((a) => audiences.includes(a))) {
      throw new Error(`token audiences ${JSON.stringify(effective)} is invalid for the target audiences ${JSON.stringify(audiences)}`);
    }
    return this.opts.validator(token, payload);
  }

  private async verifySignature(token: string): Promise<JWTPayload> {
    let header: unknown;
    try {
      header = JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString());
    } catch {
      throw new Error('invalid token header');
    }
    if (typeof header !== 'object' || header === null || Array.isArray(header)) throw new Error('invalid token header');
    const { alg, kid } = header as { alg?: unknown; kid?: unknown };
    const candidates = this.opts.keys.filter((k) => k.alg === alg && (typeof kid !== 'string' || kid === k.kid));
    for (const k of candidates) {
      try {
        const { payload } = await jwtVerify(token, k.key, { algorithms: [k.alg], clockTolerance: LEEWAY_SECONDS });
        return payload;
      } catch (err) {
        if (err instanceof joseErrors.JWSSignatureVerificationFailed) continue;
        if (err instanceof joseErrors.JWTExpired) throw new Error('service account token has expired');
        if (err instanceof joseErrors.JWTClaimValidationFailed && err.claim === 'nbf') throw new Error('service account token is not valid yet');
        if (err instanceof joseErrors.JOSEError) throw new Error(`service account token is invalid: ${err.code}`);
        throw err;
      }
    }
    throw new Error('service account token signature is invalid: no key verifies it');
  }
}

/** The legacy issuer's authenticator over the same keys (upstream adds it for Secret-based tokens). */
export function legacyAuthenticator(keys: PublicKey[], apiAudiences: string[], getter: ServiceAccountTokenGetter): JWTTokenAuthenticator {
  return new JWTTokenAuthenticator({ issuers: [LEGACY_ISSUER], keys, implicitAudiences: apiAudiences, validator: legacyTokenValidator(getter) });
}
