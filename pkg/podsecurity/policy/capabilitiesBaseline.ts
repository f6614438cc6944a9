// Baseline: containers may add only capabilities from the container runtime's default
// set (NET_RAW and everything beyond it is refused).
import type { PodSpec } from '../../../api/core/v1/types.js';
import { ALLOWED, forbidden, joinQuote, pluralize, sortedSet, visitContainers, type Check, type CheckResult } from './check.js';

export const CAPABILITIES_BASELINE = 'capabilities_baseline';

const DEFAULT_CAPABILITIES = new Set([
  'AUDIT_WRITE',
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'KILL',
  'MKNOD',
  'NET_BIND_SERVICE',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_CHROOT',
]);

function capabilitiesBaseline_1_0(spec: PodSpec): CheckResult {
  const bad: string[] = [];
  const added: string[] = [];
  visitContainers(spec, (c) => {
    const extra = (c.securityContext?.capabilities?.add ?? []).filter((cap) => !DEFAULT_CAPABILITIES.has(cap));
    if (!extra.length) return;
    bad.push(c.name);
    added.push(...extra);
  });
  if (!bad.length) return ALLOWED;
  return forbidden(
    'non-default capabilities',
    `${pluralize('container', 'containers', bad.length)} ${joinQuote(bad)} must not include ${joinQuote(sortedSet(added))} in securityContext.capabilities.add`,
  );
}

export const capabilitiesBaseline: Check = {
  id: CAPABILITIES_BASELINE,
  level: 'baseline',
  versions: [{ minimumVersion: 0, checkPod: (_m, spec) => capabilitiesBaseline_1_0(spec) }],
};
