// The PersistentVolume binder (kube-controller-manager's persistentvolume-binder,
// pv_controller.go): binds claims to volumes both ways, asks external
// provisioners for volumes when nothing matches, gives claims without a class the
// default StorageClass, and releases or reclaims volumes whose claim is gone.
import type { StorageClass } from '../../../../api/storage/v1/types.js';
import type { PersistentVolume, PersistentVolumeClaim } from '../../../../api/core/v1/types.js';
import type { SharedIndexInformer } from '../../../client/informer.js';
import { EventRecorder } from '../../../client/events.js';
import { isStatus } from '../../../client/rest.js';
import { metaNamespaceKeyFunc, splitMetaNamespaceKey } from '../../../client/store.js';
import { RateLimitingQueue, runWorkers } from '../../../client/workqueue.js';
import type { Controller, ControllerContext } from '../../context.js';
import { retryOnConflict } from './conflicts.js';
import {
  AnnBetaStorageProvisioner,
  AnnBindCompleted,
  AnnBoundByController,
  AnnDynamicallyProvisioned,
  AnnSelectedNode,
  AnnStorageProvisioner,
  claimClass,
  claimReference,
  isVolumeBoundToClaim,
} from './types.js';
import { BetaStorageClassAnnotation, defaultStorageClass } from '../../../../api/storage/v1/storageclass.js';
import { findBestMatchForClaim, volumeMismatch } from './volume_match.js';

export interface PersistentVolumeBinderOptions {
  /** How often every claim and volume is synced again (Kubernetes: --pvclaimbinder-sync-period, 15s). */
  syncPeriodMs?: number;
}

