// matchConditions (upstream's admission/plugin/webhook/matchconditions): CEL
// expressions that must all be true for a webhook (or a policy) to apply. Any
// false condition skips it, even when another fails to evaluate; otherwise an
// evaluation error is the result, for the holder's failurePolicy to decide.
import type { MatchCondition } from '../../../../api/admissionregistration/v1/types.js';
import type { StatusCause } from '../../../../api/meta/v1/status.js';
import { invalid } from '../../../../api/validation/field.js';
import { CostBudget, type CompiledExpression } from '../../../cel/environment.js';
import { compileAdmissionExpression, type Declarations } from './compile.js';

export type MatchResult = { matches: true } | { matches: false; failedCondition: string } | { error: string };

export class MatchConditions {
  private constructor(private readonly conditions: Array<{ name: string; compiled?: CompiledExpression; error?: string }>) {}

  /** Compiles every condition; one that does not compile (stored before it was refused) fails each evaluation. */
  static compile(conditions: readonly MatchCondition[] | undefined, d: Declarations): MatchConditions {
    return new MatchConditions(
      (conditions ?? []).map((c) => {
        const r = compileAdmissionExpression(c.expression, d, ['bool']);
        return 'compiled' in r ? { name: c.name, compiled: r.compiled } : { name: c.name, error: `expression '${c.expression}' resulted in error: ${r.error}` };
      }),
    );
  }

  get empty(): boolean {
    return this.conditions.length === 0;
  }

  async match(activation: ReadonlyMap<string, unknown>, budget = new CostBudget()): Promise<MatchResult> {
    const errors: string[] = [];
    for (const c of this.conditions) {
      if (!c.compiled) {
        errors.push(c.error ?? '');
        continue;
      }
      try {
        const v = await c.compiled.evaluateAsync(activation, budget);
        if (v === false) return { matches: false, failedCondition: c.name };
        if (v !== true) errors.push(`expression '${c.compiled.expression}' resulted in error: matchCondition must evaluate to bool`);
      } catch (err) {
        errors.push(`expression '${c.compiled.expression}' resulted in error: ${(err as { summary?: string }).summary ?? (err as Error).message}`);
      }
    }
    if (errors.length === 1) return { error: errors[0] };
    if (errors.length > 1) return { error: `[${errors.join(', ')}]` };
    return { matches: true };
  }
}

/** The 422 causes of matchConditions that do not compile, for the object that holds them. */
export function matchConditionErrors(conditions: readonly MatchCondition[] | undefined, field: string, d: Declarations): StatusCause[] {
  const out: StatusCause[] = [];
  (conditions ?? []).forEach((c, i) => {
    if (typeof c?.expression !== 'string' || c.expression === '') return;
    const r = compileAdmissionExpression(c.expression, d, ['bool']);
    if ('error' in r) out.push(invalid(`${field}[${i}].expression`, c.expression, r.error));
  });
  return out;
}
