// Encryption at rest: each provider's stored format (upstream's, checked against vectors
// made by other implementations), the k8s:enc prefix, key rotation, and the
// EncryptionConfiguration's validation.
import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { aesCBCTransformer, aesGCMTransformer } from '../../pkg/storage/value/aes.js';
import { secretboxTransformer } from '../../pkg/storage/value/secretbox.js';
import { PrefixTransformers, identityTransformer, storedPrefix } from '../../pkg/storage/value/transformer.js';
import { parseEncryptionConfiguration } from '../../pkg/storage/value/encryptionconfig.js';

const KEY = '/registry/secrets/default/s1';
const MSG = Buffer.from('{"kind":"Secret","data":{"password":"aHVudGVyMg=="}}');
const b64 = (b: Buffer) => b.toString('base64');
/** A fixed "random" source, to compare with a vector. */
const fixed = (bytes: Buffer) => (n: number) => {
  assert.equal(n, bytes.length);
  return bytes;
};
const range = (from: number, n: number) => Buffer.from(Array.from({ length: n }, (_, i) => from + i));

describe('aescbc', () => {
  it('stores IV | AES-CBC of the PKCS#7-padded value (vector from pyca/cryptography)', () => {
    const t = aesCBCTransformer(range(0, 32), fixed(range(100, 16)));
    const want =
      '6465666768696a6b6c6d6e6f7071727344283a8a80a45cba29966b60a5c5bdabff8c97040af6cd1e2b38844d77db9ced4436d59a43552567f3c5e16b10b8903797c1e1a26d8950c829489b730f9ff415';
    assert.equal(t.toStorage(MSG, KEY).toString('hex'), want);
    assert.deepEqual(aesCBCTransformer(range(0, 32)).fromStorage(Buffer.from(want, 'hex'), KEY), MSG);
  });

  it('round-trips values of every length around the block size, each with a fresh IV', () => {
    const t = aesCBCTransformer(range(7, 32));
    for (let n = 0; n <= 33; n++) {
      const v = Buffer.alloc(n, 0x41 + n);
      const a = t.toStorage(v, KEY);
      assert.equal(a.length, 16 + (Math.floor(n / 16) + 1) * 16);
      assert.notDeepEqual(a, t.toStorage(v, KEY));
      assert.deepEqual(t.fromStorage(a, KEY), v);
    }
  });

  it('refuses short, unaligned or badly padded data', () => {
    const t = aesCBCTransformer(range(0, 32));
    assert.throws(() => t.fromStorage(Buffer.alloc(16), KEY), /shorter than the required size/);
    assert.throws(() => t.fromStorage(Buffer.alloc(40), KEY), /not a multiple of the block size/);
    // A wrong key almost always leaves invalid padding; try a few encryptions to be sure one fails.
    assert.throws(() => {
      for (let i = 0; i < 8; i++) t.fromStorage(aesCBCTransformer(range(1, 32)).toStorage(MSG, KEY), KEY);
    }, /invalid PKCS7 padding/);
  });
});

describe('aesgcm', () => {
  it('stores nonce | ciphertext | tag with the etcd key as authenticated data (vector from pyca/cryptography)', () => {
    const t = aesGCMTransformer(range(0, 16), fixed(range(200, 12)));
    const want =
      'c8c9cacbcccdcecfd0d1d2d34d0affd760570913fcc4cd21b30417845c329968a54e3f29af9537a9658c86aa8c5eb427b6ebc3639dd26f007a213cae246fc5dd757f51a5ac9853efc452c0d85bb63917';
    assert.equal(t.toStorage(MSG, KEY).toString('hex'), want);
    assert.deepEqual(aesGCMTransformer(range(0, 16)).fromStorage(Buffer.from(want, 'hex'), KEY), MSG);
  });

  it('round-trips with 16, 24 and 32-byte keys, and refuses another key, another etcd key or a changed byte', () => {
    for (const n of [16, 24, 32]) {
      const t = aesGCMTransformer(range(3, n));
      const stored = t.toStorage(MSG, KEY);
      assert.deepEqual(t.fromStorage(stored, KEY), MSG);
      assert.throws(() => aesGCMTransformer(range(4, n)).fromStorage(stored, KEY), /message authentication failed/);
      assert.throws(() => t.fromStorage(stored, '/registry/secrets/default/s2'), /message authentication failed/);
      const flipped = Buffer.from(stored);
      flipped[20] ^= 1;
      assert.throws(() => t.fromStorage(flipped, KEY), /message authentication failed/);
    }
    assert.throws(() => aesGCMTransformer(range(0, 20)), /16, 24 or 32 bytes, not 20/);
  });
});

