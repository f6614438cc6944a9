// `timonel images import`: a `docker save` archive, an OCI image layout
// (directory) or an OCI archive (tar of a layout) into the cluster's registry,
// under the names inside mapped as containerd maps them (`myapp:1.0` is
// docker.io/library/myapp:1.0, served on the mirror as library/myapp:1.0).
// Everything is read and checked (JSON, every blob's digest, every layer's
// diff ID) before anything is sent, so corrupt or truncated input leaves the
// registry as it was; if the registry fails half way, the tags written are
// removed again.
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, normalize } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { gzipSync } from 'node:zlib';
import { mirrorRepository, normalizeImageReference } from './images.js';
import { DOCKER_MANIFEST, DOCKER_MANIFEST_LIST, OCI_INDEX, OCI_MANIFEST, RegistryClient, sha256Digest } from './registryclient.js';
import type { Credentials } from './registryfront.js';

const DOCKER_CONFIG = 'application/vnd.docker.container.image.v1+json';
const DOCKER_LAYER_GZIP = 'application/vnd.docker.image.rootfs.diff.tar.gzip';

/** One image ready to push: blobs by digest, and the manifest to put under each name. */
export interface ImportPlan {
  /** Full names as containerd pulls them, e.g. docker.io/library/myapp:1.0. */
  names: string[];
  manifest: Buffer;
  mediaType: string;
  blobs: Map<string, () => Buffer>;
}

export interface ImportedImage {
  name: string;
  repository: string;
  tag: string;
  digest: string;
}

export class ImportError extends Error {}

function fail(source: string, why: string): never {
  throw new ImportError(`images import: ${source}: ${why}`);
}

function readJSON<T>(file: string, source: string, what: string): T {
  if (!existsSync(file)) fail(source, `${what} is missing; not a docker save archive or OCI image layout`);
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch (err) {
    return fail(source, `${what} is not valid JSON (${(err as Error).message}); the file is corrupt or truncated`);
  }
}

/** A path inside the unpacked archive, refusing names that climb out of it. */
function inside(root: string, rel: string, source: string): string {
  const p = normalize(join(root, rel));
  if (!p.startsWith(`${normalize(root)}/`)) fail(source, `entry ${JSON.stringify(rel)} points outside the archive`);
  return p;
}

function fileDigest(file: string): string {
  return sha256Digest(readFileSync(file));
}

/** A tag-only OCI ref name (`1.0`) needs a repository from the user; a full reference is used as is. */
function fullName(ref: string, repository: string | undefined, source: string): string {
  if (/[/:@]/.test(ref)) return normalizeImageReference(ref);
  if (!repository) fail(source, `the image is named only by its tag ${JSON.stringify(ref)}; pass --name REPOSITORY`);
  return normalizeImageReference(`${repository}:${ref}`);
}

