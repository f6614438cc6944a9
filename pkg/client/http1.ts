// Unary requests over kept-alive HTTP/1.1 connections (TLS or plain TCP), one
// request per connection at a time. node:https's ClientRequest/Agent/parser
// machinery costs ~230 µs of CPU per small request on these machines; writing the
// request as one string and reading a Content-Length or chunked answer costs ~80.
// Every API write of the scheduler and the controllers goes through here, so that
// difference is a large share of their CPU. Watches keep using node:https.
//
// Kept instead of undici, which costs more than the 25 % the project allows for a
// library here. Measured 2026-12-07 on Node 20.20.2 with undici 7.30.3 (8.x needs
// Node 22) by test/bench/http-client-bench.ts: one apiserver child over HTTPS with
// keep-alive, 6,000 requests per case in 20 blocks alternating between clients,
// client CPU from process.cpuUsage, on a 2-core machine shared with other work.
// Client CPU per request (requests/s) — this client, undici.request on a Pool,
// undici's Pool.dispatch with a handler that only keeps the body:
//   GET,  1 at a time:   167 µs (1022/s)   252 µs +51 % (882/s)   210 µs +26 % (906/s)
//   GET,  16 at a time:  114 µs (2024/s)   163 µs +43 % (1844/s)  133 µs +17 % (1926/s)
//   POST, 1 at a time:   193 µs (518/s)    306 µs +58 % (444/s)   261 µs +35 % (459/s)
//   POST, 16 at a time:  133 µs (937/s)    201 µs +52 % (717/s)   177 µs +34 % (736/s)
// A second run under heavier load gave +41..72 % (request) and +8..35 % (dispatch).
import net from 'node:net';
import tls from 'node:tls';

export interface HTTP1Response {
  status: number;
  /** Header names in lower case; repeated headers joined with ", ". */
  headers: Record<string, string>;
  body: Buffer;
}

export interface HTTP1PoolOptions {
  host: string;
  port: number;
  /** TLS settings; absent for plain HTTP. */
  tls?: { secureContext: tls.SecureContext; servername?: string; rejectUnauthorized?: boolean };
  /** Idle connections are closed after this long (below the apiserver's 120 s keep-alive). */
  idleTimeoutMs?: number;
  maxIdle?: number;
}

const MAX_HEADER_BYTES = 64 * 1024;
const IDEMPOTENT = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);

interface ResponseHead {
  status: number;
  headers: Record<string, string>;
  keepAlive: boolean;
  /** Bytes of body after the head: a length, 'chunked', or 0 for none. */
  framing: number | 'chunked';
}

/** The status line and headers at the start of buf (ending at headEnd, the index of the blank line). */
export function parseHead(buf: Buffer, headEnd: number, method: string): ResponseHead {
  const lines = buf.toString('latin1', 0, headEnd).split('\r\n');
  const m = /^HTTP\/1\.([01]) (\d{3})(?: .*)?$/.exec(lines[0]);
  if (!m) throw new Error(`malformed response status line ${JSON.stringify(lines[0].slice(0, 100))}`);
  const status = Number(m[2]);
  const headers = Object.create(null) as Record<string, string>; // names come off the wire
  for (let i = 1; i < lines.length; i++) {
    const colon = lines[i].indexOf(':');
    if (colon <= 0) throw new Error(`malformed response header ${JSON.stringify(lines[i].slice(0, 100))}`);
    const name = lines[i].slice(0, colon).trim().toLowerCase();
    const value = lines[i].slice(colon + 1).trim();
    headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
  }
  const keepAlive = m[1] === '1' && !/\bclose\b/i.test(headers.connection ?? '');
  if (method === 'HEAD' || status === 204 || status === 304 || (status >= 100 && status < 200)) return { status, headers, keepAlive, framing: 0 };
  if (/\bchunked\b/i.test(headers['transfer-encoding'] ?? '')) return { status, headers, keepAlive, framing: 'chunked' };
  const cl = headers['content-length'];
  // Without either framing the body would run to the end of the connection, which the apiserver never does.
  if (cl === undefined) throw new Error('response without Content-Length or chunked encoding');
  if (!/^\d+$/.test(cl)) throw new Error(`malformed Content-Length ${JSON.stringify(cl)}`);
  return { status, headers, keepAlive, framing: Number(cl) };
}

