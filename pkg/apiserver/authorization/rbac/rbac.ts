// The RBAC authorizer (upstream's plugin/pkg/auth/authorizer/rbac): a request is
// allowed when a rule of a role bound to its user allows it. Roles and bindings
// come from the registry's in-memory index (no etcd read per request); the first
// request waits for that index to fill.
import type { NonResourceRule, ResourceRule } from '../../../../api/authorization/v1/types.js';
import type { Attributes, Authorizer, AuthorizerResult } from '../../../auth/authorizer.js';
import type { UserInfo } from '../../../auth/user.js';
import type { SubjectRules, SubjectRulesResolver } from '../../../registry/authorization/authorization.js';
import { ruleAllows, type RuleResolver } from '../../../registry/rbac/validation/rule.js';

/** utilerrors.NewAggregate(errs).Error(): one message, or all distinct ones in brackets. */
export function aggregateErrors(errors: readonly string[]): string {
  const distinct = [...new Set(errors)];
  return distinct.length === 1 ? distinct[0] : `[${distinct.join(', ')}]`;
}

export class RBACAuthorizer implements Authorizer, SubjectRulesResolver {
  private synced = false;

  constructor(
    private readonly resolver: RuleResolver,
    /** Resolves once the roles and bindings in memory are those in storage. */
    private readonly waitForSync: () => Promise<void> = () => Promise.resolve(),
  ) {}

  authorize(attrs: Attributes): AuthorizerResult | Promise<AuthorizerResult> {
    if (this.synced) return this.decide(attrs);
    return this.waitForSync().then(() => {
      this.synced = true;
      return this.decide(attrs);
    });
  }

  private decide(attrs: Attributes): AuthorizerResult {
    let reason = '';
    const errors: string[] = [];
    this.resolver.visitRulesFor(attrs.user, attrs.namespace, (source, rule, err) => {
      if (rule && source && ruleAllows(attrs, rule)) {
        reason = `RBAC: allowed by ${source.toString()}`;
        return false;
      }
      if (err) errors.push(err);
      return true;
    });
    if (reason) return { decision: 'Allow', reason };
    return { decision: 'NoOpinion', reason: errors.length ? `RBAC: ${aggregateErrors(errors)}` : '' };
  }

  async rulesFor(user: UserInfo, namespace: string): Promise<SubjectRules> {
    await this.waitForSync();
    const { rules, errors } = this.resolver.rulesFor(user, namespace);
    const resourceRules: ResourceRule[] = [];
    const nonResourceRules: NonResourceRule[] = [];
    for (const r of rules) {
      if (r.resources?.length) {
        const rr: ResourceRule = { verbs: r.verbs, apiGroups: r.apiGroups ?? [], resources: r.resources };
        if (r.resourceNames?.length) rr.resourceNames = r.resourceNames;
        resourceRules.push(rr);
      }
      if (r.nonResourceURLs?.length) nonResourceRules.push({ verbs: r.verbs, nonResourceURLs: r.nonResourceURLs });
    }
    const out: SubjectRules = { resourceRules, nonResourceRules, incomplete: false };
    if (errors.length) out.evaluationError = aggregateErrors(errors);
    return out;
  }
}
