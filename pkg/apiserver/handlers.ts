// REST handlers for one resource: the verbs of the Kubernetes API over the
// generic Store, with query parameters, content negotiation and watch streams.
import type { APIServerMetrics } from './metrics.js';
import type { Request, Response } from 'express';
import type { KubeObject } from '../../api/meta/v1/types.js';
import { StatusError, newBadRequest, newMethodNotSupported, toStatusError } from '../../api/meta/v1/status.js';
import { parseSelector } from '../../api/labels/selector.js';
import { matchesFieldSelector, parseFieldSelectorFor } from '../../api/fields/selector.js';
import { buildTable } from '../registry/printers/index.js';
import { groupVersion, type ResourceInfo } from '../../api/resourceinfo.js';
import type { DeleteOptions, FieldValidation, RequestContext } from '../registry/store.js';
import type { ListOptions } from '../storage/store.js';
import type { WatchFilter } from '../storage/cacher.js';
import { queryBool } from '../util/queryparams.js';
import { decodeBody, decodePatch, patchTypeOf, responseFormat } from './negotiation.js';
import type { SubresourceHandlers } from './subresources.js';
import { sendJSON, sendObject, warningHeader } from './responses.js';
import { requestUser } from './filters/context.js';
import { auditAnnotator, auditRequestObject, auditRequestPatch, auditResponseJSON } from './audit/context.js';
import type { ResourceRoute } from './route.js';

type Query = Record<string, string | undefined>;

function query(req: Request): Query {
  const q = Object.create(null) as Query; // parameter names are the client's
  for (const [k, v] of Object.entries(req.query)) q[k] = Array.isArray(v) ? String(v[0]) : v === undefined ? undefined : String(v);
  return q;
}

function intParam(q: Query, name: string): number | undefined {
  const v = q[name];
  if (v === undefined || v === '') return undefined;
  if (!/^-?\d+$/.test(v)) throw newBadRequest(`invalid value for ${name}: ${JSON.stringify(v)}`);
  return Number(v);
}

function fieldValidationOf(q: Query): FieldValidation {
  const v = q.fieldValidation;
  if (v === undefined || v === '') return 'Warn';
  if (v === 'Strict' || v === 'Warn' || v === 'Ignore') return v;
  throw newBadRequest(`fieldValidation must be one of "Ignore", "Warn", or "Strict", got ${JSON.stringify(v)}`);
}

/** The default field manager is the client's program name, as Kubernetes derives it from the User-Agent. */
function fieldManagerOf(req: Request, q: Query): string | undefined {
  if (q.fieldManager !== undefined) {
    if (q.fieldManager.length > 128) throw newBadRequest('fieldManager: Too long: may not be more than 128 bytes');
    return q.fieldManager;
  }
  const ua = req.get('user-agent');
  return ua ? ua.split('/')[0] : undefined;
}

function contextOf(req: Request, route: ResourceRoute, q: Query): RequestContext {
  const dryRun = q.dryRun;
  if (dryRun !== undefined && dryRun !== 'All' && dryRun !== '') throw newBadRequest(`Invalid dry run value: ${dryRun}, only "All" is supported`);
  return {
    namespace: route.info.namespaced ? route.namespace : undefined,
    dryRun: dryRun === 'All',
    fieldManager: fieldManagerOf(req, q),
    fieldValidation: fieldValidationOf(q),
    force: queryBool(q.force),
    warnings: [],
    user: requestUser(req),
    addAuditAnnotation: auditAnnotator(req),
  };
}

function sendWarnings(res: Response, ctx: RequestContext): void {
  if (ctx.warnings.length) res.setHeader('Warning', ctx.warnings.map(warningHeader));
}

function listFilter(info: ResourceInfo, q: Query): WatchFilter | undefined {
  const labels = q.labelSelector ? parseSelector(q.labelSelector) : undefined;
  const fields = q.fieldSelector ? parseFieldSelectorFor(info, q.fieldSelector) : undefined;
  if (!labels && !fields) return undefined;
  return (o: KubeObject) => (!labels || labels.matches(o.metadata.labels)) && (!fields || matchesFieldSelector(info, o, fields));
}

function listOptions(route: ResourceRoute, q: Query): ListOptions {
  const limit = intParam(q, 'limit');
  return {
    namespace: route.info.namespaced ? route.namespace : undefined,
    filter: listFilter(route.info, q),
    resourceVersion: q.resourceVersion,
    resourceVersionMatch: q.resourceVersionMatch,
    limit: limit && limit > 0 ? limit : undefined,
    continue: q.continue || undefined,
  };
}

