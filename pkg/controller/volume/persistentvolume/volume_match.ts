// Which volume a claim gets: FindMatchingVolume from Kubernetes' pv index, the
// smallest Available volume of the claim's class that satisfies it, preferring
// volumes with the fewest access modes that still cover the request.
import type { PersistentVolume, PersistentVolumeClaim } from '../../../../api/core/v1/types.js';
import { parseQuantity } from '../../../../api/resource/quantity.js';
import { selectorFromLabelSelector } from '../../../../api/labels/selector.js';
import { claimClass, isVolumeBoundToClaim, volumeClass } from './types.js';

export function requestedStorage(claim: PersistentVolumeClaim): number {
  return parseQuantity(claim.spec?.resources?.requests?.storage) ?? 0;
}

export function volumeStorage(volume: PersistentVolume): number {
  return parseQuantity(volume.spec?.capacity?.storage) ?? 0;
}

function volumeMode(mode: string | undefined): string {
  return mode || 'Filesystem';
}

function coversAccessModes(volume: PersistentVolume, claim: PersistentVolumeClaim): boolean {
  const have = new Set(volume.spec?.accessModes ?? []);
  return (claim.spec?.accessModes ?? []).every((m) => have.has(m));
}

/**
 * checkVolumeSatisfyClaim: why a volume named by the claim's spec.volumeName
 * cannot serve it, or undefined when it can.
 */
export function volumeMismatch(volume: PersistentVolume, claim: PersistentVolumeClaim): string | undefined {
  if (volumeStorage(volume) < requestedStorage(claim)) return 'requested PV is too small';
  if (volumeClass(volume) !== claimClass(claim)) return 'storageClassName does not match';
  if (volumeMode(volume.spec?.volumeMode) !== volumeMode(claim.spec?.volumeMode)) return 'incompatible volumeMode';
  if (!coversAccessModes(volume, claim)) return 'incompatible accessMode';
  return undefined;
}

/**
 * The best volume for an unbound claim, or undefined. A volume pre-bound to this
 * claim by claimRef wins when big enough; other volumes must be Available,
 * unreserved, of the same class, mode and selector, and cover the access modes.
 */
export function findBestMatchForClaim(volumes: PersistentVolume[], claim: PersistentVolumeClaim): PersistentVolume | undefined {
  const requested = requestedStorage(claim);
  const cls = claimClass(claim);
  let selector: ReturnType<typeof selectorFromLabelSelector> | undefined;
  if (claim.spec?.selector) {
    try {
      selector = selectorFromLabelSelector(claim.spec.selector);
    } catch {
      return undefined; // an invalid selector matches nothing
    }
  }
  let best: PersistentVolume | undefined;
  const rank = (v: PersistentVolume): [number, number] => [v.spec?.accessModes?.length ?? 0, volumeStorage(v)];
  for (const volume of volumes) {
    if (volumeMode(volume.spec?.volumeMode) !== volumeMode(claim.spec?.volumeMode)) continue;
    if (volume.metadata.deletionTimestamp) continue;
    if (!coversAccessModes(volume, claim)) continue;
    if (isVolumeBoundToClaim(volume, claim)) {
      if (volumeStorage(volume) < requested) continue;
      return volume;
    }
    // Non-Available volumes are skipped: ones that should match soon become Available.
    if (volume.status?.phase !== 'Available' || volume.spec?.claimRef) continue;
    if (selector && !selector.matches(volume.metadata.labels)) continue;
    if (volumeClass(volume) !== cls) continue;
    if (volumeStorage(volume) < requested) continue;
    if (!best) best = volume;
    else {
      const [bm, bs] = rank(best);
      const [vm, vs] = rank(volume);
      if (vm < bm || (vm === bm && vs < bs)) best = volume;
    }
  }
  return best;
}
