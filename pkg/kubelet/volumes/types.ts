// What the volume manager needs beyond the API types: the volume sources it
// supports and how it reaches the apiserver for claims, volumes and tokens.
import type { PersistentVolume, PersistentVolumeClaim, Pod, ServiceAccountTokenProjection, Volume } from '../../../api/core/v1/types.js';
import type { ObjectLookup } from '../types.js';

/** The sources this kubelet supports; others are refused with a clear error. */
export type VolumeSources = Pick<Volume, 'emptyDir' | 'hostPath' | 'configMap' | 'secret' | 'downwardAPI' | 'projected' | 'persistentVolumeClaim'>;

/** ObjectLookup plus the claims and volumes persistentVolumeClaim volumes resolve through. */
export interface VolumeLookup extends ObjectLookup {
  persistentVolumeClaim?(namespace: string, name: string): Promise<PersistentVolumeClaim | undefined>;
  persistentVolume?(name: string): Promise<PersistentVolume | undefined>;
}

/** Requests a service account token for the pod (TokenRequest); see token.ts. */
export type TokenSource = (pod: Pod, projection: ServiceAccountTokenProjection) => Promise<{ token: string; expirationTimestamp?: string }>;
