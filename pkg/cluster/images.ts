// Container images for a machine without internet: built from Debian packages
// (busybox-static, nginx, redis-server, nodejs) and a tiny static pause, pushed into
// the local registry that containerd uses as the mirror for docker.io and
// registry.k8s.io. Unmodified manifests (`image: nginx:1.14.2`) then pull
// through CRI as they would from Docker Hub. Every tag a catalogue entry lists
// is the same build, pushed under each; any other tag the entry answers for is
// resolved to it by the registry's front (registryfront.ts). The image config's
// labels record the Debian package versions inside.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chownSync,
  createWriteStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { registryCredentials, registryReady, DEFAULT_REGISTRY_PORT } from './registry.js';
import { basicAuthorization, type CatalogueRepository, type Credentials } from './registryfront.js';
import {
  PATH_ENV,
  addUser,
  busyboxRootfs,
  hackFile,
  installDebs,
  mkdirs,
  newestDebianVersion,
  pauseRootfs,
  refreshAptLists,
  run,
  symlink,
  trim,
  writeFile,
  type BuildContext,
  type ImageSpec,
} from './rootfs.js';

import { dashboardImage } from './catalogue/dashboard.js';
import { haproxyImage } from './catalogue/haproxy.js';
import { httpdImage } from './catalogue/httpd.js';
import { mariadbImage } from './catalogue/mariadb.js';
import { memcachedImage } from './catalogue/memcached.js';
import { postgresImage } from './catalogue/postgres.js';
import { nodeExporterImage, prometheusImage, vmagentImage } from './catalogue/prometheus.js';
import { pythonImage } from './catalogue/python.js';
import { wordpressImage } from './catalogue/wordpress.js';

export type { ImageConfig, ImageSpec } from './rootfs.js';
export { debFileNameParts, newestDebianVersion, parseAptDepends, parseAptMadison, resolvePackages, type BuildContext } from './rootfs.js';

export const DEFAULT_IMAGE_CACHE_DIR = '/var/cache/timonel/images';

// ---------------------------------------------------------------------------
// The catalogue. Tags: every tag the vendored upstream examples ask for, plus
// `latest` and a few common neighbours. All of an entry's tags are one build.

