// What an admission request is about (upstream's admission.Attributes), as the
// webhook dispatcher sends it in an AdmissionReview.
import type { KubeObject } from '../../../../api/meta/v1/types.js';
import type { ResourceInfo } from '../../../../api/resourceinfo.js';
import type { UserInfo } from '../../../auth/user.js';
import type { RequestContext } from '../../store.js';

export type Operation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';

export interface AdmissionAttributes {
  operation: Operation;
  group: string;
  version: string;
  resource: string;
  /** '' for the main resource. */
  subresource: string;
  kind: string;
  /** '' when the request has none (a create with generateName). */
  name: string;
  /** '' for cluster-scoped resources; a Namespace's own name for requests on namespaces. */
  namespace: string;
  object?: KubeObject;
  oldObject?: KubeObject;
  dryRun: boolean;
  user?: UserInfo;
  /** CreateOptions, UpdateOptions or DeleteOptions, as the request gave them. */
  options?: Record<string, unknown>;
}

/** CreateOptions, UpdateOptions or DeleteOptions as the request gave them; a CONNECT has none. */
function operationOptions(operation: Operation, ctx: RequestContext): Record<string, unknown> | undefined {
  if (operation === 'CONNECT') return undefined;
  const kind = operation === 'CREATE' ? 'CreateOptions' : operation === 'UPDATE' ? 'UpdateOptions' : 'DeleteOptions';
  const options: Record<string, unknown> = { kind, apiVersion: 'meta.k8s.io/v1' };
  if (ctx.dryRun) options.dryRun = ['All'];
  if (ctx.fieldManager && operation !== 'DELETE') options.fieldManager = ctx.fieldManager;
  return options;
}

/** The attributes of a request on a resource (its Namespace's own name for requests on namespaces). */
export function admissionAttributes(
  info: ResourceInfo,
  operation: Operation,
  ctx: RequestContext,
  obj: KubeObject | undefined,
  old: KubeObject | undefined,
  subresource = '',
  name = obj?.metadata?.name ?? old?.metadata?.name ?? '',
): AdmissionAttributes {
  const isNamespace = info.group === '' && info.plural === 'namespaces';
  return {
    operation,
    group: info.group,
    version: info.version,
    resource: info.plural,
    subresource,
    // A CONNECT's object is its options (PodExecOptions, ...), and the request names that kind.
    kind: operation === 'CONNECT' ? (obj?.kind ?? info.kind) : info.kind,
    name,
    namespace: isNamespace ? name : info.namespaced ? (ctx.namespace ?? obj?.metadata?.namespace ?? old?.metadata?.namespace ?? '') : '',
    object: obj,
    oldObject: old,
    dryRun: ctx.dryRun,
    user: ctx.user,
    options: operationOptions(operation, ctx),
  };
}