/** `docker save`: manifest.json lists each image's config, layers (uncompressed tars) and RepoTags. */
function planDockerArchive(root: string, source: string, name?: string): ImportPlan[] {
  type Entry = { Config?: unknown; RepoTags?: unknown; Layers?: unknown };
  const entries = readJSON<Entry[]>(join(root, 'manifest.json'), source, 'manifest.json');
  if (!Array.isArray(entries) || entries.length === 0) fail(source, 'manifest.json lists no images');
  return entries.map((e) => {
    if (typeof e?.Config !== 'string' || !Array.isArray(e.Layers) || !e.Layers.every((l) => typeof l === 'string'))
      fail(source, 'manifest.json has an entry without Config or Layers');
    const configFile = inside(root, e.Config, source);
    const configBody = existsSync(configFile) ? readFileSync(configFile) : fail(source, `config ${e.Config} is missing`);
    let config: { rootfs?: { diff_ids?: unknown } };
    try {
      config = JSON.parse(configBody.toString('utf8')) as typeof config;
    } catch {
      return fail(source, `config ${e.Config} is not valid JSON; the archive is corrupt`);
    }
    const diffIds = config.rootfs?.diff_ids;
    if (!Array.isArray(diffIds) || diffIds.length !== e.Layers.length) fail(source, `config ${e.Config} does not list one diff ID per layer`);
    const blobs = new Map<string, () => Buffer>();
    const configDigest = sha256Digest(configBody);
    blobs.set(configDigest, () => configBody);
    const layers = (e.Layers as string[]).map((rel, i) => {
      const file = inside(root, rel, source);
      if (!existsSync(file)) fail(source, `layer ${rel} is missing`);
      const raw = readFileSync(file);
      // Docker writes layers uncompressed; a gzip one (some tools) is unpacked to check its diff ID.
      const gz = raw[0] === 0x1f && raw[1] === 0x8b;
      const diff = gz ? fail(source, `layer ${rel} is compressed; docker save writes plain tars`) : sha256Digest(raw);
      if (diff !== diffIds[i]) fail(source, `layer ${rel} has digest ${diff}, the config says ${String(diffIds[i])}: the archive is corrupt or truncated`);
      const compressed = gzipSync(raw, { level: 1 });
      const digest = sha256Digest(compressed);
      blobs.set(digest, () => compressed);
      return { mediaType: DOCKER_LAYER_GZIP, size: compressed.length, digest };
    });
    const tags = Array.isArray(e.RepoTags) ? e.RepoTags.filter((t): t is string => typeof t === 'string') : [];
    if (tags.length === 0 && !name) fail(source, 'an image in manifest.json has no RepoTags (saved by ID); pass --name NAME:TAG');
    const names = (tags.length ? tags : [name as string]).map((t) => normalizeImageReference(t));
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: DOCKER_MANIFEST,
        config: { mediaType: DOCKER_CONFIG, size: configBody.length, digest: configDigest },
        layers,
      }),
    );
    return { names, manifest, mediaType: DOCKER_MANIFEST, blobs };
  });
}

interface Descriptor {
  mediaType?: string;
  digest?: string;
  size?: number;
  annotations?: Record<string, string>;
  platform?: { os?: string; architecture?: string };
}

/** OCI image layout: index.json → manifests (an index picks linux/this arch), every blob checked against its digest. */
function planOCILayout(root: string, source: string, name?: string): ImportPlan[] {
  const layout = readJSON<{ imageLayoutVersion?: string }>(join(root, 'oci-layout'), source, 'oci-layout');
  if (typeof layout?.imageLayoutVersion !== 'string') fail(source, 'oci-layout has no imageLayoutVersion');
  const index = readJSON<{ manifests?: Descriptor[] }>(join(root, 'index.json'), source, 'index.json');
  if (!Array.isArray(index.manifests) || index.manifests.length === 0) fail(source, 'index.json lists no manifests');
  const blob = (d: Descriptor): Buffer => {
    if (typeof d?.digest !== 'string' || !/^sha256:[0-9a-f]{64}$/.test(d.digest)) fail(source, `a descriptor has no sha256 digest`);
    const file = inside(root, join('blobs', 'sha256', d.digest.slice(7)), source);
    if (!existsSync(file)) fail(source, `blob ${d.digest} is missing`);
    const body = readFileSync(file);
    if (sha256Digest(body) !== d.digest) fail(source, `blob ${d.digest} does not match its digest: the layout is corrupt or truncated`);
    if (typeof d.size === 'number' && d.size !== body.length) fail(source, `blob ${d.digest} is ${body.length} bytes, its descriptor says ${d.size}`);
    return body;
  };
  const arch = process.arch === 'x64' ? 'amd64' : process.arch;
  const plans: ImportPlan[] = [];
  for (const top of index.manifests) {
    const ref = top.annotations?.['io.containerd.image.name'] ?? top.annotations?.['org.opencontainers.image.ref.name'];
    if (!ref && !name) fail(source, `manifest ${String(top.digest)} has no name annotation; pass --name NAME:TAG`);
    const names = [ref ? fullName(ref, name, source) : normalizeImageReference(name as string)];
    let desc = top;
    let body = blob(desc);
    if (desc.mediaType === OCI_INDEX || desc.mediaType === DOCKER_MANIFEST_LIST) {
      const nested = (JSON.parse(body.toString('utf8')) as { manifests?: Descriptor[] }).manifests ?? [];
      const pick = nested.find((m) => m.platform?.os === 'linux' && m.platform?.architecture === arch);
      if (!pick) fail(source, `the index for ${names[0]} has no linux/${arch} image`);
      desc = pick;
      body = blob(desc);
    }
    const mediaType = desc.mediaType ?? OCI_MANIFEST;
    if (mediaType !== OCI_MANIFEST && mediaType !== DOCKER_MANIFEST) fail(source, `unsupported manifest type ${mediaType}`);
    let manifest: { config?: Descriptor; layers?: Descriptor[] };
    try {
      manifest = JSON.parse(body.toString('utf8')) as typeof manifest;
    } catch {
      return fail(source, `manifest ${desc.digest} is not valid JSON`);
    }
    if (!manifest.config || !Array.isArray(manifest.layers)) fail(source, `manifest ${desc.digest} has no config or layers`);
    const blobs = new Map<string, () => Buffer>();
    for (const d of [manifest.config, ...manifest.layers]) {
      const b = blob(d);
      blobs.set(d.digest as string, () => b);
    }
    plans.push({ names, manifest: body, mediaType, blobs });
  }
  return plans;
}

