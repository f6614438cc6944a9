// The images users name, on a real cluster (`timonel up`): any tag of a
// catalogue image rolls out, an image built here and imported runs, a missing
// image says where images come from, and imagePullSecrets reach an
// authenticated registry through CRI.
import { afterAll, beforeAll, describe, it, jest } from '@jest/globals';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { containerdPaths } from '../../pkg/cluster/containerd.js';
import { DEFAULT_IMAGE_CACHE_DIR } from '../../pkg/cluster/images.js';
import { importImages } from '../../pkg/cluster/imageimport.js';
import { freePort, which } from '../../pkg/cluster/process.js';
import { localRegistryHostsToml } from '../../pkg/cluster/containerd.js';
import { startRegistry, type RunningRegistry } from '../../pkg/cluster/registry.js';
import { RegistryClient } from '../../pkg/cluster/registryclient.js';
import { until } from '../support/controllers.js';
import { writeOCILayout, type TinyImage } from '../support/ocilayout.js';
import { TIMONEL, timonelUp, type UpCluster } from '../support/upcluster.js';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);
const poll = <T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs: number) => until(what, check, timeoutMs, 500);

interface PodJSON {
  status?: {
    podIP?: string;
    containerStatuses?: { image: string; imageID: string; ready: boolean; state?: Record<string, { reason?: string; message?: string }> }[];
  };
}

/** A web server image made here: the host's static busybox serving one page. */
function tinyWeb(page: string): TinyImage {
  const busybox = which('busybox') as string;
  return { files: { 'bin/busybox': { copy: busybox }, 'www/index.html': page }, cmd: ['/bin/busybox', 'httpd', '-f', '-p', '8080', '-h', '/www'] };
}

