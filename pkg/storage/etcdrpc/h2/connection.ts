// One HTTP/2 client connection over cleartext TCP with prior knowledge (RFC 9113 §3.3),
// with only what a gRPC client needs. node:http2 costs ~150 µs of JS per request
// (a Duplex stream, an AsyncResource and header mapping per call); this keeps one
// small object per stream, plain callbacks, and one socket write per event-loop turn.
import type { Socket } from 'node:net';
import { HpackDecoder, type HeaderMap } from './hpack.js';
import {
  CLIENT_PREFACE, DEFAULT_MAX_FRAME_SIZE, DEFAULT_WINDOW, ErrorCode, Flags, FrameError, FrameReader, FrameType, MAX_WINDOW, SETTINGS_ACK, Setting,
  dataFrameHeader, dataPayload, errorName, goawayFrame, headersBlock, headersFrames, parseGoaway, parseSettings, pingFrame,
  rstStreamFrame, settingsFrame, windowUpdateFrame,
} from './frames.js';

/** A stream or connection failure; retryable when the peer provably did not process the stream. */
export class H2Error extends Error {
  constructor(message: string, readonly code: number, readonly retryable = false) {
    super(message);
    this.name = 'H2Error';
  }
}

export interface StreamHandlers {
  /** The response headers; endStream when they are all there is (e.g. a gRPC trailers-only response). */
  onHeaders(headers: HeaderMap, endStream: boolean): void;
  onData(data: Buffer): void;
  /** A second header block, which ends the stream. */
  onTrailers(trailers: HeaderMap): void;
  /** Once per stream: after the peer ended it (no err) or when it failed. Not called after reset(). */
  onEnd(err?: H2Error): void;
}

export interface ConnectionHandlers {
  /** The peer sent GOAWAY: no new streams; streams above lastStreamId have failed (retryable). */
  onGoaway?(lastStreamId: number, code: number): void;
  /** The socket is gone; every stream has failed. */
  onClose?(err?: Error): void;
}

export interface ConnectionOptions {
  /** Our SETTINGS_INITIAL_WINDOW_SIZE: how much each stream may receive before we replenish. */
  streamWindow?: number;
  /** The connection-level receive window. */
  connectionWindow?: number;
  /** First client stream id (odd); tests use it to reach id exhaustion quickly. */
  firstStreamId?: number;
}

const MAX_STREAM_ID = 0x7fffffff;
const DEFAULT_STREAM_WINDOW = 16 << 20;
const DEFAULT_CONNECTION_WINDOW = 32 << 20;
/** Writes up to this size are joined into one buffer; larger batches go out as one writev. */
const CONCAT_LIMIT = 64 << 10;

export class H2Stream {
  id = 0;
  sendWindow = 0;
  /** Octets received since the last stream WINDOW_UPDATE. */
  recvUnacked = 0;
  /** Body not yet sent (waiting for a window, or for the stream to start). */
  pending: Buffer[] | undefined;
  /** END_STREAM is to follow the pending body. */
  pendingEnd = false;
  /** END_STREAM has been sent. */
  localEnded = false;
  gotHeaders = false;
  closed = false;
  blocked = false;

  constructor(readonly conn: H2Connection, readonly handlers: StreamHandlers) {}

  /** Sends body bytes; end sends END_STREAM after them. Held while the peer's windows are closed. */
  write(data: Buffer, end = false): void {
    this.conn.write(this, data, end);
  }

  /** Abandons the stream with RST_STREAM; onEnd is not called. */
  reset(code: number = ErrorCode.CANCEL): void {
    this.conn.reset(this, code);
  }
}

export class H2Connection {
  private readonly streams = new Map<number, H2Stream>();
  private nextId: number;
  private readonly out: Buffer[] = [];
  private outBytes = 0;
  private flushScheduled = false;
  private readonly reader = new FrameReader();
  private readonly decoder = new HpackDecoder();
  /** A header block split over CONTINUATION frames, while it is being received. */
  private continuing: { streamId: number; flags: number; parts: Buffer[] } | undefined;

