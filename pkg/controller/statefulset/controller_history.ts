// pkg/controller/history: ControllerRevisions as a StatefulSet keeps them. A
// revision's name is `<set>-<hash>` where the hash covers the revision data (and
// the set's collisionCount, so a hash collision is resolved by bumping it).
import type { ControllerRevision } from '../../../api/apps/v1/types.js';
import type { KubeObject, OwnerReference } from '../../../api/meta/v1/types.js';
import { CONTROLLER_REVISION_GVK } from './types.js';
import { canonicalJSON, fnv32, safeEncodeString } from '../../util/hash.js';

/** history.ControllerRevisionHashLabel */
export const CONTROLLER_REVISION_HASH_LABEL = 'controller.kubernetes.io/hash';

/** history.HashControllerRevision: fnv32 over the data, then the collision count in decimal. */
export function hashControllerRevision(data: unknown, collisionCount?: number): string {
  const enc = new TextEncoder();
  let h = fnv32(enc.encode(canonicalJSON(data)));
  if (collisionCount !== undefined) h = fnv32(enc.encode(String(collisionCount)), h);
  return safeEncodeString(String(h));
}

/** history.ControllerRevisionName: the prefix is cut to 223 characters so the name stays valid. */
export function controllerRevisionName(prefix: string, hash: string): string {
  return `${prefix.length > 223 ? prefix.slice(0, 223) : prefix}-${hash}`;
}

/** history.NewControllerRevision. */
export function newControllerRevision(
  parent: KubeObject,
  parentKind: { apiVersion: string; kind: string },
  templateLabels: Record<string, string> | undefined,
  data: unknown,
  revision: number,
  collisionCount?: number,
): ControllerRevision {
  const hash = hashControllerRevision(data, collisionCount);
  const owner: OwnerReference = {
    apiVersion: parentKind.apiVersion,
    kind: parentKind.kind,
    name: parent.metadata.name ?? '',
    uid: parent.metadata.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
  return {
    ...CONTROLLER_REVISION_GVK,
    metadata: {
      name: controllerRevisionName(parent.metadata.name ?? '', hash),
      namespace: parent.metadata.namespace,
      labels: { ...(templateLabels ?? {}), [CONTROLLER_REVISION_HASH_LABEL]: hash },
      ...(parent.metadata.annotations ? { annotations: { ...parent.metadata.annotations } } : {}),
      ownerReferences: [owner],
    },
    data,
    revision,
  };
}

/** history.EqualRevision: same data (the hash label is only a shortcut upstream). */
export function equalRevision(a: ControllerRevision, b: ControllerRevision): boolean {
  return canonicalJSON(a.data) === canonicalJSON(b.data);
}

export function findEqualRevisions(revisions: ControllerRevision[], needle: ControllerRevision): ControllerRevision[] {
  return revisions.filter((r) => equalRevision(r, needle));
}

/** history.SortControllerRevisions: by revision number, then creation time, then name. */
export function sortControllerRevisions(revisions: ControllerRevision[]): ControllerRevision[] {
  return [...revisions].sort(
    (a, b) =>
      a.revision - b.revision ||
      (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '') ||
      (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''),
  );
}

/** nextRevision: one more than the highest revision number (1 when there are none). */
export function nextRevision(revisions: ControllerRevision[]): number {
  return revisions.reduce((m, r) => Math.max(m, r.revision), 0) + 1;
}
