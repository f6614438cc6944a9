// The certificate authority the signing controller signs with, after upstream's
// pkg/controller/certificates/authority/authority.go: a certificate for a
// request's subject, subjectAltNames and public key, with the policy's usages
// and validity, issued by the CA and signed with its key. The certificate is
// laid out as Go's x509.CreateCertificate lays it out; node-forge encodes the
// ASN.1 and node:crypto signs (RSA, ECDSA and Ed25519 CA keys).
import { createPrivateKey, randomBytes, sign, type KeyObject } from 'node:crypto';
import forge from 'node-forge';
import { parseCertificateDER, parseCertificateRequestDER, pemBlocks, type CertificateInfo, type Name } from '../../../../api/certificates/v1/x509.js';
import { keyUsagesFromStrings, validityFor, type PermissiveSigningPolicy } from './policies.js';

const { asn1 } = forge;
type Asn1 = forge.asn1.Asn1;
const U = asn1.Class.UNIVERSAL;
const T = asn1.Type;

const seq = (items: Asn1[]): Asn1 => asn1.create(U, T.SEQUENCE, true, items);
const set = (items: Asn1[]): Asn1 => asn1.create(U, T.SET, true, items);
const oid = (id: string): Asn1 => asn1.create(U, T.OID, false, asn1.oidToDer(id).getBytes());
const octets = (b: Buffer): Asn1 => asn1.create(U, T.OCTETSTRING, false, b.toString('binary'));
const bool = (v: boolean): Asn1 => asn1.create(U, T.BOOLEAN, false, v ? '\xff' : '\x00');
const der = (node: Asn1): Buffer => Buffer.from(asn1.toDer(node).getBytes(), 'binary');
const fromDer = (b: Buffer): Asn1 => asn1.fromDer(b.toString('binary'), { decodeBitStrings: false } as unknown as boolean);

/** A non-negative INTEGER from big-endian bytes, minimally encoded. */
function unsignedInteger(b: Buffer): Asn1 {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  const body = b[i] & 0x80 ? Buffer.concat([Buffer.from([0]), b.subarray(i)]) : b.subarray(i);
  return asn1.create(U, T.INTEGER, false, body.toString('binary'));
}

