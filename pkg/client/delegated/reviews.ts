// The reviews a component's server asks the apiserver for, through the component's
// client: authentication.k8s.io/v1 TokenReview (who holds this bearer token) and
// authorization.k8s.io/v1 SubjectAccessReview (may this user do this). Its credentials
// need `create` on both (system:node, system:kube-controller-manager and
// system:kube-scheduler have it; upstream's system:auth-delegator grants it too).
import type { TokenReview, TokenReviewStatus } from '../../../api/authentication/v1/types.js';
import type { SubjectAccessReview, SubjectAccessReviewSpec, SubjectAccessReviewStatus } from '../../../api/authorization/v1/types.js';
import type { Client } from '../rest.js';

export interface TokenReviewer {
  /** The apiserver's answer for the token. */
  review(token: string, audiences: string[]): Promise<TokenReviewStatus>;
}

export type { SubjectAccessReviewSpec, SubjectAccessReviewStatus };

export interface SubjectAccessReviewer {
  review(spec: SubjectAccessReviewSpec): Promise<SubjectAccessReviewStatus>;
}

/** TokenReviews created through the component's client. */
export function clientTokenReviewer(client: Client): TokenReviewer {
  const reviews = client.resource<TokenReview>('authentication.k8s.io/v1', 'tokenreviews');
  return {
    async review(token, audiences) {
      const spec = audiences.length ? { token, audiences } : { token };
      const answer = await reviews.create({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', metadata: {}, spec });
      return answer.status ?? {};
    },
  };
}

/** SubjectAccessReviews created through the component's client. */
export function clientSubjectAccessReviewer(client: Client): SubjectAccessReviewer {
  const reviews = client.resource<SubjectAccessReview>('authorization.k8s.io/v1', 'subjectaccessreviews');
  return {
    async review(spec) {
      const answer = await reviews.create({ apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', metadata: {}, spec });
      return answer.status ?? { allowed: false };
    },
  };
}
