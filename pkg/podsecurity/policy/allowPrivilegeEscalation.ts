// Restricted: privilege escalation (set-user-ID binaries, file capabilities) must be off:
// every container sets securityContext.allowPrivilegeEscalation=false. From v1.25 Windows
// pods are exempt (the field means nothing there).
import type { PodSpec } from '../../../api/core/v1/types.js';
import { ALLOWED, forbidden, isWindows, joinQuote, pluralize, visitContainers, type Check, type CheckResult } from './check.js';

function allowPrivilegeEscalation_1_8(spec: PodSpec): CheckResult {
  const bad: string[] = [];
  visitContainers(spec, (c) => {
    if (c.securityContext?.allowPrivilegeEscalation !== false) bad.push(c.name);
  });
  if (!bad.length) return ALLOWED;
  return forbidden(
    'allowPrivilegeEscalation != false',
    `${pluralize('container', 'containers', bad.length)} ${joinQuote(bad)} must set securityContext.allowPrivilegeEscalation=false`,
  );
}

export const allowPrivilegeEscalation: Check = {
  id: 'allowPrivilegeEscalation',
  level: 'restricted',
  versions: [
    { minimumVersion: 8, checkPod: (_m, spec) => allowPrivilegeEscalation_1_8(spec) },
    { minimumVersion: 25, checkPod: (_m, spec) => (isWindows(spec) ? ALLOWED : allowPrivilegeEscalation_1_8(spec)) },
  ],
};
