// The annotations the controller keeps on ReplicaSets and Deployments (deployment_util.go).
import type { Deployment, ReplicaSet } from '../../../../api/apps/v1/types.js';
import {
  DeprecatedRollbackTo,
  DesiredReplicasAnnotation,
  LastAppliedConfigAnnotation,
  MaxReplicasAnnotation,
  RevisionAnnotation,
  RevisionHistoryAnnotation,
} from '../types.js';
import { maxSurge, replicasOf } from './intstr.js';

/** Annotations that belong to the object they are on and are never copied across. */
const ANNOTATIONS_TO_SKIP = new Set([
  LastAppliedConfigAnnotation,
  RevisionAnnotation,
  RevisionHistoryAnnotation,
  DesiredReplicasAnnotation,
  MaxReplicasAnnotation,
  DeprecatedRollbackTo,
]);

export function skipCopyAnnotation(key: string): boolean {
  return ANNOTATIONS_TO_SKIP.has(key);
}

function annotationsOf(obj: { metadata: { annotations?: Record<string, string> } }): Record<string, string> {
  return (obj.metadata.annotations ??= {});
}

/** copyDeploymentAnnotationsToReplicaSet: the Deployment's own annotations go onto its ReplicaSets. */
export function copyDeploymentAnnotationsToReplicaSet(d: Deployment, rs: ReplicaSet): boolean {
  let changed = false;
  const rsAnn = annotationsOf(rs);
  for (const [k, v] of Object.entries(d.metadata.annotations ?? {})) {
    if (skipCopyAnnotation(k) || rsAnn[k] === v) continue;
    rsAnn[k] = v;
    changed = true;
  }
  return changed;
}

/** SetReplicasAnnotations: desired-replicas and max-replicas (replicas + maxSurge). */
export function setReplicasAnnotations(rs: ReplicaSet, desired: number, max: number): boolean {
  const ann = annotationsOf(rs);
  const d = String(desired);
  const m = String(max);
  if (ann[DesiredReplicasAnnotation] === d && ann[MaxReplicasAnnotation] === m) return false;
  ann[DesiredReplicasAnnotation] = d;
  ann[MaxReplicasAnnotation] = m;
  return true;
}

export function replicasAnnotationsNeedUpdate(rs: ReplicaSet, desired: number, max: number): boolean {
  const ann = rs.metadata.annotations ?? {};
  return ann[DesiredReplicasAnnotation] !== String(desired) || ann[MaxReplicasAnnotation] !== String(max);
}

export function getDesiredReplicasAnnotation(rs: ReplicaSet): number | undefined {
  return intAnnotation(rs, DesiredReplicasAnnotation);
}

export function getMaxReplicasAnnotation(rs: ReplicaSet): number | undefined {
  return intAnnotation(rs, MaxReplicasAnnotation);
}

function intAnnotation(rs: ReplicaSet, key: string): number | undefined {
  const v = rs.metadata.annotations?.[key];
  if (v === undefined || !/^-?\d+$/.test(v)) return undefined;
  return Number(v);
}

/**
 * SetNewReplicaSetAnnotations: copies the Deployment's annotations, raises the
 * revision (remembering the old one in revision-history), and on creation sets
 * the replicas annotations. True when anything changed.
 */
export function setNewReplicaSetAnnotations(d: Deployment, rs: ReplicaSet, newRevision: string, exists: boolean): boolean {
  let changed = copyDeploymentAnnotationsToReplicaSet(d, rs);
  const ann = annotationsOf(rs);
  const oldRevision = ann[RevisionAnnotation];
  let oldRevisionInt = 0;
  if (oldRevision !== undefined) {
    if (!/^-?\d+$/.test(oldRevision)) return false; // upstream: unparseable revision, leave it alone
    oldRevisionInt = Number(oldRevision);
  }
  const newRevisionInt = Number(newRevision);
  if (!Number.isFinite(newRevisionInt)) return false;
  if (oldRevisionInt < newRevisionInt) {
    ann[RevisionAnnotation] = newRevision;
    changed = true;
    if (oldRevision !== undefined) {
      const history = ann[RevisionHistoryAnnotation];
      ann[RevisionHistoryAnnotation] = history ? `${history},${oldRevision}` : oldRevision;
    }
  }
  if (!exists && setReplicasAnnotations(rs, replicasOf(d), replicasOf(d) + maxSurge(d))) changed = true;
  return changed;
}

/** SetDeploymentRevision: the Deployment carries its new ReplicaSet's revision. */
export function setDeploymentRevision(d: Deployment, revision: string): boolean {
  const ann = annotationsOf(d);
  if (ann[RevisionAnnotation] === revision) return false;
  ann[RevisionAnnotation] = revision;
  return true;
}