function includeObjectOf(q: Query): 'None' | 'Metadata' | 'Object' {
  const v = q.includeObject ?? 'Metadata';
  if (v !== 'None' && v !== 'Metadata' && v !== 'Object') throw newBadRequest(`includeObject must be None, Metadata or Object, got ${JSON.stringify(v)}`);
  return v;
}

/** The raw request body (express.raw has read it); empty when there is none. */
function bodyOf(req: Request): Buffer {
  return Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
}

export class ResourceHandlers {
  constructor(
    private readonly subresources: SubresourceHandlers,
    private readonly metrics?: APIServerMetrics,
  ) {}

  async handle(req: Request, res: Response, route: ResourceRoute): Promise<void> {
    const q = query(req);
    const method = req.method.toUpperCase();
    const { info, name, subresource } = route;
    // The deprecation filter's warning: `v1 ComponentStatus is deprecated in v1.19+`.
    if (info.deprecatedIn) res.setHeader('Warning', warningHeader(`${groupVersion(info)} ${info.kind} is deprecated in v${info.deprecatedIn}+`));
    if (info.deprecationWarning) res.setHeader('Warning', warningHeader(info.deprecationWarning));
    if (subresource) {
      if (!(info.subresources ?? []).includes(subresource)) throw newNotFoundPath(req.path);
      // status and a CertificateSigningRequest's approval are parts of the object, written through its store.
      if (subresource !== 'status' && subresource !== 'approval') return this.subresources.handle(req, res, route, q);
    }
    const isWatch = route.watchPath || queryBool(q.watch);
    if (name === undefined) {
      if (subresource) throw newNotFoundPath(req.path);
      if (method === 'GET') return isWatch ? this.watch(req, res, route, q) : this.list(req, res, route, q);
      if (route.watchPath) throw newMethodNotSupported(info.plural, method);
      // Namespaced objects are created and deleted in bulk only under their namespace.
      if (info.namespaced && route.namespace === undefined) throw newMethodNotSupported(info.plural, method);
      if (method === 'POST') return this.create(req, res, route, q);
      if (method === 'DELETE') return this.deleteCollection(req, res, route, q);
      throw newMethodNotSupported(info.plural, method);
    }
    if (method === 'GET' && isWatch) {
      q.fieldSelector = q.fieldSelector ? `${q.fieldSelector},metadata.name=${name}` : `metadata.name=${name}`;
      return this.watch(req, res, { ...route, name: undefined }, q);
    }
    switch (method) {
      case 'GET':
        return this.get(req, res, route, q);
      case 'PUT':
        return this.update(req, res, route, q);
      case 'PATCH':
        return this.patch(req, res, route, q);
      case 'DELETE':
        if (subresource) throw newMethodNotSupported(`${info.plural}/${subresource}`, method);
        return this.delete(req, res, route, q);
      default:
        throw newMethodNotSupported(info.plural, method);
    }
  }

  private async get(req: Request, res: Response, route: ResourceRoute, q: Query): Promise<void> {
    const format = responseFormat(req.get('accept'), true);
    const ctx = contextOf(req, route, q);
    const obj = await route.store.get(ctx, route.name as string);
    if (format === 'table')
      return sendObject(
        res,
        200,
        buildTable(route.info, [obj], { includeObject: includeObjectOf(q), now: new Date(), printerColumns: route.store.printerColumns }),
      );
    sendObject(res, 200, obj, format);
  }

  private async list(req: Request, res: Response, route: ResourceRoute, q: Query): Promise<void> {
    const format = responseFormat(req.get('accept'), true);
    const result = await route.store.list({ ...listOptions(route, q), asJSON: format === 'json' });
    const metadata: Record<string, unknown> = { resourceVersion: result.resourceVersion };
    if (result.continue) metadata.continue = result.continue;
    if (result.remainingItemCount !== undefined) metadata.remainingItemCount = result.remainingItemCount;
    if (format === 'table') {
      const table = buildTable(route.info, result.items, {
        includeObject: includeObjectOf(q),
        now: new Date(),
        listMeta: metadata,
        printerColumns: route.store.printerColumns,
      });
      return sendObject(res, 200, table);
    }
    const apiVersion = route.store.apiVersion;
    if (result.itemsJSON) {
      // Cached objects are stored with kind and apiVersion, and keep their JSON between lists.
      const head = JSON.stringify({ kind: route.info.listKind, apiVersion, metadata }).slice(0, -1);
      const text = `${head},"items":[${result.itemsJSON.join(',')}]}`;
      auditResponseJSON(res, text);
      sendJSON(res, 200, text);
      return;
    }
    sendObject(res, 200, { kind: route.info.listKind, apiVersion, metadata, items: result.items }, format);
  }