export const IMAGES: ImageSpec[] = [
  {
    name: 'busybox',
    recipe: 'busybox-3',
    references: {
      'docker.io/library/busybox': ['latest', '1.28', '1.35', '1.36', '1.37', 'stable', 'musl', 'glibc', 'uclibc'],
      'registry.k8s.io/busybox': ['latest', '1.24', '1.27.2'],
      'registry.k8s.io/e2e-test-images/busybox': ['1.29-4', '1.36.1-1'],
    },
    config: { Env: [PATH_ENV], Cmd: ['sh'] },
    files: [],
    rootfs: async (dir, ctx) => busyboxRootfs(dir, ctx),
  },
  {
    name: 'pause',
    recipe: 'pause-1',
    references: {
      'registry.k8s.io/pause': ['latest', '3.1', '3.2', '3.5', '3.6', '3.7', '3.8', '3.9', '3.10'],
    },
    // As the upstream pause image: runs as nobody-ish 65535, no shell.
    config: { Env: [PATH_ENV], Entrypoint: ['/pause'], User: '65535:65535' },
    files: ['pause.c'],
    rootfs: async (dir, ctx) => pauseRootfs(dir, ctx),
  },
  {
    name: 'nginx',
    recipe: 'nginx-4',
    references: {
      'docker.io/library/nginx': ['latest', 'stable', 'mainline', '1.7.9', '1.14.2', '1.15.4', '1.16.1', '1.19', '1.25', '1.27', '1.29'],
      'registry.k8s.io/nginx-slim': ['latest', '0.8', '0.21', '0.26', '0.27'],
    },
    config: {
      Env: [PATH_ENV],
      Cmd: ['nginx', '-g', 'daemon off;'],
      ExposedPorts: { '80/tcp': {} },
      // nginx finishes in-flight requests on SIGQUIT (Docker Hub's image stops with it too).
      StopSignal: 'SIGQUIT',
    },
    files: ['nginx/nginx.conf', 'nginx/default.conf'],
    rootfs: async (dir, ctx) => nginxRootfs(dir, ctx),
  },
  {
    name: 'redis',
    recipe: 'redis-5',
    references: {
      'docker.io/library/redis': ['latest', '5', '6', '7', '7.0', '7.2'],
    },
    // ENTRYPOINT + CMD as on Docker Hub, so `args: [some.conf]` alone starts redis-server.
    config: { Env: [PATH_ENV], Entrypoint: ['docker-entrypoint.sh'], Cmd: ['redis-server'], WorkingDir: '/data', ExposedPorts: { '6379/tcp': {} } },
    files: ['redis/redis-server', 'redis/docker-entrypoint.sh'],
    rootfs: async (dir, ctx) => redisRootfs(dir, ctx),
  },
  {
    name: 'node',
    recipe: 'node-4',
    // Debian bookworm's Node.js is 18.20: only tags that name 18 (no `latest` or `lts`, which are newer lines on Docker Hub).
    references: {
      'docker.io/library/node': ['18', '18-slim', '18-bookworm', '18-bookworm-slim', '18.20', '18.20-slim', '18.20-bookworm', '18.20-bookworm-slim'],
    },
    answersTag: (tag) => /^18(?:[.-]|$)/.test(tag),
    config: { Env: [PATH_ENV], Cmd: ['node'] },
    files: [],
    rootfs: async (dir, ctx) => nodeRootfs(dir, ctx),
  },
  mariadbImage,
  wordpressImage,
  pythonImage,
  memcachedImage,
  haproxyImage,
  httpdImage,
  postgresImage,
  prometheusImage,
  nodeExporterImage,
  vmagentImage,
  dashboardImage,
];

/** `docker.io/library/nginx` → `library/nginx`: the path a mirror serves it under (containerd keeps the repository path). */
export function mirrorRepository(reference: string): string {
  const slash = reference.indexOf('/');
  return reference.slice(slash + 1);
}

/** Every `host/repo:tag` the catalogue resolves, e.g. for documentation and tests. */
export function catalogueReferences(images: ImageSpec[] = IMAGES): { image: string; reference: string; repository: string; tag: string }[] {
  return images.flatMap((img) =>
    Object.entries(img.references).flatMap(([ref, tags]) =>
      tags.map((tag) => ({ image: img.name, reference: `${ref}:${tag}`, repository: mirrorRepository(ref), tag })),
    ),
  );
}

/** Repository path on the mirror → the catalogue's answer for it, for the registry's front. */
export function catalogueRepositories(images: ImageSpec[] = IMAGES): Map<string, CatalogueRepository> {
  const out = new Map<string, CatalogueRepository>();
  for (const img of images) {
    for (const [ref, tags] of Object.entries(img.references)) {
      out.set(mirrorRepository(ref), { canonicalTag: tags[0], tags, answers: img.answersTag ?? (() => true) });
    }
  }
  return out;
}

/**
 * What a container runtime pulls for an image name as written in a manifest:
 * `nginx` → docker.io/library/nginx:latest, `registry.k8s.io/pause:3.9` as is.
 * Digest references are returned with their digest.
 */
export function normalizeImageReference(image: string): string {
  let rest = image;
  let host = 'docker.io';
  const first = image.split('/')[0];
  if (image.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost')) {
    host = first;
    rest = image.slice(first.length + 1);
  }
  if (host === 'docker.io' && !rest.includes('/')) rest = `library/${rest}`;
  const hasTag = /:[^/]+$/.test(rest.split('@')[0]);
  if (!hasTag && !rest.includes('@')) rest += ':latest';
  return `${host}/${rest}`;
}

