// The volume sources the kubelet mounts, as on the wire (core/v1), and what the
// volume manager needs from the apiserver.
import type { KubeObject } from '../../../api/meta/v1/types.js';
import type { ObjectFieldSelector, ObjectLookup, Pod, ResourceFieldSelector } from '../types.js';

export interface KeyToPath {
  key: string;
  path: string;
  mode?: number;
}

export interface EmptyDirVolumeSource {
  medium?: '' | 'Memory' | string;
  sizeLimit?: string | number;
}
export type HostPathType = '' | 'DirectoryOrCreate' | 'Directory' | 'FileOrCreate' | 'File' | 'Socket' | 'CharDevice' | 'BlockDevice';
export interface HostPathVolumeSource {
  path: string;
  type?: HostPathType | string;
}
export interface ConfigMapVolumeSource {
  name?: string;
  items?: KeyToPath[];
  defaultMode?: number;
  optional?: boolean;
}
export interface SecretVolumeSource {
  secretName?: string;
  items?: KeyToPath[];
  defaultMode?: number;
  optional?: boolean;
}
export interface DownwardAPIVolumeFile {
  path: string;
  fieldRef?: ObjectFieldSelector;
  resourceFieldRef?: ResourceFieldSelector;
  mode?: number;
}
export interface DownwardAPIVolumeSource {
  items?: DownwardAPIVolumeFile[];
  defaultMode?: number;
}
export interface ServiceAccountTokenProjection {
  audience?: string;
  expirationSeconds?: number;
  path: string;
}
export interface VolumeProjection {
  configMap?: { name?: string; items?: KeyToPath[]; optional?: boolean };
  secret?: { name?: string; items?: KeyToPath[]; optional?: boolean };
  downwardAPI?: { items?: DownwardAPIVolumeFile[] };
  serviceAccountToken?: ServiceAccountTokenProjection;
  clusterTrustBundle?: unknown;
}
export interface ProjectedVolumeSource {
  sources?: VolumeProjection[] | null;
  defaultMode?: number;
}
export interface PersistentVolumeClaimVolumeSource {
  claimName: string;
  readOnly?: boolean;
}

/** The sources this kubelet supports; others are refused with a clear error. */
export interface VolumeSources {
  emptyDir?: EmptyDirVolumeSource;
  hostPath?: HostPathVolumeSource;
  configMap?: ConfigMapVolumeSource;
  secret?: SecretVolumeSource;
  downwardAPI?: DownwardAPIVolumeSource;
  projected?: ProjectedVolumeSource;
  persistentVolumeClaim?: PersistentVolumeClaimVolumeSource;
}

export interface PersistentVolumeClaim extends KubeObject {
  spec?: { volumeName?: string; [field: string]: unknown };
  status?: { phase?: string; [field: string]: unknown };
}

export interface PersistentVolume extends KubeObject {
  spec?: {
    local?: { path: string };
    hostPath?: { path: string; type?: string };
    [field: string]: unknown;
  };
  status?: { phase?: string; [field: string]: unknown };
}

/** ObjectLookup plus the claims and volumes persistentVolumeClaim volumes resolve through. */
export interface VolumeLookup extends ObjectLookup {
  persistentVolumeClaim?(namespace: string, name: string): Promise<PersistentVolumeClaim | undefined>;
  persistentVolume?(name: string): Promise<PersistentVolume | undefined>;
}

/** Requests a service account token for the pod (TokenRequest); see token.ts. */
export type TokenSource = (pod: Pod, projection: ServiceAccountTokenProjection) => Promise<{ token: string; expirationTimestamp?: string }>;
