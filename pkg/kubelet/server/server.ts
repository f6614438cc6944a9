// The kubelet's server (port 10250): the node end of `kubectl logs`, `exec`,
// `attach` and `port-forward`, which the apiserver proxies here. Paths and
// parameters are the kubelet's: /containerLogs/{ns}/{pod}/{container},
// /exec|/attach/{ns}/{pod}[/{uid}]/{container}?command=..&input=1&output=1&error=1&tty=1,
// /portForward/{ns}/{pod}[/{uid}], /run/{ns}/{pod}/{container}?cmd=.., /pods, /healthz,
// and for monitoring /metrics, /metrics/{cadvisor,resource,probes} and /stats/summary.
// Each route family has its own file; this one dispatches by the path's first
// segment, passes every request but /healthz through the authentication and
// authorization filter (auth/) and owns the listener.
import { createServer as createHTTPServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { CRIClient } from '../../cri/client.js';
import { getContainerLogs } from './container_logs.js';
import { StreamingError } from './cristreaming.js';
import { getPods, healthz } from './default_handlers.js';
import { getAttach, getExec } from './exec.js';
import { HTTPError, sendText, type Handler, type ServerContext, type UpgradeHandler } from './handler.js';
import { getPortForward } from './port_forward.js';
import { getMetrics, getStats } from './metrics_handlers.js';
import type { KubeletMetrics } from '../metrics/metrics.js';
import type { StatsProvider } from '../stats/provider.js';
import { getRun } from './run.js';
import { createTLSServer, type TLSOptions } from './tls.js';
import { buildAuth, type KubeletAuth } from './auth/auth.js';
import type { ContainerLocator } from './types.js';
import { rejectUpgrade } from './upgradeproxy.js';
import { WebSocketAcceptor } from './websocket.js';

export interface KubeletServerOptions extends TLSOptions {
  /** 0 picks a free port (see the returned port). */
  port: number;
  /** Plain HTTP instead of HTTPS (tests, a read-only port). */
  insecure?: boolean;
  cri: CRIClient;
  locator: ContainerLocator;
  /** The pods bound to this node, for /pods. */
  pods?: () => Promise<unknown[]> | unknown[];
  /**
   * Who may use the API (see auth/). Without it: with a client CA, clients with a
   * certificate it signed; without one, everyone.
   */
  auth?: KubeletAuth;
  /** The kubelet's metrics (/metrics, /metrics/probes). */
  metrics?: KubeletMetrics;
  /** Node, pod and container usage (/metrics/cadvisor, /metrics/resource, /stats/summary). */
  stats?: StatsProvider;
  log?: (msg: string) => void;
}

export interface KubeletServer {
  address: string;
  port: number;
  close(): Promise<void>;
}

/** Plain requests by the path's first segment (a Map: the segment is the client's). */
const ROUTES = new Map<string, Handler>([
  ['healthz', healthz],
  ['pods', getPods],
  ['containerLogs', getContainerLogs],
  ['run', getRun],
  ['metrics', getMetrics],
  ['stats', getStats],
]);

/** Streaming requests, which must be upgrades. */
const UPGRADE_ROUTES = new Map<string, UpgradeHandler>([
  ['exec', getExec],
  ['attach', getAttach],
  ['portForward', getPortForward],
]);

interface RequestTarget {
  pathname: string;
  /** The path's segments, decoded. */
  seg: string[];
  query: URLSearchParams;
}

/** The request's path and query; undefined when the URL does not parse or has a malformed escape. */
function requestTarget(req: IncomingMessage): RequestTarget | undefined {
  try {
    const u = new URL(req.url ?? '/', 'http://kubelet');
    return { pathname: u.pathname, seg: u.pathname.split('/').filter(Boolean).map(decodeURIComponent), query: u.searchParams };
  } catch {
    return undefined;
  }
}

function serveRequest(ctx: ServerContext, auth: KubeletAuth, req: IncomingMessage, res: ServerResponse): void {
  const t = requestTarget(req);
  if (!t) return sendText(res, 400, 'invalid request URL');
  // /healthz tells nothing but "up"; launchers probe it without credentials.
  if (t.pathname === '/healthz') return route(ctx, req, res, t);
  auth.check(req, t.pathname).then(
    (c) => (c.allowed ? route(ctx, req, res, t) : sendText(res, c.code, c.message)),
    (err: unknown) => sendText(res, 500, (err as Error).message),
  );
}

function route(ctx: ServerContext, req: IncomingMessage, res: ServerResponse, t: RequestTarget): void {
  const [root, ...rest] = t.seg;
  if (root !== undefined && UPGRADE_ROUTES.has(root)) return sendText(res, 400, 'Upgrade request required');
  const h = root === undefined ? undefined : ROUTES.get(root);
  if (!h || (root === 'healthz' && rest.length)) return sendText(res, 404, `404 page not found`);
  h(ctx, req, res, rest, t.query).catch((err: unknown) => {
    if (err instanceof HTTPError) return sendText(res, err.code, err.message);
    ctx.log(`${req.method} ${t.pathname}: ${(err as Error).stack ?? String(err)}`);
    sendText(res, 500, (err as Error).message);
  });
}

function serveUpgrade(ctx: ServerContext, auth: KubeletAuth, req: IncomingMessage, socket: Duplex, head: Buffer): void {
  const t = requestTarget(req);
  if (!t) return rejectUpgrade(socket, 400, 'invalid request URL');
  auth.check(req, t.pathname).then(
    (c) => (c.allowed ? routeUpgrade(ctx, req, socket, head, t) : rejectUpgrade(socket, c.code, c.message)),
    (err: unknown) => rejectUpgrade(socket, 500, (err as Error).message),
  );
}

function routeUpgrade(ctx: ServerContext, req: IncomingMessage, socket: Duplex, head: Buffer, t: RequestTarget): void {
  const [root, ...seg] = t.seg;
  const h = root === undefined ? undefined : UPGRADE_ROUTES.get(root);
  if (!h) return rejectUpgrade(socket, 404, '404 page not found');
  h(ctx, req, socket, head, seg, t.query).catch((err: unknown) => {
    const code = err instanceof HTTPError || err instanceof StreamingError ? err.code : 500;
    if (code >= 500) ctx.log(`${root} ${t.pathname}: ${(err as Error).stack ?? String(err)}`);
    rejectUpgrade(socket, code, (err as Error).message);
  });
}

export async function startKubeletServer(opts: KubeletServerOptions): Promise<KubeletServer> {
  const log = opts.log ?? (() => undefined);
  const websockets = new WebSocketAcceptor();
  const ctx: ServerContext = { cri: opts.cri, locator: opts.locator, pods: opts.pods, log, websockets, metrics: opts.metrics, stats: opts.stats };
  const auth =
    opts.auth ??
    buildAuth({ nodeName: '', clientCA: !!opts.clientCAFile, anonymous: !opts.clientCAFile, tokenWebhook: false, authorizationMode: 'AlwaysAllow', log });
  const onRequest = (req: IncomingMessage, res: ServerResponse) => serveRequest(ctx, auth, req, res);
  const server = opts.insecure ? createHTTPServer(onRequest) : createTLSServer(opts, onRequest);

  // Connections, upgraded ones included, are cut on close: logs -f and exec sessions would keep it open.
  const open = new Set<Duplex>();
  const track = (s: Duplex) => {
    open.add(s);
    s.once('close', () => open.delete(s));
  };
  server.on('connection', track);
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    track(socket);
    socket.on('error', () => undefined);
    serveUpgrade(ctx, auth, req, socket, head);
  });
  server.requestTimeout = 0; // logs -f is long-lived
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.address, () => resolve());
  });
  const addr = server.address();
  const port = addr && typeof addr === 'object' ? addr.port : opts.port;
  log(`kubelet server listening on ${opts.insecure ? 'http' : 'https'}://${opts.address}:${port}`);
  return {
    address: opts.address,
    port,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of open) s.destroy();
      websockets.terminateAll();
      await closed;
      websockets.close();
    },
  };
}
