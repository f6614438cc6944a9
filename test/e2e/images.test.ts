// Images for unmodified manifests: built from Debian packages into the shared
// cache, pushed to a real docker-registry on loopback, served under every tag
// the catalogue lists, and pulled and run by a real containerd through CRI
// with the registry as its docker.io / registry.k8s.io mirror.
import { afterAll, beforeAll, describe, it, jest } from '@jest/globals';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';
import { CRIClient, type ContainerConfig__Input, type PodSandboxConfig__Input } from '../../pkg/cri/client.js';
import { DEFAULT_IMAGE_CACHE_DIR, IMAGES, catalogueImageFor, catalogueReferences, ensureImages, normalizeImageReference } from '../../pkg/cluster/images.js';
import { freePort, isAlive, which } from '../../pkg/cluster/process.js';
import { registryConfigYAML, startRegistry, type RunningRegistry } from '../../pkg/cluster/registry.js';
import { startTestContainerd, type TestContainerd } from '../support/containerd.js';
import { exampleFiles } from '../support/examples.js';

const MANIFEST_V2 = 'application/vnd.docker.distribution.manifest.v2+json';
const CACHE = process.env.TIMONEL_IMAGE_CACHE ?? DEFAULT_IMAGE_CACHE_DIR;
// This test's own pod network (no other test uses it).
const BRIDGE = 'tmnl-img0';
const SUBNET_PREFIX = '10.244.205.';

const missing = ['docker-registry', 'busybox', 'gcc', 'apt-get', 'dpkg-deb'].filter((c) => !which(c));
const skip = missing.length ? `missing ${missing.join(', ')} (run make deps)` : false;

/** Every `image:` in the vendored upstream examples (block YAML and the JSON-ish KYAML they also use). */
function exampleImages(): string[] {
  const out = new Set<string>();
  for (const f of exampleFiles()) {
    for (const m of readFileSync(f, 'utf8').matchAll(/^\s*-?\s*"?image"?:\s*"?([^\s",]+)"?,?\s*$/gm)) out.add(m[1]);
  }
  return [...out].sort();
}

interface Manifest {
  config: { digest: string; size: number };
  layers: { digest: string; size: number; mediaType: string }[];
}

