// The kubelet's Secrets (upstream's pkg/kubelet/secret/secret_manager.go,
// NewWatchingSecretManager): each Secret a pod on this node refers to is watched
// on its own while some pod refers to it.
import { visitPodSecretNames } from '../../../api/core/v1/pod.js';
import type { Secret } from '../../../api/core/v1/types.js';
import type { Client } from '../../client/rest.js';
import { CacheBasedManager, type Manager } from '../util/manager/manager.js';
import { ObjectCache, type ObjectCacheOptions } from '../util/manager/watch_based_manager.js';

export type SecretManager = Manager<Secret>;

export function newWatchingSecretManager(client: Client, opts: Omit<ObjectCacheOptions<Secret>, 'resource' | 'kind'> = {}): SecretManager {
  const cache = new ObjectCache<Secret>({ ...opts, resource: client.resource<Secret>('v1', 'secrets'), kind: 'secret' });
  return new CacheBasedManager(cache, (pod) => {
    const names = new Set<string>();
    visitPodSecretNames(pod, (name) => names.add(name));
    return names;
  });
}
