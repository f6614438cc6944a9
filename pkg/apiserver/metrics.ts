// kube-apiserver's request metrics (k8s.io/apiserver/pkg/endpoints/metrics upstream), with
// prom-client on a registry of the server's own (two apiservers in one process do not mix):
//   apiserver_request_total{verb,dry_run,group,version,resource,subresource,scope,component,code}
//   apiserver_request_duration_seconds{verb,dry_run,group,version,resource,subresource,scope,component}
//   apiserver_longrunning_requests{verb,group,version,resource,subresource,scope,component}
//   apiserver_current_inflight_requests{request_kind}
//   apiserver_watch_events_total{group,version,kind}
// The storage layer adds etcd_request_duration_seconds and apiserver_storage_objects, admission
// its own. Every request's label set is bound once (per verb, resource and scope, then per code)
// and found again by one key: the hot path allocates no label objects.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { StorageMetrics, since } from '../storage/metrics.js';
import type { RequestInfo } from './requestinfo.js';

/** Upstream's request latency buckets. */
const REQUEST_BUCKETS = [0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1.0, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60];

const COMPONENT = 'apiserver';

const RESOURCE_VERBS: Readonly<Record<string, string>> = {
  get: 'GET',
  list: 'LIST',
  watch: 'WATCH',
  create: 'POST',
  update: 'PUT',
  patch: 'PATCH',
  delete: 'DELETE',
  deletecollection: 'DELETE',
  proxy: 'CONNECT',
};

const HTTP_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** Subresources served somewhere; any other name in a path is labelled as none (a 404 anyway). */
const KNOWN_SUBRESOURCES = new Set([
  'status',
  'scale',
  'binding',
  'eviction',
  'ephemeralcontainers',
  'resize',
  'log',
  'exec',
  'attach',
  'portforward',
  'proxy',
  'finalize',
  'approval',
  'token',
]);
/** Subresources served by a connection to the node: verb CONNECT, long-running. */
const CONNECT_SUBRESOURCES = new Set(['exec', 'attach', 'portforward', 'proxy']);

/** Non-resource paths labelled by their path (in subresource, as upstream); the rest are "other". */
const NON_RESOURCE_PATHS = new Set(['/healthz', '/livez', '/readyz', '/metrics', '/version', '/api', '/apis', '/openapi/v2', '/openapi/v3']);

/** A bound cap on label sets: past it, requests are counted under the label sets already seen only. */
const MAX_LABEL_SETS = 4096;

/** One label set (all but code), bound once. */
interface Bound {
  labels: Record<string, string>;
  duration?: Histogram.Internal<string>;
  longRunning?: Gauge.Internal<string>;
  byCode: Map<number, Counter.Internal>;
}

export interface ServedResources {
  /** Whether group/version/resource is served (unknown ones are not labelled by name). */
  served(group: string, version: string, resource: string): boolean;
}

export class APIServerMetrics {
  readonly registry = new Registry();
  readonly storage: StorageMetrics;
  private readonly requestTotal: Counter<string>;
  private readonly requestDuration: Histogram<string>;
  private readonly longRunning: Gauge<string>;
  private readonly watchEvents: Counter<'group' | 'version' | 'kind'>;
  private readonly bound = new Map<string, Bound>();
  private inFlight?: () => { readOnly: number; mutating: number };

  constructor(private readonly resources: ServedResources) {
    const registers = [this.registry];
    const labelNames = ['verb', 'dry_run', 'group', 'version', 'resource', 'subresource', 'scope', 'component'];
    this.requestTotal = new Counter({
      name: 'apiserver_request_total',
      help: 'Counter of apiserver requests broken out for each verb, dry run value, group, version, resource, scope, component, and HTTP response code.',
      labelNames: [...labelNames, 'code'],
      registers,
    });
    this.requestDuration = new Histogram({
      name: 'apiserver_request_duration_seconds',
      help: 'Response latency distribution in seconds for each verb, dry run value, group, version, resource, subresource, scope and component.',
      labelNames,
      buckets: REQUEST_BUCKETS,
      registers,
    });
    this.longRunning = new Gauge({
      name: 'apiserver_longrunning_requests',
      help: 'Gauge of all active long-running apiserver requests broken out by verb, group, version, resource, scope and component. Not all requests are tracked this way.',
      labelNames: ['verb', 'group', 'version', 'resource', 'subresource', 'scope', 'component'],
      registers,
    });
    const self = this;
    new Gauge({
      name: 'apiserver_current_inflight_requests',
      help: 'Maximal number of currently used inflight request limit of this apiserver per request kind in last second.',
      labelNames: ['request_kind'],
      registers,
      collect() {
        const n = self.inFlight?.() ?? { readOnly: 0, mutating: 0 };
        this.set({ request_kind: 'readOnly' }, n.readOnly);
        this.set({ request_kind: 'mutating' }, n.mutating);
      },
    });
    this.watchEvents = new Counter({
      name: 'apiserver_watch_events_total',
      help: 'Number of events sent in watch clients',
      labelNames: ['group', 'version', 'kind'],
      registers,
    });
    this.storage = new StorageMetrics(this.registry);
  }

