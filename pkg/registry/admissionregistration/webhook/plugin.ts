// The webhook dispatcher as one store's admission plugin: creates, updates
// (of the object and of its subresources) and deletes of that kind are sent to
// the matching webhooks. The webhook configurations themselves are never sent
// to webhooks (upstream exempts them, so a broken webhook cannot lock itself in).
import type { KubeObject } from '../../../../api/meta/v1/types.js';
import type { ResourceInfo } from '../../../../api/resourceinfo.js';
import type { AdmissionPlugin, RequestContext } from '../../store.js';
import { admissionAttributes, type AdmissionAttributes, type Operation } from './attributes.js';
import type { WebhookDispatcher } from './dispatcher.js';

export class WebhookAdmission implements AdmissionPlugin {
  /** Upstream's two plugins: mutating webhooks admit, validating ones validate. */
  readonly name = 'MutatingAdmissionWebhook';
  readonly validatingName = 'ValidatingAdmissionWebhook';

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
    return admissionAttributes(this.info, operation, ctx, obj, old, subresource, name);
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
