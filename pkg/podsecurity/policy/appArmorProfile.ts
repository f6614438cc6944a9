// Baseline: AppArmor may not be turned off or overridden with an arbitrary profile.
// appArmorProfile.type (pod or container) must be RuntimeDefault or Localhost; the
// deprecated container.apparmor.security.beta.kubernetes.io/* annotations must be
// empty, runtime/default or localhost/<profile>.
import type { ObjectMeta } from '../../../api/meta/v1/types.js';
import type { PodSpec } from '../../../api/core/v1/types.js';
import { ALLOWED, forbidden, joinQuote, pluralize, setters, sortedSet, visitContainers, type Check, type CheckResult } from './check.js';

const ANNOTATION_PREFIX = 'container.apparmor.security.beta.kubernetes.io/';

function allowedAnnotationValue(v: string): boolean {
  return v === '' || v === 'runtime/default' || v.startsWith('localhost/');
}

function allowedType(t: string | undefined): boolean {
  return t === 'RuntimeDefault' || t === 'Localhost';
}

function appArmorProfile_1_0(meta: ObjectMeta, spec: PodSpec): CheckResult {
  const badValues: string[] = [];
  const podProfile = spec.securityContext?.appArmorProfile;
  const podBad = !!podProfile && !allowedType(podProfile.type);
  if (podBad) badValues.push(String(podProfile.type ?? ''));
  const badContainers: string[] = [];
  visitContainers(spec, (c) => {
    const profile = c.securityContext?.appArmorProfile;
    if (profile && !allowedType(profile.type)) {
      badContainers.push(c.name);
      badValues.push(String(profile.type ?? ''));
    }
  });
  const who = setters(podBad, badContainers);
  const annotations: string[] = [];
  for (const [k, v] of Object.entries(meta.annotations ?? {})) {
    if (k.startsWith(ANNOTATION_PREFIX) && !allowedAnnotationValue(String(v))) annotations.push(`${k}=${JSON.stringify(String(v))}`);
  }
  const values = sortedSet(badValues);
  if (annotations.length) {
    values.push(...sortedSet(annotations));
    who.push(pluralize('annotation', 'annotations', annotations.length));
  }
  if (!who.length) return ALLOWED;
  return forbidden(
    pluralize('forbidden AppArmor profile', 'forbidden AppArmor profiles', values.length),
    `${who.join(' and ')} must not set AppArmor profile type to ${joinQuote(values)}`,
  );
}

export const appArmorProfile: Check = {
  id: 'appArmorProfile',
  level: 'baseline',
  versions: [{ minimumVersion: 0, checkPod: appArmorProfile_1_0 }],
};
