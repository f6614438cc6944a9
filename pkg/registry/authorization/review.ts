// The REST storage of an access review: created and answered, never stored.
// The body is checked against the kind's schema (unknown fields dropped) and the
// kind's own rules, then answered with its status filled in.
import type { KubeObject } from '../../../api/meta/v1/types.js';
import { newBadRequest, newInvalid, type StatusCause } from '../../../api/meta/v1/status.js';
import { groupVersion, type ResourceInfo } from '../../../api/resourceinfo.js';
import { validateObject } from '../../../api/schema/validate.js';
import type { Creater } from '../rest.js';
import type { RequestContext } from '../store.js';
import type { APIAuthorization } from './authorization.js';

export abstract class ReviewREST implements Creater {
  constructor(
    protected readonly info: ResourceInfo,
    /** The apiserver's authorization; undefined when it authorizes nothing (every request is allowed). */
    protected readonly authorization: () => APIAuthorization | undefined,
  ) {}

  /** Fills in the review's status. */
  protected abstract review(ctx: RequestContext, obj: KubeObject): Promise<KubeObject>;

  /** Semantic checks of the kind. */
  protected abstract validateReview(obj: KubeObject): StatusCause[];

  async create(ctx: RequestContext, body: KubeObject): Promise<KubeObject> {
    const obj = structuredClone(body);
    if (obj.metadata === undefined || obj.metadata === null) obj.metadata = {};
    if (typeof obj.metadata !== 'object' || Array.isArray(obj.metadata)) throw newBadRequest('metadata must be an object');
    obj.apiVersion = groupVersion(this.info);
    obj.kind = this.info.kind;
    if (this.info.namespaced && ctx.namespace !== undefined && obj.metadata.namespace === undefined) obj.metadata.namespace = ctx.namespace;
    const schema = validateObject(this.info.group, this.info.version, this.info.kind, obj, { unknownFields: ctx.fieldValidation, prune: true });
    if (schema.unknownFields.length && ctx.fieldValidation === 'Strict') {
      throw newBadRequest(`strict decoding error: ${schema.unknownFields.map((f) => `unknown field "${f}"`).join(', ')}`);
    }
    const causes = schema.causes.length ? schema.causes : this.validateReview(obj);
    if (causes.length) throw newInvalid(this.info.kind, this.info.group, '', causes);
    delete obj.status;
    return this.review(ctx, obj);
  }
}
