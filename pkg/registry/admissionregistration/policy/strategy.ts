// The strategies of ValidatingAdmissionPolicy and ValidatingAdmissionPolicyBinding:
// defaults and field checks from api/admissionregistration/v1, then every CEL
// expression compiled (a 422 on the policy for one that does not). A policy's
// status.typeChecking is computed when its spec is written, with observedGeneration,
// where upstream's controller writes it moments later.
import { setDefaultsValidatingAdmissionPolicy, setDefaultsValidatingAdmissionPolicyBinding } from '../../../../api/admissionregistration/v1/defaults.js';
import {
  validateValidatingAdmissionPolicy,
  validateValidatingAdmissionPolicyBinding,
  validateValidatingAdmissionPolicyBindingUpdate,
  validateValidatingAdmissionPolicyUpdate,
} from '../../../../api/admissionregistration/v1/policyvalidation.js';
import type { ValidatingAdmissionPolicy } from '../../../../api/admissionregistration/v1/types.js';
import type { KubeObject } from '../../../../api/meta/v1/types.js';
import type { StrategyWithHooks } from '../../strategy.js';
import { isDeepStrictEqual } from 'node:util';
import { policyCompileErrors } from './compile.js';
import { typeCheckPolicy } from './typechecking.js';

function setTypeChecking(obj: KubeObject, generation: number): void {
  const policy = obj as ValidatingAdmissionPolicy;
  let warnings: ReturnType<typeof typeCheckPolicy>;
  try {
    warnings = typeCheckPolicy(policy);
  } catch {
    return; // a malformed spec, which validation refuses next
  }
  policy.status = {
    ...(policy.status ?? {}),
    observedGeneration: generation,
    typeChecking: warnings.length ? { expressionWarnings: warnings } : {},
  };
}

export const policyStrategy: StrategyWithHooks = {
  tracksGeneration: true,
  defaults: setDefaultsValidatingAdmissionPolicy,
  validate: (obj) => {
    const errs = validateValidatingAdmissionPolicy(obj);
    return errs.length ? errs : policyCompileErrors(obj as ValidatingAdmissionPolicy);
  },
  validateUpdate: validateValidatingAdmissionPolicyUpdate,
  prepareForCreate: (obj) => setTypeChecking(obj, 1),
  prepareForUpdate: (obj, old, subresource) => {
    if (subresource) return;
    setDefaultsValidatingAdmissionPolicy(obj); // so that an omitted default is not a change
    const changed = !isDeepStrictEqual((obj as { spec?: unknown }).spec, (old as { spec?: unknown }).spec);
    if (changed || !(obj as ValidatingAdmissionPolicy).status?.typeChecking) setTypeChecking(obj, (old.metadata.generation ?? 1) + (changed ? 1 : 0));
  },
};

export const policyBindingStrategy: StrategyWithHooks = {
  tracksGeneration: true,
  defaults: setDefaultsValidatingAdmissionPolicyBinding,
  validate: validateValidatingAdmissionPolicyBinding,
  validateUpdate: validateValidatingAdmissionPolicyBindingUpdate,
};
