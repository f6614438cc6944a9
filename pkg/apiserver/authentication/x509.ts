// Client certificates (--client-ca-file), as k8s.io/apiserver's x509 authenticator
// with CommonNameUserConversion: the user is the subject's CN, the groups its O
// values. The TLS server asks for a certificate but accepts connections without
// one; OpenSSL checks the chain against the client CAs during the handshake
// (socket.authorized) and the outcome is kept per connection, so a request on a
// kept-alive connection costs one WeakMap lookup. Validity is checked again on
// every request: a connection may outlive its certificate.
import type { PeerCertificate, TLSSocket } from 'node:tls';
import type { UserInfo } from '../../auth/user.js';
import { withAuthenticatedGroup, type AuthenticationResult } from './result.js';

type Verified = { user: UserInfo; notBefore: number; notAfter: number; subject: string } | { error: string } | undefined;

/** The last value of a subject attribute (Go keeps the last CN), and all of them. */
function values(v: string | string[] | undefined): string[] {
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

function describe(cert: PeerCertificate): string {
  return Object.entries(cert.subject ?? {})
    .flatMap(([k, v]) => values(v as string | string[]).map((x) => `${k}=${x}`))
    .join(',');
}

export class X509Authenticator {
  private readonly bySocket = new WeakMap<object, Verified>();

  /** The user of the connection's client certificate; undefined when it sent none (or one without a CN). */
  authenticate(socket: unknown, now = Date.now()): AuthenticationResult | undefined {
    const tls = socket as TLSSocket;
    if (typeof tls.getPeerCertificate !== 'function') return undefined;
    let v = this.bySocket.get(tls);
    if (v === undefined && !this.bySocket.has(tls)) {
      v = verify(tls);
      this.bySocket.set(tls, v);
    }
    if (!v) return undefined;
    if ('error' in v) return v;
    if (now < v.notBefore || now > v.notAfter) {
      return { error: `verifying certificate ${v.subject} failed: x509: certificate has expired or is not yet valid` };
    }
    return { user: v.user };
  }
}

function verify(socket: TLSSocket): Verified {
  const cert = socket.getPeerCertificate();
  if (!cert || !cert.subject) return undefined;
  const subject = describe(cert);
  if (!socket.authorized) {
    const why = String(socket.authorizationError ?? 'unknown error');
    return {
      error: `verifying certificate ${subject} failed: ${why === 'CERT_HAS_EXPIRED' ? 'x509: certificate has expired or is not yet valid' : `x509: ${why}`}`,
    };
  }
  const cn = values(cert.subject.CN);
  const name = cn[cn.length - 1];
  // No CN: the certificate names no user, and the next authenticator is asked.
  if (!name) return undefined;
  const user = withAuthenticatedGroup({ name, groups: values(cert.subject.O) });
  return { user, notBefore: Date.parse(cert.valid_from), notAfter: Date.parse(cert.valid_to), subject };
}
