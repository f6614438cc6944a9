// Secrets at rest for `timonel up`: an EncryptionConfiguration in the pki directory that
// encrypts Secrets with aescbc under a key made once, on the first `up`, and kept after.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** The configuration, with one aescbc key named key1; identity reads Secrets written before encryption was on. */
export function encryptionConfiguration(secret: Buffer): string {
  return `apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
  - resources:
      - secrets
    providers:
      - aescbc:
          keys:
            - name: key1
              secret: ${secret.toString('base64')}
      - identity: {}
`;
}

/** Writes the file (0600) with a new 32-byte key unless it exists; returns its path. */
export function ensureEncryptionConfiguration(path: string): string {
  if (existsSync(path)) return path;
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  // wx: never replace a file another `up` wrote meanwhile (its key may already be in use).
  try {
    writeFileSync(path, encryptionConfiguration(randomBytes(32)), { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  return path;
}
