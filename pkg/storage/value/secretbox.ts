// The secretbox transformer in upstream's stored format
// (k8s.io/apiserver/pkg/storage/value/encrypt/secretbox): nonce (24 bytes) | NaCl
// secretbox (XSalsa20-Poly1305) of the value, tag first.
import { randomBytes } from 'node:crypto';
import nacl from 'tweetnacl';
import type { ValueTransformer } from './transformer.js';

export function secretboxTransformer(key: Buffer, random: (n: number) => Buffer = randomBytes): ValueTransformer {
  if (key.length !== nacl.secretbox.keyLength) throw new Error(`secretbox keys are ${nacl.secretbox.keyLength} bytes, not ${key.length}`);
  const k = new Uint8Array(key);
  return {
    toStorage(value) {
      const nonce = random(nacl.secretbox.nonceLength);
      return Buffer.concat([nonce, nacl.secretbox(new Uint8Array(value), new Uint8Array(nonce), k)]);
    },
    fromStorage(stored) {
      if (stored.length < nacl.secretbox.nonceLength + nacl.secretbox.overheadLength) throw new Error('the stored data was shorter than the required size');
      const nonce = new Uint8Array(stored.subarray(0, nacl.secretbox.nonceLength));
      const opened = nacl.secretbox.open(new Uint8Array(stored.subarray(nacl.secretbox.nonceLength)), nonce, k);
      if (!opened) throw new Error('message authentication failed (wrong key or corrupt data)');
      return Buffer.from(opened);
    },
  };
}
