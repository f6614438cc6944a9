// The csrapproving controller, after upstream's
// pkg/controller/certificates/approver/sarapprove.go: a kubelet client request
// (signer kubernetes.io/kube-apiserver-client-kubelet, O=system:nodes,
// CN=system:node:<name>, client usages, no subjectAltNames) is approved when the
// requester may create certificatesigningrequests/selfnodeclient (renewing its
// own certificate) or certificatesigningrequests/nodeclient (a new node's first
// one), as a SubjectAccessReview of the apiserver answers. Which users may is
// RBAC's: the bindings give system:nodes selfnodeclient and system:bootstrappers
// nodeclient, as kubeadm's do.
import type { CertificateSigningRequest } from '../../../../api/certificates/v1/types.js';
import type { SubjectAccessReview } from '../../../../api/authorization/v1/types.js';
import {
  CERTIFICATE_APPROVED,
  KUBE_APISERVER_CLIENT_KUBELET_SIGNER_NAME,
  approvalCondition,
  isKubeletClientCSR,
  requestPEM,
} from '../../../../api/certificates/v1/helpers.js';
import { parseCSR, type CertificateRequest } from '../../../../api/certificates/v1/x509.js';
import type { KubeObject } from '../../../../api/meta/v1/types.js';
import type { Client } from '../../../client/rest.js';
import type { Controller, ControllerContext } from '../../context.js';
import { CertificateController, IgnorableError } from '../certificate_controller.js';

/** authorization.k8s.io/v1 ResourceAttributes, as much as the approver asks about. */
export interface ResourceAttributes {
  group: string;
  version: string;
  resource: string;
  subresource: string;
  verb: string;
}

/** Who asks, from the request's spec (the requester the apiserver recorded). */
export interface Requester {
  user: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

/** Answers whether a requester may do something: a SubjectAccessReview. */
export type SubjectAccessReviewer = (who: Requester, attrs: ResourceAttributes) => Promise<boolean>;

interface Recognizer {
  recognize(csr: CertificateSigningRequest, req: CertificateRequest): boolean;
  permission: ResourceAttributes;
  successMessage: string;
}

function isNodeClientCert(csr: CertificateSigningRequest, req: CertificateRequest): boolean {
  return csr.spec.signerName === KUBE_APISERVER_CLIENT_KUBELET_SIGNER_NAME && isKubeletClientCSR(req, new Set(csr.spec.usages ?? []));
}

function isSelfNodeClientCert(csr: CertificateSigningRequest, req: CertificateRequest): boolean {
  return csr.spec.username === req.subject.commonName && isNodeClientCert(csr, req);
}

const permission = (subresource: string): ResourceAttributes => ({
  group: 'certificates.k8s.io',
  version: '*',
  resource: 'certificatesigningrequests',
  subresource,
  verb: 'create',
});

export const RECOGNIZERS: Recognizer[] = [
  {
    recognize: isSelfNodeClientCert,
    permission: permission('selfnodeclient'),
    successMessage: 'Auto approving self kubelet client certificate after SubjectAccessReview.',
  },
  {
    recognize: isNodeClientCert,
    permission: permission('nodeclient'),
    successMessage: 'Auto approving kubelet client certificate after SubjectAccessReview.',
  },
];

/**
 * handle: the request with an Approved condition appended when a recognizer matches
 * and the review allows it; undefined when there is nothing to approve. Throws an
 * IgnorableError (retried quietly) when it was recognized but not allowed.
 */
export async function approve(csr: CertificateSigningRequest, review: SubjectAccessReviewer): Promise<CertificateSigningRequest | undefined> {
  if (csr.status?.certificate) return undefined;
  const { approved, denied } = approvalCondition(csr);
  if (approved || denied) return undefined;
  let req: CertificateRequest;
  try {
    req = parseCSR(requestPEM(csr));
  } catch (err) {
    throw new Error(`unable to parse csr ${JSON.stringify(csr.metadata.name)}: ${(err as Error).message}`);
  }
  const who: Requester = { user: csr.spec.username ?? '', uid: csr.spec.uid, groups: csr.spec.groups ?? [], extra: csr.spec.extra };
  const tried: string[] = [];
  for (const r of RECOGNIZERS) {
    if (!r.recognize(csr, req)) continue;
    tried.push(r.permission.subresource);
    if (!(await review(who, r.permission))) continue;
    const status = csr.status ?? {};
    status.conditions = [...(status.conditions ?? []), { type: CERTIFICATE_APPROVED, status: 'True', reason: 'AutoApproved', message: r.successMessage }];
    csr.status = status;
    return csr;
  }
  if (tried.length)
    throw new IgnorableError(`recognized csr ${JSON.stringify(csr.metadata.name)} as [${tried.join(' ')}] but subject access review was not approved`);
  return undefined;
}

/** A SubjectAccessReviewer that asks the apiserver (POST authorization.k8s.io/v1 subjectaccessreviews). */
export function apiSubjectAccessReviewer(client: Client): SubjectAccessReviewer {
  const sars = client.resource<SubjectAccessReview>({ group: 'authorization.k8s.io', version: 'v1', resource: 'subjectaccessreviews', namespaced: false });
  return async (who, attrs) => {
    const spec: Record<string, unknown> = { user: who.user, groups: who.groups, resourceAttributes: attrs };
    if (who.uid) spec.uid = who.uid;
    if (who.extra) spec.extra = who.extra;
    const answer = await sars.create({ apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', metadata: {}, spec });
    return answer.status?.allowed === true;
  };
}

export class CSRApprovingController implements Controller {
  private readonly controller: CertificateController;

  constructor(deps: ControllerContext, review: SubjectAccessReviewer = apiSubjectAccessReviewer(deps.client)) {
    this.controller = new CertificateController('csrapproving', deps, async (csr) => {
      const updated = await approve(csr, review);
      if (updated) await this.controller.client.rest.request('PUT', this.controller.client.path(undefined, csr.metadata.name, 'approval'), { body: updated });
    });
  }

  run(workers: number, signal: AbortSignal): Promise<void> {
    return this.controller.run(workers, signal);
  }
}
