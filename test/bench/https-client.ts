// A keep-alive HTTPS client for the apiserver: the REST client's own HTTP/1.1
// connections (pkg/client/http1.ts), as many as concurrent callers, so every
// request after the first reuses a TLS connection (as client-go does), and the
// load generator takes as little of the machine's CPU as the product's clients do.
import { createSecureContext } from 'node:tls';
import { HTTP1Pool } from '../../pkg/client/http1.js';

export interface HTTPResponse {
  status: number;
  body: string;
}

export class HTTPSClient {
  private readonly pool: HTTP1Pool;

  constructor(
    readonly baseURL: string,
    readonly caCert: string,
    maxSockets: number,
  ) {
    const u = new URL(baseURL);
    this.pool = new HTTP1Pool({
      host: u.hostname,
      port: Number(u.port) || 443,
      tls: { secureContext: createSecureContext({ ca: caCert }) },
      maxIdle: maxSockets,
    });
  }

  /** Sends one request and reads the whole response body. */
  async send(method: string, path: string, body?: string, headers: Record<string, string> = {}): Promise<HTTPResponse> {
    const h: Record<string, string> = { accept: 'application/json', ...headers };
    if (body !== undefined) h['content-type'] = 'application/json';
    const res = await this.pool.request(method, path, h, body);
    return { status: res.status, body: res.body.toString() };
  }

  /** Like send, but rejects unless the status is the expected one. */
  async expect(status: number, method: string, path: string, body?: string): Promise<HTTPResponse> {
    const res = await this.send(method, path, body);
    if (res.status !== status) throw new Error(`${method} ${path}: HTTP ${res.status}, want ${status}: ${res.body.slice(0, 300)}`);
    return res;
  }

  close(): void {
    this.pool.close();
  }
}
