// The slices of apps/v1 StatefulSet, apps/v1 ControllerRevision and core/v1
// Pod / PersistentVolumeClaim this controller reads and writes.
import type { KubeObject, ObjectMeta } from '../../../api/meta/v1/types.js';
import type { LabelSelector } from '../../../api/labels/selector.js';

export interface PodCondition {
  type: string;
  status: string;
  lastTransitionTime?: string;
}

export interface Volume {
  name: string;
  persistentVolumeClaim?: { claimName: string; readOnly?: boolean };
  [source: string]: unknown;
}

export interface PodSpec {
  hostname?: string;
  subdomain?: string;
  nodeName?: string;
  volumes?: Volume[];
  [field: string]: unknown;
}

export interface Pod extends KubeObject {
  spec?: PodSpec;
  status?: { phase?: string; conditions?: PodCondition[]; [field: string]: unknown };
}

export interface PodTemplateSpec {
  metadata?: ObjectMeta;
  spec?: PodSpec;
}

export interface PersistentVolumeClaim extends KubeObject {
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
}

export type PodManagementPolicy = 'OrderedReady' | 'Parallel';
export type RetentionPolicy = 'Retain' | 'Delete';

export interface StatefulSetSpec {
  replicas?: number;
  selector?: LabelSelector;
  template?: PodTemplateSpec;
  volumeClaimTemplates?: PersistentVolumeClaim[];
  serviceName?: string;
  podManagementPolicy?: PodManagementPolicy;
  updateStrategy?: { type?: 'RollingUpdate' | 'OnDelete'; rollingUpdate?: { partition?: number; maxUnavailable?: number | string } };
  revisionHistoryLimit?: number;
  minReadySeconds?: number;
  persistentVolumeClaimRetentionPolicy?: { whenDeleted?: RetentionPolicy; whenScaled?: RetentionPolicy };
  ordinals?: { start?: number };
}

export interface StatefulSetCondition {
  type: string;
  status: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export interface StatefulSetStatus {
  observedGeneration?: number;
  replicas: number;
  readyReplicas?: number;
  currentReplicas?: number;
  updatedReplicas?: number;
  availableReplicas?: number;
  currentRevision?: string;
  updateRevision?: string;
  collisionCount?: number;
  conditions?: StatefulSetCondition[];
}

export interface StatefulSet extends KubeObject {
  spec: StatefulSetSpec;
  status?: StatefulSetStatus;
}

export interface ControllerRevision extends KubeObject {
  data?: unknown;
  revision: number;
}

export const STATEFULSET_GVK = { apiVersion: 'apps/v1', kind: 'StatefulSet' } as const;
export const CONTROLLER_REVISION_GVK = { apiVersion: 'apps/v1', kind: 'ControllerRevision' } as const;
export const POD_GVK = { apiVersion: 'v1', kind: 'Pod' } as const;

/** apps.StatefulSetPodNameLabel */
export const STATEFULSET_POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';
/** apps.PodIndexLabel */
export const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';
/** apps.StatefulSetRevisionLabel (= ControllerRevisionHashLabelKey) */
export const STATEFULSET_REVISION_LABEL = 'controller-revision-hash';