function now(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function sameModes(a: string[] | undefined, b: string[] | undefined): boolean {
  return JSON.stringify(a ?? []) === JSON.stringify(b ?? []);
}

export class PersistentVolumeBinderController implements Controller {
  private readonly claimQueue = new RateLimitingQueue<string>(undefined, 'claims');
  private readonly volumeQueue = new RateLimitingQueue<string>(undefined, 'volumes');
  private readonly claims: SharedIndexInformer<PersistentVolumeClaim>;
  private readonly volumes: SharedIndexInformer<PersistentVolume>;
  private readonly classes: SharedIndexInformer<StorageClass>;
  /** Events carry Kubernetes' source component, as `kubectl describe pvc` shows it. */
  private readonly recorder: EventRecorder;

  constructor(
    private readonly ctx: ControllerContext,
    opts: PersistentVolumeBinderOptions = {},
  ) {
    const resync = opts.syncPeriodMs ?? 15_000;
    this.recorder = new EventRecorder(ctx.client, { component: 'persistentvolume-controller', log: ctx.log });
    this.claims = ctx.informers.forResource<PersistentVolumeClaim>('v1', 'persistentvolumeclaims');
    this.volumes = ctx.informers.forResource<PersistentVolume>('v1', 'persistentvolumes');
    this.classes = ctx.informers.forResource<StorageClass>('storage.k8s.io/v1', 'storageclasses');
    this.claims.addEventHandler(
      {
        onAdd: (c) => this.claimQueue.add(metaNamespaceKeyFunc(c)),
        onUpdate: (_, c) => this.claimQueue.add(metaNamespaceKeyFunc(c)),
        onDelete: (c) => {
          // The volume notices its claim is gone and is released or reclaimed.
          if (c.spec?.volumeName) this.volumeQueue.add(c.spec.volumeName);
          for (const v of this.volumes.lister.list()) if (isVolumeBoundToClaim(v, c)) this.volumeQueue.add(v.metadata.name ?? '');
        },
      },
      resync,
    );
    this.volumes.addEventHandler(
      {
        onAdd: (v) => this.volumeChanged(v),
        onUpdate: (_, v) => this.volumeChanged(v),
        onDelete: (v) => {
          const ref = v.spec?.claimRef;
          if (ref?.name) this.claimQueue.add(`${ref.namespace ?? ''}/${ref.name}`);
        },
      },
      resync,
    );
    // A new (default) class can serve claims that waited.
    this.classes.addEventHandler({ onAdd: () => this.enqueuePendingClaims(), onUpdate: () => this.enqueuePendingClaims() });
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
    await Promise.all([this.claims.waitForCacheSync(), this.volumes.waitForCacheSync(), this.classes.waitForCacheSync()]);
    await Promise.all([
      runWorkers(this.volumeQueue, workers, (key) => retryOnConflict(this.volumeQueue, key, this.ctx.log, () => this.syncVolumeKey(key)), {
        log: this.ctx.log,
      }),
      runWorkers(this.claimQueue, workers, (key) => retryOnConflict(this.claimQueue, key, this.ctx.log, () => this.syncClaimKey(key)), { log: this.ctx.log }),
    ]);
  }

  private volumeChanged(v: PersistentVolume): void {
    this.volumeQueue.add(v.metadata.name ?? '');
    const ref = v.spec?.claimRef;
    if (ref?.name) this.claimQueue.add(`${ref.namespace ?? ''}/${ref.name}`);
    // Kubernetes waits for the periodic sync here; a newly Available volume is offered at once.
    else if (v.status?.phase === 'Available') this.enqueuePendingClaims();
  }

  private enqueuePendingClaims(): void {
    for (const c of this.claims.lister.list()) if (!c.spec?.volumeName) this.claimQueue.add(metaNamespaceKeyFunc(c));
  }

  // --- claims ---

  async syncClaimKey(key: string): Promise<void> {
    const { namespace, name } = splitMetaNamespaceKey(key);
    const claim = this.claims.lister.get(namespace, name);
    if (!claim) return;
    if ((claim.metadata.annotations ?? {})[AnnBindCompleted] === undefined) await this.syncUnboundClaim(claim);
    else await this.syncBoundClaim(claim);
  }

  private async syncUnboundClaim(claim: PersistentVolumeClaim): Promise<void> {
    // Retroactive default StorageClass: a claim that names no class at all gets the default one.
    if (claim.spec?.storageClassName == null && !Object.prototype.hasOwnProperty.call(claim.metadata.annotations ?? {}, BetaStorageClassAnnotation)) {
      const def = defaultStorageClass(this.classes.lister.list());
      if (def) {
        await this.pvcs(claim).update({ ...claim, spec: { ...claim.spec, storageClassName: def.metadata.name } });
        return; // the update event syncs it again
      }
    }
    const volumeName = claim.spec?.volumeName;
    if (!volumeName) {
      const volume = findBestMatchForClaim(this.volumes.lister.list(), claim);
      if (volume) return this.bind(volume, claim);
      const cls = claimClass(claim);
      const sc = cls ? this.classes.lister.get(cls) : undefined;
      if (sc?.volumeBindingMode === 'WaitForFirstConsumer' && !(claim.metadata.annotations ?? {})[AnnSelectedNode]) {
        await this.claimEvent(claim, 'Normal', 'WaitForFirstConsumer', 'waiting for first consumer to be created before binding');
      } else if (cls) {
        await this.provisionClaim(claim, cls, sc);
      } else {
        await this.claimEvent(claim, 'Normal', 'FailedBinding', 'no persistent volumes available for this claim and no storage class is set');
      }
      await this.updateClaimStatus(claim, 'Pending');
      return;
    }
    // The user asked for a particular volume.
    const volume = this.volumes.lister.get(volumeName);
    if (!volume) {
      await this.updateClaimStatus(claim, 'Pending');
      return;
    }
    if (!volume.spec?.claimRef) {
      const why = volumeMismatch(volume, claim);
      if (why) {
        await this.claimEvent(claim, 'Warning', 'VolumeMismatch', `Cannot bind to requested volume "${volumeName}": ${why}`);
        await this.updateClaimStatus(claim, 'Pending');
        return;
      }
      return this.bind(volume, claim);
    }
    if (isVolumeBoundToClaim(volume, claim)) return this.bind(volume, claim);
    // Claimed by someone else: wait (a user-set volumeName), unless the binder did this, which is a bug.
    if ((claim.metadata.annotations ?? {})[AnnBoundByController] !== undefined) {
      throw new Error(
        `invalid binding of claim ${metaNamespaceKeyFunc(claim)} to volume ${volumeName}: volume already claimed by ${volume.spec.claimRef.namespace}/${volume.spec.claimRef.name}`,
      );
    }
    await this.updateClaimStatus(claim, 'Pending');
  }

  private async syncBoundClaim(claim: PersistentVolumeClaim): Promise<void> {
    const volumeName = claim.spec?.volumeName;
    if (!volumeName) {
      await this.updateClaimStatus(claim, 'Lost');
      return this.claimEvent(claim, 'Warning', 'ClaimLost', 'Bound claim has lost reference to PersistentVolume. Data on the volume is lost!');
    }
    const volume = this.volumes.lister.get(volumeName);
    if (!volume) {
      if (claim.status?.phase === 'Lost') return;
      await this.updateClaimStatus(claim, 'Lost');
      return this.claimEvent(claim, 'Warning', 'ClaimLost', 'Bound claim has lost its PersistentVolume. Data on the volume is lost!');
    }
    if (!volume.spec?.claimRef || isVolumeBoundToClaim(volume, claim)) return this.bind(volume, claim);
    if (claim.status?.phase === 'Lost') return;
    await this.updateClaimStatus(claim, 'Lost');
    return this.claimEvent(claim, 'Warning', 'ClaimMisbound', 'Two claims are bound to the same volume, this one is bound incorrectly');
  }

  /**
   * Dynamic provisioning. Every provisioner here is external (the local-path one
   * included): the claim is annotated with the class's provisioner, which then
   * creates a volume pre-bound to it.
   */
  private async provisionClaim(claim: PersistentVolumeClaim, cls: string, sc: StorageClass | undefined): Promise<void> {
    if (!sc) return this.claimEvent(claim, 'Warning', 'ProvisioningFailed', `storageclass.storage.k8s.io "${cls}" not found`);
    const ann = claim.metadata.annotations ?? {};
    if (ann[AnnStorageProvisioner] !== sc.provisioner || ann[AnnBetaStorageProvisioner] !== sc.provisioner) {
      await this.pvcs(claim).update({
        ...claim,
        metadata: { ...claim.metadata, annotations: { ...ann, [AnnStorageProvisioner]: sc.provisioner, [AnnBetaStorageProvisioner]: sc.provisioner } },
      });
    }
    await this.claimEvent(
      claim,
      'Normal',
      'ExternalProvisioning',
      `Waiting for a volume to be created either by the external provisioner '${sc.provisioner}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.`,
    );
  }

  /** bind(): claimRef on the volume, volume Bound, volumeName on the claim, claim Bound; each step only when needed. */
  private async bind(volume: PersistentVolume, claim: PersistentVolumeClaim): Promise<void> {
    let v = volume;
    if (!isVolumeBoundToClaim(v, claim) || v.spec?.claimRef?.uid !== claim.metadata.uid) {
      const setByController = !isVolumeBoundToClaim(v, claim);
      const annotations = { ...(v.metadata.annotations ?? {}) };
      if (setByController) annotations[AnnBoundByController] = 'yes';
      v = await this.pvs().update({ ...v, metadata: { ...v.metadata, annotations }, spec: { ...v.spec, claimRef: claimReference(claim) } });
    }
    v = await this.updateVolumePhase(v, 'Bound');

    let c = claim;
    const ann = c.metadata.annotations ?? {};
    if (c.spec?.volumeName !== v.metadata.name || ann[AnnBindCompleted] === undefined) {
      const annotations: Record<string, string> = { ...ann, [AnnBindCompleted]: 'yes' };
      if (c.spec?.volumeName !== v.metadata.name) annotations[AnnBoundByController] = 'yes';
      c = await this.pvcs(c).update({ ...c, metadata: { ...c.metadata, annotations }, spec: { ...c.spec, volumeName: v.metadata.name } });
    }
    await this.updateClaimStatus(c, 'Bound', v);
  }

  private async updateClaimStatus(claim: PersistentVolumeClaim, phase: string, volume?: PersistentVolume): Promise<PersistentVolumeClaim> {
    const status = { ...(claim.status ?? {}), phase };
    if (volume) {
      status.accessModes = volume.spec?.accessModes ?? [];
      status.capacity = { ...(volume.spec?.capacity ?? {}) };
    } else if (phase !== 'Bound') {
      // An unbound claim reports neither modes nor capacity.
      delete status.accessModes;
      delete status.capacity;
    }
    const cur = claim.status ?? {};
    if (
      cur.phase === phase &&
      sameModes(cur.accessModes, status.accessModes) &&
      JSON.stringify(cur.capacity ?? null) === JSON.stringify(status.capacity ?? null)
    )
      return claim;
    return this.pvcs(claim).updateStatus({ ...claim, status });
  }

  // --- volumes ---

  async syncVolumeKey(name: string): Promise<void> {
    const volume = this.volumes.lister.get(name);
    if (!volume) return;
    const ref = volume.spec?.claimRef;
    // Unused, or reserved for a claim that has not bound yet: Available.
    if (!ref || !ref.uid) {
      await this.updateVolumePhase(volume, 'Available');
      return;
    }
    let claim = this.claims.lister.get(ref.namespace ?? '', ref.name ?? '');
    if (!claim) {
      // A freshly created claim may not be in our cache yet: ask before releasing anything.
      claim = await this.pvcsIn(ref.namespace ?? '')
        .get(ref.name ?? '')
        .catch((err: unknown) => {
          if (isStatus(err, 404)) return undefined;
          throw err;
        });
    }
    if (claim && claim.metadata.uid !== ref.uid) claim = undefined; // deleted and re-created under the same name
    if (!claim) {
      let v = volume;
      if (v.status?.phase !== 'Released' && v.status?.phase !== 'Failed') v = await this.updateVolumePhase(v, 'Released');
      return this.reclaimVolume(v);
    }
    if (!claim.spec?.volumeName) {
      this.claimQueue.add(metaNamespaceKeyFunc(claim)); // binding in progress; the claim's sync finishes it
      return;
    }
    if (claim.spec.volumeName === volume.metadata.name) {
      await this.updateVolumePhase(volume, 'Bound');
      return;
    }
    // The claim went elsewhere.
    const ann = volume.metadata.annotations ?? {};
    if (ann[AnnDynamicallyProvisioned] && volume.spec?.persistentVolumeReclaimPolicy === 'Delete') {
      let v = volume;
      if (v.status?.phase !== 'Released' && v.status?.phase !== 'Failed') v = await this.updateVolumePhase(v, 'Released');
      return this.reclaimVolume(v);
    }
    if (ann[AnnBoundByController] !== undefined) {
      // unbindVolume: the binder made this link, so it undoes it.
      const annotations = { ...ann };
      delete annotations[AnnBoundByController];
      const { claimRef: _unbound, ...spec } = volume.spec;
      const v = await this.pvs().update({ ...volume, metadata: { ...volume.metadata, annotations }, spec });
      await this.updateVolumePhase(v, 'Available');
    }
  }

  private async reclaimVolume(volume: PersistentVolume): Promise<void> {
    const policy = volume.spec?.persistentVolumeReclaimPolicy ?? 'Retain';
    if (policy === 'Retain') return;
    if (policy === 'Delete') {
      // Dynamically provisioned volumes are deleted by their (external) provisioner.
      if ((volume.metadata.annotations ?? {})[AnnDynamicallyProvisioned]) return;
      if (volume.status?.phase === 'Failed') return;
      const msg = `error getting deleter volume plugin for volume "${volume.metadata.name}": no deletable volume plugin matched`;
      await this.updateVolumePhase(volume, 'Failed', msg);
      return this.volumeEvent(volume, 'Warning', 'VolumeFailedDelete', msg);
    }
    if (volume.status?.phase === 'Failed') return;
    await this.updateVolumePhase(volume, 'Failed', 'No recycler plugin found for the volume!');
    return this.volumeEvent(volume, 'Warning', 'VolumeFailedRecycle', 'No recycler plugin found for the volume!');
  }

  private async updateVolumePhase(volume: PersistentVolume, phase: string, message?: string): Promise<PersistentVolume> {
    const cur = volume.status ?? {};
    if (cur.phase === phase && (message === undefined || cur.message === message)) return volume;
    const status: NonNullable<PersistentVolume['status']> = { ...cur, phase };
    if (cur.phase !== phase) status.lastPhaseTransitionTime = now();
    if (message !== undefined) status.message = message;
    else delete status.message;
    return this.pvs().updateStatus({ ...volume, status });
  }

  // --- helpers ---

  private pvs() {
    return this.ctx.client.resource<PersistentVolume>('v1', 'persistentvolumes');
  }

  private pvcsIn(namespace: string) {
    return this.ctx.client.resource<PersistentVolumeClaim>('v1', 'persistentvolumeclaims').namespace(namespace);
  }

  private pvcs(claim: PersistentVolumeClaim) {
    return this.pvcsIn(claim.metadata.namespace ?? '');
  }

  private claimEvent(claim: PersistentVolumeClaim, type: 'Normal' | 'Warning', reason: string, message: string): Promise<void> {
    return this.event(claim, 'PersistentVolumeClaim', type, reason, message);
  }

  private volumeEvent(volume: PersistentVolume, type: 'Normal' | 'Warning', reason: string, message: string): Promise<void> {
    return this.event(volume, 'PersistentVolume', type, reason, message);
  }

  private async event(obj: PersistentVolume | PersistentVolumeClaim, kind: string, type: 'Normal' | 'Warning', reason: string, message: string): Promise<void> {
    // A failed Event write must not fail the sync.
    await this.recorder
      .event(obj, type, reason, message, { apiVersion: 'v1', kind })
      .catch((err: Error) => this.ctx.log(`event ${reason} for ${obj.metadata.name}: ${err.message}`));
  }
}
