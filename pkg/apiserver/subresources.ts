// Subresources other than status: each decodes its request, calls the
// subresource's REST storage in pkg/registry (scale, pods/binding, pods/eviction,
// namespaces/finalize, serviceaccounts/token) and encodes the answer; the node-proxied ones (log, exec,
// ...) need a kubelet to answer.
import type { Request, Response } from 'express';
import { StatusError, newMethodNotSupported, newNotFound } from '../../api/meta/v1/status.js';
import type { RequestContext } from '../registry/store.js';
import type { Registry } from '../registry/registry.js';
import type { Scale } from '../registry/scale.js';
import type { Binding } from '../registry/core/pod/binding.js';
import type { Eviction } from '../registry/core/pod/eviction.js';
import { decodeBody, decodePatch, patchTypeOf, responseFormat } from './negotiation.js';
import { sendObject } from './responses.js';
import type { ResourceRoute } from './route.js';
import { connectOptions, type NodeProxy } from './nodeproxy.js';
import { requestUser } from './filters/context.js';
import { auditAnnotator, auditRequestObject, auditRequestPatch } from './audit/context.js';

type Query = Record<string, string | undefined>;

function successStatus(code: number): object {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code };
}

function ctxOf(req: Request, route: ResourceRoute, q: Query): RequestContext {
  return {
    namespace: route.namespace,
    dryRun: q.dryRun === 'All',
    fieldManager: q.fieldManager,
    fieldValidation: 'Ignore',
    warnings: [],
    user: requestUser(req),
    addAuditAnnotation: auditAnnotator(req),
  };
}

/** The request's body, decoded, and recorded for the audit log. */
function decodedBody(req: Request): unknown {
  const obj = decodeBody(req.get('content-type'), req.body as Buffer);
  auditRequestObject(req, obj);
  return obj;
}

export class SubresourceHandlers {
  constructor(
    private readonly registry: Registry,
    private readonly nodeProxy: () => NodeProxy | undefined = () => undefined,
  ) {}

  async handle(req: Request, res: Response, route: ResourceRoute, q: Query): Promise<void> {
    const method = req.method.toUpperCase();
    switch (route.subresource) {
      case 'scale':
        return this.scale(req, res, route, q, method);
      case 'binding':
        if (method !== 'POST') throw newMethodNotSupported('pods/binding', method);
        return this.binding(req, res, route, q);
      case 'eviction':
        if (method !== 'POST') throw newMethodNotSupported('pods/eviction', method);
        return this.eviction(req, res, route, q);
      case 'finalize':
        if (method !== 'PUT') throw newMethodNotSupported('namespaces/finalize', method);
        return this.finalize(req, res, route, q);
      case 'token':
        if (method !== 'POST') throw newMethodNotSupported('serviceaccounts/token', method);
        return this.token(req, res, route, q);
      default:
        return this.nodeProxied(req, res, route, method);
    }
  }

  /** The subresource's REST storage; a catalogue entry without one is not served. */
  private restOf<T>(rest: T | undefined, route: ResourceRoute): T {
    if (!rest) throw newNotFound({ group: route.info.group, resource: `${route.info.plural}/${route.subresource}`, name: route.name });
    return rest;
  }

  // ---- scale (autoscaling/v1 Scale) ----

  private async scale(req: Request, res: Response, route: ResourceRoute, q: Query, method: string): Promise<void> {
    const rest = this.restOf(this.registry.scale(route.store), route);
    const format = responseFormat(req.get('accept'), false);
    const ctx = ctxOf(req, route, q);
    const name = route.name as string;
    switch (method) {
      case 'GET':
        return sendObject(res, 200, await rest.get(ctx, name), format);
      case 'PUT':
        return sendObject(res, 200, await rest.update(ctx, name, decodedBody(req) as Scale), format);
      case 'PATCH': {
        const type = patchTypeOf(req.get('content-type'));
        const patch = decodePatch(type, req.body as Buffer);
        auditRequestPatch(req, patch);
        return sendObject(res, 200, await rest.patch(ctx, name, type, patch), format);
      }
      default:
        throw newMethodNotSupported(`${route.info.plural}/scale`, method);
    }
  }

  // ---- pods/binding: the scheduler's write ----

  private async binding(req: Request, res: Response, route: ResourceRoute, q: Query): Promise<void> {
    const binding = decodedBody(req) as Binding;
    await this.restOf(this.registry.binding, route).create(ctxOf(req, route, q), route.name as string, binding);
    sendObject(res, 201, successStatus(201));
  }

  // ---- pods/eviction: a delete that disruption budgets may refuse ----

  private async eviction(req: Request, res: Response, route: ResourceRoute, q: Query): Promise<void> {
    const eviction = decodedBody(req) as Eviction;
    await this.restOf(this.registry.eviction, route).create(ctxOf(req, route, q), route.name as string, eviction);
    sendObject(res, 201, successStatus(201));
  }

  // ---- namespaces/finalize: the namespace controller's last step ----

  private async finalize(req: Request, res: Response, route: ResourceRoute, q: Query): Promise<void> {
    const body = decodedBody(req) as { spec?: { finalizers?: unknown } };
    sendObject(res, 200, await this.restOf(this.registry.finalize, route).update(ctxOf(req, route, q), route.name as string, body));
  }

  // ---- serviceaccounts/token: TokenRequest ----

  private async token(req: Request, res: Response, route: ResourceRoute, q: Query): Promise<void> {
    const body = decodeBody(req.get('content-type'), req.body as Buffer);
    sendObject(
      res,
      201,
      await this.restOf(this.registry.token, route).create(ctxOf(req, route, q), route.name as string, body),
      responseFormat(req.get('accept'), false),
    );
  }

  // ---- log, exec, attach, portforward, nodes/proxy: answered by a kubelet (nodeproxy.ts) ----

  private async nodeProxied(req: Request, res: Response, route: ResourceRoute, method: string): Promise<void> {
    const ctx: RequestContext = { namespace: route.namespace, dryRun: false, fieldValidation: 'Ignore', warnings: [], user: requestUser(req) };
    const obj = await route.store.get(ctx, route.name as string);
    const proxy = this.nodeProxy();
    if (!proxy) throw new StatusError(503, 'ServiceUnavailable', 'the apiserver is not ready to reach kubelets yet');
    const sub = route.subresource;
    if (sub === 'log') {
      if (method !== 'GET') throw newMethodNotSupported('pods/log', method);
      return proxy.podLog(req, res, obj);
    }
    if (sub === 'exec' || sub === 'attach' || sub === 'portforward') {
      if (method !== 'GET' && method !== 'POST') throw newMethodNotSupported(`pods/${sub}`, method);
      // A CONNECT: admission (webhooks) sees its options before the stream is opened.
      await route.store.admitConnect(ctx, route.name as string, sub, connectOptions(sub, new URL(req.originalUrl, 'http://x').searchParams));
      return proxy.podStream(req, res, sub, obj);
    }
    return proxy.proxyToNode(req, res, obj, '/');
  }
}
