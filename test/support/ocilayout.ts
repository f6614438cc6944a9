// Tiny images made here, not downloaded: a layer of the given files (tar, as
// `docker save` writes it), an image config, and either an OCI image layout or
// a `docker save` archive around them.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';

export interface TinyImage {
  /** Files of the root filesystem: path → contents, or { copy: hostPath } for a binary. */
  files: Record<string, string | { copy: string }>;
  cmd: string[];
  env?: string[];
}

const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

function layerTar(img: TinyImage, work: string): Buffer {
  const root = mkdtempSync(join(work, 'rootfs-'));
  for (const [p, c] of Object.entries(img.files)) {
    const file = join(root, p);
    mkdirSync(dirname(file), { recursive: true });
    if (typeof c === 'string') writeFileSync(file, c);
    else {
      copyFileSync(c.copy, file);
      chmodSync(file, 0o755);
    }
  }
  const tar = execFileSync('tar', ['--numeric-owner', '--sort=name', '-C', root, '-cf', '-', '.'], { maxBuffer: 256 << 20 });
  rmSync(root, { recursive: true, force: true });
  return tar;
}

function configOf(img: TinyImage, diffId: string): Buffer {
  return Buffer.from(
    JSON.stringify({
      architecture: process.arch === 'x64' ? 'amd64' : process.arch,
      os: 'linux',
      config: { Env: img.env ?? ['PATH=/bin'], Cmd: img.cmd },
      rootfs: { type: 'layers', diff_ids: [diffId] },
    }),
  );
}

/** An OCI image layout in dir, its one manifest named by `refName` (a tag, or a full reference). */
export function writeOCILayout(dir: string, img: TinyImage, refName: string): { manifestDigest: string } {
  const blobs = join(dir, 'blobs', 'sha256');
  mkdirSync(blobs, { recursive: true });
  const put = (b: Buffer) => {
    writeFileSync(join(blobs, sha(b).slice(7)), b);
    return { digest: sha(b), size: b.length };
  };
  const tar = layerTar(img, dir);
  const layer = gzipSync(tar);
  const config = configOf(img, sha(tar));
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...put(config) },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', ...put(layer) }],
    }),
  );
  const m = put(manifest);
  writeFileSync(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  writeFileSync(
    join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', ...m, annotations: { 'org.opencontainers.image.ref.name': refName } }],
    }),
  );
  return { manifestDigest: m.digest };
}

/** A `docker save` archive at file: manifest.json with RepoTags, the config, one plain tar layer per image. */
export function writeDockerArchive(file: string, images: { image: TinyImage; repoTags: string[] }[]): void {
  const dir = mkdtempSync(`${file}.d-`);
  const entries = images.map(({ image, repoTags }, i) => {
    const tar = layerTar(image, dir);
    const config = configOf(image, sha(tar));
    const configName = `${sha(config).slice(7)}.json`;
    mkdirSync(join(dir, `layer${i}`));
    writeFileSync(join(dir, configName), config);
    writeFileSync(join(dir, `layer${i}`, 'layer.tar'), tar);
    return { Config: configName, RepoTags: repoTags, Layers: [`layer${i}/layer.tar`] };
  });
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(entries));
  execFileSync('tar', ['-C', dir, '-cf', file, '.']);
  rmSync(dir, { recursive: true, force: true });
}
