// The kubelet's ConfigMaps (upstream's pkg/kubelet/configmap/configmap_manager.go,
// NewWatchingConfigMapManager): each ConfigMap a pod on this node refers to is
// watched on its own while some pod refers to it.
import { visitPodConfigMapNames } from '../../../api/core/v1/pod.js';
import type { ConfigMap } from '../../../api/core/v1/types.js';
import type { Client } from '../../client/rest.js';
import { CacheBasedManager, type Manager } from '../util/manager/manager.js';
import { ObjectCache, type ObjectCacheOptions } from '../util/manager/watch_based_manager.js';

export type ConfigMapManager = Manager<ConfigMap>;

export function newWatchingConfigMapManager(client: Client, opts: Omit<ObjectCacheOptions<ConfigMap>, 'resource' | 'kind'> = {}): ConfigMapManager {
  const cache = new ObjectCache<ConfigMap>({ ...opts, resource: client.resource<ConfigMap>('v1', 'configmaps'), kind: 'configmap' });
  return new CacheBasedManager(cache, (pod) => {
    const names = new Set<string>();
    visitPodConfigMapNames(pod, (name) => names.add(name));
    return names;
  });
}
