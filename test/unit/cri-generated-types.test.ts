// pkg/cri/generated/ is what hack/gen-cri-types.sh makes of pkg/cri/api.proto.
import { test } from '@jest/globals';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// dist/test/unit/ -> the source tree
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

test('the generated CRI types are current with api.proto', () => {
  const r = spawnSync('bash', ['hack/gen-cri-types.sh', '--check'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
});
