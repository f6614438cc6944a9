// The volume manager on a real filesystem: pod directories with upstream's
// plugin names, real tmpfs mounts for memory-backed volumes (needs root), the
// atomic writer's ..data swap, subPath safety, and tear-down. Everything lives
// in one temporary directory that is unmounted and removed at the end.
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statfsSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VolumeManager, VolumeMountError, writeAtomically, type VolumeLookup } from '../../pkg/kubelet/volumes/index.js';
import { mountsUnder } from '../../pkg/kubelet/volumes/mount.js';
import type { ConfigMap, Container, PersistentVolume, PersistentVolumeClaim, Pod, Secret } from '../../api/core/v1/types.js';

const isRoot = process.getuid?.() === 0;
let root = '';

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'timonel-volumes-'));
});
afterAll(async () => {
  // Whatever a failed test left mounted goes before the directory does.
  for (const m of await mountsUnder(root)) execFileSync('umount', [m]);
  rmSync(root, { recursive: true, force: true });
});

const b64 = (s: string) => Buffer.from(s).toString('base64');
// A directory's names in an array of the test's realm: jest runs tests in a vm context, and
// deepEqual tells its arrays from the ones Node's fs makes.
const names = (dir: string) => [...readdirSync(dir)];

class FakeLookup implements VolumeLookup {
  configMaps = new Map<string, ConfigMap>();
  secrets = new Map<string, Secret>();
  claims = new Map<string, PersistentVolumeClaim>();
  volumes = new Map<string, PersistentVolume>();
  async configMap(ns: string, name: string) {
    return this.configMaps.get(`${ns}/${name}`);
  }
  async secret(ns: string, name: string) {
    return this.secrets.get(`${ns}/${name}`);
  }
  async persistentVolumeClaim(ns: string, name: string) {
    return this.claims.get(`${ns}/${name}`);
  }
  async persistentVolume(name: string) {
    return this.volumes.get(name);
  }
}

let seq = 0;
function pod(volumes: Array<{ name: string; [k: string]: unknown }>, containers: Container[] = [{ name: 'app' }]): Pod {
  seq++;
  return {
    metadata: { name: `p${seq}`, namespace: 'ns', uid: `uid-${seq}`, labels: { app: 'web' }, annotations: { a: '1' } },
    spec: { containers, volumes },
  };
}

function manager(lookup = new FakeLookup(), extra: Partial<ConstructorParameters<typeof VolumeManager>[0]> = {}) {
  const events: string[] = [];
  const vm = new VolumeManager({
    podsDir: join(root, 'pods'),
    lookup,
    recordEvent: (_p, type, reason, msg) => events.push(`${type} ${reason} ${msg}`),
    ...extra,
  });
  return { vm, lookup, events };
}

const mode = (p: string) => statSync(p).mode & 0o7777;

describe('writeAtomically', () => {
  it('publishes files through ..data and per-name symlinks, swaps versions and drops removed names', async () => {
    const dir = join(root, 'atomic');
    mkdirSync(dir);
    const f = (s: string, m = 0o644) => ({ data: Buffer.from(s), mode: m });
    assert.equal(
      await writeAtomically(
        dir,
        new Map([
          ['a', f('1')],
          ['sub/b', f('2', 0o600)],
        ]),
      ),
      true,
    );
    const v1 = readlinkSync(join(dir, '..data'));
    assert.match(v1, /^\.\.\d{4}_\d{2}_\d{2}_\d{2}_\d{2}_\d{2}\.\d+$/);
    assert.equal(readlinkSync(join(dir, 'a')), '..data/a');
    assert.equal(readlinkSync(join(dir, 'sub')), '..data/sub');
    assert.equal(readFileSync(join(dir, 'sub/b'), 'utf8'), '2');
    assert.equal(mode(join(dir, 'sub/b')), 0o600);
    // Unchanged payload: nothing written.
    assert.equal(
      await writeAtomically(
        dir,
        new Map([
          ['a', f('1')],
          ['sub/b', f('2', 0o600)],
        ]),
      ),
      false,
    );
    assert.equal(readlinkSync(join(dir, '..data')), v1);
    // New version: old directory and the dropped name go.
    assert.equal(await writeAtomically(dir, new Map([['a', f('one')]])), true);
    assert.notEqual(readlinkSync(join(dir, '..data')), v1);
    assert.equal(readFileSync(join(dir, 'a'), 'utf8'), 'one');
    assert.deepEqual(names(dir).sort(), ['..data', readlinkSync(join(dir, '..data')), 'a'].sort());
  });

  it('rejects absolute paths, .. elements and names starting with ..', async () => {
    const dir = join(root, 'atomic-bad');
    mkdirSync(dir);
    const f = { data: Buffer.from(''), mode: 0o644 };
    await assert.rejects(writeAtomically(dir, new Map([['/etc/x', f]])), { message: 'invalid path: must be relative path: /etc/x' });
    await assert.rejects(writeAtomically(dir, new Map([['a/../../x', f]])), { message: "invalid path: must not contain '..': a/../../x" });
    await assert.rejects(writeAtomically(dir, new Map([['..data', f]])), { message: "invalid path: must not start with '..': ..data" });
  });
});

