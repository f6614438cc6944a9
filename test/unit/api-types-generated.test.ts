// api/<group>/<version>/types.ts are what hack/gen-api-types.ts makes of the served schemas.
import { test } from '@jest/globals';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// dist/test/unit/ -> the source tree
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

test('the generated API types are current with the served schemas', () => {
  const r = spawnSync(process.execPath, ['dist/hack/gen-api-types.js', '--check'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
});

test('no type named after a served kind is declared in pkg/, cmd/ or test/ (the generated ones are used)', async () => {
  const { BUILTIN_RESOURCES } = await import('../../api/resources.js');
  const { readTree } = await import('../../hack/import-rules.js');
  const kinds = [...new Set(BUILTIN_RESOURCES.map((r) => r.kind))].join('|');
  const declaration = new RegExp(`^\\s*(?:export\\s+)?(?:interface|type)\\s+(?:${kinds})(?:List)?\\b`, 'm');
  // pkg/cri/generated holds the CRI's protobuf messages (its Namespace is not the Kubernetes kind).
  const offenders = [...readTree(ROOT, ['pkg', 'cmd', 'test'])]
    .filter(([path]) => !path.startsWith('pkg/cri/generated/'))
    .filter(([, source]) => declaration.test(source))
    .map(([path]) => path);
  assert.deepEqual(offenders, []);
});
