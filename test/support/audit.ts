// Audit policies for tests: the apiserver audits nothing without one.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_AUDIT_POLICY } from '../../pkg/cluster/auditpolicy.js';

/** Writes a policy file into dir (timonel up's default: Metadata for every request, no RequestReceived lines); returns its path. */
export function writeAuditPolicy(dir: string, text: string = DEFAULT_AUDIT_POLICY, name = 'audit-policy.yaml'): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}