/** The catalogue build an image name resolves to, or undefined if the local registry will not have it. */
export function catalogueImageFor(image: string, images: ImageSpec[] = IMAGES): string | undefined {
  const ref = normalizeImageReference(image);
  const at = ref.lastIndexOf(':');
  const [repo, tag] = [ref.slice(0, at), ref.slice(at + 1)];
  return images.find((i) => i.references[repo] && (i.references[repo].includes(tag) || (i.answersTag ?? (() => true))(tag)))?.name;
}

// ---------------------------------------------------------------------------
// ensureImages

export interface EnsureImagesOptions {
  cacheDir?: string;
  /** host:port of the registry, e.g. 127.0.0.1:5000 (default: 127.0.0.1:<registryPort>). */
  registry?: string;
  registryPort?: number;
  progress?: (msg: string) => void;
  /** Limit to these build names (default: the whole catalogue). */
  only?: string[];
  /** The catalogue builder's registry user (default: the one written under cacheDir). */
  credentials?: Credentials;
}

export interface EnsureImagesSummary {
  /** Build names built in this call. */
  built: string[];
  /** Build names taken from the cache. */
  cached: string[];
  /** `repository:tag` on the registry written by this call. */
  pushed: string[];
  /** `repository:tag` already on the registry with the right manifest. */
  present: string[];
  /** Per image: build seconds (0 when cached) and compressed/uncompressed layer bytes. */
  images: { name: string; buildSeconds: number; compressedBytes: number; uncompressedBytes: number; digest: string }[];
}

export async function ensureImages(opts: EnsureImagesOptions = {}): Promise<EnsureImagesSummary> {
  const cacheDir = opts.cacheDir ?? DEFAULT_IMAGE_CACHE_DIR;
  const registry = opts.registry ?? `127.0.0.1:${opts.registryPort ?? DEFAULT_REGISTRY_PORT}`;
  const progress = opts.progress ?? (() => undefined);
  const wanted = opts.only ? IMAGES.filter((i) => opts.only?.includes(i.name)) : IMAGES;
  for (const name of opts.only ?? []) {
    if (!IMAGES.some((i) => i.name === name))
      throw new Error(`images: no catalogue image named ${JSON.stringify(name)} (have: ${IMAGES.map((i) => i.name).join(', ')})`);
  }
  if (!(await registryReady(registry))) throw new Error(`images: no Docker registry answers at http://${registry}/v2/; start it first (timonel up starts it)`);
  mkdirSync(cacheDir, { recursive: true });
  const auth = opts.credentials ?? registryCredentials(cacheDir)?.catalogue;
  const headers: Record<string, string> = auth ? { Authorization: basicAuthorization(auth) } : {};

  const summary: EnsureImagesSummary = { built: [], cached: [], pushed: [], present: [], images: [] };
  const blobHome = new Map<string, string>();
  // Builds run side by side: the slow parts are downloads and gzip, which overlap well.
  await Promise.all(
    wanted.map(async (spec) => {
      const started = Date.now();
      const { image, fresh } = await buildImage(spec, cacheDir, progress);
      const buildSeconds = fresh ? (Date.now() - started) / 1000 : 0;
      (fresh ? summary.built : summary.cached).push(spec.name);
      summary.images.push({
        name: spec.name,
        buildSeconds,
        compressedBytes: image.layerSize,
        uncompressedBytes: image.uncompressedSize,
        digest: image.manifestDigest,
      });
      if (fresh)
        progress(`images: ${spec.name} built in ${buildSeconds.toFixed(1)}s (${mb(image.layerSize)} compressed, ${mb(image.uncompressedSize)} unpacked)`);
      let pushed = 0;
      // Repositories one after another, so the second links the blobs the first uploaded.
      for (const [ref, tags] of Object.entries(spec.references)) {
        const repo = mirrorRepository(ref);
        const written = await pushTags(registry, repo, tags, image, blobHome, headers);
        for (const tag of tags) (written.includes(tag) ? summary.pushed : summary.present).push(`${repo}:${tag}`);
        pushed += written.length;
      }
      if (pushed) progress(`images: ${spec.name} pushed under ${pushed} tag(s)`);
    }),
  );
  return summary;
}

