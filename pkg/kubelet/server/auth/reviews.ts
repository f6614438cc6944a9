// The reviews the kubelet asks the apiserver for, through its own client:
// authentication.k8s.io/v1 TokenReview (who holds this bearer token) and
// authorization.k8s.io/v1 SubjectAccessReview (may this user do this). The
// kubelet's credentials need `create` on both (the system:node role has it).
import type { TokenReview, TokenReviewStatus } from '../../../../api/authentication/v1/types.js';
import type { KubeObject } from '../../../../api/meta/v1/types.js';
import type { Client } from '../../../client/rest.js';

export interface TokenReviewer {
  /** The apiserver's answer for the token. */
  review(token: string, audiences: string[]): Promise<TokenReviewStatus>;
}

/** authorization.k8s.io/v1 SubjectAccessReviewSpec, the fields the kubelet sends. */
export interface SubjectAccessReviewSpec {
  user?: string;
  uid?: string;
  groups?: string[];
  extra?: { [key: string]: string[] };
  resourceAttributes?: {
    namespace?: string;
    verb?: string;
    group?: string;
    version?: string;
    resource?: string;
    subresource?: string;
    name?: string;
  };
}

/** authorization.k8s.io/v1 SubjectAccessReviewStatus. */
export interface SubjectAccessReviewStatus {
  allowed: boolean;
  denied?: boolean;
  reason?: string;
  evaluationError?: string;
}

export interface SubjectAccessReviewer {
  review(spec: SubjectAccessReviewSpec): Promise<SubjectAccessReviewStatus>;
}

interface SubjectAccessReview extends KubeObject {
  spec: SubjectAccessReviewSpec;
  status?: SubjectAccessReviewStatus;
}

const TOKEN_REVIEWS = { group: 'authentication.k8s.io', version: 'v1', resource: 'tokenreviews', namespaced: false, kind: 'TokenReview' };
const SUBJECT_ACCESS_REVIEWS = {
  group: 'authorization.k8s.io',
  version: 'v1',
  resource: 'subjectaccessreviews',
  namespaced: false,
  kind: 'SubjectAccessReview',
};

/** TokenReviews created through the kubelet's client. */
export function clientTokenReviewer(client: Client): TokenReviewer {
  const reviews = client.resource<TokenReview>(TOKEN_REVIEWS);
  return {
    async review(token, audiences) {
      const spec = audiences.length ? { token, audiences } : { token };
      const answer = await reviews.create({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', metadata: {}, spec });
      return answer.status ?? {};
    },
  };
}

/** SubjectAccessReviews created through the kubelet's client. */
export function clientSubjectAccessReviewer(client: Client): SubjectAccessReviewer {
  const reviews = client.resource<SubjectAccessReview>(SUBJECT_ACCESS_REVIEWS);
  return {
    async review(spec) {
      const answer = await reviews.create({ apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', metadata: {}, spec });
      return answer.status ?? { allowed: false };
    },
  };
}
