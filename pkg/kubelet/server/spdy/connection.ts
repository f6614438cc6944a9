// A SPDY/3.1 session over one byte stream, as Kubernetes streaming uses it
// (moby/spdystream on the Go side): many bidirectional streams opened with
// SYN_STREAM/SYN_REPLY, DATA with FIN for half-close, RST_STREAM, PING echo and
// GOAWAY. Like spdystream it does no flow control: WINDOW_UPDATE and SETTINGS
// are accepted and ignored, and none are sent.
// Hand-written on purpose: no maintained SPDY library exists for Node (SPDY was
// withdrawn in favour of HTTP/2), and kubectl still speaks it for exec, attach and
// port-forward when WebSockets are not used.
import { EventEmitter } from 'node:events';
import { Duplex } from 'node:stream';
import zlib from 'node:zlib';
import { SPDY3_DICTIONARY } from './dictionary.js';
import {
  FLAG_FIN,
  FLAG_UNIDIRECTIONAL,
  FrameType,
  RstStatus,
  decodeHeaderBlock,
  encodeControl,
  encodeData,
  encodeHeaderBlock,
  goAwayPayload,
  parseFrames,
  pingPayload,
  rstStreamPayload,
  synStreamPrefix,
  type Frame,
  type HeaderMap,
} from './frames.js';

/** Largest DATA payload we send in one frame; smaller frames keep streams interleaved. */
const MAX_DATA_CHUNK = 32 * 1024;

/** One zlib context of a direction; header blocks pass through it in order, each ended by a sync flush. */
class HeaderCodec {
  private chain: Promise<unknown> = Promise.resolve();
  constructor(private readonly z: zlib.Deflate | zlib.Inflate) {
    z.on('error', () => undefined); // surfaced through run()
  }
  run(input: Buffer): Promise<Buffer> {
    const next = this.chain.then(
      () =>
        new Promise<Buffer>((resolve, reject) => {
          const chunks: Buffer[] = [];
          const onData = (c: Buffer) => chunks.push(c);
          const onError = (e: Error) => {
            this.z.off('data', onData);
            reject(new Error(`SPDY header compression: ${e.message}`));
          };
          this.z.on('data', onData);
          this.z.once('error', onError);
          this.z.write(input);
          this.z.flush(zlib.constants.Z_SYNC_FLUSH, () => {
            this.z.off('data', onData);
            this.z.off('error', onError);
            resolve(Buffer.concat(chunks));
          });
        }),
    );
    this.chain = next.catch(() => undefined);
    return next;
  }
  close(): void {
    this.z.close();
  }
}

export interface SpdyConnectionOptions {
  /** The side that sent the HTTP upgrade request opens odd-numbered streams. */
  role: 'client' | 'server';
}

/**
 * One stream: a Duplex whose writable side sends DATA (end() sends FIN) and
 * whose readable side yields the peer's DATA until its FIN.
 */
export class SpdyStream extends Duplex {
  /** Resolved when the stream is usable: our SYN_REPLY sent, or the peer's received. */
  replied = false;
  localClosed = false;
  remoteClosed = false;

  constructor(
    private readonly conn: SpdyConnection,
    readonly id: number,
    readonly headers: HeaderMap,
  ) {
    super({ allowHalfOpen: true });
  }

  override _read(): void {
    this.conn.unblock(this);
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    // Writes after a reset or a lost connection are dropped, as the peer would drop them.
    if (this.localClosed || this.conn.isClosed) return cb();
    this.conn.sendData(this.id, chunk, false).then(
      () => cb(),
      () => cb(),
    );
  }

  override _final(cb: (err?: Error | null) => void): void {
    if (this.localClosed) return cb();
    this.localClosed = true;
    const done = () => {
      this.conn.maybeForget(this);
      cb();
    };
    this.conn.sendData(this.id, Buffer.alloc(0), true).then(done, done);
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    if (!(this.localClosed && this.remoteClosed)) {
      // A stream dropped before both halves closed is reset, so the peer frees it too.
      this.localClosed = this.remoteClosed = true;
      this.conn.sendReset(this.id, RstStatus.CANCEL);
    }
    this.conn.maybeForget(this);
    cb(err);
  }

  /** Accepts a stream the peer opened. */
  reply(headers: HeaderMap = {}, fin = false): Promise<void> {
    this.replied = true;
    return this.conn.sendSynReply(this.id, headers, fin);
  }

  /** Aborts the stream (RST_STREAM) without a clean close. */
  reset(status: number = RstStatus.CANCEL): void {
    if (this.localClosed && this.remoteClosed) return;
    this.localClosed = this.remoteClosed = true;
    this.conn.sendReset(this.id, status);
    this.conn.maybeForget(this);
    this.push(null);
  }

  /** Called by the connection. */
  remoteData(data: Buffer, fin: boolean): void {
    if (this.remoteClosed) return;
    // SPDY as Kubernetes uses it has no flow control: a reader that falls behind
    // holds up the whole connection (TCP pushes back on the sender), as in spdystream.
    if (data.length && !this.push(data)) this.conn.block(this);
    if (fin) this.remoteEnd();
  }

