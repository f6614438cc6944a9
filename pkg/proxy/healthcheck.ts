// kube-proxy's /healthz (default 0.0.0.0:10256): healthy unless a queued rule
// update has been waiting longer than healthTimeout (2 x the sync period), so a
// proxy whose iptables-restore keeps failing or hangs is reported.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';

export class ProxierHealthServer {
  private lastUpdated = 0;
  private oldestPendingQueued = 0;

  constructor(private readonly healthTimeoutMs: number, private readonly now: () => number = Date.now) {}

  /** A sync was asked for. */
  queuedUpdate(): void {
    if (this.oldestPendingQueued === 0) this.oldestPendingQueued = this.now();
  }

  /** Rules were written (or the loop started). */
  updated(): void {
    this.lastUpdated = this.now();
    this.oldestPendingQueued = 0;
  }

  isHealthy(): boolean {
    return this.oldestPendingQueued === 0 || this.now() - this.oldestPendingQueued < this.healthTimeoutMs;
  }

  /** The JSON body upstream serves. */
  status(): { lastUpdated: string; currentTime: string; nodeEligible: boolean } {
    return { lastUpdated: new Date(this.lastUpdated).toISOString(), currentTime: new Date(this.now()).toISOString(), nodeEligible: true };
  }

  handle(req: IncomingMessage, res: ServerResponse): boolean {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/healthz' && path !== '/livez') return false;
    const ok = this.isHealthy();
    res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json', 'x-content-type-options': 'nosniff' });
    res.end(JSON.stringify(this.status()));
    return true;
  }
}

export function splitHostPort(bindAddress: string, defaultHost: string): { host: string; port: number } {
  const i = bindAddress.lastIndexOf(':');
  const host = i > 0 ? bindAddress.slice(0, i).replace(/^\[|\]$/g, '') : defaultHost;
  const port = Number(i >= 0 ? bindAddress.slice(i + 1) : bindAddress);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`bad bind address ${JSON.stringify(bindAddress)}: want host:port`);
  return { host, port };
}

function listen(server: Server, bindAddress: string): Promise<Server> {
  const { host, port } = splitHostPort(bindAddress, '0.0.0.0');
  return new Promise((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => reject(new Error(`cannot listen on ${bindAddress}: ${err.code === 'EADDRINUSE' ? 'the port is in use' : err.message}`)));
    server.listen(port, host, () => resolve(server));
  });
}

/** /healthz and /livez on --healthz-bind-address. */
export function serveHealthz(bindAddress: string, health: ProxierHealthServer): Promise<Server> {
  return listen(createServer((req, res) => {
    if (health.handle(req, res)) return;
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('404 page not found\n');
  }), bindAddress);
}

/** /metrics (and /healthz) on --metrics-bind-address. */
export function serveMetrics(bindAddress: string, registry: Registry, health: ProxierHealthServer): Promise<Server> {
  return listen(createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/metrics') {
      registry.metrics().then((text) => {
        res.writeHead(200, { 'content-type': registry.contentType });
        res.end(text);
      }, (err: Error) => {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(err.message);
      });
      return;
    }
    if (health.handle(req, res)) return;
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('404 page not found\n');
  }), bindAddress);
}
