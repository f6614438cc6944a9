// Certificate requests made by the real openssl, for the certificates API tests.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface OpensslCSR {
  /** The PEM request, as spec.request carries it (base64 in JSON). */
  pem: string;
  key: string;
}

/**
 * `openssl req -new` with a fresh key: RSA 2048 or EC P-256. subject is openssl's
 * `/CN=alice/O=devs` form; san, when given, is a subjectAltName (`DNS:a.example,IP:10.0.0.1`).
 */
export function opensslCSR(subject: string, opts: { key?: 'rsa' | 'ec'; san?: string } = {}): OpensslCSR {
  const dir = mkdtempSync(join(tmpdir(), 'timonel-csr-'));
  try {
    const keyFile = join(dir, 'key.pem');
    const csrFile = join(dir, 'csr.pem');
    const newkey = opts.key === 'ec' ? ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'] : ['-newkey', 'rsa:2048'];
    const san = opts.san ? ['-addext', `subjectAltName=${opts.san}`] : [];
    execFileSync('openssl', ['req', '-new', ...newkey, '-nodes', '-keyout', keyFile, '-subj', subject, ...san, '-out', csrFile], { stdio: 'pipe' });
    return { pem: readFileSync(csrFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The request as a CertificateSigningRequest's spec.request. */
export function requestField(csr: OpensslCSR): string {
  return Buffer.from(csr.pem).toString('base64');
}
