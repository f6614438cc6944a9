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
  chmodSync,
  chownSync,
  closeSync,
  copyFileSync,
  createWriteStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { createGzip } from 'node:zlib';
import { registryCredentials, registryReady, DEFAULT_REGISTRY_PORT } from './registry.js';
import { basicAuthorization, type CatalogueRepository, type Credentials } from './registryfront.js';
import { which } from './process.js';

export const DEFAULT_IMAGE_CACHE_DIR = '/var/cache/timonel/images';

/** The image config fields a container runtime reads (OCI image-spec `config`). */
export interface ImageConfig {
  Entrypoint?: string[];
  Cmd?: string[];
  Env: string[];
  WorkingDir?: string;
  User?: string;
  ExposedPorts?: Record<string, Record<string, never>>;
  StopSignal?: string;
}

export interface BuildContext {
  /** Scratch directory for this build (removed afterwards). */
  workDir: string;
  progress: (msg: string) => void;
  /** Debian package → version of what went into the rootfs; recorded as image labels. */
  packages: Map<string, string>;
}

export interface ImageSpec {
  /** Build name, also the cache directory prefix. */
  name: string;
  /** Bump when the recipe changes so cached builds are redone. */
  recipe: string;
  /** Upstream repository → tags pushed for this build (the first is the one other tags resolve to). */
  references: Record<string, string[]>;
  /** Which other tags the build answers for (default: any); see registryfront.ts. */
  answersTag?: (tag: string) => boolean;
  config: ImageConfig;
  /** Files under hack/images whose contents the build uses (part of the cache key). */
  files: string[];
  /** Fills `dir` with the image's root filesystem. */
  rootfs(dir: string, ctx: BuildContext): Promise<void>;
}

const PATH_ENV = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

// ---------------------------------------------------------------------------
// The catalogue. Tags: every tag the vendored upstream examples ask for, plus
// `latest` and a few common neighbours. All of an entry's tags are one build.