  private peerInitialWindow = DEFAULT_WINDOW;
  private peerMaxFrameSize = DEFAULT_MAX_FRAME_SIZE;
  private peerMaxStreams = Infinity;
  /** The peer lowered its HPACK table size: our next block starts with a size update to 0. */
  private tableSizeUpdate = false;
  private sendWindow = DEFAULT_WINDOW;
  private recvUnacked = 0;
  private readonly streamWindow: number;
  private readonly connectionWindow: number;
  /** Streams with body held back by flow control, in order. */
  private blocked: H2Stream[] = [];
  /** Streams waiting for the peer's MAX_CONCURRENT_STREAMS to allow them. */
  private waiting: H2Stream[] = [];
  private readonly pings: Array<(err?: Error) => void> = [];
  private pingSeq = 0;
  private goingAway = false;
  closed = false;

  constructor(readonly socket: Socket, private readonly handlers: ConnectionHandlers = {}, opts: ConnectionOptions = {}) {
    this.streamWindow = opts.streamWindow ?? DEFAULT_STREAM_WINDOW;
    this.connectionWindow = opts.connectionWindow ?? DEFAULT_CONNECTION_WINDOW;
    this.nextId = opts.firstStreamId ?? 1;
    socket.setNoDelay(true);
    let failure: Error | undefined;
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', (err: Error) => (failure ??= err));
    socket.on('close', () => this.destroy(failure ?? new H2Error('connection closed by peer', ErrorCode.NO_ERROR)));
    this.enqueue(CLIENT_PREFACE);
    this.enqueue(settingsFrame([
      [Setting.ENABLE_PUSH, 0],
      [Setting.INITIAL_WINDOW_SIZE, this.streamWindow],
    ]));
    if (this.connectionWindow > DEFAULT_WINDOW) this.enqueue(windowUpdateFrame(0, this.connectionWindow - DEFAULT_WINDOW));
  }

  /** Whether open() can start a stream here. */
  get available(): boolean {
    return !this.closed && !this.goingAway && this.nextId <= MAX_STREAM_ID;
  }

  /** Stream ids left; the caller moves to a new connection before they run out. */
  get streamIdsLeft(): number {
    return this.nextId > MAX_STREAM_ID ? 0 : (MAX_STREAM_ID - this.nextId) / 2 + 1;
  }

  get activeStreams(): number {
    return this.streams.size + this.waiting.length;
  }

  /** Opens a stream with an HPACK header block (see encodeHeaders). Throws when no stream can start. */
  open(headerBlock: Buffer, handlers: StreamHandlers, endStream = false): H2Stream {
    if (this.closed) throw new H2Error('connection is closed', ErrorCode.NO_ERROR, true);
    if (this.goingAway) throw new H2Error('connection is going away', ErrorCode.NO_ERROR, true);
    if (this.nextId + 2 * this.waiting.length > MAX_STREAM_ID) throw new H2Error('connection has run out of stream ids', ErrorCode.NO_ERROR, true);
    const s = new H2Stream(this, handlers);
    // Until the stream starts, pending holds its header block first, then any body written meanwhile.
    s.pending = [headerBlock];
    s.pendingEnd = endStream;
    if (this.streams.size >= this.peerMaxStreams) this.waiting.push(s);
    else this.start(s);
    return s;
  }

  write(s: H2Stream, data: Buffer, end: boolean): void {
    if (s.closed || s.localEnded || s.pendingEnd) return;
    if (s.id === 0) {
      // Not started yet: the first pending entry is the header block.
      if (data.length > 0) s.pending!.push(data);
      s.pendingEnd = end;
      return;
    }
    if (data.length > 0) (s.pending ??= []).push(data);
    s.pendingEnd = end;
    if (!s.blocked) this.sendBody(s);
  }

  reset(s: H2Stream, code: number): void {
    if (s.closed) return;
    if (s.id !== 0) this.enqueue(rstStreamFrame(s.id, code));
    this.closeStream(s, undefined, false);
  }

  /** Sends a PING; cb runs when it is acknowledged, or with an error if the connection ends first. */
  ping(cb: (err?: Error) => void): boolean {
    if (this.closed) return false;
    const data = Buffer.alloc(8);
    data.writeUInt32BE(++this.pingSeq >>> 0, 4);
    this.pings.push(cb);
    this.enqueue(pingFrame(data, false));
    return true;
  }

  /** No new streams; the socket closes when the last stream ends. */
  drain(): void {
    if (this.closed) return;
    this.goingAway = true;
    if (this.streams.size === 0 && this.waiting.length === 0) this.close();
  }

