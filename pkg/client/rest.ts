// Typed REST access to any group/version/resource. KubeConfig (from
// @kubernetes/client-node) supplies the server, TLS material and credentials;
// requests go over kept-alive HTTP/1.1 connections of our own (http1.ts), and
// watches stream newline-delimited JSON over a node:https keep-alive agent (see
// README.md for why not client-node's Watch).
import http from 'node:http';
import https from 'node:https';
import tls from 'node:tls';
import { KubeConfig } from '@kubernetes/client-node';
import { HTTP1Pool } from './http1.js';
import { StatusError, type Status, type StatusReason } from '../../api/meta/v1/status.js';
import type { KubeList, KubeObject, WatchEventType } from '../../api/meta/v1/types.js';
import { BUILTIN_RESOURCES } from '../../api/resources.js';

export interface GroupVersionResource {
  group: string; // '' for core
  version: string;
  resource: string; // plural, as in URLs
  namespaced: boolean;
  kind?: string;
}

/** Looks up a built-in resource by apiVersion ('v1', 'apps/v1') and plural. */
export function builtinResource(apiVersion: string, resource: string): GroupVersionResource {
  const slash = apiVersion.indexOf('/');
  const group = slash < 0 ? '' : apiVersion.slice(0, slash);
  const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
  const info = BUILTIN_RESOURCES.find((r) => r.group === group && r.version === version && r.plural === resource);
  if (!info) throw new Error(`unknown built-in resource ${resource} in ${apiVersion}; give a GroupVersionResource instead`);
  return { group, version, resource, namespaced: info.namespaced, kind: info.kind };
}

/** Loads a kubeconfig: a file path, else $KUBECONFIG / ~/.kube/config / in-cluster, as kubectl does. */
export function loadKubeConfig(path?: string): KubeConfig {
  const kc = new KubeConfig();
  if (path) kc.loadFromFile(path);
  else kc.loadFromDefault();
  return kc;
}

export type Query = Record<string, string | number | boolean | undefined>;

export interface RequestOptions {
  query?: Query;
  body?: unknown;
  contentType?: string;
}

export type WatchHandler<T> = (type: WatchEventType, object: T) => void;

/** A running watch; `done` settles when the stream ends (undefined: closed cleanly; an error otherwise). */
export interface WatchHandle {
  stop(): void;
  done: Promise<Error | undefined>;
}

const REASONS: Record<number, StatusReason> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  406: 'NotAcceptable',
  409: 'Conflict',
  410: 'Expired',
  413: 'RequestEntityTooLarge',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

/** The server's Status body as a StatusError; a non-Status body still yields the code and Kubernetes' reason for it. */
export function statusErrorFrom(code: number, body: string): StatusError {
  try {
    const s = JSON.parse(body) as Partial<Status>;
    if (s && s.kind === 'Status') return new StatusError(s.code ?? code, s.reason ?? REASONS[code] ?? '', s.message ?? '', s.details);
  } catch {
    // not JSON: fall through
  }
  return new StatusError(code, REASONS[code] ?? '', body.trim() || http.STATUS_CODES[code] || `HTTP ${code}`);
}

export { isStatus } from '../../api/meta/v1/status.js';

export class RESTClient {
  readonly server: URL;
  private readonly basePath: string;
  private readonly hostname: string;
  private readonly agent: http.Agent;
  /** Unary requests; watches use the agent. */
  private readonly pool: HTTP1Pool;
  private readonly tls: https.AgentOptions = {};
  private staticHeaders: Record<string, string> | undefined;
  private readonly dynamicAuth: boolean;

