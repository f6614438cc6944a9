// The create fast path for managedFields must write exactly what the general
// update path writes for an object with no previous version: checked on every
// upstream example manifest.
import { test } from '@jest/globals';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { createdManagedFields, updateManagedFields } from '../../pkg/registry/patch/apply.js';
import { schemaForKind } from '../../api/schema/build.js';
import { EXAMPLES_DIR, exampleFiles } from '../support/examples.js';

test('createdManagedFields equals updateManagedFields(undefined, …) on every example object', () => {
  const now = '2026-11-22T00:00:00Z';
  let compared = 0;
  for (const file of exampleFiles()) {
    for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
      const obj = doc.toJS() as { apiVersion?: string; kind?: string } | null;
      if (!obj?.apiVersion || !obj.kind) continue;
      const [group, version] = obj.apiVersion.includes('/') ? obj.apiVersion.split('/') : ['', obj.apiVersion];
      const schema = schemaForKind(group, version, obj.kind);
      const viaUpdate = (updateManagedFields(undefined, obj, 'kubectl-client-side-apply', 'Update', schema, now) as { metadata?: { managedFields?: unknown } })
        .metadata?.managedFields;
      assert.deepEqual(createdManagedFields(obj, 'kubectl-client-side-apply', schema, now), viaUpdate, `${file}: ${obj.kind}`);
      compared++;
    }
  }
  assert.ok(compared >= 40, `only ${compared} objects compared (from ${EXAMPLES_DIR})`);
});
