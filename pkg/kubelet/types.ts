// Shapes the kubelet shares between its parts that are not API objects. The API
// objects themselves (Pod, Node, ConfigMap, ...) come from api/core/v1/types.ts.
import type { ConfigMap, Pod, Secret } from '../../api/core/v1/types.js';
import type { Quantity } from '../../api/resource/quantity.js';

/** core/v1 ResourceList: resource name → quantity (the generated types spell it inline). */
export type ResourceList = { [name: string]: Quantity };

/** How the kubelet reads ConfigMaps and Secrets for env and volumes (contracts.md). */
export interface ObjectLookup {
  configMap(namespace: string, name: string): Promise<ConfigMap | undefined>;
  secret(namespace: string, name: string): Promise<Secret | undefined>;
}

/** The pod's full name for logs and events: namespace/name. */
export function podKey(pod: Pick<Pod, 'metadata'>): string {
  return `${pod.metadata.namespace ?? ''}/${pod.metadata.name ?? ''}`;
}
