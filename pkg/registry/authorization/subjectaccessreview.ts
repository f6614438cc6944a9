// SubjectAccessReview, LocalSubjectAccessReview and SelfSubjectAccessReview:
// may this user (someone named in the spec, or the requester) do this? After
// upstream's pkg/registry/authorization/{,local,self}subjectaccessreview.
import type {
  LocalSubjectAccessReview,
  SelfSubjectAccessReview,
  SubjectAccessReview,
  SubjectAccessReviewSpec,
  SubjectAccessReviewStatus,
} from '../../../api/authorization/v1/types.js';
import { validateLocalSubjectAccessReview, validateSelfSubjectAccessReview, validateSubjectAccessReview } from '../../../api/authorization/v1/validation.js';
import { newBadRequest, type StatusCause } from '../../../api/meta/v1/status.js';
import type { KubeObject } from '../../../api/meta/v1/types.js';
import type { Attributes } from '../../auth/authorizer.js';
import type { UserInfo } from '../../auth/user.js';
import type { RequestContext } from '../store.js';
import { type APIAuthorization, nonResourceAttributesFrom, resourceAttributesFrom, userFromSpec } from './authorization.js';
import { ReviewREST } from './review.js';

function attributesFrom(user: UserInfo, spec: Pick<SubjectAccessReviewSpec, 'resourceAttributes' | 'nonResourceAttributes'>): Attributes {
  return spec.resourceAttributes ? resourceAttributesFrom(user, spec.resourceAttributes) : nonResourceAttributesFrom(user, spec.nonResourceAttributes ?? {});
}

/** The authorizer's answer as a review status; without an authorizer every request is allowed. */
async function decide(authorization: APIAuthorization | undefined, attrs: Attributes): Promise<SubjectAccessReviewStatus> {
  if (!authorization) return { allowed: true };
  const { decision, reason } = await authorization.authorizer.authorize(attrs);
  const status: SubjectAccessReviewStatus = { allowed: decision === 'Allow' };
  if (decision === 'Deny') status.denied = true;
  if (reason) status.reason = reason;
  return status;
}

export class SubjectAccessReviewREST extends ReviewREST {
  protected validateReview(obj: KubeObject): StatusCause[] {
    return validateSubjectAccessReview(obj as SubjectAccessReview);
  }

  protected async review(_ctx: RequestContext, obj: KubeObject): Promise<KubeObject> {
    const sar = obj as SubjectAccessReview;
    sar.status = await decide(this.authorization(), attributesFrom(userFromSpec(sar.spec), sar.spec));
    return sar;
  }
}

export class LocalSubjectAccessReviewREST extends ReviewREST {
  protected validateReview(obj: KubeObject): StatusCause[] {
    return validateLocalSubjectAccessReview(obj as LocalSubjectAccessReview);
  }

  override async create(ctx: RequestContext, body: KubeObject): Promise<KubeObject> {
    if (!ctx.namespace) throw newBadRequest(`namespace is required on this type: ${ctx.namespace ?? ''}`);
    const ns = (body?.metadata as { namespace?: unknown } | undefined)?.namespace;
    if (ns !== undefined && ns !== ctx.namespace) throw newBadRequest(`spec.resourceAttributes.namespace must match namespace: ${ctx.namespace}`);
    return super.create(ctx, body);
  }

  protected async review(_ctx: RequestContext, obj: KubeObject): Promise<KubeObject> {
    const lsar = obj as LocalSubjectAccessReview;
    lsar.status = await decide(this.authorization(), attributesFrom(userFromSpec(lsar.spec), lsar.spec));
    return lsar;
  }
}

export class SelfSubjectAccessReviewREST extends ReviewREST {
  protected validateReview(obj: KubeObject): StatusCause[] {
    return validateSelfSubjectAccessReview(obj as SelfSubjectAccessReview);
  }

  protected async review(ctx: RequestContext, obj: KubeObject): Promise<KubeObject> {
    const ssar = obj as SelfSubjectAccessReview;
    // No user: the apiserver itself asks, and it may do anything.
    ssar.status = ctx.user ? await decide(this.authorization(), attributesFrom(ctx.user, ssar.spec)) : { allowed: true };
    return ssar;
  }
}