  /** Where apiserver_current_inflight_requests reads the seats taken, at scrape time. */
  setInFlightSource(source: () => { readOnly: number; mutating: number }): void {
    this.inFlight = source;
  }

  /** The counter a watch of one kind adds its events to. */
  watchEventsFor(group: string, version: string, kind: string): Counter.Internal {
    return this.watchEvents.labels({ group, version, kind });
  }

  /** Counts the request and times it until its response closes; long-running ones are counted while open. */
  monitor(req: IncomingMessage, res: ServerResponse, info: RequestInfo, query: string, longRunning: boolean): void {
    const start = performance.now();
    const bound = this.boundFor(req, info, query, longRunning);
    const lr = longRunning ? this.longRunningOf(bound) : undefined;
    lr?.inc();
    res.once('close', () => {
      lr?.dec();
      this.countOf(bound, res.statusCode).inc();
      bound.duration?.observe(since(start));
    });
  }

  private boundFor(req: IncomingMessage, info: RequestInfo, query: string, longRunning: boolean): Bound {
    let group = '';
    let version = '';
    let resource = '';
    let subresource = '';
    let scope = '';
    let verb: string;
    if (info.isResourceRequest && this.resources.served(info.apiGroup, info.apiVersion, info.resource)) {
      group = info.apiGroup;
      version = info.apiVersion;
      resource = info.resource;
      if (KNOWN_SUBRESOURCES.has(info.subresource)) subresource = info.subresource;
      scope = info.name !== '' || info.verb === 'create' ? 'resource' : info.namespace !== '' ? 'namespace' : 'cluster';
      verb = RESOURCE_VERBS[info.verb] ?? 'other';
      if (CONNECT_SUBRESOURCES.has(subresource) && (longRunning || req.method === 'POST')) verb = 'CONNECT';
      else if (verb === 'PATCH' && req.headers['content-type'] === 'application/apply-patch+yaml') verb = 'APPLY';
    } else {
      verb = HTTP_METHODS.has(req.method ?? '') ? (req.method as string) : 'other';
      if (!info.isResourceRequest) subresource = NON_RESOURCE_PATHS.has(info.path) ? info.path : 'other';
    }
    const dryRun = query.includes('dryRun=All') ? 'All' : '';
    const key = `${verb} ${dryRun} ${group} ${version} ${resource} ${subresource} ${scope}`;
    let b = this.bound.get(key);
    if (b) return b;
    const labels = { verb, dry_run: dryRun, group, version, resource, subresource, scope, component: COMPONENT };
    // Upstream leaves watches and connections out of the latency histogram.
    b = { labels, byCode: new Map(), duration: verb === 'WATCH' || verb === 'CONNECT' ? undefined : this.requestDuration.labels(labels) };
    if (this.bound.size < MAX_LABEL_SETS) this.bound.set(key, b);
    return b;
  }

  private longRunningOf(b: Bound): Gauge.Internal<string> {
    if (!b.longRunning) {
      const { dry_run: _, ...labels } = b.labels;
      b.longRunning = this.longRunning.labels(labels);
    }
    return b.longRunning;
  }

  private countOf(b: Bound, code: number): Counter.Internal {
    let c = b.byCode.get(code);
    if (!c) {
      c = this.requestTotal.labels({ ...b.labels, code: String(code) });
      b.byCode.set(code, c);
    }
    return c;
  }

  /** The text exposition of every metric. */
  async expose(): Promise<string> {
    return this.registry.metrics();
  }
}