  private async create(req: Request, res: Response, route: ResourceRoute, q: Query): Promise<void> {
    const format = responseFormat(req.get('accept'), false);
    const ctx = contextOf(req, route, q);
    const body = decodeBody(req.get('content-type'), bodyOf(req)) as KubeObject;
    auditRequestObject(req, body);
    const created = await route.store.create(ctx, body, true);
    sendWarnings(res, ctx);
    sendObject(res, 201, created, format);
  }

  private async update(req: Request, res: Response, route: ResourceRoute, q: Query): Promise<void> {
    const format = responseFormat(req.get('accept'), false);
    const ctx = contextOf(req, route, q);
    const body = decodeBody(req.get('content-type'), bodyOf(req)) as KubeObject;
    auditRequestObject(req, body);
    const updated = await route.store.update(ctx, route.name as string, body, route.subresource);
    sendWarnings(res, ctx);
    sendObject(res, 200, updated, format);
  }

  private async patch(req: Request, res: Response, route: ResourceRoute, q: Query): Promise<void> {
    const format = responseFormat(req.get('accept'), false);
    const type = patchTypeOf(req.get('content-type'));
    const ctx = contextOf(req, route, q);
    if (type !== 'apply' && q.force !== undefined) throw newBadRequest('force: Invalid value: true: may not be specified for non-apply patch');
    const patch = decodePatch(type, bodyOf(req));
    auditRequestPatch(req, patch);
    const { object, created } = await route.store.patch(ctx, route.name as string, type, patch, route.subresource);
    sendWarnings(res, ctx);
    sendObject(res, created ? 201 : 200, object, format);
  }

  private deleteOptions(req: Request, q: Query): DeleteOptions {
    let opts: DeleteOptions = {};
    const body = bodyOf(req);
    if (body.length) {
      const decoded = decodeBody(req.get('content-type'), body);
      auditRequestObject(req, decoded);
      if (decoded && typeof decoded === 'object' && !Array.isArray(decoded)) opts = decoded as DeleteOptions;
      else throw newBadRequest('DeleteOptions must be an object');
    }
    if (q.propagationPolicy) opts.propagationPolicy = q.propagationPolicy as DeleteOptions['propagationPolicy'];
    const grace = intParam(q, 'gracePeriodSeconds');
    if (grace !== undefined) opts.gracePeriodSeconds = grace;
    if (q.orphanDependents !== undefined) opts.orphanDependents = queryBool(q.orphanDependents);
    if (opts.propagationPolicy && !['Foreground', 'Background', 'Orphan'].includes(opts.propagationPolicy)) {
      throw new StatusError(
        422,
        'Invalid',
        `DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "${opts.propagationPolicy}": supported values: "Foreground", "Background", "Orphan", "nil"`,
      );
    }
    return opts;
  }

  private async delete(req: Request, res: Response, route: ResourceRoute, q: Query): Promise<void> {
    const format = responseFormat(req.get('accept'), false);
    const ctx = contextOf(req, route, q);
    const opts = this.deleteOptions(req, q);
    if ((opts as { dryRun?: string[] }).dryRun?.includes('All')) ctx.dryRun = true;
    const { object: obj, deleted } = await route.store.delete(ctx, route.name as string, opts);
    // Like Kubernetes: a deletion still pending (finalizers, graceful) returns the object;
    // a completed one returns a Success Status, except for kinds that return the object.
    if (!deleted || route.store.returnDeletedObject) return sendObject(res, 200, obj, format);
    sendObject(
      res,
      200,
      {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Success',
        details: JSON.parse(JSON.stringify({ name: obj.metadata.name, group: route.info.group || undefined, kind: route.info.plural, uid: obj.metadata.uid })),
      },
      format,
    );
  }

  private async deleteCollection(req: Request, res: Response, route: ResourceRoute, q: Query): Promise<void> {
    const format = responseFormat(req.get('accept'), false);
    const ctx = contextOf(req, route, q);
    const opts = this.deleteOptions(req, q);
    const items = await route.store.deleteCollection(ctx, listOptions(route, q), opts);
    sendObject(res, 200, { kind: route.info.listKind, apiVersion: route.store.apiVersion, metadata: {}, items }, format);
  }

