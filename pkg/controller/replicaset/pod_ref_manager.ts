// controller.PodControllerRefManager.ClaimPods: of the pods in a ReplicaSet's
// namespace, keep those it controls and whose labels still match, release the
// ones it controls that no longer match (patch its ownerReference out), and
// adopt matching orphans (patch a controller ownerReference in) — adoption only
// after a fresh read shows the ReplicaSet still exists and is not being deleted.
import type { OwnerReference } from '../../../api/meta/v1/types.js';
import { controllerRef } from '../../client/controllerutil.js';
import { isStatus } from '../../client/rest.js';
import type { Selector } from '../../util/labels/selector.js';
import type { Pod, ReplicaSet } from './types.js';

export interface PodPatcher {
  /** Strategic-merge PATCH of a pod. */
  patchPod(namespace: string, name: string, patch: unknown): Promise<Pod>;
}

export interface ClaimOptions {
  rs: ReplicaSet;
  selector: Selector;
  controllerRef: OwnerReference;
  patcher: PodPatcher;
  /** RecheckDeletionTimestamp: rejects when the ReplicaSet is gone, replaced or being deleted. */
  canAdopt: () => Promise<void>;
}

export async function claimPods(pods: Pod[], opts: ClaimOptions): Promise<Pod[]> {
  const { rs, selector, patcher } = opts;
  const uid = rs.metadata.uid ?? '';
  const claimed: Pod[] = [];
  const errors = new Set<string>();
  let adoptable: Promise<void> | undefined;
  for (const pod of pods) {
    const ns = pod.metadata.namespace ?? '';
    const name = pod.metadata.name ?? '';
    const ref = controllerRef(pod);
    try {
      if (ref) {
        if (ref.uid !== uid) continue; // someone else's
        if (selector.matches(pod.metadata.labels)) {
          claimed.push(pod);
          continue;
        }
        // Ours but no longer matching: release it, unless we are being deleted.
        if (rs.metadata.deletionTimestamp) continue;
        await patcher.patchPod(ns, name, { metadata: { ownerReferences: [{ $patch: 'delete', uid }], uid: pod.metadata.uid } });
        continue;
      }
      // An orphan.
      if (rs.metadata.deletionTimestamp || !selector.matches(pod.metadata.labels)) continue;
      if (pod.metadata.deletionTimestamp) continue;
      if (rs.metadata.namespace && rs.metadata.namespace !== ns) continue;
      adoptable ??= opts.canAdopt();
      await adoptable;
      await patcher.patchPod(ns, name, { metadata: { ownerReferences: [opts.controllerRef], uid: pod.metadata.uid } });
      claimed.push(pod);
    } catch (err) {
      // Gone meanwhile; or (releasing) its ownerReferences or uid changed: nothing to claim.
      if (isStatus(err, 404)) continue;
      if (ref && isStatus(err, 422)) continue;
      errors.add((err as Error)?.message ?? String(err));
    }
  }
  if (errors.size) throw new Error([...errors].join('; '));
  return claimed;
}
