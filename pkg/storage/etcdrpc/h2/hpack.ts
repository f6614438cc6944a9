// HPACK (RFC 7541): a full decoder (static + dynamic table, Huffman) and a
// stateless encoder that only uses exact static matches and literals without
// indexing, so the peer's decoder table never holds anything of ours.
import { huffmanDecode } from './huffman.js';

/** Decoded header fields; a repeated name keeps its values joined with ", ". */
export type HeaderMap = Record<string, string>;

// prettier-ignore
export const STATIC_TABLE: ReadonlyArray<readonly [string, string]> = [
  [':authority', ''], [':method', 'GET'], [':method', 'POST'], [':path', '/'], [':path', '/index.html'],
  [':scheme', 'http'], [':scheme', 'https'], [':status', '200'], [':status', '204'], [':status', '206'],
  [':status', '304'], [':status', '400'], [':status', '404'], [':status', '500'], ['accept-charset', ''],
  ['accept-encoding', 'gzip, deflate'], ['accept-language', ''], ['accept-ranges', ''], ['accept', ''],
  ['access-control-allow-origin', ''], ['age', ''], ['allow', ''], ['authorization', ''], ['cache-control', ''],
  ['content-disposition', ''], ['content-encoding', ''], ['content-language', ''], ['content-length', ''],
  ['content-location', ''], ['content-range', ''], ['content-type', ''], ['cookie', ''], ['date', ''], ['etag', ''],
  ['expect', ''], ['expires', ''], ['from', ''], ['host', ''], ['if-match', ''], ['if-modified-since', ''],
  ['if-none-match', ''], ['if-range', ''], ['if-unmodified-since', ''], ['last-modified', ''], ['link', ''],
  ['location', ''], ['max-forwards', ''], ['proxy-authenticate', ''], ['proxy-authorization', ''], ['range', ''],
  ['referer', ''], ['refresh', ''], ['retry-after', ''], ['server', ''], ['set-cookie', ''],
  ['strict-transport-security', ''], ['transfer-encoding', ''], ['user-agent', ''], ['vary', ''], ['via', ''],
  ['www-authenticate', ''],
];
const STATIC_LEN = STATIC_TABLE.length; // 61

export class HpackError extends Error {
  constructor(message: string) {
    super(`hpack: ${message}`);
    this.name = 'HpackError';
  }
}

/** Entry overhead counted in the table size (RFC 7541 §4.1). */
const ENTRY_OVERHEAD = 32;

export class HpackDecoder {
  /** Newest first: dynamic index 62 is names[0]. */
  private names: string[] = [];
  private values: string[] = [];
  private sizes: number[] = [];
  /** Current size in octets, and the limit set by the encoder's last size update. */
  size = 0;
  maxSize: number;

  /** limit is our SETTINGS_HEADER_TABLE_SIZE: the largest size update the peer may send. */
  constructor(readonly limit = 4096) {
    this.maxSize = limit;
  }

  get length(): number {
    return this.names.length;
  }

  /** Dynamic table entries, newest first (for tests). */
  entries(): Array<[string, string]> {
    return this.names.map((n, i) => [n, this.values[i]]);
  }

  /** Decodes one complete header block. */
  decode(buf: Buffer, start = 0, end = buf.length): HeaderMap {
    const out: HeaderMap = Object.create(null) as HeaderMap;
    this.decodeInto(buf, start, end, (name, value) => {
      const prev = out[name];
      out[name] = prev === undefined ? value : `${prev}, ${value}`;
    });
    return out;
  }

  /** Decodes a block into a list of fields in order (for tests and callers that need repeats). */
  decodeList(buf: Buffer, start = 0, end = buf.length): Array<[string, string]> {
    const out: Array<[string, string]> = [];
    this.decodeInto(buf, start, end, (name, value) => out.push([name, value]));
    return out;
  }

  private decodeInto(buf: Buffer, start: number, end: number, emit: (name: string, value: string) => void): void {
    const r = { pos: start };
    let fieldsSeen = false;
    while (r.pos < end) {
      const b = buf[r.pos];
      if (b & 0x80) {
        // Indexed header field (§6.1).
        const idx = readInt(buf, r, end, 7);
        if (idx === 0) throw new HpackError('index 0 in an indexed header field');
        emit(this.name(idx), this.value(idx));
        fieldsSeen = true;
      } else if (b & 0x40) {
        // Literal with incremental indexing (§6.2.1).
        const idx = readInt(buf, r, end, 6);
        const name = idx === 0 ? readString(buf, r, end) : this.name(idx);
        const value = readString(buf, r, end);
        this.add(name, value);
        emit(name, value);
        fieldsSeen = true;
      } else if (b & 0x20) {
        // Dynamic table size update (§6.3): only at the start of a block.
        if (fieldsSeen) throw new HpackError('dynamic table size update after a header field');
        const max = readInt(buf, r, end, 5);
        if (max > this.limit) throw new HpackError(`dynamic table size update to ${max} exceeds the limit ${this.limit}`);
        this.maxSize = max;
        this.evict(0);
      } else {
        // Literal without indexing (0000) or never indexed (0001) (§6.2.2, §6.2.3).
        const idx = readInt(buf, r, end, 4);
        const name = idx === 0 ? readString(buf, r, end) : this.name(idx);
        emit(name, readString(buf, r, end));
        fieldsSeen = true;
      }
    }
  }

