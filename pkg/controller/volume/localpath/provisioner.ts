// The local-path provisioner: an external provisioner (in the shape of
// kubernetes-csi's external-provisioner) that runs on the machine and serves the
// `local-path` StorageClass with hostPath directories under one base directory.
// It creates a volume pre-bound to each claim the binder hands it (annotation
// volume.kubernetes.io/storage-provisioner), and removes the directory when a
// volume with reclaim policy Delete is released or deleted.
import type { StorageClass } from '../../../../api/storage/v1/types.js';
import type { PersistentVolume, PersistentVolumeClaim } from '../../../../api/core/v1/types.js';
import { chmod, mkdir, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { EventRecorder } from '../../../client/events.js';
import type { SharedIndexInformer } from '../../../client/informer.js';
import { isStatus } from '../../../client/rest.js';
import { metaNamespaceKeyFunc, splitMetaNamespaceKey } from '../../../client/store.js';
import { RateLimitingQueue, runWorkers } from '../../../client/workqueue.js';
import type { Controller, ControllerContext } from '../../context.js';
import { retryOnConflict } from '../persistentvolume/conflicts.js';
import { AnnDynamicallyProvisioned, claimClass, claimProvisioner, claimReference } from '../persistentvolume/types.js';
import { IsDefaultStorageClassAnnotation } from '../../../../api/storage/v1/storageclass.js';

export const LOCAL_PATH_PROVISIONER = 'timonel.io/local-path';
export const LOCAL_PATH_STORAGE_CLASS = 'local-path';
export const DEFAULT_LOCAL_PATH_DIR = '/var/lib/timonel/local-path';
/** external-provisioner's finalizer: the directory goes before the volume object does. */
export const ProvisionerFinalizer = 'external-provisioner.volume.kubernetes.io/finalizer';

/** The class in manifests/storageclass-local-path.yaml, created at start when absent. */
export function localPathStorageClass(): StorageClass {
  return {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name: LOCAL_PATH_STORAGE_CLASS, annotations: { [IsDefaultStorageClassAnnotation]: 'true' } },
    provisioner: LOCAL_PATH_PROVISIONER,
    reclaimPolicy: 'Delete',
    volumeBindingMode: 'Immediate',
  };
}

export interface LocalPathProvisionerOptions {
  /** Base directory of the volumes' directories. */
  localPathDir?: string;
  /** Create the local-path StorageClass at start when absent (default true). */
  createStorageClass?: boolean;
}

export class LocalPathProvisioner implements Controller {
  private readonly claimQueue = new RateLimitingQueue<string>(undefined, 'local-path-claims');
  private readonly volumeQueue = new RateLimitingQueue<string>(undefined, 'local-path-volumes');
  private readonly claims: SharedIndexInformer<PersistentVolumeClaim>;
  private readonly volumes: SharedIndexInformer<PersistentVolume>;
  private readonly classes: SharedIndexInformer<StorageClass>;
  private readonly recorder: EventRecorder;
  readonly localPathDir: string;

  constructor(
    private readonly ctx: ControllerContext,
    private readonly opts: LocalPathProvisionerOptions = {},
  ) {
    this.localPathDir = resolve(opts.localPathDir ?? DEFAULT_LOCAL_PATH_DIR);
    // Named <provisioner>_<host> as external provisioners name their Event source.
    this.recorder = new EventRecorder(ctx.client, { component: `${LOCAL_PATH_PROVISIONER}_${hostname()}`, log: ctx.log });
    this.claims = ctx.informers.forResource<PersistentVolumeClaim>('v1', 'persistentvolumeclaims');
    this.volumes = ctx.informers.forResource<PersistentVolume>('v1', 'persistentvolumes');
    this.classes = ctx.informers.forResource<StorageClass>('storage.k8s.io/v1', 'storageclasses');
    this.claims.addEventHandler(
      {
        onAdd: (c) => this.claimQueue.add(metaNamespaceKeyFunc(c)),
        onUpdate: (_, c) => this.claimQueue.add(metaNamespaceKeyFunc(c)),
      },
      60_000,
    );
    this.volumes.addEventHandler(
      {
        onAdd: (v) => this.volumeQueue.add(v.metadata.name ?? ''),
        onUpdate: (_, v) => this.volumeQueue.add(v.metadata.name ?? ''),
      },
      60_000,
    );
  }

  async run(workers: number, signal: AbortSignal): Promise<void> {
    signal.addEventListener(
      'abort',
      () => {
        this.claimQueue.shutDown();
        this.volumeQueue.shutDown();
      },
      { once: true },
    );
    if (this.opts.createStorageClass !== false) await this.ensureStorageClass(signal);
    await Promise.all([this.claims.waitForCacheSync(), this.volumes.waitForCacheSync(), this.classes.waitForCacheSync()]);
    await Promise.all([
      runWorkers(this.claimQueue, workers, (key) => retryOnConflict(this.claimQueue, key, this.ctx.log, () => this.syncClaim(key)), { log: this.ctx.log }),
      runWorkers(this.volumeQueue, workers, (key) => retryOnConflict(this.volumeQueue, key, this.ctx.log, () => this.syncVolume(key)), { log: this.ctx.log }),
    ]);
  }

