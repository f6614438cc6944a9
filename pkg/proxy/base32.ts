// RFC 4648 base32 (Go's base32.StdEncoding) of a SHA-256, cut to a prefix: how
// kube-proxy turns a service port or endpoint into a short, stable chain name.
import { createHash } from 'node:crypto';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** The first chars characters of base32(bytes). */
export function base32Prefix(bytes: Buffer, chars: number): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5 && out.length < chars) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    if (out.length >= chars) break;
    value &= (1 << bits) - 1;
  }
  return out;
}

/** The first chars characters of base32(sha256(s)). */
export function sha256Base32(s: string, chars: number): string {
  return base32Prefix(createHash('sha256').update(s).digest(), chars);
}
