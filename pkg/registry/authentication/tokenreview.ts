// TokenReview (authentication.k8s.io/v1), as upstream's tokenreview REST: who a
// bearer token belongs to, asked of the apiserver's own token authenticators.
// Nothing is stored; the answer is the review with its status filled in.
import { newBadRequest } from '../../../api/meta/v1/status.js';
import type { KubeObject } from '../../../api/meta/v1/types.js';
import type { UserInfo } from '../../auth/user.js';
import type { Creater } from '../rest.js';
import type { RequestContext } from '../store.js';
import { userInfoOf, type ReviewUserInfo } from '../../auth/user.js';
import { reviewMetadata } from './userinfo.js';

/** The apiserver's token authentication: the token's user, or why it is refused. */
/** audiences: those the token must be valid for (absent: the api audiences); the answer says which it is valid for. */
export type TokenAuthenticate = (token: string, audiences?: string[]) => Promise<{ user: UserInfo; audiences?: string[] } | { error: string }>;

interface TokenReviewStatus {
  authenticated?: boolean;
  user: ReviewUserInfo | Record<string, never>;
  audiences?: string[];
  error?: string;
}

function strings(v: unknown, field: string): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw newBadRequest(`${field} must be a list of strings`);
  return v as string[];
}

export class TokenReviewREST implements Creater {
  constructor(private readonly authenticate: TokenAuthenticate) {}

  async create(_ctx: RequestContext, obj: KubeObject): Promise<KubeObject> {
    const spec = (obj as { spec?: unknown }).spec ?? {};
    if (typeof spec !== 'object' || Array.isArray(spec)) throw newBadRequest('spec must be an object');
    const { token, audiences: asked } = spec as { token?: unknown; audiences?: unknown };
    if (token !== undefined && token !== null && typeof token !== 'string') throw newBadRequest('spec.token must be a string');
    if (!token) throw newBadRequest('token is required for TokenReview in authentication');
    const audiences = strings(asked, 'spec.audiences');
    const status = await this.review(token, audiences);
    return { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', metadata: reviewMetadata(obj), spec, status } as KubeObject;
  }

  private async review(token: string, audiences: string[]): Promise<TokenReviewStatus> {
    // Tokens of the audience-agnostic authenticators are valid for the api audiences only;
    // service-account tokens for the audiences they name (the authenticator decides).
    const asked = audiences.length ? audiences : undefined;
    const r = await this.authenticate(token, asked);
    if ('error' in r) return { user: {}, error: r.error };
    const status: TokenReviewStatus = { authenticated: true, user: userInfoOf(r.user) };
    if (asked) status.audiences = r.audiences ?? [];
    return status;
  }
}
