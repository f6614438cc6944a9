// k8s.io/apiserver's webhook authorizer as components delegate to it: each request's
// attributes go to the apiserver as a SubjectAccessReview, and the answer is kept (an
// allowed one for 5 minutes, any other for 30 seconds, upstream's defaults for
// --authorization-webhook-cache-authorized-ttl / -unauthorized-ttl). A review that fails
// is not kept; the caller answers 500.
import { ExpiringCache } from './cache.js';
import type { SubjectAccessReviewSpec, SubjectAccessReviewStatus, SubjectAccessReviewer } from './reviews.js';

export type Decision = 'Allow' | 'Deny' | 'NoOpinion';

export interface SubjectAccessReviewAuthorizerOptions {
  authorizedTTLMs?: number;
  unauthorizedTTLMs?: number;
  now?: () => number;
}

export class SubjectAccessReviewAuthorizer {
  private readonly cache: ExpiringCache<SubjectAccessReviewStatus>;
  private readonly authorizedTTLMs: number;
  private readonly unauthorizedTTLMs: number;

  constructor(
    private readonly reviewer: SubjectAccessReviewer,
    opts: SubjectAccessReviewAuthorizerOptions = {},
  ) {
    this.authorizedTTLMs = opts.authorizedTTLMs ?? 5 * 60_000;
    this.unauthorizedTTLMs = opts.unauthorizedTTLMs ?? 30_000;
    this.cache = new ExpiringCache(10_000, opts.now);
  }

  /** Rejects when the review cannot be made. */
  async authorize(spec: SubjectAccessReviewSpec): Promise<{ decision: Decision; reason: string }> {
    const key = JSON.stringify(spec);
    let status = this.cache.get(key);
    if (!status) {
      status = await this.reviewer.review(spec);
      this.cache.set(key, status, status.allowed ? this.authorizedTTLMs : this.unauthorizedTTLMs);
    }
    const reason = status.reason ?? '';
    if (status.allowed && status.denied) throw new Error('webhook subject access review returned both allow and deny response');
    if (status.denied) return { decision: 'Deny', reason };
    if (status.allowed) return { decision: 'Allow', reason };
    return { decision: 'NoOpinion', reason };
  }
}
