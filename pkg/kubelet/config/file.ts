// Static pods from --pod-manifest-path (upstream config/file.go and common.go):
// every *.yaml, *.yml or *.json file holds one Pod (or a v1 List of them). Each
// pod is bound to this node, named <name>-<node>, and given a UID hashed from the
// node, the file and the content, so the same manifest keeps its UID across
// kubelet restarts (its containers are adopted) and an edited one gets a new UID
// (it is replaced).
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { setDefaultsPod } from '../../../api/core/v1/defaults.js';
import { canonicalJSON } from '../../util/hash.js';
import { rfc3339 } from '../format.js';
import type { Pod } from '../../../api/core/v1/types.js';

export const CONFIG_SOURCE_ANNOTATION = 'kubernetes.io/config.source';
export const CONFIG_HASH_ANNOTATION = 'kubernetes.io/config.hash';
export const CONFIG_SEEN_ANNOTATION = 'kubernetes.io/config.seen';
export const CONFIG_MIRROR_ANNOTATION = 'kubernetes.io/config.mirror';

export function isStaticPod(pod: Pod): boolean {
  const src = pod.metadata.annotations?.[CONFIG_SOURCE_ANNOTATION];
  return src !== undefined && src !== 'api';
}

export function isMirrorPod(pod: Pod): boolean {
  return pod.metadata.annotations?.[CONFIG_MIRROR_ANNOTATION] !== undefined;
}

/** Turns a manifest's pod into the static pod this node runs (upstream applyDefaults). */
export function staticPodFromManifest(raw: Pod, nodeName: string, source: string, seen = new Date()): Pod {
  if (raw.kind && raw.kind !== 'Pod') throw new Error(`${source}: kind ${raw.kind} is not a Pod`);
  if (!raw.metadata?.name) throw new Error(`${source}: the pod has no metadata.name`);
  const pod = JSON.parse(JSON.stringify(raw)) as Pod;
  pod.apiVersion = 'v1';
  pod.kind = 'Pod';
  pod.metadata.namespace ||= 'default';
  pod.metadata.name = `${pod.metadata.name}-${nodeName.toLowerCase()}`;
  pod.spec ??= { containers: [] };
  pod.spec.nodeName = nodeName;
  const namedAccount = pod.spec.serviceAccountName || pod.spec.serviceAccount;
  setDefaultsPod(pod);
  // The default service account is the apiserver's ServiceAccount admission, which skips mirror
  // pods: a static pod names one only when its manifest does (and NodeRestriction then refuses its mirror).
  if (!namedAccount) {
    delete pod.spec.serviceAccountName;
    delete pod.spec.serviceAccount;
  }
  delete pod.status;
  delete pod.metadata.uid;
  delete pod.metadata.resourceVersion;
  const h = createHash('md5');
  h.update(`host:${nodeName}`);
  h.update(`file:${source}`);
  h.update(canonicalJSON(pod));
  const uid = h.digest('hex');
  pod.metadata.uid = uid;
  pod.metadata.annotations = {
    ...(pod.metadata.annotations ?? {}),
    [CONFIG_HASH_ANNOTATION]: uid,
    [CONFIG_SEEN_ANNOTATION]: rfc3339(seen),
    [CONFIG_SOURCE_ANNOTATION]: 'file',
  };
  // Static pods tolerate every NoExecute taint: nothing may evict them from their own node.
  const tolerations = pod.spec.tolerations ?? [];
  if (!tolerations.some((t) => t.operator === 'Exists' && t.effect === 'NoExecute' && !t.key)) tolerations.push({ operator: 'Exists', effect: 'NoExecute' });
  pod.spec.tolerations = tolerations;
  return pod;
}

/** Pods in one manifest text (YAML documents or JSON; a v1 List is expanded). */
export function parseManifest(text: string, source: string): Pod[] {
  const out: Pod[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length) throw new Error(`${source}: ${doc.errors[0].message}`);
    const v = doc.toJSON() as (Pod & { items?: Pod[] }) | null;
    if (!v) continue;
    if (v.kind === 'List' || v.kind === 'PodList') out.push(...(v.items ?? []));
    else out.push(v);
  }
  return out;
}

export interface ManifestReadResult {
  pods: Pod[];
  errors: string[];
}

/** Reads every manifest in dir (dot-files and other extensions are skipped, as upstream). */
export function readManifestDir(dir: string, nodeName: string): ManifestReadResult {
  const pods: Pod[] = [];
  const errors: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { pods, errors };
    return { pods, errors: [`reading ${dir}: ${(err as Error).message}`] };
  }
  for (const name of names) {
    if (name.startsWith('.') || !['.yaml', '.yml', '.json'].includes(extname(name))) continue;
    const path = join(dir, name);
    try {
      if (!statSync(path).isFile()) continue;
      for (const raw of parseManifest(readFileSync(path, 'utf8'), path)) pods.push(staticPodFromManifest(raw, nodeName, path));
    } catch (err) {
      errors.push((err as Error).message);
    }
  }
  return { pods, errors };
}
