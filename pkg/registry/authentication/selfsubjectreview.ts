// SelfSubjectReview (authentication.k8s.io/v1), as upstream's selfsubjectreview REST:
// the user the request is made as, after impersonation (`kubectl auth whoami`).
import { newBadRequest } from '../../../api/meta/v1/status.js';
import type { KubeObject } from '../../../api/meta/v1/types.js';
import type { Creater } from '../rest.js';
import { nowRFC3339, type RequestContext } from '../store.js';
import { userInfoOf } from '../../auth/user.js';

export class SelfSubjectReviewREST implements Creater {
  async create(ctx: RequestContext, _obj: KubeObject): Promise<KubeObject> {
    if (!ctx.user) throw newBadRequest('no user present on request');
    return {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'SelfSubjectReview',
      metadata: { creationTimestamp: nowRFC3339() },
      status: { userInfo: userInfoOf(ctx.user) },
    } as KubeObject;
  }
}
