// --token-auth-file: kube-apiserver's static token CSV (token,user,uid[,"group1,group2"]).
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

export function readTokenFile(path: string): string[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => l.split(',')[0].trim());
}

/** The admin token `timonel up` puts in the kubeconfig, made once and kept. */
export function ensureAdminToken(path: string): string {
  if (existsSync(path)) return readTokenFile(path)[0];
  const token = randomBytes(24).toString('base64url');
  writeFileSync(path, `${token},admin,admin,"system:masters"\n`, { mode: 0o600 });
  return token;
}
