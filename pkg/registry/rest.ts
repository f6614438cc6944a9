// REST storage for resources that are only created and never stored, such as
// reviews (upstream's rest.Creater without a backing store): a POST is answered
// with the object the storage makes from the request's.
import type { KubeObject } from '../../api/meta/v1/types.js';
import type { RequestContext } from './store.js';

export interface Creater {
  create(ctx: RequestContext, obj: KubeObject): Promise<KubeObject>;
}
