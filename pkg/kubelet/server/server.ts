// The kubelet's server (port 10250): the node end of `kubectl logs`, `exec`,
// `attach` and `port-forward`, which the apiserver proxies here. Paths and
// parameters are the kubelet's: /containerLogs/{ns}/{pod}/{container},
// /exec|/attach/{ns}/{pod}[/{uid}]/{container}?command=..&input=1&output=1&error=1&tty=1,
// /portForward/{ns}/{pod}[/{uid}], /run/{ns}/{pod}/{container}?cmd=.., /pods, /healthz.
// With a client CA, every request must present a certificate it signed: that
// is how the apiserver authenticates to the kubelet.
import { constants, readFileSync } from 'node:fs';
import { access } from 'node:fs/promises';
import { createServer as createHTTPServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHTTPSServer } from 'node:https';
import { hostname } from 'node:os';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { WebSocketServer, type WebSocket } from 'ws';
import { GrpcStatus, grpcCode, type CRIClient } from '../../cri/client.js';
import { loadOrCreateSelfSignedCert } from '../../util/certs.js';
import { PORT_FORWARD_PROTOCOL, StreamingError, openRemoteCommand, upgradeRequest } from './cristreaming.js';
import { streamContainerLog, type ContainerLogOptions } from './logs.js';
import { WEBSOCKET_REMOTE_COMMAND_PROTOCOLS, bridgeRemoteCommand, chooseProtocol } from './remotecommand.js';
import { isLocateError, type ContainerLocator } from './types.js';
import { proxyUpgrade, rejectUpgrade, tunnelWebSocket } from './upgradeproxy.js';

/** kubectl port-forward (1.31+) tunnels its SPDY session in WebSocket messages under this subprotocol. */
export const PORT_FORWARD_TUNNEL_PROTOCOL = 'SPDY/3.1+portforward.k8s.io';

export interface KubeletServerOptions {
  address: string;
  /** 0 picks a free port (see the returned port). */
  port: number;
  tlsCertFile?: string;
  tlsKeyFile?: string;
  /** Where a self-signed serving certificate is kept when no files are given (kubelet.crt, kubelet.key). */
  certDir?: string;
  /** Extra names for the self-signed certificate (the node's name and IPs). */
  hostnames?: string[];
  /** Require client certificates signed by this CA (the apiserver's). */
  clientCAFile?: string;
  /** Plain HTTP instead of HTTPS (tests, a read-only port). */
  insecure?: boolean;
  cri: CRIClient;
  locator: ContainerLocator;
  /** The pods bound to this node, for /pods. */
  pods?: () => Promise<unknown[]> | unknown[];
  log?: (msg: string) => void;
}

export interface KubeletServer {
  address: string;
  port: number;
  close(): Promise<void>;
}

type Handler = (req: IncomingMessage, res: ServerResponse, seg: string[], q: URLSearchParams) => Promise<void>;

function parseBool(v: string | null): boolean {
  return v === '1' || v === 'true';
}

function sendText(res: ServerResponse, code: number, text: string): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(code, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(text.endsWith('\n') ? text : `${text}\n`);
}

/** The HTTP code for a failed CRI call, as the kubelet maps runtime errors. */
function criErrorCode(err: unknown): number {
  switch (grpcCode(err)) {
    case GrpcStatus.NOT_FOUND:
      return 404;
    case GrpcStatus.INVALID_ARGUMENT:
    case GrpcStatus.FAILED_PRECONDITION:
      return 400;
    case GrpcStatus.UNAVAILABLE:
      return 503;
    default:
      return 500;
  }
}

function criMessage(err: unknown): string {
  const e = err as { details?: string; message?: string };
  return e.details || e.message || String(err);
}

class HTTPError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/** Non-negative integer query parameter, or undefined when absent. */
function intParam(q: URLSearchParams, name: string, min: number): number | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  if (!/^-?\d+$/.test(v) || Number(v) < min) throw new HTTPError(400, `invalid ${name} ${JSON.stringify(v)}: must be an integer >= ${min}`);
  return Number(v);
}

