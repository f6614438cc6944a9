// May they (upstream's kubelet --authorization-mode): AlwaysAllow, or Webhook,
// which asks the apiserver with a SubjectAccessReview for the request's
// attributes, as k8s.io/apiserver's webhook authorizer does, and keeps the
// answer: an allowed one for 5 minutes, any other for 30 seconds
// (--authorization-webhook-cache-authorized-ttl / -unauthorized-ttl). A review
// that fails is not kept; the request is then answered 500.
import type { KubeletAttributes } from './attributes.js';
import { SubjectAccessReviewAuthorizer, type Decision, type SubjectAccessReviewAuthorizerOptions } from '../../../client/delegated/authorizer.js';
import type { SubjectAccessReviewSpec, SubjectAccessReviewer } from '../../../client/delegated/reviews.js';

export type { Decision };

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

export type WebhookAuthorizerOptions = SubjectAccessReviewAuthorizerOptions;

/** Webhook mode: the request's attributes as a SubjectAccessReview on nodes/<subresource>. */
export class WebhookAuthorizer implements KubeletAuthorizer {
  private readonly reviews: SubjectAccessReviewAuthorizer;

  constructor(reviewer: SubjectAccessReviewer, opts: WebhookAuthorizerOptions = {}) {
    this.reviews = new SubjectAccessReviewAuthorizer(reviewer, opts);
  }

  authorize(attrs: KubeletAttributes): Promise<{ decision: Decision; reason: string }> {
    return this.reviews.authorize(subjectAccessReviewSpec(attrs));
  }
}
