// Upgrade requests the runtime's streaming server can answer itself (SPDY, and
// the WebSocket protocols up to v4) are passed through byte for byte, as the
// kubelet has always proxied them; SPDY tunneled in WebSocket messages
// (kubectl port-forward since 1.31) is unwrapped onto a SPDY upgrade there.
import type { IncomingMessage } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import { StreamingError } from './cristreaming.js';

const HOP_BY_HOP = new Set(['host', 'proxy-connection', 'keep-alive', 'te', 'trailer', 'transfer-encoding']);

const REASONS: Record<number, [string, string]> = {
  400: ['Bad Request', 'BadRequest'],
  401: ['Unauthorized', 'Unauthorized'],
  403: ['Forbidden', 'Forbidden'],
  404: ['Not Found', 'NotFound'],
  500: ['Internal Server Error', 'InternalError'],
  502: ['Bad Gateway', 'InternalError'],
  503: ['Service Unavailable', 'ServiceUnavailable'],
};

/**
 * Answers an upgrade request that cannot be served with a metav1.Status, then
 * closes the socket. Clients decode a failed upgrade's body as a Status (and
 * would misread plain text that happens to look like YAML).
 */
export function rejectUpgrade(socket: Duplex, code: number, message: string): void {
  if (socket.destroyed) return;
  const [text, reason] = REASONS[code] ?? ['Error', ''];
  const body = Buffer.from(JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code }));
  socket.end(
    Buffer.concat([
      Buffer.from(`HTTP/1.1 ${code} ${text}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`, 'latin1'),
      body,
    ]),
  );
}

/**
 * Replays the client's upgrade request against target (an http:// URL on the
 * runtime's streaming server; the client's query string is kept) and joins the
 * two connections. The runtime's answer, 101 or an error, goes back as it is.
 */
export function proxyUpgrade(req: IncomingMessage, client: Duplex, head: Buffer, target: string): Promise<void> {
  const u = new URL(target);
  if (u.protocol !== 'http:') return Promise.reject(new StreamingError(`cannot proxy to ${u.protocol} streaming URL ${target}`, 500));
  const query = (req.url ?? '').includes('?') ? (req.url ?? '').slice((req.url ?? '').indexOf('?')) : '';
  const path = u.pathname + (u.search ? u.search + (query ? '&' + query.slice(1) : '') : query);
  return new Promise((resolve, reject) => {
    const upstream: Socket = connect(Number(u.port || 80), u.hostname);
    const fail = (err: Error) => {
      client.destroy();
      upstream.destroy();
      reject(new StreamingError(`runtime streaming server: ${err.message}`, 502));
    };
    upstream.once('error', fail);
    upstream.once('connect', () => {
      upstream.off('error', fail);
      const lines = [`${req.method ?? 'GET'} ${path} HTTP/1.1`, `Host: ${u.host}`];
      const raw = req.rawHeaders;
      for (let i = 0; i < raw.length; i += 2) if (!HOP_BY_HOP.has(raw[i].toLowerCase())) lines.push(`${raw[i]}: ${raw[i + 1]}`);
      upstream.write(lines.join('\r\n') + '\r\n\r\n', 'latin1');
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
      const done = () => {
        upstream.destroy();
        client.destroy();
        resolve();
      };
      upstream.on('close', done);
      client.on('close', done);
      upstream.on('error', done);
      client.on('error', done);
    });
  });
}

/**
 * Carries a byte stream (here: a SPDY session to the runtime) in the binary
 * messages of an accepted WebSocket, in both directions, until either side ends.
 */
export function tunnelWebSocket(ws: WebSocket, upstream: Duplex): Promise<void> {
  return new Promise((resolve) => {
    let closed = false;
    const close = () => {
      if (closed) return;
      closed = true;
      upstream.destroy();
      if (ws.readyState === ws.OPEN) ws.close(1000);
      resolve();
    };
    upstream.on('data', (chunk: Buffer) => {
      if (ws.readyState !== ws.OPEN) return;
      ws.send(chunk, { binary: true });
      // Slow client: stop reading the runtime until the socket's buffer drains.
      if (ws.bufferedAmount > 1 << 20) {
        upstream.pause();
        const resume = setInterval(() => {
          if (ws.readyState !== ws.OPEN || ws.bufferedAmount < 1 << 18) {
            clearInterval(resume);
            upstream.resume();
          }
        }, 10);
      }
    });
    ws.on('message', (raw: Buffer | ArrayBuffer | Buffer[]) => {
      const buf = Array.isArray(raw) ? Buffer.concat(raw) : Buffer.isBuffer(raw) ? raw : Buffer.from(raw);
      if (!upstream.destroyed) upstream.write(buf);
    });
    upstream.on('end', close);
    upstream.on('close', close);
    upstream.on('error', close);
    ws.on('close', close);
    ws.on('error', close);
  });
}
