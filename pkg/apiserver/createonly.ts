// Resources that are only created (reviews: TokenReview, SelfSubjectReview): a POST
// to the collection is decoded, handed to the resource's REST storage and its answer
// sent back 201, as upstream's create handler does for a rest.Creater without a store.
import type { Request, Response } from 'express';
import { StatusError, newBadRequest } from '../../api/meta/v1/status.js';
import type { KubeObject } from '../../api/meta/v1/types.js';
import { groupVersion, type ResourceInfo } from '../../api/resourceinfo.js';
import type { Creater } from '../registry/rest.js';
import type { RequestContext } from '../registry/store.js';
import { requestUser } from './filters/context.js';
import { auditAnnotator, auditRequestObject } from './audit/context.js';
import { decodeBody, responseFormat } from './negotiation.js';
import { sendObject } from './responses.js';

// go-restful's answer for a method the path does not serve.
const METHOD_NOT_ALLOWED = new StatusError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');

/** namespace: the URL's, for a namespaced review (LocalSubjectAccessReview). */
export async function serveCreateOnly(req: Request, res: Response, info: ResourceInfo, rest: Creater, namespace?: string): Promise<void> {
  if (req.method !== 'POST') throw METHOD_NOT_ALLOWED;
  const format = responseFormat(req.get('accept'), false);
  const body = decodeBody(req.get('content-type'), Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0)) as KubeObject;
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw newBadRequest('the request body must be a JSON or YAML object');
  auditRequestObject(req, body);
  if (body.kind !== undefined && body.kind !== info.kind) {
    throw newBadRequest(`the kind in the body (${String(body.kind)}) does not match the kind of the URL (${info.kind})`);
  }
  const apiVersion = groupVersion(info);
  if (body.apiVersion !== undefined && body.apiVersion !== apiVersion) {
    throw newBadRequest(`the API version in the data (${String(body.apiVersion)}) does not match the expected API version (${apiVersion})`);
  }
  // Nothing is stored, so a dry run is answered as any other.
  const ctx: RequestContext = {
    namespace,
    dryRun: req.query.dryRun === 'All',
    fieldValidation: 'Ignore',
    warnings: [],
    user: requestUser(req),
    addAuditAnnotation: auditAnnotator(req),
  };
  sendObject(res, 201, await rest.create(ctx, body), format);
}
