// SPDY/3.1 frame layout (draft 3.1): the 8-byte frame header, the control
// frames Kubernetes streaming uses, and the uncompressed name/value header
// block. Compression of header blocks lives in the connection, which owns the
// per-direction zlib contexts.
import { getOwn, setOwn } from '../../../../api/util/ownkeys.js';

export const SPDY_VERSION = 3;

export const FrameType = {
  SYN_STREAM: 1,
  SYN_REPLY: 2,
  RST_STREAM: 3,
  SETTINGS: 4,
  PING: 6,
  GOAWAY: 7,
  HEADERS: 8,
  WINDOW_UPDATE: 9,
} as const;

export const FLAG_FIN = 0x01;
export const FLAG_UNIDIRECTIONAL = 0x02;

/** RST_STREAM status codes. */
export const RstStatus = {
  PROTOCOL_ERROR: 1,
  INVALID_STREAM: 2,
  REFUSED_STREAM: 3,
  UNSUPPORTED_VERSION: 4,
  CANCEL: 5,
  INTERNAL_ERROR: 6,
  FLOW_CONTROL_ERROR: 7,
  STREAM_IN_USE: 8,
  STREAM_ALREADY_CLOSED: 9,
  FRAME_TOO_LARGE: 11,
} as const;

export const MAX_FRAME_LENGTH = 0xffffff;

export type HeaderMap = Record<string, string>;

export interface DataFrame {
  control: false;
  streamId: number;
  flags: number;
  data: Buffer;
}

export interface ControlFrame {
  control: true;
  version: number;
  type: number;
  flags: number;
  payload: Buffer;
}

export type Frame = DataFrame | ControlFrame;

/**
 * Splits complete frames off the front of buf. Returns the frames and the
 * unconsumed rest (a partial frame). Throws on a frame that claims a version
 * other than 3: nothing after it could be parsed reliably.
 */
export function parseFrames(buf: Buffer): { frames: Frame[]; rest: Buffer } {
  const frames: Frame[] = [];
  let off = 0;
  while (buf.length - off >= 8) {
    const length = buf.readUIntBE(off + 5, 3);
    if (buf.length - off < 8 + length) break;
    const flags = buf[off + 4];
    const payload = buf.subarray(off + 8, off + 8 + length);
    if (buf[off] & 0x80) {
      const version = buf.readUInt16BE(off) & 0x7fff;
      if (version !== SPDY_VERSION) throw new Error(`unsupported SPDY version ${version}`);
      frames.push({ control: true, version, type: buf.readUInt16BE(off + 2), flags, payload });
    } else {
      frames.push({ control: false, streamId: buf.readUInt32BE(off) & 0x7fffffff, flags, data: payload });
    }
    off += 8 + length;
  }
  return { frames, rest: buf.subarray(off) };
}

export function encodeControl(type: number, flags: number, payload: Buffer): Buffer {
  if (payload.length > MAX_FRAME_LENGTH) throw new Error(`SPDY control frame too large (${payload.length} bytes)`);
  const h = Buffer.alloc(8);
  h.writeUInt16BE(0x8000 | SPDY_VERSION, 0);
  h.writeUInt16BE(type, 2);
  h[4] = flags;
  h.writeUIntBE(payload.length, 5, 3);
  return Buffer.concat([h, payload]);
}

export function encodeData(streamId: number, flags: number, data: Buffer): Buffer {
  if (data.length > MAX_FRAME_LENGTH) throw new Error(`SPDY data frame too large (${data.length} bytes)`);
  const h = Buffer.alloc(8);
  h.writeUInt32BE(streamId & 0x7fffffff, 0);
  h[4] = flags;
  h.writeUIntBE(data.length, 5, 3);
  return Buffer.concat([h, data]);
}

function u32(...values: number[]): Buffer {
  const b = Buffer.alloc(4 * values.length);
  values.forEach((v, i) => b.writeUInt32BE(v >>> 0, 4 * i));
  return b;
}

/** SYN_STREAM payload before its (compressed) header block: stream id, associated id, priority, slot. */
export function synStreamPrefix(streamId: number, associatedTo = 0, priority = 0): Buffer {
  const b = Buffer.alloc(10);
  b.writeUInt32BE(streamId & 0x7fffffff, 0);
  b.writeUInt32BE(associatedTo & 0x7fffffff, 4);
  b[8] = (priority & 0x7) << 5;
  b[9] = 0;
  return b;
}

export function rstStreamPayload(streamId: number, status: number): Buffer {
  return u32(streamId & 0x7fffffff, status);
}

export function pingPayload(id: number): Buffer {
  return u32(id);
}

export function goAwayPayload(lastGoodStreamId: number, status = 0): Buffer {
  return u32(lastGoodStreamId & 0x7fffffff, status);
}

export function windowUpdatePayload(streamId: number, delta: number): Buffer {
  return u32(streamId & 0x7fffffff, delta & 0x7fffffff);
}

/** The uncompressed name/value block: counts and lengths are 32-bit; names lowercase; several values joined by NUL. */
export function encodeHeaderBlock(headers: HeaderMap): Buffer {
  const entries = Object.entries(headers);
  const parts: Buffer[] = [u32(entries.length)];
  for (const [name, value] of entries) {
    const n = Buffer.from(name.toLowerCase(), 'utf8');
    const v = Buffer.from(value, 'utf8');
    parts.push(u32(n.length), n, u32(v.length), v);
  }
  return Buffer.concat(parts);
}

export function decodeHeaderBlock(buf: Buffer): HeaderMap {
  const out: HeaderMap = {};
  const need = (off: number, n: number) => {
    if (off + n > buf.length) throw new Error('SPDY header block truncated');
  };
  need(0, 4);
  const count = buf.readUInt32BE(0);
  let off = 4;
  for (let i = 0; i < count; i++) {
    need(off, 4);
    const nl = buf.readUInt32BE(off);
    off += 4;
    need(off, nl);
    const name = buf
      .subarray(off, off + nl)
      .toString('utf8')
      .toLowerCase();
    off += nl;
    need(off, 4);
    const vl = buf.readUInt32BE(off);
    off += 4;
    need(off, vl);
    const value = buf.subarray(off, off + vl).toString('utf8');
    off += vl;
    // Names come off the wire: own properties only ("__proto__" is a name like any other).
    if (name) {
      const prev = getOwn(out, name);
      setOwn(out, name, prev === undefined ? value : `${String(prev)}\0${value}`);
    }
  }
  return out;
}