function mb(n: number): string {
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

// ---------------------------------------------------------------------------
// Build: rootfs → one gzip layer + config + Docker schema 2 manifest, cached.

interface BuiltImage {
  dir: string;
  manifest: Buffer;
  manifestDigest: string;
  config: Buffer;
  configDigest: string;
  layerFile: string;
  layerDigest: string;
  layerSize: number;
  uncompressedSize: number;
}

const MANIFEST_TYPE = 'application/vnd.docker.distribution.manifest.v2+json';
const CONFIG_TYPE = 'application/vnd.docker.container.image.v1+json';
const LAYER_TYPE = 'application/vnd.docker.image.rootfs.diff.tar.gzip';

/** The cache key: the recipe version plus the contents of the files it uses. */
export function buildKey(spec: ImageSpec): string {
  const h = createHash('sha256').update(spec.recipe).update(JSON.stringify(spec.config)).update(goArch());
  for (const f of spec.files) h.update(f).update(readFileSync(hackFile(f)));
  return h.digest('hex').slice(0, 16);
}

function sha256(b: Buffer | string): string {
  return `sha256:${createHash('sha256').update(b).digest('hex')}`;
}

function goArch(): string {
  return process.arch === 'x64' ? 'amd64' : process.arch;
}

const inflight = new Map<string, Promise<{ image: BuiltImage; fresh: boolean }>>();

async function buildImage(spec: ImageSpec, cacheDir: string, progress: (msg: string) => void): Promise<{ image: BuiltImage; fresh: boolean }> {
  const final = join(cacheDir, 'builds', `${spec.name}-${buildKey(spec)}`);
  const cached = loadBuilt(final);
  if (cached) return { image: cached, fresh: false };
  // One build per directory per process; across processes the rename below decides.
  let p = inflight.get(final);
  if (!p) {
    p = (async () => {
      progress(`images: building ${spec.name}`);
      mkdirSync(join(cacheDir, 'builds'), { recursive: true });
      const tmp = mkdtempSync(join(cacheDir, 'builds', `.${spec.name}-`));
      try {
        const rootfs = join(tmp, 'rootfs');
        mkdirSync(rootfs);
        const packages = new Map<string, string>();
        await spec.rootfs(rootfs, { workDir: tmp, cacheDir, progress, packages });
        const out = join(tmp, 'image');
        mkdirSync(out);
        await writeImage(spec, rootfs, out, packages);
        try {
          renameSync(out, final);
        } catch (err) {
          // Another process finished the same build first; use its result.
          if (!loadBuilt(final)) throw err;
        }
      } finally {
        rmSync(tmp, { recursive: true, force: true });
      }
      const image = loadBuilt(final);
      if (!image) throw new Error(`images: build of ${spec.name} left no image in ${final}`);
      removeStaleBuilds(join(cacheDir, 'builds'), spec.name, final);
      return { image, fresh: true };
    })();
    inflight.set(final, p);
    p.finally(() => inflight.delete(final)).catch(() => undefined);
  }
  return p;
}

/** Builds of an older recipe, and scratch dirs a killed build left (an hour old: not one running now). */
function removeStaleBuilds(buildsDir: string, name: string, keep: string): void {
  for (const entry of readdirSync(buildsDir)) {
    const p = join(buildsDir, entry);
    if (p === keep) continue;
    const olderRecipe = new RegExp(`^${name}-[0-9a-f]{16}$`).test(entry);
    const abandoned = entry.startsWith(`.${name}-`) && !entry.slice(name.length + 2).includes('-') && Date.now() - statSync(p).mtimeMs > 3600_000;
    if (olderRecipe || abandoned) rmSync(p, { recursive: true, force: true });
  }
}

function loadBuilt(dir: string): BuiltImage | undefined {
  const files = ['manifest.json', 'config.json', 'layer.tar.gz', 'layer.json'].map((f) => join(dir, f));
  if (!files.every((f) => existsSync(f))) return undefined;
  const manifest = readFileSync(files[0]);
  const config = readFileSync(files[1]);
  const layer = JSON.parse(readFileSync(files[3], 'utf8')) as { digest: string; size: number; uncompressedSize: number };
  if (statSync(files[2]).size !== layer.size) return undefined;
  return {
    dir,
    manifest,
    manifestDigest: sha256(manifest),
    config,
    configDigest: sha256(config),
    layerFile: files[2],
    layerDigest: layer.digest,
    layerSize: layer.size,
    uncompressedSize: layer.uncompressedSize,
  };
}

/** Image labels naming each Debian package inside and its version (`org.debian.package.nginx-core: 1.22.1-9+deb12u1`). */
export function packageLabels(packages: Map<string, string>): Record<string, string> {
  const labels: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const name of [...packages.keys()].sort()) labels[`org.debian.package.${name}`] = packages.get(name) as string;
  return labels;
}

