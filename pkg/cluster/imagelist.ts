// `timonel images ls`: what the cluster's registry holds, by the names pods use,
// and where each came from. A tag the catalogue pushes can only be written by
// the catalogue builder (registryfront.ts), so it is the catalogue's; any other
// tag was imported (or pushed by a user with the registry's credentials).
import { IMAGES, mirrorRepository, type ImageSpec } from './images.js';
import { RegistryClient } from './registryclient.js';

export interface RegistryImage {
  /** As a manifest names it, e.g. docker.io/library/nginx:1.14.2. */
  name: string;
  repository: string;
  tag: string;
  digest: string;
  /** `catalogue <build>` or `import`. */
  source: string;
}

/** Mirror repository → upstream repository, for the catalogue's repositories off docker.io (registry.k8s.io/pause). */
function upstreamNames(images: ImageSpec[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const img of images) for (const ref of Object.keys(img.references)) out.set(mirrorRepository(ref), ref);
  return out;
}

export async function listRegistryImages(client: RegistryClient, images: ImageSpec[] = IMAGES): Promise<RegistryImage[]> {
  const upstream = upstreamNames(images);
  const catalogueTag = new Map<string, string>();
  for (const img of images)
    for (const [ref, tags] of Object.entries(img.references)) for (const t of tags) catalogueTag.set(`${mirrorRepository(ref)}:${t}`, img.name);
  const out: RegistryImage[] = [];
  for (const repository of (await client.repositories()).sort()) {
    for (const tag of (await client.tags(repository)).sort()) {
      const m = await client.getManifest(repository, tag);
      if (!m) continue;
      const build = catalogueTag.get(`${repository}:${tag}`);
      out.push({
        name: `${upstream.get(repository) ?? `docker.io/${repository}`}:${tag}`,
        repository,
        tag,
        digest: m.digest,
        source: build ? `catalogue ${build}` : 'import',
      });
    }
  }
  return out;
}

/** The table `timonel images ls` prints. */
export function formatImageTable(rows: RegistryImage[]): string {
  const lines = [['IMAGE', 'DIGEST', 'SOURCE'], ...rows.map((r) => [r.name, r.digest.slice(0, 19), r.source])];
  const width = lines[0].map((_, i) => Math.max(...lines.map((l) => l[i].length)));
  return lines.map((l) => l.map((c, i) => (i < l.length - 1 ? c.padEnd(width[i]) : c)).join('   ')).join('\n') + '\n';
}
