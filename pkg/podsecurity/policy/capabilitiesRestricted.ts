// Restricted: every container drops ALL capabilities and may add back only
// NET_BIND_SERVICE. Replaces the baseline capabilities check; Windows pods are exempt
// from v1.25.
import type { PodSpec } from '../../../api/core/v1/types.js';
import { CAPABILITIES_BASELINE } from './capabilitiesBaseline.js';
import { ALLOWED, forbidden, isWindows, joinQuote, pluralize, sortedSet, visitContainers, type Check, type CheckResult } from './check.js';

function capabilitiesRestricted_1_22(spec: PodSpec): CheckResult {
  const missingDropAll: string[] = [];
  const addingForbidden: string[] = [];
  const forbiddenCaps: string[] = [];
  visitContainers(spec, (c) => {
    const caps = c.securityContext?.capabilities;
    if (!caps) {
      missingDropAll.push(c.name);
      return;
    }
    if (!(caps.drop ?? []).includes('ALL')) missingDropAll.push(c.name);
    const extra = (caps.add ?? []).filter((cap) => cap !== 'NET_BIND_SERVICE');
    if (extra.length) {
      addingForbidden.push(c.name);
      forbiddenCaps.push(...extra);
    }
  });
  const details: string[] = [];
  if (missingDropAll.length) {
    details.push(
      `${pluralize('container', 'containers', missingDropAll.length)} ${joinQuote(missingDropAll)} must set securityContext.capabilities.drop=["ALL"]`,
    );
  }
  if (addingForbidden.length) {
    details.push(
      `${pluralize('container', 'containers', addingForbidden.length)} ${joinQuote(addingForbidden)} must not include ${joinQuote(sortedSet(forbiddenCaps))} in securityContext.capabilities.add`,
    );
  }
  return details.length ? forbidden('unrestricted capabilities', details.join('; ')) : ALLOWED;
}

export const capabilitiesRestricted: Check = {
  id: 'capabilities_restricted',
  level: 'restricted',
  versions: [
    { minimumVersion: 22, checkPod: (_m, spec) => capabilitiesRestricted_1_22(spec), overrides: [CAPABILITIES_BASELINE] },
    { minimumVersion: 25, checkPod: (_m, spec) => (isWindows(spec) ? ALLOWED : capabilitiesRestricted_1_22(spec)), overrides: [CAPABILITIES_BASELINE] },
  ],
};
