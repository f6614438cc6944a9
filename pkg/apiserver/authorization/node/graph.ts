// Which objects each node's pods use: the node authorizer's graph (upstream's
// plugin/pkg/auth/authorizer/node/graph.go and graph_populator.go), kept from
// the registry's pod and persistent volume caches. A pod bound to a node links
// that node to its secrets, config maps, claims and service account; a
// persistent volume is linked through the claim it is bound to. Counts per node
// let two pods share an object and either be removed.
import type { PersistentVolume, Pod } from '../../../../api/core/v1/types.js';
import type { KubeObject } from '../../../../api/meta/v1/types.js';
import type { CacheInformerHandlers } from '../../../registry/cacheinformer.js';

export type VertexType = 'secret' | 'configmap' | 'persistentvolumeclaim' | 'serviceaccount';

function vertex(type: VertexType, namespace: string, name: string): string {
  return `${type}\u0000${namespace}\u0000${name}`;
}

/** Every object a pod uses, as graph vertices (upstream's AddPod edges). */
export function podReferences(pod: Pod): string[] {
  const ns = pod.metadata.namespace ?? '';
  const out = new Set<string>();
  const secret = (name: string | undefined) => name && out.add(vertex('secret', ns, name));
  const configMap = (name: string | undefined) => name && out.add(vertex('configmap', ns, name));
  const spec = pod.spec;
  if (spec.serviceAccountName) out.add(vertex('serviceaccount', ns, spec.serviceAccountName));
  for (const s of spec.imagePullSecrets ?? []) secret(s.name);
  for (const v of spec.volumes ?? []) {
    secret(v.secret?.secretName);
    configMap(v.configMap?.name);
    for (const p of v.projected?.sources ?? []) {
      secret(p.secret?.name);
      configMap(p.configMap?.name);
    }
    for (const ref of [v.azureFile?.secretName, v.cephfs?.secretRef?.name, v.cinder?.secretRef?.name, v.flexVolume?.secretRef?.name]) secret(ref);
    for (const ref of [v.iscsi?.secretRef?.name, v.rbd?.secretRef?.name, v.scaleIO?.secretRef?.name, v.storageos?.secretRef?.name]) secret(ref);
    secret(v.csi?.nodePublishSecretRef?.name);
    if (v.persistentVolumeClaim?.claimName) out.add(vertex('persistentvolumeclaim', ns, v.persistentVolumeClaim.claimName));
    // A generic ephemeral volume's claim is named <pod>-<volume>.
    if (v.ephemeral) out.add(vertex('persistentvolumeclaim', ns, `${pod.metadata.name ?? ''}-${v.name}`));
  }
  for (const c of [...(spec.initContainers ?? []), ...spec.containers, ...(spec.ephemeralContainers ?? [])]) {
    for (const e of c.envFrom ?? []) {
      secret(e.secretRef?.name);
      configMap(e.configMapRef?.name);
    }
    for (const e of c.env ?? []) {
      secret(e.valueFrom?.secretKeyRef?.name);
      configMap(e.valueFrom?.configMapKeyRef?.name);
    }
  }
  return [...out];
}

interface PodEntry {
  node: string;
  refs: string[];
}

export class NodeGraph {
  private readonly pods = new Map<string, PodEntry>(); // namespace/name
  private readonly byNode = new Map<string, Map<string, number>>();
  /** Persistent volume name → the claim vertex it is bound to. */
  private readonly volumeClaims = new Map<string, string>();

  /** Whether a pod bound to node uses the object. */
  hasPathFrom(node: string, type: VertexType, namespace: string, name: string): boolean {
    return (this.byNode.get(node)?.get(vertex(type, namespace, name)) ?? 0) > 0;
  }

  /** Whether the persistent volume is bound to a claim a pod on node uses. */
  hasVolumePath(node: string, volume: string): boolean {
    const claim = this.volumeClaims.get(volume);
    return claim !== undefined && (this.byNode.get(node)?.get(claim) ?? 0) > 0;
  }

  private add(node: string, refs: string[], delta: 1 | -1): void {
    let counts = this.byNode.get(node);
    if (!counts) this.byNode.set(node, (counts = new Map()));
    for (const r of refs) {
      const n = (counts.get(r) ?? 0) + delta;
      if (n > 0) counts.set(r, n);
      else counts.delete(r);
    }
    if (counts.size === 0) this.byNode.delete(node);
  }

  upsertPod(pod: Pod): void {
    this.deletePod(pod);
    const node = pod.spec?.nodeName;
    if (!node) return; // not scheduled: no node may see its objects yet
    const entry = { node, refs: podReferences(pod) };
    this.pods.set(`${pod.metadata.namespace ?? ''}/${pod.metadata.name ?? ''}`, entry);
    this.add(node, entry.refs, 1);
  }

  deletePod(pod: KubeObject): void {
    const key = `${pod.metadata.namespace ?? ''}/${pod.metadata.name ?? ''}`;
    const entry = this.pods.get(key);
    if (!entry) return;
    this.pods.delete(key);
    this.add(entry.node, entry.refs, -1);
  }

  upsertVolume(pv: PersistentVolume): void {
    const ref = pv.spec?.claimRef;
    const name = pv.metadata.name ?? '';
    if (ref?.name) this.volumeClaims.set(name, vertex('persistentvolumeclaim', ref.namespace ?? '', ref.name));
    else this.volumeClaims.delete(name);
  }

  deleteVolume(pv: KubeObject): void {
    this.volumeClaims.delete(pv.metadata.name ?? '');
  }

  podHandlers(): CacheInformerHandlers {
    return {
      onReplace: (objects) => {
        this.pods.clear();
        this.byNode.clear();
        for (const o of objects) this.upsertPod(o as Pod);
      },
      onEvent: (type, obj) => (type === 'DELETED' ? this.deletePod(obj) : this.upsertPod(obj as Pod)),
    };
  }

  volumeHandlers(): CacheInformerHandlers {
    return {
      onReplace: (objects) => {
        this.volumeClaims.clear();
        for (const o of objects) this.upsertVolume(o as PersistentVolume);
      },
      onEvent: (type, obj) => (type === 'DELETED' ? this.deleteVolume(obj) : this.upsertVolume(obj as PersistentVolume)),
    };
  }
}
