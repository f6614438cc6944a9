// A small etcd v3 client straight on node:http2: unary KV calls and one Watch
// stream per watch, gRPC framing by hand. Profiles of the apiserver showed about
// a fifth of its CPU inside @grpc/grpc-js + etcd3 + cockatiel (interceptors,
// resolver and balancer bookkeeping, call credentials, policies) for what are
// plain unary Range/Txn calls; this keeps one HTTP/2 session per endpoint and
// does only the work each call needs.
import http2 from 'node:http2';
import type protobuf from 'protobufjs/minimal.js';
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

const {
  HTTP2_HEADER_METHOD, HTTP2_HEADER_PATH, HTTP2_HEADER_CONTENT_TYPE, HTTP2_HEADER_TE, HTTP2_HEADER_STATUS,
  NGHTTP2_CANCEL, NGHTTP2_REFUSED_STREAM,
} = http2.constants;

const RANGE_PATH = '/etcdserverpb.KV/Range';
const PUT_PATH = '/etcdserverpb.KV/Put';
const DELETE_RANGE_PATH = '/etcdserverpb.KV/DeleteRange';
const TXN_PATH = '/etcdserverpb.KV/Txn';
const COMPACT_PATH = '/etcdserverpb.KV/Compact';
const WATCH_PATH = '/etcdserverpb.Watch/Watch';

type Read<T> = (r: protobuf.Reader, end: number) => T;

