// Client side of the container runtime's streaming server (the URL CRI
// Exec/Attach/PortForward hand out): an HTTP upgrade to SPDY/3.1 and, for exec
// and attach, the remote command streams of protocol v4.channel.k8s.io.
// containerd 1.6 also speaks WebSocket there, but only up to v4, which cannot
// half-close stdin; SPDY can (FIN on the stdin stream).
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Duplex, Readable, Writable } from 'node:stream';
import { SpdyConnection, type SpdyStream } from './spdy/connection.js';

export const STREAM_PROTOCOL_HEADER = 'X-Stream-Protocol-Version';
export const REMOTE_COMMAND_V4 = 'v4.channel.k8s.io';
export const PORT_FORWARD_PROTOCOL = 'portforward.k8s.io';

export interface UpgradedConnection {
  socket: Duplex;
  /** Bytes the server sent after its 101 response (already part of the new protocol). */
  head: Buffer;
  /** The X-Stream-Protocol-Version the server chose. */
  protocol: string;
}

export class StreamingError extends Error {
  constructor(
    message: string,
    readonly code: number,
  ) {
    super(message);
  }
}

/**
 * POSTs an upgrade request to url and resolves with the raw connection after
 * "101 Switching Protocols". extraHeaders are passed as they are (several
 * X-Stream-Protocol-Version values are sent as several header lines).
 */
export function upgradeRequest(
  url: string,
  upgrade: string,
  protocols: string[],
  opts: { method?: string; timeoutMs?: number } = {},
): Promise<UpgradedConnection> {
  const u = new URL(url);
  const doRequest = u.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = doRequest(u, {
      method: opts.method ?? 'POST',
      headers: { Connection: 'Upgrade', Upgrade: upgrade, [STREAM_PROTOCOL_HEADER]: protocols, 'Content-Length': '0' },
      // The runtime's streaming server is on loopback with its own (untrusted) certificate if any.
      rejectUnauthorized: false,
    });
    const timer = setTimeout(() => req.destroy(new Error(`no answer from the runtime's streaming server at ${u.host}`)), opts.timeoutMs ?? 10_000);
    req.on('upgrade', (res: IncomingMessage, socket: Duplex, head: Buffer) => {
      clearTimeout(timer);
      const chosen = res.headers[STREAM_PROTOCOL_HEADER.toLowerCase()];
      resolve({ socket, head, protocol: Array.isArray(chosen) ? chosen[0] : (chosen ?? '') });
    });
    req.on('response', (res: IncomingMessage) => {
      clearTimeout(timer);
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString().trim();
        reject(new StreamingError(`runtime streaming server answered ${res.statusCode}: ${body || res.statusMessage}`, res.statusCode ?? 500));
      });
    });
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(new StreamingError(`runtime streaming server: ${err.message}`, 502));
    });
    req.end();
  });
}

export interface RemoteCommandOptions {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

export interface RemoteCommandSession {
  stdin?: Writable;
  stdout?: Readable;
  stderr?: Readable;
  resize?: Writable;
  /**
   * Resolves when the command is over and its output streams have ended, with
   * what the runtime wrote on the error stream (a JSON metav1.Status in v4;
   * empty if the connection ended without one).
   */
  finished: Promise<Buffer>;
  /** Drops the session (the client went away). */
  close(): void;
}

function collect(stream: SpdyStream | undefined): Promise<Buffer> {
  if (!stream) return Promise.resolve(Buffer.alloc(0));
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('close', () => resolve(Buffer.concat(chunks)));
    stream.on('error', () => resolve(Buffer.concat(chunks)));
  });
}

function ended(stream: SpdyStream | undefined): Promise<void> {
  if (!stream) return Promise.resolve();
  return new Promise((resolve) => {
    if (stream.readableEnded) return resolve();
    stream.once('end', () => resolve());
    stream.once('close', () => resolve());
  });
}

/**
 * Opens a v4 remote command session on a CRI exec/attach URL. The caller
 * consumes stdout/stderr (they must be read, or they buffer), writes stdin and
 * ends it to close the command's stdin, and writes JSON sizes to resize.
 */
export async function openRemoteCommand(url: string, opts: RemoteCommandOptions): Promise<RemoteCommandSession> {
  const up = await upgradeRequest(url, 'SPDY/3.1', [REMOTE_COMMAND_V4]);
  if (up.protocol !== REMOTE_COMMAND_V4) {
    up.socket.destroy();
    throw new StreamingError(`runtime streaming server chose protocol ${JSON.stringify(up.protocol)}, want ${REMOTE_COMMAND_V4}`, 502);
  }
  const conn = new SpdyConnection(up.socket, { role: 'client' });
  conn.on('error', () => undefined); // the session just ends; callers see it in finished
  if (up.head.length) up.socket.unshift(up.head);
  try {
    // The runtime counts streams before it starts the command: error first, as client-go does.
    const error = await conn.createStream({ streamtype: 'error' });
    const [stdin, stdout, stderr, resize] = await Promise.all([
      opts.stdin ? conn.createStream({ streamtype: 'stdin' }) : undefined,
      opts.stdout ? conn.createStream({ streamtype: 'stdout' }) : undefined,
      opts.stderr && !opts.tty ? conn.createStream({ streamtype: 'stderr' }) : undefined,
      opts.tty ? conn.createStream({ streamtype: 'resize' }) : undefined,
    ]);
    const status = collect(error);
    const finished = (async () => {
      await Promise.all([ended(stdout), ended(stderr)]);
      const s = await status;
      conn.close();
      return s;
    })();
    return { stdin, stdout, stderr, resize, finished, close: () => conn.destroy() };
  } catch (err) {
    conn.destroy();
    throw err instanceof StreamingError ? err : new StreamingError(`runtime streaming server: ${(err as Error).message}`, 502);
  }
}
