// The webhook dispatcher as one store's admission plugin: creates, updates
// (of the object and of its subresources) and deletes of that kind are sent to
// the matching webhooks. The webhook configurations themselves are never sent
// to webhooks (upstream exempts them, so a broken webhook cannot lock itself in).
import type { KubeObject } from '../../../../api/meta/v1/types.js';
import type { ResourceInfo } from '../../../../api/resourceinfo.js';
import type { AdmissionPlugin, RequestContext } from '../../store.js';
import type { AdmissionAttributes, Operation } from './attributes.js';
import type { WebhookDispatcher } from './dispatcher.js';

/** CreateOptions, UpdateOptions or DeleteOptions as the request gave them; a CONNECT has none. */
function operationOptions(operation: Operation, ctx: RequestContext): Record<string, unknown> | undefined {
  if (operation === 'CONNECT') return undefined;
  const kind = operation === 'CREATE' ? 'CreateOptions' : operation === 'UPDATE' ? 'UpdateOptions' : 'DeleteOptions';
  const options: Record<string, unknown> = { kind, apiVersion: 'meta.k8s.io/v1' };
  if (ctx.dryRun) options.dryRun = ['All'];
  if (ctx.fieldManager && operation !== 'DELETE') options.fieldManager = ctx.fieldManager;
  return options;
}

export class WebhookAdmission implements AdmissionPlugin {
  constructor(
    private readonly dispatcher: WebhookDispatcher,
    private readonly info: ResourceInfo,
    /** The kind's defaults, applied again to an object a webhook patched (as decoding it would). */
    private readonly defaults: (obj: KubeObject) => void,
  ) {}

  private attributes(
    operation: Operation,
    ctx: RequestContext,
    obj: KubeObject | undefined,
    old: KubeObject | undefined,
    subresource = '',
    name = obj?.metadata?.name ?? old?.metadata?.name ?? '',
  ): AdmissionAttributes {
    const isNamespace = this.info.group === '' && this.info.plural === 'namespaces';
    return {
      operation,
      group: this.info.group,
      version: this.info.version,
      resource: this.info.plural,
      subresource,
      // A CONNECT's object is its options (PodExecOptions, ...), and the request names that kind.
      kind: operation === 'CONNECT' ? (obj?.kind ?? this.info.kind) : this.info.kind,
      name,
      namespace: isNamespace ? name : this.info.namespaced ? (ctx.namespace ?? obj?.metadata?.namespace ?? old?.metadata?.namespace ?? '') : '',
      object: obj,
      oldObject: old,
      dryRun: ctx.dryRun,
      user: ctx.user,
      options: operationOptions(operation, ctx),
    };
  }

  async admitCreate(obj: KubeObject, ctx: RequestContext): Promise<void> {
    if (await this.dispatcher.mutate(this.attributes('CREATE', ctx, obj, undefined), ctx.warnings)) this.defaults(obj);
  }

  async validateCreate(obj: KubeObject, ctx: RequestContext): Promise<void> {
    await this.dispatcher.validate(this.attributes('CREATE', ctx, obj, undefined), ctx.warnings);
  }

  async admitUpdate(obj: KubeObject, old: KubeObject, ctx: RequestContext, subresource?: string): Promise<void> {
    if (await this.dispatcher.mutate(this.attributes('UPDATE', ctx, obj, old, subresource), ctx.warnings)) this.defaults(obj);
  }

  async validateUpdate(obj: KubeObject, old: KubeObject, ctx: RequestContext, subresource?: string): Promise<void> {
    await this.dispatcher.validate(this.attributes('UPDATE', ctx, obj, old, subresource), ctx.warnings);
  }

  async validateDelete(old: KubeObject, ctx: RequestContext): Promise<void> {
    await this.dispatcher.validate(this.attributes('DELETE', ctx, undefined, old), ctx.warnings);
  }

  /** Upstream calls mutating webhooks on a CONNECT too, but nothing reads the options they could change; validating ones decide. */
  async validateConnect(options: KubeObject, name: string, subresource: string, ctx: RequestContext): Promise<void> {
    await this.dispatcher.validate(this.attributes('CONNECT', ctx, options, undefined, subresource, name), ctx.warnings);
  }
}
