// The README's import rule holds for the tree, and the check catches each kind of breach.
import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { checkImports, importsOf, readTree } from '../../hack/import-rules.js';

// dist/test/unit/ -> the source tree
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

describe('import rule', () => {
  const tree = readTree(ROOT);

  it('reads every form of relative import', () => {
    const src = [
      "import { a } from './a.js';",
      "import type { B } from '../b/b.js';",
      "export { c } from './c.js';",
      "export type * from './d.js';",
      "import './e.js';",
      "const f = await import('./f.js');",
      "import { g } from 'node:fs';",
    ].join('\n');
    assert.deepEqual(importsOf('pkg/x/y.ts', src), ['pkg/x/a.ts', 'pkg/b/b.ts', 'pkg/x/c.ts', 'pkg/x/d.ts', 'pkg/x/e.ts', 'pkg/x/f.ts']);
  });

  it('holds for api/, pkg/ and cmd/', () => {
    assert.ok(tree.size > 300, `read ${tree.size} files`);
    assert.deepEqual(checkImports(tree), []);
  });

  it('fails on a layer imported upwards, a component importing another, and a cycle', () => {
    const broken = new Map(tree);
    broken.set('api/core/v1/extra.ts', "import { log } from '../../../pkg/util/log.js';\n");
    broken.set('pkg/dns/extra.ts', "import type { ServicePortName } from '../proxy/types.js';\n");
    broken.set('pkg/storage/extra.ts', "import { Store } from '../registry/store.js';\n");
    broken.set('pkg/util/cycle-a.ts', "import { b } from './cycle-b.js';\n");
    broken.set('pkg/util/cycle-b.ts', "import { a } from './cycle-a.js';\n");
    const before = new Set(checkImports(tree));
    assert.deepEqual(
      checkImports(broken).filter((p) => !before.has(p)),
      [
        'api/core/v1/extra.ts imports pkg/util/log.ts: api may not import pkg/util',
        'pkg/dns/extra.ts imports pkg/proxy/types.ts: pkg/dns may not import pkg/proxy',
        'pkg/storage/extra.ts imports pkg/registry/store.ts: pkg/storage may not import pkg/registry',
        'import cycle among: pkg/util/cycle-a.ts, pkg/util/cycle-b.ts',
      ],
    );
  });
});
