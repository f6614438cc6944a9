// The signing policy of the local signer, after upstream's
// pkg/controller/certificates/authority/policies.go (PermissiveSigningPolicy):
// the requested usages become key usages and extended key usages, the
// certificate is not a CA, and its validity is backdated and capped by the CA's.

/** x509.KeyUsage bits, as Go numbers them (DigitalSignature is bit 0). */
export const KEY_USAGE = {
  digitalSignature: 1 << 0,
  contentCommitment: 1 << 1,
  keyEncipherment: 1 << 2,
  dataEncipherment: 1 << 3,
  keyAgreement: 1 << 4,
  certSign: 1 << 5,
  crlSign: 1 << 6,
  encipherOnly: 1 << 7,
  decipherOnly: 1 << 8,
} as const;

const KEY_USAGES = new Map<string, number>([
  ['signing', KEY_USAGE.digitalSignature],
  ['digital signature', KEY_USAGE.digitalSignature],
  ['content commitment', KEY_USAGE.contentCommitment],
  ['key encipherment', KEY_USAGE.keyEncipherment],
  ['key agreement', KEY_USAGE.keyAgreement],
  ['data encipherment', KEY_USAGE.dataEncipherment],
  ['cert sign', KEY_USAGE.certSign],
  ['crl sign', KEY_USAGE.crlSign],
  ['encipher only', KEY_USAGE.encipherOnly],
  ['decipher only', KEY_USAGE.decipherOnly],
]);

/** Extended key usages: x509.ExtKeyUsage's order (which the certificate keeps) and OIDs. */
const EXT_KEY_USAGES = new Map<string, { order: number; oid: string }>([
  ['any', { order: 0, oid: '2.5.29.37.0' }],
  ['server auth', { order: 1, oid: '1.3.6.1.5.5.7.3.1' }],
  ['client auth', { order: 2, oid: '1.3.6.1.5.5.7.3.2' }],
  ['code signing', { order: 3, oid: '1.3.6.1.5.5.7.3.3' }],
  ['email protection', { order: 4, oid: '1.3.6.1.5.5.7.3.4' }],
  ['s/mime', { order: 4, oid: '1.3.6.1.5.5.7.3.4' }],
  ['ipsec end system', { order: 5, oid: '1.3.6.1.5.5.7.3.5' }],
  ['ipsec tunnel', { order: 6, oid: '1.3.6.1.5.5.7.3.6' }],
  ['ipsec user', { order: 7, oid: '1.3.6.1.5.5.7.3.7' }],
  ['timestamping', { order: 8, oid: '1.3.6.1.5.5.7.3.8' }],
  ['ocsp signing', { order: 9, oid: '1.3.6.1.5.5.7.3.9' }],
  ['microsoft sgc', { order: 10, oid: '1.3.6.1.4.1.311.10.3.3' }],
  ['netscape sgc', { order: 11, oid: '2.16.840.1.113730.4.1' }],
]);

export interface Usages {
  keyUsage: number;
  /** Extended key usage OIDs, without duplicates, in x509.ExtKeyUsage order. */
  extKeyUsages: string[];
}

/** keyUsagesFromStrings: throws for a usage the API does not know. */
export function keyUsagesFromStrings(usages: string[]): Usages {
  let keyUsage = 0;
  const ext = new Map<number, string>();
  const unrecognized: string[] = [];
  for (const u of usages) {
    const bit = KEY_USAGES.get(u);
    const eku = EXT_KEY_USAGES.get(u);
    if (bit !== undefined) keyUsage |= bit;
    else if (eku) ext.set(eku.order, eku.oid);
    else unrecognized.push(u);
  }
  if (unrecognized.length) throw new Error(`unrecognized usage values: [${unrecognized.map((u) => JSON.stringify(u)).join(' ')}]`);
  return { keyUsage, extKeyUsages: [...ext].sort(([a], [b]) => a - b).map(([, oid]) => oid) };
}

export interface PermissiveSigningPolicy {
  /** The certificate's lifetime. */
  ttlMs: number;
  usages: string[];
  /** NotBefore is this long before now (clock skew). */
  backdateMs: number;
  /** Certificates living less than this are not backdated at their end. */
  shortMs: number;
  now?: () => Date;
}

export interface Validity {
  notBefore: Date;
  notAfter: Date;
}

/** The validity a policy gives a certificate signed by a CA valid until signerNotAfter; throws when the CA has expired. */
export function validityFor(policy: PermissiveSigningPolicy, signerNotAfter: Date): Validity {
  const now = (policy.now ?? (() => new Date()))().getTime();
  const notBefore = new Date(now - policy.backdateMs);
  let notAfter = new Date(policy.ttlMs < policy.shortMs ? now + policy.ttlMs : now + policy.ttlMs - policy.backdateMs);
  if (notAfter.getTime() >= signerNotAfter.getTime()) notAfter = signerNotAfter;
  if (notBefore.getTime() >= signerNotAfter.getTime()) throw new Error(`the signer has expired: NotAfter=${signerNotAfter.toISOString()}`);
  if (now >= signerNotAfter.getTime()) throw new Error(`refusing to sign a certificate that expired in the past: NotAfter=${signerNotAfter.toISOString()}`);
  return { notBefore, notAfter };
}
