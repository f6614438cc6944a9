// Namespaces, after upstream's pkg/registry/core/namespace/storage: the system
// namespaces cannot be deleted, a deleted namespace is Terminating until the
// namespace controller has emptied it, and namespaces/finalize (FinalizeREST) is
// how that controller lets it go.
import type { KubeObject } from '../../../../api/meta/v1/types.js';
import { StatusError, newBadRequest } from '../../../../api/meta/v1/status.js';
import type { RequestContext, Store, StoreHooks } from '../../store.js';

/** The namespaces every cluster has from the start. */
export const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];
const UNDELETABLE = new Set(['default', 'kube-system', 'kube-public']);

function specFinalizers(ns: KubeObject): string[] {
  return (ns.spec as { finalizers?: string[] } | undefined)?.finalizers ?? [];
}

export function namespaceHooks(): StoreHooks {
  return {
    beforeDelete(obj) {
      const name = obj.metadata.name ?? '';
      if (UNDELETABLE.has(name))
        throw new StatusError(403, 'Forbidden', `namespaces "${name}" is forbidden: this namespace may not be deleted`, { name, kind: 'namespaces' });
    },
    // A namespace stays until the namespace controller has emptied it and cleared spec.finalizers.
    pendingFinalization: (obj) => specFinalizers(obj).length > 0,
    onDeletionStarted(obj) {
      obj.status = { ...(obj.status as object), phase: 'Terminating' };
    },
  };
}

/**
 * namespaces/finalize: sets spec.finalizers (nothing else) through the namespaces'
 * store; once they and metadata.finalizers are empty, a deleted namespace goes.
 */
export class FinalizeREST {
  constructor(private readonly namespaces: Store) {}

  async update(ctx: RequestContext, name: string, body: { spec?: { finalizers?: unknown } }): Promise<KubeObject> {
    const wanted = body?.spec?.finalizers ?? [];
    if (!Array.isArray(wanted) || wanted.some((f) => typeof f !== 'string')) throw newBadRequest('spec.finalizers must be a list of strings');
    return this.namespaces.updateWith(
      ctx,
      name,
      (ns) => {
        const spec = { ...(ns.spec as object) } as { finalizers?: string[] };
        if (wanted.length) spec.finalizers = [...(wanted as string[])];
        else delete spec.finalizers;
        ns.spec = spec;
        return ns;
      },
      'finalize',
    );
  }
}
