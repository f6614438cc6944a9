// Who is asking: the request authenticator kube-apiserver builds from its flags
// (k8s.io/apiserver/pkg/authentication/request/union with the group adder and
// anonymous fallback). Client certificates are asked first, then the bearer
// token's authenticators (static tokens, bootstrap tokens); the first that knows
// the request names the user. Credentials that none accepts are refused (401),
// never taken as anonymous; a request without any is system:anonymous when
// anonymous requests are allowed.
//
// Static tokens and certificates answer synchronously, so the fast path for
// resource requests does not wait a turn of the event loop for them.
import type { IncomingMessage } from 'node:http';
import type { UserInfo } from '../../auth/user.js';
import { ANONYMOUS, type AuthenticationResult } from './result.js';
import type { X509Authenticator } from './x509.js';

export interface TokenAuthenticator {
  /**
   * The token's user; undefined when this authenticator does not know it. audiences: those the
   * token is asked to be valid for (a TokenReview's); absent, the api audiences.
   */
  authenticateToken(token: string, audiences?: string[]): UserInfo | undefined | Promise<UserInfo | undefined>;
  /**
   * Audience-aware authenticators (service-account JWTs) check the audiences themselves and
   * say here which a token they took is for. The others' tokens are for the api audiences
   * only (upstream's audience-agnostic wrapper).
   */
  tokenAudiences?(token: string): string[];
}

export interface AuthenticatorOptions {
  x509?: X509Authenticator;
  tokens: TokenAuthenticator[];
  /** --api-audiences: what audience-agnostic tokens are for. */
  apiAudiences?: string[];
  /** --anonymous-auth (default true). */
  anonymous: boolean;
}

const INVALID_TOKEN = 'invalid bearer token';

/** The token of `Authorization: Bearer <token>`, read as upstream's bearertoken authenticator reads it. */
export function bearerToken(authorization: string | undefined): string | undefined {
  const auth = authorization?.trim();
  if (!auth) return undefined;
  // strings.SplitN(auth, " ", 3): the scheme, the token, and whatever follows.
  const sp = auth.indexOf(' ');
  if (sp !== 6 || !(auth.startsWith('Bearer') || auth.slice(0, 6).toLowerCase() === 'bearer')) return undefined;
  const end = auth.indexOf(' ', 7);
  const token = end < 0 ? auth.slice(7) : auth.slice(7, end);
  return token === '' ? undefined : token;
}

export class RequestAuthenticator {
  constructor(private readonly opts: AuthenticatorOptions) {}

  authenticate(req: IncomingMessage): AuthenticationResult | Promise<AuthenticationResult> {
    let certError: string | undefined;
    if (this.opts.x509) {
      const r = this.opts.x509.authenticate(req.socket);
      if (r && 'user' in r) return r;
      certError = r?.error;
    }
    // As upstream, the bearer token authenticator is in the union only when some token
    // authenticator is configured; without one the header is not looked at.
    const token = this.opts.tokens.length > 0 ? bearerToken(req.headers.authorization) : undefined;
    if (token !== undefined) {
      const r = this.authenticateToken(token);
      if (r instanceof Promise) return r.then((res) => (certError && 'error' in res ? { error: `[${certError}, ${res.error}]` } : res));
      if ('user' in r) return r;
      return { error: certError ? `[${certError}, ${r.error}]` : r.error };
    }
    if (certError) return { error: certError };
    return this.opts.anonymous ? { user: ANONYMOUS } : { error: 'no credentials' };
  }

  /**
   * A bearer token alone (TokenReview): its user, or why it is refused. With audiences, only
   * tokens valid for one of them are taken, and the result says which.
   */
  authenticateToken(token: string, audiences?: string[]): AuthenticationResult | Promise<AuthenticationResult> {
    const errors: string[] = [];
    const authenticators = this.opts.tokens;
    for (let i = 0; i < authenticators.length; i++) {
      let user: ReturnType<TokenAuthenticator['authenticateToken']>;
      try {
        user = this.attempt(i, token, audiences);
      } catch (err) {
        errors.push((err as Error).message);
        continue;
      }
      if (user instanceof Promise) return this.continueAsync(user, token, audiences, i, errors);
      if (user) return this.taken(i, token, user, audiences);
    }
    return refused(errors);
  }

  /** Asks authenticator i; an audience-agnostic one only when the audiences include an api audience. */
  private attempt(i: number, token: string, audiences: string[] | undefined): ReturnType<TokenAuthenticator['authenticateToken']> {
    const a = this.opts.tokens[i];
    if (audiences && !a.tokenAudiences && intersect(this.opts.apiAudiences ?? [], audiences).length === 0) return undefined;
    return a.authenticateToken(token, audiences);
  }

  private taken(i: number, token: string, user: UserInfo, audiences: string[] | undefined): AuthenticationResult {
    if (!audiences) return { user };
    const api = this.opts.apiAudiences ?? [];
    const tokenAudiences = this.opts.tokens[i].tokenAudiences?.(token) ?? api;
    return { user, audiences: intersect(tokenAudiences.length ? tokenAudiences : api, audiences) };
  }

  private async continueAsync(
    pending: Promise<UserInfo | undefined>,
    token: string,
    audiences: string[] | undefined,
    index: number,
    errors: string[],
  ): Promise<AuthenticationResult> {
    let next: Promise<UserInfo | undefined> | UserInfo | undefined = pending;
    for (let i = index; i < this.opts.tokens.length; i++) {
      try {
        if (i > index) next = this.attempt(i, token, audiences);
        const user = await next;
        if (user) return this.taken(i, token, user, audiences);
      } catch (err) {
        errors.push((err as Error).message);
      }
    }
    return refused(errors);
  }
}

function intersect(a: readonly string[], b: readonly string[]): string[] {
  return a.filter((x) => b.includes(x));
}

/** Upstream's union aggregates the errors; a token no authenticator knows is an invalid bearer token. */
function refused(errors: string[]): AuthenticationResult {
  if (errors.length === 0) return { error: INVALID_TOKEN };
  return { error: errors.length === 1 ? errors[0] : `[${errors.join(', ')}]` };
}
