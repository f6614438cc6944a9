// Every public example manifest must default and validate cleanly, as it would on Kubernetes.
import { EXAMPLES_DIR, exampleFiles } from '../../support/examples.js';
import { test } from '@jest/globals';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '../../../api/meta/v1/types.js';
import { parseApiVersion } from '../../../api/meta/v1/types.js';
import { strategyFor } from '../../../pkg/registry/strategies.js';
import { BUILTIN_RESOURCES } from '../../../api/resources.js';

const EXAMPLES = EXAMPLES_DIR;

function load(file: string): KubeObject[] {
  return parseAllDocuments(readFileSync(file, 'utf8'))
    .map((d) => d.toJSON() as unknown)
    .filter((o): o is KubeObject => typeof o === 'object' && o !== null && 'kind' in o);
}

test('example manifests default and validate with no causes', () => {
  const files = exampleFiles(EXAMPLES);
  assert.ok(files.length > 20, `found only ${files.length} example files`);
  let checked = 0;
  for (const file of files) {
    for (const obj of load(file)) {
      const { group, version } = parseApiVersion(String(obj.apiVersion));
      const s = strategyFor(group, version, String(obj.kind));
      const namespaced = BUILTIN_RESOURCES.find((r) => r.group === group && r.version === version && r.kind === obj.kind)?.namespaced ?? true;
      obj.metadata = {
        ...(obj.metadata ?? {}),
        ...(namespaced ? { namespace: obj.metadata?.namespace ?? 'default' } : {}),
        uid: '6f1e0b2a-0000-4000-8000-000000000001',
      };
      s.defaults?.(obj);
      s.prepareForCreate?.(obj);
      const causes = s.validate?.(obj) ?? [];
      assert.deepEqual(causes, [], `${file}: ${String(obj.kind)} ${obj.metadata.name ?? ''}`);
      // Re-defaulting is idempotent and an unchanged object is a valid update.
      const again = structuredClone(obj);
      s.defaults?.(again);
      assert.deepEqual(again, obj, `${file}: defaults are not idempotent`);
      assert.deepEqual(s.validateUpdate?.(again, obj) ?? [], [], `${file}: no-op update rejected`);
      checked++;
    }
  }
  assert.ok(checked >= 30, `checked ${checked} objects`);
});