export function logOptionsFromQuery(q: URLSearchParams, now = Date.now()): ContainerLogOptions & { previous: boolean } {
  // "tail" is the kubelet's older name for tailLines; "all" means no tail.
  const tail = q.get('tail');
  if (tail !== null && !q.has('tailLines') && tail !== 'all') q.set('tailLines', tail);
  const sinceSeconds = intParam(q, 'sinceSeconds', 1);
  const sinceTime = q.get('sinceTime');
  if (sinceSeconds !== undefined && sinceTime) throw new HTTPError(400, 'at most one of `sinceTime` or `sinceSeconds` may be specified');
  let sinceMs: number | undefined;
  if (sinceSeconds !== undefined) sinceMs = now - sinceSeconds * 1000;
  if (sinceTime) {
    sinceMs = Date.parse(sinceTime);
    if (Number.isNaN(sinceMs)) throw new HTTPError(400, `invalid sinceTime ${JSON.stringify(sinceTime)}: must be RFC 3339`);
  }
  const stream = q.get('stream') ?? undefined;
  if (stream !== undefined && !['All', 'Stdout', 'Stderr'].includes(stream))
    throw new HTTPError(400, `invalid stream ${JSON.stringify(stream)}: must be All, Stdout or Stderr`);
  return {
    follow: parseBool(q.get('follow')),
    previous: parseBool(q.get('previous')),
    timestamps: parseBool(q.get('timestamps')),
    tailLines: intParam(q, 'tailLines', 0),
    limitBytes: intParam(q, 'limitBytes', 1),
    sinceMs,
    stream: stream as ContainerLogOptions['stream'],
  };
}