describe('secretbox', () => {
  it('stores nonce | NaCl secretbox (vector from golang.org/x/crypto/nacl/secretbox)', () => {
    const key = Buffer.alloc(32, 1);
    const nonce = Buffer.alloc(24, 2);
    const box =
      '8442bc313f4626f1359e3b50122b6ce6fe66ddfe7d39d14e637eb4fd5b45beadab55198df6ab5368439792a23c87db70acb6156dc5ef957ac04f6276cf6093b84be77ff0849cc33e34b7254d5a8f65ad';
    const t = secretboxTransformer(key, fixed(nonce));
    assert.equal(t.toStorage(Buffer.alloc(64, 3), KEY).toString('hex'), nonce.toString('hex') + box);
    assert.deepEqual(t.fromStorage(Buffer.concat([nonce, Buffer.from(box, 'hex')]), KEY), Buffer.alloc(64, 3));
  });

  it('round-trips and refuses another key', () => {
    const t = secretboxTransformer(range(9, 32));
    const stored = t.toStorage(MSG, KEY);
    assert.deepEqual(t.fromStorage(stored, KEY), MSG);
    assert.throws(() => secretboxTransformer(range(10, 32)).fromStorage(stored, KEY), /message authentication failed/);
    assert.throws(() => secretboxTransformer(range(0, 16)), /32 bytes, not 16/);
  });
});

describe('prefixes and rotation', () => {
  const key1 = range(0, 32);
  const key2 = range(32, 32);
  const cbc = (name: string, k: Buffer) => ({ prefix: `k8s:enc:aescbc:v1:${name}:`, transformer: aesCBCTransformer(k) });

  it('writes with the first key under its prefix and reads with any listed key', () => {
    const before = new PrefixTransformers([cbc('key1', key1)]);
    const old = before.toStorage(MSG, KEY);
    assert.equal(old.subarray(0, 23).toString(), 'k8s:enc:aescbc:v1:key1:');
    assert.equal(storedPrefix(old), 'k8s:enc:aescbc:v1:key1:');
    assert.ok(!old.includes(MSG.subarray(10, 30)));

    const rotated = new PrefixTransformers([cbc('key2', key2), cbc('key1', key1)]);
    assert.deepEqual(rotated.fromStorage(old, KEY), MSG);
    const fresh = rotated.toStorage(MSG, KEY);
    assert.equal(storedPrefix(fresh), 'k8s:enc:aescbc:v1:key2:');
    assert.deepEqual(rotated.fromStorage(fresh, KEY), MSG);
    // Once key1 is dropped, its values fail with an error naming their prefix.
    assert.throws(
      () => new PrefixTransformers([cbc('key2', key2)]).fromStorage(old, KEY),
      /no configured provider or key matches its prefix "k8s:enc:aescbc:v1:key1:"/,
    );
  });

  it('fails clearly when the named key holds another secret', () => {
    // aesgcm: its tag makes every wrong key fail (a wrong aescbc key leaves valid padding 1 time in 256).
    const gcm = (k: Buffer) => new PrefixTransformers([{ prefix: 'k8s:enc:aesgcm:v1:key1:', transformer: aesGCMTransformer(k) }]);
    const old = gcm(key1).toStorage(MSG, KEY);
    assert.throws(
      () => gcm(key2).fromStorage(old, KEY),
      /cannot decrypt \/registry\/secrets\/default\/s1: k8s:enc:aesgcm:v1:key1: message authentication failed/,
    );
  });

  it('reads plaintext through identity, which never reads encrypted data', () => {
    const t = new PrefixTransformers([cbc('key1', key1), { prefix: '', transformer: identityTransformer }]);
    assert.deepEqual(t.fromStorage(MSG, KEY), MSG);
    assert.throws(() => new PrefixTransformers([cbc('key1', key1)]).fromStorage(MSG, KEY), /no configured provider or key matches its prefix ""/);
    // identity first: writes plaintext (decrypting at rest), still reads what key1 wrote.
    const decrypting = new PrefixTransformers([{ prefix: '', transformer: identityTransformer }, cbc('key1', key1)]);
    assert.deepEqual(decrypting.toStorage(MSG, KEY), MSG);
    assert.deepEqual(decrypting.fromStorage(t.toStorage(MSG, KEY), KEY), MSG);
    assert.throws(() => new PrefixTransformers([{ prefix: '', transformer: identityTransformer }]).fromStorage(t.toStorage(MSG, KEY), KEY), /cannot decrypt/);
  });
});