  constructor(
    readonly kubeConfig: KubeConfig,
    opts: { userAgent?: string } = {},
  ) {
    const cluster = kubeConfig.getCurrentCluster();
    if (!cluster) throw new Error('kubeconfig has no current cluster; set current-context');
    this.server = new URL(cluster.server);
    this.basePath = this.server.pathname.replace(/\/$/, '');
    // An IPv6 literal comes as [::1] in a URL and as ::1 in request options.
    this.hostname = this.server.hostname.replace(/^\[(.*)\]$/, '$1');
    const user = kubeConfig.getCurrentUser();
    // Exec and auth-provider credentials can expire, so their headers are recomputed per request.
    this.dynamicAuth = Boolean(user?.exec || user?.authProvider);
    const probe: https.RequestOptions = {};
    // applyToHTTPSOptions sets ca/cert/key/servername synchronously before its first
    // await; credentials (which may need I/O) are fetched per request in headers().
    kubeConfig.applyToHTTPSOptions(probe).catch(() => undefined);
    for (const k of ['ca', 'cert', 'key', 'pfx', 'passphrase', 'servername', 'rejectUnauthorized'] as const) {
      if (probe[k] !== undefined) (this.tls as Record<string, unknown>)[k] = probe[k];
    }
    // One TLS context for every connection: building one per socket costs milliseconds each.
    // The pool stays unbounded because long-lived watches share it.
    const { ca, cert, key, pfx, passphrase, ...rest } = this.tls as https.AgentOptions;
    const secureContext = tls.createSecureContext({ ca, cert, key, pfx, passphrase });
    const agentOpts: https.AgentOptions = { keepAlive: true, maxSockets: Infinity, ...rest, secureContext };
    this.agent = this.server.protocol === 'https:' ? new https.Agent(agentOpts) : new http.Agent({ keepAlive: true });
    const port = Number(this.server.port) || (this.server.protocol === 'https:' ? 443 : 80);
    this.pool = new HTTP1Pool({
      host: this.hostname,
      port,
      tls:
        this.server.protocol === 'https:'
          ? { secureContext, servername: (rest as tls.ConnectionOptions).servername, rejectUnauthorized: (rest as tls.ConnectionOptions).rejectUnauthorized }
          : undefined,
    });
    this.userAgent = opts.userAgent ?? 'timonel-client';
  }

  private readonly userAgent: string;

  private async headers(): Promise<Record<string, string>> {
    if (this.staticHeaders && !this.dynamicAuth) return this.staticHeaders;
    const o: https.RequestOptions = {};
    await this.kubeConfig.applyToHTTPSOptions(o);
    const h: Record<string, string> = { 'user-agent': this.userAgent };
    for (const [k, v] of Object.entries(o.headers ?? {})) if (v !== undefined) h[k.toLowerCase()] = String(v);
    if (o.auth) h.authorization = `Basic ${Buffer.from(o.auth).toString('base64')}`;
    this.staticHeaders = h;
    return h;
  }

