// Signer names, key usages and the kubelet request checks of the certificates
// API (k8s.io/api/certificates/v1 constants, pkg/apis/certificates/helpers.go).
import type { CertificateSigningRequest, CertificateSigningRequestCondition } from './types.js';
import type { CertificateRequest } from './x509.js';

export const KUBE_APISERVER_CLIENT_SIGNER_NAME = 'kubernetes.io/kube-apiserver-client';
export const KUBE_APISERVER_CLIENT_KUBELET_SIGNER_NAME = 'kubernetes.io/kube-apiserver-client-kubelet';
export const KUBELET_SERVING_SIGNER_NAME = 'kubernetes.io/kubelet-serving';
export const LEGACY_UNKNOWN_SIGNER_NAME = 'kubernetes.io/legacy-unknown';

export const CERTIFICATE_APPROVED = 'Approved';
export const CERTIFICATE_DENIED = 'Denied';
export const CERTIFICATE_FAILED = 'Failed';

/** Every KeyUsage value the API accepts (allValidUsages). */
export const ALL_USAGES = [
  'signing',
  'digital signature',
  'content commitment',
  'key encipherment',
  'key agreement',
  'data encipherment',
  'cert sign',
  'crl sign',
  'encipher only',
  'decipher only',
  'any',
  'server auth',
  'client auth',
  'code signing',
  'email protection',
  's/mime',
  'ipsec end system',
  'ipsec tunnel',
  'ipsec user',
  'timestamping',
  'ocsp signing',
  'microsoft sgc',
  'netscape sgc',
];

function sameSet(a: Set<string>, b: string[]): boolean {
  return a.size === b.length && b.every((x) => a.has(x));
}

function sorted(list: string[]): string {
  return `[${[...list].sort().join(' ')}]`;
}

const KUBELET_SERVING_USAGES = ['digital signature', 'key encipherment', 'server auth'];
const KUBELET_SERVING_USAGES_NO_RSA = ['digital signature', 'server auth'];
const KUBELET_CLIENT_USAGES = ['digital signature', 'key encipherment', 'client auth'];
const KUBELET_CLIENT_USAGES_NO_RSA = ['digital signature', 'client auth'];

function isSystemNodesOrg(req: CertificateRequest): boolean {
  const orgs = req.subject.organization;
  return orgs.length === 1 && orgs[0] === 'system:nodes';
}

/** ValidateKubeletServingCSR: undefined when req is a kubelet serving request, else why not. */
export function validateKubeletServingCSR(req: CertificateRequest, usages: Set<string>): string | undefined {
  if (!isSystemNodesOrg(req)) return 'subject organization is not system:nodes';
  if (req.dnsNames.length === 0 && req.ipAddresses.length === 0) return 'DNS or IP subjectAltName is required';
  if (req.emailAddresses.length > 0) return 'Email subjectAltNames are not allowed';
  if (req.uris.length > 0) return 'URI subjectAltNames are not allowed';
  if (!sameSet(usages, KUBELET_SERVING_USAGES) && !sameSet(usages, KUBELET_SERVING_USAGES_NO_RSA))
    return `usages did not match ${sorted(KUBELET_SERVING_USAGES)}`;
  if (!req.subject.commonName.startsWith('system:node:')) return 'subject common name does not begin with system:node:';
  return undefined;
}

/** ValidateKubeletClientCSR: undefined when req is a kubelet client request, else why not. */
export function validateKubeletClientCSR(req: CertificateRequest, usages: Set<string>): string | undefined {
  if (!isSystemNodesOrg(req)) return 'subject organization is not system:nodes';
  if (req.dnsNames.length > 0) return 'DNS subjectAltNames are not allowed';
  if (req.emailAddresses.length > 0) return 'Email subjectAltNames are not allowed';
  if (req.ipAddresses.length > 0) return 'IP subjectAltNames are not allowed';
  if (req.uris.length > 0) return 'URI subjectAltNames are not allowed';
  if (!req.subject.commonName.startsWith('system:node:')) return 'subject common name does not begin with system:node:';
  if (!sameSet(usages, KUBELET_CLIENT_USAGES) && !sameSet(usages, KUBELET_CLIENT_USAGES_NO_RSA)) return `usages did not match ${sorted(KUBELET_CLIENT_USAGES)}`;
  return undefined;
}

export function isKubeletClientCSR(req: CertificateRequest, usages: Set<string>): boolean {
  return validateKubeletClientCSR(req, usages) === undefined;
}

/** The request's PEM, decoded from spec.request (base64 in JSON). */
export function requestPEM(csr: CertificateSigningRequest): Buffer {
  return Buffer.from(csr.spec?.request ?? '', 'base64');
}

function conditions(csr: CertificateSigningRequest): CertificateSigningRequestCondition[] {
  return csr.status?.conditions ?? [];
}

/** GetCertApprovalCondition: whether the request carries an Approved and a Denied condition. */
export function approvalCondition(csr: CertificateSigningRequest): { approved: boolean; denied: boolean } {
  let approved = false;
  let denied = false;
  for (const c of conditions(csr)) {
    if (c.type === CERTIFICATE_APPROVED) approved = true;
    if (c.type === CERTIFICATE_DENIED) denied = true;
  }
  return { approved, denied };
}

/** IsCertificateRequestApproved: approved and not denied. */
export function isCertificateRequestApproved(csr: CertificateSigningRequest): boolean {
  const { approved, denied } = approvalCondition(csr);
  return approved && !denied;
}

/** HasTrueCondition */
export function hasTrueCondition(csr: CertificateSigningRequest, type: string): boolean {
  return conditions(csr).some((c) => c.type === type && (c.status === 'True' || c.status === ''));
}