  remoteEnd(): void {
    if (this.remoteClosed) return;
    this.remoteClosed = true;
    this.push(null);
    this.conn.maybeForget(this);
  }
}

interface PendingOpen {
  resolve: (s: SpdyStream) => void;
  reject: (e: Error) => void;
}

/**
 * Events: 'stream' (SpdyStream the peer opened; call reply() to accept),
 * 'goaway', 'close', 'error'.
 */
export class SpdyConnection extends EventEmitter {
  private readonly streams = new Map<number, SpdyStream>();
  private readonly pendingOpens = new Map<number, PendingOpen>();
  private nextStreamId: number;
  private readonly pingParity: number;
  private lastRemoteStreamId = 0;
  private buffered: Buffer = Buffer.alloc(0);
  private readonly deflate = new HeaderCodec(zlib.createDeflate({ dictionary: SPDY3_DICTIONARY }));
  private readonly inflate = new HeaderCodec(zlib.createInflate({ dictionary: SPDY3_DICTIONARY }));
  /** Incoming frames are handled one at a time, in order, since header blocks decompress asynchronously. */
  private inChain: Promise<void> = Promise.resolve();
  /** Outgoing frames are written in the order they were asked for, even when a header block is still compressing. */
  private outChain: Promise<void> = Promise.resolve();
  private closed = false;
  private readonly blocked = new Set<SpdyStream>();
  goneAway = false;

