// A small client of the Registry HTTP API v2 for pushing images: what the
// catalogue builder and `timonel images import` need (blobs by monolithic
// upload, HEAD first so nothing is sent twice; manifests by tag or digest).
import { createHash } from 'node:crypto';
import { basicAuthorization, type Credentials } from './registryfront.js';

export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
export const DOCKER_MANIFEST_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const ACCEPT = [DOCKER_MANIFEST, DOCKER_MANIFEST_LIST, OCI_MANIFEST, OCI_INDEX].join(', ');

export function sha256Digest(b: Uint8Array | string): string {
  return `sha256:${createHash('sha256').update(b).digest('hex')}`;
}

export class RegistryClient {
  readonly root: string;
  private readonly auth: Record<string, string>;

  constructor(addr: string, credentials?: Credentials) {
    this.root = `http://${addr}`;
    this.auth = credentials ? { Authorization: basicAuthorization(credentials) } : {};
  }

  private async call(method: string, path: string, headers: Record<string, string> = {}, body?: Uint8Array): Promise<Response> {
    return fetch(new URL(path, this.root), { method, headers: { ...this.auth, ...headers }, body: body && new Uint8Array(body) });
  }

  private static async fail(what: string, res: Response): Promise<never> {
    throw new Error(`registry: ${what} → HTTP ${res.status}: ${(await res.text()).trim()}`);
  }

  async hasBlob(repo: string, digest: string): Promise<boolean> {
    const res = await this.call('HEAD', `/v2/${repo}/blobs/${digest}`);
    await res.arrayBuffer();
    return res.ok;
  }

  /** Uploads a blob unless the repository has it; `from` links one another repository holds instead. */
  async pushBlob(repo: string, digest: string, body: () => Uint8Array, from?: string): Promise<void> {
    if (await this.hasBlob(repo, digest)) return;
    const mount = from ? `?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(from)}` : '';
    const start = await this.call('POST', `/v2/${repo}/blobs/uploads/${mount}`);
    if (start.status === 201) return void (await start.arrayBuffer());
    if (start.status !== 202) return RegistryClient.fail(`starting upload of ${digest} to ${repo}`, start);
    await start.arrayBuffer();
    const location = start.headers.get('location');
    if (!location) throw new Error(`registry: no upload location for ${repo}`);
    const url = new URL(location, this.root);
    url.searchParams.set('digest', digest);
    const put = await fetch(url, { method: 'PUT', headers: { ...this.auth, 'Content-Type': 'application/octet-stream' }, body: new Uint8Array(body()) });
    if (put.status !== 201) return RegistryClient.fail(`upload of ${digest} to ${repo}`, put);
    await put.arrayBuffer();
  }

  async putManifest(repo: string, reference: string, mediaType: string, body: Uint8Array): Promise<string> {
    const res = await this.call('PUT', `/v2/${repo}/manifests/${reference}`, { 'Content-Type': mediaType }, body);
    if (res.status !== 201) return RegistryClient.fail(`PUT manifest ${repo}:${reference}`, res);
    await res.arrayBuffer();
    return res.headers.get('docker-content-digest') ?? sha256Digest(body);
  }

  /** The manifest a reference names, or undefined when the registry has none. */
  async getManifest(repo: string, reference: string): Promise<{ mediaType: string; digest: string; body: Buffer } | undefined> {
    const res = await this.call('GET', `/v2/${repo}/manifests/${reference}`, { Accept: ACCEPT });
    if (res.status === 404) return void (await res.arrayBuffer());
    if (!res.ok) return RegistryClient.fail(`GET manifest ${repo}:${reference}`, res);
    const body = Buffer.from(await res.arrayBuffer());
    return { mediaType: res.headers.get('content-type') ?? '', digest: res.headers.get('docker-content-digest') ?? sha256Digest(body), body };
  }

  async getBlob(repo: string, digest: string): Promise<Buffer> {
    const res = await this.call('GET', `/v2/${repo}/blobs/${digest}`);
    if (!res.ok) return RegistryClient.fail(`GET blob ${repo}@${digest}`, res);
    return Buffer.from(await res.arrayBuffer());
  }

  async deleteManifest(repo: string, digest: string): Promise<void> {
    const res = await this.call('DELETE', `/v2/${repo}/manifests/${digest}`);
    if (res.status !== 202 && res.status !== 404) return RegistryClient.fail(`DELETE manifest ${repo}@${digest}`, res);
    await res.arrayBuffer();
  }

  /** Every repository (follows the catalogue's pagination). */
  async repositories(): Promise<string[]> {
    const out: string[] = [];
    let next: string | undefined = '/v2/_catalog?n=1000';
    while (next) {
      const res = await this.call('GET', next);
      if (!res.ok) return RegistryClient.fail('GET /v2/_catalog', res);
      out.push(...((JSON.parse(await res.text()) as { repositories?: string[] }).repositories ?? []));
      next = /<([^>]+)>;\s*rel="next"/.exec(res.headers.get('link') ?? '')?.[1];
    }
    return out;
  }

  async tags(repo: string): Promise<string[]> {
    const res = await this.call('GET', `/v2/${repo}/tags/list`);
    if (res.status === 404) return [];
    if (!res.ok) return RegistryClient.fail(`GET tags of ${repo}`, res);
    return (JSON.parse(await res.text()) as { tags?: string[] | null }).tags ?? [];
  }
}