  /** Says GOAWAY and closes the socket once that is written; streams still open fail. */
  close(): void {
    if (this.closed) return;
    this.enqueue(goawayFrame(0, ErrorCode.NO_ERROR));
    this.flush();
    this.socket.end();
    this.destroy(new H2Error('connection closed', ErrorCode.NO_ERROR, false));
  }

  /** Drops the socket now; every stream fails with err. */
  destroy(err?: Error): void {
    if (this.closed) return;
    this.closed = true;
    this.goingAway = true;
    if (!this.socket.writableEnded) this.socket.destroy();
    else this.socket.destroySoon();
    const failure = err instanceof H2Error ? err : new H2Error(`connection failed: ${err?.message ?? 'closed'}`, ErrorCode.INTERNAL_ERROR);
    for (const s of [...this.waiting, ...this.streams.values()]) this.closeStream(s, failure, true);
    for (const cb of this.pings.splice(0)) cb(failure);
    this.handlers.onClose?.(err);
  }

  ref(): void {
    this.socket.ref();
  }

  unref(): void {
    this.socket.unref();
  }

  private start(s: H2Stream): void {
    s.id = this.nextId;
    this.nextId += 2;
    s.sendWindow = this.peerInitialWindow;
    this.streams.set(s.id, s);
    const pending = s.pending!;
    let block = pending[0];
    if (this.tableSizeUpdate) {
      block = Buffer.concat([Buffer.from([0x20]), block]);
      this.tableSizeUpdate = false;
    }
    const endWithHeaders = s.pendingEnd && pending.length === 1;
    this.enqueue(headersFrames(s.id, block, endWithHeaders, this.peerMaxFrameSize));
    if (endWithHeaders) {
      s.localEnded = true;
      s.pending = undefined;
      return;
    }
    s.pending = pending.length > 1 ? pending.slice(1) : undefined;
    this.sendBody(s);
  }

  /** Sends as much pending body as the windows allow; parks the stream in `blocked` otherwise. */
  private sendBody(s: H2Stream): void {
    const q = s.pending;
    while (q && q.length > 0) {
      const allowed = Math.min(this.sendWindow, s.sendWindow, this.peerMaxFrameSize);
      if (allowed <= 0) {
        if (!s.blocked) {
          s.blocked = true;
          this.blocked.push(s);
        }
        return;
      }
      const head = q[0];
      const n = Math.min(head.length, allowed);
      const last = n === head.length && q.length === 1;
      const end = last && s.pendingEnd;
      this.enqueue(dataFrameHeader(s.id, n, end));
      if (n === head.length) {
        this.enqueue(head);
        q.shift();
      } else {
        this.enqueue(head.subarray(0, n));
        q[0] = head.subarray(n);
      }
      this.sendWindow -= n;
      s.sendWindow -= n;
      if (end) s.localEnded = true;
    }
    if (s.pendingEnd && !s.localEnded) {
      // END_STREAM with no bytes left: an empty DATA frame needs no window.
      this.enqueue(dataFrameHeader(s.id, 0, true));
      s.localEnded = true;
    }
    s.pending = undefined;
    s.blocked = false;
  }

  private resumeBlocked(): void {
    if (this.blocked.length === 0) return;
    const list = this.blocked;
    this.blocked = [];
    for (const s of list) {
      s.blocked = false;
      if (!s.closed) this.sendBody(s);
    }
  }

  private closeStream(s: H2Stream, err: H2Error | undefined, notify: boolean): void {
    if (s.closed) return;
    s.closed = true;
    s.pending = undefined;
    if (s.id !== 0) this.streams.delete(s.id);
    else {
      const i = this.waiting.indexOf(s);
      if (i >= 0) this.waiting.splice(i, 1);
    }
    if (s.blocked) {
      s.blocked = false;
      const i = this.blocked.indexOf(s);
      if (i >= 0) this.blocked.splice(i, 1);
    }
    if (notify) s.handlers.onEnd(err);
    if (this.closed) return;
    while (this.waiting.length > 0 && this.streams.size < this.peerMaxStreams) this.start(this.waiting.shift()!);
    if (this.goingAway && this.streams.size === 0 && this.waiting.length === 0) this.close();
  }

