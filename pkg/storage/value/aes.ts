// AES transformers in upstream's stored formats
// (k8s.io/apiserver/pkg/storage/value/encrypt/aes):
// - aesgcm: nonce (12 bytes) | ciphertext | tag (16 bytes), the etcd key as authenticated data;
// - aescbc: IV (16 bytes) | ciphertext of the PKCS#7-padded value.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { ValueTransformer } from './transformer.js';

const GCM_NONCE = 12;
const GCM_TAG = 16;
const BLOCK = 16;

function aesAlgorithm(mode: 'gcm' | 'cbc', key: Buffer): 'aes-128-gcm' | 'aes-192-gcm' | 'aes-256-gcm' | 'aes-128-cbc' | 'aes-192-cbc' | 'aes-256-cbc' {
  if (key.length !== 16 && key.length !== 24 && key.length !== 32) throw new Error(`AES keys are 16, 24 or 32 bytes, not ${key.length}`);
  return `aes-${(key.length * 8) as 128 | 192 | 256}-${mode}`;
}

export function aesGCMTransformer(key: Buffer, random: (n: number) => Buffer = randomBytes): ValueTransformer {
  const algorithm = aesAlgorithm('gcm', key) as 'aes-256-gcm';
  return {
    toStorage(value, etcdKey) {
      const nonce = random(GCM_NONCE);
      const cipher = createCipheriv(algorithm, key, nonce, { authTagLength: GCM_TAG });
      cipher.setAAD(Buffer.from(etcdKey));
      return Buffer.concat([nonce, cipher.update(value), cipher.final(), cipher.getAuthTag()]);
    },
    fromStorage(stored, etcdKey) {
      if (stored.length < GCM_NONCE + GCM_TAG) throw new Error('the stored data was shorter than the required size');
      const decipher = createDecipheriv(algorithm, key, stored.subarray(0, GCM_NONCE), { authTagLength: GCM_TAG });
      decipher.setAAD(Buffer.from(etcdKey));
      decipher.setAuthTag(stored.subarray(stored.length - GCM_TAG));
      try {
        return Buffer.concat([decipher.update(stored.subarray(GCM_NONCE, stored.length - GCM_TAG)), decipher.final()]);
      } catch {
        throw new Error('message authentication failed (wrong key or corrupt data)');
      }
    },
  };
}

export function aesCBCTransformer(key: Buffer, random: (n: number) => Buffer = randomBytes): ValueTransformer {
  const algorithm = aesAlgorithm('cbc', key);
  return {
    toStorage(value) {
      const iv = random(BLOCK);
      const cipher = createCipheriv(algorithm, key, iv); // PKCS#7 padding is node's default
      return Buffer.concat([iv, cipher.update(value), cipher.final()]);
    },
    fromStorage(stored) {
      if (stored.length < 2 * BLOCK) throw new Error('the stored data was shorter than the required size');
      if (stored.length % BLOCK !== 0) throw new Error('the stored data is not a multiple of the block size');
      const decipher = createDecipheriv(algorithm, key, stored.subarray(0, BLOCK));
      try {
        return Buffer.concat([decipher.update(stored.subarray(BLOCK)), decipher.final()]);
      } catch {
        throw new Error('invalid PKCS7 padding (wrong key or corrupt data)');
      }
    },
  };
}
