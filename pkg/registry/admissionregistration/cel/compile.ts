// The CEL environments of admission (upstream's k8s.io/apiserver/pkg/admission/plugin/cel):
// the variables an admission expression may use, and compiling it once, when the
// configuration or policy that holds it is written. Every environment declares
// object, oldObject, request, namespaceObject and authorizer; params and variables only where
// the holder may use them (a webhook's matchConditions have neither).
import { CelEnvironment, CompileError, type CompiledExpression } from '../../../cel/environment.js';
import { AUTHORIZER_TYPE } from '../../../cel/library/authz.js';

export interface Declarations {
  /** params: a policy's paramKind object (null when it has none). */
  params: boolean;
  /** variables: a policy's spec.variables, by name. */
  variables: boolean;
}

const environments = new Map<string, CelEnvironment>();

function environment(d: Declarations): CelEnvironment {
  const key = `${d.params}/${d.variables}`;
  let env = environments.get(key);
  if (!env) {
    const vars: Array<[string, string]> = [
      ['object', 'dyn'],
      ['oldObject', 'dyn'],
      ['request', 'map<string, dyn>'],
      ['namespaceObject', 'dyn'],
      ['authorizer', AUTHORIZER_TYPE],
    ];
    if (d.params) vars.push(['params', 'dyn']);
    if (d.variables) vars.push(['variables', 'map<string, dyn>']);
    env = new CelEnvironment(vars);
    environments.set(key, env);
  }
  return env;
}

export type CompileResult = { compiled: CompiledExpression } | { error: string };

/** Compiles an expression; the error reads as upstream's field error detail ("compilation failed: ERROR: <input>:1:1: ..."). */
export function compileAdmissionExpression(expression: string, d: Declarations, returnTypes?: readonly string[]): CompileResult {
  try {
    return { compiled: environment(d).compile(expression, returnTypes) };
  } catch (err) {
    if (err instanceof CompileError) return { error: `compilation failed: ${err.message}` };
    return { error: `compilation failed: ${(err as Error).message}` };
  }
}