  constructor(
    private readonly socket: Duplex,
    opts: SpdyConnectionOptions,
  ) {
    super();
    this.nextStreamId = opts.role === 'client' ? 1 : 2;
    this.pingParity = opts.role === 'client' ? 1 : 0;
    socket.on('data', (chunk: Buffer) => this.onBytes(chunk));
    socket.on('end', () => this.shutdown());
    socket.on('close', () => this.shutdown());
    socket.on('error', (err: Error) => {
      this.fail(err);
    });
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Opens a stream and resolves once the peer's SYN_REPLY arrives (data sent earlier would be dropped by spdystream). */
  createStream(headers: HeaderMap, opts: { fin?: boolean } = {}): Promise<SpdyStream> {
    if (this.closed || this.goneAway) return Promise.reject(new Error('SPDY connection is closed'));
    const id = this.nextStreamId;
    this.nextStreamId += 2;
    const stream = new SpdyStream(this, id, headers);
    if (opts.fin) stream.localClosed = true;
    this.streams.set(id, stream);
    const opened = new Promise<SpdyStream>((resolve, reject) => this.pendingOpens.set(id, { resolve, reject }));
    const block = this.deflate.run(encodeHeaderBlock(headers));
    this.enqueue(async () => encodeControl(FrameType.SYN_STREAM, opts.fin ? FLAG_FIN : 0, Buffer.concat([synStreamPrefix(id), await block])));
    return opened;
  }

  /** Sends GOAWAY and ends the byte stream once queued frames are written. */
  close(): void {
    if (this.closed) return;
    if (!this.goneAway) {
      this.goneAway = true;
      this.enqueue(() => encodeControl(FrameType.GOAWAY, 0, goAwayPayload(this.lastRemoteStreamId)));
    }
    this.outChain.then(
      () => this.socket.end(),
      () => this.socket.end(),
    );
  }

  destroy(): void {
    this.socket.destroy();
    this.shutdown();
  }

  // ---- used by SpdyStream ----

  sendData(id: number, data: Buffer, fin: boolean): Promise<void> {
    if (this.closed) return Promise.reject(new Error('SPDY connection is closed'));
    let p: Promise<void> = Promise.resolve();
    if (data.length === 0) return this.enqueue(() => encodeData(id, fin ? FLAG_FIN : 0, data));
    for (let off = 0; off < data.length; off += MAX_DATA_CHUNK) {
      const part = data.subarray(off, off + MAX_DATA_CHUNK);
      const last = off + MAX_DATA_CHUNK >= data.length;
      p = this.enqueue(() => encodeData(id, fin && last ? FLAG_FIN : 0, part));
    }
    return p;
  }

  sendSynReply(id: number, headers: HeaderMap, fin: boolean): Promise<void> {
    const block = this.deflate.run(encodeHeaderBlock(headers));
    const prefix = Buffer.alloc(4);
    prefix.writeUInt32BE(id & 0x7fffffff);
    return this.enqueue(async () => encodeControl(FrameType.SYN_REPLY, fin ? FLAG_FIN : 0, Buffer.concat([prefix, await block])));
  }

  sendReset(id: number, status: number): void {
    if (this.closed) return;
    this.enqueue(() => encodeControl(FrameType.RST_STREAM, 0, rstStreamPayload(id, status))).catch(() => undefined);
  }

  maybeForget(stream: SpdyStream): void {
    if (stream.localClosed && stream.remoteClosed) {
      this.streams.delete(stream.id);
      this.unblock(stream);
    }
  }

  block(stream: SpdyStream): void {
    this.blocked.add(stream);
    this.socket.pause();
  }

  unblock(stream: SpdyStream): void {
    if (this.blocked.delete(stream) && this.blocked.size === 0 && !this.closed) this.socket.resume();
  }

  // ---- internals ----

  private enqueue(frame: () => Buffer | Promise<Buffer>): Promise<void> {
    const next = this.outChain.then(async () => {
      const bytes = await frame();
      if (this.closed || this.socket.destroyed || this.socket.writableEnded) throw new Error('SPDY connection is closed');
      await new Promise<void>((resolve, reject) => {
        const ok = this.socket.write(bytes, (err?: Error | null) => (err ? reject(err) : undefined));
        if (ok) resolve();
        else this.socket.once('drain', () => resolve());
      });
    });
    this.outChain = next.catch(() => undefined);
    return next;
  }

  private onBytes(chunk: Buffer): void {
    this.buffered = this.buffered.length ? Buffer.concat([this.buffered, chunk]) : chunk;
    let frames: Frame[];
    try {
      ({ frames, rest: this.buffered } = parseFrames(this.buffered));
    } catch (err) {
      this.fail(err as Error);
      return;
    }
    for (const f of frames) {
      this.inChain = this.inChain.then(() => this.handle(f)).catch((err: Error) => this.fail(err));
    }
  }

  private async handle(f: Frame): Promise<void> {
    if (this.closed) return;
    if (!f.control) {
      const s = this.streams.get(f.streamId);
      // Data for a stream we do not know (already reset) is dropped, as spdystream does.
      if (s) s.remoteData(f.data, (f.flags & FLAG_FIN) !== 0);
      return;
    }
    const p = f.payload;
    switch (f.type) {
      case FrameType.SYN_STREAM: {
        const id = p.readUInt32BE(0) & 0x7fffffff;
        const headers = decodeHeaderBlock(await this.inflate.run(p.subarray(10)));
        if (this.goneAway || this.streams.has(id) || id % 2 === this.nextStreamId % 2) {
          this.sendReset(id, this.streams.has(id) ? RstStatus.STREAM_IN_USE : RstStatus.PROTOCOL_ERROR);
          return;
        }
        this.lastRemoteStreamId = id;
        const s = new SpdyStream(this, id, headers);
        this.streams.set(id, s);
        if (f.flags & FLAG_FIN) s.remoteEnd();
        if (f.flags & FLAG_UNIDIRECTIONAL) s.localClosed = true;
        this.emit('stream', s);
        return;
      }
      case FrameType.SYN_REPLY: {
        const id = p.readUInt32BE(0) & 0x7fffffff;
        await this.inflate.run(p.subarray(4)); // keeps the zlib context in step
        const s = this.streams.get(id);
        const pending = this.pendingOpens.get(id);
        this.pendingOpens.delete(id);
        if (!s) return;
        s.replied = true;
        pending?.resolve(s);
        if (f.flags & FLAG_FIN) s.remoteEnd();
        return;
      }
      case FrameType.HEADERS: {
        const id = p.readUInt32BE(0) & 0x7fffffff;
        await this.inflate.run(p.subarray(4));
        if (f.flags & FLAG_FIN) this.streams.get(id)?.remoteEnd();
        return;
      }
      case FrameType.RST_STREAM: {
        const id = p.readUInt32BE(0) & 0x7fffffff;
        const status = p.readUInt32BE(4);
        const s = this.streams.get(id);
        const pending = this.pendingOpens.get(id);
        this.pendingOpens.delete(id);
        pending?.reject(new Error(`SPDY stream ${id} refused (RST_STREAM status ${status})`));
        if (s) {
          // Ends reads (after what already arrived) rather than destroying, so no received data is lost.
          s.localClosed = true;
          s.remoteEnd();
          this.streams.delete(id);
        }
        return;
      }
      case FrameType.PING: {
        const id = p.readUInt32BE(0);
        // Echo the peer's pings; ours (same parity) need no answer.
        if (id % 2 !== this.pingParity) this.enqueue(() => encodeControl(FrameType.PING, 0, pingPayload(id))).catch(() => undefined);
        return;
      }
      case FrameType.GOAWAY:
        this.goneAway = true;
        this.emit('goaway');
        return;
      case FrameType.SETTINGS:
      case FrameType.WINDOW_UPDATE:
      default:
        return;
    }
  }

  /** A broken session: reported once to 'error' listeners (if any), then torn down. */
  private fail(err: Error): void {
    if (!this.closed && this.listenerCount('error') > 0) this.emit('error', err);
    this.socket.destroy();
    this.shutdown();
  }

  private shutdown(): void {
    if (this.closed) return;
    this.closed = true;
    for (const p of this.pendingOpens.values()) p.reject(new Error('SPDY connection closed'));
    this.pendingOpens.clear();
    // As spdystream does, a connection that goes away ends every stream's reads.
    for (const s of this.streams.values()) {
      s.localClosed = true;
      s.remoteEnd();
    }
    this.streams.clear();
    this.deflate.close();
    this.inflate.close();
    this.emit('close');
  }
}
