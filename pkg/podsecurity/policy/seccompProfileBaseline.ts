// Baseline: a seccomp profile, where set, is RuntimeDefault or Localhost (never
// Unconfined). Policies before v1.19 read the old seccomp annotations instead.
import type { ObjectMeta } from '../../../api/meta/v1/types.js';
import type { PodSpec } from '../../../api/core/v1/types.js';
import { getOwn, hasOwn } from '../../../api/util/ownkeys.js';
import { ALLOWED, forbidden, joinQuote, pluralize, setters, sortedSet, visitContainers, type Check, type CheckResult } from './check.js';

export const SECCOMP_BASELINE = 'seccompProfile_baseline';

const POD_ANNOTATION = 'seccomp.security.alpha.kubernetes.io/pod';
const CONTAINER_ANNOTATION_PREFIX = 'container.seccomp.security.alpha.kubernetes.io/';

export function validSeccomp(type: string | undefined): boolean {
  return type === 'Localhost' || type === 'RuntimeDefault';
}

function validAnnotationValue(v: string): boolean {
  return v === 'runtime/default' || v === 'docker/default' || v.startsWith('localhost/');
}

function seccompProfileBaseline_1_0(meta: ObjectMeta, spec: PodSpec): CheckResult {
  const annotations = meta.annotations ?? {};
  const bad: string[] = [];
  const check = (key: string): void => {
    if (!hasOwn(annotations, key)) return;
    const value = String(getOwn(annotations, key));
    if (!validAnnotationValue(value)) bad.push(`${key}=${JSON.stringify(value)}`);
  };
  check(POD_ANNOTATION);
  visitContainers(spec, (c) => check(CONTAINER_ANNOTATION_PREFIX + c.name));
  const list = sortedSet(bad);
  if (!list.length) return ALLOWED;
  return forbidden('seccompProfile', `forbidden ${pluralize('annotation', 'annotations', list.length)} ${list.join(', ')}`);
}

function seccompProfileBaseline_1_19(spec: PodSpec): CheckResult {
  const badValues: string[] = [];
  const podProfile = spec.securityContext?.seccompProfile;
  const podBad = !!podProfile && !validSeccomp(podProfile.type);
  if (podBad) badValues.push(String(podProfile.type ?? ''));
  const bad: string[] = [];
  visitContainers(spec, (c) => {
    const profile = c.securityContext?.seccompProfile;
    if (profile && !validSeccomp(profile.type)) {
      bad.push(c.name);
      badValues.push(String(profile.type ?? ''));
    }
  });
  const who = setters(podBad, bad);
  if (!who.length) return ALLOWED;
  return forbidden('seccompProfile', `${who.join(' and ')} must not set securityContext.seccompProfile.type to ${joinQuote(sortedSet(badValues))}`);
}

export const seccompProfileBaseline: Check = {
  id: SECCOMP_BASELINE,
  level: 'baseline',
  versions: [
    { minimumVersion: 0, checkPod: seccompProfileBaseline_1_0 },
    { minimumVersion: 19, checkPod: (_m, spec) => seccompProfileBaseline_1_19(spec) },
  ],
};
