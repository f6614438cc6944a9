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