function requestHeaders(path: string, timeoutMs?: number): http2.OutgoingHttpHeaders {
  const h: http2.OutgoingHttpHeaders = {
    [HTTP2_HEADER_METHOD]: 'POST',
    [HTTP2_HEADER_PATH]: path,
    [HTTP2_HEADER_CONTENT_TYPE]: 'application/grpc',
    [HTTP2_HEADER_TE]: 'trailers',
  };
  if (timeoutMs !== undefined) h['grpc-timeout'] = `${Math.max(1, Math.ceil(timeoutMs))}m`;
  return h;
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

function grpcMessage(raw: unknown): string {
  if (typeof raw !== 'string' || raw === '') return '';
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
  authority: string;
  session?: http2.ClientHttp2Session;
  connected: boolean;
  connecting?: Promise<http2.ClientHttp2Session>;
  /** Streams opened on the session; client stream ids are odd 31-bit numbers, so a session runs out after ~2^30. */
  streams: number;
}

const MAX_STREAMS_PER_SESSION = 1 << 29;
// Lists of a large resource are many MiB: a wide window spares a WINDOW_UPDATE round trip per 64 KiB.
const WINDOW_BYTES = 4 << 20;
const SESSION_SETTINGS: http2.ClientSessionOptions = { settings: { initialWindowSize: WINDOW_BYTES }, maxSessionMemory: 64 };

/**
 * One unary call in flight. Stream listeners are shared functions that find their
 * call through the stream, so a call allocates no closures.
 */
class UnaryCall<T> {
  status = -1;
  message = '';
  buf?: Buffer;
  start = 0;
  end = 0;
  frames?: Frames;
  done = false;
  timer?: NodeJS.Timeout;

  constructor(
    readonly rpc: EtcdRPC,
    readonly read: Read<T>,
    readonly resolve: (v: T) => void,
    readonly reject: (e: Error) => void,
  ) {}

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

const CALL = Symbol('etcdrpc.call');
type CallStream = http2.ClientHttp2Stream & { [CALL]: UnaryCall<unknown> };

function takeStatus(call: UnaryCall<unknown>, headers: http2.IncomingHttpHeaders): void {
  const s = headers['grpc-status'];
  if (s === undefined) return;
  call.status = Number(s);
  call.message = grpcMessage(headers['grpc-message']);
}

function onResponse(this: CallStream, headers: http2.IncomingHttpHeaders): void {
  const call = this[CALL];
  const http = Number(headers[HTTP2_HEADER_STATUS]);
  if (http !== 200 && headers['grpc-status'] === undefined) {
    call.status = httpToGrpc(http);
    call.message = `etcd answered HTTP ${http}`;
    return;
  }
  takeStatus(call, headers); // trailers-only response
}

function keepMessage(this: UnaryCall<unknown>, buf: Buffer, start: number, end: number): void {
  this.buf = buf;
  this.start = start;
  this.end = end;
}

function onData(this: CallStream, chunk: Buffer): void {
  const call = this[CALL];
  // The usual reply is one message in one chunk: keep a view of it.
  if (!call.frames && chunk.length >= 5 && chunk[0] === 0 && chunk.length === 5 + chunk.readUInt32BE(1)) {
    call.buf = chunk;
    call.start = 5;
    call.end = chunk.length;
    return;
  }
  call.frames ??= new Frames();
  try {
    call.frames.push(chunk, keepMessage.bind(call));
  } catch (err) {
    this.close(NGHTTP2_CANCEL);
    call.finish(err as Error);
  }
}

function onTrailers(this: CallStream, trailers: http2.IncomingHttpHeaders): void {
  takeStatus(this[CALL], trailers);
}

function onEnd(this: CallStream): void {
  const call = this[CALL];
  if (call.status >= 0) call.finish();
}

function onStreamError(this: CallStream, err: Error): void {
  this[CALL].finish(new EtcdRPCError(GrpcStatus.UNAVAILABLE, `etcd stream failed: ${err.message}`));
}

function onClose(this: CallStream): void {
  const call = this[CALL];
  if (call.done) return;
  if (call.status >= 0) return call.finish();
  const code = this.rstCode;
  call.finish(new EtcdRPCError(
    code === NGHTTP2_REFUSED_STREAM || code === 0 || code === undefined ? GrpcStatus.UNAVAILABLE : GrpcStatus.INTERNAL,
    `etcd stream closed without a status (HTTP/2 code ${code ?? 'none'})`,
  ));
}

function onDeadline(stream: CallStream): void {
  stream.close(NGHTTP2_CANCEL);
  const call = stream[CALL];
  call.finish(new EtcdRPCError(GrpcStatus.DEADLINE_EXCEEDED, 'etcd call deadline exceeded'));
  call.rpc.probe(stream.session);
}

export class EtcdRPC {
  private readonly endpoints: Endpoint[];
  private current = 0;
  private readonly deadlineMs: number;
  private readonly connectTimeoutMs: number;
  /** Headers per path for the default deadline; node copies them, so one object serves every call. */
  private readonly headers = new Map<string, http2.OutgoingHttpHeaders>();
  private active = 0;
  private closed = false;
  private readonly probing = new WeakSet<http2.Http2Session>();

  constructor(endpoints: string[], opts: EtcdRPCOptions = {}) {
    if (endpoints.length === 0) throw new Error('etcdrpc: no etcd endpoints given');
    this.endpoints = endpoints.map((e) => {
      const u = new URL(e.includes('://') ? e : `http://${e}`);
      if (u.protocol !== 'http:') throw new Error(`etcdrpc: endpoint ${e}: only plain http:// (h2c) endpoints are supported`);
      return { authority: `http://${u.host}`, connected: false, streams: 0 };
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
    let stream: http2.ClientHttp2Stream | undefined;
    let ended = false;
    const end = (err?: Error): void => {
      if (ended) return;
      ended = true;
      this.release();
      if (stream && !stream.closed) stream.close(NGHTTP2_CANCEL);
      if (err) handlers.onClose(err);
    };
    this.acquire();
    const open = (session: http2.ClientHttp2Session): void => {
      if (ended) return;
      const ep = this.endpoints[this.current];
      if (ep.session === session) ep.streams++;
      let s: http2.ClientHttp2Stream;
      try {
        s = session.request(this.headersFor(WATCH_PATH, undefined), { endStream: false });
      } catch (err) {
        return end(new EtcdRPCError(GrpcStatus.UNAVAILABLE, `etcd watch request failed: ${(err as Error).message}`));
      }
      stream = s;
      const frames = new Frames();
      let failure: Error | undefined;
      const deliver = (buf: Buffer, start: number, e: number): void => {
        if (!ended) handlers.onResponse(decode(readWatchResponse, buf, start, e));
      };
      s.on('response', (h) => {
        if (Number(h[HTTP2_HEADER_STATUS]) !== 200 && h['grpc-status'] === undefined) failure = new EtcdRPCError(httpToGrpc(Number(h[HTTP2_HEADER_STATUS])), `etcd answered HTTP ${h[HTTP2_HEADER_STATUS]}`);
        else if (h['grpc-status'] !== undefined) failure = new EtcdRPCError(Number(h['grpc-status']), grpcMessage(h['grpc-message']) || 'etcd ended the watch');
      });
      s.on('data', (chunk: Buffer) => {
        try {
          frames.push(chunk, deliver);
        } catch (err) {
          end(err as Error);
        }
      });
      s.on('trailers', (h) => {
        failure = new EtcdRPCError(Number(h['grpc-status'] ?? GrpcStatus.UNKNOWN), grpcMessage(h['grpc-message']) || 'etcd ended the watch');
      });
      s.on('error', (err: Error) => {
        failure ??= new EtcdRPCError(GrpcStatus.UNAVAILABLE, `etcd watch stream failed: ${err.message}`);
      });
      s.on('close', () => end(failure ?? new EtcdRPCError(GrpcStatus.UNAVAILABLE, 'etcd watch stream closed')));
      s.write(frame(writeWatchRequest, { create_request: create }));
    };
    this.session().then(open, (err: Error) => end(err));
    return { cancel: () => end() };
  }

  /** Closes every session; calls in flight fail. */
  close(): void {
    this.closed = true;
    for (const ep of this.endpoints) {
      ep.session?.destroy();
      ep.session = undefined;
      ep.connected = false;
    }
  }

  /** Called by a call when it ends: lets the process exit while no call is in flight. */
  release(): void {
    if (--this.active === 0) for (const ep of this.endpoints) ep.session?.unref();
  }

  private acquire(): void {
    if (this.active++ === 0) for (const ep of this.endpoints) ep.session?.ref();
  }

  private headersFor(path: string, deadlineMs: number | undefined): http2.OutgoingHttpHeaders {
    if (deadlineMs !== undefined) return requestHeaders(path, deadlineMs);
    let h = this.headers.get(path);
    if (!h) {
      h = requestHeaders(path, path === WATCH_PATH ? undefined : this.deadlineMs);
      this.headers.set(path, h);
    }
    return h;
  }

  /**
   * After a missed deadline: a session whose peer does not answer a ping in time is
   * dropped, so the next call connects again (to the next endpoint if this one stays dead)
   * instead of waiting out every deadline on a dead connection.
   */
  probe(session: http2.Http2Session | undefined): void {
    if (!session || session.destroyed || this.probing.has(session)) return;
    this.probing.add(session);
    const timer = setTimeout(() => session.destroy(new Error('etcd did not answer a ping')), this.connectTimeoutMs);
    timer.unref();
    const sent = session.ping((err) => {
      clearTimeout(timer);
      this.probing.delete(session);
      if (err && !session.destroyed) session.destroy(err);
    });
    if (!sent) {
      clearTimeout(timer);
      this.probing.delete(session);
    }
  }

  private unary<T>(path: string, body: Buffer, read: Read<T>, deadlineMs?: number): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const call = new UnaryCall<T>(this, read, resolve, reject);
      this.acquire();
      const ep = this.endpoints[this.current];
      if (ep.connected && ep.session) this.send(ep, ep.session, call, path, body, deadlineMs);
      else this.session().then((s) => this.send(this.endpoints[this.current], s, call, path, body, deadlineMs), (err: Error) => call.finish(err));
    });
  }

  private send<T>(ep: Endpoint, session: http2.ClientHttp2Session, call: UnaryCall<T>, path: string, body: Buffer, deadlineMs?: number): void {
    if (call.done) return;
    if (++ep.streams > MAX_STREAMS_PER_SESSION && ep.session === session) {
      // Retire the session before its stream ids run out; calls in flight finish on it.
      ep.session = undefined;
      ep.connected = false;
      session.close();
    }
    let stream: CallStream;
    try {
      stream = session.request(this.headersFor(path, deadlineMs), { endStream: false }) as CallStream;
    } catch (err) {
      return call.finish(new EtcdRPCError(GrpcStatus.UNAVAILABLE, `etcd request failed: ${(err as Error).message}`));
    }
    stream[CALL] = call as UnaryCall<unknown>;
    stream.on('response', onResponse);
    stream.on('data', onData);
    stream.on('trailers', onTrailers);
    stream.on('end', onEnd);
    stream.on('error', onStreamError);
    stream.on('close', onClose);
    stream.end(body);
    call.timer = setTimeout(onDeadline, deadlineMs ?? this.deadlineMs, stream);
    call.timer.unref();
  }

  /** The session of the current endpoint, connecting (and failing over round-robin) when there is none. */
  private session(): Promise<http2.ClientHttp2Session> {
    if (this.closed) return Promise.reject(new EtcdRPCError(GrpcStatus.CANCELLED, 'etcdrpc: client closed'));
    const ep = this.endpoints[this.current];
    if (ep.connected && ep.session) return Promise.resolve(ep.session);
    return (ep.connecting ??= this.connectAny().finally(() => (ep.connecting = undefined)));
  }

  private async connectAny(): Promise<http2.ClientHttp2Session> {
    const errors: string[] = [];
    for (let i = 0; i < this.endpoints.length; i++) {
      const idx = (this.current + i) % this.endpoints.length;
      try {
        const s = await this.connect(this.endpoints[idx]);
        this.current = idx;
        return s;
      } catch (err) {
        errors.push(`${this.endpoints[idx].authority}: ${(err as Error).message}`);
      }
    }
    throw new EtcdRPCError(GrpcStatus.UNAVAILABLE, `cannot connect to etcd (${errors.join('; ')})`);
  }

  private connect(ep: Endpoint): Promise<http2.ClientHttp2Session> {
    if (ep.connected && ep.session) return Promise.resolve(ep.session);
    return new Promise((resolve, reject) => {
      const s = http2.connect(ep.authority, SESSION_SETTINGS);
      ep.session = s;
      ep.connected = false;
      ep.streams = 0;
      const forget = (): void => {
        if (ep.session === s) {
          ep.session = undefined;
          ep.connected = false;
        }
      };
      const timer = setTimeout(() => {
        s.destroy();
        reject(new Error(`no connection within ${this.connectTimeoutMs} ms`));
      }, this.connectTimeoutMs);
      timer.unref();
      s.once('connect', () => {
        clearTimeout(timer);
        if (this.closed) {
          s.destroy();
          return reject(new EtcdRPCError(GrpcStatus.CANCELLED, 'etcdrpc: client closed'));
        }
        ep.connected = true;
        s.setLocalWindowSize(WINDOW_BYTES);
        if (this.active === 0) s.unref();
        resolve(s);
      });
      s.on('error', (err: Error) => {
        clearTimeout(timer);
        // A member that failed goes to the back of the line for the next connection.
        if (ep.session === s && ep.connected && this.endpoints[this.current] === ep) this.current = (this.current + 1) % this.endpoints.length;
        forget();
        reject(err);
      });
      // After GOAWAY no new stream may start here; calls in flight finish on their own.
      s.on('goaway', () => {
        forget();
        s.close();
      });
      s.on('close', () => {
        clearTimeout(timer);
        forget();
        reject(new Error('connection closed'));
      });
    });
  }
}
