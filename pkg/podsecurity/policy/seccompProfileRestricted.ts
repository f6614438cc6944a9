// Restricted: a seccomp profile must be set, RuntimeDefault or Localhost, on the pod or
// on every container. Replaces the baseline seccomp check; Windows pods are exempt
// from v1.25.
import type { PodSpec } from '../../../api/core/v1/types.js';
import { SECCOMP_BASELINE, validSeccomp } from './seccompProfileBaseline.js';
import { ALLOWED, forbidden, isWindows, joinQuote, pluralize, setters, sortedSet, visitContainers, type Check, type CheckResult } from './check.js';

function seccompProfileRestricted_1_19(spec: PodSpec): CheckResult {
  const badValues: string[] = [];
  const podProfile = spec.securityContext?.seccompProfile;
  const podBad = !!podProfile && !validSeccomp(podProfile.type);
  if (podBad) badValues.push(String(podProfile.type ?? ''));
  const podSet = !!podProfile && !podBad;
  const explicitlyBad: string[] = [];
  const implicitlyBad: string[] = [];
  visitContainers(spec, (c) => {
    const profile = c.securityContext?.seccompProfile;
    if (profile) {
      if (!validSeccomp(profile.type)) {
        explicitlyBad.push(c.name);
        badValues.push(String(profile.type ?? ''));
      }
    } else if (!podSet) implicitlyBad.push(c.name);
  });
  const who = setters(podBad, explicitlyBad);
  if (who.length) {
    return forbidden('seccompProfile', `${who.join(' and ')} must not set securityContext.seccompProfile.type to ${joinQuote(sortedSet(badValues))}`);
  }
  if (implicitlyBad.length) {
    return forbidden(
      'seccompProfile',
      `pod or ${pluralize('container', 'containers', implicitlyBad.length)} ${joinQuote(implicitlyBad)} must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"`,
    );
  }
  return ALLOWED;
}

export const seccompProfileRestricted: Check = {
  id: 'seccompProfile_restricted',
  level: 'restricted',
  versions: [
    { minimumVersion: 19, checkPod: (_m, spec) => seccompProfileRestricted_1_19(spec), overrides: [SECCOMP_BASELINE] },
    { minimumVersion: 25, checkPod: (_m, spec) => (isWindows(spec) ? ALLOWED : seccompProfileRestricted_1_19(spec)), overrides: [SECCOMP_BASELINE] },
  ],
};
