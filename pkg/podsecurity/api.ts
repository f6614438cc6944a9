// The Pod Security Standards' vocabulary, after upstream's k8s.io/pod-security-admission/api:
// the three levels, policy versions ("latest" or "v1.x"), and the namespace labels that
// choose a level and version for each mode (enforce, audit, warn).
import type { StatusCause } from '../../api/meta/v1/status.js';
import { getOwn, hasOwn } from '../../api/util/ownkeys.js';
import { invalid } from '../../api/validation/field.js';

export type Level = 'privileged' | 'baseline' | 'restricted';

const LEVELS: readonly Level[] = ['privileged', 'baseline', 'restricted'];

/** A policy version: "latest" (newer than every numbered one) or v1.<minor>. */
export type Version = { latest: true } | { latest: false; minor: number };

export const LATEST: Version = { latest: true };

export function majorMinor(minor: number): Version {
  return { latest: false, minor };
}

export function versionString(v: Version): string {
  return v.latest ? 'latest' : `v1.${v.minor}`;
}

export interface LevelVersion {
  level: Level;
  version: Version;
}

/** `restricted:latest`, `baseline:v1.25`: how messages name a policy. */
export function levelVersionString(lv: LevelVersion): string {
  return `${lv.level}:${versionString(lv.version)}`;
}

export function sameLevelVersion(a: LevelVersion, b: LevelVersion): boolean {
  return a.level === b.level && versionString(a.version) === versionString(b.version);
}

/** Both privileged (whatever the version), or the same level and version. */
export function equivalent(a: LevelVersion, b: LevelVersion): boolean {
  return (a.level === 'privileged' && b.level === 'privileged') || sameLevelVersion(a, b);
}

export interface Policy {
  enforce: LevelVersion;
  audit: LevelVersion;
  warn: LevelVersion;
}

export function fullyPrivileged(p: Policy): boolean {
  return p.enforce.level === 'privileged' && p.audit.level === 'privileged' && p.warn.level === 'privileged';
}

export function policyEquivalent(a: Policy, b: Policy): boolean {
  return equivalent(a.enforce, b.enforce) && equivalent(a.audit, b.audit) && equivalent(a.warn, b.warn);
}

/** The apiserver's default when a namespace has no labels: privileged:latest in every mode. */
export const DEFAULT_POLICY: Policy = {
  enforce: { level: 'privileged', version: LATEST },
  audit: { level: 'privileged', version: LATEST },
  warn: { level: 'privileged', version: LATEST },
};

const PREFIX = 'pod-security.kubernetes.io/';
export const ENFORCE_LEVEL_LABEL = `${PREFIX}enforce`;
export const ENFORCE_VERSION_LABEL = `${PREFIX}enforce-version`;
export const AUDIT_LEVEL_LABEL = `${PREFIX}audit`;
export const AUDIT_VERSION_LABEL = `${PREFIX}audit-version`;
export const WARN_LEVEL_LABEL = `${PREFIX}warn`;
export const WARN_VERSION_LABEL = `${PREFIX}warn-version`;
/** Audit annotations are written under this prefix: pod-security.kubernetes.io/audit-violations. */
export const AUDIT_ANNOTATION_PREFIX = PREFIX;
export const AUDIT_VIOLATIONS_ANNOTATION = 'audit-violations';
export const ENFORCED_POLICY_ANNOTATION = 'enforce-policy';

/** An invalid level reads as restricted (upstream fails closed for enforce). */
export function parseLevel(level: string): { level: Level; error?: string } {
  if ((LEVELS as readonly string[]).includes(level)) return { level: level as Level };
  return { level: 'restricted', error: `must be one of ${LEVELS.join(', ')}` };
}

const VERSION = /^v1\.([0-9]|[1-9][0-9]*)$/;

/** An invalid version reads as latest. */
export function parseVersion(version: string): { version: Version; error?: string } {
  if (version === 'latest') return { version: LATEST };
  const m = VERSION.exec(version);
  const minor = m ? Number(m[1]) : NaN;
  if (!Number.isSafeInteger(minor)) return { version: LATEST, error: 'must be "latest" or "v1.x"' };
  return { version: majorMinor(minor) };
}

/** -1, 0 or 1 as a is less, as or more restrictive than b. */
export function compareLevels(a: Level, b: Level): number {
  return Math.sign(LEVELS.indexOf(a) - LEVELS.indexOf(b));
}

/**
 * The policy a namespace's labels choose, over the defaults; with a field error per
 * invalid label. An invalid enforce level enforces restricted; an invalid audit or
 * warn level turns that mode off (privileged). Without its own warn label, warn is
 * raised to an enforce level above it, so what would be refused is also warned about.
 */
export function policyToEvaluate(labels: Record<string, string> | undefined, defaults: Policy = DEFAULT_POLICY): { policy: Policy; errors: StatusCause[] } {
  const p: Policy = { enforce: { ...defaults.enforce }, audit: { ...defaults.audit }, warn: { ...defaults.warn } };
  const errors: StatusCause[] = [];
  if (!labels) return { policy: p, errors };
  const label = (key: string): string | undefined => (hasOwn(labels, key) ? String(getOwn(labels, key)) : undefined);
  const note = (key: string, value: string, error: string | undefined): void => {
    if (error) errors.push(invalid(`metadata.labels[${key}]`, value, error));
  };
  let hasEnforceLevel = false;
  const enforceLevel = label(ENFORCE_LEVEL_LABEL);
  if (enforceLevel !== undefined) {
    const r = parseLevel(enforceLevel);
    p.enforce.level = r.level;
    hasEnforceLevel = !r.error;
    note(ENFORCE_LEVEL_LABEL, enforceLevel, r.error);
  }
  const enforceVersion = label(ENFORCE_VERSION_LABEL);
  if (enforceVersion !== undefined) {
    const r = parseVersion(enforceVersion);
    p.enforce.version = r.version;
    note(ENFORCE_VERSION_LABEL, enforceVersion, r.error);
  }
  const auditLevel = label(AUDIT_LEVEL_LABEL);
  if (auditLevel !== undefined) {
    const r = parseLevel(auditLevel);
    p.audit.level = r.error ? 'privileged' : r.level;
    note(AUDIT_LEVEL_LABEL, auditLevel, r.error);
  }
  const auditVersion = label(AUDIT_VERSION_LABEL);
  if (auditVersion !== undefined) {
    const r = parseVersion(auditVersion);
    p.audit.version = r.version;
    note(AUDIT_VERSION_LABEL, auditVersion, r.error);
  }
  const warnLevel = label(WARN_LEVEL_LABEL);
  if (warnLevel !== undefined) {
    const r = parseLevel(warnLevel);
    p.warn.level = r.error ? 'privileged' : r.level;
    note(WARN_LEVEL_LABEL, warnLevel, r.error);
  }
  const warnVersion = label(WARN_VERSION_LABEL);
  if (warnVersion !== undefined) {
    const r = parseVersion(warnVersion);
    p.warn.version = r.version;
    note(WARN_VERSION_LABEL, warnVersion, r.error);
  }
  if (warnLevel === undefined && hasEnforceLevel && compareLevels(p.enforce.level, p.warn.level) > 0) {
    p.warn.level = p.enforce.level;
    if (warnVersion === undefined) p.warn.version = p.enforce.version;
  }
  return { policy: p, errors };
}
