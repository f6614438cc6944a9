// SelfSubjectRulesReview (`kubectl auth can-i --list`): the rules the requester
// holds in a namespace, from every authorizer that can list them. After upstream's
// pkg/registry/authorization/selfsubjectrulesreview.
import type { SelfSubjectRulesReview } from '../../../api/authorization/v1/types.js';
import { newBadRequest, type StatusCause } from '../../../api/meta/v1/status.js';
import type { KubeObject } from '../../../api/meta/v1/types.js';
import type { RequestContext } from '../store.js';
import { ReviewREST } from './review.js';

/** Everything: what the apiserver itself, or a server that authorizes nothing, allows. */
const ALL_RULES = {
  resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }],
  nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }],
  incomplete: false,
};

export class SelfSubjectRulesReviewREST extends ReviewREST {
  protected validateReview(): StatusCause[] {
    return [];
  }

  protected async review(ctx: RequestContext, obj: KubeObject): Promise<KubeObject> {
    const ssrr = obj as SelfSubjectRulesReview;
    const namespace = ssrr.spec.namespace ?? '';
    if (!namespace) throw newBadRequest('no namespace on request');
    const authorization = this.authorization();
    if (!ctx.user || !authorization) {
      ssrr.status = structuredClone(ALL_RULES);
      return ssrr;
    }
    const rules = await authorization.rules.rulesFor(ctx.user, namespace);
    ssrr.status = { resourceRules: rules.resourceRules, nonResourceRules: rules.nonResourceRules, incomplete: rules.incomplete };
    if (rules.evaluationError) ssrr.status.evaluationError = rules.evaluationError;
    return ssrr;
  }
}
