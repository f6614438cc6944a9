// What the certificates API reads from PKCS#10 requests and X.509 certificates,
// after Go's crypto/x509 as upstream uses it (pkg/apis/certificates ParseCSR,
// CheckSignature): the subject, the subjectAltNames, the public key and the
// signature. The DER is read with node-forge's ASN.1 codec; signatures are
// checked with node:crypto, which knows RSA, ECDSA and Ed25519 keys.
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import forge from 'node-forge';

const { asn1 } = forge;
type Asn1 = forge.asn1.Asn1;

export const OID = {
  commonName: '2.5.4.3',
  serialNumber: '2.5.4.5',
  country: '2.5.4.6',
  locality: '2.5.4.7',
  province: '2.5.4.8',
  streetAddress: '2.5.4.9',
  organization: '2.5.4.10',
  organizationalUnit: '2.5.4.11',
  postalCode: '2.5.4.17',
  extensionRequest: '1.2.840.113549.1.9.14',
  subjectAltName: '2.5.29.17',
  subjectKeyIdentifier: '2.5.29.14',
  rsaEncryption: '1.2.840.113549.1.1.1',
  ecPublicKey: '1.2.840.10045.2.1',
  ed25519: '1.3.101.112',
} as const;

/** Signature algorithms Go accepts on requests: OID → the hash node:crypto verifies with (null for Ed25519). */
const SIGNATURE_HASHES = new Map<string, string | null>([
  ['1.2.840.113549.1.1.5', 'sha1'],
  ['1.2.840.113549.1.1.11', 'sha256'],
  ['1.2.840.113549.1.1.12', 'sha384'],
  ['1.2.840.113549.1.1.13', 'sha512'],
  ['1.2.840.10045.4.1', 'sha1'],
  ['1.2.840.10045.4.3.2', 'sha256'],
  ['1.2.840.10045.4.3.3', 'sha384'],
  ['1.2.840.10045.4.3.4', 'sha512'],
  ['1.3.101.112', null],
]);

export type PublicKeyAlgorithm = 'RSA' | 'ECDSA' | 'Ed25519' | 'Unknown';

/** A distinguished name as Go's pkix.Name fills it from an RDNSequence. */
export interface Name {
  commonName: string;
  serialNumber: string;
  country: string[];
  organization: string[];
  organizationalUnit: string[];
  locality: string[];
  province: string[];
  streetAddress: string[];
  postalCode: string[];
}

export interface CertificateRequest {
  subject: Name;
  dnsNames: string[];
  emailAddresses: string[];
  /** IP addresses in their textual form. */
  ipAddresses: string[];
  uris: string[];
  publicKeyAlgorithm: PublicKeyAlgorithm;
  /** The SubjectPublicKeyInfo, DER. */
  publicKeyInfo: Buffer;
  /** The DER of the whole request. */
  raw: Buffer;
  /** Throws when the signature does not verify with the request's own key. */
  checkSignature(): void;
}

function bytes(s: string): Buffer {
  return Buffer.from(s, 'binary');
}

function der(node: Asn1): Buffer {
  return bytes(asn1.toDer(node).getBytes());
}

function children(node: Asn1 | undefined): Asn1[] {
  return node && Array.isArray(node.value) ? node.value : [];
}

function primitive(node: Asn1 | undefined): string {
  if (!node || Array.isArray(node.value)) throw new Error('x509: malformed certificate request');
  return node.value;
}

function oidOf(node: Asn1 | undefined): string {
  if (!node || node.type !== asn1.Type.OID) throw new Error('x509: malformed certificate request');
  return asn1.derToOid(primitive(node));
}

/** A DirectoryString / IA5String value as text. */
function text(node: Asn1): string {
  const v = primitive(node);
  if (node.type === asn1.Type.UTF8) return forge.util.decodeUtf8(v);
  return v; // PrintableString, IA5String, T61String as bytes; BMPString is decoded by forge already
}

function emptyName(): Name {
  return {
    commonName: '',
    serialNumber: '',
    country: [],
    organization: [],
    organizationalUnit: [],
    locality: [],
    province: [],
    streetAddress: [],
    postalCode: [],
  };
}

