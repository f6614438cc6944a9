// VolumeManager: sets up a pod's volumes under <podsDir>/<uid>/volumes/<plugin>/<name>
// (upstream's directory names, e.g. kubernetes.io~empty-dir) before its containers
// start, turns volumeMounts into CRI mounts, rewrites ConfigMap/Secret/downward
// API/projected contents when their sources change, and tears it all down.
import { chmodSync, lstatSync, mkdirSync, realpathSync } from 'node:fs';
import { chmod, mkdir, readdir, rm } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join } from 'node:path';
import type { KeyValue, Mount, MountPropagation } from '../../cri/client.js';
import { expandVars, quantityValue } from '../envvars.js';
import type { Container, EmptyDirVolumeSource, Pod, Volume, VolumeMount } from '../../../api/core/v1/types.js';
import type { ResourceList } from '../types.js';
import { writeAtomically, type Payload } from './atomic_writer.js';
import { checkHostPathType } from './hostpath.js';
import { isMountPoint, mountTmpfs, mountsUnder, unmount } from './mount.js';
import { configMapPayload, DEFAULT_MODE, downwardAPIPayload, projectedPayload, secretPayload } from './payload.js';
import { TokenCache } from './token.js';
import type { TokenSource, VolumeLookup, VolumeSources } from './types.js';

/** Upstream's plugin directory names (the escaped plugin names). */
export const PLUGIN_DIRS = {
  emptyDir: 'kubernetes.io~empty-dir',
  configMap: 'kubernetes.io~configmap',
  secret: 'kubernetes.io~secret',
  downwardAPI: 'kubernetes.io~downward-api',
  projected: 'kubernetes.io~projected',
} as const;

type PluginKind = keyof typeof PLUGIN_DIRS;
type VolumeKind = PluginKind | 'hostPath' | 'persistentVolumeClaim';

export interface VolumeManagerOptions {
  /** <kubeletRoot>/pods */
  podsDir: string;
  lookup: VolumeLookup;
  /** Service account tokens for projected volumes (see token.ts tokenRequester). */
  tokenFor?: TokenSource;
  /** Node allocatable: downward API resource values and the size of memory-backed volumes. */
  nodeAllocatable?: ResourceList;
  /** Events the kubelet should record on the pod (FailedMount). */
  recordEvent?: (pod: Pod, type: 'Normal' | 'Warning', reason: string, message: string) => void;
}

interface MountedVolume {
  kind: VolumeKind;
  hostPath: string;
  /** The plugin's own read-only attribute (ConfigMap/Secret/... and read-only claims). */
  readOnly: boolean;
}

/** An error that keeps the pod's containers from starting until its volumes mount. */
export class VolumeMountError extends Error {
  constructor(
    message: string,
    readonly volumes: string[],
  ) {
    super(message);
    this.name = 'VolumeMountError';
  }
}

const CONTENT_KINDS = new Set<VolumeKind>(['configMap', 'secret', 'downwardAPI', 'projected']);

function kindOf(source: VolumeSources): VolumeKind | undefined {
  for (const k of ['emptyDir', 'hostPath', 'configMap', 'secret', 'downwardAPI', 'projected', 'persistentVolumeClaim'] as const) {
    if (source[k] !== undefined && source[k] !== null) return k;
  }
  return undefined;
}

function sourceName(vol: Volume): string {
  const known = new Set(['name', 'emptyDir', 'hostPath', 'configMap', 'secret', 'downwardAPI', 'projected', 'persistentVolumeClaim']);
  return Object.keys(vol).find((k) => !known.has(k)) ?? '(none)';
}

/** cm.ResourceConfigForPod's memory limit: only when every container declares one. */
function podMemoryLimit(pod: Pod): number | undefined {
  let sum = 0;
  for (const c of pod.spec.containers ?? []) {
    const l = quantityValue(c.resources?.limits?.memory);
    if (l <= 0) return undefined;
    sum += l;
  }
  let initMax = 0;
  for (const c of pod.spec.initContainers ?? []) {
    const l = quantityValue(c.resources?.limits?.memory);
    if (l <= 0) return undefined;
    initMax = Math.max(initMax, l);
  }
  return Math.max(sum, initMax);
}

