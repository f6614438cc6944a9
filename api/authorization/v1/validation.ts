// Validation of the authorization.k8s.io/v1 reviews, after upstream's
// pkg/apis/authorization/validation: exactly one of resource and non-resource
// attributes, someone to ask about, and no metadata (reviews are not stored).
import type { KubeObject } from '../../meta/v1/types.js';
import { type ErrorList, invalid } from '../../validation/field.js';
import type { LocalSubjectAccessReview, SelfSubjectAccessReviewSpec, SubjectAccessReview, SubjectAccessReviewSpec } from './types.js';

function validateAttributes(spec: SelfSubjectAccessReviewSpec | undefined): ErrorList {
  const errs: ErrorList = [];
  const res = spec?.resourceAttributes ?? undefined;
  const nonRes = spec?.nonResourceAttributes ?? undefined;
  if (res && nonRes) errs.push(invalid('spec.nonResourceAttributes', nonRes, 'cannot be specified in combination with resourceAttributes'));
  if (!res && !nonRes)
    errs.push(invalid('spec.resourceAttributes', nonRes ?? null, 'exactly one of nonResourceAttributes or resourceAttributes must be specified'));
  return errs;
}

export function validateSubjectAccessReviewSpec(spec: SubjectAccessReviewSpec | undefined): ErrorList {
  const errs = validateAttributes(spec);
  if (!spec?.user && !(spec?.groups ?? []).length) errs.push(invalid('spec.user', spec?.user ?? '', 'at least one of user or group must be specified'));
  return errs;
}

/** Metadata other than managedFields (and a null creationTimestamp, as clients send it). */
function metadataIsEmpty(obj: KubeObject, allowNamespace: boolean): boolean {
  return Object.entries(obj.metadata ?? {}).every(
    ([k, v]) =>
      v === null || v === undefined || k === 'managedFields' || (allowNamespace && k === 'namespace') || (typeof v === 'object' && Object.keys(v).length === 0),
  );
}

export function validateSubjectAccessReview(sar: SubjectAccessReview): ErrorList {
  const errs = validateSubjectAccessReviewSpec(sar.spec);
  if (!metadataIsEmpty(sar, false)) errs.push(invalid('metadata', sar.metadata, 'must be empty'));
  return errs;
}

export function validateSelfSubjectAccessReview(ssar: KubeObject & { spec?: SelfSubjectAccessReviewSpec }): ErrorList {
  const errs = validateAttributes(ssar.spec);
  if (!metadataIsEmpty(ssar, false)) errs.push(invalid('metadata', ssar.metadata, 'must be empty'));
  return errs;
}

export function validateLocalSubjectAccessReview(lsar: LocalSubjectAccessReview): ErrorList {
  const errs = validateSubjectAccessReviewSpec(lsar.spec);
  if (!metadataIsEmpty(lsar, true)) errs.push(invalid('metadata', lsar.metadata, 'must be empty except for namespace'));
  const res = lsar.spec?.resourceAttributes;
  if (res && (res.namespace ?? '') !== (lsar.metadata.namespace ?? '')) {
    errs.push(invalid('spec.resourceAttributes.namespace', res.namespace ?? '', 'must match metadata.namespace'));
  }
  if (lsar.spec?.nonResourceAttributes) errs.push(invalid('spec.nonResourceAttributes', lsar.spec.nonResourceAttributes, 'disallowed on this kind of request'));
  return errs;
}