/** A chunked body at the start of buf when it is complete: the body and how many bytes it took (trailers ignored). */
export function parseChunked(buf: Buffer): { body: Buffer; used: number } | undefined {
  const chunks: Buffer[] = [];
  let pos = 0;
  for (;;) {
    const lineEnd = buf.indexOf('\r\n', pos);
    if (lineEnd < 0) return undefined;
    const sizeText = buf.toString('latin1', pos, lineEnd).split(';')[0].trim();
    if (!/^[0-9a-fA-F]+$/.test(sizeText)) throw new Error('malformed chunk size');
    const size = parseInt(sizeText, 16);
    if (size === 0) {
      // Trailer lines (ignored) up to an empty line.
      const after = lineEnd + 2;
      if (buf.length < after + 2) return undefined;
      if (buf[after] === 13 && buf[after + 1] === 10) return { body: Buffer.concat(chunks), used: after + 2 };
      const trailerEnd = buf.indexOf('\r\n\r\n', after);
      return trailerEnd < 0 ? undefined : { body: Buffer.concat(chunks), used: trailerEnd + 4 };
    }
    if (buf.length < lineEnd + 2 + size + 2) return undefined;
    chunks.push(buf.subarray(lineEnd + 2, lineEnd + 2 + size));
    pos = lineEnd + 2 + size + 2;
  }
}

interface Pending {
  resolve: (r: HTTP1Response) => void;
  reject: (e: Error) => void;
  method: string;
  gotBytes: boolean;
  head?: ResponseHead;
  /** Body bytes so far (after the head), kept as received and joined once. */
  chunks: Buffer[];
  size: number;
}

/** One kept-alive connection and the response it is reading, if any. */
class Connection {
  private pending?: Pending;
  private idleTimer?: NodeJS.Timeout;
  closed = false;

  constructor(
    readonly socket: net.Socket,
    private readonly onIdle: (c: Connection) => void,
    private readonly idleTimeoutMs: number,
  ) {
    socket.on('data', (d: Buffer) => this.onData(d));
    socket.on('error', (err) => this.fail(err));
    socket.on('close', () => this.fail(new Error('connection closed by the server')));
  }

  send(request: string | Buffer, method: string): Promise<HTTP1Response> {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.socket.ref();
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject, method, gotBytes: false, chunks: [], size: 0 };
      this.socket.write(request);
    });
  }

  /** Whether the current request failed before any byte of its answer came. */
  get failedEarly(): boolean {
    return !this.pending?.gotBytes;
  }

  private onData(d: Buffer): void {
    const p = this.pending;
    if (!p) {
      // Bytes nobody asked for: the connection is out of step.
      this.destroy();
      return;
    }
    p.gotBytes = true;
    p.chunks.push(d);
    p.size += d.length;
    try {
      if (!p.head) {
        const buf = p.chunks.length === 1 ? p.chunks[0] : Buffer.concat(p.chunks, p.size);
        const headEnd = buf.indexOf('\r\n\r\n');
        if (headEnd < 0) {
          if (p.size > MAX_HEADER_BYTES) throw new Error('response headers too large');
          p.chunks = [buf];
          return;
        }
        const head = parseHead(buf, headEnd, p.method);
        const rest = buf.subarray(headEnd + 4);
        if (head.status >= 100 && head.status < 200) {
          // An interim answer (100 Continue): read on.
          p.chunks = [];
          p.size = 0;
          if (rest.length) this.onData(rest);
          return;
        }
        p.head = head;
        p.chunks = rest.length ? [rest] : [];
        p.size = rest.length;
      }
      const framing = p.head.framing;
      let body: Buffer;
      let extra: number;
      if (framing === 'chunked') {
        const buf = p.chunks.length === 1 ? p.chunks[0] : Buffer.concat(p.chunks, p.size);
        p.chunks = [buf];
        const done = parseChunked(buf);
        if (!done) return;
        body = done.body;
        extra = buf.length - done.used;
      } else {
        if (p.size < framing) return;
        const buf = p.chunks.length === 1 ? p.chunks[0] : Buffer.concat(p.chunks, p.size);
        body = buf.subarray(0, framing);
        extra = buf.length - framing;
      }
      this.pending = undefined;
      // Anything after the answer means the connection is out of step (no pipelining here).
      if (p.head.keepAlive && extra === 0) {
        this.socket.unref();
        this.idleTimer = setTimeout(() => this.destroy(), this.idleTimeoutMs).unref();
        this.onIdle(this);
      } else this.destroy();
      p.resolve({ status: p.head.status, headers: p.head.headers, body });
    } catch (err) {
      this.fail(err as Error);
      this.socket.destroy();
    }
  }

  private fail(err: Error): void {
    this.closed = true;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    const p = this.pending;
    this.pending = undefined;
    p?.reject(err);
  }

  destroy(): void {
    this.fail(new Error('connection closed'));
    this.socket.destroy();
  }
}