jest.setTimeout(600_000);
describe('images on a real cluster', () => {
  let c: UpCluster;
  let work = '';
  let privateRegistry: RunningRegistry | undefined;

  const pod = async (name: string): Promise<PodJSON> => JSON.parse((await c.kubectl(['get', 'pod', name, '-o', 'json'])).stdout) as PodJSON;
  const waiting = (p: PodJSON) => Object.values(p.status?.containerStatuses?.[0]?.state ?? {})[0];
  const page = async (ip: string, port: number) => (await fetch(`http://${ip}:${port}/`, { signal: AbortSignal.timeout(5000) })).text();

  beforeAll(async () => {
    work = mkdtempSync('/tmp/timonel-images-cluster-');
    c = await timonelUp({ podCIDR: '10.244.108.0/24', bridge: 'tmnl-e2e8' });
    await c.kubectl(['wait', '--for=condition=Ready', 'node', '--all', '--timeout=60s']);
  });
  afterAll(async () => {
    await c?.down();
    await privateRegistry?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('kubectl set image to a tag the catalogue never pushed (nginx:1.26) completes a rollout; the pod shows the digest', async () => {
    await c.kubectl(['create', 'deployment', 'web', '--image=nginx:1.25', '--replicas=2']);
    await c.kubectl(['rollout', 'status', 'deployment/web', '--timeout=180s']);
    await c.kubectl(['set', 'image', 'deployment/web', 'nginx=nginx:1.26']);
    await c.kubectl(['rollout', 'status', 'deployment/web', '--timeout=180s']);
    // The old pods may still be terminating; the rollout's are the two not being deleted.
    const pods = await poll(
      'two pods of the new ReplicaSet',
      async () => {
        const all = JSON.parse((await c.kubectl(['get', 'pods', '-l', 'app=web', '-o', 'json'])).stdout) as {
          items: (PodJSON & { metadata: { deletionTimestamp?: string } })[];
        };
        const live = all.items.filter((p) => !p.metadata.deletionTimestamp);
        return live.length === 2 && { items: live };
      },
      60_000,
    );
    const catalogue = await new RegistryClient('127.0.0.1:5000').getManifest('library/nginx', 'latest');
    for (const p of pods.items) {
      const st = p.status?.containerStatuses?.[0];
      assert.equal(st?.image, 'nginx:1.26');
      assert.equal(st?.imageID, `docker.io/library/nginx@${catalogue?.digest}`, 'the catalogue build, by digest');
      assert.match(await page(p.status?.podIP as string, 80), /Welcome to nginx!/);
    }
    const describe = (await c.kubectl(['describe', 'pods', '-l', 'app=web'])).stdout;
    assert.match(describe, /Image ID:\s+docker\.io\/library\/nginx@sha256:[0-9a-f]{64}/);
  });

  it('an image built here and imported with timonel images import runs under its own name', async () => {
    const layout = join(work, 'tinyweb');
    writeOCILayout(layout, tinyWeb('imported and running\n'), 'tinyweb:1.0');
    const { stdout } = await run(process.execPath, [TIMONEL, 'images', 'import', layout]);
    assert.match(stdout, /^imported docker\.io\/library\/tinyweb:1\.0 /m);
    await c.kubectl(['run', 'tinyweb', '--image=tinyweb:1.0', '--port=8080']);
    await c.kubectl(['wait', '--for=condition=Ready', 'pod/tinyweb', '--timeout=120s']);
    assert.equal(await page((await pod('tinyweb')).status?.podIP as string, 8080), 'imported and running\n');
    const ls = (await run(process.execPath, [TIMONEL, 'images', 'ls'])).stdout;
    assert.match(ls, /^docker\.io\/library\/tinyweb:1\.0\s+sha256:\S+\s+import$/m);
    assert.match(ls, /^docker\.io\/library\/nginx:1\.14\.2\s+sha256:\S+\s+catalogue nginx$/m);
  });

  it('an image nobody has gets ErrImagePull naming timonel images import; no pull leaves the machine', async () => {
    await c.kubectl(['run', 'ghost', '--image=no-such-image:1.0']);
    const st = await poll(
      'ghost to fail its pull',
      async () => {
        const w = waiting(await pod('ghost'));
        return w?.reason === 'ErrImagePull' && w;
      },
      120_000,
    );
    assert.match(st.message ?? '', /not found; the image is not in this machine's registry and pulls do not leave the machine .*timonel images import/);
    const hosts = containerdPaths(c.dataDir).certsDir;
    const ghcr = (await run('cat', [join(hosts, 'ghcr.io', 'hosts.toml')])).stdout;
    assert.match(ghcr, /^server = "http:\/\/127\.0\.0\.1:5000"$/m, 'without --registry-upstream, ghcr.io is served by the local registry');
    // A host in no list (containerd's `_default` catches it) is answered by the local registry as well.
    await c.kubectl(['run', 'elsewhere', '--image=registry.example.org/team/app:2']);
    const other = await poll(
      'a pull from an unlisted registry host to fail',
      async () => {
        const w = waiting(await pod('elsewhere'));
        return w?.reason === 'ErrImagePull' && w;
      },
      120_000,
    );
    assert.match(other.message ?? '', /not found; the image is not in this machine's registry/);
  });

  it('imagePullSecrets reach a registry that wants credentials; without them the pull fails with its 401', async () => {
    const cache = join(work, 'private-cache');
    mkdirSync(cache);
    privateRegistry = await startRegistry(cache, await freePort(), await freePort());
    const layout = join(work, 'private');
    writeOCILayout(layout, tinyWeb('private image\n'), 'team/private:1');
    await importImages([layout], { registry: privateRegistry.addr, credentials: privateRegistry.credentials.push });
    const privateAddr = privateRegistry.authAddr as string;
    // The registry by its address over plain HTTP, as the cluster's own registry is written (containerd reads this per pull).
    const dir = join(containerdPaths(c.dataDir).certsDir, privateAddr);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'hosts.toml'), localRegistryHostsToml(`http://${privateAddr}`));
    const { username, password } = privateRegistry.credentials.push;
    await c.kubectl([
      'create',
      'secret',
      'docker-registry',
      'regcred',
      `--docker-server=${privateAddr}`,
      `--docker-username=${username}`,
      `--docker-password=${password}`,
    ]);
    const podYAML = (name: string, secret: boolean) =>
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name },
        spec: {
          // Always: the node already has the image once the other pod pulled it.
          containers: [{ name: 'web', image: `${privateAddr}/team/private:1`, imagePullPolicy: 'Always' }],
          ...(secret ? { imagePullSecrets: [{ name: 'regcred' }] } : {}),
        },
      });
    await c.kubectl(['apply', '-f', '-'], { input: podYAML('with-secret', true) });
    await c.kubectl(['apply', '-f', '-'], { input: podYAML('without-secret', false) });
    await c.kubectl(['wait', '--for=condition=Ready', 'pod/with-secret', '--timeout=120s']);
    assert.equal(await page((await pod('with-secret')).status?.podIP as string, 8080), 'private image\n');
    const st = await poll(
      'the pod without a pull secret to fail its pull',
      async () => {
        const w = waiting(await pod('without-secret'));
        return w?.reason === 'ErrImagePull' && w;
      },
      120_000,
    );
    assert.match(st.message ?? '', /401 Unauthorized/);
  });
});
