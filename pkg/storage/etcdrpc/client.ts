// A small etcd v3 client: unary KV calls and one Watch stream per watch, gRPC
// framing by hand. Profiles of the apiserver showed about a fifth of its CPU
// inside @grpc/grpc-js + etcd3 + cockatiel (interceptors, resolver and balancer
// bookkeeping, call credentials, policies) for what are plain unary Range/Txn
// calls, and later ~10-14% inside node:http2's per-request JS (Duplex streams,
// AsyncResource, header mapping); this keeps one HTTP/2 connection per endpoint
// on the minimal client in ./h2 and does only the work each call needs.
import net from 'node:net';
import type protobuf from 'protobufjs/minimal.js';
import { H2Connection, H2Error, type H2Stream, type StreamHandlers } from './h2/connection.js';
import { ErrorCode } from './h2/frames.js';
import { encodeHeaders, type HeaderMap } from './h2/hpack.js';
import {
  decode, frame,
  readCompactionResponse, readDeleteRangeResponse, readPutResponse, readRangeResponse, readTxnResponse, readWatchResponse,
  writeCompactionRequest, writeDeleteRangeRequest, writePutRequest, writeRangeRequest, writeTxnRequest, writeWatchRequest,
  type CompactionRequest, type CompactionResponse, type DeleteRangeRequest, type DeleteRangeResponse, type PutRequest,
  type PutResponse, type RangeRequest, type RangeResponse, type TxnRequest, type TxnResponse, type WatchCreateRequest,
  type WatchResponse,
} from './messages.js';

/** gRPC status codes (grpc/doc/statuscodes.md). */
export const GrpcStatus = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  FAILED_PRECONDITION: 9,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const;

/** A call that ended with a non-OK gRPC status; message is etcd's, e.g. "etcdserver: mvcc: required revision has been compacted". */
export class EtcdRPCError extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
    this.name = 'EtcdRPCError';
  }
}

export interface EtcdRPCOptions {
  /** Per-call deadline, sent as grpc-timeout and enforced here too. */
  deadlineMs?: number;
  /** How long one endpoint may take to accept a connection before the next is tried. */
  connectTimeoutMs?: number;
}

export interface WatchHandlers {
  /** Every response on the stream: created, events, progress, canceled (with compact_revision when compacted). */
  onResponse(res: WatchResponse): void;
  /** The stream ended without cancel() being called: the watch is gone. */
  onClose(err: Error): void;
}

export interface WatchStream {
  /** Ends the stream; no handler is called afterwards. */
  cancel(): void;
}

const RANGE_PATH = '/etcdserverpb.KV/Range';
const PUT_PATH = '/etcdserverpb.KV/Put';
const DELETE_RANGE_PATH = '/etcdserverpb.KV/DeleteRange';
const TXN_PATH = '/etcdserverpb.KV/Txn';
const COMPACT_PATH = '/etcdserverpb.KV/Compact';
const WATCH_PATH = '/etcdserverpb.Watch/Watch';

type Read<T> = (r: protobuf.Reader, end: number) => T;

function requestHeaders(authority: string, path: string, timeoutMs?: number): Buffer {
  const h: Array<[string, string]> = [
    [':method', 'POST'],
    [':scheme', 'http'],
    [':authority', authority],
    [':path', path],
    ['content-type', 'application/grpc'],
    ['te', 'trailers'],
  ];
  if (timeoutMs !== undefined) h.push(['grpc-timeout', `${Math.max(1, Math.ceil(timeoutMs))}m`]);
  return encodeHeaders(h);
}

/** gRPC's mapping of an HTTP status without grpc-status (grpc/doc/http-grpc-status-mapping.md). */
function httpToGrpc(status: number): number {
  switch (status) {
    case 400: return GrpcStatus.INTERNAL;
    case 401: return GrpcStatus.UNAUTHENTICATED;
    case 403: return 7; // PERMISSION_DENIED
    case 404: return GrpcStatus.UNIMPLEMENTED;
    case 429: case 502: case 503: case 504: return GrpcStatus.UNAVAILABLE;
    default: return GrpcStatus.UNKNOWN;
  }
}