async function writeImage(spec: ImageSpec, rootfs: string, out: string, packages: Map<string, string>): Promise<void> {
  const layerFile = join(out, 'layer.tar.gz');
  const diff = createHash('sha256');
  const comp = createHash('sha256');
  let uncompressedSize = 0;
  let size = 0;
  // Entries named without "./" as Docker's own layers are; numeric owners so the host's names do not leak in.
  const tar = spawn('tar', ['--numeric-owner', '--sort=name', '-C', rootfs, '-cf', '-', ...readdirSync(rootfs).sort()], { stdio: ['ignore', 'pipe', 'pipe'] });
  let tarErr = '';
  tar.stderr.on('data', (d: Buffer) => (tarErr += d.toString()));
  const tarDone = new Promise<number>((resolve) => tar.on('close', (code) => resolve(code ?? 1)));
  await pipeline(
    tar.stdout,
    tap((c) => {
      diff.update(c);
      uncompressedSize += c.length;
    }),
    createGzip({ level: 6 }),
    tap((c) => {
      comp.update(c);
      size += c.length;
    }),
    createWriteStream(layerFile),
  );
  const code = await tarDone;
  if (code !== 0) throw new Error(`images: tar of ${spec.name} failed (exit ${code}): ${tarErr.trim()}`);
  const diffId = `sha256:${diff.digest('hex')}`;
  const layerDigest = `sha256:${comp.digest('hex')}`;
  const created = new Date().toISOString();
  const config = Buffer.from(
    JSON.stringify({
      architecture: goArch(),
      os: 'linux',
      created,
      config: { ...spec.config, Labels: packageLabels(packages) },
      rootfs: { type: 'layers', diff_ids: [diffId] },
      history: [{ created, created_by: `timonel image build ${spec.name} (${spec.recipe})`, comment: 'built from Debian packages by Timonel' }],
    }),
  );
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MANIFEST_TYPE,
      config: { mediaType: CONFIG_TYPE, size: config.length, digest: sha256(config) },
      layers: [{ mediaType: LAYER_TYPE, size, digest: layerDigest }],
    }),
  );
  writeFileSync(join(out, 'config.json'), config);
  writeFileSync(join(out, 'layer.json'), JSON.stringify({ digest: layerDigest, size, uncompressedSize, diffId }));
  // Written last: its presence marks a complete build.
  writeFileSync(join(out, 'manifest.json'), manifest);
}

function tap(fn: (chunk: Buffer) => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      fn(chunk);
      cb(null, chunk);
    },
  });
}

