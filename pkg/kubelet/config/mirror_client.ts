// Mirror pods (upstream pod/mirror_client.go): the apiserver's view of a static
// pod — a copy carrying kubernetes.io/config.mirror=<static pod hash>, owned by the
// Node. The kubelet creates it, recreates it when it is deleted or belongs to an
// older version of the manifest, and writes the static pod's status to it.
import { isStatus, type Client, type ResourceClient } from '../../client/rest.js';
import type { Node, Pod } from '../../../api/core/v1/types.js';
import { CONFIG_HASH_ANNOTATION, CONFIG_MIRROR_ANNOTATION } from './file.js';

export function mirrorPodFor(staticPod: Pod, node: Pick<Node, 'metadata'> | undefined): Pod {
  const hash = staticPod.metadata.annotations?.[CONFIG_HASH_ANNOTATION] ?? staticPod.metadata.uid ?? '';
  const { uid: _uid, resourceVersion: _rv, ...meta } = staticPod.metadata;
  const mirror: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { ...meta, annotations: { ...(meta.annotations ?? {}), [CONFIG_MIRROR_ANNOTATION]: hash } },
    spec: staticPod.spec,
  };
  if (node?.metadata.uid)
    mirror.metadata.ownerReferences = [{ apiVersion: 'v1', kind: 'Node', name: node.metadata.name ?? '', uid: node.metadata.uid, controller: true }];
  return mirror;
}

/** True when mirror mirrors this version of the static pod. */
export function isMirrorOf(mirror: Pod, staticPod: Pod): boolean {
  return (
    mirror.metadata.annotations?.[CONFIG_MIRROR_ANNOTATION] === (staticPod.metadata.annotations?.[CONFIG_HASH_ANNOTATION] ?? staticPod.metadata.uid) &&
    !mirror.metadata.deletionTimestamp
  );
}

export class MirrorClient {
  private readonly pods: ResourceClient<Pod>;

  constructor(client: Client) {
    this.pods = client.resource<Pod>('v1', 'pods');
  }

  async create(staticPod: Pod, node: Node | undefined): Promise<Pod | undefined> {
    try {
      return await this.pods.namespace(staticPod.metadata.namespace).create(mirrorPodFor(staticPod, node));
    } catch (err) {
      if (isStatus(err, 409)) return undefined; // someone has the name; the next sync looks again
      throw err;
    }
  }

  /** Deletes the mirror pod (only that UID, when given). */
  async delete(namespace: string, name: string, uid?: string): Promise<void> {
    try {
      await this.pods.namespace(namespace).delete(name, { gracePeriodSeconds: 0, ...(uid ? { preconditions: { uid } } : {}) });
    } catch (err) {
      if (!isStatus(err, 404) && !isStatus(err, 409)) throw err;
    }
  }
}
