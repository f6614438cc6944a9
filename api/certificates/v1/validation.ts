// CertificateSigningRequest validation after k8s pkg/apis/certificates/validation:
// the request must be a PEM CERTIFICATE REQUEST with a valid signature; status
// conditions and the issued certificate change only through their subresources.
import type { KubeObject } from '../../meta/v1/types.js';
import { type ErrorList, deepEqual, duplicate, forbidden, invalid, notSupported, required, tooLong } from '../../validation/field.js';
import { validateObjectMeta, validateObjectMetaUpdate } from '../../validation/objectmeta.js';
import { isDNS1123Label, isDNS1123Subdomain } from '../../validation/names.js';
import { DNS1123_LABEL_MAX_LENGTH, DNS1123_SUBDOMAIN_MAX_LENGTH } from '../../util/validation.js';
import { ALL_USAGES, CERTIFICATE_APPROVED, CERTIFICATE_DENIED, CERTIFICATE_FAILED, LEGACY_UNKNOWN_SIGNER_NAME, requestPEM } from './helpers.js';
import type { CertificateSigningRequest, CertificateSigningRequestCondition } from './types.js';
import { parseCSR, parseCertificateDER, pemBlocks } from './x509.js';

/** Which update path is validating: the main resource, /status (the signer) or /approval. */
export type CSRUpdatePath = 'update' | 'status' | 'approval';

interface Options {
  allowSettingApprovalConditions: boolean;
  allowSettingCertificate: boolean;
  allowBothApprovedAndDenied: boolean;
  allowLegacySignerName: boolean;
  allowDuplicateConditionTypes: boolean;
  allowEmptyConditionType: boolean;
  allowArbitraryCertificate: boolean;
  allowUnknownUsages: boolean;
  allowDuplicateUsages: boolean;
}

const TRUE_ONLY_CONDITIONS = new Set([CERTIFICATE_APPROVED, CERTIFICATE_DENIED, CERTIFICATE_FAILED]);
const ALL_STATUS_VALUES = ['False', 'True', 'Unknown'];
const SORTED_USAGES = [...ALL_USAGES].sort();

/** Go's %#v of a []byte, as field errors print the request. */
function goBytes(b: Buffer): string {
  return `[]byte{${[...b].map((x) => `0x${x.toString(16)}`).join(', ')}}`;
}

function conditionsOf(csr: CertificateSigningRequest): CertificateSigningRequestCondition[] {
  return csr.status?.conditions ?? [];
}

function certificateOf(csr: CertificateSigningRequest): string {
  return csr.status?.certificate ?? '';
}

/** ValidateSignerName: `example.com/signer-name`. */
export function validateSignerName(field: string, signerName: string): ErrorList {
  if (signerName.length === 0) return [required(field, '')];
  const segments = signerName.split('/');
  if (segments.length !== 2) return [invalid(field, signerName, "must be a fully qualified domain and path of the form 'example.com/signer-name'")];
  const errs: ErrorList = [];
  const [domain, path] = segments;
  if (domain.length > DNS1123_SUBDOMAIN_MAX_LENGTH) errs.push(tooLong(field, DNS1123_SUBDOMAIN_MAX_LENGTH));
  const domainLabels = domain.split('.');
  for (const label of domainLabels) {
    const msgs = isDNS1123Label(label);
    if (msgs.length) {
      errs.push(...msgs.map((m) => invalid(field, domain, `validating label ${JSON.stringify(label)}: ${m}`)));
      break;
    }
  }
  if (domainLabels.length < 2) errs.push(invalid(field, domain, 'should be a domain with at least two segments separated by dots'));
  for (const label of path.split('.')) {
    const msgs = isDNS1123Subdomain(label);
    if (msgs.length) {
      errs.push(...msgs.map((m) => invalid(field, path, `validating label ${JSON.stringify(label)}: ${m}`)));
      break;
    }
  }
  const maxLength = DNS1123_SUBDOMAIN_MAX_LENGTH + (DNS1123_SUBDOMAIN_MAX_LENGTH + DNS1123_LABEL_MAX_LENGTH + 1) + 1;
  if (signerName.length > maxLength) errs.push(tooLong(field, maxLength));
  return errs;
}

