// HTTP/2 frames (RFC 9113 §4, §6): the 9-octet header and builders for the frame
// types a gRPC client sends; parsing of the payloads it receives.

export const FrameType = {
  DATA: 0x0,
  HEADERS: 0x1,
  PRIORITY: 0x2,
  RST_STREAM: 0x3,
  SETTINGS: 0x4,
  PUSH_PROMISE: 0x5,
  PING: 0x6,
  GOAWAY: 0x7,
  WINDOW_UPDATE: 0x8,
  CONTINUATION: 0x9,
} as const;

export const Flags = {
  END_STREAM: 0x1,
  ACK: 0x1,
  END_HEADERS: 0x4,
  PADDED: 0x8,
  PRIORITY: 0x20,
} as const;

export const Setting = {
  HEADER_TABLE_SIZE: 0x1,
  ENABLE_PUSH: 0x2,
  MAX_CONCURRENT_STREAMS: 0x3,
  INITIAL_WINDOW_SIZE: 0x4,
  MAX_FRAME_SIZE: 0x5,
  MAX_HEADER_LIST_SIZE: 0x6,
} as const;

/** Error codes (RFC 9113 §7). */
export const ErrorCode = {
  NO_ERROR: 0x0,
  PROTOCOL_ERROR: 0x1,
  INTERNAL_ERROR: 0x2,
  FLOW_CONTROL_ERROR: 0x3,
  SETTINGS_TIMEOUT: 0x4,
  STREAM_CLOSED: 0x5,
  FRAME_SIZE_ERROR: 0x6,
  REFUSED_STREAM: 0x7,
  CANCEL: 0x8,
  COMPRESSION_ERROR: 0x9,
  CONNECT_ERROR: 0xa,
  ENHANCE_YOUR_CALM: 0xb,
  INADEQUATE_SECURITY: 0xc,
  HTTP_1_1_REQUIRED: 0xd,
} as const;

const ERROR_NAMES = Object.fromEntries(Object.entries(ErrorCode).map(([k, v]) => [v, k])) as Record<number, string>;
export function errorName(code: number): string {
  return ERROR_NAMES[code] ?? `0x${code.toString(16)}`;
}

/** A malformed frame from the peer: a connection error (RFC 9113 §5.4.1). */
export class FrameError extends Error {
  constructor(message: string, readonly code: number = ErrorCode.PROTOCOL_ERROR) {
    super(message);
    this.name = 'FrameError';
  }
}

export const FRAME_HEADER_LENGTH = 9;
export const DEFAULT_MAX_FRAME_SIZE = 16_384;
export const DEFAULT_WINDOW = 65_535;
export const MAX_WINDOW = 0x7fffffff;
export const CLIENT_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

export interface FrameHeader {
  length: number;
  type: number;
  flags: number;
  streamId: number;
}

export function writeFrameHeader(buf: Buffer, off: number, length: number, type: number, flags: number, streamId: number): void {
  buf[off] = length >>> 16;
  buf[off + 1] = (length >>> 8) & 0xff;
  buf[off + 2] = length & 0xff;
  buf[off + 3] = type;
  buf[off + 4] = flags;
  buf.writeUInt32BE(streamId & 0x7fffffff, off + 5);
}

export function readFrameHeader(buf: Buffer, off: number): FrameHeader {
  return {
    length: (buf[off] << 16) | (buf[off + 1] << 8) | buf[off + 2],
    type: buf[off + 3],
    flags: buf[off + 4],
    streamId: buf.readUInt32BE(off + 5) & 0x7fffffff,
  };
}

/** A whole frame: header followed by payload. */
export function frame(type: number, flags: number, streamId: number, payload?: Buffer): Buffer {
  const len = payload ? payload.length : 0;
  const buf = Buffer.allocUnsafe(FRAME_HEADER_LENGTH + len);
  writeFrameHeader(buf, 0, len, type, flags, streamId);
  if (payload) payload.copy(buf, FRAME_HEADER_LENGTH);
  return buf;
}

/** Only the 9-octet header of a DATA frame; the payload goes out as its own buffer (no copy). */
export function dataFrameHeader(streamId: number, length: number, endStream: boolean): Buffer {
  const buf = Buffer.allocUnsafe(FRAME_HEADER_LENGTH);
  writeFrameHeader(buf, 0, length, FrameType.DATA, endStream ? Flags.END_STREAM : 0, streamId);
  return buf;
}

