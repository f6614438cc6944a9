// kubeadm's public key pins (cmd/kubeadm/app/util/pubkeypin): "sha256:<hex>" of a
// certificate's DER-encoded SubjectPublicKeyInfo, the value of
// --discovery-token-ca-cert-hash that a joining node checks the cluster CA against.
import { createHash, X509Certificate } from 'node:crypto';

export const PIN_FORMAT_SHA256 = 'sha256';

/** The pin of the first certificate in the PEM. */
export function hashCertificate(pem: string | Buffer): string {
  const cert = new X509Certificate(pem);
  const spki = cert.publicKey.export({ type: 'spki', format: 'der' });
  return `${PIN_FORMAT_SHA256}:${createHash('sha256').update(spki).digest('hex')}`;
}