jest.setTimeout(600_000);
(skip ? describe.skip : describe)('images: build, registry, pull through CRI', () => {
  let work = '';
  let registry: RunningRegistry;

  beforeAll(async () => {
    work = mkdtempSync('/tmp/timonel-images-e2e-');
    registry = await startRegistry(join(work, 'registry-cache'), await freePort());
  });

  afterAll(async () => {
    await registry?.stop();
    if (registry?.pid) assert.equal(isAlive(registry.pid), false, 'registry process still running');
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('every image the upstream examples name resolves to a catalogue build', () => {
    const images = exampleImages();
    assert.ok(images.length >= 10, `found only ${images.join(', ')}`);
    const unresolved = images.filter((i) => !catalogueImageFor(i));
    assert.deepEqual(unresolved, [], 'example images without a build');
    assert.equal(catalogueImageFor('nginx'), 'nginx');
    assert.equal(catalogueImageFor('registry.k8s.io/nginx-slim:0.8'), 'nginx');
    assert.equal(catalogueImageFor('registry.k8s.io/pause:3.9'), 'pause');
    assert.equal(catalogueImageFor('docker.io/library/busybox'), 'busybox');
    assert.equal(catalogueImageFor('nginx:0.0.1-nope'), 'nginx', 'any tag of a catalogue repository');
    assert.equal(catalogueImageFor('myapp:1.0'), undefined);
    assert.equal(normalizeImageReference('redis:5'), 'docker.io/library/redis:5');
  });

  it('the registry listens on loopback only and answers /v2/', async () => {
    assert.match(registryConfigYAML({ cacheDir: '/x', port: 5001 }), /net: unix\n {2}addr: "\/x\/registry-5001\.sock"/);
    const port = Number(registry.addr.split(':')[1]);
    const hex = port.toString(16).toUpperCase().padStart(4, '0');
    const listeners = [...readFileSync('/proc/net/tcp', 'utf8').matchAll(/^\s*\d+: ([0-9A-F]{8}):([0-9A-F]{4}) 00000000:0000 0A/gm)]
      .filter((m) => m[2] === hex)
      .map((m) => m[1]);
    assert.deepEqual(listeners, ['0100007F'], 'listening socket should be 127.0.0.1 only');
    const res = await fetch(`${registry.url}/v2/`);
    assert.equal(res.status, 401, 'the version check challenges a client without credentials');
    assert.match(res.headers.get('www-authenticate') ?? '', /^Basic realm=/);
    assert.match(res.headers.get('docker-distribution-api-version') ?? '', /^registry\/2/);
  });

  it('startRegistry reuses a running registry and refuses a port held by something else', async () => {
    const again = await startRegistry(join(work, 'registry-cache'), Number(registry.addr.split(':')[1]));
    assert.equal(again.pid, undefined);
    await again.stop();
    assert.equal((await fetch(`${registry.url}/v2/`)).status, 401, 'stopping a reused registry must leave it running');

    const other = createServer((s) => s.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n'));
    await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
    const port = (other.address() as { port: number }).port;
    try {
      await assert.rejects(startRegistry(join(work, 'other'), port), /in use by something that is not a Docker registry/);
    } finally {
      other.close();
    }
  });

  it('builds busybox and pause into an empty cache; a second call builds and pushes nothing', async () => {
    const cacheDir = join(work, 'fresh-cache');
    const first = await ensureImages({ cacheDir, registry: registry.addr, credentials: registry.credentials.catalogue, only: ['busybox', 'pause'] });
    assert.deepEqual(first.built.sort(), ['busybox', 'pause']);
    const refs = catalogueReferences(IMAGES.filter((i) => ['busybox', 'pause'].includes(i.name)))
      .map((r) => `${r.repository}:${r.tag}`)
      .sort();
    assert.deepEqual(first.pushed.sort(), refs);
    const second = await ensureImages({ cacheDir, registry: registry.addr, credentials: registry.credentials.catalogue, only: ['busybox', 'pause'] });
    assert.deepEqual(second.built, []);
    assert.deepEqual(second.cached.sort(), ['busybox', 'pause']);
    assert.deepEqual(second.pushed, []);
    assert.deepEqual(second.present.sort(), refs);
    await assert.rejects(
      ensureImages({ cacheDir, registry: registry.addr, credentials: registry.credentials.catalogue, only: ['no-such-image'] }),
      /no catalogue image named "no-such-image"/,
    );
  });

  it('the whole catalogue from the shared cache: every tag pushed once, then nothing to do', async () => {
    const progress: string[] = [];
    const first = await ensureImages({
      cacheDir: CACHE,
      registry: registry.addr,
      credentials: registry.credentials.catalogue,
      progress: (m) => progress.push(m),
    });
    const all = catalogueReferences()
      .map((r) => `${r.repository}:${r.tag}`)
      .sort();
    assert.deepEqual([...first.pushed, ...first.present].sort(), all);
    assert.ok(first.pushed.includes('library/nginx:1.14.2'), progress.join('\n'));
    for (const i of first.images) assert.ok(i.compressedBytes > 0 && i.uncompressedBytes >= i.compressedBytes, JSON.stringify(i));
    const second = await ensureImages({ cacheDir: CACHE, registry: registry.addr, credentials: registry.credentials.catalogue });
    assert.deepEqual(second.built, []);
    assert.deepEqual(second.pushed, []);
    assert.deepEqual(second.present.sort(), all);
  });

  it('the registry serves a schema 2 manifest, config and layer for every catalogue tag', async () => {
    const expectCmd: Record<string, { Cmd?: string[]; Entrypoint?: string[] }> = {
      busybox: { Cmd: ['sh'] },
      pause: { Entrypoint: ['/pause'] },
      nginx: { Cmd: ['nginx', '-g', 'daemon off;'] },
      redis: { Entrypoint: ['docker-entrypoint.sh'], Cmd: ['redis-server'] },
      node: { Cmd: ['node'] },
      mariadb: { Entrypoint: ['docker-entrypoint.sh'], Cmd: ['mariadbd'] },
      wordpress: { Entrypoint: ['docker-entrypoint.sh'], Cmd: ['apache2-foreground'] },
      python: { Cmd: ['python3'] },
      memcached: { Entrypoint: ['docker-entrypoint.sh'], Cmd: ['memcached'] },
      haproxy: { Entrypoint: ['docker-entrypoint.sh'], Cmd: ['haproxy', '-f', '/usr/local/etc/haproxy/haproxy.cfg'] },
      httpd: { Cmd: ['httpd-foreground'] },
      postgres: { Entrypoint: ['docker-entrypoint.sh'], Cmd: ['postgres'] },
      prometheus: {
        Entrypoint: ['/bin/prometheus'],
        Cmd: [
          '--config.file=/etc/prometheus/prometheus.yml',
          '--storage.tsdb.path=/prometheus',
          '--web.console.libraries=/usr/share/prometheus/console_libraries',
          '--web.console.templates=/usr/share/prometheus/consoles',
        ],
      },
      'node-exporter': { Entrypoint: ['/bin/node_exporter'] },
      vmagent: { Entrypoint: ['/vmagent-prod'] },
      dashboard: { Entrypoint: ['node', '/opt/timonel/dist/cmd/dashboard/main.js'] },
    };
    assert.deepEqual(Object.keys(expectCmd).sort(), IMAGES.map((i) => i.name).sort(), 'every catalogue image is checked');
    const checkedBlobs = new Set<string>();
    for (const r of catalogueReferences()) {
      const res = await fetch(`${registry.url}/v2/${r.repository}/manifests/${r.tag}`, { headers: { Accept: MANIFEST_V2 } });
      assert.equal(res.status, 200, r.reference);
      assert.equal(res.headers.get('content-type'), MANIFEST_V2, r.reference);
      const body = Buffer.from(await res.arrayBuffer());
      assert.equal(res.headers.get('docker-content-digest'), `sha256:${createHash('sha256').update(body).digest('hex')}`);
      const m = JSON.parse(body.toString()) as Manifest;
      assert.equal(m.layers.length, 1);
      if (checkedBlobs.has(`${r.repository}@${m.config.digest}`)) continue;
      checkedBlobs.add(`${r.repository}@${m.config.digest}`);
      // Parsed here rather than by Response.json(), whose objects are of Node's realm, not the test's (jest).
      const cfg = JSON.parse(await (await fetch(`${registry.url}/v2/${r.repository}/blobs/${m.config.digest}`)).text()) as {
        os: string;
        config: { Cmd?: string[]; Entrypoint?: string[]; Labels?: Record<string, string> };
      };
      assert.equal(cfg.os, 'linux');
      // The Debian packages inside, with their versions (pause is compiled here: none).
      const labels = Object.keys(cfg.config.Labels ?? {});
      if (r.image !== 'pause')
        assert.ok(
          labels.some((l) => /^org\.debian\.package\./.test(l)),
          `${r.reference}: ${labels.join(', ')}`,
        );
      assert.deepEqual(
        { Cmd: cfg.config.Cmd, Entrypoint: cfg.config.Entrypoint },
        { Cmd: undefined, Entrypoint: undefined, ...expectCmd[r.image] },
        r.reference,
      );
      const layer = await fetch(`${registry.url}/v2/${r.repository}/blobs/${m.layers[0].digest}`, { method: 'HEAD' });
      assert.equal(layer.status, 200);
      assert.equal(Number(layer.headers.get('content-length')), m.layers[0].size);
    }
    // Any other tag answers with the catalogue build (the registry front); a repository the catalogue lacks does not.
    const latest = await fetch(`${registry.url}/v2/library/nginx/manifests/latest`, { method: 'HEAD', headers: { Accept: MANIFEST_V2 } });
    const otherTag = await fetch(`${registry.url}/v2/library/nginx/manifests/1.26`, { method: 'HEAD', headers: { Accept: MANIFEST_V2 } });
    assert.equal(otherTag.status, 200);
    assert.equal(otherTag.headers.get('docker-content-digest'), latest.headers.get('docker-content-digest'));
    const missingRepo = await fetch(`${registry.url}/v2/library/no-such-image/manifests/1.0`, { headers: { Accept: MANIFEST_V2 } });
    assert.equal(missingRepo.status, 404);
  });

  (which('containerd') ? describe : describe.skip)('pulled and run by containerd through CRI', () => {
    let stateDir = '';
    let containerd: TestContainerd | undefined;
    let cri: CRIClient;
    let sandboxId = '';
    let podIP = '';
    let sandboxConfig: PodSandboxConfig__Input;
    const ids: Record<string, string> = {};

    beforeAll(async () => {
      // A bridge left by a killed run would carry that run's pods at the very addresses ours get.
      let leftover = true;
      try {
        execFileSync('ip', ['link', 'show', BRIDGE], { stdio: 'ignore' });
      } catch {
        leftover = false;
      }
      if (leftover)
        throw new Error(
          `bridge ${BRIDGE} exists: a killed earlier run left pods behind; stop its containerd (state dir /tmp/timonel-images-cri-*) and delete the bridge`,
        );
      containerd = await startTestContainerd({
        tmpPrefix: '/tmp/timonel-images-cri-',
        registryMirror: registry.url,
        network: { bridge: BRIDGE, subnet: `${SUBNET_PREFIX}0/24` },
      });
      ({ stateDir, cri } = containerd);
    });

    afterAll(async () => {
      await containerd?.stop();
    });

    it('PullImage of every example image gives the image whose config the registry serves', async () => {
      for (const image of exampleImages()) {
        const { imageRef } = await cri.image.pullImage({ image: { image } });
        const ref = normalizeImageReference(image);
        const at = ref.lastIndexOf(':');
        const repo = ref.slice(ref.indexOf('/') + 1, at);
        const res = await fetch(`${registry.url}/v2/${repo}/manifests/${ref.slice(at + 1)}`, { headers: { Accept: MANIFEST_V2 } });
        const m = (await res.json()) as Manifest;
        assert.equal(imageRef, m.config.digest, `${image}: containerd's image id is the config digest`);
      }
    });

    it('a pod with nginx, redis and busybox runs on the pause sandbox image', async () => {
      const uid = 'images-e2e-0001';
      sandboxConfig = {
        metadata: { name: 'images-e2e', namespace: 'default', uid, attempt: 0 },
        hostname: 'images-e2e',
        logDirectory: join(stateDir, 'pods', uid),
        linux: { securityContext: { namespaceOptions: { network: 'POD', pid: 'CONTAINER', ipc: 'POD' } } },
      };
      mkdirSync(sandboxConfig.logDirectory as string, { recursive: true });
      const redisConfDir = join(stateDir, 'redis-config');
      mkdirSync(redisConfDir);
      writeFileSync(join(redisConfDir, 'redis.conf'), 'maxmemory 2mb\nmaxmemory-policy allkeys-lru\n');
      ({ podSandboxId: sandboxId } = await cri.runtime.runPodSandbox({ config: sandboxConfig, runtimeHandler: '' }));
      const st = await cri.runtime.podSandboxStatus({ podSandboxId: sandboxId });
      assert.equal(st.status?.state, 'SANDBOX_READY');
      podIP = st.status?.network?.ip ?? '';
      assert.ok(podIP.startsWith(SUBNET_PREFIX), podIP);

      const containers: [string, string, Partial<ContainerConfig__Input>][] = [
        ['nginx', 'nginx:1.14.2', {}],
        // As pods/config/redis-pod.yaml: only `args`, a config file from a volume.
        [
          'redis',
          'redis:5',
          { args: ['/usr/local/etc/redis/redis.conf'], mounts: [{ containerPath: '/usr/local/etc/redis', hostPath: redisConfDir, readonly: true }] },
        ],
        ['shell', 'busybox', { command: ['sh', '-c', 'echo started; exec sleep 3600'] }],
      ];
      for (const [name, image, extra] of containers) {
        const { containerId } = await cri.runtime.createContainer({
          podSandboxId: sandboxId,
          sandboxConfig,
          config: {
            metadata: { name, attempt: 0 },
            image: { image },
            logPath: `${name}.log`,
            // As the kubelet does without shareProcessNamespace: the image's command is PID 1.
            linux: { securityContext: { namespaceOptions: { network: 'POD', pid: 'CONTAINER', ipc: 'POD' } } },
            ...extra,
          },
        });
        await cri.runtime.startContainer({ containerId });
        ids[name] = containerId;
      }
      for (const id of Object.values(ids)) assert.equal((await cri.runtime.containerStatus({ containerId: id })).status?.state, 'CONTAINER_RUNNING');
    });

    it('nginx serves its welcome page on port 80 and logs the request to stdout', async () => {
      const log = join(sandboxConfig.logDirectory as string, 'nginx.log');
      /** Waits (up to 20 s on a busy machine) for the container log to match. */
      const logMatching = async (re: RegExp): Promise<string> => {
        let lines = '';
        for (let i = 0; i < 200 && !re.test(lines); i++) {
          await new Promise((r) => setTimeout(r, 100));
          lines = readFileSync(log, 'utf8');
        }
        return lines;
      };
      let body = '';
      for (let i = 0; i < 100 && !body; i++) {
        body = await fetch(`http://${podIP}/`)
          .then((r) => r.text())
          .catch(() => '');
        if (!body) await new Promise((r) => setTimeout(r, 100));
      }
      assert.match(body, /<title>Welcome to nginx!<\/title>/);
      const access = /^\S+ stdout F \d+\.\d+\.\d+\.\d+ - - \[.*\] "GET \/ HTTP\/1\.1" 200 /m;
      const lines = await logMatching(access);
      if (!access.test(lines)) {
        const fds = await cri.runtime.execSync({ containerId: ids.nginx, cmd: ['sh', '-c', 'ls -l /proc/[0-9]*/fd/1 /var/log/nginx; ps'], timeout: 10 });
        assert.fail(`no access log line on stdout:\n${lines}\n${fds.stdout.toString()}${fds.stderr.toString()}`);
      }
      // The error log goes to stderr.
      assert.equal((await fetch(`http://${podIP}/no-such-page`)).status, 404);
      assert.match(await logMatching(/stderr F .*no-such-page/), /^\S+ stderr F .*open\(\) "\/usr\/share\/nginx\/html\/no-such-page" failed/m);
      const top = await cri.runtime.execSync({ containerId: ids.nginx, cmd: ['cat', '/proc/1/cmdline'], timeout: 10 });
      assert.equal(top.stdout.toString().replace(/\0/g, ' ').trim(), 'nginx: master process nginx -g daemon off;');
    });

    it('redis-server started with only a config-file arg answers PING from outside the pod (protected mode off as on Docker Hub)', async () => {
      const reply = await new Promise<string>((resolve, reject) => {
        const s = connect(6379, podIP, () => s.write('PING\r\n'));
        s.once('data', (d) => {
          resolve(d.toString());
          s.end();
        });
        s.once('error', reject);
        s.setTimeout(5000, () => reject(new Error('redis did not answer')));
      });
      assert.equal(reply, '+PONG\r\n');
      const r = await cri.runtime.execSync({
        containerId: ids.redis,
        cmd: ['sh', '-c', 'redis-cli set k v >/dev/null && redis-cli get k && redis-cli config get maxmemory && pwd && cat /proc/1/comm'],
        timeout: 10,
      });
      // The entrypoint and the protected-mode wrapper exec, so redis-server itself is PID 1 and gets the stop signal.
      assert.equal(r.stdout.toString(), 'v\nmaxmemory\n2097152\n/data\nredis-server\n', 'the config file given as the only arg is in effect');
    });

    it('busybox has the usual applets: sleep, sh -c, wget, nslookup, cat, echo, hostname', async () => {
      const r = await cri.runtime.execSync({
        containerId: ids.shell,
        cmd: ['sh', '-c', 'echo hi; hostname; cat /etc/hostname; wget -q -O- http://127.0.0.1/ | grep -c "Welcome to nginx"; which nslookup sleep; id -un'],
        timeout: 10,
      });
      assert.equal(r.exitCode, 0, r.stderr.toString());
      assert.equal(r.stdout.toString(), 'hi\nimages-e2e\nimages-e2e\n2\n/usr/bin/nslookup\n/bin/sleep\nroot\n');
    });

    it("busybox's own wget -T 5 fetches a served URL, and gives up within about 6 s on an address that drops packets", async () => {
      const ok = await cri.runtime.execSync({ containerId: ids.shell, cmd: ['wget', '-T', '5', '-q', '-O-', 'http://127.0.0.1/'], timeout: 10 });
      assert.equal(ok.exitCode, 0, ok.stderr.toString());
      assert.match(ok.stdout.toString(), /Welcome to nginx!/);
      const applet = await cri.runtime.execSync({ containerId: ids.shell, cmd: ['readlink', '/usr/bin/wget'], timeout: 10 });
      assert.equal(applet.stdout.toString().trim(), '/bin/busybox', 'busybox wget itself, not a wrapper');
      // The host's address on the pod bridge, one port dropped in the host's INPUT chain: no answer, no RST.
      const gateway = `${SUBNET_PREFIX}1`;
      const rule = ['INPUT', '-d', gateway, '-p', 'tcp', '--dport', '9', '-j', 'DROP'];
      execFileSync('iptables', ['-w', '-I', ...rule]);
      try {
        const started = Date.now();
        const dropped = await cri.runtime.execSync({ containerId: ids.shell, cmd: ['wget', '-T', '5', '-q', '-O-', `http://${gateway}:9/`], timeout: 30 });
        const seconds = (Date.now() - started) / 1000;
        assert.equal(dropped.exitCode, 1, dropped.stderr.toString());
        assert.match(dropped.stderr.toString(), /timed out/);
        assert.ok(seconds >= 4.5 && seconds < 7, `gave up after ${seconds} s`);
      } finally {
        execFileSync('iptables', ['-w', '-D', ...rule]);
      }
    });

    it('nginx stops gracefully on its image StopSignal (SIGQUIT): exit code 0', async () => {
      await cri.runtime.stopContainer({ containerId: ids.nginx, timeout: 10 });
      const { status } = await cri.runtime.containerStatus({ containerId: ids.nginx });
      assert.equal(status?.state, 'CONTAINER_EXITED');
      assert.equal(status?.exitCode, 0);
      await cri.runtime.stopPodSandbox({ podSandboxId: sandboxId });
      await cri.runtime.removePodSandbox({ podSandboxId: sandboxId });
      assert.deepEqual((await cri.runtime.listPodSandbox({})).items, []);
    });

    it('postgres, httpd, prometheus, node-exporter and vmagent start as their upstream images do and answer on their ports', async () => {
      const uid = 'images-e2e-0002';
      const config: PodSandboxConfig__Input = {
        metadata: { name: 'images-e2e-2', namespace: 'default', uid, attempt: 0 },
        hostname: 'images-e2e-2',
        logDirectory: join(stateDir, 'pods', uid),
        linux: { securityContext: { namespaceOptions: { network: 'POD', pid: 'CONTAINER', ipc: 'POD' } } },
      };
      mkdirSync(config.logDirectory as string, { recursive: true });
      const { podSandboxId } = await cri.runtime.runPodSandbox({ config, runtimeHandler: '' });
      const ip = (await cri.runtime.podSandboxStatus({ podSandboxId })).status?.network?.ip ?? '';
      const containers: [string, string, Partial<ContainerConfig__Input>][] = [
        [
          'postgres',
          'postgres:16',
          {
            envs: [
              { key: 'POSTGRES_PASSWORD', value: "s3cr'et" },
              { key: 'POSTGRES_USER', value: 'app' },
              { key: 'POSTGRES_DB', value: 'appdb' },
              { key: 'PGDATA', value: '/var/lib/postgresql/data/pgdata' },
            ],
          },
        ],
        ['httpd', 'httpd:2.4', {}],
        ['prometheus', 'prom/prometheus:v2.45.0', {}],
        ['node-exporter', 'quay.io/prometheus/node-exporter:latest', {}],
        ['vmagent', 'victoriametrics/vmagent:v1.93.0', { args: ['-remoteWrite.url=http://127.0.0.1:1/api/v1/write'] }],
      ];
      const ids2: Record<string, string> = {};
      for (const [name, image, extra] of containers) {
        // Tags the catalogue never pushed (postgres:16 is, v2.45.0 is not): the registry answers them with the build.
        await cri.image.pullImage({ image: { image } });
        const { containerId } = await cri.runtime.createContainer({
          podSandboxId,
          sandboxConfig: config,
          config: {
            metadata: { name, attempt: 0 },
            image: { image },
            logPath: `${name}.log`,
            linux: { securityContext: { namespaceOptions: { network: 'POD', pid: 'CONTAINER', ipc: 'POD' } } },
            ...extra,
          },
        });
        await cri.runtime.startContainer({ containerId });
        ids2[name] = containerId;
      }
      const answers = async (url: string, re: RegExp) => {
        let last = '';
        for (let i = 0; i < 120; i++) {
          last = await fetch(url, { signal: AbortSignal.timeout(2000) })
            .then((r) => r.text())
            .catch((e: Error) => e.message);
          if (re.test(last)) return;
          await new Promise((r) => setTimeout(r, 500));
        }
        assert.fail(`${url}: ${last.slice(0, 300)}`);
      };
      await answers(`http://${ip}/`, /<h1>It works!<\/h1>/);
      await answers(`http://${ip}:9090/-/ready`, /Prometheus (Server )?is Ready/);
      await answers(`http://${ip}:9100/metrics`, /^node_cpu_seconds_total/m);
      await answers(`http://${ip}:8429/metrics`, /^vmagent_remotewrite_/m);
      // POSTGRES_USER with POSTGRES_PASSWORD over TCP to the pod's address (scram; 127.0.0.1 is trusted, as on Docker Hub),
      // into POSTGRES_DB, with PGDATA where it was asked.
      let out = '';
      for (let i = 0; i < 60; i++) {
        const r = await cri.runtime.execSync({
          containerId: ids2.postgres,
          cmd: [
            'sh',
            '-c',
            `PGPASSWORD="s3cr'et" psql -h ${ip} -U app -d appdb -tAc 'select current_user, current_database()' && ls /var/lib/postgresql/data/pgdata/PG_VERSION`,
          ],
          timeout: 10,
        });
        out = r.stdout.toString() + r.stderr.toString();
        if (r.exitCode === 0) break;
        await new Promise((res) => setTimeout(res, 1000));
      }
      assert.equal(out, 'app|appdb\n/var/lib/postgresql/data/pgdata/PG_VERSION\n');
      const wrong = await cri.runtime.execSync({
        containerId: ids2.postgres,
        cmd: ['sh', '-c', `PGPASSWORD=nope psql -h ${ip} -U app -d appdb -c "select 1"`],
        timeout: 10,
      });
      assert.match(wrong.stderr.toString(), /password authentication failed for user "app"/);
      await cri.runtime.stopPodSandbox({ podSandboxId });
      await cri.runtime.removePodSandbox({ podSandboxId });
    });
  });
});
