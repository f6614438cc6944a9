// The CertificateSigningRequest strategy, after upstream's
// pkg/registry/certificates/certificates/strategy.go: the requester is recorded
// from who creates it, a request is created without status, and after creation
// only its subresources change it: /approval writes the conditions (Approved,
// Denied), /status the rest (the issued certificate, Failed).
import type { KubeObject } from '../../../../api/meta/v1/types.js';
import type { CertificateSigningRequest, CertificateSigningRequestCondition } from '../../../../api/certificates/v1/types.js';
import { CERTIFICATE_APPROVED, CERTIFICATE_DENIED } from '../../../../api/certificates/v1/helpers.js';
import {
  type CSRUpdatePath,
  validateCertificateSigningRequestCreate,
  validateCertificateSigningRequestUpdate,
} from '../../../../api/certificates/v1/validation.js';
import { userInfoOf, type UserInfo } from '../../../auth/user.js';
import type { StrategyWithHooks } from '../../strategy.js';
import { nowRFC3339 } from '../../store.js';

/** PrepareForCreate: the requester is who asks; users cannot create pre-approved requests. */
function prepareForCreate(obj: KubeObject, user: UserInfo | undefined): void {
  const csr = obj as CertificateSigningRequest;
  const spec = csr.spec;
  delete spec.username;
  delete spec.uid;
  delete spec.groups;
  delete spec.extra;
  if (user) {
    const info = userInfoOf(user);
    // Stored objects are plain JSON objects (a spread defines even a "__proto__" key as data).
    Object.assign(spec, info.extra ? { ...info, extra: { ...info.extra } } : info);
  }
  csr.status = {};
}

function conditions(csr: CertificateSigningRequest): CertificateSigningRequestCondition[] {
  return csr.status?.conditions ?? [];
}

/** preserveConditionInstances: the old instances of a type stay when the request has as many of them. */
function preserveConditionInstances(csr: CertificateSigningRequest, old: CertificateSigningRequest, type: string): void {
  const oldIndices = conditions(old).flatMap((c, i) => (c.type === type ? [i] : []));
  const newIndices = conditions(csr).flatMap((c, i) => (c.type === type ? [i] : []));
  if (oldIndices.length !== newIndices.length) return;
  oldIndices.forEach((oldIndex, i) => (conditions(csr)[newIndices[i]] = structuredClone(conditions(old)[oldIndex])));
}

/** populateConditionTimestamps: missing times are now, or the transition time of the same type and status before. */
function populateConditionTimestamps(csr: CertificateSigningRequest, old: CertificateSigningRequest): void {
  const now = nowRFC3339();
  for (const c of conditions(csr)) {
    if (!c.lastUpdateTime) c.lastUpdateTime = now;
    if (!c.lastTransitionTime) {
      const before = conditions(old).find((o) => o.type === c.type && o.status === c.status && o.lastTransitionTime);
      c.lastTransitionTime = before?.lastTransitionTime ?? now;
    }
  }
}

/** PrepareForUpdate of the strategy, the status strategy and the approval strategy. */
function prepareForUpdate(obj: KubeObject, oldObj: KubeObject, subresource: string | undefined): void {
  const csr = obj as CertificateSigningRequest;
  const old = oldObj as CertificateSigningRequest;
  csr.spec = structuredClone(old.spec);
  if (subresource === 'status') {
    preserveConditionInstances(csr, old, CERTIFICATE_APPROVED);
    preserveConditionInstances(csr, old, CERTIFICATE_DENIED);
    populateConditionTimestamps(csr, old);
  } else if (subresource === 'approval') {
    populateConditionTimestamps(csr, old);
    const newConditions = csr.status?.conditions;
    csr.status = { ...structuredClone(old.status ?? {}) };
    if (newConditions) csr.status.conditions = newConditions;
    else delete csr.status.conditions;
  } else {
    // The main resource: requests are immutable except through the subresources.
    if (old.status === undefined) delete csr.status;
    else csr.status = structuredClone(old.status);
  }
}

function pathOf(subresource: string | undefined): CSRUpdatePath {
  return subresource === 'status' || subresource === 'approval' ? subresource : 'update';
}

export const csrStrategy: StrategyWithHooks = {
  validateCreate: validateCertificateSigningRequestCreate,
  validateUpdate: (obj, old, subresource) => validateCertificateSigningRequestUpdate(obj, old, pathOf(subresource)),
  prepareForCreate,
  prepareForUpdate,
};
