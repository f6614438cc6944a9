// The web view's reads of the apiserver: GET, list and watch over node:https with
// the pod's service-account token (re-read for each request: the kubelet rotates
// it) or, outside a cluster, a client certificate. Only node's own modules are
// used, so the add-on's image is Debian's node with the compiled files and no
// node_modules; pkg/client's informer runs on the ListerWatcher made here.
import https from 'node:https';
import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import type { KubeList, KubeObject, WatchEventType } from '../../api/meta/v1/types.js';
import { StatusError, type Status, type StatusReason } from '../../api/meta/v1/status.js';
import type { ListerWatcher } from '../client/reflector.js';
import type { ListOptions, WatchHandle, WatchHandler, WatchOptions } from '../client/rest.js';

const SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

export interface APIClientConfig {
  /** https://host:port */
  server: string;
  /** PEM of the CA that signed the apiserver's serving certificate. */
  ca?: string;
  /** A bearer token file, read at each request. */
  tokenFile?: string;
  /** A client certificate and key (PEM). */
  cert?: string;
  key?: string;
}

export type Query = Record<string, string | number | boolean | undefined>;

/** The in-cluster configuration, as client-go's rest.InClusterConfig finds it. */
export function inClusterConfig(): APIClientConfig {
  const host = process.env.KUBERNETES_SERVICE_HOST;
  const port = process.env.KUBERNETES_SERVICE_PORT;
  if (!host || !port) throw new Error('not in a cluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are unset; pass --server');
  const h = host.includes(':') ? `[${host}]` : host;
  return { server: `https://${h}:${port}`, ca: readFileSync(`${SA_DIR}/ca.crt`, 'utf8'), tokenFile: `${SA_DIR}/token` };
}

function reasonFor(code: number): StatusReason {
  const reasons: Record<number, StatusReason> = { 401: 'Unauthorized', 403: 'Forbidden', 404: 'NotFound', 410: 'Expired', 429: 'TooManyRequests' };
  return reasons[code] ?? 'InternalError';
}

function statusError(code: number, body: string): StatusError {
  try {
    const s = JSON.parse(body) as Partial<Status>;
    if (s?.kind === 'Status') return new StatusError(s.code ?? code, s.reason ?? reasonFor(code), s.message ?? '');
  } catch {
    // not a Status
  }
  return new StatusError(code, reasonFor(code), body.trim().slice(0, 300) || `HTTP ${code}`);
}

function readBody(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', reject);
  });
}

export class APIClient {
  private readonly server: URL;
  private readonly agent: https.Agent;

  constructor(private readonly cfg: APIClientConfig) {
    this.server = new URL(cfg.server);
    this.agent = new https.Agent({ keepAlive: true, ca: cfg.ca, cert: cfg.cert, key: cfg.key });
  }

  /** Opens a GET; the caller reads (or destroys) the response. */
  open(path: string, query: Query = {}, signal?: AbortSignal): Promise<IncomingMessage> {
    const url = new URL(path, this.server);
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') url.searchParams.set(k, String(v));
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.cfg.tokenFile) headers.authorization = `Bearer ${readFileSync(this.cfg.tokenFile, 'utf8').trim()}`;
    return new Promise((resolve, reject) => {
      const req = https.get(url, { agent: this.agent, headers, signal }, resolve);
      req.on('error', reject);
    });
  }

  async get<T>(path: string, query: Query = {}): Promise<T> {
    const res = await this.open(path, query);
    const body = await readBody(res);
    if (res.statusCode !== 200) throw statusError(res.statusCode ?? 0, body);
    return JSON.parse(body) as T;
  }

  /**
   * A watch: each newline-delimited event goes to onEvent; an ERROR event ends the
   * watch with its Status as a StatusError (410: the reflector relists).
   */
  async watch<T>(path: string, query: Query, onEvent: WatchHandler<T>): Promise<WatchHandle> {
    const ac = new AbortController();
    let settle!: (e: Error | undefined) => void;
    const done = new Promise<Error | undefined>((r) => (settle = r));
    let settled = false;
    const finish = (e: Error | undefined) => {
      if (settled) return;
      settled = true;
      ac.abort();
      settle(e);
    };
    const handle = { stop: () => finish(undefined), done };
    let res: IncomingMessage;
    try {
      res = await this.open(path, { ...query, watch: 'true' }, ac.signal);
    } catch (err) {
      finish(err as Error);
      return handle;
    }
    if (res.statusCode !== 200) {
      readBody(res).then(
        (body) => finish(statusError(res.statusCode ?? 0, body)),
        (e: Error) => finish(e),
      );
      return handle;
    }
    res.setEncoding('utf8');
    let buf = '';
    res.on('data', (chunk: string) => {
      buf += chunk;
      let nl: number;
      while (!settled && (nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (!line.trim()) continue;
        let ev: { type: WatchEventType; object: unknown };
        try {
          ev = JSON.parse(line) as typeof ev;
        } catch (err) {
          finish(new Error(`undecodable watch event: ${(err as Error).message}`));
          return;
        }
        if (ev.type === 'ERROR') {
          const s = ev.object as Partial<Status>;
          finish(new StatusError(s.code ?? 500, s.reason ?? reasonFor(s.code ?? 500), s.message ?? 'watch error'));
          return;
        }
        onEvent(ev.type, ev.object as T);
      }
    });
    res.on('end', () => finish(undefined));
    res.on('error', (e) => finish(e));
    res.on('close', () => finish(res.complete ? undefined : new Error('watch connection closed')));
    return handle;
  }

  /** List and watch of one collection path (e.g. /api/v1/pods), for pkg/client's informer. */
  listerWatcher<T extends KubeObject>(path: string, sel: { fieldSelector?: string; labelSelector?: string } = {}): ListerWatcher<T> {
    return {
      list: (o: ListOptions) => this.get<KubeList<T>>(path, { ...sel, ...o }),
      watch: (o: WatchOptions, onEvent: WatchHandler<T>) => this.watch<T>(path, { ...sel, ...o }, onEvent),
    };
  }

  close(): void {
    this.agent.destroy();
  }
}