function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(err.trim() || `${cmd} exited ${code}`))));
  });
}

/** The import plan for one source: a directory (OCI layout) or an archive file, unpacked into work. */
export async function planImport(source: string, work: string, name?: string): Promise<ImportPlan[]> {
  let root = source;
  if (!statSync(source).isDirectory()) {
    root = mkdtempSync(join(work, 'unpacked-'));
    // tar detects compression itself and fails on a truncated archive ("Unexpected EOF").
    await run('tar', ['-xf', source, '-C', root, '--no-same-owner', '--no-same-permissions']).catch((err: Error) =>
      fail(source, `cannot unpack the archive: ${err.message.split('\n')[0]}`),
    );
  }
  if (existsSync(join(root, 'manifest.json'))) return planDockerArchive(root, source, name);
  if (existsSync(join(root, 'oci-layout'))) return planOCILayout(root, source, name);
  return fail(source, 'neither a docker save archive (manifest.json) nor an OCI image layout (oci-layout, index.json)');
}

export interface ImportOptions {
  /** host:port of the cluster's registry. */
  registry: string;
  credentials: Credentials;
  /** For images that carry no name (saved by ID) or only a tag (OCI ref name `1.0`). */
  name?: string;
  /** Where stdin (`-`) is spooled; it must be read whole before it can be checked. */
  stdin?: NodeJS.ReadableStream;
}

/** Imports every source; checks all of them before pushing any. */
export async function importImages(sources: string[], opts: ImportOptions): Promise<ImportedImage[]> {
  const work = mkdtempSync(join(tmpdir(), 'timonel-import-'));
  try {
    const plans: ImportPlan[] = [];
    for (const s of sources) {
      let source = s;
      if (s === '-') {
        source = join(work, 'stdin.tar');
        await pipeline(opts.stdin ?? process.stdin, createWriteStream(source));
      } else if (!existsSync(s)) fail(s, 'no such file or directory');
      plans.push(...(await planImport(source, work, opts.name)));
    }
    return await pushPlans(plans, opts);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

async function pushPlans(plans: ImportPlan[], opts: ImportOptions): Promise<ImportedImage[]> {
  const client = new RegistryClient(opts.registry, opts.credentials);
  const done: ImportedImage[] = [];
  const previous: { repository: string; tag: string; manifest?: { mediaType: string; body: Buffer } }[] = [];
  try {
    for (const plan of plans) {
      for (const name of plan.names) {
        const at = name.lastIndexOf(':');
        if (name.includes('@') || at < 0) fail(name, 'import needs a tag, not a digest');
        const repository = mirrorRepository(name.slice(0, at));
        const tag = name.slice(at + 1);
        for (const [digest, body] of plan.blobs) await client.pushBlob(repository, digest, body);
        const before = await client.getManifest(repository, tag).catch(() => undefined);
        previous.push({ repository, tag, manifest: before && { mediaType: before.mediaType, body: before.body } });
        const digest = await client.putManifest(repository, tag, plan.mediaType, plan.manifest);
        done.push({ name, repository, tag, digest });
      }
    }
    return done;
  } catch (err) {
    // Put back what this import changed: the tag's earlier manifest, or no manifest at all.
    for (const [i, d] of done.entries()) {
      const p = previous[i];
      if (p.manifest) await client.putManifest(d.repository, d.tag, p.manifest.mediaType, p.manifest.body).catch(() => undefined);
      else await client.deleteManifest(d.repository, d.digest).catch(() => undefined);
    }
    throw err;
  }
}