/** pkix.Name.FillFromRDNSequence: multi-valued attributes in order; the last CN and serial number win. */
export function parseName(node: Asn1): Name {
  const name = emptyName();
  for (const rdn of children(node)) {
    for (const atv of children(rdn)) {
      const [type, value] = children(atv);
      const oid = oidOf(type);
      const v = text(value);
      switch (oid) {
        case OID.commonName:
          name.commonName = v;
          break;
        case OID.serialNumber:
          name.serialNumber = v;
          break;
        case OID.country:
          name.country.push(v);
          break;
        case OID.locality:
          name.locality.push(v);
          break;
        case OID.province:
          name.province.push(v);
          break;
        case OID.streetAddress:
          name.streetAddress.push(v);
          break;
        case OID.organization:
          name.organization.push(v);
          break;
        case OID.organizationalUnit:
          name.organizationalUnit.push(v);
          break;
        case OID.postalCode:
          name.postalCode.push(v);
          break;
      }
    }
  }
  return name;
}

function ipText(raw: Buffer): string {
  if (raw.length === 4) return [...raw].join('.');
  if (raw.length === 16) {
    const groups: number[] = [];
    for (let i = 0; i < 16; i += 2) groups.push(raw.readUInt16BE(i));
    if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) return [...raw.subarray(12)].join('.');
    // RFC 5952: the longest run of two or more zero groups (the first of equals) becomes '::'.
    let best = -1;
    let bestLen = 1;
    for (let i = 0; i < 8;) {
      let j = i;
      while (j < 8 && groups[j] === 0) j++;
      if (j - i > bestLen) [best, bestLen] = [i, j - i];
      i = j === i ? i + 1 : j;
    }
    const hex = groups.map((g) => g.toString(16));
    if (best < 0) return hex.join(':');
    return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
  }
  throw new Error(`x509: cannot parse IP address of length ${raw.length}`);
}

/** The GeneralNames of a subjectAltName extension Go keeps: email (1), DNS (2), URI (6), IP (7). */
function parseSANs(value: Buffer, out: Pick<CertificateRequest, 'dnsNames' | 'emailAddresses' | 'ipAddresses' | 'uris'>): void {
  const seq = asn1.fromDer(value.toString('binary'), { decodeBitStrings: false } as unknown as boolean);
  for (const gn of children(seq)) {
    if (gn.tagClass !== asn1.Class.CONTEXT_SPECIFIC || Array.isArray(gn.value)) continue;
    const v = gn.value;
    switch (gn.type as number) {
      case 1:
        out.emailAddresses.push(v);
        break;
      case 2:
        out.dnsNames.push(v);
        break;
      case 6:
        out.uris.push(v);
        break;
      case 7:
        out.ipAddresses.push(ipText(bytes(v)));
        break;
    }
  }
}

function keyAlgorithm(spki: Asn1): PublicKeyAlgorithm {
  const oid = oidOf(children(children(spki)[0])[0]);
  if (oid === OID.rsaEncryption) return 'RSA';
  if (oid === OID.ecPublicKey) return 'ECDSA';
  if (oid === OID.ed25519) return 'Ed25519';
  return 'Unknown';
}

/** PEM blocks of a text, in order (Go's pem.Decode, repeatedly). */
export function pemBlocks(pemText: string): Array<{ type: string; der: Buffer; hasHeaders: boolean }> {
  const out: Array<{ type: string; der: Buffer; hasHeaders: boolean }> = [];
  const re = /-----BEGIN ([^-\r\n]*)-----\r?\n([\s\S]*?)-----END \1-----/g;
  for (const m of pemText.matchAll(re)) {
    const body = m[2];
    // Base64 has no ':'; a line with one is a header ("Proc-Type: 4,ENCRYPTED").
    const hasHeaders = body.includes(':');
    const b64 = body.replace(/^.*:.*$/gm, '').replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64)) break;
    out.push({ type: m[1], der: Buffer.from(b64, 'base64'), hasHeaders });
  }
  return out;
}

