// Baseline: containers may not bind ports on the host (hostPort must be unset or 0).
import type { PodSpec } from '../../../api/core/v1/types.js';
import { ALLOWED, forbidden, joinQuote, pluralize, sortedSet, visitContainers, type Check, type CheckResult } from './check.js';

function hostPorts_1_0(spec: PodSpec): CheckResult {
  const bad: string[] = [];
  const ports: string[] = [];
  visitContainers(spec, (c) => {
    const used = (c.ports ?? []).filter((p) => p.hostPort != null && p.hostPort !== 0).map((p) => String(p.hostPort));
    if (!used.length) return;
    bad.push(c.name);
    ports.push(...used);
  });
  if (!bad.length) return ALLOWED;
  // Listed as strings in string order, as upstream lists them.
  const list = sortedSet(ports);
  return forbidden(
    'hostPort',
    `${pluralize('container', 'containers', bad.length)} ${joinQuote(bad)} ${pluralize('uses', 'use', bad.length)} ${pluralize('hostPort', 'hostPorts', list.length)} ${list.join(', ')}`,
  );
}

export const hostPorts: Check = {
  id: 'hostPorts',
  level: 'baseline',
  versions: [{ minimumVersion: 0, checkPod: (_m, spec) => hostPorts_1_0(spec) }],
};
