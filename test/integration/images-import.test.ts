// `timonel images import` and `images ls` against the cluster's registry as
// `timonel up` runs it (a real docker-registry behind the front), with images
// made here: OCI layout, OCI archive, docker save archive, and stdin.
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { importImages } from '../../pkg/cluster/imageimport.js';
import { freePort, which } from '../../pkg/cluster/process.js';
import { startRegistry, type RunningRegistry } from '../../pkg/cluster/registry.js';
import { RegistryClient } from '../../pkg/cluster/registryclient.js';
import { writeDockerArchive, writeOCILayout, type TinyImage } from '../support/ocilayout.js';

const run = promisify(execFile);
const TIMONEL = new URL('../../cmd/timonel/main.js', import.meta.url).pathname;
const skip = ['docker-registry', 'htpasswd'].some((c) => !which(c));
const tiny = (text: string): TinyImage => ({ files: { 'hello.txt': text }, cmd: ['/hello'] });

(skip ? describe.skip : describe)('images import', () => {
  let work = '';
  let registry: RunningRegistry;
  let client: RegistryClient;
  let cache = '';
  let port = 0;
  const timonel = (args: string[], input?: Buffer) => {
    const p = run(process.execPath, [TIMONEL, 'images', ...args, '--cache-dir', cache, '--registry-port', String(port)]);
    if (input) p.child.stdin?.end(input);
    return p;
  };
  /** Every repository:tag the registry holds. */
  const holdings = async () => {
    const out: string[] = [];
    for (const r of await client.repositories()) for (const t of await client.tags(r)) out.push(`${r}:${t}`);
    return out.sort();
  };

  beforeAll(async () => {
    work = mkdtempSync('/tmp/timonel-import-');
    cache = join(work, 'cache');
    mkdirSync(cache);
    port = await freePort();
    registry = await startRegistry(cache, port);
    client = new RegistryClient(registry.addr, registry.credentials.push);
  });
  afterAll(async () => {
    await registry?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('imports an OCI layout named by a full reference, and one named by a tag with --name', async () => {
    const dir = join(work, 'layout');
    const { manifestDigest } = writeOCILayout(dir, tiny('oci'), 'tiny:1.0');
    const done = await importImages([dir], { registry: registry.addr, credentials: registry.credentials.push });
    assert.deepEqual(done, [{ name: 'docker.io/library/tiny:1.0', repository: 'library/tiny', tag: '1.0', digest: manifestDigest }]);
    const m = await new RegistryClient(registry.addr).getManifest('library/tiny', '1.0');
    assert.equal(m?.digest, manifestDigest);
    assert.equal(m?.mediaType, 'application/vnd.oci.image.manifest.v1+json');

    const tagOnly = join(work, 'tag-only');
    writeOCILayout(tagOnly, tiny('tag only'), '2.0');
    await assert.rejects(
      importImages([tagOnly], { registry: registry.addr, credentials: registry.credentials.push }),
      /named only by its tag "2.0"; pass --name/,
    );
    const named = await importImages([tagOnly], { registry: registry.addr, credentials: registry.credentials.push, name: 'ghcr.io/me/tool' });
    assert.equal(named[0].name, 'ghcr.io/me/tool:2.0');
    assert.equal(named[0].repository, 'me/tool');
  });

  it('imports an OCI archive and a docker save archive through the command, and from stdin; ls names the source', async () => {
    const layout = join(work, 'layout-archive');
    writeOCILayout(layout, tiny('oci archive'), 'docker.io/team/app:3');
    const ociTar = join(work, 'app.oci.tar');
    execFileSync('tar', ['-C', layout, '-cf', ociTar, '.']);
    const docker = join(work, 'saved.tar');
    writeDockerArchive(docker, [{ image: tiny('docker save'), repoTags: ['myapp:1.0', 'myapp:latest'] }]);
    const out = (await timonel(['import', ociTar, docker])).stdout;
    assert.match(out, /^imported docker\.io\/team\/app:3 \(sha256:[0-9a-f]{64}\)$/m);
    assert.match(out, /^imported docker\.io\/library\/myapp:1\.0 /m);
    assert.match(out, /^imported docker\.io\/library\/myapp:latest /m);
    const viaStdin = join(work, 'stdin.tar');
    writeDockerArchive(viaStdin, [{ image: tiny('stdin'), repoTags: ['piped:7'] }]);
    assert.match((await timonel(['import', '-'], readFileSync(viaStdin))).stdout, /^imported docker\.io\/library\/piped:7 /m);
    const m = await client.getManifest('library/myapp', '1.0');
    assert.equal(m?.mediaType, 'application/vnd.docker.distribution.manifest.v2+json');
    const ls = (await timonel(['ls'])).stdout.split('\n');
    assert.match(ls[0], /^IMAGE\s+DIGEST\s+SOURCE$/);
    assert.ok(
      ls.some((l) => /^docker\.io\/library\/myapp:1\.0\s+sha256:[0-9a-f]{12}\s+import$/.test(l)),
      ls.join('\n'),
    );
    assert.ok(
      ls.some((l) => /^docker\.io\/team\/app:3\s+.*import$/.test(l)),
      ls.join('\n'),
    );
  });

  it('refuses a truncated or corrupt archive with a clear error and leaves the registry as it was', async () => {
    const before = await holdings();
    const archive = join(work, 'big.tar');
    writeDockerArchive(archive, [{ image: { files: { 'data.bin': 'x'.repeat(200_000) }, cmd: ['/x'] }, repoTags: ['broken:1'] }]);
    const truncated = join(work, 'truncated.tar');
    writeFileSync(truncated, readFileSync(archive).subarray(0, Math.floor(statSync(archive).size / 2)));
    await assert.rejects(timonel(['import', truncated]), (err: { stderr: string; code: number }) => {
      assert.equal(err.code, 1);
      assert.match(err.stderr, /^timonel: images import: .*truncated\.tar: (cannot unpack the archive|.*corrupt or truncated)/m);
      return true;
    });
    // A flipped byte inside a layer: the tar is whole, the layer's digest is not what the config says.
    const layout = join(work, 'corrupt-layout');
    writeOCILayout(layout, tiny('corrupt'), 'corrupt:1');
    const index = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
    const manifest = JSON.parse(readFileSync(join(layout, 'blobs/sha256', index.manifests[0].digest.slice(7)), 'utf8')) as { layers: { digest: string }[] };
    const layerFile = join(layout, 'blobs/sha256', manifest.layers[0].digest.slice(7));
    const bytes = readFileSync(layerFile);
    bytes[bytes.length - 5] ^= 0xff;
    writeFileSync(layerFile, bytes);
    await assert.rejects(
      importImages([layout], { registry: registry.addr, credentials: registry.credentials.push }),
      /does not match its digest: the layout is corrupt/,
    );
    truncateSync(layerFile, 10);
    await assert.rejects(importImages([layout], { registry: registry.addr, credentials: registry.credentials.push }), /corrupt or truncated|is 10 bytes/);
    await assert.rejects(timonel(['import', join(work, 'no-such-file.tar')]), /no such file or directory/);
    assert.deepEqual(await holdings(), before);
  });

  it('an import that fails half way (a catalogue tag) takes back the tags it wrote', async () => {
    const before = await holdings();
    const archive = join(work, 'two.tar');
    writeDockerArchive(archive, [
      { image: tiny('first'), repoTags: ['first:1'] },
      { image: tiny('second'), repoTags: ['nginx:1.14.2'] },
    ]);
    await assert.rejects(
      importImages([archive], { registry: registry.addr, credentials: registry.credentials.push }),
      /HTTP 403: .*belongs to the image catalogue/,
    );
    assert.deepEqual(await holdings(), before);
  });
});