export const IMAGES: ImageSpec[] = [
  {
    name: 'busybox',
    recipe: 'busybox-2',
    references: {
      'docker.io/library/busybox': ['latest', '1.28', '1.35', '1.36', '1.37', 'stable'],
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
    recipe: 'nginx-3',
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
    recipe: 'redis-4',
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
    recipe: 'node-3',
    // Debian bookworm's Node.js is 18.20: only tags that name 18 (no `latest` or `lts`, which are newer lines on Docker Hub).
    references: {
      'docker.io/library/node': ['18', '18-slim', '18-bookworm', '18-bookworm-slim', '18.20', '18.20-slim', '18.20-bookworm', '18.20-bookworm-slim'],
    },
    answersTag: (tag) => /^18(?:[.-]|$)/.test(tag),
    config: { Env: [PATH_ENV], Cmd: ['node'] },
    files: [],
    rootfs: async (dir, ctx) => nodeRootfs(dir, ctx),
  },
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

function hackDir(): string {
  // dist/pkg/cluster/images.js → <repo>/hack/images (also right from pkg/cluster/images.ts under a loader).
  const fromDist = fileURLToPath(new URL('../../../hack/images/', import.meta.url));
  return existsSync(fromDist) ? fromDist : fileURLToPath(new URL('../../hack/images/', import.meta.url));
}

function hackFile(rel: string): string {
  return join(hackDir(), rel);
}

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
        await spec.rootfs(rootfs, { workDir: tmp, progress, packages });
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

// ---------------------------------------------------------------------------
// Root filesystems.

function run(cmd: string, args: string[], opts: { cwd?: string } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: opts.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LC_ALL: 'C', DEBIAN_FRONTEND: 'noninteractive' },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', (e) => reject(new Error(`${cmd}: ${e.message}`)));
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${err.trim().slice(-2000)}`))));
  });
}

function mkdirs(root: string, dirs: Record<string, number>): void {
  for (const [d, mode] of Object.entries(dirs)) {
    mkdirSync(join(root, d), { recursive: true });
    chmodSync(join(root, d), mode);
  }
}

function writeFile(root: string, rel: string, content: string | Buffer, mode = 0o644): void {
  mkdirSync(dirname(join(root, rel)), { recursive: true });
  rmSync(join(root, rel), { force: true });
  writeFileSync(join(root, rel), content);
  chmodSync(join(root, rel), mode);
}

function symlink(root: string, rel: string, target: string): void {
  mkdirSync(dirname(join(root, rel)), { recursive: true });
  rmSync(join(root, rel), { force: true, recursive: true });
  symlinkSync(target, join(root, rel));
}

/** True if the ELF file has no program interpreter (statically linked). */
function isStaticELF(file: string): boolean {
  const fd = openSync(file, 'r');
  try {
    const hdr = Buffer.alloc(64);
    readSync(fd, hdr, 0, 64, 0);
    if (hdr.readUInt32BE(0) !== 0x7f454c46 || hdr[4] !== 2) return false; // ELF, 64-bit
    const phoff = Number(hdr.readBigUInt64LE(0x20));
    const phentsize = hdr.readUInt16LE(0x36);
    const phnum = hdr.readUInt16LE(0x38);
    const ph = Buffer.alloc(phentsize * phnum);
    readSync(fd, ph, 0, ph.length, phoff);
    for (let i = 0; i < phnum; i++) if (ph.readUInt32LE(i * phentsize) === 3) return false; // PT_INTERP
    return true;
  } finally {
    closeSync(fd);
  }
}

const BASE_PASSWD = [
  'root:x:0:0:root:/root:/bin/sh',
  'daemon:x:1:1:daemon:/usr/sbin:/bin/false',
  'bin:x:2:2:bin:/bin:/bin/false',
  'sys:x:3:3:sys:/dev:/bin/false',
  'www-data:x:33:33:www-data:/var/www:/bin/false',
  'nobody:x:65534:65534:nobody:/nonexistent:/bin/false',
];
const BASE_GROUP = [
  'root:x:0:',
  'daemon:x:1:',
  'bin:x:2:',
  'sys:x:3:',
  'adm:x:4:',
  'tty:x:5:',
  'wheel:x:10:root',
  'www-data:x:33:',
  'users:x:100:',
  'nogroup:x:65534:',
];

function addUser(root: string, passwd: string, group: string): void {
  writeFileSync(join(root, 'etc/passwd'), `${readFileSync(join(root, 'etc/passwd'), 'utf8')}${passwd}\n`);
  writeFileSync(join(root, 'etc/group'), `${readFileSync(join(root, 'etc/group'), 'utf8')}${group}\n`);
}

/** busybox-static with every applet linked into place, users and name service files. */
async function busyboxRootfs(root: string, ctx: BuildContext): Promise<void> {
  const host = which('busybox');
  if (!host) throw new Error('images: busybox not found: install the Debian package busybox-static (run `make deps`)');
  if (!isStaticELF(host)) throw new Error(`images: ${host} is dynamically linked: install the Debian package busybox-static instead of busybox`);
  mkdirs(root, {
    bin: 0o755,
    sbin: 0o755,
    'usr/bin': 0o755,
    'usr/sbin': 0o755,
    'usr/local/bin': 0o755,
    etc: 0o755,
    root: 0o700,
    home: 0o755,
    tmp: 0o1777,
    'var/tmp': 0o1777,
    run: 0o755,
    proc: 0o555,
    sys: 0o555,
    dev: 0o755,
  });
  symlink(root, 'var/run', '../run');
  copyFileSync(host, join(root, 'bin/busybox'));
  const version = await run('dpkg-query', ['-W', '-f', '${Version}', 'busybox-static']).catch(() => '');
  if (version) ctx.packages.set('busybox-static', version);
  chmodSync(join(root, 'bin/busybox'), 0o755);
  // What `busybox --install -s` does, without running anything inside the new root.
  const bin = join(root, 'bin/busybox');
  const applets = (await run(bin, ['--list-full'])).split('\n').filter(Boolean);
  for (const a of applets) {
    const p = join(root, a);
    if (a === 'bin/busybox' || existsSync(p)) continue;
    mkdirSync(dirname(p), { recursive: true });
    symlinkSync('/bin/busybox', p);
  }
  writeFile(root, 'etc/passwd', `${BASE_PASSWD.join('\n')}\n`);
  writeFile(root, 'etc/group', `${BASE_GROUP.join('\n')}\n`);
  writeFile(root, 'etc/shadow', `${BASE_PASSWD.map((l) => `${l.split(':')[0]}:*:10933:0:99999:7:::`).join('\n')}\n`, 0o640);
  writeFile(root, 'etc/nsswitch.conf', 'passwd: files\ngroup: files\nshadow: files\nhosts: files dns\nnetworks: files\nservices: files\nprotocols: files\n');
  // Targets for the bind mounts the runtime places; present so a read-only rootfs still works.
  for (const f of ['etc/hosts', 'etc/resolv.conf', 'etc/hostname']) writeFile(root, f, '');
}

async function pauseRootfs(root: string, ctx: BuildContext): Promise<void> {
  const gcc = which('gcc');
  if (!gcc) throw new Error('images: gcc not found: install the Debian packages gcc and libc6-dev (run `make deps`) to build the pause image');
  const out = join(ctx.workDir, 'pause');
  await run(gcc, ['-static', '-O2', '-s', '-Wall', '-o', out, hackFile('pause.c')]).catch((err: Error) => {
    throw new Error(`images: compiling pause.c statically failed (is libc6-dev installed?): ${err.message}`);
  });
  if (!isStaticELF(out)) throw new Error('images: the pause binary came out dynamically linked');
  copyFileSync(out, join(root, 'pause'));
  chmodSync(join(root, 'pause'), 0o755);
  mkdirs(root, { etc: 0o755, proc: 0o555, sys: 0o555, dev: 0o755 });
  writeFile(root, 'etc/passwd', 'root:x:0:0:root:/:/pause\nnobody:x:65534:65534:nobody:/:/pause\n');
  writeFile(root, 'etc/group', 'root:x:0:\nnogroup:x:65534:\n');
}

// ----- Debian packages unpacked onto the busybox base -----

// Packages a running container does not need: maintainer-script and init
// machinery, and optional modules. Their dependencies are not followed.
const NOT_IN_IMAGES = new Set([
  'adduser',
  'cdebconf',
  'debconf',
  'debconf-2.0',
  'debianutils',
  'dpkg',
  'init-system-helpers',
  'install-info',
  'iproute2',
  'libpam-modules',
  'libpam-modules-bin',
  'libpam0g',
  'logrotate',
  'lsb-base',
  'passwd',
  'perl',
  'perl-base',
  'procps',
  'sensible-utils',
  'systemd',
  'systemd-sysv',
  'sysvinit-utils',
  'tar',
  'ucf',
  'usr-is-merged',
  'usrmerge',
]);

function excluded(pkg: string): boolean {
  return NOT_IN_IMAGES.has(pkg) || pkg.startsWith('libnginx-mod-') || pkg.startsWith('perl:');
}

let aptUpdate: Promise<string> | undefined;

/** apt-get update, at most once per process (shared by builds running side by side). */
function refreshAptLists(): Promise<string> {
  aptUpdate ??= run('apt-get', ['update', '-qq']);
  return aptUpdate;
}

type DependencyGroup = string[][]; // alternatives; each alternative is [name, ...providers of a virtual name]

/** Parses `apt-cache depends` output into package → dependency groups. */
export function parseAptDepends(out: string): Map<string, DependencyGroup[]> {
  // A package line, then "  Depends: x" / " |Depends: x" (x or the next one) lines,
  // each optionally followed by deeper-indented providers of a virtual x.
  const graph = new Map<string, DependencyGroup[]>();
  let groups: DependencyGroup[] = [];
  let continuing = false;
  for (const line of out.split('\n')) {
    const dep = /^ ( |\|)(?:Pre)?Depends: (\S+)$/.exec(line);
    if (dep) {
      if (!continuing || groups.length === 0) groups.push([]);
      groups[groups.length - 1].push([dep[2]]);
      continuing = dep[1] === '|';
      continue;
    }
    const provider = /^ {4}(\S+)$/.exec(line);
    if (provider) {
      groups[groups.length - 1]?.at(-1)?.push(provider[1]);
      continue;
    }
    const pkg = /^(\S+)$/.exec(line);
    if (pkg) {
      groups = [];
      continuing = false;
      if (!graph.has(pkg[1])) graph.set(pkg[1], groups);
    }
  }
  return graph;
}

/** `nodejs=18.20.4+dfsg-1~deb12u3` → `nodejs`: a root may pin a version, in apt's own syntax. */
function packageName(root: string): string {
  return root.split('=')[0];
}

/**
 * The Depends/Pre-Depends closure of `roots` as apt resolves it now, without the excluded packages.
 * A root pinned to a version (`name=version`) stays pinned in the result, so that version is downloaded.
 */
export async function resolvePackages(roots: string[]): Promise<string[]> {
  // One recursive query (apt-cache loads its cache once, which is the slow part), then our own walk so
  // that excluded packages' dependencies are not followed.
  const out = await run('apt-cache', [
    'depends',
    '--recurse',
    '--no-recommends',
    '--no-suggests',
    '--no-conflicts',
    '--no-breaks',
    '--no-replaces',
    '--no-enhances',
    ...roots,
  ]).catch((err: Error) => {
    // apt-cache fails outright ("No packages found") when it knows none of them.
    throw new Error(`images: apt does not know ${roots.join(', ')}: ${err.message}`);
  });
  const graph = parseAptDepends(out);
  const pinned = new Map(roots.filter((r) => r.includes('=')).map((r) => [packageName(r), r]));
  const have = new Set<string>();
  const queue = roots.map(packageName).filter((p) => !excluded(p));
  for (const r of queue) if (!graph.has(r)) throw new Error(`images: Debian package ${r} is unknown to apt`);
  while (queue.length) {
    const pkg = queue.shift() as string;
    if (have.has(pkg)) continue;
    have.add(pkg);
    for (const group of graph.get(pkg) ?? []) {
      if (group.some((alt) => alt.some(excluded))) continue;
      const pick = group.map((alt) => alt.find((p) => !p.startsWith('<'))).find(Boolean);
      if (!pick) throw new Error(`images: no installable package for ${pkg}'s dependency ${group.flat().join(' | ')}`);
      queue.push(pick);
    }
  }
  return [...have].map((p) => pinned.get(p) ?? p).sort();
}

