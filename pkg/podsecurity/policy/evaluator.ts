// The checks of the Pod Security Standards and which apply to a level and version,
// after upstream's policy.checkRegistry: baseline checks, then restricted ones, each
// group in check-ID order; a restricted check replaces the baseline checks it
// overrides. A version newer than every check's is evaluated as the newest one.
import type { PodSpec } from '../../../api/core/v1/types.js';
import type { ObjectMeta } from '../../../api/meta/v1/types.js';
import type { LevelVersion } from '../api.js';
import { allowPrivilegeEscalation } from './allowPrivilegeEscalation.js';
import { appArmorProfile } from './appArmorProfile.js';
import { capabilitiesBaseline } from './capabilitiesBaseline.js';
import { capabilitiesRestricted } from './capabilitiesRestricted.js';
import type { Check, CheckResult, VersionedCheck } from './check.js';
import { hostNamespaces } from './hostNamespaces.js';
import { hostPathVolumes } from './hostPathVolumes.js';
import { hostPorts } from './hostPorts.js';
import { privileged } from './privileged.js';
import { procMount } from './procMount.js';
import { restrictedVolumes } from './restrictedVolumes.js';
import { runAsNonRoot } from './runAsNonRoot.js';
import { runAsUser } from './runAsUser.js';
import { seccompProfileBaseline } from './seccompProfileBaseline.js';
import { seccompProfileRestricted } from './seccompProfileRestricted.js';
import { seLinuxOptions } from './seLinuxOptions.js';
import { sysctls } from './sysctls.js';
import { windowsHostProcess } from './windowsHostProcess.js';

export const DEFAULT_CHECKS: readonly Check[] = [
  allowPrivilegeEscalation,
  appArmorProfile,
  capabilitiesBaseline,
  capabilitiesRestricted,
  hostNamespaces,
  hostPathVolumes,
  hostPorts,
  privileged,
  procMount,
  restrictedVolumes,
  runAsNonRoot,
  runAsUser,
  seLinuxOptions,
  seccompProfileBaseline,
  seccompProfileRestricted,
  sysctls,
  windowsHostProcess,
];

const byID = (a: Check, b: Check): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** The revision of a check in force at policy version v1.<minor>, if the check exists yet. */
function revisionAt(check: Check, minor: number): VersionedCheck | undefined {
  let found: VersionedCheck | undefined;
  for (const v of check.versions) if (v.minimumVersion <= minor) found = v;
  return found;
}

export class Evaluator {
  private readonly baseline: Check[];
  private readonly restricted: Check[];
  /** The newest version any check names: later versions (and latest) evaluate as this one. */
  readonly maxVersion: number;

  constructor(checks: readonly Check[] = DEFAULT_CHECKS) {
    this.baseline = checks.filter((c) => c.level === 'baseline').sort(byID);
    this.restricted = checks.filter((c) => c.level === 'restricted').sort(byID);
    this.maxVersion = Math.max(0, ...checks.flatMap((c) => c.versions.map((v) => v.minimumVersion)));
  }

  /** The checks' results for a pod (its metadata and spec, or a template's) at a level and version. */
  evaluatePod(lv: LevelVersion, meta: ObjectMeta, spec: PodSpec): CheckResult[] {
    if (lv.level === 'privileged') return [];
    const minor = lv.version.latest ? this.maxVersion : Math.min(lv.version.minor, this.maxVersion);
    const restricted = lv.level === 'restricted' ? this.restricted.map((c) => revisionAt(c, minor)).filter((r) => r !== undefined) : [];
    const overridden = new Set(restricted.flatMap((r) => r.overrides ?? []));
    const baseline = this.baseline.filter((c) => !overridden.has(c.id)).map((c) => revisionAt(c, minor));
    return [...baseline, ...restricted].filter((r) => r !== undefined).map((r) => r.checkPod(meta, spec));
  }
}

/** The forbidden results of a set of checks, in order. */
export interface AggregateCheckResult {
  allowed: boolean;
  forbiddenReasons: string[];
  forbiddenDetails: string[];
}

export function aggregateCheckResults(results: readonly CheckResult[]): AggregateCheckResult {
  const reasons: string[] = [];
  const details: string[] = [];
  for (const r of results) {
    if (r.allowed) continue;
    reasons.push(r.forbiddenReason || 'unknown forbidden reason');
    details.push(r.forbiddenDetail ?? '');
  }
  return { allowed: reasons.length === 0, forbiddenReasons: reasons, forbiddenDetails: details };
}

/** `host namespaces, privileged`: the reasons alone (what namespace-wide warnings show). */
export function forbiddenReason(a: AggregateCheckResult): string {
  return a.forbiddenReasons.join(', ');
}

/** `host namespaces (hostNetwork=true), privileged (container "x" must not set ...)`. */
export function forbiddenDetail(a: AggregateCheckResult): string {
  return a.forbiddenReasons.map((reason, i) => (a.forbiddenDetails[i] ? `${reason} (${a.forbiddenDetails[i]})` : reason)).join(', ');
}
