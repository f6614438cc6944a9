// One evaluation of a policy, for one binding and one param (upstream's
// validating/validator.go): variables, matchConditions, then each validation and
// audit annotation, all charged to one runtime cost budget. The result is the
// list of decisions; failures to evaluate become decisions only under
// failurePolicy Fail.
import type { KubeObject } from '../../../../api/meta/v1/types.js';
import { CostBudget, CostLimitError } from '../../../cel/environment.js';
import { toCel } from '../../../cel/value.js';
import type { CompiledPolicy } from './compile.js';

export interface Decision {
  /** What the binding's validationActions apply to. */
  message: string;
  /** The Status reason of a denial; '' for Invalid. */
  reason: string;
  /** Index of the validation that failed; -1 for a failure to evaluate. */
  expressionIndex: number;
}

export interface EvaluationResult {
  decisions: Decision[];
  /** What went wrong evaluating, for the metrics: an expression that does not compile, or one that failed. */
  errorType: 'no_error' | 'compile_error' | 'invalid_error';
  /** auditAnnotations: key (already prefixed with the policy's name) → value. */
  annotations: Array<[string, string]>;
}

const OUT_OF_BUDGET = 'validation failed due to running out of cost budget, no further validation rules will be run';

function errorMessage(err: unknown): string {
  if (err instanceof CostLimitError) return err.message;
  return (err as { summary?: string }).summary ?? (err as Error).message ?? String(err);
}

export async function evaluatePolicy(policy: CompiledPolicy, base: ReadonlyMap<string, unknown>, param: KubeObject | null): Promise<EvaluationResult> {
  const decisions: Decision[] = [];
  const annotations: Array<[string, string]> = [];
  let errorType: EvaluationResult['errorType'] = 'no_error';
  const fail = (message: string, type: EvaluationResult['errorType'] = 'invalid_error') => {
    if (errorType === 'no_error') errorType = type;
    if (policy.failurePolicy === 'Fail') decisions.push({ message, reason: '', expressionIndex: -1 });
  };
  const budget = new CostBudget();
  const activation = new Map(base);
  activation.set('params', toCel(param));
  // Each variable sees those before it. One that fails is left out, and an expression that reads it
  // fails with the variable's error, as with upstream's lazily evaluated variables.
  const variables = new Map<string, unknown>();
  const failedVariables = new Map<string, string>();
  const errorText = (err: unknown): string => {
    const text = errorMessage(err);
    const missing = /^No such key: (.*)$/.exec(text);
    const failed = missing && failedVariables.get(missing[1]);
    return failed ? `composited variable "${missing[1]}" fails to evaluate: ${failed}` : text;
  };
  activation.set('variables', variables);
  try {
    for (const v of policy.variables) {
      if (!v.compiled) continue;
      try {
        variables.set(v.name, await v.compiled.evaluateAsync(activation, budget));
      } catch (err) {
        if (err instanceof CostLimitError) throw err;
        failedVariables.set(v.name, errorText(err));
      }
    }
    const matched = await policy.matchConditions.match(activation, budget);
    if ('error' in matched) {
      fail(matched.error);
      return { decisions, annotations, errorType };
    }
    if (!matched.matches) return { decisions, annotations, errorType };
    for (const [i, v] of policy.validations.entries()) {
      if (!v.compiled) {
        fail(`compilation error: ${v.error ?? ''}`, 'compile_error');
        continue;
      }
      let ok: unknown;
      try {
        ok = await v.compiled.evaluateAsync(activation, budget);
      } catch (err) {
        if (err instanceof CostLimitError) throw err;
        fail(`expression '${v.expression}' resulted in error: ${errorText(err)}`);
        continue;
      }
      if (ok === true) continue;
      if (ok !== false) {
        fail(`expression '${v.expression}' resulted in error: validation expression must evaluate to bool`);
        continue;
      }
      let message = v.message || `failed expression: ${v.expression.trim()}`;
      if (v.messageExpression?.compiled) {
        try {
          const m = await v.messageExpression.compiled.evaluateAsync(activation, budget);
          // An empty or multi-line result falls back to message, as upstream's.
          if (typeof m === 'string' && m.trim() !== '' && !m.includes('\n')) message = m.trim();
        } catch (err) {
          if (err instanceof CostLimitError) throw err;
        }
      }
      decisions.push({ message, reason: v.reason ?? '', expressionIndex: i });
    }
    for (const a of policy.auditAnnotations) {
      if (!a.compiled) continue;
      try {
        const value = await a.compiled.evaluateAsync(activation, budget);
        if (typeof value === 'string') annotations.push([`${policy.name}/${a.key}`, value]);
      } catch (err) {
        if (err instanceof CostLimitError) throw err;
        fail(`expression '${a.expression}' resulted in error: ${errorText(err)}`);
      }
    }
  } catch (err) {
    if (!(err instanceof CostLimitError)) throw err;
    fail(OUT_OF_BUDGET);
  }
  return { decisions, annotations, errorType };
}
