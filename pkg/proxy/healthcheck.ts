// kube-proxy's /healthz (default 0.0.0.0:10256): healthy unless a queued rule
// update has been waiting longer than healthTimeout (2 x the sync period), so a
// proxy whose iptables-restore keeps failing or hangs is reported.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';
import { requestPath, serveHandler, serveMetrics as serveMetricsEndpoint } from '../metrics/server.js';

export class ProxierHealthServer {
  private lastUpdated = 0;
  private oldestPendingQueued = 0;

  constructor(
    private readonly healthTimeoutMs: number,
    private readonly now: () => number = Date.now,
  ) {}

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
    const path = requestPath(req);
    if (path !== '/healthz' && path !== '/livez') return false;
    const ok = this.isHealthy();
    res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json', 'x-content-type-options': 'nosniff' });
    res.end(JSON.stringify(this.status()));
    return true;
  }
}

/** /healthz and /livez on --healthz-bind-address. */
export function serveHealthz(bindAddress: string, health: ProxierHealthServer): Promise<Server> {
  return serveHandler(bindAddress, (req, res) => health.handle(req, res), { defaultHost: '0.0.0.0' });
}

/** /metrics (and /healthz) on --metrics-bind-address. */
export function serveMetrics(bindAddress: string, registry: Registry, health: ProxierHealthServer): Promise<Server> {
  return serveMetricsEndpoint(bindAddress, registry, { handle: (req, res) => health.handle(req, res), defaultHost: '0.0.0.0' });
}
