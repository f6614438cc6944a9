// Certificates: a self-signed CA and a serving certificate for the loopback
// names, made once and kept in the cert directory (as kube-apiserver does with
// --cert-dir when no --tls-cert-file is given); certificates signed by that CA
// (the apiserver's kubelet client certificate, the identities and the kubelet
// serving certificate `timonel up` makes), renewed when the CA changes;
// self-signed serving certificates (a kubelet's without --tls-cert-file).
import { generateKeyPairSync, randomBytes, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import forge from 'node-forge';

export interface ServingCerts {
  caCert: string;
  cert: string;
  key: string;
}

/** A certificate and its private key, PEM. */
export interface CertKeyPair {
  cert: string;
  key: string;
}

export interface CertificateRequest {
  commonName: string;
  organizations?: string[];
  /** DNS names and IP addresses for subjectAltName (serving certificates). */
  hosts?: string[];
  usage: 'ca' | 'server' | 'client';
  /** Signs with this CA; self-signed without it. */
  issuer?: CertKeyPair;
  validDays?: number;
}

function newKey(): { pem: string; forgeKey: forge.pki.rsa.PrivateKey; forgePub: forge.pki.rsa.PublicKey } {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const forgeKey = forge.pki.privateKeyFromPem(pem) as forge.pki.rsa.PrivateKey;
  return { pem, forgeKey, forgePub: forge.pki.setRsaPublicKey(forgeKey.n, forgeKey.e) };
}

function serial(): string {
  return '01' + randomBytes(15).toString('hex');
}

/** Makes a key and a certificate for it, signed by req.issuer or by itself. */
export function newCertificate(req: CertificateRequest): CertKeyPair {
  const now = new Date();
  const key = newKey();
  const cert = forge.pki.createCertificate();
  cert.publicKey = key.forgePub;
  cert.serialNumber = serial();
  cert.validity.notBefore = now;
  cert.validity.notAfter = new Date(now.getTime() + (req.validDays ?? 3650) * 24 * 3600 * 1000);
  const subject = [{ name: 'commonName', value: req.commonName }, ...(req.organizations ?? []).map((o) => ({ name: 'organizationName', value: o }))];
  cert.setSubject(subject);
  let signer = key.forgeKey;
  if (req.issuer) {
    const ca = forge.pki.certificateFromPem(req.issuer.cert);
    cert.setIssuer(ca.subject.attributes);
    signer = forge.pki.privateKeyFromPem(req.issuer.key) as forge.pki.rsa.PrivateKey;
  } else {
    cert.setIssuer(subject);
  }
  const altNames = (req.hosts ?? []).map((h) => (/^[\d.]+$|:/.test(h) ? { type: 7, ip: h } : { type: 2, value: h }));
  if (req.usage === 'ca') {
    cert.setExtensions([
      { name: 'basicConstraints', cA: true },
      { name: 'keyUsage', keyCertSign: true, digitalSignature: true, cRLSign: true },
    ]);
  } else {
    cert.setExtensions([
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      req.usage === 'server' ? { name: 'extKeyUsage', serverAuth: true } : { name: 'extKeyUsage', clientAuth: true },
      ...(altNames.length ? [{ name: 'subjectAltName', altNames }] : []),
    ]);
  }
  cert.sign(signer, forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert), key: key.pem };
}

export interface ServingCertsResult extends ServingCerts {
  /** Why the serving certificate was made anew next to a kept CA (its names changed, ...); undefined when it was kept or all is new. */
  reissued?: string;
}

/**
 * The CA and a serving certificate for hosts in dir: made once; the serving certificate is
 * made again (by the kept CA) when the names it is for differ from hosts, when it is not the
 * CA's or it expired. Without ca.key (certificates placed by hand) the files are used as they are.
 */
export function loadOrCreateServingCerts(dir: string, hosts: string[]): ServingCertsResult {
  const paths = { ca: join(dir, 'ca.crt'), cert: join(dir, 'apiserver.crt'), key: join(dir, 'apiserver.key') };
  const kept = existsSync(paths.ca) && existsSync(paths.cert) && existsSync(paths.key);
  if (kept && !existsSync(join(dir, 'ca.key'))) {
    return { caCert: readFileSync(paths.ca, 'utf8'), cert: readFileSync(paths.cert, 'utf8'), key: readFileSync(paths.key, 'utf8') };
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  let ca = loadCA(dir);
  let reissued: string | undefined;
  if (ca && kept) {
    const cert = readFileSync(paths.cert, 'utf8');
    reissued = servingCertReissueReason(cert, ca.cert, hosts);
    if (!reissued) return { caCert: ca.cert, cert, key: readFileSync(paths.key, 'utf8') };
  } else if (ca) {
    reissued = 'it is missing';
  } else {
    ca = newCertificate({ commonName: 'timonel-ca', usage: 'ca' });
    writeFileSync(paths.ca, ca.cert);
    writeFileSync(join(dir, 'ca.key'), ca.key, { mode: 0o600 });
  }
  const srv = newCertificate({ commonName: 'timonel-apiserver', usage: 'server', hosts, issuer: ca });
  writeFileSync(paths.key, srv.key, { mode: 0o600 });
  writeFileSync(paths.cert, srv.cert);
  return { caCert: ca.cert, cert: srv.cert, key: srv.key, reissued };
}

/** The DNS names and IP addresses a certificate's subjectAltName lists. */
export function certificateHosts(certPem: string): string[] {
  const san = new X509Certificate(certPem).subjectAltName ?? '';
  return san
    .split(', ')
    .map((entry) => /^(?:DNS|IP Address):(.*)$/.exec(entry)?.[1])
    .filter((h): h is string => h !== undefined);
}

/** Why a serving certificate must be made again for hosts, or undefined when it may be kept. */
export function servingCertReissueReason(certPem: string, caPem: string, hosts: string[], now = new Date()): string | undefined {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certPem);
    if (!cert.checkIssued(new X509Certificate(caPem)) || !cert.verify(new X509Certificate(caPem).publicKey)) return 'it is not signed by the CA';
  } catch {
    return 'it cannot be read';
  }
  if (new Date(cert.validTo).getTime() <= now.getTime()) return 'it expired';
  const have = new Set(certificateHosts(certPem));
  const want = new Set(hosts);
  const missing = hosts.filter((h) => !have.has(h));
  const extra = [...have].filter((h) => !want.has(h));
  if (missing.length || extra.length) return `its names changed (${[...missing.map((h) => `+${h}`), ...extra.map((h) => `-${h}`)].join(' ')})`;
  return undefined;
}

