// Where each resource lives in etcd: the key layout kube-apiserver uses.
import type { ResourceInfo } from '../../api/resourceinfo.js';

/** The etcd key prefix Kubernetes uses: /registry/<resource>[/<namespace>]. Core resources and apps, etc. share the same plain layout. */
export function etcdPrefix(r: ResourceInfo, namespace?: string): string {
  const base = `/registry/${storageResource(r)}/`;
  return r.namespaced && namespace ? `${base}${namespace}/` : base;
}

/** The etcd key prefix of every object of a resource, named by group and resource (the encryption configuration's names). */
export function resourcePrefix(r: Pick<ResourceInfo, 'group' | 'plural'>): string {
  return `/registry/${storageResource(r)}/`;
}

export function etcdKey(r: ResourceInfo, namespace: string | undefined, name: string): string {
  return r.namespaced ? `/registry/${storageResource(r)}/${namespace}/${name}` : `/registry/${storageResource(r)}/${name}`;
}

// Kubernetes keeps a few resources under historical names (e.g. services/specs).
function storageResource(r: Pick<ResourceInfo, 'group' | 'plural'>): string {
  if (r.group === '' && r.plural === 'services') return 'services/specs';
  if (r.group === '' && r.plural === 'endpoints') return 'services/endpoints';
  if (r.group === '' && r.plural === 'nodes') return 'minions';
  if (r.group === 'apiextensions.k8s.io' && r.plural === 'customresourcedefinitions') return 'apiextensions.k8s.io/customresourcedefinitions';
  if (
    r.group !== '' &&
    ![
      'apps',
      'batch',
      'policy',
      'autoscaling',
      'coordination.k8s.io',
      'discovery.k8s.io',
      'rbac.authorization.k8s.io',
      'events.k8s.io',
      'scheduling.k8s.io',
      'storage.k8s.io',
      'networking.k8s.io',
    ].includes(r.group)
  ) {
    return `${r.group}/${r.plural}`;
  }
  return r.plural;
}
