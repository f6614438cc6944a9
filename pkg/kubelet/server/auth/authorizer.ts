// May they (upstream's kubelet --authorization-mode): AlwaysAllow, or Webhook,
// which asks the apiserver with a SubjectAccessReview for the request's
// attributes, as k8s.io/apiserver's webhook authorizer does, and keeps the
// answer: an allowed one for 5 minutes, any other for 30 seconds
// (--authorization-webhook-cache-authorized-ttl / -unauthorized-ttl). A review
// that fails is not kept; the request is then answered 500.
import type { KubeletAttributes } from './attributes.js';
import { ExpiringCache } from './cache.js';
import type { SubjectAccessReviewSpec, SubjectAccessReviewStatus, SubjectAccessReviewer } from './reviews.js';

export type Decision = 'Allow' | 'Deny' | 'NoOpinion';

export interface KubeletAuthorizer {
  authorize(attrs: KubeletAttributes): Promise<{ decision: Decision; reason: string }>;
}

export const ALWAYS_ALLOW: KubeletAuthorizer = Object.freeze({
  authorize: async () => ({ decision: 'Allow' as const, reason: '' }),
});

/** The review the webhook sends for a request's attributes. */
export function subjectAccessReviewSpec(a: KubeletAttributes): SubjectAccessReviewSpec {
  const spec: SubjectAccessReviewSpec = {
    resourceAttributes: {
      namespace: a.namespace,
      verb: a.verb,
      group: a.apiGroup,
      version: a.apiVersion,
      resource: a.resource,
      subresource: a.subresource,
      name: a.name,
    },
    user: a.user.name,
    groups: a.user.groups,
  };
  if (a.user.uid) spec.uid = a.user.uid;
  if (a.user.extra?.size) {
    const extra = Object.create(null) as { [key: string]: string[] }; // keys came from a review
    for (const [k, v] of a.user.extra) extra[k] = v;
    spec.extra = extra;
  }
  return spec;
}

export interface WebhookAuthorizerOptions {
  authorizedTTLMs?: number;
  unauthorizedTTLMs?: number;
  now?: () => number;
}

export class WebhookAuthorizer implements KubeletAuthorizer {
  private readonly cache: ExpiringCache<SubjectAccessReviewStatus>;
  private readonly authorizedTTLMs: number;
  private readonly unauthorizedTTLMs: number;

  constructor(
    private readonly reviewer: SubjectAccessReviewer,
    opts: WebhookAuthorizerOptions = {},
  ) {
    this.authorizedTTLMs = opts.authorizedTTLMs ?? 5 * 60_000;
    this.unauthorizedTTLMs = opts.unauthorizedTTLMs ?? 30_000;
    this.cache = new ExpiringCache(10_000, opts.now);
  }

  /** Rejects when the review cannot be made. */
  async authorize(attrs: KubeletAttributes): Promise<{ decision: Decision; reason: string }> {
    const spec = subjectAccessReviewSpec(attrs);
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
