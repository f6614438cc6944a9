// Name syntaxes the registry validators need, with their exact Kubernetes
// messages. Each check returns the list of problems (empty when valid). The
// apimachinery ones live in pkg/util/validation.ts and are re-exported here so
// the api/*/validation.ts files have one import site; this file adds the
// syntaxes only pkg/apis/core (and friends) use.
import { DNS1123_SUBDOMAIN_MAX_LENGTH, isDNS1035Label, isDNS1123Label, isDNS1123Subdomain, maxLenError, regexError } from '../util/validation.js';

export { isDNS1035Label, isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidLabelValue, maxLenError } from '../util/validation.js';

const configMapKeyFmt = '[-._a-zA-Z0-9]+';
const envVarNameFmt = '[-._a-zA-Z][-._a-zA-Z0-9]*';
const percentFmt = '[0-9]+%';

const full = (fmt: string) => new RegExp(`^${fmt}$`);
const configMapKeyRe = full(configMapKeyFmt);
const envVarNameRe = full(envVarNameFmt);
const percentRe = full(percentFmt);

/** IANA_SVC_NAME: ≤15 chars, lowercase alphanumerics and '-', at least one letter, no '--' nor leading/trailing '-'. */
export function isValidPortName(v: string): string[] {
  const errs: string[] = [];
  if (v.length > 15) errs.push(maxLenError(15));
  if (!/^[-a-z0-9]+$/.test(v)) errs.push(regexError('must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)', '[-a-z0-9]+'));
  if (v.includes('--')) errs.push('must not contain consecutive hyphens');
  if (!/[a-z]/.test(v)) errs.push('must contain at least one letter (a-z)');
  if (v.startsWith('-') || v.endsWith('-')) errs.push('must not begin or end with a hyphen');
  return errs;
}

export function isValidPortNum(p: number): string[] {
  return Number.isInteger(p) && p >= 1 && p <= 65535 ? [] : ['must be between 1 and 65535, inclusive'];
}

export function isConfigMapKey(v: string): string[] {
  const errs: string[] = [];
  if (v.length > DNS1123_SUBDOMAIN_MAX_LENGTH) errs.push(maxLenError(DNS1123_SUBDOMAIN_MAX_LENGTH));
  if (!configMapKeyRe.test(v))
    errs.push(regexError("a valid config key must consist of alphanumeric characters, '-', '_' or '.'", configMapKeyFmt, 'key.name', 'KEY_NAME', 'key-name'));
  errs.push(...hasChDirPrefix(v));
  return errs;
}

export function isEnvVarName(v: string): string[] {
  const errs: string[] = [];
  if (!envVarNameRe.test(v))
    errs.push(
      regexError(
        "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit",
        envVarNameFmt,
        'my.env-name',
        'MY_ENV.NAME',
        'MyEnvName1',
      ),
    );
  errs.push(...hasChDirPrefix(v));
  return errs;
}

/** Keys and names that become file names must not walk out of their directory. */
function hasChDirPrefix(v: string): string[] {
  if (v === '.') return ["must not be '.'"];
  if (v === '..') return ["must not be '..'"];
  return v.startsWith('..') ? ["must not start with '..'"] : [];
}

export function isPercent(v: string): boolean {
  return percentRe.test(v);
}

export const PERCENT_ERROR = regexError("a valid percent string must be a numeric string followed by an ending '%'", percentFmt, '1%', '93%');

/** path.IsValidPathSegmentName: used for RBAC objects and PersistentVolumes. */
export function isValidPathSegmentName(v: string): string[] {
  if (v === '.' || v === '..') return [`may not be '${v}'`];
  const errs: string[] = [];
  for (const bad of ['/', '%']) if (v.includes(bad)) errs.push(`may not contain '${bad}'`);
  return errs;
}

export function isIPv4(v: string): boolean {
  const parts = v.split('.');
  return parts.length === 4 && parts.every((p) => /^(0|[1-9][0-9]{0,2})$/.test(p) && Number(p) <= 255);
}

export function isIP(v: string): boolean {
  if (isIPv4(v)) return true;
  // IPv6: let the URL parser decide (it normalizes but rejects malformed literals).
  if (!v.includes(':')) return false;
  try {
    new URL(`http://[${v}]/`);
    return true;
  } catch {
    return false;
  }
}

export const IP_ERROR = 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)';

/** A NameValidator as in apimachinery: `prefix` is true for generateName (a trailing '-' is allowed). */
export type NameValidator = (name: string, prefix: boolean) => string[];

function maskTrailingDash(name: string): string {
  return name.length > 1 && name.endsWith('-') ? `${name.slice(0, -2)}a` : name;
}

export const nameIsDNSSubdomain: NameValidator = (n, prefix) => isDNS1123Subdomain(prefix ? maskTrailingDash(n) : n);
export const nameIsDNSLabel: NameValidator = (n, prefix) => isDNS1123Label(prefix ? maskTrailingDash(n) : n);
export const nameIsDNS1035Label: NameValidator = (n, prefix) => isDNS1035Label(prefix ? maskTrailingDash(n) : n);
export const nameIsPathSegment: NameValidator = (n) => isValidPathSegmentName(n);
