// controller.ClaimPods / ClaimControllerRevisions (BaseControllerRefManager):
// keep the objects the DaemonSet controls whose labels still match, release the
// ones it controls that no longer match, adopt matching orphans — adoption only
// after a fresh read shows the DaemonSet still exists and is not being deleted.
import type { KubeObject, OwnerReference } from '../../../api/meta/v1/types.js';
import { controllerRef } from '../../client/controllerutil.js';
import { isStatus } from '../../client/rest.js';
import type { Selector } from '../../util/labels/selector.js';

export interface ClaimOptions<T> {
  owner: KubeObject;
  selector: Selector;
  controllerRef: OwnerReference;
  /** Strategic-merge PATCH of one object. */
  patch: (namespace: string, name: string, patch: unknown) => Promise<T>;
  /** Rejects when the owner is gone, replaced or being deleted. */
  canAdopt: () => Promise<void>;
}

export async function claimObjects<T extends KubeObject>(objs: T[], opts: ClaimOptions<T>): Promise<T[]> {
  const { owner, selector } = opts;
  const uid = owner.metadata.uid ?? '';
  const claimed: T[] = [];
  const errors = new Set<string>();
  let adoptable: Promise<void> | undefined;
  for (const obj of objs) {
    const ns = obj.metadata.namespace ?? '';
    const name = obj.metadata.name ?? '';
    const ref = controllerRef(obj);
    try {
      if (ref) {
        if (ref.uid !== uid) continue;
        if (selector.matches(obj.metadata.labels)) {
          claimed.push(obj);
          continue;
        }
        if (owner.metadata.deletionTimestamp) continue;
        await opts.patch(ns, name, { metadata: { ownerReferences: [{ $patch: 'delete', uid }], uid: obj.metadata.uid } });
        continue;
      }
      if (owner.metadata.deletionTimestamp || obj.metadata.deletionTimestamp || !selector.matches(obj.metadata.labels)) continue;
      adoptable ??= opts.canAdopt();
      await adoptable;
      const adopted = await opts.patch(ns, name, { metadata: { ownerReferences: [opts.controllerRef], uid: obj.metadata.uid } });
      claimed.push(adopted);
    } catch (err) {
      if (isStatus(err, 404)) continue;
      if (ref && isStatus(err, 422)) continue;
      errors.add((err as Error)?.message ?? String(err));
    }
  }
  if (errors.size) throw new Error([...errors].join('; '));
  return claimed;
}