  /** A watch stream: newline-delimited watch events, from the watch cache. */
  private async watch(req: Request, res: Response, route: ResourceRoute, q: Query): Promise<void> {
    const format = responseFormat(req.get('accept'), true);
    if (format === 'yaml') throw newBadRequest('watch is only served as JSON');
    const info = route.info;
    const bookmarks = queryBool(q.allowWatchBookmarks);
    const sendInitialEvents = queryBool(q.sendInitialEvents);
    const timeoutSeconds = intParam(q, 'timeoutSeconds');
    const apiVersion = route.store.apiVersion;
    let resourceVersion = q.resourceVersion;
    if (sendInitialEvents) {
      if (q.resourceVersionMatch !== 'NotOlderThan') throw newBadRequest('sendInitialEvents requires resourceVersionMatch=NotOlderThan');
      resourceVersion = '0';
    }
    const includeObject = format === 'table' ? includeObjectOf(q) : 'Object';
    const filter = listFilter(info, q);
    const sent = this.metrics?.watchEventsFor(info.group, info.version, info.kind);
    let closed = false;
    let cancel: (() => void) | undefined;
    let converted = Promise.resolve();
    // Events are queued and written once per event-loop turn: a burst becomes one
    // TLS write per watcher instead of one per event, which is what fan-out costs.
    let pending: Array<string | Buffer> = [];
    const flush = () => {
      if (closed || !pending.length) return;
      const chunk = pending.length === 1 ? pending[0] : Buffer.concat(pending.map((p) => (typeof p === 'string' ? Buffer.from(p) : p)));
      pending = [];
      res.write(chunk);
      // A watcher that cannot keep up is dropped, as kube-apiserver drops slow watchers; it will resume.
      if (res.writableLength > 64 * 1024 * 1024) finish();
    };
    const finish = () => {
      if (closed) return;
      flush();
      closed = true;
      cancel?.();
      res.end();
    };
    const write = (line: string | Buffer) => {
      if (closed) return;
      if (!pending.length) setImmediate(flush);
      pending.push(line);
    };
    const encode =
      format === 'table'
        ? (type: string, obj: KubeObject) =>
            `{"type":"${type}","object":${JSON.stringify(buildTable(info, [obj], { includeObject, now: new Date(), printerColumns: route.store.printerColumns }))}}\n`
        : undefined;
    res.status(200);
    res.setHeader('Content-Type', 'application/json');
    res.setHeader('Transfer-Encoding', 'chunked');
    res.setHeader('Cache-Control', 'no-cache, private');
    res.flushHeaders();
    // The response's close, not the request's: a GET's request has ended (and closed) long before a watcher goes away.
    res.on('close', finish);
    if (timeoutSeconds !== undefined && timeoutSeconds > 0) setTimeout(finish, timeoutSeconds * 1000).unref();

    const bookmark = (rv: number, annotations?: Record<string, string>) => {
      const metadata: Record<string, unknown> = { resourceVersion: String(rv) };
      if (annotations) metadata.annotations = annotations;
      const line = `{"type":"BOOKMARK","object":${JSON.stringify({ kind: info.kind, apiVersion, metadata })}}\n`;
      // Never ahead of an event still being converted.
      if (route.store.convertsAsync) converted = converted.then(() => write(line));
      else write(line);
    };
    try {
      const watch = await route.store.watch(
        { namespace: info.namespaced ? route.namespace : undefined, filter, resourceVersion },
        {
          onEvent: (type, ev) => {
            sent?.inc();
            // A conversion webhook answers later: events are converted one after another, in order.
            if (route.store.convertsAsync) {
              converted = converted
                .then(async () => {
                  if (closed) return;
                  const [obj] = await route.store.presentAll([ev.object]);
                  write(encode ? encode(type, obj) : `{"type":"${type}","object":${JSON.stringify(obj)}}\n`);
                })
                .catch((err: unknown) => {
                  write(`{"type":"ERROR","object":${JSON.stringify(toStatusError(err).toStatus())}}\n`);
                  finish();
                });
            } else if (encode) write(encode(type, route.store.present(ev.object)));
            else if (route.store.converts) write(`{"type":"${type}","object":${JSON.stringify(route.store.present(ev.object))}}\n`);
            // Every cached object has its kind (see ResourceStorage): the stored text is the line.
            else write(ev.watchLine(type));
          },
          onBookmark: bookmarks ? (rv) => bookmark(rv) : undefined,
          onClose: () => finish(),
        },
      );
      cancel = watch.cancel;
      if (sendInitialEvents) bookmark(watch.resourceVersion, { 'k8s.io/initial-events-end': 'true' });
      if (closed) cancel();
    } catch (err) {
      // Errors after the stream started are sent as a watch ERROR event carrying the Status, as Kubernetes does.
      const status = toStatusError(err).toStatus();
      write(`{"type":"ERROR","object":${JSON.stringify(status)}}\n`);
      finish();
    }
  }
}

export function newNotFoundPath(path: string): StatusError {
  return new StatusError(404, 'NotFound', `the server could not find the requested resource (${path})`, {
    causes: [{ reason: 'UnexpectedServerResponse', message: '404 page not found' }],
  });
}