  private enqueue(buf: Buffer): void {
    this.out.push(buf);
    this.outBytes += buf.length;
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(flushConnection, this);
    }
  }

  /** Writes everything queued in this turn of the event loop with one syscall. */
  flush(): void {
    this.flushScheduled = false;
    const out = this.out;
    if (out.length === 0 || this.socket.destroyed || this.socket.writableEnded) {
      out.length = 0;
      this.outBytes = 0;
      return;
    }
    if (out.length === 1) this.socket.write(out[0]);
    else if (this.outBytes <= CONCAT_LIMIT) this.socket.write(Buffer.concat(out, this.outBytes));
    else {
      this.socket.cork();
      for (const b of out) this.socket.write(b);
      this.socket.uncork();
    }
    out.length = 0;
    this.outBytes = 0;
  }

  private receive(chunk: Buffer): void {
    if (this.closed) return;
    try {
      this.reader.push(chunk, this.onFrame);
    } catch (err) {
      if (err instanceof FrameError) return this.protocolError(err.message, err.code);
      // A stream handler threw: the rest of the chunk is lost, so the connection cannot go on.
      this.destroy(err as Error);
      throw err;
    }
  }

  private protocolError(message: string, code: number = ErrorCode.PROTOCOL_ERROR): void {
    if (this.closed) return;
    this.enqueue(goawayFrame(0, code));
    this.flush();
    this.socket.end();
    this.destroy(new H2Error(`HTTP/2 protocol error: ${message}`, code));
  }

  private readonly onFrame = (type: number, flags: number, streamId: number, payload: Buffer): void => {
    if (this.closed) return;
    if (this.continuing && type !== FrameType.CONTINUATION) return this.protocolError('expected CONTINUATION');
    switch (type) {
      case FrameType.DATA: return this.onDataFrame(flags, streamId, payload);
      case FrameType.HEADERS: {
        const [start, end] = headersBlock(payload, flags);
        const block = payload.subarray(start, end);
        if (flags & Flags.END_HEADERS) return this.onHeaderBlock(streamId, flags, block);
        this.continuing = { streamId, flags, parts: [block] };
        return;
      }
      case FrameType.CONTINUATION: {
        const c = this.continuing;
        if (!c || c.streamId !== streamId) return this.protocolError('unexpected CONTINUATION');
        c.parts.push(payload);
        if (flags & Flags.END_HEADERS) {
          this.continuing = undefined;
          this.onHeaderBlock(streamId, c.flags, Buffer.concat(c.parts));
        }
        return;
      }
      case FrameType.RST_STREAM: {
        const s = this.streams.get(streamId);
        if (!s || payload.length < 4) return;
        const code = payload.readUInt32BE(0);
        return this.closeStream(s, new H2Error(`stream reset by peer (${errorName(code)})`, code, code === ErrorCode.REFUSED_STREAM), true);
      }
      case FrameType.SETTINGS: return this.onSettings(flags, payload);
      case FrameType.PING:
        if (payload.length !== 8) return this.protocolError('PING length is not 8', ErrorCode.FRAME_SIZE_ERROR);
        if (flags & Flags.ACK) this.pings.shift()?.();
        else this.enqueue(pingFrame(payload, true));
        return;
      case FrameType.GOAWAY: return this.onGoaway(payload);
      case FrameType.WINDOW_UPDATE: {
        if (payload.length !== 4) return this.protocolError('WINDOW_UPDATE length is not 4', ErrorCode.FRAME_SIZE_ERROR);
        const inc = payload.readUInt32BE(0) & 0x7fffffff;
        if (streamId === 0) {
          this.sendWindow += inc;
          if (this.sendWindow > MAX_WINDOW) return this.protocolError('connection window overflow', ErrorCode.FLOW_CONTROL_ERROR);
          return this.resumeBlocked();
        }
        const s = this.streams.get(streamId);
        if (!s) return;
        s.sendWindow += inc;
        if (s.blocked) {
          this.blocked.splice(this.blocked.indexOf(s), 1);
          s.blocked = false;
          this.sendBody(s);
        }
        return;
      }
      case FrameType.PUSH_PROMISE: return this.protocolError('PUSH_PROMISE although push is disabled');
      default: return; // PRIORITY and unknown types are ignored (§5.5).
    }
  };

  private onDataFrame(flags: number, streamId: number, payload: Buffer): void {
    // Flow control counts the whole payload, padding included (§6.9.1).
    this.recvUnacked += payload.length;
    if (this.recvUnacked >= this.connectionWindow >>> 2) {
      this.enqueue(windowUpdateFrame(0, this.recvUnacked));
      this.recvUnacked = 0;
    }
    const s = this.streams.get(streamId);
    if (!s) return; // reset by us, or already ended
    const data = dataPayload(payload, flags);
    if (data.length > 0) s.handlers.onData(data);
    if (s.closed) return;
    if (flags & Flags.END_STREAM) return this.remoteEnd(s);
    s.recvUnacked += payload.length;
    if (s.recvUnacked >= this.streamWindow >>> 2) {
      this.enqueue(windowUpdateFrame(s.id, s.recvUnacked));
      s.recvUnacked = 0;
    }
  }

  private onHeaderBlock(streamId: number, flags: number, block: Buffer): void {
    let headers: HeaderMap;
    try {
      // Every block is decoded, even for streams we dropped, to keep the HPACK table in step.
      headers = this.decoder.decode(block);
    } catch (err) {
      return this.protocolError((err as Error).message, ErrorCode.COMPRESSION_ERROR);
    }
    const s = this.streams.get(streamId);
    if (!s) return;
    const endStream = (flags & Flags.END_STREAM) !== 0;
    if (!s.gotHeaders) {
      const status = headers[':status'];
      if (status !== undefined && status.length === 3 && status[0] === '1') return; // informational
      s.gotHeaders = true;
      s.handlers.onHeaders(headers, endStream);
    } else {
      s.handlers.onTrailers(headers);
    }
    if (endStream && !s.closed) this.remoteEnd(s);
  }

  /** The peer ended its side: for gRPC the call is over, so our side is closed too. */
  private remoteEnd(s: H2Stream): void {
    if (!s.localEnded) this.enqueue(rstStreamFrame(s.id, ErrorCode.NO_ERROR));
    this.closeStream(s, undefined, true);
  }

  private onSettings(flags: number, payload: Buffer): void {
    if (flags & Flags.ACK) return;
    if (payload.length % 6 !== 0) return this.protocolError('SETTINGS length is not a multiple of 6', ErrorCode.FRAME_SIZE_ERROR);
    for (const [id, value] of parseSettings(payload)) {
      switch (id) {
        case Setting.INITIAL_WINDOW_SIZE: {
          if (value > MAX_WINDOW) return this.protocolError('initial window too large', ErrorCode.FLOW_CONTROL_ERROR);
          const delta = value - this.peerInitialWindow;
          this.peerInitialWindow = value;
          for (const s of this.streams.values()) s.sendWindow += delta;
          break;
        }
        case Setting.MAX_FRAME_SIZE:
          if (value < DEFAULT_MAX_FRAME_SIZE || value > 0xffffff) return this.protocolError('invalid MAX_FRAME_SIZE');
          this.peerMaxFrameSize = value;
          break;
        case Setting.MAX_CONCURRENT_STREAMS:
          this.peerMaxStreams = value;
          break;
        case Setting.HEADER_TABLE_SIZE:
          // We never index, but a lowered limit must still be acknowledged in the next block (RFC 7541 §4.2).
          if (value < 4096) this.tableSizeUpdate = true;
          break;
        default:
          break;
      }
    }
    this.enqueue(SETTINGS_ACK);
    this.resumeBlocked();
    while (this.waiting.length > 0 && this.streams.size < this.peerMaxStreams) this.start(this.waiting.shift()!);
  }

  private onGoaway(payload: Buffer): void {
    if (payload.length < 8) return this.protocolError('GOAWAY too short', ErrorCode.FRAME_SIZE_ERROR);
    const { lastStreamId, code } = parseGoaway(payload);
    this.goingAway = true;
    const refused = new H2Error(`connection going away (${errorName(code)}); stream not processed`, ErrorCode.REFUSED_STREAM, true);
    for (const s of [...this.waiting]) this.closeStream(s, refused, true);
    for (const s of [...this.streams.values()]) if (s.id > lastStreamId) this.closeStream(s, refused, true);
    this.handlers.onGoaway?.(lastStreamId, code);
    if (!this.closed && this.streams.size === 0) this.close();
  }
}

function flushConnection(c: H2Connection): void {
  c.flush();
}
