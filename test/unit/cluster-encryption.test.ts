// `timonel up`'s encryption configuration: made once with a fresh key, private, and
// what the apiserver's --encryption-provider-config accepts.
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureEncryptionConfiguration } from '../../pkg/cluster/encryption.js';
import { loadEncryptionConfiguration } from '../../pkg/storage/value/encryptionconfig.js';
import { storedPrefix } from '../../pkg/storage/value/transformer.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'timonel-enc-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('ensureEncryptionConfiguration', () => {
  it('writes an aescbc configuration for Secrets once, readable only by its owner', () => {
    const path = ensureEncryptionConfiguration(join(dir, 'pki', 'encryption-config.yaml'));
    assert.equal(statSync(path).mode & 0o777, 0o600);
    const first = readFileSync(path, 'utf8');
    const secret = /secret: (\S+)/.exec(first)?.[1] ?? '';
    assert.equal(Buffer.from(secret, 'base64').length, 32);

    const t = loadEncryptionConfiguration(path);
    const value = Buffer.from('{"data":{"password":"aHVudGVyMg=="}}');
    const stored = t.toStorage(value, '/registry/secrets/default/s');
    assert.equal(storedPrefix(stored), 'k8s:enc:aescbc:v1:key1:');
    assert.deepEqual(t.fromStorage(stored, '/registry/secrets/default/s'), value);
    assert.deepEqual(t.toStorage(value, '/registry/configmaps/default/c'), value);

    // A second `up` keeps the key: Secrets written by the first stay readable.
    ensureEncryptionConfiguration(path);
    assert.equal(readFileSync(path, 'utf8'), first);
    const other = ensureEncryptionConfiguration(join(dir, 'other', 'encryption-config.yaml'));
    assert.notEqual(readFileSync(other, 'utf8'), first);
  });
});