export class HTTP1Pool {
  private readonly idle: Connection[] = [];
  private readonly all = new Set<Connection>();
  private readonly hostHeader: string;
  private closed = false;

  constructor(private readonly opts: HTTP1PoolOptions) {
    this.hostHeader = opts.host.includes(':') ? `[${opts.host}]:${opts.port}` : `${opts.host}:${opts.port}`;
  }

  async request(method: string, path: string, headers: Record<string, string>, body?: string | Buffer): Promise<HTTP1Response> {
    if (this.closed) throw new Error('client closed');
    let head = `${method} ${path} HTTP/1.1\r\nhost: ${this.hostHeader}\r\n`;
    for (const k in headers) head += `${k}: ${headers[k]}\r\n`;
    const payload = body === undefined ? '' : body;
    const length = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length;
    if (body !== undefined || method === 'POST' || method === 'PUT' || method === 'PATCH') head += `content-length: ${length}\r\n`;
    const request = typeof payload === 'string' ? head + '\r\n' + payload : Buffer.concat([Buffer.from(head + '\r\n', 'latin1'), payload]);
    for (let attempt = 0; ; attempt++) {
      let conn = this.idle.pop();
      while (conn?.closed) {
        // Closed while idle (its timer, or the server).
        this.all.delete(conn);
        conn = this.idle.pop();
      }
      const reused = conn !== undefined;
      conn ??= await this.connect();
      try {
        return await conn.send(request, method);
      } catch (err) {
        // The server may close an idle connection just as a request goes out on it; like Go's
        // transport, send again on a new connection when nothing came back and it is safe to.
        if (attempt === 0 && reused && conn.failedEarly && IDEMPOTENT.has(method)) continue;
        throw err;
      } finally {
        if (conn.closed) this.all.delete(conn);
      }
    }
  }

  private connect(): Promise<Connection> {
    return new Promise((resolve, reject) => {
      const { host, port } = this.opts;
      const t = this.opts.tls;
      const socket = t
        ? tls.connect({
            host,
            port,
            secureContext: t.secureContext,
            servername: t.servername ?? (net.isIP(host) ? undefined : host),
            rejectUnauthorized: t.rejectUnauthorized ?? true,
          })
        : net.connect({ host, port });
      socket.setNoDelay(true);
      const onError = (err: Error) => reject(err);
      socket.once('error', onError);
      socket.once(t ? 'secureConnect' : 'connect', () => {
        socket.off('error', onError);
        const conn = new Connection(socket, (c) => this.release(c), this.opts.idleTimeoutMs ?? 60_000);
        this.all.add(conn);
        resolve(conn);
      });
    });
  }

  private release(conn: Connection): void {
    if (this.closed || this.idle.length >= (this.opts.maxIdle ?? 256)) conn.destroy();
    else this.idle.push(conn);
  }

  close(): void {
    this.closed = true;
    for (const c of this.all) c.destroy();
    this.all.clear();
    this.idle.length = 0;
  }
}
