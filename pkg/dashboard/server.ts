// The web view's HTTP server: the built page (static.ts), the live cluster stream and
// a pod's detail (owners, events, logs). Every route is a GET: nothing served
// here can change the cluster, and the ServiceAccount it reads with may only
// get, list and watch. node:http rather than express: six fixed routes, and the
// add-on's image carries no node_modules.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Node, Pod } from '../../api/core/v1/types.js';
import { SharedIndexInformer } from '../client/informer.js';
import { NodeNameIndex, nodeNameIndexFunc } from '../client/store.js';
import type { APIClient } from './apiclient.js';
import { ClusterState } from './clusterstate.js';
import { ownerChain, serveEvents, serveLog } from './detail.js';
import { pollPodMetrics } from './metrics.js';
import { loadPage } from './static.js';
import { parseFilter, serveClusterStream } from './stream.js';

// A DNS-1123 subdomain (pod and namespace names) and a container name (a label).
const NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
const POD_ROUTE = /^\/api\/namespaces\/([^/]+)\/pods\/([^/]+)\/(owners|events|log)$/;

export interface DashboardOptions {
  api: APIClient;
  metricsIntervalMs?: number;
  log?: (msg: string) => void;
  /** The built page's directory (static.ts WEB_DIR by default). */
  webDir?: string;
}

export interface Dashboard {
  server: Server;
  state: ClusterState;
  /** Resolves once the node and pod informers have listed. */
  synced: Promise<void>;
  stop(): Promise<void>;
}

function sendJSON(res: ServerResponse, code: number, body: unknown): void {
  res.writeHead(code, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

export function createDashboard(opts: DashboardOptions): Dashboard {
  const log = opts.log ?? (() => undefined);
  const { api } = opts;
  const page = loadPage(opts.webDir);
  const informerLog = (msg: string) => log(msg);
  const nodes = new SharedIndexInformer<Node>(api.listerWatcher('/api/v1/nodes'), { name: 'nodes', log: informerLog });
  const pods = new SharedIndexInformer<Pod>(api.listerWatcher('/api/v1/pods'), {
    name: 'pods',
    log: informerLog,
    indexers: { [NodeNameIndex]: nodeNameIndexFunc },
  });
  const state = new ClusterState(nodes, pods);
  nodes.run();
  pods.run();
  const stopMetrics = pollPodMetrics(api, opts.metricsIntervalMs ?? 15_000, (u) => state.setUsage(u), log);
  const synced = new Promise<void>((resolve) => {
    const check = () => (nodes.hasSynced() && pods.hasSynced() ? resolve() : setTimeout(check, 50));
    check();
  });

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://dashboard');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end('read-only\n');
      return;
    }
    const file = page.get(url.pathname);
    if (file) {
      res.writeHead(200, { 'content-type': file.type, 'cache-control': file.cacheControl, 'content-length': file.body.length });
      res.end(req.method === 'HEAD' ? undefined : file.body);
      return;
    }
    if (url.pathname === '/favicon.ico') {
      res.writeHead(204).end();
      return;
    }
    if (url.pathname === '/healthz') {
      const ok = nodes.hasSynced() && pods.hasSynced();
      res.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' }).end(ok ? 'ok\n' : 'informers not synced\n');
      return;
    }
    if (url.pathname === '/api/stream') {
      const filter = parseFilter(url.searchParams);
      if ('error' in filter) {
        sendJSON(res, 400, { message: filter.error });
        return;
      }
      await synced;
      serveClusterStream(state, filter, res);
      return;
    }
    const m = POD_ROUTE.exec(url.pathname);
    if (m) {
      const [ns, name] = [decodeURIComponent(m[1]), decodeURIComponent(m[2])];
      if (!NAME.test(ns) || !NAME.test(name)) {
        sendJSON(res, 400, { message: 'not a namespace and pod name' });
        return;
      }
      if (m[3] === 'owners') {
        sendJSON(res, 200, { chain: await ownerChain(api, ns, name) });
      } else if (m[3] === 'events') {
        serveEvents(api, ns, name, res);
      } else {
        const container = url.searchParams.get('container') ?? '';
        if (container && !NAME.test(container)) {
          sendJSON(res, 400, { message: 'not a container name' });
          return;
        }
        await serveLog(api, ns, name, container, res);
      }
      return;
    }
    sendJSON(res, 404, { message: 'not found' });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: Error & { code?: number }) => {
      log(`${req.method} ${req.url}: ${err.message}`);
      if (!res.headersSent) sendJSON(res, typeof err.code === 'number' && err.code >= 400 && err.code < 600 ? err.code : 500, { message: err.message });
      else res.end();
    });
  });
  return {
    server,
    state,
    synced,
    stop: async () => {
      stopMetrics();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await Promise.all([nodes.stop(), pods.stop()]);
      api.close();
    },
  };
}
