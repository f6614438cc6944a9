// system:masters may do anything (upstream's authorizerfactory.NewPrivilegedGroups,
// first in kube-apiserver's chain): its members stay in control even when RBAC
// objects are broken or gone.
import type { Attributes, Authorizer, AuthorizerResult } from '../../auth/authorizer.js';
import { SYSTEM_PRIVILEGED_GROUP } from '../../auth/user.js';

export class PrivilegedGroupAuthorizer implements Authorizer {
  constructor(private readonly groups: readonly string[] = [SYSTEM_PRIVILEGED_GROUP]) {}

  authorize(attrs: Attributes): AuthorizerResult {
    const allowed = attrs.user.groups.some((g) => this.groups.includes(g));
    return { decision: allowed ? 'Allow' : 'NoOpinion', reason: '' };
  }
}
