// timonel/dashboard: the cluster's web view (cmd/dashboard, manifests/dashboard)
// as an image, made from this checkout's compiled code on Debian's Node 18. The
// image carries exactly the modules the server imports (followed from its entry
// point) and the page as Vite built it (dist/web/dashboard), laid out as in the
// checkout under /opt/timonel, so it always matches the `timonel` that deploys
// it: its cache key is a hash of those files, and a changed server or page is a
// new build.
//
// An image rather than code in a ConfigMap: a ConfigMap holds files by flat key
// and 1 MiB at most, and the code would then run whatever node image the tag
// resolved to; here the build checks the server starts on the Node it ships with.
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PATH_ENV, newestDebianVersion, refreshAptLists, run, writeFile, type ImageSpec } from '../rootfs.js';
import { caBundle, debianRootfs } from './debian.js';

/** The checkout's root, from dist/pkg/cluster/catalogue/dashboard.js. */
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const DIST = join(ROOT, 'dist');
const ENTRY = join(DIST, 'cmd/dashboard/main.js');
const WEB = join(DIST, 'web/dashboard');
const APP = '/opt/timonel';

const IMPORT_RE = /(?:^|\n)\s*(?:import|export)\s(?:[^'";]*?\sfrom\s*)?['"]([^'"]+)['"]/g;

/**
 * Every compiled module the entry point loads, by following its static imports;
 * throws on a package import (the image has no node_modules) or a missing file.
 */
export function moduleClosure(entry: string): string[] {
  const seen = new Set<string>();
  const queue = [resolve(entry)];
  while (queue.length) {
    const file = queue.pop() as string;
    if (seen.has(file)) continue;
    if (!existsSync(file)) throw new Error(`images: dashboard: ${relative(ROOT, file)} is imported but missing; build with npx tsc first`);
    seen.add(file);
    for (const m of readFileSync(file, 'utf8').matchAll(IMPORT_RE)) {
      const spec = m[1];
      if (spec.startsWith('node:')) continue;
      if (!spec.startsWith('.')) throw new Error(`images: dashboard: ${relative(ROOT, file)} imports the package ${spec}, which the image does not carry`);
      queue.push(resolve(dirname(file), spec));
    }
  }
  return [...seen].sort();
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
}

/** Checkout-relative paths of what goes into the image: the module closure and the built page. */
export function dashboardFiles(): string[] {
  if (!existsSync(join(WEB, 'index.html'))) throw new Error('images: dashboard: the page is not built (dist/web/dashboard); run make build');
  return [...moduleClosure(ENTRY), ...walk(WEB)].map((f) => relative(ROOT, f)).sort();
}

/** A hash of the image's files, so a changed server or page is a new build. */
function contentKey(): string {
  try {
    const h = createHash('sha256');
    for (const f of dashboardFiles())
      h.update(f)
        .update('\0')
        .update(readFileSync(join(ROOT, f)));
    return h.digest('hex').slice(0, 16);
  } catch {
    // Not built yet (a loader running the sources): the build below reports what is missing.
    return 'unbuilt';
  }
}

export const dashboardImage: ImageSpec = {
  name: 'dashboard',
  recipe: `dashboard-1-${contentKey()}`,
  references: {
    'docker.io/timonel/dashboard': ['latest', '0.1'],
  },
  config: {
    Env: [PATH_ENV],
    // The entry point, so a manifest's args are the server's flags.
    Entrypoint: ['node', `${APP}/dist/cmd/dashboard/main.js`],
    WorkingDir: APP,
    User: '65534:65534',
    ExposedPorts: { '8080/tcp': {} },
  },
  files: [],
  rootfs: async (root, ctx) => {
    // Debian bookworm's Node 18, named by version: the machine's own apt sources may offer a newer nodejs.
    let version = await newestDebianVersion('nodejs', '18.');
    if (!version) {
      await refreshAptLists();
      version = await newestDebianVersion('nodejs', '18.');
    }
    if (!version) throw new Error("images: dashboard: apt's sources have no nodejs 18.x (Debian bookworm's); check /etc/apt/sources.list");
    await debianRootfs(root, ctx, [`nodejs=${version}`, 'ca-certificates']);
    caBundle(root);
    for (const f of dashboardFiles()) {
      mkdirSync(join(root, APP, dirname(f)), { recursive: true });
      copyFileSync(join(ROOT, f), join(root, APP, f));
    }
    // The compiled files are ES modules, as in the checkout.
    writeFile(root, `${APP.slice(1)}/package.json`, JSON.stringify({ name: 'timonel-dashboard', private: true, type: 'module' }) + '\n');
    // Every module loads on the image's own Node (an unknown flag exits before any connection is tried).
    await run('chroot', [root, '/usr/bin/node', `${APP}/dist/cmd/dashboard/main.js`, '--no-such-flag']).then(
      () => {
        throw new Error('images: dashboard: the server accepted an unknown flag');
      },
      (err: Error) => {
        if (!/ERR_PARSE_ARGS_UNKNOWN_OPTION|Unknown option/.test(err.message))
          throw new Error(`images: dashboard: the server does not load on the image's Node: ${err.message}`);
      },
    );
  },
};
