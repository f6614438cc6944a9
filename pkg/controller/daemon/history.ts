// ControllerRevisions as the DaemonSet controller keeps them (update.go): the
// revision's data is the patch `{"spec":{"template":{..., "$patch":"replace"}}}`,
// its name `<ds>-<hash>` with the hash of the pod template (and the collision
// count), its labels the template's plus controller-revision-hash.
import { newControllerRef } from '../../client/controllerutil.js';
import { CONTROLLER_REVISION_GVK, DAEMONSET_GVK, type ControllerRevision, type DaemonSet } from './types.js';
import { DAEMONSET_UNIQUE_LABEL_KEY } from './util/daemonset_util.js';

/** JSON with sorted keys, so equal data always serialises (and hashes) alike. */
export function canonicalJSON(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJSON).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o).filter((k) => o[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJSON(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/** Go's hash/fnv New32a (FNV-1a, 32 bit), continuing from h. */
function fnv32a(bytes: Uint8Array, h = 0x811c9dc5): number {
  for (const b of bytes) h = Math.imul((h ^ b) >>> 0, 0x01000193) >>> 0;
  return h >>> 0;
}

/** rand.SafeEncodeString's alphabet: no vowels and no look-alikes, so hashes never spell words. */
const ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';

/**
 * controller.ComputeHash: FNV-1a over the pod template (canonical JSON here;
 * upstream prints the Go struct) then the collision count, safe-encoded.
 */
export function computeHash(template: unknown, collisionCount?: number): string {
  const enc = new TextEncoder();
  let h = fnv32a(enc.encode(canonicalJSON(template ?? {})));
  if (collisionCount !== undefined) h = fnv32a(enc.encode(String(collisionCount)), h);
  const s = String(h);
  let out = '';
  for (let i = 0; i < s.length; i++) out += ALPHANUMS[s.charCodeAt(i) % ALPHANUMS.length];
  return out;
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
