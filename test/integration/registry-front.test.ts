// The cluster's registry as `timonel up` runs it: a real docker-registry behind
// the front, with its own htpasswd auth. Catalogue tags answer for any tag,
// pushes need credentials, catalogue tags belong to the builder, and the second
// listener wants credentials for reads too.
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, isAlive, which } from '../../pkg/cluster/process.js';
import { startRegistry, type RunningRegistry } from '../../pkg/cluster/registry.js';
import { DOCKER_MANIFEST, RegistryClient, sha256Digest } from '../../pkg/cluster/registryclient.js';
import { basicAuthorization } from '../../pkg/cluster/registryfront.js';

const skip = ['docker-registry', 'htpasswd'].some((c) => !which(c));

/** A one-file image pushed with the client: its manifest digest. */
async function pushTiny(client: RegistryClient, repo: string, tag: string, content: string, work: string): Promise<string> {
  const dir = mkdtempSync(join(work, 'layer-'));
  writeFileSync(join(dir, 'hello.txt'), content);
  const layer = execFileSync('tar', ['-C', dir, '-czf', '-', 'hello.txt']);
  const diff = execFileSync('tar', ['-C', dir, '-cf', '-', 'hello.txt']);
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', config: {}, rootfs: { type: 'layers', diff_ids: [sha256Digest(diff)] } }));
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: DOCKER_MANIFEST,
      config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: config.length, digest: sha256Digest(config) },
      layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', size: layer.length, digest: sha256Digest(layer) }],
    }),
  );
  await client.pushBlob(repo, sha256Digest(config), () => config);
  await client.pushBlob(repo, sha256Digest(layer), () => layer);
  return client.putManifest(repo, tag, DOCKER_MANIFEST, manifest);
}

