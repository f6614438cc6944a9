// The secure port of kube-controller-manager (10257) and kube-scheduler (10259): HTTPS
// with the certificate given (--tls-cert-file, --tls-private-key-file) or a self-signed
// one (kept in --cert-dir when given, else made in memory at start, as upstream does),
// every request passed through the component's authentication and authorization first,
// then /metrics from the registry and the component's own paths.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import { hostname } from 'node:os';
import type { Registry } from 'prom-client';
import { loadOrCreateSelfSignedCert, newCertificate } from '../util/certs.js';
import { listen, parseBindAddress, requestPath, type PathHandler } from './server.js';

export type SecureAuthCheck = { allowed: true } | { allowed: false; code: number; body: string };

export interface SecureServingOptions {
  /** host:port (--bind-address and --secure-port). */
  bindAddress: string;
  /** The component's name: the self-signed certificate's file name and subject. */
  name: string;
  tlsCertFile?: string;
  tlsKeyFile?: string;
  certDir?: string;
  /** --client-ca-file: clients may present certificates signed by it (checked per request). */
  clientCAFile?: string;
  /** Whether a request may be served (authentication, then authorization). */
  authorize(req: IncomingMessage, path: string): Promise<SecureAuthCheck>;
  /** The component's other paths (/healthz, ...), tried after /metrics. */
  handle?: PathHandler;
  log?: (msg: string) => void;
}

function servingCertificate(o: SecureServingOptions): { cert: string; key: string } {
  if (o.tlsCertFile && o.tlsKeyFile) return { cert: readFileSync(o.tlsCertFile, 'utf8'), key: readFileSync(o.tlsKeyFile, 'utf8') };
  const { host } = parseBindAddress(o.bindAddress, '0.0.0.0');
  const hosts = [...new Set(['localhost', '127.0.0.1', hostname(), ...(host !== '0.0.0.0' && host !== '::' ? [host] : [])])];
  const commonName = `${o.name}-ca@${Math.floor(Date.now() / 1000)}`;
  if (o.certDir) return loadOrCreateSelfSignedCert(o.certDir, o.name, commonName, hosts);
  return newCertificate({ commonName, usage: 'server', hosts });
}

function send(res: ServerResponse, code: number, contentType: string, body: string): void {
  res.writeHead(code, { 'Content-Type': contentType, 'X-Content-Type-Options': 'nosniff' });
  res.end(body);
}

export async function serveSecureMetrics(o: SecureServingOptions, registry: Registry): Promise<Server> {
  const { cert, key } = servingCertificate(o);
  const ca = o.clientCAFile ? readFileSync(o.clientCAFile, 'utf8') : undefined;
  const server = createServer({ cert, key, ...(ca ? { ca, requestCert: true, rejectUnauthorized: false } : {}) }, (req, res) => {
    const path = requestPath(req);
    o.authorize(req, path).then(
      (c) => {
        if (!c.allowed) return send(res, c.code, 'application/json', c.body);
        if (path === '/metrics') {
          registry.metrics().then(
            (text) => send(res, 200, registry.contentType, text),
            (err: Error) => send(res, 500, 'text/plain; charset=utf-8', err.message),
          );
          return;
        }
        if (!o.handle?.(req, res)) send(res, 404, 'text/plain; charset=utf-8', '404 page not found\n');
      },
      (err: Error) => send(res, 500, 'text/plain; charset=utf-8', err.message),
    );
  });
  await listen(server, o.bindAddress, '0.0.0.0');
  const addr = server.address();
  o.log?.(`serving securely on ${typeof addr === 'object' && addr ? `${addr.address}:${addr.port}` : o.bindAddress}`);
  return server;
}

/** /healthz, /livez and /readyz: "ok" while healthy() holds. */
export function healthPaths(healthy: () => boolean = () => true): PathHandler {
  return (req, res) => {
    const path = requestPath(req);
    if (path !== '/healthz' && path !== '/livez' && path !== '/readyz') return false;
    const ok = healthy();
    send(res, ok ? 200 : 500, 'text/plain; charset=utf-8', ok ? 'ok' : 'unhealthy');
    return true;
  };
}