export async function startKubeletServer(opts: KubeletServerOptions): Promise<KubeletServer> {
  const log = opts.log ?? (() => undefined);
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, handleProtocols: (_offered, req) => chosenProtocol.get(req) ?? false });
  const chosenProtocol = new WeakMap<IncomingMessage, string>();
  const sockets = new Set<Socket>();
  const upgraded = new Set<Duplex>();

  const acceptWebSocket = (req: IncomingMessage, socket: Duplex, head: Buffer, protocol: string): Promise<WebSocket> => {
    chosenProtocol.set(req, protocol);
    // ws checks offered subprotocols against RFC 7230 token syntax, which "SPDY/3.1+portforward.k8s.io"
    // fails ('/'); the choice is already made, so it only needs to see a well-formed header.
    if (req.headers['sec-websocket-protocol'] !== undefined) req.headers['sec-websocket-protocol'] = 'chosen';
    return new Promise((resolve) => wss.handleUpgrade(req, socket, head, (ws) => resolve(ws)));
  };

  // ---- plain requests ----

  const containerLogs: Handler = async (_req, res, seg, q) => {
    const [ns, pod, container] = seg;
    if (!ns || !pod || !container) throw new HTTPError(400, 'path must be /containerLogs/{namespace}/{pod}/{container}');
    const o = logOptionsFromQuery(q);
    const found = await opts.locator.find(ns, pod, container);
    if (isLocateError(found)) throw new HTTPError(found.code, found.error);
    let path = found.logPath;
    if (o.previous) {
      if (!found.previousLogPath) throw new HTTPError(400, `previous terminated container "${container}" in pod "${pod}" not found`);
      path = found.previousLogPath;
    }
    const abort = new AbortController();
    res.on('close', () => abort.abort());
    const stillRunning = async () => {
      if (o.previous) return false;
      try {
        const { status } = await opts.cri.runtime.containerStatus({ containerId: found.containerId });
        return status?.state === 'CONTAINER_RUNNING';
      } catch {
        return false;
      }
    };
    try {
      await access(path, constants.R_OK);
    } catch {
      throw new HTTPError(400, `failed to open log file "${path}" of container "${container}" in pod "${pod}": no such file`);
    }
    res.writeHead(200, { 'Content-Type': 'text/plain', 'Transfer-Encoding': 'chunked' });
    // Followers of a quiet container must see the answer start before the first line.
    res.flushHeaders();
    try {
      await streamContainerLog(path, o, res, { signal: abort.signal, stillRunning: o.follow ? stillRunning : undefined });
    } catch (err) {
      // The status line is out; all that is left is to end the body.
      log(`containerLogs ${ns}/${pod}/${container}: ${(err as Error).message}`);
    }
    res.end();
  };

  const run: Handler = async (_req, res, seg, q) => {
    const [ns, pod, container] = seg;
    const found = await opts.locator.find(ns, pod, container);
    if (isLocateError(found)) throw new HTTPError(found.code, found.error);
    const cmd = (q.get('cmd') ?? '').split(/\s+/).filter(Boolean);
    if (!cmd.length) throw new HTTPError(400, 'cmd is required');
    const out = await opts.cri.runtime.execSync({ containerId: found.containerId, cmd, timeout: 0 }).catch((err: unknown) => {
      throw new HTTPError(criErrorCode(err), criMessage(err));
    });
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.end(Buffer.concat([out.stdout, out.stderr]));
  };

  const routes: Record<string, Handler> = {
    healthz: async (_req, res) => sendText(res, 200, 'ok'),
    pods: async (_req, res) => {
      const items = opts.pods ? await opts.pods() : [];
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ kind: 'PodList', apiVersion: 'v1', metadata: {}, items }));
    },
    containerLogs,
    run,
  };

  const authorized = (req: IncomingMessage): boolean => !opts.clientCAFile || (req.socket as TLSSocket).authorized === true;

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    const u = new URL(req.url ?? '/', 'http://kubelet');
    const seg = u.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    // /healthz tells nothing but "up"; launchers probe it without a client certificate.
    if (!authorized(req) && u.pathname !== '/healthz') return sendText(res, 401, 'Unauthorized');
    const [root, ...rest] = seg;
    if (root === 'exec' || root === 'attach' || root === 'portForward') return sendText(res, 400, 'Upgrade request required');
    const h = root === undefined ? undefined : routes[root];
    if (!h || (root === 'healthz' && rest.length)) return sendText(res, 404, `404 page not found`);
    h(req, res, rest, u.searchParams).catch((err: unknown) => {
      if (err instanceof HTTPError) return sendText(res, err.code, err.message);
      log(`${req.method} ${u.pathname}: ${(err as Error).stack ?? String(err)}`);
      sendText(res, 500, (err as Error).message);
    });
  };

  // ---- upgrade requests: exec, attach, port-forward ----

  const isWebSocket = (req: IncomingMessage) => (req.headers.upgrade ?? '').toLowerCase() === 'websocket';
  const offeredProtocols = (req: IncomingMessage) =>
    (req.headers['sec-websocket-protocol'] ?? '')
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean);

  /** {ns}/{pod}/{container} or {ns}/{pod}/{uid}/{container}. */
  const podAndContainer = (seg: string[]): { ns: string; pod: string; uid?: string; container: string } => {
    if (seg.length === 3) return { ns: seg[0], pod: seg[1], container: seg[2] };
    if (seg.length === 4) return { ns: seg[0], pod: seg[1], uid: seg[2], container: seg[3] };
    throw new HTTPError(404, 'path must be /{verb}/{namespace}/{pod}[/{uid}]/{container}');
  };

  const remoteCommand = async (verb: 'exec' | 'attach', req: IncomingMessage, socket: Duplex, head: Buffer, seg: string[], q: URLSearchParams) => {
    const { ns, pod, uid, container } = podAndContainer(seg);
    const tty = parseBool(q.get('tty'));
    const stdin = parseBool(q.get('input'));
    const stdout = parseBool(q.get('output'));
    // A terminal carries stderr on stdout; the runtime refuses both.
    const stderr = parseBool(q.get('error')) && !tty;
    if (!stdin && !stdout && !stderr) throw new HTTPError(400, 'you must specify at least 1 of stdin, stdout, stderr');
    const command = q.getAll('command');
    if (verb === 'exec' && command.length === 0) throw new HTTPError(400, 'you must specify a command to run');
    const found = await opts.locator.find(ns, pod, container);
    if (isLocateError(found)) throw new HTTPError(found.code, found.error);
    if (uid && uid !== found.podUID) throw new HTTPError(404, `pod "${pod}" with UID ${uid} not found`);
    let url: string;
    try {
      ({ url } =
        verb === 'exec'
          ? await opts.cri.runtime.exec({ containerId: found.containerId, cmd: command, tty, stdin, stdout, stderr })
          : await opts.cri.runtime.attach({ containerId: found.containerId, tty, stdin, stdout, stderr }));
    } catch (err) {
      throw new HTTPError(criErrorCode(err), `unable to ${verb} in container "${container}" of pod "${pod}": ${criMessage(err)}`);
    }
    if (!isWebSocket(req)) {
      await proxyUpgrade(req, socket, head, url);
      return;
    }
    const protocol = chooseProtocol(offeredProtocols(req), WEBSOCKET_REMOTE_COMMAND_PROTOCOLS);
    if (protocol === undefined)
      throw new HTTPError(
        400,
        `requested protocol(s) are not supported: ${offeredProtocols(req).join(', ')}; supports ${WEBSOCKET_REMOTE_COMMAND_PROTOCOLS.join(', ')}`,
      );
    const session = await openRemoteCommand(url, { stdin, stdout, stderr, tty });
    const ws = await acceptWebSocket(req, socket, head, protocol);
    await bridgeRemoteCommand(ws, protocol || 'channel.k8s.io', session, log);
  };

  const portForward = async (req: IncomingMessage, socket: Duplex, head: Buffer, seg: string[], q: URLSearchParams) => {
    if (seg.length < 2 || seg.length > 3) throw new HTTPError(404, 'path must be /portForward/{namespace}/{pod}[/{uid}]');
    const [ns, pod, uid] = seg;
    const found = await opts.locator.findSandbox(ns, pod);
    if (isLocateError(found)) throw new HTTPError(found.code, found.error);
    if (uid && uid !== found.podUID) throw new HTTPError(404, `pod "${pod}" with UID ${uid} not found`);
    const ports = (q.get('port') ?? q.get('ports') ?? '').split(',').filter(Boolean).map(Number);
    if (ports.some((p) => !Number.isInteger(p) || p < 1 || p > 65535))
      throw new HTTPError(400, `invalid port in ${JSON.stringify(q.get('port') ?? q.get('ports'))}`);
    let url: string;
    try {
      ({ url } = await opts.cri.runtime.portForward({ podSandboxId: found.podSandboxId, port: ports }));
    } catch (err) {
      throw new HTTPError(criErrorCode(err), `unable to port-forward to pod "${pod}": ${criMessage(err)}`);
    }
    if (isWebSocket(req) && offeredProtocols(req).includes(PORT_FORWARD_TUNNEL_PROTOCOL)) {
      const up = await upgradeRequest(url, 'SPDY/3.1', [PORT_FORWARD_PROTOCOL]);
      if (up.head.length) up.socket.unshift(up.head);
      const ws = await acceptWebSocket(req, socket, head, PORT_FORWARD_TUNNEL_PROTOCOL);
      await tunnelWebSocket(ws, up.socket);
      return;
    }
    // SPDY, and the WebSocket port-forward protocols, the runtime speaks itself.
    await proxyUpgrade(req, socket, head, url);
  };

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    upgraded.add(socket);
    socket.once('close', () => upgraded.delete(socket));
    socket.on('error', () => undefined);
    const u = new URL(req.url ?? '/', 'http://kubelet');
    const [root, ...seg] = u.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    if (!authorized(req)) return rejectUpgrade(socket, 401, 'Unauthorized');
    let work: Promise<void>;
    if (root === 'exec' || root === 'attach') work = remoteCommand(root, req, socket, head, seg, u.searchParams);
    else if (root === 'portForward') work = portForward(req, socket, head, seg, u.searchParams);
    else return rejectUpgrade(socket, 404, '404 page not found');
    work.catch((err: unknown) => {
      const code = err instanceof HTTPError || err instanceof StreamingError ? err.code : 500;
      if (code >= 500) log(`${root} ${u.pathname}: ${(err as Error).stack ?? String(err)}`);
      rejectUpgrade(socket, code, (err as Error).message);
    });
  };

  let server: Server;
  if (opts.insecure) {
    server = createHTTPServer(onRequest);
  } else {
    const names = [
      ...new Set([
        hostname(),
        'localhost',
        '127.0.0.1',
        ...(opts.hostnames ?? []),
        ...(opts.address !== '0.0.0.0' && opts.address !== '::' ? [opts.address] : []),
      ]),
    ];
    let cert: string;
    let key: string;
    if (opts.tlsCertFile && opts.tlsKeyFile) {
      cert = readFileSync(opts.tlsCertFile, 'utf8');
      key = readFileSync(opts.tlsKeyFile, 'utf8');
    } else {
      if (!opts.certDir) throw new Error('kubelet server: give tlsCertFile and tlsKeyFile, or certDir for a self-signed certificate');
      ({ cert, key } = loadOrCreateSelfSignedCert(opts.certDir, 'kubelet', `${hostname()}@${Math.floor(Date.now() / 1000)}`, names));
    }
    const ca = opts.clientCAFile ? readFileSync(opts.clientCAFile, 'utf8') : undefined;
    server = createHTTPSServer({ cert, key, ...(ca ? { ca, requestCert: true, rejectUnauthorized: false } : {}) }, onRequest);
  }
  server.on('upgrade', onUpgrade);
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
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
      for (const s of [...sockets, ...upgraded]) s.destroy();
      for (const c of wss.clients) c.terminate();
      await closed;
      wss.close();
    },
  };
}