// ---------------------------------------------------------------------------
// Push: Registry HTTP API v2, skipping what the registry already has.

/** Pushes the image under each tag of repo that does not already name it; returns the tags written. */
async function pushTags(
  registry: string,
  repo: string,
  tags: string[],
  image: BuiltImage,
  blobHome: Map<string, string>,
  auth: Record<string, string>,
): Promise<string[]> {
  const base = `http://${registry}/v2/${repo}`;
  const stale = (
    await Promise.all(
      tags.map(async (tag) => {
        const head = await fetch(`${base}/manifests/${tag}`, { method: 'HEAD', headers: { ...auth, Accept: MANIFEST_TYPE } });
        return head.ok && head.headers.get('docker-content-digest') === image.manifestDigest ? undefined : tag;
      }),
    )
  ).filter((t): t is string => t !== undefined);
  if (stale.length === 0) return [];
  await pushBlob(registry, repo, image.configDigest, () => image.config, blobHome, auth);
  await pushBlob(registry, repo, image.layerDigest, () => readFileSync(image.layerFile), blobHome, auth);
  await Promise.all(
    stale.map(async (tag) => {
      const put = await fetch(`${base}/manifests/${tag}`, {
        method: 'PUT',
        headers: { ...auth, 'Content-Type': MANIFEST_TYPE },
        body: new Uint8Array(image.manifest),
      });
      if (put.status !== 201) throw new Error(`images: PUT manifest ${repo}:${tag} → HTTP ${put.status}: ${await put.text()}`);
      await put.arrayBuffer().catch(() => undefined);
    }),
  );
  return stale;
}

async function pushBlob(
  registry: string,
  repo: string,
  digest: string,
  body: () => Buffer,
  blobHome: Map<string, string>,
  auth: Record<string, string>,
): Promise<void> {
  const root = `http://${registry}`;
  const head = await fetch(`${root}/v2/${repo}/blobs/${digest}`, { method: 'HEAD', headers: auth });
  if (head.ok) {
    blobHome.set(digest, repo);
    return;
  }
  // A blob another repository already holds is linked, not uploaded again.
  const from = blobHome.get(digest);
  const start = await fetch(`${root}/v2/${repo}/blobs/uploads/${from ? `?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(from)}` : ''}`, {
    method: 'POST',
    headers: auth,
  });
  await start.arrayBuffer();
  if (start.status === 201) return;
  if (start.status !== 202) throw new Error(`images: starting upload of ${digest} to ${repo} → HTTP ${start.status}`);
  const location = start.headers.get('location');
  if (!location) throw new Error(`images: registry gave no upload location for ${repo}`);
  const url = new URL(location, root);
  url.searchParams.set('digest', digest);
  const put = await fetch(url, { method: 'PUT', headers: { ...auth, 'Content-Type': 'application/octet-stream' }, body: new Uint8Array(body()) });
  if (put.status !== 201) throw new Error(`images: upload of ${digest} to ${repo} → HTTP ${put.status}: ${await put.text()}`);
  await put.arrayBuffer().catch(() => undefined);
  blobHome.set(digest, repo);
}

