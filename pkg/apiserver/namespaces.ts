// Namespace lifecycle: objects go only into namespaces that exist and are not
// terminating; the system namespaces always exist and cannot be deleted.
import type { KubeObject } from '../../api/meta/v1/types.js';
import { StatusError, newForbidden, newNotFound } from '../../api/meta/v1/status.js';
import type { ResourceStorage } from '../storage/store.js';
import type { StoreHooks, RequestContext } from '../registry/store.js';
import type { APIServer } from './server.js';

export const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];
const UNDELETABLE = new Set(['default', 'kube-system', 'kube-public']);

export class NamespaceLifecycle {
  constructor(private readonly namespaces: ResourceStorage) {}

  async admit(namespace: string, ref: { group: string; resource: string; name?: string }): Promise<void> {
    // The cache answers almost always; a namespace created a moment ago may only be in etcd yet.
    await this.namespaces.cache.start();
    const ns = this.namespaces.cache.get(this.namespaces.key(undefined, namespace)) ?? (await this.namespaces.get(undefined, namespace));
    if (!ns) throw newNotFound({ group: '', resource: 'namespaces', name: namespace });
    if (ns.metadata.deletionTimestamp || (ns.status as { phase?: string } | undefined)?.phase === 'Terminating') {
      throw newForbidden(ref, `unable to create new content in namespace ${namespace} because it is being terminated`);
    }
  }
}

export function namespaceHooks(): StoreHooks {
  return {
    beforeDelete(obj) {
      const name = obj.metadata.name ?? '';
      if (UNDELETABLE.has(name)) throw new StatusError(403, 'Forbidden', `namespaces "${name}" is forbidden: this namespace may not be deleted`, { name, kind: 'namespaces' });
    },
    // A namespace stays until the namespace controller has emptied it and cleared spec.finalizers.
    pendingFinalization: (obj) => ((obj.spec as { finalizers?: string[] } | undefined)?.finalizers ?? []).length > 0,
    onDeletionStarted(obj) {
      obj.status = { ...(obj.status as object), phase: 'Terminating' };
    },
  };
}

const SYSTEM_CTX: RequestContext = { dryRun: false, fieldManager: 'timonel-apiserver', fieldValidation: 'Strict', warnings: [] };

async function ensure(server: APIServer, group: string, version: string, plural: string, obj: KubeObject): Promise<void> {
  const store = server.store(group, version, plural);
  if (!store) return;
  if (await store.storage.get(obj.metadata.namespace, obj.metadata.name ?? '')) return;
  try {
    await store.create({ ...SYSTEM_CTX, namespace: obj.metadata.namespace }, obj);
  } catch (err) {
    if (!(err instanceof StatusError && err.reason === 'AlreadyExists')) throw err;
  }
}

/** The objects every cluster has from the start. */
export async function bootstrapCluster(server: APIServer): Promise<void> {
  for (const name of SYSTEM_NAMESPACES) await ensure(server, '', 'v1', 'namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  await ensure(server, '', 'v1', 'services', {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } },
    spec: { type: 'ClusterIP', ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: server.config.securePort }], sessionAffinity: 'None' },
  });
}
