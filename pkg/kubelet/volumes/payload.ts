// What the ConfigMap, Secret, downward API and projected volumes hold: each
// turns its source into a payload (path → bytes + mode) for the atomic writer,
// with upstream's MakePayload/CollectData rules and messages.
import type {
  ConfigMap,
  DownwardAPIVolumeFile,
  KeyToPath,
  Pod,
  ProjectedVolumeSource,
  Secret,
  ServiceAccountTokenProjection,
} from '../../../api/core/v1/types.js';
import type { ResourceList } from '../types.js';
import { metadataFieldValue, resourceFieldValue } from '../envvars.js';
import type { FileProjection, Payload } from './atomic_writer.js';
import type { VolumeLookup } from './types.js';

/** The apiserver's default for defaultMode (0644, 420 in decimal). */
export const DEFAULT_MODE = 0o644;

function entry(data: Buffer, mode: number): FileProjection {
  return { data, mode };
}

/** configmap.MakePayload: every key (data and binaryData), or just the listed items. */
export function configMapPayload(items: KeyToPath[] | undefined, cm: ConfigMap, defaultMode: number, optional: boolean): Payload {
  const payload: Payload = new Map();
  if (!items || items.length === 0) {
    for (const [k, v] of Object.entries(cm.data ?? {})) payload.set(k, entry(Buffer.from(v, 'utf8'), defaultMode));
    for (const [k, v] of Object.entries(cm.binaryData ?? {})) payload.set(k, entry(Buffer.from(v, 'base64'), defaultMode));
    return payload;
  }
  for (const ktp of items) {
    let data: Buffer;
    if (cm.data && Object.prototype.hasOwnProperty.call(cm.data, ktp.key)) data = Buffer.from(cm.data[ktp.key], 'utf8');
    else if (cm.binaryData && Object.prototype.hasOwnProperty.call(cm.binaryData, ktp.key)) data = Buffer.from(cm.binaryData[ktp.key], 'base64');
    else if (optional) continue;
    else throw new Error(`configmap references non-existent config key: ${ktp.key}`);
    payload.set(ktp.path, entry(data, ktp.mode ?? defaultMode));
  }
  return payload;
}

/** secret.MakePayload: every key, or just the listed items (data is base64 on the wire). */
export function secretPayload(items: KeyToPath[] | undefined, secret: Secret, defaultMode: number, optional: boolean): Payload {
  const payload: Payload = new Map();
  const data = secret.data ?? {};
  if (!items || items.length === 0) {
    for (const [k, v] of Object.entries(data)) payload.set(k, entry(Buffer.from(v, 'base64'), defaultMode));
    return payload;
  }
  for (const ktp of items) {
    if (!Object.prototype.hasOwnProperty.call(data, ktp.key)) {
      if (optional) continue;
      throw new Error(`references non-existent secret key: ${ktp.key}`);
    }
    payload.set(ktp.path, entry(Buffer.from(data[ktp.key], 'base64'), ktp.mode ?? defaultMode));
  }
  return payload;
}

/** downwardapi.CollectData: metadata fields and container resources, one file per item. */
export function downwardAPIPayload(items: DownwardAPIVolumeFile[] | undefined, pod: Pod, defaultMode: number, nodeAllocatable?: ResourceList): Payload {
  const payload: Payload = new Map();
  const errors: string[] = [];
  for (const item of items ?? []) {
    let value = '';
    try {
      if (item.fieldRef) value = metadataFieldValue(pod, item.fieldRef.fieldPath);
      else if (item.resourceFieldRef) value = resourceFieldValue(item.resourceFieldRef, pod, undefined, nodeAllocatable);
    } catch (err) {
      errors.push((err as Error).message);
    }
    payload.set(item.path, entry(Buffer.from(value, 'utf8'), item.mode ?? defaultMode));
  }
  if (errors.length > 0) throw new Error(errors.length === 1 ? errors[0] : `[${errors.join(', ')}]`);
  return payload;
}

export type TokenGetter = (projection: ServiceAccountTokenProjection) => Promise<string>;

/**
 * projected collectData: the sources in order, later ones overwriting earlier
 * paths; every source's error is collected so one message names them all.
 */
export async function projectedPayload(
  source: ProjectedVolumeSource,
  pod: Pod,
  lookup: VolumeLookup,
  token: TokenGetter,
  nodeAllocatable?: ResourceList,
): Promise<Payload> {
  const ns = pod.metadata.namespace ?? 'default';
  const mode = source.defaultMode ?? DEFAULT_MODE;
  const payload: Payload = new Map();
  const errors: string[] = [];
  const merge = (p: Payload) => {
    for (const [k, v] of p) payload.set(k, v);
  };
  for (const s of source.sources ?? []) {
    try {
      if (s.secret) {
        const name = s.secret.name ?? '';
        const optional = s.secret.optional === true;
        const secret = await lookup.secret(ns, name);
        if (!secret && !optional) throw new Error(`secret "${name}" not found`);
        merge(secretPayload(s.secret.items, secret ?? { metadata: { name, namespace: ns } }, mode, optional));
      } else if (s.configMap) {
        const name = s.configMap.name ?? '';
        const optional = s.configMap.optional === true;
        const cm = await lookup.configMap(ns, name);
        if (!cm && !optional) throw new Error(`configmap "${name}" not found`);
        merge(configMapPayload(s.configMap.items, cm ?? { metadata: { name, namespace: ns } }, mode, optional));
      } else if (s.downwardAPI) {
        merge(downwardAPIPayload(s.downwardAPI.items, pod, mode, nodeAllocatable));
      } else if (s.serviceAccountToken) {
        payload.set(s.serviceAccountToken.path, entry(Buffer.from(await token(s.serviceAccountToken), 'utf8'), mode));
      } else if (s.clusterTrustBundle) {
        throw new Error('clusterTrustBundle projections are not supported by this kubelet');
      }
    } catch (err) {
      errors.push((err as Error).message);
    }
  }
  if (errors.length > 0) throw new Error(errors.length === 1 ? errors[0] : `[${errors.join(', ')}]`);
  return payload;
}