async function nginxRootfs(root: string, ctx: BuildContext): Promise<void> {
  await busyboxRootfs(root, ctx);
  await installDebs(root, ['nginx'], ctx);
  trim(root);
  // Docker Hub's layout: nginx.conf + conf.d/default.conf, pages in /usr/share/nginx/html (Debian ships its index.html there).
  for (const d of ['sites-available', 'sites-enabled', 'modules-available', 'modules-enabled', 'snippets'])
    rmSync(join(root, 'etc/nginx', d), { recursive: true, force: true });
  writeFile(root, 'etc/nginx/nginx.conf', readFileSync(hackFile('nginx/nginx.conf')));
  writeFile(root, 'etc/nginx/conf.d/default.conf', readFileSync(hackFile('nginx/default.conf')));
  writeFile(
    root,
    'usr/share/nginx/html/50x.html',
    '<!DOCTYPE html>\n<html>\n<head><title>Error</title></head>\n<body>\n<h1>An error occurred.</h1>\n<p>Sorry, the page you are looking for is currently unavailable.</p>\n</body>\n</html>\n',
  );
  if (!readFileSync(join(root, 'usr/share/nginx/html/index.html'), 'utf8').includes('Welcome to nginx!'))
    throw new Error('images: Debian nginx-common no longer ships the "Welcome to nginx!" index.html');
  addUser(root, 'nginx:x:101:101:nginx user:/nonexistent:/bin/false', 'nginx:x:101:');
  mkdirs(root, { 'var/lib/nginx': 0o755, 'var/log/nginx': 0o755, 'var/cache/nginx': 0o755 });
  // The configuration must load inside the new root (catches a missing library or user).
  await run('chroot', [root, '/usr/sbin/nginx', '-t', '-q']);
  rmSync(join(root, 'run/nginx.pid'), { force: true });
  // Logs to the container's stdout/stderr, as the Docker Hub image does.
  for (const f of readdirSync(join(root, 'var/log/nginx'))) rmSync(join(root, 'var/log/nginx', f), { force: true });
  symlink(root, 'var/log/nginx/access.log', '/dev/stdout');
  symlink(root, 'var/log/nginx/error.log', '/dev/stderr');
}

/** Debian bookworm's Node.js 18 (nodejs and libnode108) on the busybox base, as Docker Hub's node:18-slim runs it. */
async function nodeRootfs(root: string, ctx: BuildContext): Promise<void> {
  await busyboxRootfs(root, ctx);
  let version = await newestDebianVersion('nodejs', '18.');
  if (!version) {
    await refreshAptLists();
    version = await newestDebianVersion('nodejs', '18.');
  }
  if (!version) throw new Error("images: apt's sources have no nodejs 18.x (Debian bookworm's); check /etc/apt/sources.list");
  await installDebs(root, [`nodejs=${version}`, 'ca-certificates'], ctx);
  trim(root);
  // Debian's node reads the system bundle at start (and warns when it is missing); its postinst
  // (update-ca-certificates) is not run here, so the bundle is made as that script makes it.
  const certs = join(root, 'usr/share/ca-certificates');
  const bundle = readdirSync(certs, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.crt'))
    .sort()
    .map((f) => readFileSync(join(certs, f), 'utf8').trimEnd() + '\n');
  if (!bundle.length) throw new Error('images: Debian ca-certificates shipped no certificates');
  writeFile(root, 'etc/ssl/certs/ca-certificates.crt', bundle.join(''));
  addUser(root, 'node:x:1000:1000::/home/node:/bin/sh', 'node:x:1000:');
  mkdirs(root, { 'home/node': 0o755 });
  chownSync(join(root, 'home/node'), 1000, 1000);
  const out = (await run('chroot', [root, '/usr/bin/node', '--version'])).trim();
  if (!out.startsWith('v18.20.')) throw new Error(`images: the node image's node says ${out}, the tags promise 18.20`);
}

async function redisRootfs(root: string, ctx: BuildContext): Promise<void> {
  await busyboxRootfs(root, ctx);
  await installDebs(root, ['redis-server'], ctx);
  trim(root);
  writeFile(root, 'usr/local/bin/redis-server', readFileSync(hackFile('redis/redis-server')), 0o755);
  writeFile(root, 'usr/local/bin/docker-entrypoint.sh', readFileSync(hackFile('redis/docker-entrypoint.sh')), 0o755);
  addUser(root, 'redis:x:999:999::/home/redis:/bin/false', 'redis:x:999:');
  mkdirs(root, { data: 0o755 });
  await run('chroot', [root, '/usr/bin/redis-server', '--version']);
  await run('chroot', [root, '/usr/bin/redis-cli', '--version']);
}