  /** The request path on the server, with the query (values encoded as URLSearchParams does). */
  requestPath(path: string, query?: Query): string {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== '') params.set(k, String(v));
    const q = params.toString();
    return this.basePath + path + (q ? `?${q}` : '');
  }

  /** A GET on the keep-alive agent whose answer is read as a stream (watches). */
  private async openStream(path: string, query: Query, signal: AbortSignal): Promise<{ res: Promise<http.IncomingMessage> }> {
    const headers: Record<string, string> = { ...(await this.headers()), accept: 'application/json' };
    // Plain options, not a URL: node would turn a URL into these on every request.
    const req = (this.server.protocol === 'https:' ? https : http).request({
      protocol: this.server.protocol,
      hostname: this.hostname,
      port: this.server.port,
      path: this.requestPath(path, query),
      method: 'GET',
      headers,
      agent: this.agent,
      signal,
    });
    const res = new Promise<http.IncomingMessage>((resolve, reject) => {
      req.on('response', resolve);
      req.on('error', reject);
    });
    req.end();
    return { res };
  }

  /** One request; the parsed JSON body, or a StatusError for any non-2xx answer. */
  async request<R = unknown>(method: string, path: string, opts: RequestOptions = {}): Promise<R> {
    const headers: Record<string, string> = { ...(await this.headers()), accept: 'application/json' };
    let payload: string | undefined;
    if (opts.body !== undefined) {
      payload = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
      headers['content-type'] = opts.contentType ?? 'application/json';
    }
    const r = await this.pool.request(method, this.requestPath(path, opts.query), headers, payload);
    const body = r.body.toString();
    if (r.status < 200 || r.status > 299) throw statusErrorFrom(r.status, body);
    return (body ? JSON.parse(body) : undefined) as R;
  }

  /**
   * A watch stream. Each line is decoded and passed to onEvent; an ERROR event ends
   * the watch with its Status as a StatusError (410 Expired means: relist).
   */
  async watch<T>(path: string, query: Query, onEvent: WatchHandler<T>): Promise<WatchHandle> {
    const ac = new AbortController();
    let settle!: (e: Error | undefined) => void;
    const done = new Promise<Error | undefined>((r) => (settle = r));
    let settled = false;
    const finish = (e: Error | undefined) => {
      if (settled) return;
      settled = true;
      ac.abort();
      settle(e);
    };
    const { res } = await this.openStream(path, { ...query, watch: 'true' }, ac.signal);
    let r: http.IncomingMessage;
    try {
      r = await res;
    } catch (err) {
      finish(err as Error);
      return { stop: () => finish(undefined), done };
    }
    const code = r.statusCode ?? 0;
    if (code !== 200) {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => finish(statusErrorFrom(code, Buffer.concat(chunks).toString())));
      r.on('error', (e) => finish(e));
      return { stop: () => finish(undefined), done };
    }
    r.setEncoding('utf8');
    let buf = '';
    r.on('data', (chunk: string) => {
      buf = buf ? buf + chunk : chunk;
      // Lines are cut from a moving start; the rest is kept once per chunk, not once per line
      // (a chunk under load carries dozens of events).
      let start = 0;
      let nl: number;
      while (!settled && (nl = buf.indexOf('\n', start)) >= 0) {
        const line = buf.slice(start, nl);
        start = nl + 1;
        if (!line.trim()) continue;
        let ev: { type: WatchEventType; object: unknown };
        try {
          ev = JSON.parse(line) as { type: WatchEventType; object: unknown };
        } catch (err) {
          finish(new Error(`undecodable watch event: ${(err as Error).message}`));
          return;
        }
        if (ev.type === 'ERROR') {
          const s = ev.object as Partial<Status>;
          finish(new StatusError(s.code ?? 500, s.reason ?? REASONS[s.code ?? 500] ?? '', s.message ?? 'watch error', s.details));
          return;
        }
        onEvent(ev.type, ev.object as T);
      }
      buf = start ? buf.slice(start) : buf;
    });
    r.on('end', () => finish(undefined));
    r.on('error', (e) => finish(e));
    r.on('close', () => finish(r.complete ? undefined : new Error('watch connection closed')));
    return { stop: () => finish(undefined), done };
  }

  close(): void {
    this.agent.destroy();
    this.pool.close();
  }
}

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  resourceVersionMatch?: 'NotOlderThan' | 'Exact';
}

export interface WatchOptions {
  labelSelector?: string;
  fieldSelector?: string;
  resourceVersion?: string;
  allowWatchBookmarks?: boolean;
  timeoutSeconds?: number;
}

export interface DeleteOptions {
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: string[];
}

export interface WriteOptions {
  fieldManager?: string;
  dryRun?: 'All';
}

export type PatchType = 'merge' | 'strategic' | 'json' | 'apply';

const PATCH_CONTENT_TYPES: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  json: 'application/json-patch+json',
  apply: 'application/apply-patch+yaml',
};

/** client-go's dynamic ResourceInterface for one resource, optionally scoped to a namespace. */
export class ResourceClient<T extends KubeObject = KubeObject> {
  constructor(
    readonly rest: RESTClient,
    readonly gvr: GroupVersionResource,
    readonly ns?: string,
  ) {}

  /** The same client scoped to a namespace. */
  namespace(ns: string | undefined): ResourceClient<T> {
    return new ResourceClient<T>(this.rest, this.gvr, ns);
  }

