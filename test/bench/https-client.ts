// A keep-alive HTTPS client for the apiserver: one Agent per load phase, with as
// many sockets as concurrent clients, so every request after the first reuses a
// TLS connection (as client-go does).
import { Agent, request } from 'node:https';

export interface HTTPResponse {
  status: number;
  body: string;
}

export class HTTPSClient {
  readonly agent: Agent;

  constructor(
    readonly baseURL: string,
    readonly caCert: string,
    maxSockets: number,
  ) {
    this.agent = new Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets, ca: caCert });
  }

  /** Sends one request and reads the whole response body. */
  send(method: string, path: string, body?: string, headers: Record<string, string> = {}): Promise<HTTPResponse> {
    return new Promise((resolve, reject) => {
      const h: Record<string, string | number> = { accept: 'application/json', ...headers };
      if (body !== undefined) {
        h['content-type'] = 'application/json';
        h['content-length'] = Buffer.byteLength(body);
      }
      const req = request(this.baseURL + path, { method, agent: this.agent, headers: h }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  /** Like send, but rejects unless the status is the expected one. */
  async expect(status: number, method: string, path: string, body?: string): Promise<HTTPResponse> {
    const res = await this.send(method, path, body);
    if (res.status !== status) throw new Error(`${method} ${path}: HTTP ${res.status}, want ${status}: ${res.body.slice(0, 300)}`);
    return res;
  }

  close(): void {
    this.agent.destroy();
  }
}
