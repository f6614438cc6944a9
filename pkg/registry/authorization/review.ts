// The REST storage of a kind that is created and answered, never stored (the
// access reviews): a POST is checked against the kind's schema and answered
// with the object and its status; every other verb is refused, as upstream's
// create-only storages are.
import type { KubeObject } from '../../../api/meta/v1/types.js';
import { StatusError, newBadRequest, newInvalid, type StatusCause } from '../../../api/meta/v1/status.js';
import type { ResourceInfo } from '../../../api/resourceinfo.js';
import { validateObject } from '../../../api/schema/validate.js';
import type { ResourceStorage } from '../../storage/store.js';
import { Store, type RequestContext } from '../store.js';
import type { APIAuthorization } from './authorization.js';

function methodNotAllowed(): never {
  throw new StatusError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
}

export abstract class ReviewREST extends Store {
  constructor(
    info: ResourceInfo,
    storage: ResourceStorage,
    /** The apiserver's authorization; undefined when it authorizes nothing (every request is allowed). */
    protected readonly authorization: () => APIAuthorization | undefined,
  ) {
    super(info, storage, {}, undefined);
  }

  /** Fills in the review's status. */
  protected abstract review(ctx: RequestContext, obj: KubeObject): Promise<KubeObject>;

  /** Semantic checks of the kind. */
  protected abstract validateReview(obj: KubeObject): StatusCause[];

  override async create(ctx: RequestContext, body: KubeObject, bodyIsCopy = false): Promise<KubeObject> {
    const obj = bodyIsCopy ? body : structuredClone(body);
    if (!obj || typeof obj !== 'object' || Array.isArray(obj)) throw newBadRequest('the request body must be a JSON or YAML object');
    if (obj.kind !== undefined && obj.kind !== this.info.kind) {
      throw newBadRequest(`the kind in the body (${String(obj.kind)}) does not match the kind of the URL (${this.info.kind})`);
    }
    if (obj.apiVersion !== undefined && obj.apiVersion !== this.apiVersion) {
      throw newBadRequest(`the API version in the data (${String(obj.apiVersion)}) does not match the expected API version (${this.apiVersion})`);
    }
    if (obj.metadata === undefined || obj.metadata === null) obj.metadata = {};
    obj.apiVersion = this.apiVersion;
    obj.kind = this.info.kind;
    if (this.info.namespaced && ctx.namespace !== undefined && obj.metadata.namespace === undefined) obj.metadata.namespace = ctx.namespace;
    const schema = validateObject(this.info.group, this.info.version, this.info.kind, obj, { unknownFields: ctx.fieldValidation, prune: true });
    if (schema.unknownFields.length && ctx.fieldValidation === 'Strict') {
      throw newBadRequest(`strict decoding error: ${schema.unknownFields.map((f) => `unknown field "${f}"`).join(', ')}`);
    }
    if (ctx.fieldValidation === 'Warn') for (const f of schema.unknownFields) ctx.warnings.push(`unknown field "${f}"`);
    const causes = schema.causes.length ? schema.causes : this.validateReview(obj);
    if (causes.length) throw newInvalid(this.info.kind, this.info.group, '', causes);
    delete obj.status;
    return this.review(ctx, obj);
  }

  override async get(): Promise<KubeObject> {
    methodNotAllowed();
  }
  override async getIfExists(): Promise<KubeObject | undefined> {
    methodNotAllowed();
  }
  override async list(): ReturnType<Store['list']> {
    methodNotAllowed();
  }
  override async watch(): ReturnType<Store['watch']> {
    methodNotAllowed();
  }
  override async update(): Promise<KubeObject> {
    methodNotAllowed();
  }
  override async updateWith(): Promise<KubeObject> {
    methodNotAllowed();
  }
  override async patch(): ReturnType<Store['patch']> {
    methodNotAllowed();
  }
  override async delete(): ReturnType<Store['delete']> {
    methodNotAllowed();
  }
  override async deleteCollection(): Promise<KubeObject[]> {
    methodNotAllowed();
  }
}
