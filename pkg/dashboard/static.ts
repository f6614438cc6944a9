// The page's files: web/dashboard built by Vite (`make build`) into
// dist/web/dashboard, an index.html and content-hashed assets. Read once when
// the server starts (a few KB); the hashed assets may be cached for good, the
// index is revalidated so a new build is picked up on the next load.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where the build puts the page, from dist/pkg/dashboard/static.js (the same layout in the add-on's image). */
export const WEB_DIR = fileURLToPath(new URL('../../web/dashboard/', import.meta.url));

const TYPES = new Map([
  ['.html', 'text/html; charset=utf-8'],
  ['.js', 'text/javascript; charset=utf-8'],
  ['.css', 'text/css; charset=utf-8'],
  ['.svg', 'image/svg+xml'],
  ['.png', 'image/png'],
  ['.ico', 'image/x-icon'],
  ['.woff2', 'font/woff2'],
]);

export interface StaticFile {
  body: Buffer;
  type: string;
  cacheControl: string;
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
}

/**
 * URL path → file, for every file of the built page ('/' is index.html).
 * Throws when the page is not built, so a server without its page does not start.
 */
export function loadPage(dir = WEB_DIR): Map<string, StaticFile> {
  if (!existsSync(join(dir, 'index.html'))) throw new Error(`dashboard: the page is not built (no ${join(dir, 'index.html')}); run make build`);
  const files = new Map<string, StaticFile>();
  for (const path of walk(dir)) {
    const type = TYPES.get(extname(path));
    if (!type) continue;
    const url = '/' + relative(dir, path).split(sep).join('/');
    const hashed = url.startsWith('/assets/');
    const file = { body: readFileSync(path), type, cacheControl: hashed ? 'public, max-age=31536000, immutable' : 'no-cache' };
    files.set(url === '/index.html' ? '/' : url, file);
  }
  return files;
}
