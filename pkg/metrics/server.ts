// The plain-HTTP endpoint the scheduler, proxy and cluster DNS share: prom-client's
// /metrics plus whatever health paths the component answers itself, on a
// host:port bind address.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';

/**
 * Answers the request and returns true when the path is the component's own
 * (healthz, readyz, ...); false lets the server go on to a 404.
 */
export type PathHandler = (req: IncomingMessage, res: ServerResponse) => boolean;

/** "host:port", "[v6]:port" or a bare port (which binds defaultHost). */
export function parseBindAddress(bindAddress: string, defaultHost: string): { host: string; port: number } {
  const i = bindAddress.lastIndexOf(':');
  const host = i > 0 ? bindAddress.slice(0, i).replace(/^\[|\]$/g, '') : defaultHost;
  const port = Number(i >= 0 ? bindAddress.slice(i + 1) : bindAddress);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`bad bind address ${JSON.stringify(bindAddress)}: want host:port`);
  return { host, port };
}

/** The request's path without its query. */
export function requestPath(req: IncomingMessage): string {
  return (req.url ?? '/').split('?')[0];
}

/** Listens on bindAddress; a port in use is said plainly rather than as EADDRINUSE. A bad address rejects too. */
export async function listen(server: Server, bindAddress: string, defaultHost: string): Promise<Server> {
  const { host, port } = parseBindAddress(bindAddress, defaultHost);
  return new Promise((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      reject(new Error(`cannot listen on ${bindAddress}: ${err.code === 'EADDRINUSE' ? 'the port is in use' : err.message}`));
    });
    server.listen(port, host, () => resolve(server));
  });
}

export interface ServeOptions {
  /** The component's other paths, tried before the 404. */
  handle?: PathHandler;
  /** Where a bare port binds (default 127.0.0.1: these endpoints are meant for loopback). */
  defaultHost?: string;
}

function notFound(res: ServerResponse): void {
  res.writeHead(404, { 'content-type': 'text/plain' });
  res.end('404 page not found\n');
}

/** An HTTP server with only the component's own paths (kube-proxy's separate --healthz-bind-address). */
export function serveHandler(bindAddress: string, handle: PathHandler, opts: Omit<ServeOptions, 'handle'> = {}): Promise<Server> {
  return listen(
    createServer((req, res) => {
      if (!handle(req, res)) notFound(res);
    }),
    bindAddress,
    opts.defaultHost ?? '127.0.0.1',
  );
}

/** /metrics from registry, then opts.handle's paths, else 404. */
export function serveMetrics(bindAddress: string, registry: Registry, opts: ServeOptions = {}): Promise<Server> {
  return serveHandler(
    bindAddress,
    (req, res) => {
      if (requestPath(req) !== '/metrics') return opts.handle?.(req, res) ?? false;
      registry.metrics().then(
        (text) => {
          res.writeHead(200, { 'content-type': registry.contentType });
          res.end(text);
        },
        (err: Error) => {
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end(err.message);
        },
      );
      return true;
    },
    opts,
  );
}
