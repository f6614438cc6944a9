// What a Pod Security Standards check is, after upstream's policy.Check: an ID, the
// level it belongs to, and one or more revisions, each applying from a policy version.
import type { Container, PodSpec } from '../../../api/core/v1/types.js';
import type { ObjectMeta } from '../../../api/meta/v1/types.js';

/**
 * Whether a check allows the pod, and if not why: forbiddenReason is short and always
 * shown ("host namespaces"); forbiddenDetail names what was wrong ("hostNetwork=true").
 */
export interface CheckResult {
  allowed: boolean;
  forbiddenReason?: string;
  forbiddenDetail?: string;
}

export const ALLOWED: CheckResult = { allowed: true };

export function forbidden(reason: string, detail: string): CheckResult {
  return { allowed: false, forbiddenReason: reason, forbiddenDetail: detail };
}

export type CheckPod = (meta: ObjectMeta, spec: PodSpec) => CheckResult;

export interface VersionedCheck {
  /** The first policy version (v1.<minor>) this revision applies to. */
  minimumVersion: number;
  checkPod: CheckPod;
  /** Baseline checks this restricted revision replaces (it checks the same fields more strictly). */
  overrides?: readonly string[];
}

export interface Check {
  id: string;
  level: 'baseline' | 'restricted';
  /** Revisions in increasing minimumVersion. */
  versions: readonly VersionedCheck[];
}

/** `"a", "b"`: names quoted and joined as upstream's messages list them. */
export function joinQuote(items: readonly string[]): string {
  return items.length ? `"${items.join('", "')}"` : '';
}

export function pluralize(singular: string, plural: string, count: number): string {
  return count === 1 ? singular : plural;
}

/** Sorted and deduplicated (upstream's sets.String.List()). */
export function sortedSet(values: Iterable<string>): string[] {
  return [...new Set(values)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Every container of the pod: init containers, containers, then ephemeral containers. */
export function visitContainers(spec: PodSpec, visit: (c: Container) => void): void {
  for (const c of spec.initContainers ?? []) visit(c);
  for (const c of spec.containers ?? []) visit(c);
  // An EphemeralContainer has a Container's fields (EphemeralContainerCommon).
  for (const c of spec.ephemeralContainers ?? []) visit(c as Container);
}

/** `pod and containers "a", "b"`: who set a forbidden value. */
export function setters(pod: boolean, containers: readonly string[]): string[] {
  const out: string[] = pod ? ['pod'] : [];
  if (containers.length) out.push(`${pluralize('container', 'containers', containers.length)} ${joinQuote(containers)}`);
  return out;
}

export function isWindows(spec: PodSpec): boolean {
  return spec.os?.name === 'windows';
}