/** validateCertificate: PEM CERTIFICATE blocks only, each holding a certificate. */
function validateCertificate(certificate: string): string | undefined {
  const pemData = Buffer.from(certificate, 'base64');
  if (pemData.length === 0) return undefined;
  const blocks = pemBlocks(pemData.toString('latin1'));
  for (const block of blocks) {
    if (block.type !== 'CERTIFICATE') return `only CERTIFICATE PEM blocks are allowed, found ${JSON.stringify(block.type)}`;
    if (block.hasHeaders) return 'no PEM block headers are permitted';
    try {
      parseCertificateDER(block.der);
    } catch (err) {
      return (err as Error).message;
    }
  }
  return blocks.length === 0 ? 'must contain at least one CERTIFICATE PEM block' : undefined;
}

function validateConditions(csr: CertificateSigningRequest, opts: Options): ErrorList {
  const errs: ErrorList = [];
  const seen = new Set<string>();
  let hasApproved = false;
  let hasDenied = false;
  conditionsOf(csr).forEach((c, i) => {
    const p = `status.conditions[${i}]`;
    const type = c.type ?? '';
    if (!opts.allowEmptyConditionType && type === '') errs.push(required(`${p}.type`, ''));
    const allowed = TRUE_ONLY_CONDITIONS.has(type) ? ['True'] : ALL_STATUS_VALUES;
    if (!c.status) errs.push(required(`${p}.status`, ''));
    else if (!allowed.includes(c.status)) errs.push(notSupported(`${p}.status`, c.status, allowed));
    if (!opts.allowBothApprovedAndDenied) {
      if (type === CERTIFICATE_APPROVED) {
        hasApproved = true;
        if (hasDenied) errs.push(invalid(`${p}.type`, type, 'Approved and Denied conditions are mutually exclusive'));
      } else if (type === CERTIFICATE_DENIED) {
        hasDenied = true;
        if (hasApproved) errs.push(invalid(`${p}.type`, type, 'Approved and Denied conditions are mutually exclusive'));
      }
    }
    if (!opts.allowDuplicateConditionTypes) {
      if (seen.has(type)) errs.push(duplicate(`${p}.type`, type));
      seen.add(type);
    }
  });
  return errs;
}

function validateCSR(csr: CertificateSigningRequest, opts: Options): ErrorList {
  const errs = validateObjectMeta(csr.metadata, { nameFn: () => [] });
  const spec = csr.spec ?? ({} as CertificateSigningRequest['spec']);
  try {
    parseCSR(requestPEM(csr)).checkSignature();
  } catch (err) {
    errs.push(invalid('spec.request', { raw: goBytes(requestPEM(csr)) }, (err as Error).message));
  }
  const usages = spec.usages ?? [];
  if (usages.length === 0) errs.push(required('spec.usages', ''));
  if (!opts.allowUnknownUsages) usages.forEach((u, i) => !ALL_USAGES.includes(u) && errs.push(notSupported(`spec.usages[${i}]`, u, SORTED_USAGES)));
  if (!opts.allowDuplicateUsages) {
    const seen = new Set<string>();
    usages.forEach((u, i) => {
      if (seen.has(u)) errs.push(duplicate(`spec.usages[${i}]`, u));
      seen.add(u);
    });
  }
  const signerName = spec.signerName ?? '';
  if (!opts.allowLegacySignerName && signerName === LEGACY_UNKNOWN_SIGNER_NAME) {
    errs.push(invalid('spec.signerName', signerName, 'the legacy signerName is not allowed via this API version'));
  } else {
    errs.push(...validateSignerName('spec.signerName', signerName));
  }
  if (typeof spec.expirationSeconds === 'number' && spec.expirationSeconds < 600) {
    errs.push(invalid('spec.expirationSeconds', spec.expirationSeconds, 'may not specify a duration less than 600 seconds (10 minutes)'));
  }
  errs.push(...validateConditions(csr, opts));
  if (!opts.allowArbitraryCertificate) {
    const why = validateCertificate(certificateOf(csr));
    if (why) errs.push(invalid('status.certificate', '<certificate data>', why));
  }
  return errs;
}

