// The web view's page as Vite builds it (web/dashboard → dist/web/dashboard, by
// `make build`): the server's route table has the index and its hashed assets,
// the index names only files of the build by relative URL (so it works under
// kubectl proxy's prefix too), and nothing in the page loads from outside the
// cluster: no absolute or protocol-relative URL in the HTML, the stylesheet or
// the script.
import { describe, test } from '@jest/globals';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPage } from '../../pkg/dashboard/static.js';

describe('the built page', () => {
  const page = loadPage();
  const index = page.get('/')?.body.toString('utf8') ?? '';

  test('the route table: the index (revalidated) and hashed assets (cached for good)', () => {
    assert.equal(page.get('/')?.type, 'text/html; charset=utf-8');
    assert.equal(page.get('/')?.cacheControl, 'no-cache');
    assert.ok(!page.has('/index.html'), 'the index is served at / only');
    const assets = [...page.keys()].filter((k) => k !== '/');
    assert.ok(
      assets.some((k) => /^\/assets\/[\w-]+\.js$/.test(k)),
      assets.join(' '),
    );
    assert.ok(
      assets.some((k) => /^\/assets\/[\w-]+\.css$/.test(k)),
      assets.join(' '),
    );
    for (const k of assets) assert.match(page.get(k)?.cacheControl ?? '', /immutable/, k);
  });

  test('the index references only files of the build, by relative URL', () => {
    const refs = [...index.matchAll(/\s(?:src|href)="([^"]*)"/g)].map((m) => m[1]);
    assert.ok(refs.length >= 2, index);
    for (const ref of refs) {
      assert.ok(ref.startsWith('./'), `${ref} is not relative`);
      assert.ok(page.has(ref.slice(1)), `${ref} is not in the build`);
    }
  });

  test('nothing is loaded from outside the cluster', () => {
    for (const [path, file] of page) {
      const text = file.body.toString('utf8');
      assert.doesNotMatch(text, /\b(?:https?|wss?):\/\//i, path);
      assert.doesNotMatch(text, /(?:src|href)\s*=\s*["']?\/\//i, path);
      if (path.endsWith('.css')) assert.doesNotMatch(text, /@import|url\(\s*['"]?(?!data:)/i, path);
    }
  });

  test('a server without its built page does not start', () => {
    const empty = mkdtempSync(join(tmpdir(), 'timonel-page-'));
    try {
      assert.throws(() => loadPage(empty), /the page is not built.*make build/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