describe('EncryptionConfiguration', () => {
  const config = (providers: string, resources = '[secrets]') => `apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
  - resources: ${resources}
    providers:
${providers}`;
  const K32 = b64(range(0, 32));

  it('encrypts the listed resources with every provider, under their etcd prefixes, and leaves the others alone', () => {
    for (const p of ['aescbc', 'aesgcm', 'secretbox']) {
      const t = parseEncryptionConfiguration(
        config(`      - ${p}:\n          keys:\n            - name: key1\n              secret: ${K32}\n      - identity: {}`, '[secrets, deployments.apps]'),
      );
      assert.deepEqual(t.prefixes(), ['/registry/secrets/', '/registry/deployments/']);
      const stored = t.toStorage(MSG, KEY);
      assert.equal(storedPrefix(stored), `k8s:enc:${p}:v1:key1:`);
      assert.deepEqual(t.fromStorage(stored, KEY), MSG);
      assert.deepEqual(t.toStorage(MSG, '/registry/configmaps/default/c'), MSG);
      assert.deepEqual(t.fromStorage(MSG, KEY), MSG); // plaintext written before encryption was on
    }
  });

  it('refuses invalid configurations with the field at fault', () => {
    const cases: [string, RegExp][] = [
      ['kind: Foo', /kind: Invalid value: "Foo"/],
      ['apiVersion: v1\nkind: EncryptionConfiguration\nresources: []', /apiVersion: Invalid value/],
      [config('      - aescbc:\n          keys: []'), /resources\[0\]\.providers\[0\]\.aescbc\.keys: Required value/],
      [
        config(`      - aescbc:\n          keys:\n            - name: key1\n              secret: ${b64(range(0, 10))}`),
        /keys\[0\]\.secret: Invalid value: AES keys are 16, 24 or 32 bytes, not 10/,
      ],
      [
        config(`      - secretbox:\n          keys:\n            - name: key1\n              secret: ${b64(range(0, 16))}`),
        /secretbox keys are 32 bytes, not 16/,
      ],
      [config('      - aescbc:\n          keys:\n            - name: key1\n              secret: "not base64!"'), /secret: Invalid value: not valid base64/],
      [
        config(`      - aescbc:\n          keys:\n            - name: k\n              secret: ${K32}\n            - name: k\n              secret: ${K32}`),
        /keys\[1\]\.name: Duplicate value: "k"/,
      ],
      [config(`      - aescbc:\n          keys:\n            - secret: ${K32}`), /keys\[0\]\.name: Required value/],
      [config('      - kms:\n          name: x'), /Unsupported value: "kms"/],
      [config(`      - identity: {}\n        aescbc:\n          keys: []`), /exactly one provider type/],
      [config('      - identity: {}', "['*.*']"), /wildcards are not supported/],
      [config('      - identity: {}', '[secrets, secrets]'), /resources\[1\]: Duplicate value: "secrets"/],
      ['resources: [', /not valid YAML/],
    ];
    for (const [text, re] of cases) assert.throws(() => parseEncryptionConfiguration(text), re, text);
  });
});
