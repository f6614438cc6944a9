// The CRI client against a real containerd started from Timonel's own config:
// images pulled through the registry mirror, a pod sandbox on a CNI bridge, a
// busybox container that runs, execs, logs in the CRI format and is torn down.
import { afterAll, beforeAll, describe, it, jest } from '@jest/globals';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { CRIClient, GrpcStatus, grpcCode, type PodSandboxConfig__Input } from '../../pkg/cri/client.js';
import { mountsUnder, type ContainerdPaths } from '../../pkg/cluster/containerd.js';
import { freePort, which } from '../../pkg/cluster/process.js';
import { startRegistry, type RunningRegistry } from '../../pkg/cluster/registry.js';
import { startTestContainerd, type TestContainerd } from '../support/containerd.js';

const BRIDGE = 'tmnl-cri0';
const SUBNET_PREFIX = '10.244.201.';
const BUSYBOX = 'docker.io/library/busybox:1.36';
const PAUSE = 'registry.k8s.io/pause:3.9';

const skip = which('containerd') ? false : 'containerd is not installed (Debian package containerd); skipping the CRI e2e test';

/**
 * A one-layer image made from the host's static busybox, pushed to the
 * registry with skopeo. Same layer for busybox and pause; only the config differs.
 */
function pushBusyboxImage(registry: RunningRegistry, workDir: string, repoTag: string, config: Record<string, unknown>): void {
  const stage = join(workDir, 'rootfs');
  if (!existsSync(stage)) {
    mkdirSync(join(stage, 'bin'), { recursive: true });
    for (const d of ['etc', 'tmp', 'proc', 'sys', 'dev']) mkdirSync(join(stage, d));
    copyFileSync('/bin/busybox', join(stage, 'bin', 'busybox'));
    for (const tool of ['sh', 'sleep', 'cat', 'echo', 'ip', 'hostname', 'ls']) symlinkSync('busybox', join(stage, 'bin', tool));
    execFileSync('tar', ['--owner=0', '--group=0', '--numeric-owner', '-C', stage, '-cf', join(workDir, 'layer.tar'), '.']);
  }
  const layerDigest =
    'sha256:' +
    createHash('sha256')
      .update(readFileSync(join(workDir, 'layer.tar')))
      .digest('hex');
  const archive = join(workDir, `${repoTag.replace(/[/:]/g, '_')}.tar`);
  const dir = mkdtempSync(join(workDir, 'img-'));
  writeFileSync(
    join(dir, 'config.json'),
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], ...config },
      rootfs: { type: 'layers', diff_ids: [layerDigest] },
    }),
  );
  copyFileSync(join(workDir, 'layer.tar'), join(dir, 'layer.tar'));
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify([{ Config: 'config.json', RepoTags: [repoTag], Layers: ['layer.tar'] }]));
  execFileSync('tar', ['-C', dir, '-cf', archive, 'config.json', 'layer.tar', 'manifest.json']);
  // busybox and pause are catalogue repositories: only the catalogue's builder may write their tags.
  const { username, password } = registry.credentials.catalogue;
  const dest = ['--dest-tls-verify=false', '--dest-creds', `${username}:${password}`];
  execFileSync('skopeo', ['copy', '--quiet', ...dest, `docker-archive:${archive}`, `docker://${registry.addr}/${repoTag}`], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
}

