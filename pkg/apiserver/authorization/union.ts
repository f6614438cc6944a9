// Several authorizers asked in order (upstream's authorizer/union): the first
// that allows or denies decides; when none has an opinion, their reasons are
// joined. Rule listing (SelfSubjectRulesReview) gathers every resolver's rules.
import type { Attributes, Authorizer, AuthorizerResult } from '../../auth/authorizer.js';
import type { UserInfo } from '../../auth/user.js';
import type { SubjectRules, SubjectRulesResolver } from '../../registry/authorization/authorization.js';
import { aggregateErrors } from './rbac/rbac.js';

export class UnionAuthorizer implements Authorizer, SubjectRulesResolver {
  constructor(
    private readonly authorizers: readonly Authorizer[],
    private readonly resolvers: readonly SubjectRulesResolver[],
  ) {}

  authorize(attrs: Attributes): AuthorizerResult | Promise<AuthorizerResult> {
    const reasons: string[] = [];
    for (let i = 0; i < this.authorizers.length; i++) {
      const res = this.authorizers[i].authorize(attrs);
      // Stay synchronous while every answer is: the hot path allocates no promise.
      if (res instanceof Promise) return res.then((r) => this.continueFrom(attrs, i, r, reasons));
      if (res.reason) reasons.push(res.reason);
      if (res.decision !== 'NoOpinion') return res;
    }
    return { decision: 'NoOpinion', reason: reasons.join('\n') };
  }

  private async continueFrom(attrs: Attributes, index: number, first: AuthorizerResult, reasons: string[]): Promise<AuthorizerResult> {
    let res = first;
    for (let i = index; ;) {
      if (res.reason) reasons.push(res.reason);
      if (res.decision !== 'NoOpinion') return res;
      if (++i >= this.authorizers.length) return { decision: 'NoOpinion', reason: reasons.join('\n') };
      res = await this.authorizers[i].authorize(attrs);
    }
  }

  async rulesFor(user: UserInfo, namespace: string): Promise<SubjectRules> {
    const out: SubjectRules = { resourceRules: [], nonResourceRules: [], incomplete: false };
    const errors: string[] = [];
    for (const r of this.resolvers) {
      const rules = await r.rulesFor(user, namespace);
      out.resourceRules.push(...rules.resourceRules);
      out.nonResourceRules.push(...rules.nonResourceRules);
      if (rules.incomplete) out.incomplete = true;
      if (rules.evaluationError) errors.push(rules.evaluationError);
    }
    if (errors.length) out.evaluationError = aggregateErrors(errors);
    return out;
  }
}
