// Serving certificates: a self-signed CA and a serving certificate for the
// loopback names, made once and kept in the cert directory (as kube-apiserver
// does with --cert-dir when no --tls-cert-file is given).
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import forge from 'node-forge';

export interface ServingCerts {
  caCert: string;
  cert: string;
  key: string;
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

export function loadOrCreateServingCerts(dir: string, hosts: string[]): ServingCerts {
  const paths = { ca: join(dir, 'ca.crt'), cert: join(dir, 'apiserver.crt'), key: join(dir, 'apiserver.key') };
  if (existsSync(paths.ca) && existsSync(paths.cert) && existsSync(paths.key)) {
    return { caCert: readFileSync(paths.ca, 'utf8'), cert: readFileSync(paths.cert, 'utf8'), key: readFileSync(paths.key, 'utf8') };
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const now = new Date();
  const later = new Date(now.getTime() + 10 * 365 * 24 * 3600 * 1000);

  const ca = newKey();
  const caCert = forge.pki.createCertificate();
  caCert.publicKey = ca.forgePub;
  caCert.serialNumber = serial();
  caCert.validity.notBefore = now;
  caCert.validity.notAfter = later;
  const caName = [{ name: 'commonName', value: 'timonel-ca' }];
  caCert.setSubject(caName);
  caCert.setIssuer(caName);
  caCert.setExtensions([{ name: 'basicConstraints', cA: true }, { name: 'keyUsage', keyCertSign: true, digitalSignature: true, cRLSign: true }]);
  caCert.sign(ca.forgeKey, forge.md.sha256.create());

  const srv = newKey();
  const cert = forge.pki.createCertificate();
  cert.publicKey = srv.forgePub;
  cert.serialNumber = serial();
  cert.validity.notBefore = now;
  cert.validity.notAfter = later;
  cert.setSubject([{ name: 'commonName', value: 'timonel-apiserver' }]);
  cert.setIssuer(caName);
  const altNames = hosts.map((h) => (/^[\d.]+$|:/.test(h) ? { type: 7, ip: h } : { type: 2, value: h }));
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames },
  ]);
  cert.sign(ca.forgeKey, forge.md.sha256.create());

  const out = { caCert: forge.pki.certificateToPem(caCert), cert: forge.pki.certificateToPem(cert), key: srv.pem };
  writeFileSync(paths.ca, out.caCert);
  writeFileSync(join(dir, 'ca.key'), ca.pem, { mode: 0o600 });
  writeFileSync(paths.cert, out.cert);
  writeFileSync(paths.key, out.key, { mode: 0o600 });
  return out;
}