jest.setTimeout(180_000);
(skip ? describe.skip : describe)('CRI against a real containerd', () => {
  let stateDir = '';
  let paths: ContainerdPaths;
  let registry: RunningRegistry | undefined;
  let containerd: TestContainerd | undefined;
  let cri: CRIClient;
  let sandboxId = '';
  let containerId = '';
  let sandboxConfig: PodSandboxConfig__Input;

  beforeAll(async () => {
    stateDir = mkdtempSync('/tmp/timonel-cri-e2e-');
    const port = await freePort();
    registry = await startRegistry(join(stateDir, 'registry-cache'), port);
    const work = join(stateDir, 'image-build');
    mkdirSync(work);
    pushBusyboxImage(registry, work, 'library/busybox:1.36', { Cmd: ['sh'] });
    // Sandboxes get SIGKILL on stop, so a plain long sleep is enough of a pause.
    pushBusyboxImage(registry, work, 'pause:3.9', { Entrypoint: ['/bin/sleep', 'infinity'] });

    containerd = await startTestContainerd({ stateDir, registryMirror: registry.url, network: { bridge: BRIDGE, subnet: `${SUBNET_PREFIX}0/24` } });
    ({ paths, cri } = containerd);
  });

  afterAll(async () => {
    // The registry serves from the state dir: stopped first, before stop() removes the dir.
    await registry?.stop();
    if (containerd) await containerd.stop();
    else if (stateDir) rmSync(stateDir, { recursive: true, force: true });
  });

  it('Version answers runtime.v1', async () => {
    const v = await cri.runtime.version({ version: 'v1' });
    assert.equal(v.runtimeApiVersion, 'v1');
    assert.equal(v.runtimeName, 'containerd');
    assert.ok(v.runtimeVersion.length > 0);
  });

  it('Status reports RuntimeReady and NetworkReady', async () => {
    const s = await cri.runtime.status({});
    const conds = Object.fromEntries((s.status?.conditions ?? []).map((c) => [c.type, c.status]));
    assert.deepEqual(conds, { RuntimeReady: true, NetworkReady: true });
  });

  it('PullImage goes through the registry mirror for docker.io and registry.k8s.io', async () => {
    const before = await cri.image.imageStatus({ image: { image: BUSYBOX } });
    assert.equal(before.image, null, 'image should not be present before the pull');
    const { imageRef } = await cri.image.pullImage({ image: { image: BUSYBOX } });
    assert.match(imageRef, /^sha256:[0-9a-f]{64}$/);
    await cri.image.pullImage({ image: { image: PAUSE } });
    const status = await cri.image.imageStatus({ image: { image: BUSYBOX } });
    assert.equal(status.image?.id, imageRef);
    assert.ok(status.image?.repoTags.includes(BUSYBOX), JSON.stringify(status.image?.repoTags));
    assert.ok((status.image?.size ?? 0) > 0);
    const { images } = await cri.image.listImages({});
    assert.ok(images.some((i) => i.repoTags.includes(PAUSE)));
    const fs = await cri.image.imageFsInfo({});
    assert.ok(fs.imageFilesystems[0]?.fsId?.mountpoint.startsWith(paths.root));
  });

  it('PullImage of an image the mirror lacks fails with "not found", without trying the real registry', async () => {
    await assert.rejects(cri.image.pullImage({ image: { image: 'docker.io/library/does-not-exist:1' } }, { timeoutMs: 30_000 }), (e: unknown) => {
      const msg = String((e as { details?: unknown }).details);
      assert.match(msg, /not found/);
      assert.doesNotMatch(msg, /registry-1\.docker\.io/);
      return true;
    });
  });

  it('RunPodSandbox gives the pod an IP on the CNI bridge, netns under our state dir', async () => {
    const uid = '0f7b6c1e-cri-e2e';
    sandboxConfig = {
      metadata: { name: 'cri-e2e', namespace: 'default', uid, attempt: 0 },
      hostname: 'cri-e2e-pod',
      logDirectory: join(stateDir, 'pods', `default_cri-e2e_${uid}`),
      dnsConfig: { servers: ['10.96.0.10'], searches: ['default.svc.cluster.local'], options: ['ndots:5'] },
      labels: { 'io.kubernetes.pod.name': 'cri-e2e', 'io.kubernetes.pod.namespace': 'default', 'io.kubernetes.pod.uid': uid },
      annotations: { 'timonel.test/sandbox': 'yes' },
      linux: { cgroupParent: '', securityContext: { namespaceOptions: { network: 'POD', pid: 'CONTAINER', ipc: 'POD' } } },
    };
    mkdirSync(sandboxConfig.logDirectory as string, { recursive: true });
    ({ podSandboxId: sandboxId } = await cri.runtime.runPodSandbox({ config: sandboxConfig, runtimeHandler: '' }));
    assert.ok(sandboxId);
    const st = await cri.runtime.podSandboxStatus({ podSandboxId: sandboxId, verbose: true });
    assert.equal(st.status?.state, 'SANDBOX_READY');
    assert.ok(st.status?.network?.ip.startsWith(SUBNET_PREFIX), `pod IP ${st.status?.network?.ip}`);
    assert.equal(st.status?.annotations['timonel.test/sandbox'], 'yes');
    assert.equal(st.status?.metadata?.uid, uid);
    assert.ok((st.status?.createdAt ?? 0) > 1e18, 'createdAt is in nanoseconds');
    // containerd's verbose info carries the sandbox's OCI spec; its network namespace path must be ours.
    const info = JSON.parse(st.info.info ?? '{}') as { runtimeSpec?: { linux?: { namespaces?: { type: string; path?: string }[] } } };
    const netns = info.runtimeSpec?.linux?.namespaces?.find((n) => n.type === 'network')?.path;
    assert.ok(netns?.startsWith(paths.state), `netns at ${netns}`);
    const { items } = await cri.runtime.listPodSandbox({ filter: { labelSelector: { 'io.kubernetes.pod.uid': uid } } });
    assert.deepEqual(
      items.map((i) => i.id),
      [sandboxId],
    );
  });

  it('CreateContainer + StartContainer runs busybox; ContainerStatus says running', async () => {
    const created = await cri.runtime.createContainer({
      podSandboxId: sandboxId,
      sandboxConfig,
      config: {
        metadata: { name: 'sleeper', attempt: 0 },
        image: { image: BUSYBOX },
        command: ['sh', '-c'],
        args: ['echo hello-out; echo hello-err >&2; exec sleep 3600'],
        envs: [{ key: 'GREETING', value: 'hi from env' }],
        workingDir: '/tmp',
        labels: { 'io.kubernetes.container.name': 'sleeper' },
        annotations: { 'timonel.test/container': 'yes' },
        logPath: 'sleeper/0.log',
        linux: {
          resources: { cpuShares: 256, cpuPeriod: 100000, cpuQuota: 50000, memoryLimitInBytes: 64 * 1024 * 1024, oomScoreAdj: 1000 },
          securityContext: { namespaceOptions: { network: 'POD', pid: 'CONTAINER', ipc: 'POD' } },
        },
      },
    });
    containerId = created.containerId;
    await cri.runtime.startContainer({ containerId });
    const { status } = await cri.runtime.containerStatus({ containerId });
    assert.ok(status);
    assert.equal(status.state, 'CONTAINER_RUNNING');
    assert.ok(status.startedAt > 0 && status.startedAt >= status.createdAt);
    assert.equal(status.finishedAt, 0);
    assert.equal(status.metadata?.name, 'sleeper');
    assert.equal(status.annotations['timonel.test/container'], 'yes');
    assert.equal(status.labels['io.kubernetes.container.name'], 'sleeper');
    assert.equal(status.logPath, join(sandboxConfig.logDirectory as string, 'sleeper/0.log'));
    assert.match(status.imageRef, /sha256:[0-9a-f]{64}/);
    const list = await cri.runtime.listContainers({ filter: { podSandboxId: sandboxId, state: { state: 'CONTAINER_RUNNING' } } });
    assert.deepEqual(
      list.containers.map((c) => c.id),
      [containerId],
    );
  });

  it('ExecSync runs commands in the container (hostname, env, limits, exit codes)', async () => {
    const host = await cri.runtime.execSync({ containerId, cmd: ['cat', '/etc/hostname'], timeout: 10 });
    assert.equal(host.exitCode, 0);
    assert.ok(Buffer.isBuffer(host.stdout));
    assert.equal(host.stdout.toString().trim(), 'cri-e2e-pod');
    const env = await cri.runtime.execSync({ containerId, cmd: ['sh', '-c', 'echo "$GREETING"; pwd; cat /etc/resolv.conf'], timeout: 10 });
    const [greeting, cwd, ...resolv] = env.stdout.toString().trim().split('\n');
    assert.equal(greeting, 'hi from env');
    assert.equal(cwd, '/tmp');
    assert.ok(resolv.includes('nameserver 10.96.0.10'), resolv.join('|'));
    const fail = await cri.runtime.execSync({ containerId, cmd: ['sh', '-c', 'echo oops >&2; exit 3'], timeout: 10 });
    assert.equal(fail.exitCode, 3);
    assert.equal(fail.stderr.toString().trim(), 'oops');
    const ip = await cri.runtime.execSync({ containerId, cmd: ['ip', '-4', 'addr'], timeout: 10 });
    assert.match(ip.stdout.toString(), /inet 127\.0\.0\.1\//);
    assert.match(ip.stdout.toString(), new RegExp(`inet ${SUBNET_PREFIX.replace(/\./g, '\\.')}\\d+/24`));
  });

  it('the container log file is in the CRI log format', async () => {
    const file = join(sandboxConfig.logDirectory as string, 'sleeper/0.log');
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    const parsed = lines.map((l) => /^(\d{4}-\d\d-\d\dT[\d:.]+(?:Z|[+-]\d\d:\d\d)) (stdout|stderr) ([FP]) (.*)$/.exec(l));
    assert.ok(parsed.every(Boolean), `not CRI format:\n${lines.join('\n')}`);
    const entries = parsed.map((m) => ({ stream: m![2], tag: m![3], msg: m![4] }));
    assert.ok(entries.some((e) => e.stream === 'stdout' && e.tag === 'F' && e.msg === 'hello-out'));
    assert.ok(entries.some((e) => e.stream === 'stderr' && e.tag === 'F' && e.msg === 'hello-err'));
  });

  it('streaming endpoints, stats and resources are served', async () => {
    const exec = await cri.runtime.exec({ containerId, cmd: ['sh'], stdin: true, stdout: true, tty: true });
    assert.match(exec.url, /^http:\/\/127\.0\.0\.1:\d+\/exec\//);
    const attach = await cri.runtime.attach({ containerId, stdout: true, stderr: true });
    assert.match(attach.url, /^http:\/\/127\.0\.0\.1:\d+\/attach\//);
    const pf = await cri.runtime.portForward({ podSandboxId: sandboxId, port: [80] });
    assert.match(pf.url, /^http:\/\/127\.0\.0\.1:\d+\/portforward\//);
    const { stats } = await cri.runtime.containerStats({ containerId });
    assert.equal(stats?.attributes?.id, containerId);
    assert.ok((stats?.memory?.workingSetBytes?.value ?? 0) > 0);
    const all = await cri.runtime.listContainerStats({ filter: { podSandboxId: sandboxId } });
    assert.deepEqual(
      all.stats.map((s) => s.attributes?.id),
      [containerId],
    );
    const { status } = await cri.runtime.containerStatus({ containerId });
    assert.equal(status?.resources?.linux?.memoryLimitInBytes, 64 * 1024 * 1024);
    assert.equal(status?.resources?.linux?.cpuQuota, 50000);
  });

  it('errors are gRPC status codes (NOT_FOUND for an unknown container)', async () => {
    const err = await cri.runtime.containerStatus({ containerId: 'no-such-container' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.equal(grpcCode(err), GrpcStatus.NOT_FOUND);
  });

  it('StopContainer, RemoveContainer, StopPodSandbox, RemovePodSandbox leave nothing behind', async () => {
    await cri.runtime.stopContainer({ containerId, timeout: 1 });
    const { status } = await cri.runtime.containerStatus({ containerId });
    assert.equal(status?.state, 'CONTAINER_EXITED');
    assert.ok((status?.finishedAt ?? 0) > 0);
    assert.equal(status?.exitCode, 137, 'sleep as PID 1 ignores SIGTERM, so it is killed after the grace period');
    await cri.runtime.removeContainer({ containerId });
    await assert.rejects(cri.runtime.containerStatus({ containerId }), (e: unknown) => grpcCode(e) === GrpcStatus.NOT_FOUND);
    await cri.runtime.stopPodSandbox({ podSandboxId: sandboxId });
    const st = await cri.runtime.podSandboxStatus({ podSandboxId: sandboxId });
    assert.equal(st.status?.state, 'SANDBOX_NOTREADY');
    await cri.runtime.removePodSandbox({ podSandboxId: sandboxId });
    assert.deepEqual((await cri.runtime.listContainers({})).containers, []);
    assert.deepEqual((await cri.runtime.listPodSandbox({})).items, []);
    // Sandbox mounts (shm, netns, rootfs) are gone once the pod is removed.
    assert.deepEqual(mountsUnder(paths.state), []);
  });

  it('RemoveImage removes the image', async () => {
    await cri.image.removeImage({ image: { image: BUSYBOX } });
    assert.equal((await cri.image.imageStatus({ image: { image: BUSYBOX } })).image, null);
  });
});
