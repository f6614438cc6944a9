// Baseline: SELinux types only from the container set, and no custom user or role.
// container_engine_t joins the allowed types in v1.31.
import type { SELinuxOptions, PodSpec } from '../../../api/core/v1/types.js';
import { ALLOWED, forbidden, joinQuote, pluralize, setters, sortedSet, visitContainers, type CheckResult, type Check } from './check.js';

const TYPES_1_0 = new Set(['', 'container_t', 'container_init_t', 'container_kvm_t']);
const TYPES_1_31 = new Set([...TYPES_1_0, 'container_engine_t']);

function seLinuxOptionsCheck(spec: PodSpec, allowedTypes: ReadonlySet<string>): CheckResult {
  const badTypes: string[] = [];
  let setUser = false;
  let setRole = false;
  const valid = (opts: SELinuxOptions): boolean => {
    let ok = true;
    const type = opts.type ?? '';
    if (!allowedTypes.has(type)) {
      ok = false;
      badTypes.push(type);
    }
    if (opts.user) {
      ok = false;
      setUser = true;
    }
    if (opts.role) {
      ok = false;
      setRole = true;
    }
    return ok;
  };
  const podOpts = spec.securityContext?.seLinuxOptions;
  const podBad = !!podOpts && !valid(podOpts);
  const bad: string[] = [];
  visitContainers(spec, (c) => {
    const opts = c.securityContext?.seLinuxOptions;
    if (opts && !valid(opts)) bad.push(c.name);
  });
  const who = setters(podBad, bad);
  if (!who.length) return ALLOWED;
  const data: string[] = [];
  const types = sortedSet(badTypes);
  if (types.length) data.push(`${pluralize('type', 'types', types.length)} ${joinQuote(types)}`);
  if (setUser) data.push('user may not be set');
  if (setRole) data.push('role may not be set');
  return forbidden('seLinuxOptions', `${who.join(' and ')} set forbidden securityContext.seLinuxOptions: ${data.join('; ')}`);
}

export const seLinuxOptions: Check = {
  id: 'seLinuxOptions',
  level: 'baseline',
  versions: [
    { minimumVersion: 0, checkPod: (_m, spec) => seLinuxOptionsCheck(spec, TYPES_1_0) },
    { minimumVersion: 31, checkPod: (_m, spec) => seLinuxOptionsCheck(spec, TYPES_1_31) },
  ],
};