/** A string as Go's encoding/asn1 writes one: PrintableString when it can be, else UTF8String. */
function directoryString(s: string): Asn1 {
  return /^[A-Za-z0-9 '()+,\-./:=?]*$/.test(s) ? asn1.create(U, T.PRINTABLESTRING, false, s) : asn1.create(U, T.UTF8, false, forge.util.encodeUtf8(s));
}

/** Go's time encoding: UTCTime from 1950 to 2049, GeneralizedTime otherwise, to the second. */
function time(d: Date): Asn1 {
  const t = new Date(Math.floor(d.getTime() / 1000) * 1000);
  const year = t.getUTCFullYear();
  return year >= 1950 && year < 2050
    ? asn1.create(U, T.UTCTIME, false, asn1.dateToUtcTime(t))
    : asn1.create(U, T.GENERALIZEDTIME, false, asn1.dateToGeneralizedTime(t));
}

/** pkix.Name.ToRDNSequence: C, ST, L, STREET, POSTALCODE, O, OU, CN, SERIALNUMBER; each type's values in one RDN. */
function nameSequence(n: Name): Asn1 {
  const rdns: Asn1[] = [];
  const add = (values: string[], type: string) => {
    if (!values.length) return;
    // DER sorts a SET OF by its elements' encodings.
    const atvs = values.map((v) => seq([oid(type), directoryString(v)])).sort((a, b) => Buffer.compare(der(a), der(b)));
    rdns.push(set(atvs));
  };
  add(n.country, '2.5.4.6');
  add(n.province, '2.5.4.8');
  add(n.locality, '2.5.4.7');
  add(n.streetAddress, '2.5.4.9');
  add(n.postalCode, '2.5.4.17');
  add(n.organization, '2.5.4.10');
  add(n.organizationalUnit, '2.5.4.11');
  if (n.commonName) add([n.commonName], '2.5.4.3');
  if (n.serialNumber) add([n.serialNumber], '2.5.4.5');
  return seq(rdns);
}

function extension(id: string, critical: boolean, value: Asn1): Asn1 {
  return seq([oid(id), ...(critical ? [bool(true)] : []), octets(der(value))]);
}

/** marshalKeyUsage: the bits as a BIT STRING, named bit 0 (digitalSignature) first, trailing zero bits dropped. */
function keyUsageBits(ku: number): Asn1 {
  const reverse = (b: number) => {
    let r = 0;
    for (let i = 0; i < 8; i++) if (b & (1 << i)) r |= 1 << (7 - i);
    return r;
  };
  const bytes = [reverse(ku & 0xff), reverse((ku >> 8) & 0xff)].slice(0, (ku >> 8) & 0xff ? 2 : 1);
  // asn1BitLength: up to and including the last bit set.
  let bitLength = bytes.length * 8;
  const last = bytes[bytes.length - 1];
  for (let bit = 0; bit < 8 && !((last >> bit) & 1); bit++) bitLength--;
  return asn1.create(U, T.BITSTRING, false, String.fromCharCode(bytes.length * 8 - bitLength, ...bytes));
}

function ipBytes(ip: string): Buffer {
  if (!ip.includes(':')) return Buffer.from(ip.split('.').map(Number));
  const [head, tail] = ip.split('::');
  const groups = (s: string | undefined) => (s ? s.split(':') : []);
  const h = groups(head);
  const t = tail === undefined ? [] : groups(tail);
  const words = [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  const out = Buffer.alloc(16);
  words.forEach((w, i) => out.writeUInt16BE(parseInt(w, 16), i * 2));
  return out;
}

/** marshalSANs: DNS names, email addresses, IP addresses, then URIs. */
function subjectAltNames(req: { dnsNames: string[]; emailAddresses: string[]; ipAddresses: string[]; uris: string[] }): Asn1 {
  const ctx = (tag: number, value: string) => asn1.create(asn1.Class.CONTEXT_SPECIFIC, tag as forge.asn1.Type, false, value);
  return seq([
    ...req.dnsNames.map((n) => ctx(2, n)),
    ...req.emailAddresses.map((e) => ctx(1, e)),
    ...req.ipAddresses.map((ip) => ctx(7, ipBytes(ip).toString('binary'))),
    ...req.uris.map((u) => ctx(6, u)),
  ]);
}

/** The signature algorithm x509.CreateCertificate picks for a CA key. */
function signatureAlgorithm(key: KeyObject): { id: Asn1; hash: string | null } {
  if (key.asymmetricKeyType === 'rsa') return { id: seq([oid('1.2.840.113549.1.1.11'), asn1.create(U, T.NULL, false, '')]), hash: 'sha256' };
  if (key.asymmetricKeyType === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (curve === 'secp384r1') return { id: seq([oid('1.2.840.10045.4.3.3')]), hash: 'sha384' };
    if (curve === 'secp521r1') return { id: seq([oid('1.2.840.10045.4.3.4')]), hash: 'sha512' };
    return { id: seq([oid('1.2.840.10045.4.3.2')]), hash: 'sha256' };
  }
  if (key.asymmetricKeyType === 'ed25519') return { id: seq([oid('1.3.101.112')]), hash: null };
  throw new Error(`unsupported CA key type ${String(key.asymmetricKeyType)}`);
}

export class CertificateAuthority {
  readonly certificate: CertificateInfo;
  private readonly key: KeyObject;

  /** certPEM and keyPEM: the CA certificate and its private key (PKCS#1, SEC 1 or PKCS#8). */
  constructor(
    readonly certPEM: string,
    keyPEM: string,
  ) {
    const block = pemBlocks(certPEM).find((b) => b.type === 'CERTIFICATE');
    if (!block) throw new Error('the CA certificate file holds no CERTIFICATE PEM block');
    this.certificate = parseCertificateDER(block.der);
    this.key = createPrivateKey(keyPEM);
  }

  /** Sign: a DER certificate for the DER request, as the policy allows. */
  sign(requestDER: Buffer, policy: PermissiveSigningPolicy): Buffer {
    let req;
    try {
      req = parseCertificateRequestDER(requestDER);
    } catch (err) {
      throw new Error(`unable to parse certificate request: ${(err as Error).message}`);
    }
    try {
      req.checkSignature();
    } catch (err) {
      throw new Error(`unable to verify certificate request signature: ${(err as Error).message}`);
    }
    const { keyUsage, extKeyUsages } = keyUsagesFromStrings(policy.usages);
    const validity = validityFor(policy, this.certificate.notAfter);
    const subject = nameSequence(req.subject);
    const extensions: Asn1[] = [];
    if (keyUsage !== 0) extensions.push(extension('2.5.29.15', true, keyUsageBits(keyUsage)));
    if (extKeyUsages.length) extensions.push(extension('2.5.29.37', false, seq(extKeyUsages.map(oid))));
    extensions.push(extension('2.5.29.19', true, seq([])));
    const aki = this.certificate.subjectKeyId;
    if (aki)
      extensions.push(extension('2.5.29.35', false, seq([asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0 as forge.asn1.Type, false, aki.toString('binary'))])));
    if (req.dnsNames.length || req.emailAddresses.length || req.ipAddresses.length || req.uris.length) {
      // The subjectAltName is critical when the subject is empty.
      extensions.push(extension('2.5.29.17', (subject.value as Asn1[]).length === 0, subjectAltNames(req)));
    }
    const alg = signatureAlgorithm(this.key);
    const serial = randomBytes(16); // below 2^128, as upstream draws it
    const tbs = seq([
      asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0 as forge.asn1.Type, true, [unsignedInteger(Buffer.from([2]))]),
      unsignedInteger(serial),
      alg.id,
      fromDer(this.certificate.subjectDER),
      seq([time(validity.notBefore), time(validity.notAfter)]),
      subject,
      fromDer(req.publicKeyInfo),
      asn1.create(asn1.Class.CONTEXT_SPECIFIC, 3 as forge.asn1.Type, true, [seq(extensions)]),
    ]);
    const tbsDER = der(tbs);
    const signature = sign(alg.hash, tbsDER, this.key);
    const bits = asn1.create(U, T.BITSTRING, false, `\x00${signature.toString('binary')}`);
    return der(seq([tbs, alg.id, bits]));
  }
}

/** A DER certificate as PEM. */
export function certificatePEM(derBytes: Buffer): string {
  const b64 = derBytes.toString('base64').replace(/(.{64})/g, '$1\n');
  return `-----BEGIN CERTIFICATE-----\n${b64}${b64.endsWith('\n') ? '' : '\n'}-----END CERTIFICATE-----\n`;
}
