// Baseline: only the "safe" sysctls, namespaced to the pod and isolated from other
// pods; the set grows with the policy version.
import type { PodSpec } from '../../../api/core/v1/types.js';
import { ALLOWED, forbidden, type Check, type CheckResult } from './check.js';

const SAFE_1_0 = [
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_unprivileged_port_start',
];
const SAFE_1_27 = [...SAFE_1_0, 'net.ipv4.ip_local_reserved_ports'];
const SAFE_1_29 = [...SAFE_1_27, 'net.ipv4.tcp_keepalive_time', 'net.ipv4.tcp_fin_timeout', 'net.ipv4.tcp_keepalive_intvl', 'net.ipv4.tcp_keepalive_probes'];
const SAFE_1_32 = [...SAFE_1_29, 'net.ipv4.tcp_rmem', 'net.ipv4.tcp_wmem'];

function sysctlsCheck(spec: PodSpec, safe: ReadonlySet<string>): CheckResult {
  const bad = (spec.securityContext?.sysctls ?? []).map((s) => s.name).filter((name) => !safe.has(name));
  return bad.length ? forbidden('forbidden sysctls', bad.join(', ')) : ALLOWED;
}

const versioned = (minimumVersion: number, safe: string[]) => {
  const set = new Set(safe);
  return { minimumVersion, checkPod: (_m: unknown, spec: PodSpec) => sysctlsCheck(spec, set) };
};

export const sysctls: Check = {
  id: 'sysctls',
  level: 'baseline',
  versions: [versioned(0, SAFE_1_0), versioned(27, SAFE_1_27), versioned(29, SAFE_1_29), versioned(32, SAFE_1_32)],
};