(skip ? describe.skip : describe)('registry front on a real docker-registry', () => {
  let work = '';
  let registry: RunningRegistry;

  beforeAll(async () => {
    work = mkdtempSync('/tmp/timonel-registry-front-');
    mkdirSync(join(work, 'cache'));
    registry = await startRegistry(join(work, 'cache'), await freePort(), await freePort());
  });

  afterAll(async () => {
    await registry?.stop();
    if (registry?.pid) assert.equal(isAlive(registry.pid), false, 'registry process still running');
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('keeps its credentials readable by root only, bcrypt in the htpasswd file', () => {
    const dir = join(work, 'cache', 'registry-auth');
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    assert.equal(statSync(join(dir, 'credentials.json')).mode & 0o777, 0o600);
    const lines = readFileSync(join(dir, 'htpasswd'), 'utf8').trim().split('\n');
    assert.deepEqual(lines.map((l) => l.split(':')[0]).sort(), ['catalogue', 'pull', 'push']);
    for (const l of lines) assert.match(l, /^[a-z]+:\$2y\$05\$/);
  });

  it('answers any tag of a catalogue repository with the catalogue build; a pushed tag wins', async () => {
    const builder = new RegistryClient(registry.addr, registry.credentials.catalogue);
    const anonymous = new RegistryClient(registry.addr);
    const digest = await pushTiny(builder, 'library/nginx', 'latest', 'catalogue nginx', work);
    assert.equal((await anonymous.getManifest('library/nginx', '1.26'))?.digest, digest);
    assert.equal((await anonymous.getManifest('library/nginx', 'latest'))?.digest, digest);
    assert.equal(await anonymous.getManifest('library/myapp', '1.26'), undefined, 'not a catalogue repository');
    // node answers only for 18.x tags.
    const node = await pushTiny(builder, 'library/node', '18', 'catalogue node', work);
    assert.equal((await anonymous.getManifest('library/node', '18.20-bookworm'))?.digest, node);
    assert.equal(await anonymous.getManifest('library/node', '20'), undefined);
    // The builder sees the registry as it is (so it pushes each tag it lists).
    assert.equal(await builder.getManifest('library/nginx', '1.26'), undefined);
    const own = await pushTiny(new RegistryClient(registry.addr, registry.credentials.push), 'library/nginx', '1.26', 'a real 1.26', work);
    assert.notEqual(own, digest);
    assert.equal((await anonymous.getManifest('library/nginx', '1.26'))?.digest, own);
    assert.equal((await anonymous.getManifest('library/nginx', '1.27'))?.digest, digest);
  });

  it('refuses pushes without credentials, with a wrong password, by pull, and to catalogue tags by anyone but the builder', async () => {
    await assert.rejects(pushTiny(new RegistryClient(registry.addr), 'mine', '1', 'x', work), /HTTP 401: .*needs credentials/);
    const wrong = { username: 'push', password: 'not-the-password' };
    await assert.rejects(pushTiny(new RegistryClient(registry.addr, wrong), 'mine', '1', 'x', work), /HTTP 401/);
    await assert.rejects(pushTiny(new RegistryClient(registry.addr, registry.credentials.pull), 'mine', '1', 'x', work), /HTTP 403: .*may only pull/);
    const push = new RegistryClient(registry.addr, registry.credentials.push);
    await assert.rejects(pushTiny(push, 'library/nginx', 'latest', 'overwrite', work), /HTTP 403: .*belongs to the image catalogue/);
    const digest = (await push.getManifest('library/nginx', 'latest'))?.digest as string;
    await assert.rejects(push.deleteManifest('library/nginx', digest), /HTTP 403/);
    assert.ok(await pushTiny(push, 'mine', '1', 'mine', work));
    assert.deepEqual(await push.tags('mine'), ['1']);
  });

  it('answers the version check without credentials with the Basic challenge (so docker sends its login), with them with 200', async () => {
    const anonymous = await fetch(`http://${registry.addr}/v2/`);
    assert.equal(anonymous.status, 401);
    assert.match(anonymous.headers.get('www-authenticate') ?? '', /^Basic realm="timonel registry"$/);
    assert.equal(anonymous.headers.get('docker-distribution-api-version'), 'registry/2.0');
    await anonymous.arrayBuffer();
    const push = await fetch(`http://${registry.addr}/v2/`, { headers: { Authorization: basicAuthorization(registry.credentials.push) } });
    assert.equal(push.status, 200);
    await push.arrayBuffer();
  });

  it('the second listener wants credentials for reads too, and names the 401', async () => {
    const addr = registry.authAddr as string;
    const res = await fetch(`http://${addr}/v2/mine/manifests/1`, { headers: { Accept: DOCKER_MANIFEST } });
    assert.equal(res.status, 401);
    assert.match(res.headers.get('www-authenticate') ?? '', /^Basic realm=/);
    await res.arrayBuffer();
    assert.ok(await new RegistryClient(addr, registry.credentials.push).getManifest('mine', '1'));
    await assert.rejects(new RegistryClient(addr, { username: 'push', password: 'nope' }).getManifest('mine', '1'), /HTTP 401/);
  });
});

/** Runs a fetch from inside a network namespace; prints `status` for each request. */
const NETNS_FETCH = `
const [url, method, auth] = process.argv.slice(1);
const headers = { accept: 'application/vnd.docker.distribution.manifest.v2+json', ...(auth ? { authorization: auth } : {}) };
fetch(url, { method, headers, signal: AbortSignal.timeout(5000) })
  .then(async (r) => { await r.arrayBuffer(); console.log(r.status); })
  .catch((e) => console.log('error ' + (e.cause?.code ?? e.message)));
`;

(skip || !which('ip') ? describe.skip : describe)('registry front reached from another network namespace', () => {
  // A namespace this test creates, joined to the host by a veth pair: what a node of a multi-node cluster is.
  const id = randomBytes(3).toString('hex');
  const ns = `tmnl-rg-${id}`;
  const hostLink = `tmnl-rg-${id}`;
  const hostAddr = `10.253.${randomBytes(1)[0]}.1`;
  const nodeAddr = hostAddr.replace(/\.1$/, '.2');
  let work = '';
  let registry: RunningRegistry;
  let port = 0;

  const fromNode = (url: string, method = 'GET', auth = ''): string =>
    execFileSync('ip', ['netns', 'exec', ns, process.execPath, '-e', NETNS_FETCH, url, method, auth], { encoding: 'utf8' }).trim();

  beforeAll(async () => {
    execFileSync('ip', ['netns', 'add', ns]);
    execFileSync('ip', ['link', 'add', hostLink, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
    execFileSync('ip', ['addr', 'add', `${hostAddr}/30`, 'dev', hostLink]);
    execFileSync('ip', ['link', 'set', hostLink, 'up']);
    execFileSync('ip', ['-n', ns, 'addr', 'add', `${nodeAddr}/30`, 'dev', 'eth0']);
    execFileSync('ip', ['-n', ns, 'link', 'set', 'eth0', 'up']);
    execFileSync('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    work = mkdtempSync('/tmp/timonel-registry-netns-');
    mkdirSync(join(work, 'cache'));
    port = await freePort();
    registry = await startRegistry(join(work, 'cache'), port, undefined, [hostAddr]);
    await pushTiny(new RegistryClient(registry.addr, registry.credentials.push), 'team/app', '1', 'shared image', work);
  });

  afterAll(async () => {
    await registry?.stop();
    execFileSync('ip', ['netns', 'delete', ns]);
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('a node in its own namespace pulls without credentials and cannot push without them', () => {
    const base = `http://${hostAddr}:${port}/v2`;
    assert.equal(fromNode(`${base}/team/app/manifests/1`), '200');
    assert.equal(fromNode(`${base}/team/app/blobs/uploads/`, 'POST'), '401');
    assert.equal(fromNode(`${base}/team/app/blobs/uploads/`, 'POST', basicAuthorization(registry.credentials.pull)), '403');
    assert.equal(fromNode(`${base}/team/app/blobs/uploads/`, 'POST', basicAuthorization(registry.credentials.push)), '202');
    // Loopback is the namespace's own: the host's listener there is out of reach, as for any node.
    assert.match(fromNode(`http://127.0.0.1:${port}/v2/team/app/manifests/1`), /^error ECONNREFUSED$/);
  });
});
