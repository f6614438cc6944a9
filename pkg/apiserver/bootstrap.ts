// The objects every cluster has from the start (upstream's bootstrap controller in
// pkg/controlplane and the rbac/bootstrap-roles post-start hook): the system
// namespaces, the `kubernetes` Service (kept afterwards by kubernetesservice.ts), and
// the default RBAC roles and bindings.
import type { KubeObject } from '../../api/meta/v1/types.js';
import { StatusError } from '../../api/meta/v1/status.js';
import type { RequestContext, Store } from '../registry/store.js';
import { SYSTEM_NAMESPACES } from '../registry/core/namespace/storage.js';
import { ensureBootstrapPolicy } from '../registry/rbac/bootstrappolicy/reconcile.js';
import { kubernetesService } from './kubernetesservice.js';

/** The apiserver's stores, by group, version and resource. */
export type StoreLookup = (group: string, version: string, plural: string) => Store | undefined;

const SYSTEM_CTX: RequestContext = { dryRun: false, fieldManager: 'timonel-apiserver', fieldValidation: 'Strict', warnings: [] };

async function ensure(stores: StoreLookup, group: string, version: string, plural: string, obj: KubeObject): Promise<void> {
  const store = stores(group, version, plural);
  if (!store) return;
  const ctx = { ...SYSTEM_CTX, namespace: obj.metadata.namespace };
  if (await store.getIfExists(ctx, obj.metadata.name ?? '')) return;
  try {
    await store.create(ctx, obj);
  } catch (err) {
    if (!(err instanceof StatusError && err.reason === 'AlreadyExists')) throw err;
  }
}

export async function bootstrapCluster(stores: StoreLookup, securePort: number): Promise<void> {
  for (const name of SYSTEM_NAMESPACES) await ensure(stores, '', 'v1', 'namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  await ensure(stores, '', 'v1', 'services', kubernetesService(securePort));
  // After the namespaces: some default roles live in kube-system and kube-public.
  await ensureBootstrapPolicy(stores);
}
