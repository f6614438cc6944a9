// Who is asking a component's server (the kubelet's, the controller-manager's, the
// scheduler's), as k8s.io/apiserver's delegating authenticator finds out: a client
// certificate from the client CA (CN the user, O the groups), else a bearer token the
// apiserver knows (TokenReview, cached), else anonymous when allowed. Every authenticated user
// is also in system:authenticated. Credentials that none accepts are refused,
// never taken as anonymous.
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { PeerCertificate, TLSSocket } from 'node:tls';
import type { TokenReviewStatus } from '../../../api/authentication/v1/types.js';
import { ExpiringCache } from './cache.js';
import type { TokenReviewer } from './reviews.js';

/** A user as the authenticators name it (user.Info). */
export interface AuthenticatedUser {
  name: string;
  uid?: string;
  groups: string[];
  /** By key; keys came from a review's answer. */
  extra?: ReadonlyMap<string, string[]>;
}

export const ANONYMOUS_USER = 'system:anonymous';
export const ALL_AUTHENTICATED = 'system:authenticated';
export const ALL_UNAUTHENTICATED = 'system:unauthenticated';

/** A user; or why the credentials the request brought are refused (401). */
export type AuthenticationResult = { user: AuthenticatedUser } | { error: string };

/** AuthenticatedGroupAdder. */
function withAuthenticatedGroup(user: AuthenticatedUser): AuthenticatedUser {
  if (user.name === ANONYMOUS_USER || user.groups.some((g) => g === ALL_AUTHENTICATED || g === ALL_UNAUTHENTICATED)) return user;
  return { ...user, groups: [...user.groups, ALL_AUTHENTICATED] };
}

function values(v: string | string[] | undefined): string[] {
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

/**
 * Client certificates: the TLS server asks for one and lets OpenSSL check it against the
 * client CA (socket.authorized); validity is checked again per request, as a kept-alive
 * connection may outlive its certificate. Undefined when the request has no certificate
 * (or one without a CN).
 */
export function authenticateCertificate(socket: unknown, now = Date.now()): AuthenticationResult | undefined {
  const tls = socket as TLSSocket;
  if (typeof tls.getPeerCertificate !== 'function') return undefined;
  const cert: PeerCertificate = tls.getPeerCertificate();
  if (!cert || !cert.subject) return undefined;
  if (!tls.authorized) return { error: `verifying certificate failed: x509: ${String(tls.authorizationError ?? 'unknown error')}` };
  if (now < Date.parse(cert.valid_from) || now > Date.parse(cert.valid_to)) return { error: 'x509: certificate has expired or is not yet valid' };
  const cn = values(cert.subject.CN);
  const name = cn[cn.length - 1];
  if (!name) return undefined;
  return { user: withAuthenticatedGroup({ name, groups: values(cert.subject.O) }) };
}

/** The token of `Authorization: Bearer <token>`, as upstream's bearertoken authenticator reads it. */
export function bearerToken(authorization: string | undefined): string | undefined {
  const parts = (authorization ?? '').trim().split(' ');
  if (parts.length < 2 || parts[0].toLowerCase() !== 'bearer' || parts[1] === '') return undefined;
  return parts[1];
}

export interface WebhookTokenOptions {
  /** How long an answer (authenticated or not) is kept: --authentication-token-webhook-cache-ttl, 2m by default. */
  cacheTTLMs?: number;
  /** The audiences to ask for (none: the apiserver's). */
  audiences?: string[];
  now?: () => number;
}

/** The user a TokenReview answer names; an error when it names none. */
function userOf(status: TokenReviewStatus): AuthenticationResult {
  if (!status.authenticated) return { error: status.error || 'token not authenticated' };
  const u = status.user ?? {};
  const extra = new Map<string, string[]>(); // keys are the apiserver's answer
  for (const [k, v] of Object.entries(u.extra ?? {})) if (Array.isArray(v)) extra.set(k, v.map(String));
  const user: AuthenticatedUser = { name: u.username ?? '', groups: (u.groups ?? []).map(String) };
  if (u.uid) user.uid = u.uid;
  if (extra.size) user.extra = extra;
  return { user: withAuthenticatedGroup(user) };
}

/**
 * Bearer tokens through TokenReview (webhook token authentication). Answers are cached
 * by a hash of the token, for cacheTTLMs whether they say yes or no; a review that fails
 * (the apiserver unreachable) is not cached.
 */
export class WebhookTokenAuthenticator {
  private readonly cache: ExpiringCache<AuthenticationResult>;
  private readonly ttlMs: number;
  private readonly audiences: string[];

  constructor(
    private readonly reviewer: TokenReviewer,
    opts: WebhookTokenOptions = {},
  ) {
    this.ttlMs = opts.cacheTTLMs ?? 2 * 60_000;
    this.audiences = opts.audiences ?? [];
    this.cache = new ExpiringCache(4096, opts.now);
  }

  async authenticateToken(token: string): Promise<AuthenticationResult> {
    const key = createHash('sha256').update(token).update('\0').update(this.audiences.join(',')).digest('base64');
    const cached = this.cache.get(key);
    if (cached) return cached;
    let result: AuthenticationResult;
    try {
      result = userOf(await this.reviewer.review(token, this.audiences));
    } catch (err) {
      return { error: `token review failed: ${(err as Error).message}` };
    }
    this.cache.set(key, result, this.ttlMs);
    return result;
  }
}

export interface DelegatingAuthenticatorOptions {
  /** Client certificates (--client-ca-file). */
  x509: boolean;
  /** Bearer tokens (--authentication-token-webhook). */
  tokens?: WebhookTokenAuthenticator;
  /** --anonymous-auth: a request without credentials is system:anonymous (else 401). */
  anonymous: boolean;
}

export class DelegatingAuthenticator {
  constructor(private readonly opts: DelegatingAuthenticatorOptions) {}

  async authenticate(req: IncomingMessage): Promise<AuthenticationResult> {
    let certError: string | undefined;
    if (this.opts.x509) {
      const r = authenticateCertificate(req.socket);
      if (r && 'user' in r) return r;
      certError = r?.error;
    }
    const token = this.opts.tokens ? bearerToken(req.headers.authorization) : undefined;
    if (token !== undefined && this.opts.tokens) {
      const r = await this.opts.tokens.authenticateToken(token);
      if ('user' in r) return r;
      return { error: certError ? `[${certError}, ${r.error}]` : r.error };
    }
    if (certError) return { error: certError };
    if (this.opts.anonymous) return { user: { name: ANONYMOUS_USER, groups: [ALL_UNAUTHENTICATED] } };
    return { error: 'no credentials' };
  }
}