/** DATA with padding (§6.1); a peer never needs it from us, but tests and fake peers do. */
export function paddedDataFrame(streamId: number, data: Buffer, padLength: number, endStream: boolean): Buffer {
  const payload = Buffer.alloc(1 + data.length + padLength);
  payload[0] = padLength;
  data.copy(payload, 1);
  return frame(FrameType.DATA, Flags.PADDED | (endStream ? Flags.END_STREAM : 0), streamId, payload);
}

/**
 * HEADERS, split into CONTINUATION frames when the block exceeds maxFrameSize (§6.2, §6.10).
 * Returns one buffer holding all the frames.
 */
export function headersFrames(streamId: number, block: Buffer, endStream: boolean, maxFrameSize = DEFAULT_MAX_FRAME_SIZE): Buffer {
  const count = Math.max(1, Math.ceil(block.length / maxFrameSize));
  const out = Buffer.allocUnsafe(count * FRAME_HEADER_LENGTH + block.length);
  let off = 0;
  for (let i = 0; i < count; i++) {
    const start = i * maxFrameSize;
    const end = Math.min(block.length, start + maxFrameSize);
    const last = i === count - 1;
    const type = i === 0 ? FrameType.HEADERS : FrameType.CONTINUATION;
    const flags = (last ? Flags.END_HEADERS : 0) | (i === 0 && endStream ? Flags.END_STREAM : 0);
    writeFrameHeader(out, off, end - start, type, flags, streamId);
    block.copy(out, off + FRAME_HEADER_LENGTH, start, end);
    off += FRAME_HEADER_LENGTH + end - start;
  }
  return out;
}

export interface Priority {
  exclusive: boolean;
  dependency: number;
  weight: number;
}

/** HEADERS with optional padding and priority fields, in one frame (for fake peers and tests). */
export function headersFrameWith(streamId: number, block: Buffer, opts: { endStream?: boolean; endHeaders?: boolean; padLength?: number; priority?: Priority }): Buffer {
  const pad = opts.padLength;
  const pri = opts.priority;
  const payload = Buffer.alloc((pad !== undefined ? 1 + pad : 0) + (pri ? 5 : 0) + block.length);
  let off = 0;
  let flags = (opts.endStream ? Flags.END_STREAM : 0) | (opts.endHeaders === false ? 0 : Flags.END_HEADERS);
  if (pad !== undefined) {
    payload[off++] = pad;
    flags |= Flags.PADDED;
  }
  if (pri) {
    payload.writeUInt32BE(((pri.exclusive ? 0x80000000 : 0) | pri.dependency) >>> 0, off);
    payload[off + 4] = pri.weight - 1;
    off += 5;
    flags |= Flags.PRIORITY;
  }
  block.copy(payload, off);
  return frame(FrameType.HEADERS, flags, streamId, payload);
}

export function continuationFrame(streamId: number, block: Buffer, endHeaders: boolean): Buffer {
  return frame(FrameType.CONTINUATION, endHeaders ? Flags.END_HEADERS : 0, streamId, block);
}

export function rstStreamFrame(streamId: number, code: number): Buffer {
  const buf = Buffer.allocUnsafe(FRAME_HEADER_LENGTH + 4);
  writeFrameHeader(buf, 0, 4, FrameType.RST_STREAM, 0, streamId);
  buf.writeUInt32BE(code >>> 0, FRAME_HEADER_LENGTH);
  return buf;
}

export function settingsFrame(settings: ReadonlyArray<readonly [number, number]>): Buffer {
  const buf = Buffer.allocUnsafe(FRAME_HEADER_LENGTH + 6 * settings.length);
  writeFrameHeader(buf, 0, 6 * settings.length, FrameType.SETTINGS, 0, 0);
  let off = FRAME_HEADER_LENGTH;
  for (const [id, value] of settings) {
    buf.writeUInt16BE(id, off);
    buf.writeUInt32BE(value >>> 0, off + 2);
    off += 6;
  }
  return buf;
}

export const SETTINGS_ACK = frame(FrameType.SETTINGS, Flags.ACK, 0);

export function parseSettings(payload: Buffer): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let off = 0; off + 6 <= payload.length; off += 6) out.push([payload.readUInt16BE(off), payload.readUInt32BE(off + 2)]);
  return out;
}