  /** The collection path, e.g. /apis/apps/v1/namespaces/default/deployments. */
  path(namespace = this.ns, name?: string, subresource?: string): string {
    const g = this.gvr;
    let p = g.group ? `/apis/${g.group}/${g.version}` : `/api/${g.version}`;
    if (g.namespaced && namespace) p += `/namespaces/${encodeURIComponent(namespace)}`;
    p += `/${g.resource}`;
    if (name !== undefined) p += `/${encodeURIComponent(name)}`;
    if (subresource) p += `/${subresource}`;
    return p;
  }

  private objPath(obj: KubeObject, subresource?: string): string {
    const name = obj.metadata?.name;
    if (!name) throw new Error(`${this.gvr.resource}: object has no metadata.name`);
    return this.path(this.ns ?? obj.metadata.namespace, name, subresource);
  }

  get(name: string, opts: { resourceVersion?: string } = {}): Promise<T> {
    return this.rest.request<T>('GET', this.path(this.ns, name), { query: { ...opts } });
  }

  list(opts: ListOptions = {}): Promise<KubeList<T>> {
    return this.rest.request<KubeList<T>>('GET', this.path(), { query: { ...opts } });
  }

  create(obj: T, opts: WriteOptions = {}): Promise<T> {
    const ns = this.ns ?? obj.metadata?.namespace;
    return this.rest.request<T>('POST', this.path(ns), { body: obj, query: { ...opts } });
  }

  update(obj: T, opts: WriteOptions = {}): Promise<T> {
    return this.rest.request<T>('PUT', this.objPath(obj), { body: obj, query: { ...opts } });
  }

  updateStatus(obj: T, opts: WriteOptions = {}): Promise<T> {
    return this.rest.request<T>('PUT', this.objPath(obj, 'status'), { body: obj, query: { ...opts } });
  }

  /** PATCH name with a merge, strategic-merge, JSON (RFC 6902) or server-side apply patch. Apply needs opts.fieldManager. */
  patch(name: string, type: PatchType, patch: unknown, opts: WriteOptions & { force?: boolean; subresource?: string } = {}): Promise<T> {
    const { subresource, ...query } = opts;
    return this.rest.request<T>('PATCH', this.path(this.ns, name, subresource), { body: patch, contentType: PATCH_CONTENT_TYPES[type], query: { ...query } });
  }

  /** DELETE; resolves with the server's answer (the object while finalizers run, else a Status). */
  delete(name: string, opts: DeleteOptions = {}): Promise<unknown> {
    const hasBody = Object.keys(opts).length > 0;
    const body = hasBody ? { kind: 'DeleteOptions', apiVersion: 'v1', ...opts } : undefined;
    return this.rest.request('DELETE', this.path(this.ns, name), { body });
  }

  watch(opts: WatchOptions, onEvent: WatchHandler<T>): Promise<WatchHandle> {
    return this.rest.watch<T>(this.path(), { ...opts }, onEvent);
  }
}

/** A clientset in miniature: one RESTClient, a ResourceClient per resource. */
export class Client {
  readonly rest: RESTClient;
  constructor(
    readonly kubeConfig: KubeConfig,
    opts: { userAgent?: string } = {},
  ) {
    this.rest = new RESTClient(kubeConfig, opts);
  }

  static fromFile(path?: string, opts: { userAgent?: string } = {}): Client {
    return new Client(loadKubeConfig(path), opts);
  }

  /** resource({group,version,resource,namespaced}) or resource('apps/v1', 'deployments') for built-ins. */
  resource<T extends KubeObject = KubeObject>(gvr: GroupVersionResource | string, plural?: string): ResourceClient<T> {
    const g = typeof gvr === 'string' ? builtinResource(gvr, plural ?? '') : gvr;
    return new ResourceClient<T>(this.rest, g);
  }

  /** The namespace of the kubeconfig's current context ('default' if unset). */
  get defaultNamespace(): string {
    const ctx = this.kubeConfig.getContextObject(this.kubeConfig.getCurrentContext());
    return ctx?.namespace || 'default';
  }

  close(): void {
    this.rest.close();
  }
}