function translatePropagation(mode: VolumeMount['mountPropagation'] | string | undefined): MountPropagation {
  switch (mode) {
    case undefined:
    case 'None':
      return 'PROPAGATION_PRIVATE';
    case 'HostToContainer':
      return 'PROPAGATION_HOST_TO_CONTAINER';
    case 'Bidirectional':
      return 'PROPAGATION_BIDIRECTIONAL';
  }
  throw new Error(`invalid MountPropagation mode: "${mode}"`);
}

/** ExpandContainerVolumeMounts: subPathExpr with the container's env; every reference must have a value. */
function expandSubPathExpr(expr: string, env: KeyValue[]): string {
  const vars = new Map(env.map((e) => [e.key, e.value]));
  const missing = new Set<string>();
  const out = expandVars(expr, (name) => {
    const v = vars.get(name);
    if (!v) missing.add(name);
    return v ?? '';
  });
  if (missing.size > 0) throw new Error(`missing value for ${[...missing].sort().join(', ')}`);
  return out;
}

/** A volume or pod UID that is safe as one path element. */
function usableName(name: string | undefined): name is string {
  return !!name && !name.includes('/') && name !== '.' && name !== '..';
}

function within(base: string, p: string): boolean {
  return p === base || p.startsWith(base === '/' ? '/' : base + '/');
}

/**
 * The host path of a subPath, resolved through symlinks and checked to stay inside
 * the volume (as upstream's safe subpath handling); missing directories are created.
 */
function resolveSubPath(volumePath: string, subPath: string): string {
  const base = realpathSync(volumePath);
  const missing: string[] = [];
  let existing = join(volumePath, subPath);
  for (;;) {
    try {
      lstatSync(existing);
      break;
    } catch {
      missing.unshift(basename(existing));
      existing = dirname(existing);
    }
  }
  const real = realpathSync(existing);
  if (!within(base, real)) throw new Error(`subpath "${real}" not within volume path "${base}"`);
  if (missing.length === 0) return real;
  // New directories take the volume's mode (upstream: hu.GetMode(volumePath)), so an
  // emptyDir subPath stays writable for every user; chmod because of the umask.
  const mode = lstatSync(base).mode & 0o7777;
  let dir = real;
  for (const m of missing) {
    dir = join(dir, m);
    mkdirSync(dir, { mode });
    chmodSync(dir, mode);
  }
  return dir;
}

export class VolumeManager {
  private readonly mounted = new Map<string, Map<string, MountedVolume>>();
  private readonly locks = new Map<string, Promise<void>>();
  private readonly tokens: TokenCache | undefined;

  constructor(readonly opts: VolumeManagerOptions) {
    this.tokens = opts.tokenFor ? new TokenCache(opts.tokenFor) : undefined;
  }

  /** The pod's directory: <podsDir>/<uid>. */
  podDir(podUID: string): string {
    return join(this.opts.podsDir, podUID);
  }

  /** Where a volume of a plugin kind lives: <podDir>/volumes/<plugin-dir>/<name>. */
  volumeDir(podUID: string, kind: PluginKind, name: string): string {
    return join(this.podDir(podUID), 'volumes', PLUGIN_DIRS[kind], name);
  }

