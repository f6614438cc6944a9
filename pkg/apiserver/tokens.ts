// The admin token `timonel up` writes into the --token-auth-file (authentication/tokenfile.ts reads it).
import { randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { readTokenFile } from './authentication/tokenfile.js';

/** The admin token `timonel up` puts in the kubeconfig, made once and kept: user admin in system:masters. */
export function ensureAdminToken(path: string): string {
  if (existsSync(path)) {
    const first = readTokenFile(path)[0];
    if (first) return first.token;
  }
  const token = randomBytes(24).toString('base64url');
  writeFileSync(path, `${token},admin,admin,"system:masters"\n`, { mode: 0o600 });
  return token;
}