  private name(idx: number): string {
    if (idx <= STATIC_LEN) return STATIC_TABLE[idx - 1][0];
    const d = idx - STATIC_LEN - 1;
    if (d >= this.names.length) throw new HpackError(`index ${idx} is beyond the dynamic table`);
    return this.names[d];
  }

  private value(idx: number): string {
    if (idx <= STATIC_LEN) return STATIC_TABLE[idx - 1][1];
    return this.values[idx - STATIC_LEN - 1];
  }

  private add(name: string, value: string): void {
    const size = name.length + value.length + ENTRY_OVERHEAD;
    if (size > this.maxSize) {
      // An entry larger than the table empties it and is not added (§4.4).
      this.names.length = this.values.length = this.sizes.length = 0;
      this.size = 0;
      return;
    }
    this.evict(size);
    this.names.unshift(name);
    this.values.unshift(value);
    this.sizes.unshift(size);
    this.size += size;
  }

  /** Evicts oldest entries until `room` more octets fit (§4.3, §4.4). */
  private evict(room: number): void {
    while (this.size + room > this.maxSize && this.sizes.length > 0) {
      this.size -= this.sizes.pop()!;
      this.names.pop();
      this.values.pop();
    }
  }
}

function readInt(buf: Buffer, r: { pos: number }, end: number, prefix: number): number {
  const max = (1 << prefix) - 1;
  let v = buf[r.pos++] & max;
  if (v < max) return v;
  let shift = 0;
  for (;;) {
    if (r.pos >= end) throw new HpackError('truncated integer');
    const b = buf[r.pos++];
    v += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) break;
    shift += 7;
    if (shift > 28) throw new HpackError('integer too large');
  }
  return v;
}

function readString(buf: Buffer, r: { pos: number }, end: number): string {
  if (r.pos >= end) throw new HpackError('truncated string');
  const huffman = (buf[r.pos] & 0x80) !== 0;
  const len = readInt(buf, r, end, 7);
  const start = r.pos;
  if (start + len > end) throw new HpackError('string runs past the header block');
  r.pos = start + len;
  if (huffman) return huffmanDecode(buf, start, start + len);
  // Header bytes are octets; latin1 maps each to one char code, like node's http2 for values it cannot read as UTF-8.
  return buf.toString('latin1', start, start + len);
}

const STATIC_EXACT = new Map<string, number>();
const STATIC_NAME = new Map<string, number>();
for (let i = STATIC_LEN - 1; i >= 0; i--) {
  const [n, v] = STATIC_TABLE[i];
  STATIC_EXACT.set(`${n}\0${v}`, i + 1);
  STATIC_NAME.set(n, i + 1);
}

/**
 * Encodes a header list without touching any dynamic table: exact static matches
 * as indexed fields, everything else as literals without indexing (§6.2.2),
 * by static name index where there is one. Names must be lowercase.
 */
export function encodeHeaders(fields: ReadonlyArray<readonly [string, string]>): Buffer {
  const parts: number[] = [];
  for (const [name, value] of fields) {
    const exact = STATIC_EXACT.get(`${name}\0${value}`);
    if (exact !== undefined) {
      writeInt(parts, 0x80, 7, exact);
      continue;
    }
    const idx = STATIC_NAME.get(name);
    if (idx !== undefined) {
      writeInt(parts, 0x00, 4, idx);
    } else {
      parts.push(0x00);
      writeString(parts, name);
    }
    writeString(parts, value);
  }
  return Buffer.from(parts);
}

function writeInt(out: number[], flags: number, prefix: number, v: number): void {
  const max = (1 << prefix) - 1;
  if (v < max) {
    out.push(flags | v);
    return;
  }
  out.push(flags | max);
  v -= max;
  while (v >= 128) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
}

function writeString(out: number[], s: string): void {
  const bytes = Buffer.from(s, 'latin1');
  writeInt(out, 0x00, 7, bytes.length);
  for (const b of bytes) out.push(b);
}

/** An integer with an N-bit prefix (§5.1), its first octet's high bits set to flags. */
export function encodeInteger(flags: number, prefix: number, v: number): Buffer {
  const out: number[] = [];
  writeInt(out, flags, prefix, v);
  return Buffer.from(out);
}

export function decodeInteger(buf: Buffer, prefix: number): number {
  return readInt(buf, { pos: 0 }, buf.length, prefix);
}
