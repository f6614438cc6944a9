// The csrsigning controller, after upstream's pkg/controller/certificates/signer:
// one signer per well-known Kubernetes signer name (kube-apiserver-client,
// kube-apiserver-client-kubelet, kubelet-serving), each signing the approved
// requests for its name with the cluster CA (--cluster-signing-cert-file and
// --cluster-signing-key-file) for at most --cluster-signing-duration. A request
// its signer cannot honour gets a Failed condition instead.
import { readFileSync } from 'node:fs';
import type { CertificateSigningRequest } from '../../../../api/certificates/v1/types.js';
import {
  CERTIFICATE_FAILED,
  KUBE_APISERVER_CLIENT_KUBELET_SIGNER_NAME,
  KUBE_APISERVER_CLIENT_SIGNER_NAME,
  KUBELET_SERVING_SIGNER_NAME,
  hasTrueCondition,
  isCertificateRequestApproved,
  requestPEM,
  validateKubeletClientCSR,
  validateKubeletServingCSR,
} from '../../../../api/certificates/v1/helpers.js';
import { parseCSR, type CertificateRequest } from '../../../../api/certificates/v1/x509.js';
import type { Controller, ControllerContext } from '../../context.js';
import { CertificateAuthority, certificatePEM } from '../authority/authority.js';
import { CertificateController } from '../certificate_controller.js';

const MINUTE = 60_000;

/** Whether a request is for the signer, and if so the reason it cannot be signed (undefined: it can). */
type RequestCheck = (req: CertificateRequest, usages: string[]) => string | undefined;

/** validAPIServerClientUsages: client auth, optionally digital signature and key encipherment. */
export function validAPIServerClientUsages(usages: string[]): string | undefined {
  for (const u of usages) if (u !== 'digital signature' && u !== 'key encipherment' && u !== 'client auth') return `invalid usage for client certificate: ${u}`;
  return usages.includes('client auth') ? undefined : 'missing required usage for client certificate: client auth';
}

/** getCSRVerificationFuncForSignerName */
export const SIGNER_CHECKS = new Map<string, RequestCheck>([
  [KUBELET_SERVING_SIGNER_NAME, (req, usages) => validateKubeletServingCSR(req, new Set(usages))],
  [KUBE_APISERVER_CLIENT_KUBELET_SIGNER_NAME, (req, usages) => validateKubeletClientCSR(req, new Set(usages))],
  [KUBE_APISERVER_CLIENT_SIGNER_NAME, (_req, usages) => validAPIServerClientUsages(usages)],
]);

export interface SignerOptions {
  signerName: string;
  ca: CertificateAuthority;
  /** The longest certificate issued (--cluster-signing-duration); shorter when a request asks for less. */
  certTTLMs: number;
  now?: () => Date;
}

export class Signer {
  private readonly check: RequestCheck;

  constructor(private readonly opts: SignerOptions) {
    const check = SIGNER_CHECKS.get(opts.signerName);
    if (!check) throw new Error(`unrecognized signerName: ${JSON.stringify(opts.signerName)}`);
    this.check = check;
  }

  /** The duration to issue for: the requested one within [10 min, certTTL]. */
  duration(expirationSeconds: number | undefined): number {
    if (expirationSeconds === undefined) return this.opts.certTTLMs;
    const requested = expirationSeconds * 1000;
    if (requested > this.opts.certTTLMs) return this.opts.certTTLMs;
    return requested < 10 * MINUTE ? 10 * MINUTE : requested;
  }

  /**
   * handle: the status update an approved request of this signer needs (the certificate,
   * or a Failed condition), or undefined when it is not this signer's to sign now.
   */
  handle(csr: CertificateSigningRequest): CertificateSigningRequest | undefined {
    if (!isCertificateRequestApproved(csr) || hasTrueCondition(csr, CERTIFICATE_FAILED)) return undefined;
    if (csr.spec.signerName !== this.opts.signerName) return undefined;
    let req: CertificateRequest;
    try {
      req = parseCSR(requestPEM(csr));
    } catch (err) {
      throw new Error(`unable to parse csr ${JSON.stringify(csr.metadata.name)}: ${(err as Error).message}`);
    }
    const usages = csr.spec.usages ?? [];
    const refused = this.check(req, usages);
    const status = csr.status ?? {};
    if (refused) {
      status.conditions = [
        ...(status.conditions ?? []),
        {
          type: CERTIFICATE_FAILED,
          status: 'True',
          reason: 'SignerValidationFailure',
          message: refused,
          lastUpdateTime: (this.opts.now?.() ?? new Date()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
        },
      ];
    } else {
      const der = this.opts.ca.sign(req.raw, {
        ttlMs: this.duration(csr.spec.expirationSeconds),
        usages,
        // Backdating must stay below the shortest certificate a request may ask for (10 minutes).
        backdateMs: 5 * MINUTE,
        shortMs: 8 * 60 * MINUTE,
        now: this.opts.now,
      });
      status.certificate = Buffer.from(certificatePEM(der)).toString('base64');
    }
    csr.status = status;
    return csr;
  }
}

export interface CSRSigningOptions {
  clusterSigningCertFile?: string;
  clusterSigningKeyFile?: string;
  /** Default a year (8760h), as kube-controller-manager's. */
  clusterSigningDurationMs?: number;
}

const DEFAULT_CLUSTER_SIGNING_DURATION_MS = 8760 * 60 * MINUTE;

/** The csrsigning controllers; none run without the CA files, as upstream skips them. */
export class CSRSigningController implements Controller {
  private readonly controllers: CertificateController[] = [];

  constructor(
    private readonly deps: ControllerContext,
    opts: CSRSigningOptions,
  ) {
    if (!opts.clusterSigningCertFile || !opts.clusterSigningKeyFile) {
      deps.log('skipping CSR signer controller because no csr cert/key was specified');
      return;
    }
    const ca = new CertificateAuthority(readFileSync(opts.clusterSigningCertFile, 'utf8'), readFileSync(opts.clusterSigningKeyFile, 'utf8'));
    const names: Array<[string, string]> = [
      ['csrsigning-kubelet-serving', KUBELET_SERVING_SIGNER_NAME],
      ['csrsigning-kubelet-client', KUBE_APISERVER_CLIENT_KUBELET_SIGNER_NAME],
      ['csrsigning-kube-apiserver-client', KUBE_APISERVER_CLIENT_SIGNER_NAME],
    ];
    for (const [name, signerName] of names) {
      const signer = new Signer({ signerName, ca, certTTLMs: opts.clusterSigningDurationMs ?? DEFAULT_CLUSTER_SIGNING_DURATION_MS });
      const controller: CertificateController = new CertificateController(name, deps, async (csr) => {
        const updated = signer.handle(csr);
        if (updated) await controller.client.updateStatus(updated);
      });
      this.controllers.push(controller);
    }
  }

  async run(workers: number, signal: AbortSignal): Promise<void> {
    await Promise.all(this.controllers.map((c) => c.run(workers, signal)));
  }
}