/** x509.ParseCertificateRequest of DER bytes. */
export function parseCertificateRequestDER(raw: Buffer): CertificateRequest {
  let root: Asn1;
  try {
    root = asn1.fromDer(raw.toString('binary'), { decodeBitStrings: false } as unknown as boolean);
  } catch {
    throw new Error('x509: malformed certificate request');
  }
  const [info, sigAlg, sigBits] = children(root);
  const [version, subject, spki, attributes] = children(info);
  if (!version || !subject || !spki || !sigAlg || !sigBits) throw new Error('x509: malformed certificate request');
  const req: CertificateRequest = {
    subject: parseName(subject),
    dnsNames: [],
    emailAddresses: [],
    ipAddresses: [],
    uris: [],
    publicKeyAlgorithm: keyAlgorithm(spki),
    publicKeyInfo: der(spki),
    raw,
    checkSignature: () => {
      const hash = SIGNATURE_HASHES.get(oidOf(children(sigAlg)[0]));
      if (hash === undefined) throw new Error('x509: cannot verify signature: algorithm unimplemented');
      const signature = bytes(primitive(sigBits)).subarray(1); // the unused-bits octet first
      let key: KeyObject;
      try {
        key = createPublicKey({ key: req.publicKeyInfo, format: 'der', type: 'spki' });
      } catch {
        throw new Error('x509: unsupported public key');
      }
      let ok = false;
      try {
        ok = verify(hash, der(info), key, signature);
      } catch {
        ok = false;
      }
      if (!ok) throw new Error(`x509: ${req.publicKeyAlgorithm === 'RSA' ? 'RSA' : req.publicKeyAlgorithm} verification failure`);
    },
  };
  // attributes [0]: the extensionRequest carries the subjectAltNames.
  for (const attr of children(attributes)) {
    const [type, values] = children(attr);
    if (oidOf(type) !== OID.extensionRequest) continue;
    for (const exts of children(values)) {
      for (const ext of children(exts)) {
        const parts = children(ext);
        if (oidOf(parts[0]) !== OID.subjectAltName) continue;
        parseSANs(bytes(primitive(parts[parts.length - 1])), req);
      }
    }
  }
  return req;
}

/** certificates.ParseCSR: the first PEM block must be a CERTIFICATE REQUEST. */
export function parseCSR(pemBytes: Buffer | string): CertificateRequest {
  const block = pemBlocks(Buffer.isBuffer(pemBytes) ? pemBytes.toString('latin1') : pemBytes)[0];
  if (!block || block.type !== 'CERTIFICATE REQUEST') throw new Error('PEM block type must be CERTIFICATE REQUEST');
  return parseCertificateRequestDER(block.der);
}

/** The parts of a CA certificate a signer needs: its subject (DER, as the issuer of what it signs), validity end and key identifier. */
export interface CertificateInfo {
  subject: Name;
  subjectDER: Buffer;
  notAfter: Date;
  subjectKeyId?: Buffer;
}

function asn1Time(node: Asn1): Date {
  const v = primitive(node);
  return node.type === asn1.Type.UTCTIME ? asn1.utcTimeToDate(v) : asn1.generalizedTimeToDate(v);
}

/** x509.ParseCertificate, for the fields above. */
export function parseCertificateDER(raw: Buffer): CertificateInfo {
  let root: Asn1;
  try {
    root = asn1.fromDer(raw.toString('binary'), { decodeBitStrings: false } as unknown as boolean);
  } catch {
    throw new Error('x509: malformed certificate');
  }
  const tbs = children(children(root)[0]);
  // version [0] is optional; the serial number follows it.
  const offset = tbs[0]?.tagClass === asn1.Class.CONTEXT_SPECIFIC ? 1 : 0;
  const validity = tbs[offset + 3];
  const subject = tbs[offset + 4];
  if (!validity || !subject) throw new Error('x509: malformed certificate');
  const info: CertificateInfo = { subject: parseName(subject), subjectDER: der(subject), notAfter: asn1Time(children(validity)[1]) };
  for (const field of tbs.slice(offset + 6)) {
    if (field.tagClass !== asn1.Class.CONTEXT_SPECIFIC || (field.type as number) !== 3) continue;
    for (const ext of children(children(field)[0])) {
      const parts = children(ext);
      if (oidOf(parts[0]) !== OID.subjectKeyIdentifier) continue;
      const inner = asn1.fromDer(primitive(parts[parts.length - 1]));
      info.subjectKeyId = bytes(primitive(inner));
    }
  }
  return info;
}