export function pingFrame(data: Buffer, ack: boolean): Buffer {
  return frame(FrameType.PING, ack ? Flags.ACK : 0, 0, data);
}

export function goawayFrame(lastStreamId: number, code: number, debug?: Buffer): Buffer {
  const payload = Buffer.alloc(8 + (debug?.length ?? 0));
  payload.writeUInt32BE(lastStreamId & 0x7fffffff, 0);
  payload.writeUInt32BE(code >>> 0, 4);
  debug?.copy(payload, 8);
  return frame(FrameType.GOAWAY, 0, 0, payload);
}

export function parseGoaway(payload: Buffer): { lastStreamId: number; code: number; debug: Buffer } {
  return { lastStreamId: payload.readUInt32BE(0) & 0x7fffffff, code: payload.readUInt32BE(4), debug: payload.subarray(8) };
}

export function windowUpdateFrame(streamId: number, increment: number): Buffer {
  const buf = Buffer.allocUnsafe(FRAME_HEADER_LENGTH + 4);
  writeFrameHeader(buf, 0, 4, FrameType.WINDOW_UPDATE, 0, streamId);
  buf.writeUInt32BE(increment & 0x7fffffff, FRAME_HEADER_LENGTH);
  return buf;
}

/**
 * The header-block part of a HEADERS payload: strips padding and priority fields (§6.2).
 * Returns [start, end] within payload, or throws on a malformed frame.
 */
export function headersBlock(payload: Buffer, flags: number): [number, number] {
  let start = 0;
  let end = payload.length;
  if (flags & Flags.PADDED) {
    if (payload.length < 1) throw new FrameError('HEADERS frame too short for its pad length');
    end -= payload[0];
    start = 1;
  }
  if (flags & Flags.PRIORITY) start += 5;
  if (start > end) throw new FrameError('HEADERS frame padding exceeds its payload');
  return [start, end];
}

/** The data part of a DATA payload without padding (§6.1). */
export function dataPayload(payload: Buffer, flags: number): Buffer {
  if (!(flags & Flags.PADDED)) return payload;
  if (payload.length < 1 || payload[0] >= payload.length) throw new FrameError('DATA frame padding exceeds its payload');
  return payload.subarray(1, payload.length - payload[0]);
}

/**
 * Splits a byte stream into frames. Payloads are views of the received chunks
 * (copied only when a frame spans chunks).
 */
export class FrameReader {
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(readonly maxFrameSize = 1 << 24) {}

  push(chunk: Buffer, onFrame: (type: number, flags: number, streamId: number, payload: Buffer) => void): void {
    let buf = chunk;
    if (this.pendingBytes > 0) {
      this.pending.push(chunk);
      this.pendingBytes += chunk.length;
      if (!this.complete()) return;
      buf = Buffer.concat(this.pending, this.pendingBytes);
      this.pending = [];
      this.pendingBytes = 0;
    }
    let off = 0;
    while (buf.length - off >= FRAME_HEADER_LENGTH) {
      const len = (buf[off] << 16) | (buf[off + 1] << 8) | buf[off + 2];
      if (len > this.maxFrameSize) throw new FrameError(`frame of ${len} octets exceeds the maximum ${this.maxFrameSize}`, ErrorCode.FRAME_SIZE_ERROR);
      const end = off + FRAME_HEADER_LENGTH + len;
      if (end > buf.length) break;
      onFrame(buf[off + 3], buf[off + 4], buf.readUInt32BE(off + 5) & 0x7fffffff, buf.subarray(off + FRAME_HEADER_LENGTH, end));
      off = end;
    }
    if (off < buf.length) {
      this.pending.push(off === 0 ? buf : buf.subarray(off));
      this.pendingBytes = buf.length - off;
    }
  }

  /** Whether the pending bytes hold at least one whole frame. */
  private complete(): boolean {
    if (this.pendingBytes < FRAME_HEADER_LENGTH) return false;
    const first = this.pending[0];
    let len: number;
    if (first.length >= 3) len = (first[0] << 16) | (first[1] << 8) | first[2];
    else {
      const head = Buffer.concat(this.pending, 3);
      len = (head[0] << 16) | (head[1] << 8) | head[2];
    }
    return this.pendingBytes >= FRAME_HEADER_LENGTH + len;
  }
}