function hasDuplicateConditionTypes(csr: CertificateSigningRequest): boolean {
  const types = conditionsOf(csr).map((c) => c.type);
  return new Set(types).size !== types.length;
}

/** getValidationOptions: what an update tolerates because the stored object already has it. */
function optionsFor(csr: CertificateSigningRequest, old: CertificateSigningRequest | undefined): Options {
  const oldTypes = old ? conditionsOf(old).map((c) => c.type) : [];
  const oldUsages = old?.spec?.usages ?? [];
  return {
    allowSettingApprovalConditions: false,
    allowSettingCertificate: false,
    allowBothApprovedAndDenied: oldTypes.includes(CERTIFICATE_APPROVED) && oldTypes.includes(CERTIFICATE_DENIED),
    allowLegacySignerName: old?.spec?.signerName === LEGACY_UNKNOWN_SIGNER_NAME,
    allowDuplicateConditionTypes: !!old && hasDuplicateConditionTypes(old),
    allowEmptyConditionType: oldTypes.some((t) => !t),
    allowArbitraryCertificate: !!old && (certificateOf(csr) === certificateOf(old) || validateCertificate(certificateOf(old)) !== undefined),
    allowUnknownUsages: oldUsages.some((u) => !ALL_USAGES.includes(u)),
    allowDuplicateUsages: new Set(oldUsages).size !== oldUsages.length,
  };
}

export function validateCertificateSigningRequestCreate(obj: KubeObject): ErrorList {
  const csr = obj as CertificateSigningRequest;
  return validateCSR(csr, optionsFor(csr, undefined));
}

function findConditions(csr: CertificateSigningRequest, type: string): CertificateSigningRequestCondition[] {
  return conditionsOf(csr).filter((c) => c.type === type);
}

/** ValidateCertificateSigningRequestUpdate, StatusUpdate and ApprovalUpdate. */
export function validateCertificateSigningRequestUpdate(obj: KubeObject, oldObj: KubeObject, path: CSRUpdatePath = 'update'): ErrorList {
  const csr = obj as CertificateSigningRequest;
  const old = oldObj as CertificateSigningRequest;
  const opts = optionsFor(csr, old);
  if (path === 'status') opts.allowSettingCertificate = true;
  if (path === 'approval') opts.allowSettingApprovalConditions = true;
  const errs = validateCSR(csr, opts);
  for (const t of [CERTIFICATE_APPROVED, CERTIFICATE_DENIED, CERTIFICATE_FAILED]) {
    if (findConditions(csr, t).length < findConditions(old, t).length) {
      errs.push(forbidden('status.conditions', `updates may not remove a condition of type ${JSON.stringify(t)}`));
    }
  }
  if (!opts.allowSettingApprovalConditions) {
    for (const t of [CERTIFICATE_APPROVED, CERTIFICATE_DENIED]) {
      const before = findConditions(old, t);
      const after = findConditions(csr, t);
      if (after.length > before.length) errs.push(forbidden('status.conditions', `updates may not add a condition of type ${JSON.stringify(t)}`));
      else if (after.length === before.length && !deepEqual(before, after)) {
        errs.push(forbidden('status.conditions', `updates may not modify a condition of type ${JSON.stringify(t)}`));
      }
    }
  }
  if (certificateOf(csr) !== certificateOf(old)) {
    if (!opts.allowSettingCertificate) errs.push(forbidden('status.certificate', 'updates may not set certificate content'));
    else if (certificateOf(old).length > 0) errs.push(forbidden('status.certificate', 'updates may not modify existing certificate content'));
  }
  errs.push(...validateObjectMetaUpdate(csr.metadata, old.metadata));
  return errs;
}