// Needs root for tmpfs mounts.
(isRoot ? describe : describe.skip)('VolumeManager', () => {
  it('creates emptyDir on disk (0777) and as tmpfs sized by sizeLimit, under upstream plugin directories', async () => {
    const { vm } = manager();
    const p = pod([
      { name: 'cache', emptyDir: {} },
      { name: 'shm', emptyDir: { medium: 'Memory', sizeLimit: '16Mi' } },
    ]);
    await vm.setUp(p);
    const disk = join(root, 'pods', p.metadata.uid!, 'volumes', 'kubernetes.io~empty-dir', 'cache');
    const mem = join(root, 'pods', p.metadata.uid!, 'volumes', 'kubernetes.io~empty-dir', 'shm');
    assert.equal(mode(disk), 0o777);
    assert.deepEqual(await mountsUnder(disk), []);
    assert.deepEqual(await mountsUnder(mem), [mem]);
    const fs = statfsSync(mem);
    assert.equal(fs.blocks * fs.bsize, 16 * 1024 * 1024);
    writeFileSync(join(disk, 'kept'), 'x');
    // Idempotent: set-up again mounts nothing twice and keeps the data.
    await vm.setUp(p);
    assert.equal((await mountsUnder(mem)).length, 1);
    assert.equal(readFileSync(join(disk, 'kept'), 'utf8'), 'x');
    await vm.tearDown(p.metadata.uid!);
    assert.deepEqual(await mountsUnder(join(root, 'pods', p.metadata.uid!)), []);
    assert.equal(existsSync(join(root, 'pods', p.metadata.uid!, 'volumes')), false);
    await vm.tearDown(p.metadata.uid!); // again: nothing left, no error
  });

  it('sizes memory volumes by the pod memory limit when smaller than sizeLimit', async () => {
    const { vm } = manager(undefined, { nodeAllocatable: { memory: '1Gi' } });
    const p = pod([{ name: 'shm', emptyDir: { medium: 'Memory', sizeLimit: '64Mi' } }], [{ name: 'app', resources: { limits: { memory: '32Mi' } } }]);
    await vm.setUp(p);
    const fs = statfsSync(join(vm.podDir(p.metadata.uid!), 'volumes', 'kubernetes.io~empty-dir', 'shm'));
    assert.equal(fs.blocks * fs.bsize, 32 * 1024 * 1024);
    await vm.tearDown(p.metadata.uid!);
  });

  it('projects ConfigMaps (items, modes, binaryData) and rewrites them atomically on refresh', async () => {
    const { vm, lookup } = manager();
    lookup.configMaps.set('ns/cfg', {
      metadata: { name: 'cfg', namespace: 'ns' },
      data: { 'app.conf': 'v=1', other: 'o' },
      binaryData: { 'logo.bin': b64('\x00\x01') },
    });
    const p = pod([
      { name: 'all', configMap: { name: 'cfg', defaultMode: 0o640 } },
      { name: 'some', configMap: { name: 'cfg', items: [{ key: 'app.conf', path: 'conf/app.conf', mode: 0o600 }] } },
    ]);
    await vm.setUp(p);
    const all = join(vm.podDir(p.metadata.uid!), 'volumes', 'kubernetes.io~configmap', 'all');
    const some = join(vm.podDir(p.metadata.uid!), 'volumes', 'kubernetes.io~configmap', 'some');
    assert.deepEqual(
      names(all)
        .filter((n) => !n.startsWith('..'))
        .sort(),
      ['app.conf', 'logo.bin', 'other'],
    );
    assert.equal(readFileSync(join(all, 'app.conf'), 'utf8'), 'v=1');
    assert.deepEqual([...readFileSync(join(all, 'logo.bin'))], [0, 1]);
    assert.equal(mode(join(all, 'other')), 0o640);
    assert.equal(readFileSync(join(some, 'conf/app.conf'), 'utf8'), 'v=1');
    assert.equal(mode(join(some, 'conf/app.conf')), 0o600);
    assert.equal(existsSync(join(some, 'other')), false);

    lookup.configMaps.set('ns/cfg', { metadata: { name: 'cfg', namespace: 'ns' }, data: { 'app.conf': 'v=2' } });
    await vm.refresh(p);
    assert.equal(readFileSync(join(all, 'app.conf'), 'utf8'), 'v=2');
    assert.equal(existsSync(join(all, 'other')), false, 'a removed key disappears');
    assert.equal(readFileSync(join(some, 'conf/app.conf'), 'utf8'), 'v=2');
    assert.equal(readdirSync(all).filter((n) => n.startsWith('..20')).length, 1, 'the old version is removed');
    await vm.tearDown(p.metadata.uid!);
  });

  it('mounts Secrets on tmpfs with decoded data and reports missing objects and keys', async () => {
    const { vm, lookup, events } = manager();
    lookup.secrets.set('ns/s', { metadata: { name: 's', namespace: 'ns' }, data: { token: b64('t0k3n'), 'ca.crt': b64('CA') } });
    const p = pod([{ name: 'sec', secret: { secretName: 's', defaultMode: 0o400 } }]);
    await vm.setUp(p);
    const dir = join(vm.podDir(p.metadata.uid!), 'volumes', 'kubernetes.io~secret', 'sec');
    assert.deepEqual(await mountsUnder(dir), [dir]);
    assert.equal(readFileSync(join(dir, 'token'), 'utf8'), 't0k3n');
    assert.equal(mode(join(dir, 'token')), 0o400);
    await vm.tearDown(p.metadata.uid!);

    const bad = pod([
      { name: 'nocm', configMap: { name: 'absent' } },
      { name: 'optcm', configMap: { name: 'absent', optional: true } },
      { name: 'nokey', secret: { secretName: 's', items: [{ key: 'nope', path: 'x' }] } },
      { name: 'cinder', cinder: { volumeID: 'x' } },
    ]);
    await assert.rejects(vm.setUp(bad), (err: unknown) => {
      assert.ok(err instanceof VolumeMountError);
      assert.deepEqual(err.volumes, ['nocm', 'nokey', 'cinder']);
      assert.match(err.message, /^unable to attach or mount volumes: unmounted volumes=\[nocm nokey cinder\]: /);
      return true;
    });
    assert.equal(events[0], 'Warning FailedMount MountVolume.SetUp failed for volume "nocm" : configmap "absent" not found');
    assert.equal(events[1], 'Warning FailedMount MountVolume.SetUp failed for volume "nokey" : references non-existent secret key: nope');
    assert.match(events[2], /unsupported volume source "cinder"/);
    // The optional one is there, empty.
    assert.deepEqual(
      names(join(vm.podDir(bad.metadata.uid!), 'volumes', 'kubernetes.io~configmap', 'optcm')).filter((n) => !n.startsWith('..')),
      [],
    );
    await vm.tearDown(bad.metadata.uid!);
  });

  it('writes downwardAPI files and updates them when labels change', async () => {
    const { vm } = manager(undefined, { nodeAllocatable: { cpu: '4', memory: '8Gi' } });
    const p = pod(
      [
        {
          name: 'info',
          downwardAPI: {
            items: [
              { path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } },
              { path: 'name', fieldRef: { fieldPath: 'metadata.name' } },
              { path: 'cpu_limit', resourceFieldRef: { containerName: 'app', resource: 'limits.cpu', divisor: '1m' } },
            ],
          },
        },
      ],
      [{ name: 'app' }],
    );
    await vm.setUp(p);
    const dir = join(vm.podDir(p.metadata.uid!), 'volumes', 'kubernetes.io~downward-api', 'info');
    assert.equal(readFileSync(join(dir, 'labels'), 'utf8'), 'app="web"');
    assert.equal(readFileSync(join(dir, 'name'), 'utf8'), p.metadata.name);
    assert.equal(readFileSync(join(dir, 'cpu_limit'), 'utf8'), '4000');
    p.metadata.labels = { app: 'web', version: 'v2' };
    await vm.refresh(p);
    assert.equal(readFileSync(join(dir, 'labels'), 'utf8'), 'app="web"\nversion="v2"');
    await vm.tearDown(p.metadata.uid!);
  });

  it('combines projected sources, including a service account token and kube-root-ca.crt, on tmpfs', async () => {
    const requests: string[] = [];
    const lookup = new FakeLookup();
    lookup.configMaps.set('ns/kube-root-ca.crt', { metadata: { name: 'kube-root-ca.crt', namespace: 'ns' }, data: { 'ca.crt': 'ROOTCA' } });
    lookup.secrets.set('ns/s', { metadata: { name: 's', namespace: 'ns' }, data: { user: b64('bob') } });
    let n = 0;
    const { vm } = manager(lookup, {
      tokenFor: async (pd, proj) => {
        requests.push(`${pd.metadata.name} ${proj.audience ?? ''} ${proj.expirationSeconds}`);
        return { token: `jwt-${++n}`, expirationTimestamp: new Date(Date.now() + 3600_000).toISOString() };
      },
    });
    const p = pod([
      {
        name: 'kube-api-access',
        projected: {
          defaultMode: 0o644,
          sources: [
            { serviceAccountToken: { path: 'token', expirationSeconds: 3607 } },
            { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
            { downwardAPI: { items: [{ path: 'namespace', fieldRef: { fieldPath: 'metadata.namespace' } }] } },
            { secret: { name: 's', items: [{ key: 'user', path: 'creds/user' }] } },
          ],
        },
      },
    ]);
    await vm.setUp(p);
    const dir = join(vm.podDir(p.metadata.uid!), 'volumes', 'kubernetes.io~projected', 'kube-api-access');
    assert.deepEqual(await mountsUnder(dir), [dir]);
    assert.equal(readFileSync(join(dir, 'token'), 'utf8'), 'jwt-1');
    assert.equal(readFileSync(join(dir, 'ca.crt'), 'utf8'), 'ROOTCA');
    assert.equal(readFileSync(join(dir, 'namespace'), 'utf8'), 'ns');
    assert.equal(readFileSync(join(dir, 'creds/user'), 'utf8'), 'bob');
    await vm.refresh(p);
    assert.deepEqual(requests, [`${p.metadata.name}  3607`], 'a fresh token is reused');
    await vm.tearDown(p.metadata.uid!);

    const { vm: noTokens } = manager(lookup);
    const q = pod([{ name: 'tok', projected: { sources: [{ serviceAccountToken: { path: 'token' } }] } }]);
    await assert.rejects(noTokens.setUp(q), /failed to fetch token: this kubelet has no TokenRequest client/);
    await noTokens.tearDown(q.metadata.uid!);
  });

  it('checks hostPath types, creating the *OrCreate ones', async () => {
    const { vm } = manager();
    const base = join(root, 'host');
    mkdirSync(base);
    writeFileSync(join(base, 'file'), 'f');
    const sockPath = join(base, 'sock');
    const srv = net.createServer();
    await new Promise<void>((r) => srv.listen(sockPath, r));
    try {
      const ok = pod([
        { name: 'mk', hostPath: { path: join(base, 'new/dir'), type: 'DirectoryOrCreate' } },
        { name: 'mkf', hostPath: { path: join(base, 'newfile'), type: 'FileOrCreate' } },
        { name: 'dir', hostPath: { path: base, type: 'Directory' } },
        { name: 'file', hostPath: { path: join(base, 'file'), type: 'File' } },
        { name: 'sock', hostPath: { path: sockPath, type: 'Socket' } },
        { name: 'chr', hostPath: { path: '/dev/null', type: 'CharDevice' } },
        { name: 'any', hostPath: { path: join(base, 'whatever') } },
      ]);
      await vm.setUp(ok);
      assert.ok(statSync(join(base, 'new/dir')).isDirectory());
      assert.equal(mode(join(base, 'new/dir')), 0o755);
      assert.ok(statSync(join(base, 'newfile')).isFile());
      await vm.tearDown(ok.metadata.uid!);
      assert.ok(existsSync(join(base, 'file')), 'hostPath contents survive tear-down');

      const events: string[] = [];
      const { vm: vm2 } = manager(undefined, { recordEvent: (_p, _t, _r, m) => events.push(m) });
      const bad = pod([
        { name: 'd', hostPath: { path: join(base, 'file'), type: 'Directory' } },
        { name: 'f', hostPath: { path: base, type: 'File' } },
        { name: 's', hostPath: { path: join(base, 'file'), type: 'Socket' } },
        { name: 'b', hostPath: { path: '/dev/null', type: 'BlockDevice' } },
        { name: 'x', hostPath: { path: base, type: 'Weird' } },
      ]);
      await assert.rejects(vm2.setUp(bad), VolumeMountError);
      assert.deepEqual(
        events.map((e) => e.replace(/^.* : /, '')),
        [
          `hostPath type check failed: ${join(base, 'file')} is not a directory`,
          `hostPath type check failed: ${base} is not a file`,
          `hostPath type check failed: ${join(base, 'file')} is not a socket file`,
          'hostPath type check failed: /dev/null is not a block device',
          'Weird is an invalid volume type',
        ],
      );
      await vm2.tearDown(bad.metadata.uid!);
    } finally {
      srv.close();
    }
  });

  it('resolves persistentVolumeClaims through their bound PersistentVolume', async () => {
    const lookup = new FakeLookup();
    const pvDir = join(root, 'local-path', 'ns_data_pvc-1');
    lookup.claims.set('ns/data', { metadata: { name: 'data', namespace: 'ns' }, spec: { volumeName: 'pvc-1' }, status: { phase: 'Bound' } });
    lookup.volumes.set('pvc-1', { metadata: { name: 'pvc-1' }, spec: { hostPath: { path: pvDir, type: 'DirectoryOrCreate' } } });
    lookup.claims.set('ns/pending', { metadata: { name: 'pending', namespace: 'ns' }, spec: {}, status: { phase: 'Pending' } });
    const { vm, events } = manager(lookup);
    const p = pod(
      [{ name: 'data', persistentVolumeClaim: { claimName: 'data', readOnly: true } }],
      [{ name: 'app', volumeMounts: [{ name: 'data', mountPath: '/data' }] }],
    );
    await vm.setUp(p);
    assert.ok(statSync(pvDir).isDirectory());
    const [m] = vm.mountsFor(p, p.spec.containers[0]);
    assert.equal(m.hostPath, pvDir);
    assert.equal(m.readonly, true);
    await vm.tearDown(p.metadata.uid!);
    assert.ok(existsSync(pvDir), "the claim directory is not the pod's to remove");

    const q = pod([
      { name: 'a', persistentVolumeClaim: { claimName: 'pending' } },
      { name: 'b', persistentVolumeClaim: { claimName: 'ghost' } },
    ]);
    await assert.rejects(vm.setUp(q), VolumeMountError);
    assert.deepEqual(
      events.map((e) => e.replace(/^.* : /, '')),
      ['PVC ns/pending has non-bound phase ("Pending") or empty pvc.Spec.VolumeName ("")', 'persistentvolumeclaim "ghost" not found'],
    );
    await vm.tearDown(q.metadata.uid!);
  });

  it('turns volumeMounts into CRI mounts: readOnly, propagation, subPath and subPathExpr, safely', async () => {
    const { vm, lookup } = manager();
    lookup.configMaps.set('ns/cfg', { metadata: { name: 'cfg', namespace: 'ns' }, data: { 'nginx.conf': 'conf' } });
    const c: Container = {
      name: 'app',
      volumeMounts: [
        { name: 'work', mountPath: '/work' },
        { name: 'work', mountPath: '/logs', subPath: 'logs/app' },
        { name: 'work', mountPath: '/per-pod', subPathExpr: '$(POD_NAME)', mountPropagation: 'HostToContainer' },
        { name: 'cfg', mountPath: '/etc/nginx/nginx.conf', subPath: 'nginx.conf' },
        { name: 'cfg', mountPath: '/cfg', readOnly: false },
        { name: 'host', mountPath: '/host', readOnly: true, mountPropagation: 'Bidirectional' },
      ],
    };
    const hostDir = join(root, 'hostmount');
    mkdirSync(hostDir);
    const p = pod(
      [
        { name: 'work', emptyDir: {} },
        { name: 'cfg', configMap: { name: 'cfg' } },
        { name: 'host', hostPath: { path: hostDir } },
      ],
      [c],
    );
    await vm.setUp(p);
    const work = join(vm.podDir(p.metadata.uid!), 'volumes', 'kubernetes.io~empty-dir', 'work');
    const cfg = join(vm.podDir(p.metadata.uid!), 'volumes', 'kubernetes.io~configmap', 'cfg');
    const mounts = vm.mountsFor(p, c, [{ key: 'POD_NAME', value: 'web-0' }]);
    const ts = readlinkSync(join(cfg, '..data'));
    assert.deepEqual(
      mounts.map((m) => [m.containerPath, m.hostPath, m.readonly, m.propagation]),
      [
        ['/work', work, false, 'PROPAGATION_PRIVATE'],
        ['/logs', join(work, 'logs/app'), false, 'PROPAGATION_PRIVATE'],
        ['/per-pod', join(work, 'web-0'), false, 'PROPAGATION_HOST_TO_CONTAINER'],
        // A subPath into a ConfigMap resolves to the current version's file (as upstream: no live updates there).
        ['/etc/nginx/nginx.conf', join(cfg, ts, 'nginx.conf'), true, 'PROPAGATION_PRIVATE'],
        ['/cfg', cfg, true, 'PROPAGATION_PRIVATE'],
        ['/host', hostDir, true, 'PROPAGATION_BIDIRECTIONAL'],
      ],
    );
    assert.ok(lstatSync(join(work, 'logs/app')).isDirectory());
    assert.equal(mode(join(work, 'logs/app')), 0o777, 'new subPath directories take the volume mode');
    assert.deepEqual(mounts[0], {
      containerPath: '/work',
      hostPath: work,
      readonly: false,
      selinuxRelabel: false,
      propagation: 'PROPAGATION_PRIVATE',
      uidMappings: [],
      gidMappings: [],
      recursiveReadOnly: false,
    });

    const one =
      (vmnt: NonNullable<Container['volumeMounts']>[number], envs = [] as Array<{ key: string; value: string }>) =>
      () =>
        vm.mountsFor(p, { name: 'x', volumeMounts: [vmnt] }, envs);
    assert.throws(one({ name: 'work', mountPath: '/a', subPath: '/etc' }), { message: 'error SubPath `/etc` must not be an absolute path' });
    assert.throws(one({ name: 'work', mountPath: '/a', subPath: 'x/../../..' }), {
      message: "unable to provision SubPath `x/../../..`: must not contain '..'",
    });
    assert.throws(one({ name: 'work', mountPath: '/a', subPathExpr: '$(MISSING)/$(POD_NAME)' }), { message: 'missing value for MISSING, POD_NAME' });
    assert.throws(one({ name: 'nope', mountPath: '/a' }), { message: 'cannot find volume "nope" to mount into container "x"' });
    assert.throws(one({ name: 'work', mountPath: '/a', mountPropagation: 'Sideways' as 'None' }), { message: 'invalid MountPropagation mode: "Sideways"' });
    // A symlink planted in the volume cannot lead a subPath out of it.
    symlinkSync('/etc', join(work, 'escape'));
    assert.throws(one({ name: 'work', mountPath: '/a', subPath: 'escape/passwd' }), { message: `subpath "/etc/passwd" not within volume path "${work}"` });
    assert.throws(one({ name: 'work', mountPath: '/a', subPath: 'escape/newdir' }), /not within volume path/);
    assert.equal(existsSync('/etc/newdir'), false);
    await vm.tearDown(p.metadata.uid!);
    assert.ok(existsSync(hostDir));
  });

  it('tears down pods of an earlier run from the disk alone', async () => {
    const first = manager();
    const p = pod([
      { name: 'shm', emptyDir: { medium: 'Memory' } },
      { name: 'd', emptyDir: {} },
    ]);
    await first.vm.setUp(p);
    // A new manager (a restarted kubelet) knows nothing but the directory.
    const { vm } = manager();
    assert.ok((await vm.podUIDsOnDisk()).includes(p.metadata.uid!));
    await vm.tearDown(p.metadata.uid!);
    assert.deepEqual(await mountsUnder(vm.podDir(p.metadata.uid!)), []);
    assert.equal(existsSync(join(vm.podDir(p.metadata.uid!), 'volumes')), false);
    await assert.rejects(vm.tearDown('../x'), /invalid pod UID/);
  });
});
