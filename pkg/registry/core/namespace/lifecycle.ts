// Namespace lifecycle admission, after upstream's NamespaceLifecycle plugin:
// objects go only into namespaces that exist and are not terminating.
import { newForbidden, newNotFound } from '../../../../api/meta/v1/status.js';
import type { ResourceStorage } from '../../../storage/store.js';
import type { NamespaceLifecycle as Admission } from '../../store.js';

export class NamespaceLifecycle implements Admission {
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