/**
 * The newest version of a Debian package in this machine's apt sources whose version starts
 * with prefix (`apt-cache madison` lists the newest first). Not the candidate: the host may have
 * a newer build installed from elsewhere (nodesource's nodejs 20), which no mirror serves.
 */
export async function newestDebianVersion(pkg: string, prefix: string): Promise<string | undefined> {
  const out = await run('apt-cache', ['madison', pkg]).catch(() => '');
  return parseAptMadison(out).find((v) => v.startsWith(prefix));
}

/** `apt-cache madison` lines (`name | version | source`) → versions, in its order. */
export function parseAptMadison(out: string): string[] {
  return out
    .split('\n')
    .map((line) => line.split('|').map((f) => f.trim()))
    .filter((f) => f.length === 3 && f[1] !== '')
    .map((f) => f[1]);
}

/** `libc6_2.36-9%2bdeb12u4_amd64.deb` → [libc6, 2.36-9+deb12u4]: apt-get download's names, URL-encoded. */
export function debFileNameParts(file: string): [string, string] {
  const [name, version] = file.replace(/\.deb$/, '').split('_');
  return [name, decodeURIComponent(version ?? '')];
}

/** Downloads (Debian mirror of this machine's apt sources) and unpacks packages into root. */
async function installDebs(root: string, roots: string[], ctx: BuildContext): Promise<string[]> {
  const debs = join(ctx.workDir, 'debs');
  const fetchDebs = async (): Promise<string[]> => {
    rmSync(debs, { recursive: true, force: true });
    mkdirSync(debs);
    const pkgs = await resolvePackages(roots);
    ctx.progress(`images: downloading ${pkgs.length} Debian packages (${roots.join(', ')} and dependencies)`);
    await run('apt-get', ['download', '-q', ...pkgs], { cwd: debs });
    return pkgs;
  };
  let pkgs: string[];
  try {
    pkgs = await fetchDebs();
  } catch (err) {
    // Empty lists on a fresh machine, or stale ones naming versions the mirror has dropped.
    ctx.progress(`images: ${(err as Error).message.split('\n')[0]}; refreshing apt's package lists`);
    await refreshAptLists();
    pkgs = await fetchDebs();
  }
  const files = readdirSync(debs).filter((f) => f.endsWith('.deb'));
  if (files.length !== pkgs.length) throw new Error(`images: apt-get download fetched ${files.length} of ${pkgs.length} packages (${pkgs.join(' ')})`);
  for (const f of files) {
    await run('dpkg-deb', ['-x', join(debs, f), root]);
    const [name, version] = debFileNameParts(f);
    ctx.packages.set(name, version);
  }
  // ld.so finds libraries in both /lib and /usr/lib without a cache, but a cache is what Debian ships.
  await run('ldconfig', ['-r', root]).catch(() => undefined);
  return pkgs;
}

// What a container never reads: docs, man pages, init scripts; iconv modules (8 MB) and
// debugger/completion extras, which nothing in these images loads.
const TRIMMED = [
  'usr/share/doc',
  'usr/share/man',
  'usr/share/info',
  'usr/share/lintian',
  'usr/share/bug',
  'usr/share/locale',
  'usr/share/gdb',
  'usr/share/gcc',
  'usr/share/bash-completion',
  'usr/share/apport',
  'usr/lib/x86_64-linux-gnu/gconv',
  'etc/init.d',
  'etc/logrotate.d',
  'etc/default',
  'etc/ufw',
  'etc/systemd',
  'lib/systemd',
  'usr/lib/systemd',
  'var/cache/debconf',
];

function trim(root: string): void {
  for (const d of TRIMMED) rmSync(join(root, d), { recursive: true, force: true });
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
