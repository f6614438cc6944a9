// ControllerRevisions as the DaemonSet controller keeps them (update.go): the
// revision's data is the patch `{"spec":{"template":{..., "$patch":"replace"}}}`,
// its name `<ds>-<hash>` with the hash of the pod template (and the collision
// count), its labels the template's plus controller-revision-hash.
import type { ControllerRevision, DaemonSet } from '../../../api/apps/v1/types.js';
import { newControllerRef } from '../../client/controllerutil.js';
import { CONTROLLER_REVISION_GVK, DAEMONSET_GVK } from './types.js';
import { DAEMONSET_UNIQUE_LABEL_KEY } from './util/daemonset_util.js';
import { canonicalJSON, fnv32a, safeEncodeString } from '../../util/hash.js';

/**
 * controller.ComputeHash: FNV-1a over the pod template (canonical JSON here;
 * upstream prints the Go struct) then the collision count, safe-encoded.
 */
export function computeHash(template: unknown, collisionCount?: number): string {
  const enc = new TextEncoder();
  let h = fnv32a(enc.encode(canonicalJSON(template ?? {})));
  if (collisionCount !== undefined) h = fnv32a(enc.encode(String(collisionCount)), h);
  return safeEncodeString(String(h));
}

/** getPatch: the part of the DaemonSet a revision records. */
export function getPatch(ds: DaemonSet): { spec: { template: Record<string, unknown> } } {
  const template = structuredClone((ds.spec.template ?? {}) as Record<string, unknown>);
  template.$patch = 'replace';
  return { spec: { template } };
}

/** Match: does the revision record this DaemonSet's current template? */
export function revisionMatches(ds: DaemonSet, rev: ControllerRevision): boolean {
  return canonicalJSON(getPatch(ds)) === canonicalJSON(rev.data);
}

/** The ControllerRevision snapshot() creates for the DaemonSet's current template. */
export function newRevision(ds: DaemonSet, revision: number): ControllerRevision {
  const hash = computeHash(ds.spec.template, ds.status?.collisionCount);
  const name = `${ds.metadata.name ?? ''}-${hash}`;
  return {
    ...CONTROLLER_REVISION_GVK,
    metadata: {
      name,
      namespace: ds.metadata.namespace,
      labels: { ...(ds.spec.template?.metadata?.labels ?? {}), [DAEMONSET_UNIQUE_LABEL_KEY]: hash },
      ...(ds.metadata.annotations ? { annotations: { ...ds.metadata.annotations } } : {}),
      ownerReferences: [newControllerRef(ds, DAEMONSET_GVK)],
    },
    data: getPatch(ds),
    revision,
  };
}

export function maxRevision(revs: ControllerRevision[]): number {
  return revs.reduce((m, r) => Math.max(m, r.revision ?? 0), 0);
}

/** history.ByRevision: oldest first. */
export function sortByRevision(revs: ControllerRevision[]): ControllerRevision[] {
  return [...revs].sort((a, b) => (a.revision ?? 0) - (b.revision ?? 0) || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
}

/**
 * The old revisions cleanupHistory deletes: beyond revisionHistoryLimit, oldest
 * first, never one whose hash a live pod still carries.
 */
export function revisionsToDelete(old: ControllerRevision[], limit: number, liveHashes: Set<string>): ControllerRevision[] {
  let toKill = old.length - limit;
  const out: ControllerRevision[] = [];
  for (const rev of sortByRevision(old)) {
    if (toKill <= 0) break;
    if (liveHashes.has(rev.metadata.labels?.[DAEMONSET_UNIQUE_LABEL_KEY] ?? '')) continue;
    out.push(rev);
    toKill--;
  }
  return out;
}