  /** Pod UIDs with a directory under podsDir (for cleaning up after a restart). */
  async podUIDsOnDisk(): Promise<string[]> {
    try {
      return (await readdir(this.opts.podsDir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
  }

  /** One operation at a time per pod: set-up, refresh and tear-down must not interleave. */
  private async locked<T>(uid: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.locks.get(uid) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((r) => (release = r));
    const chain = prev.then(() => mine);
    this.locks.set(uid, chain);
    await prev;
    try {
      return await fn();
    } finally {
      release();
      if (this.locks.get(uid) === chain) this.locks.delete(uid);
    }
  }

  /**
   * Mounts every volume of the pod (idempotent: a restarted kubelet finds its
   * tmpfs mounts and files in place). Throws VolumeMountError naming the
   * volumes that failed; a FailedMount event is recorded for each.
   */
  async setUp(pod: Pod): Promise<void> {
    const uid = this.uidOf(pod);
    await this.locked(uid, async () => {
      await mkdir(join(this.podDir(uid), 'volumes'), { recursive: true, mode: 0o750 });
      const state = this.mounted.get(uid) ?? new Map<string, MountedVolume>();
      this.mounted.set(uid, state);
      await this.each(pod, async (vol, kind) => {
        state.set(vol.name, await this.setUpVolume(pod, vol, kind));
      });
    });
  }

  /**
   * Rewrites the contents of the pod's ConfigMap, Secret, downward API and
   * projected volumes (atomically; unchanged contents are left alone). Call it
   * when those objects or the pod's labels/annotations change, and periodically
   * so service account tokens are renewed.
   */
  async refresh(pod: Pod): Promise<void> {
    const uid = this.uidOf(pod);
    await this.locked(uid, async () => {
      const state = this.mounted.get(uid);
      if (!state) return; // not set up (or torn down): nothing to refresh
      await this.each(pod, async (vol, kind) => {
        if (!CONTENT_KINDS.has(kind) || !state.has(vol.name)) return;
        await this.writeContents(pod, vol, kind, state.get(vol.name)!.hostPath);
      });
    });
  }

  private async each(pod: Pod, fn: (vol: Volume, kind: VolumeKind) => Promise<void>): Promise<void> {
    const failed: string[] = [];
    const messages: string[] = [];
    for (const vol of pod.spec.volumes ?? []) {
      try {
        // The name becomes a directory: the apiserver allows only DNS labels, static pods skip it.
        if (!usableName(vol.name)) throw new Error(`invalid volume name "${vol.name}"`);
        const kind = kindOf(vol);
        if (!kind)
          throw new Error(
            `unsupported volume source "${sourceName(vol)}" (this kubelet mounts emptyDir, hostPath, configMap, secret, downwardAPI, projected and persistentVolumeClaim)`,
          );
        await fn(vol, kind);
      } catch (err) {
        const msg = `MountVolume.SetUp failed for volume "${vol.name}" : ${(err as Error).message}`;
        this.opts.recordEvent?.(pod, 'Warning', 'FailedMount', msg);
        failed.push(vol.name);
        messages.push(msg);
      }
    }
    if (failed.length > 0) {
      throw new VolumeMountError(`unable to attach or mount volumes: unmounted volumes=[${failed.join(' ')}]: ${messages.join('; ')}`, failed);
    }
  }

  private uidOf(pod: Pod): string {
    const uid = pod.metadata.uid;
    if (!usableName(uid)) throw new Error(`pod ${pod.metadata.namespace}/${pod.metadata.name} has no usable metadata.uid`);
    return uid;
  }

  private memoryVolumeSize(pod: Pod, source: EmptyDirVolumeSource | undefined): number | undefined {
    // calculateEmptyDirMemorySize: node allocatable, then the pod's limit, then sizeLimit, whichever is smallest.
    let size = quantityValue(this.opts.nodeAllocatable?.memory) || Infinity;
    const podLimit = podMemoryLimit(pod);
    if (podLimit !== undefined && podLimit > 0 && podLimit <= size) size = podLimit;
    const sizeLimit = quantityValue(source?.sizeLimit);
    if (sizeLimit > 0 && sizeLimit <= size) size = sizeLimit;
    return Number.isFinite(size) ? size : undefined;
  }

  /** A memory-backed volume directory: tmpfs, mounted once. */
  private async tmpfsDir(dir: string, sizeBytes: number | undefined): Promise<void> {
    await mkdir(dir, { recursive: true, mode: 0o777 });
    if (!(await isMountPoint(dir))) await mountTmpfs(dir, sizeBytes);
  }

  private async setUpVolume(pod: Pod, vol: Volume, kind: VolumeKind): Promise<MountedVolume> {
    const uid = this.uidOf(pod);
    switch (kind) {
      case 'emptyDir': {
        const dir = this.volumeDir(uid, 'emptyDir', vol.name);
        const medium = vol.emptyDir?.medium ?? '';
        if (medium === 'Memory') {
          await this.tmpfsDir(dir, this.memoryVolumeSize(pod, vol.emptyDir));
        } else if (medium === '') {
          await mkdir(dir, { recursive: true });
        } else {
          throw new Error(`unsupported emptyDir medium "${medium}" (supported: "" and "Memory")`);
        }
        // Any container user may write to an emptyDir.
        await chmod(dir, 0o777);
        return { kind, hostPath: dir, readOnly: false };
      }
      case 'hostPath': {
        const hp = vol.hostPath!;
        if (!hp.path || !isAbsolute(hp.path)) throw new Error(`hostPath path "${hp.path ?? ''}" must be an absolute path`);
        checkHostPathType(hp.path, hp.type);
        return { kind, hostPath: hp.path, readOnly: false };
      }
      case 'persistentVolumeClaim':
        return this.setUpClaim(pod, vol);
      case 'configMap':
      case 'downwardAPI': {
        const dir = this.volumeDir(uid, kind, vol.name);
        await mkdir(dir, { recursive: true, mode: 0o755 });
        await this.writeContents(pod, vol, kind, dir);
        return { kind, hostPath: dir, readOnly: true };
      }
      case 'secret':
      case 'projected': {
        // Secrets and tokens never touch the disk.
        const dir = this.volumeDir(uid, kind, vol.name);
        await this.tmpfsDir(dir, this.memoryVolumeSize(pod, undefined));
        await this.writeContents(pod, vol, kind, dir);
        return { kind, hostPath: dir, readOnly: true };
      }
    }
  }

  private async writeContents(pod: Pod, vol: Volume, kind: VolumeKind, dir: string): Promise<void> {
    const ns = pod.metadata.namespace ?? 'default';
    let payload: Payload;
    switch (kind) {
      case 'configMap': {
        const src = vol.configMap!;
        const name = src.name ?? '';
        const optional = src.optional === true;
        const cm = await this.opts.lookup.configMap(ns, name);
        if (!cm && !optional) throw new Error(`configmap "${name}" not found`);
        payload = configMapPayload(src.items, cm ?? { metadata: { name, namespace: ns } }, src.defaultMode ?? DEFAULT_MODE, optional);
        break;
      }
      case 'secret': {
        const src = vol.secret!;
        const name = src.secretName ?? '';
        const optional = src.optional === true;
        const secret = await this.opts.lookup.secret(ns, name);
        if (!secret && !optional) throw new Error(`secret "${name}" not found`);
        payload = secretPayload(src.items, secret ?? { metadata: { name, namespace: ns } }, src.defaultMode ?? DEFAULT_MODE, optional);
        break;
      }
      case 'downwardAPI': {
        const src = vol.downwardAPI!;
        payload = downwardAPIPayload(src.items, pod, src.defaultMode ?? DEFAULT_MODE, this.opts.nodeAllocatable);
        break;
      }
      case 'projected': {
        const tokens = this.tokens;
        payload = await projectedPayload(
          vol.projected!,
          pod,
          this.opts.lookup,
          async (p) => {
            if (!tokens) throw new Error('failed to fetch token: this kubelet has no TokenRequest client (serviceAccountToken projections need the apiserver)');
            return tokens.get(pod, p);
          },
          this.opts.nodeAllocatable,
        );
        break;
      }
      default:
        return;
    }
    await writeAtomically(dir, payload);
  }

  /** persistentVolumeClaim → the bound PersistentVolume → its local or hostPath path. */
  private async setUpClaim(pod: Pod, vol: Volume): Promise<MountedVolume> {
    const ns = pod.metadata.namespace ?? 'default';
    const src = vol.persistentVolumeClaim!;
    const { persistentVolumeClaim, persistentVolume } = this.opts.lookup;
    if (!persistentVolumeClaim || !persistentVolume) throw new Error('this kubelet was started without a PersistentVolumeClaim lookup');
    const pvc = await persistentVolumeClaim.call(this.opts.lookup, ns, src.claimName);
    if (!pvc) throw new Error(`persistentvolumeclaim "${src.claimName}" not found`);
    if (pvc.metadata.deletionTimestamp) throw new Error(`can't start pod because PVC ${ns}/${src.claimName} is being deleted`);
    const phase = pvc.status?.phase ?? '';
    const volumeName = pvc.spec?.volumeName ?? '';
    if (phase !== 'Bound' || volumeName === '') {
      throw new Error(`PVC ${ns}/${src.claimName} has non-bound phase ("${phase}") or empty pvc.Spec.VolumeName ("${volumeName}")`);
    }
    const pv = await persistentVolume.call(this.opts.lookup, volumeName);
    if (!pv) throw new Error(`persistentvolume "${volumeName}" not found`);
    const readOnly = src.readOnly === true;
    if (pv.spec?.hostPath?.path) {
      checkHostPathType(pv.spec.hostPath.path, pv.spec.hostPath.type);
      return { kind: 'persistentVolumeClaim', hostPath: pv.spec.hostPath.path, readOnly };
    }
    if (pv.spec?.local?.path) {
      checkHostPathType(pv.spec.local.path, 'Directory');
      return { kind: 'persistentVolumeClaim', hostPath: pv.spec.local.path, readOnly };
    }
    throw new Error(`persistentvolume "${volumeName}" has a source this kubelet cannot mount (only local and hostPath volumes)`);
  }

  /** A set-up volume's host path, or the one its plugin always uses. */
  private volumeFor(pod: Pod, name: string): MountedVolume | undefined {
    const uid = this.uidOf(pod);
    const known = this.mounted.get(uid)?.get(name);
    if (known) return known;
    if (!usableName(name)) return undefined;
    const vol = (pod.spec.volumes ?? []).find((v) => v.name === name);
    if (!vol) return undefined;
    const kind = kindOf(vol);
    if (kind === 'hostPath') return { kind, hostPath: vol.hostPath!.path, readOnly: false };
    if (kind && kind in PLUGIN_DIRS) {
      const k = kind as PluginKind;
      return { kind, hostPath: this.volumeDir(uid, k, name), readOnly: k !== 'emptyDir' };
    }
    return undefined; // claims resolve only in setUp
  }

  /**
   * makeMounts: the container's volumeMounts as CRI mounts (subPath and
   * subPathExpr resolved, readOnly, mountPropagation). env is the container's
   * resolved environment, for subPathExpr. Throws on a missing volume or bad subPath.
   */
  mountsFor(pod: Pod, container: Container, env: KeyValue[] = []): Mount[] {
    const out: Mount[] = [];
    for (const vm of container.volumeMounts ?? []) {
      const vol = this.volumeFor(pod, vm.name);
      if (!vol) throw new Error(`cannot find volume "${vm.name}" to mount into container "${container.name}"`);
      let hostPath = vol.hostPath;
      let subPath = vm.subPath ?? '';
      if (vm.subPathExpr) subPath = expandSubPathExpr(vm.subPathExpr, env);
      if (subPath !== '') {
        if (isAbsolute(subPath)) throw new Error(`error SubPath \`${subPath}\` must not be an absolute path`);
        if (subPath.split('/').includes('..')) throw new Error(`unable to provision SubPath \`${subPath}\`: must not contain '..'`);
        hostPath = resolveSubPath(vol.hostPath, subPath);
      }
      out.push({
        containerPath: vm.mountPath,
        hostPath,
        readonly: vm.readOnly === true || vol.readOnly,
        selinuxRelabel: false,
        propagation: translatePropagation(vm.mountPropagation),
        uidMappings: [],
        gidMappings: [],
        recursiveReadOnly: false,
      });
    }
    return out;
  }

  /**
   * Unmounts the pod's memory-backed volumes and removes <podDir>/volumes.
   * Works from the disk alone, so it also cleans up pods of a previous kubelet run.
   * hostPath and claim directories are never touched (they are outside the pod dir).
   */
  async tearDown(podUID: string): Promise<void> {
    if (!usableName(podUID)) throw new Error(`invalid pod UID "${podUID}"`);
    await this.locked(podUID, async () => {
      for (const sub of ['volumes', 'volume-subpaths']) {
        const dir = join(this.podDir(podUID), sub);
        // Unmount first: rm must never descend into a mount.
        for (const m of await mountsUnder(dir)) await unmount(m);
        const left = await mountsUnder(dir);
        if (left.length > 0) throw new Error(`cannot remove ${dir}: still mounted: ${left.join(', ')}`);
        await rm(dir, { recursive: true, force: true });
      }
      this.mounted.delete(podUID);
      this.tokens?.forget(podUID);
    });
  }
}
