// ValidatingAdmissionPolicy as one store's admission plugin: creates, updates and
// deletes of that kind are validated by the bound policies that select them. It
// runs before the validating webhooks, as in upstream's plugin order.
import type { KubeObject } from '../../../../api/meta/v1/types.js';
import type { ResourceInfo } from '../../../../api/resourceinfo.js';
import type { AdmissionPlugin, RequestContext } from '../../store.js';
import { admissionAttributes } from '../webhook/attributes.js';
import type { PolicyDispatcher } from './dispatcher.js';

export class ValidatingAdmissionPolicyPlugin implements AdmissionPlugin {
  readonly name = 'ValidatingAdmissionPolicy';
  constructor(
    private readonly dispatcher: PolicyDispatcher,
    private readonly info: ResourceInfo,
  ) {}

  validateCreate(obj: KubeObject, ctx: RequestContext): Promise<void> {
    return this.dispatcher.validate(admissionAttributes(this.info, 'CREATE', ctx, obj, undefined), ctx);
  }

  validateUpdate(obj: KubeObject, old: KubeObject, ctx: RequestContext, subresource?: string): Promise<void> {
    return this.dispatcher.validate(admissionAttributes(this.info, 'UPDATE', ctx, obj, old, subresource), ctx);
  }

  validateDelete(old: KubeObject, ctx: RequestContext): Promise<void> {
    return this.dispatcher.validate(admissionAttributes(this.info, 'DELETE', ctx, undefined, old), ctx);
  }
}
