// Finding, ordering and counting a Deployment's ReplicaSets (deployment_util.go).
import type { PodTemplateSpec } from '../../../../api/core/v1/types.js';
import type { Deployment, ReplicaSet } from '../../../../api/apps/v1/types.js';
import { isDeepStrictEqual } from 'node:util';
import { DefaultDeploymentUniqueLabelKey, RevisionAnnotation } from '../types.js';

export function rsReplicas(rs: ReplicaSet): number {
  return rs.spec.replicas ?? 1;
}

/**
 * Drops null, undefined, empty objects and empty arrays: what Go's decoding and
 * Semantic.DeepEqual make equal (`creationTimestamp: null`, `resources: {}`,
 * `labels: {}` and their absence), so templates written by kubectl compare equal.
 */
export function prune(v: unknown): unknown {
  if (v === null) return undefined;
  if (Array.isArray(v)) return v.length ? v.map(prune) : undefined;
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      const p = prune(x);
      if (p !== undefined) out[k] = p;
    }
    return Object.keys(out).length ? out : undefined;
  }
  return v;
}

export function semanticEqual(a: unknown, b: unknown): boolean {
  return isDeepStrictEqual(prune(a), prune(b));
}

/** EqualIgnoreHash: the templates are equal once pod-template-hash is left out of their labels. */
export function equalIgnoreHash(t1: PodTemplateSpec | undefined, t2: PodTemplateSpec | undefined): boolean {
  const strip = (t: PodTemplateSpec | undefined): PodTemplateSpec => {
    const c = structuredClone(t ?? {});
    if (c.metadata?.labels) delete c.metadata.labels[DefaultDeploymentUniqueLabelKey];
    return c;
  };
  return semanticEqual(strip(t1), strip(t2));
}

function creationMs(rs: ReplicaSet): number {
  return rs.metadata.creationTimestamp ? Date.parse(rs.metadata.creationTimestamp) : 0;
}

/** ReplicaSetsByCreationTimestamp: oldest first, ties by name. */
export function byCreationTimestamp(a: ReplicaSet, b: ReplicaSet): number {
  const d = creationMs(a) - creationMs(b);
  if (d !== 0) return d;
  return (a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : (a.metadata.name ?? '') > (b.metadata.name ?? '') ? 1 : 0;
}

/** ReplicaSetsBySizeNewer: larger first, then newer first. */
export function bySizeNewer(a: ReplicaSet, b: ReplicaSet): number {
  if (rsReplicas(a) === rsReplicas(b)) return byCreationTimestamp(b, a);
  return rsReplicas(b) - rsReplicas(a);
}

/** ReplicaSetsBySizeOlder: larger first, then older first. */
export function bySizeOlder(a: ReplicaSet, b: ReplicaSet): number {
  if (rsReplicas(a) === rsReplicas(b)) return byCreationTimestamp(a, b);
  return rsReplicas(b) - rsReplicas(a);
}

export function revision(obj: { metadata: { annotations?: Record<string, string> } }): number {
  const v = obj.metadata.annotations?.[RevisionAnnotation];
  const n = v === undefined ? 0 : Number.parseInt(v, 10);
  return Number.isFinite(n) ? n : 0;
}

/** ReplicaSetsByRevision: lowest revision first, ties by creation. */
export function byRevision(a: ReplicaSet, b: ReplicaSet): number {
  const d = revision(a) - revision(b);
  return d !== 0 ? d : byCreationTimestamp(a, b);
}

export function maxRevision(rss: ReplicaSet[]): number {
  return rss.reduce((m, rs) => Math.max(m, revision(rs)), 0);
}

/** FindNewReplicaSet: the oldest ReplicaSet whose template equals the Deployment's. */
export function findNewReplicaSet(d: Deployment, rsList: ReplicaSet[]): ReplicaSet | undefined {
  return [...rsList].sort(byCreationTimestamp).find((rs) => equalIgnoreHash(rs.spec.template, d.spec.template));
}

/** FindOldReplicaSets: every other ReplicaSet (all) and those of them with replicas (required). */
export function findOldReplicaSets(d: Deployment, rsList: ReplicaSet[]): { required: ReplicaSet[]; all: ReplicaSet[] } {
  const newRS = findNewReplicaSet(d, rsList);
  const all = rsList.filter((rs) => !newRS || rs.metadata.uid !== newRS.metadata.uid);
  return { required: all.filter((rs) => rsReplicas(rs) !== 0), all };
}

export function filterActive(rss: (ReplicaSet | undefined)[]): ReplicaSet[] {
  return rss.filter((rs): rs is ReplicaSet => rs !== undefined && rsReplicas(rs) > 0);
}

const sum = (rss: (ReplicaSet | undefined)[], f: (rs: ReplicaSet) => number) => rss.reduce((n, rs) => n + (rs ? f(rs) : 0), 0);
/** GetReplicaCountForReplicaSets: spec.replicas. */
export const replicaCount = (rss: (ReplicaSet | undefined)[]) => sum(rss, rsReplicas);
/** GetActualReplicaCountForReplicaSets: status.replicas. */
export const actualReplicaCount = (rss: (ReplicaSet | undefined)[]) => sum(rss, (rs) => rs.status?.replicas ?? 0);
export const readyReplicaCount = (rss: (ReplicaSet | undefined)[]) => sum(rss, (rs) => rs.status?.readyReplicas ?? 0);
export const availableReplicaCount = (rss: (ReplicaSet | undefined)[]) => sum(rss, (rs) => rs.status?.availableReplicas ?? 0);

/** FindActiveOrLatest: the only ReplicaSet with replicas, or the newest when none has any; undefined when several do. */
export function findActiveOrLatest(newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): ReplicaSet | undefined {
  if (!newRS && oldRSs.length === 0) return undefined;
  const newestFirst = [...oldRSs].sort((a, b) => byCreationTimestamp(b, a));
  const active = filterActive([...newestFirst, newRS]);
  if (active.length === 0) return newRS ?? newestFirst[0];
  if (active.length === 1) return active[0];
  return undefined;
}