/** The CA kept in dir (ca.crt, ca.key); undefined when there is no key there (the serving certificate came from files). */
export function loadCA(dir: string): CertKeyPair | undefined {
  const caCert = join(dir, 'ca.crt');
  const caKey = join(dir, 'ca.key');
  if (!existsSync(caCert) || !existsSync(caKey)) return undefined;
  return { cert: readFileSync(caCert, 'utf8'), key: readFileSync(caKey, 'utf8') };
}

/** What a kept certificate must still be to be kept: signed by the CA, for the same subject and names, not expired. */
function stillValid(certPem: string, ca: CertKeyPair, req: CertificateRequest): boolean {
  let cert: forge.pki.Certificate;
  let issuer: forge.pki.Certificate;
  try {
    cert = forge.pki.certificateFromPem(certPem);
    issuer = forge.pki.certificateFromPem(ca.cert);
    if (!issuer.verify(cert)) return false;
  } catch {
    return false;
  }
  if (cert.validity.notAfter.getTime() <= Date.now()) return false;
  const values = (name: string) => cert.subject.attributes.filter((a) => a.name === name).map((a) => String(a.value));
  if (values('commonName').join('\n') !== req.commonName) return false;
  if (values('organizationName').join('\n') !== (req.organizations ?? []).join('\n')) return false;
  const san = cert.getExtension('subjectAltName') as { altNames?: { ip?: string; value?: string }[] } | undefined;
  const names = new Set((san?.altNames ?? []).map((n) => n.ip ?? n.value));
  return (req.hosts ?? []).every((h) => names.has(h));
}

/**
 * A certificate `<name>.crt`/`<name>.key` in dir, signed by ca. Made once and kept
 * while it is still what was asked for; made again when the CA, the subject or the
 * names changed, or it expired.
 */
export function loadOrCreateSignedCert(dir: string, name: string, req: Omit<CertificateRequest, 'issuer'>, ca: CertKeyPair): CertKeyPair {
  const certFile = join(dir, `${name}.crt`);
  const keyFile = join(dir, `${name}.key`);
  if (existsSync(certFile) && existsSync(keyFile)) {
    const kept = { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
    if (stillValid(kept.cert, ca, req)) return kept;
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const issued = newCertificate({ ...req, issuer: ca });
  writeFileSync(keyFile, issued.key, { mode: 0o600 });
  writeFileSync(certFile, issued.cert);
  return issued;
}

/**
 * A client certificate `<name>.crt`/`<name>.key` in dir, signed by the CA kept
 * there (ca.crt, ca.key); see loadOrCreateSignedCert. Undefined when dir holds no
 * CA key (the serving certificate came from files), since nothing could sign it.
 */
export function loadOrCreateClientCert(dir: string, name: string, commonName: string, organizations: string[] = []): CertKeyPair | undefined {
  const ca = loadCA(dir);
  if (!ca) {
    const certFile = join(dir, `${name}.crt`);
    const keyFile = join(dir, `${name}.key`);
    return existsSync(certFile) && existsSync(keyFile) ? { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') } : undefined;
  }
  return loadOrCreateSignedCert(dir, name, { commonName, organizations, usage: 'client' }, ca);
}

/**
 * A self-signed serving certificate `<name>.crt`/`<name>.key` in dir for the
 * given names, made once (the kubelet's when it has no --tls-cert-file).
 */
export function loadOrCreateSelfSignedCert(dir: string, name: string, commonName: string, hosts: string[]): CertKeyPair {
  const certFile = join(dir, `${name}.crt`);
  const keyFile = join(dir, `${name}.key`);
  if (existsSync(certFile) && existsSync(keyFile)) return { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const issued = newCertificate({ commonName, usage: 'server', hosts });
  writeFileSync(certFile, issued.cert);
  writeFileSync(keyFile, issued.key, { mode: 0o600 });
  return issued;
}