function grpcMessage(raw: string | undefined): string {
  if (raw === undefined || raw === '') return '';
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/**
 * Splits a stream of DATA chunks into gRPC messages. A message inside one chunk is
 * handed out as a view of it; split ones are joined once, when all their bytes are in.
 */
class Frames {
  private chunks: Buffer[] = [];
  private size = 0;
  private need = 5;

  push(chunk: Buffer, onMessage: (buf: Buffer, start: number, end: number) => void): void {
    let buf = chunk;
    if (this.size > 0) {
      this.chunks.push(chunk);
      this.size += chunk.length;
      if (this.size < this.need) return;
      buf = Buffer.concat(this.chunks, this.size);
      this.chunks = [];
      this.size = 0;
    }
    let off = 0;
    while (buf.length - off >= 5) {
      if (buf[off] !== 0) throw new EtcdRPCError(GrpcStatus.INTERNAL, 'etcdrpc: compressed message received but none was negotiated');
      const end = off + 5 + buf.readUInt32BE(off + 1);
      if (end > buf.length) break;
      onMessage(buf, off + 5, end);
      off = end;
    }
    if (off < buf.length) {
      const rest = off === 0 ? buf : buf.subarray(off);
      this.chunks.push(rest);
      this.size = rest.length;
      this.need = rest.length >= 5 ? 5 + rest.readUInt32BE(1) : 5;
    }
  }
}

interface Endpoint {
  /** http://host:port, as errors name it. */
  name: string;
  host: string;
  port: number;
  /** host:port, sent as :authority. */
  authority: string;
  conn?: H2Connection;
  connected: boolean;
  connecting?: Promise<H2Connection>;
  /** Encoded request headers per path for the default deadline. */
  headers: Map<string, Buffer>;
}

// Lists of a large resource are many MiB: a wide window spares WINDOW_UPDATE round trips.
const STREAM_WINDOW = 16 << 20;
const CONNECTION_WINDOW = 32 << 20;

function streamFailure(err: H2Error, what: string): EtcdRPCError {
  return new EtcdRPCError(GrpcStatus.UNAVAILABLE, `etcd ${what} failed: ${err.message}`);
}

/** One unary call in flight; it is its stream's handler object, so a call allocates no closures. */
class UnaryCall<T> implements StreamHandlers {
  status = -1;
  message = '';
  buf?: Buffer;
  start = 0;
  end = 0;
  frames?: Frames;
  done = false;
  retried = false;
  timer?: NodeJS.Timeout;
  stream?: H2Stream;
  conn?: H2Connection;

  constructor(
    readonly rpc: EtcdRPC,
    readonly path: string,
    readonly body: Buffer,
    readonly deadlineMs: number | undefined,
    readonly read: Read<T>,
    readonly resolve: (v: T) => void,
    readonly reject: (e: Error) => void,
  ) {}

  onHeaders(headers: HeaderMap, endStream: boolean): void {
    const http = Number(headers[':status']);
    if (http !== 200 && headers['grpc-status'] === undefined) {
      this.status = httpToGrpc(http);
      this.message = `etcd answered HTTP ${http}`;
      return;
    }
    if (endStream) this.takeStatus(headers); // trailers-only response
  }

  onData(chunk: Buffer): void {
    // The usual reply is one message in one chunk: keep a view of it.
    if (!this.frames && chunk.length >= 5 && chunk[0] === 0 && chunk.length === 5 + chunk.readUInt32BE(1)) {
      this.buf = chunk;
      this.start = 5;
      this.end = chunk.length;
      return;
    }
    this.frames ??= new Frames();
    try {
      this.frames.push(chunk, (buf, start, end) => {
        this.buf = buf;
        this.start = start;
        this.end = end;
      });
    } catch (err) {
      this.stream?.reset(ErrorCode.CANCEL);
      this.finish(err as Error);
    }
  }

  onTrailers(trailers: HeaderMap): void {
    this.takeStatus(trailers);
  }

  onEnd(err?: H2Error): void {
    if (this.done) return;
    if (err) {
      // The peer did not process the stream (GOAWAY, REFUSED_STREAM): safe to send once more.
      if (err.retryable && !this.retried) {
        this.retried = true;
        this.status = -1;
        this.message = '';
        this.buf = this.frames = undefined;
        return this.rpc.dispatch(this);
      }
      return this.finish(streamFailure(err, 'stream'));
    }
    if (this.status >= 0) return this.finish();
    this.finish(new EtcdRPCError(GrpcStatus.UNAVAILABLE, 'etcd stream closed without a status (HTTP/2 code none)'));
  }

  private takeStatus(headers: HeaderMap): void {
    const s = headers['grpc-status'];
    if (s === undefined) return;
    this.status = Number(s);
    this.message = grpcMessage(headers['grpc-message']);
  }

  finish(err?: Error): void {
    if (this.done) return;
    this.done = true;
    if (this.timer) clearTimeout(this.timer);
    this.rpc.release();
    if (err) return this.reject(err);
    if (this.status !== GrpcStatus.OK) return this.reject(new EtcdRPCError(this.status, this.message || `etcd call failed with gRPC status ${this.status}`));
    if (!this.buf) return this.reject(new EtcdRPCError(GrpcStatus.INTERNAL, 'etcdrpc: OK status without a response message'));
    let res: T;
    try {
      res = decode(this.read, this.buf, this.start, this.end);
    } catch (e) {
      return this.reject(new EtcdRPCError(GrpcStatus.INTERNAL, `etcdrpc: cannot decode response: ${(e as Error).message}`));
    }
    this.resolve(res);
  }
}

function onDeadline(call: UnaryCall<unknown>): void {
  call.stream?.reset(ErrorCode.CANCEL);
  call.finish(new EtcdRPCError(GrpcStatus.DEADLINE_EXCEEDED, 'etcd call deadline exceeded'));
  call.rpc.probe(call.conn);
}

export class EtcdRPC {
  private readonly endpoints: Endpoint[];
  private current = 0;
  private readonly deadlineMs: number;
  private readonly connectTimeoutMs: number;
  private active = 0;
  private closed = false;
  private readonly probing = new WeakSet<H2Connection>();

  constructor(endpoints: string[], opts: EtcdRPCOptions = {}) {
    if (endpoints.length === 0) throw new Error('etcdrpc: no etcd endpoints given');
    this.endpoints = endpoints.map((e) => {
      const u = new URL(e.includes('://') ? e : `http://${e}`);
      if (u.protocol !== 'http:') throw new Error(`etcdrpc: endpoint ${e}: only plain http:// (h2c) endpoints are supported`);
      const host = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
      return { name: `http://${u.host}`, host, port: Number(u.port || 80), authority: u.host, connected: false, headers: new Map() };
    });
    this.deadlineMs = opts.deadlineMs ?? 30_000;
    this.connectTimeoutMs = opts.connectTimeoutMs ?? 5_000;
  }

  range(req: RangeRequest, deadlineMs?: number): Promise<RangeResponse> {
    return this.unary(RANGE_PATH, frame(writeRangeRequest, req), readRangeResponse, deadlineMs);
  }

  put(req: PutRequest, deadlineMs?: number): Promise<PutResponse> {
    return this.unary(PUT_PATH, frame(writePutRequest, req), readPutResponse, deadlineMs);
  }

  deleteRange(req: DeleteRangeRequest, deadlineMs?: number): Promise<DeleteRangeResponse> {
    return this.unary(DELETE_RANGE_PATH, frame(writeDeleteRangeRequest, req), readDeleteRangeResponse, deadlineMs);
  }

  txn(req: TxnRequest, deadlineMs?: number): Promise<TxnResponse> {
    return this.unary(TXN_PATH, frame(writeTxnRequest, req), readTxnResponse, deadlineMs);
  }

  compact(req: CompactionRequest, deadlineMs?: number): Promise<CompactionResponse> {
    return this.unary(COMPACT_PATH, frame(writeCompactionRequest, req), readCompactionResponse, deadlineMs);
  }

  /** Opens a Watch stream carrying one watch. */
  watch(create: WatchCreateRequest, handlers: WatchHandlers): WatchStream {
    let stream: H2Stream | undefined;
    let ended = false;
    let failure: Error | undefined;
    const end = (err?: Error): void => {
      if (ended) return;
      ended = true;
      this.release();
      stream?.reset(ErrorCode.CANCEL);
      if (err) handlers.onClose(err);
    };
    const frames = new Frames();
    const deliver = (buf: Buffer, start: number, e: number): void => {
      if (!ended) handlers.onResponse(decode(readWatchResponse, buf, start, e));
    };
    const streamHandlers: StreamHandlers = {
      onHeaders: (h) => {
        const http = Number(h[':status']);
        if (http !== 200 && h['grpc-status'] === undefined) failure = new EtcdRPCError(httpToGrpc(http), `etcd answered HTTP ${h[':status']}`);
        else if (h['grpc-status'] !== undefined) failure = new EtcdRPCError(Number(h['grpc-status']), grpcMessage(h['grpc-message']) || 'etcd ended the watch');
      },
      onData: (chunk) => {
        try {
          frames.push(chunk, deliver);
        } catch (err) {
          end(err as Error);
        }
      },
      onTrailers: (h) => {
        failure = new EtcdRPCError(Number(h['grpc-status'] ?? GrpcStatus.UNKNOWN), grpcMessage(h['grpc-message']) || 'etcd ended the watch');
      },
      onEnd: (err) => {
        stream = undefined;
        if (err) failure ??= streamFailure(err, 'watch stream');
        end(failure ?? new EtcdRPCError(GrpcStatus.UNAVAILABLE, 'etcd watch stream closed'));
      },
    };
    this.acquire();
    const open = (conn: H2Connection): void => {
      if (ended) return;
      const ep = this.endpoints[this.current];
      try {
        stream = conn.open(this.headersFor(ep, WATCH_PATH, undefined), streamHandlers);
      } catch (err) {
        return end(new EtcdRPCError(GrpcStatus.UNAVAILABLE, `etcd watch request failed: ${(err as Error).message}`));
      }
      this.retireIfExhausted(ep, conn);
      stream.write(frame(writeWatchRequest, { create_request: create }));
    };
    this.connection().then(open, (err: Error) => end(err));
    return { cancel: () => end() };
  }

  /** Closes every connection; calls in flight fail. */
  close(): void {
    this.closed = true;
    for (const ep of this.endpoints) {
      const c = ep.conn;
      ep.conn = undefined;
      ep.connected = false;
      c?.destroy(new H2Error('etcdrpc: client closed', ErrorCode.CANCEL));
    }
  }

  /** Called by a call when it ends: lets the process exit while no call is in flight. */
  release(): void {
    if (--this.active === 0) for (const ep of this.endpoints) ep.conn?.unref();
  }

  private acquire(): void {
    if (this.active++ === 0) for (const ep of this.endpoints) ep.conn?.ref();
  }

  private headersFor(ep: Endpoint, path: string, deadlineMs: number | undefined): Buffer {
    if (deadlineMs !== undefined) return requestHeaders(ep.authority, path, deadlineMs);
    let h = ep.headers.get(path);
    if (!h) {
      h = requestHeaders(ep.authority, path, path === WATCH_PATH ? undefined : this.deadlineMs);
      ep.headers.set(path, h);
    }
    return h;
  }

  /**
   * After a missed deadline: a connection whose peer does not answer a ping in time is
   * dropped, so the next call connects again (to the next endpoint if this one stays dead)
   * instead of waiting out every deadline on a dead connection.
   */
  probe(conn: H2Connection | undefined): void {
    if (!conn || conn.closed || this.probing.has(conn)) return;
    this.probing.add(conn);
    const timer = setTimeout(() => conn.destroy(new Error('etcd did not answer a ping')), this.connectTimeoutMs);
    timer.unref();
    const sent = conn.ping((err) => {
      clearTimeout(timer);
      this.probing.delete(conn);
      if (err && !conn.closed) conn.destroy(err);
    });
    if (!sent) {
      clearTimeout(timer);
      this.probing.delete(conn);
    }
  }

  private unary<T>(path: string, body: Buffer, read: Read<T>, deadlineMs?: number): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const call = new UnaryCall<T>(this, path, body, deadlineMs, read, resolve, reject);
      this.acquire();
      this.dispatch(call);
    });
  }

  /** Sends a call on the current endpoint's connection, connecting first when there is none. */
  dispatch<T>(call: UnaryCall<T>): void {
    const ep = this.endpoints[this.current];
    if (ep.connected && ep.conn?.available) this.send(ep, ep.conn, call);
    else this.connection().then((c) => this.send(this.endpoints[this.current], c, call), (err: Error) => call.finish(err));
  }

  private send<T>(ep: Endpoint, conn: H2Connection, call: UnaryCall<T>): void {
    if (call.done) return;
    let stream: H2Stream;
    try {
      stream = conn.open(this.headersFor(ep, call.path, call.deadlineMs), call);
    } catch (err) {
      // The connection went away between picking it and opening the stream: try a fresh one, once.
      if (err instanceof H2Error && err.retryable && !call.retried) {
        call.retried = true;
        if (ep.conn === conn) {
          ep.conn = undefined;
          ep.connected = false;
        }
        return this.dispatch(call);
      }
      return call.finish(new EtcdRPCError(GrpcStatus.UNAVAILABLE, `etcd request failed: ${(err as Error).message}`));
    }
    call.stream = stream;
    call.conn = conn;
    this.retireIfExhausted(ep, conn);
    stream.write(call.body, true);
    if (!call.timer) {
      call.timer = setTimeout(onDeadline, call.deadlineMs ?? this.deadlineMs, call as UnaryCall<unknown>);
      call.timer.unref();
    }
  }

  /** Client stream ids are odd 31-bit numbers: a connection that used them all is retired; calls in flight finish on it. */
  private retireIfExhausted(ep: Endpoint, conn: H2Connection): void {
    if (conn.streamIdsLeft > 0) return;
    if (ep.conn === conn) {
      ep.conn = undefined;
      ep.connected = false;
    }
    conn.drain();
  }

  /** The connection of the current endpoint, connecting (and failing over round-robin) when there is none. */
  private connection(): Promise<H2Connection> {
    if (this.closed) return Promise.reject(new EtcdRPCError(GrpcStatus.CANCELLED, 'etcdrpc: client closed'));
    const ep = this.endpoints[this.current];
    if (ep.connected && ep.conn?.available) return Promise.resolve(ep.conn);
    return (ep.connecting ??= this.connectAny().finally(() => (ep.connecting = undefined)));
  }

  private async connectAny(): Promise<H2Connection> {
    const errors: string[] = [];
    for (let i = 0; i < this.endpoints.length; i++) {
      const idx = (this.current + i) % this.endpoints.length;
      try {
        const c = await this.connect(this.endpoints[idx]);
        this.current = idx;
        return c;
      } catch (err) {
        errors.push(`${this.endpoints[idx].name}: ${(err as Error).message}`);
      }
    }
    throw new EtcdRPCError(GrpcStatus.UNAVAILABLE, `cannot connect to etcd (${errors.join('; ')})`);
  }

  private connect(ep: Endpoint): Promise<H2Connection> {
    if (ep.connected && ep.conn?.available) return Promise.resolve(ep.conn);
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: ep.host, port: ep.port });
      const forget = (): void => {
        if (ep.conn === conn) {
          ep.conn = undefined;
          ep.connected = false;
        }
      };
      const conn: H2Connection = new H2Connection(socket, {
        // After GOAWAY no new stream may start here; calls in flight finish on their own.
        onGoaway: forget,
        onClose: (err) => {
          clearTimeout(timer);
          // A member whose socket failed goes to the back of the line for the next connection.
          if (err && !(err instanceof H2Error) && ep.conn === conn && ep.connected && this.endpoints[this.current] === ep) {
            this.current = (this.current + 1) % this.endpoints.length;
          }
          forget();
          reject(err ?? new Error('connection closed'));
        },
      }, { streamWindow: STREAM_WINDOW, connectionWindow: CONNECTION_WINDOW });
      ep.conn = conn;
      ep.connected = false;
      const timer = setTimeout(() => {
        reject(new Error(`no connection within ${this.connectTimeoutMs} ms`));
        conn.destroy(new Error('connect timeout'));
      }, this.connectTimeoutMs);
      timer.unref();
      socket.once('connect', () => {
        clearTimeout(timer);
        if (this.closed) {
          conn.destroy(new H2Error('etcdrpc: client closed', ErrorCode.CANCEL));
          return reject(new EtcdRPCError(GrpcStatus.CANCELLED, 'etcdrpc: client closed'));
        }
        ep.connected = true;
        if (this.active === 0) conn.unref();
        resolve(conn);
      });
    });
  }
}