  /** So that every cluster has a default class; an existing one (even changed by the user) is left alone. */
  private async ensureStorageClass(signal: AbortSignal): Promise<void> {
    const rc = this.ctx.client.resource<StorageClass>('storage.k8s.io/v1', 'storageclasses');
    for (let delay = 200; !signal.aborted; delay = Math.min(delay * 2, 5_000)) {
      try {
        await rc.create(localPathStorageClass());
        this.ctx.log(`created StorageClass ${LOCAL_PATH_STORAGE_CLASS}`);
        return;
      } catch (err) {
        if (isStatus(err, 409)) return;
        this.ctx.log(`creating StorageClass ${LOCAL_PATH_STORAGE_CLASS}: ${(err as Error).message}; retrying`);
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }

  /** The directory of a volume: <localPathDir>/<namespace>_<claim>_<volume>. */
  volumePath(claim: PersistentVolumeClaim, pvName: string): string {
    return join(this.localPathDir, `${claim.metadata.namespace}_${claim.metadata.name}_${pvName}`);
  }

  async syncClaim(key: string): Promise<void> {
    const { namespace, name } = splitMetaNamespaceKey(key);
    const claim = this.claims.lister.get(namespace, name);
    // shouldProvision: unbound, and handed to this provisioner by the binder.
    if (!claim || claim.spec?.volumeName || claim.metadata.deletionTimestamp) return;
    if (claimProvisioner(claim) !== LOCAL_PATH_PROVISIONER) return;
    const clsName = claimClass(claim);
    const sc = this.classes.lister.get(clsName);
    if (!sc || sc.provisioner !== LOCAL_PATH_PROVISIONER) return;
    const pvName = `pvc-${claim.metadata.uid}`;
    if (this.volumes.lister.get(pvName)) return;

    const size = claim.spec?.resources?.requests?.storage;
    if (!size) {
      await this.event(claim, 'Warning', 'ProvisioningFailed', `failed to provision volume with StorageClass "${clsName}": claim has no storage request`);
      return;
    }
    if (claim.spec?.selector) {
      await this.event(claim, 'Warning', 'ProvisioningFailed', `failed to provision volume with StorageClass "${clsName}": claim Selector is not supported`);
      return;
    }
    await this.event(claim, 'Normal', 'Provisioning', `External provisioner is provisioning volume for claim "${key}"`);
    const path = this.volumePath(claim, pvName);
    try {
      await mkdir(path, { recursive: true });
      await chmod(path, 0o777); // any container user may write, as with local-path-provisioner
    } catch (err) {
      await this.event(claim, 'Warning', 'ProvisioningFailed', `failed to provision volume with StorageClass "${clsName}": ${(err as Error).message}`);
      throw err;
    }
    const reclaimPolicy = sc.reclaimPolicy ?? 'Delete';
    const pv: PersistentVolume = {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: {
        name: pvName,
        annotations: { [AnnDynamicallyProvisioned]: LOCAL_PATH_PROVISIONER },
        ...(reclaimPolicy === 'Delete' ? { finalizers: [ProvisionerFinalizer] } : {}),
      },
      spec: {
        capacity: { storage: size },
        accessModes: claim.spec?.accessModes ?? [],
        persistentVolumeReclaimPolicy: reclaimPolicy,
        storageClassName: clsName,
        volumeMode: claim.spec?.volumeMode ?? 'Filesystem',
        hostPath: { path, type: 'DirectoryOrCreate' },
        claimRef: claimReference(claim),
        ...(sc.mountOptions?.length ? { mountOptions: sc.mountOptions } : {}),
      },
    };
    try {
      await this.ctx.client.resource<PersistentVolume>('v1', 'persistentvolumes').create(pv);
    } catch (err) {
      if (isStatus(err, 409)) return; // made by an earlier attempt
      await this.event(claim, 'Warning', 'ProvisioningFailed', `failed to provision volume with StorageClass "${clsName}": ${(err as Error).message}`);
      throw err;
    }
    await this.event(claim, 'Normal', 'ProvisioningSucceeded', `Successfully provisioned volume ${pvName}`);
  }

  async syncVolume(name: string): Promise<void> {
    const volume = this.volumes.lister.get(name);
    if (!volume || (volume.metadata.annotations ?? {})[AnnDynamicallyProvisioned] !== LOCAL_PATH_PROVISIONER) return;
    if (volume.spec?.persistentVolumeReclaimPolicy !== 'Delete') return;
    const phase = volume.status?.phase;
    // Released by the binder, or deleted by a user while no claim uses it.
    const shouldDelete = phase === 'Released' || (!!volume.metadata.deletionTimestamp && phase !== 'Bound');
    if (!shouldDelete) return;
    const path = volume.spec.hostPath?.path;
    if (path && this.owns(path)) await rm(path, { recursive: true, force: true });
    else this.ctx.log(`volume ${name}: ${path ?? '(no path)'} is not under ${this.localPathDir}; leaving it in place`);

    const pvs = this.ctx.client.resource<PersistentVolume>('v1', 'persistentvolumes');
    if ((volume.metadata.finalizers ?? []).includes(ProvisionerFinalizer)) {
      const finalizers = (volume.metadata.finalizers ?? []).filter((f) => f !== ProvisionerFinalizer);
      await pvs.update({ ...volume, metadata: { ...volume.metadata, finalizers } }).catch((err: unknown) => {
        if (!isStatus(err, 404)) throw err;
      });
    }
    if (volume.metadata.deletionTimestamp) return;
    const deleted = await pvs.delete(name).then(
      () => true,
      (err: unknown) => {
        if (isStatus(err, 404)) return false;
        throw err;
      },
    );
    if (deleted) this.ctx.log(`deleted volume ${name} and its directory ${path ?? ''}`);
  }

  /** Only ever remove directories inside the base directory. */
  private owns(path: string): boolean {
    const rel = relative(this.localPathDir, resolve(path));
    return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
  }

  private async event(claim: PersistentVolumeClaim, type: 'Normal' | 'Warning', reason: string, message: string): Promise<void> {
    await this.recorder
      .event(claim, type, reason, message, { apiVersion: 'v1', kind: 'PersistentVolumeClaim' })
      .catch((err: Error) => this.ctx.log(`event ${reason} for ${claim.metadata.name}: ${err.message}`));
  }
}
