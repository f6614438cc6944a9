// The audit policy `timonel up --audit-log-path` gives the apiserver when the user
// names none (--audit-policy-file): every request at Metadata (who, what, on which
// object, the answer; no bodies, so no Secret values), one line per request as
// RequestReceived is left out. Written once; a user may edit it.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export const DEFAULT_AUDIT_POLICY = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages:
  - RequestReceived
rules:
  - level: Metadata
`;

/** The default policy at path, written unless a file is there already; returns path. */
export function ensureAuditPolicy(path: string): string {
  if (existsSync(path)) return path;
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  try {
    writeFileSync(path, DEFAULT_AUDIT_POLICY, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  return path;
}
