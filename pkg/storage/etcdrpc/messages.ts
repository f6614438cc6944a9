// The etcd v3 messages the apiserver uses, encoded by hand with protobufjs'
// Reader/Writer: field numbers are etcd's (etcdserverpb/rpc.proto, mvccpb/kv.proto).
// No .proto is loaded at run time and no reflection runs per call; each message
// handles only the fields modelled below and skips the rest.
// int64 fields are JS numbers: revisions and counts stay far below 2^53.
import protobuf from 'protobufjs/minimal.js';

type Reader = protobuf.Reader;
type Writer = protobuf.Writer;

const EMPTY = Buffer.alloc(0);

// Wire types.
const VARINT = 0;
const LEN = 2;

function tag(field: number, wire: number): number {
  return (field << 3) | wire;
}

/** A non-negative int64 as a varint; uint32's encoding is the same below 2^32 and costs no Long. */
function writeInt64(w: Writer, field: number, n: number): void {
  w.uint32(tag(field, VARINT));
  if (n >= 0 && n <= 0xffffffff) w.uint32(n);
  else w.int64(n);
}

function writeBytes(w: Writer, field: number, b: Uint8Array): void {
  w.uint32(tag(field, LEN)).bytes(b);
}

function writeBool(w: Writer, field: number): void {
  w.uint32(tag(field, VARINT)).uint32(1);
}

/** An int64 varint as a number (protobufjs would return a Long). */
function readInt64(r: Reader): number {
  const buf = r.buf;
  let pos = r.pos;
  let b = buf[pos++];
  if (b < 0x80) {
    r.pos = pos;
    return b;
  }
  let n = b & 0x7f;
  let mul = 0x80;
  for (let i = 1; ; i++) {
    if (pos >= r.len || i >= 10) throw new RangeError('etcdrpc: malformed varint');
    b = buf[pos++];
    n += (b & 0x7f) * mul;
    if (b < 0x80) break;
    mul *= 0x80;
  }
  r.pos = pos;
  // Ten-byte varints are negative int64s.
  return n >= 2 ** 63 ? n - 2 ** 64 : n;
}

function readBytes(r: Reader): Buffer {
  // A Buffer-backed Reader slices without copying.
  return r.bytes() as Buffer;
}

/** Reads a length-delimited sub-message's end position. */
function subEnd(r: Reader): number {
  const len = r.uint32();
  return r.pos + len;
}

function nested<T>(w: Writer, field: number, m: T, enc: (w: Writer, m: T) => void): void {
  w.uint32(tag(field, LEN)).fork();
  enc(w, m);
  w.ldelim();
}

// ---- mvccpb ----

export interface KeyValue {
  key: Buffer;
  create_revision: number;
  mod_revision: number;
  version: number;
  value: Buffer;
  lease: number;
}

export enum EventType {
  PUT = 0,
  DELETE = 1,
}

export interface Event {
  type: EventType;
  kv: KeyValue;
  prev_kv?: KeyValue;
}

export function writeKeyValue(w: Writer, m: KeyValue): void {
  if (m.key.length) writeBytes(w, 1, m.key);
  if (m.create_revision) writeInt64(w, 2, m.create_revision);
  if (m.mod_revision) writeInt64(w, 3, m.mod_revision);
  if (m.version) writeInt64(w, 4, m.version);
  if (m.value.length) writeBytes(w, 5, m.value);
  if (m.lease) writeInt64(w, 6, m.lease);
}

export function readKeyValue(r: Reader, end: number): KeyValue {
  const m: KeyValue = { key: EMPTY, create_revision: 0, mod_revision: 0, version: 0, value: EMPTY, lease: 0 };
  while (r.pos < end) {
    const t = r.uint32();
    switch (t >>> 3) {
      case 1: m.key = readBytes(r); break;
      case 2: m.create_revision = readInt64(r); break;
      case 3: m.mod_revision = readInt64(r); break;
      case 4: m.version = readInt64(r); break;
      case 5: m.value = readBytes(r); break;
      case 6: m.lease = readInt64(r); break;
      default: r.skipType(t & 7);
    }
  }
  return m;
}

export function writeEvent(w: Writer, m: Event): void {
  if (m.type) w.uint32(tag(1, VARINT)).uint32(m.type);
  nested(w, 2, m.kv, writeKeyValue);
  if (m.prev_kv) nested(w, 3, m.prev_kv, writeKeyValue);
}

export function readEvent(r: Reader, end: number): Event {
  let type = EventType.PUT;
  let kv: KeyValue | undefined;
  let prev: KeyValue | undefined;
  while (r.pos < end) {
    const t = r.uint32();
    switch (t >>> 3) {
      case 1: type = r.uint32(); break;
      case 2: kv = readKeyValue(r, subEnd(r)); break;
      case 3: prev = readKeyValue(r, subEnd(r)); break;
      default: r.skipType(t & 7);
    }
  }
  const ev: Event = { type, kv: kv ?? readKeyValue(r, r.pos) };
  if (prev) ev.prev_kv = prev;
  return ev;
}

// ---- etcdserverpb ----

/** cluster_id and member_id are random 64-bit ids no caller here reads; they are skipped. */
export interface ResponseHeader {
  revision: number;
  raft_term: number;
}

export function writeResponseHeader(w: Writer, m: ResponseHeader): void {
  if (m.revision) writeInt64(w, 3, m.revision);
  if (m.raft_term) writeInt64(w, 4, m.raft_term);
}

export function readResponseHeader(r: Reader, end: number): ResponseHeader {
  const m: ResponseHeader = { revision: 0, raft_term: 0 };
  while (r.pos < end) {
    const t = r.uint32();
    switch (t >>> 3) {
      case 3: m.revision = readInt64(r); break;
      case 4: m.raft_term = readInt64(r); break;
      default: r.skipType(t & 7);
    }
  }
  return m;
}

function header(r: Reader): ResponseHeader {
  return readResponseHeader(r, subEnd(r));
}

const NO_HEADER: ResponseHeader = Object.freeze({ revision: 0, raft_term: 0 });

export interface RangeRequest {
  key: Uint8Array;
  range_end?: Uint8Array;
  limit?: number;
  revision?: number;
  count_only?: boolean;
}

export interface RangeResponse {
  header: ResponseHeader;
  kvs: KeyValue[];
  more: boolean;
  count: number;
}

export function writeRangeRequest(w: Writer, m: RangeRequest): void {
  if (m.key.length) writeBytes(w, 1, m.key);
  if (m.range_end?.length) writeBytes(w, 2, m.range_end);
  if (m.limit) writeInt64(w, 3, m.limit);
  if (m.revision) writeInt64(w, 4, m.revision);
  if (m.count_only) writeBool(w, 9);
}

export function readRangeRequest(r: Reader, end: number): RangeRequest {
  const m: RangeRequest = { key: EMPTY };
  while (r.pos < end) {
    const t = r.uint32();
    switch (t >>> 3) {
      case 1: m.key = readBytes(r); break;
      case 2: m.range_end = readBytes(r); break;
      case 3: m.limit = readInt64(r); break;
      case 4: m.revision = readInt64(r); break;
      case 9: m.count_only = r.bool(); break;
      default: r.skipType(t & 7);
    }
  }
  return m;
}

export function writeRangeResponse(w: Writer, m: RangeResponse): void {
  nested(w, 1, m.header, writeResponseHeader);
  for (const kv of m.kvs) nested(w, 2, kv, writeKeyValue);
  if (m.more) writeBool(w, 3);
  if (m.count) writeInt64(w, 4, m.count);
}

export function readRangeResponse(r: Reader, end: number): RangeResponse {
  const m: RangeResponse = { header: NO_HEADER, kvs: [], more: false, count: 0 };
  while (r.pos < end) {
    const t = r.uint32();
    switch (t >>> 3) {
      case 1: m.header = header(r); break;
      case 2: m.kvs.push(readKeyValue(r, subEnd(r))); break;
      case 3: m.more = r.bool(); break;
      case 4: m.count = readInt64(r); break;
      default: r.skipType(t & 7);
    }
  }
  return m;
}

export interface PutRequest {
  key: Uint8Array;
  value: Uint8Array;
  lease?: number;
  prev_kv?: boolean;
}

export interface PutResponse {
  header: ResponseHeader;
  prev_kv?: KeyValue;
}

export function writePutRequest(w: Writer, m: PutRequest): void {
  if (m.key.length) writeBytes(w, 1, m.key);
  if (m.value.length) writeBytes(w, 2, m.value);
  if (m.lease) writeInt64(w, 3, m.lease);
  if (m.prev_kv) writeBool(w, 4);
}

export function readPutRequest(r: Reader, end: number): PutRequest {
  const m: PutRequest = { key: EMPTY, value: EMPTY };
  while (r.pos < end) {
    const t = r.uint32();
    switch (t >>> 3) {
      case 1: m.key = readBytes(r); break;
      case 2: m.value = readBytes(r); break;
      case 3: m.lease = readInt64(r); break;
      case 4: m.prev_kv = r.bool(); break;
      default: r.skipType(t & 7);
    }
  }
  return m;
}

export function writePutResponse(w: Writer, m: PutResponse): void {
  nested(w, 1, m.header, writeResponseHeader);
  if (m.prev_kv) nested(w, 2, m.prev_kv, writeKeyValue);
}

export function readPutResponse(r: Reader, end: number): PutResponse {
  const m: PutResponse = { header: NO_HEADER };
  while (r.pos < end) {
    const t = r.uint32();
    switch (t >>> 3) {
      case 1: m.header = header(r); break;
      case 2: m.prev_kv = readKeyValue(r, subEnd(r)); break;
      default: r.skipType(t & 7);
    }
  }
  return m;
}

export interface DeleteRangeRequest {
  key: Uint8Array;
  range_end?: Uint8Array;
  prev_kv?: boolean;
}

export interface DeleteRangeResponse {
  header: ResponseHeader;
  deleted: number;
  prev_kvs: KeyValue[];
}

export function writeDeleteRangeRequest(w: Writer, m: DeleteRangeRequest): void {
  if (m.key.length) writeBytes(w, 1, m.key);
  if (m.range_end?.length) writeBytes(w, 2, m.range_end);
  if (m.prev_kv) writeBool(w, 3);
}

export function readDeleteRangeRequest(r: Reader, end: number): DeleteRangeRequest {
  const m: DeleteRangeRequest = { key: EMPTY };
  while (r.pos < end) {
    const t = r.uint32();
    switch (t >>> 3) {
      case 1: m.key = readBytes(r); break;
      case 2: m.range_end = readBytes(r); break;
      case 3: m.prev_kv = r.bool(); break;
      default: r.skipType(t & 7);
    }
  }
  return m;
}

export function writeDeleteRangeResponse(w: Writer, m: DeleteRangeResponse): void {
  nested(w, 1, m.header, writeResponseHeader);
  if (m.deleted) writeInt64(w, 2, m.deleted);
  for (const kv of m.prev_kvs) nested(w, 3, kv, writeKeyValue);
}

export function readDeleteRangeResponse(r: Reader, end: number): DeleteRangeResponse {
  const m: DeleteRangeResponse = { header: NO_HEADER, deleted: 0, prev_kvs: [] };
  while (r.pos < end) {
    const t = r.uint32();
    switch (t >>> 3) {
      case 1: m.header = header(r); break;
      case 2: m.deleted = readInt64(r); break;
      case 3: m.prev_kvs.push(readKeyValue(r, subEnd(r))); break;
      default: r.skipType(t & 7);
    }
  }
  return m;
}

export enum CompareResult {
  EQUAL = 0,
  GREATER = 1,
  LESS = 2,
  NOT_EQUAL = 3,
}

export enum CompareTarget {
  VERSION = 0,
  CREATE = 1,
  MOD = 2,
  VALUE = 3,
  LEASE = 4,
}

/**
 * target_union is a oneof: the field matching target is written even when it is 0
 * (mod_revision 0 is how "the key does not exist" is said).
 */
export interface Compare {
  result: CompareResult;
  target: CompareTarget;
  key: Uint8Array;
  version?: number;
  create_revision?: number;
  mod_revision?: number;
  value?: Uint8Array;
  lease?: number;
  range_end?: Uint8Array;
}

export function writeCompare(w: Writer, m: Compare): void {
  if (m.result) w.uint32(tag(1, VARINT)).uint32(m.result);
  if (m.target) w.uint32(tag(2, VARINT)).uint32(m.target);
  if (m.key.length) writeBytes(w, 3, m.key);
  if (m.version !== undefined) writeInt64(w, 4, m.version);
  else if (m.create_revision !== undefined) writeInt64(w, 5, m.create_revision);
  else if (m.mod_revision !== undefined) writeInt64(w, 6, m.mod_revision);
  else if (m.value !== undefined) writeBytes(w, 7, m.value);
  else if (m.lease !== undefined) writeInt64(w, 8, m.lease);
  if (m.range_end?.length) writeBytes(w, 64, m.range_end);
}

export function readCompare(r: Reader, end: number): Compare {
  const m: Compare = { result: CompareResult.EQUAL, target: CompareTarget.VERSION, key: EMPTY };
  while (r.pos < end) {
    const t = r.uint32();
    switch (t >>> 3) {
      case 1: m.result = r.uint32(); break;
      case 2: m.target = r.uint32(); break;
      case 3: m.key = readBytes(r); break;
      case 4: m.version = readInt64(r); break;
      case 5: m.create_revision = readInt64(r); break;
      case 6: m.mod_revision = readInt64(r); break;
      case 7: m.value = readBytes(r); break;
      case 8: m.lease = readInt64(r); break;
      case 64: m.range_end = readBytes(r); break;
      default: r.skipType(t & 7);
    }
  }
  return m;
}

/** A oneof: exactly one of the three is set. */
export interface RequestOp {
  request_range?: RangeRequest;
  request_put?: PutRequest;
  request_delete_range?: DeleteRangeRequest;
}

export interface ResponseOp {
  response_range?: RangeResponse;
  response_put?: PutResponse;
  response_delete_range?: DeleteRangeResponse;
}

export function writeRequestOp(w: Writer, m: RequestOp): void {
  if (m.request_range) nested(w, 1, m.request_range, writeRangeRequest);
  else if (m.request_put) nested(w, 2, m.request_put, writePutRequest);
  else if (m.request_delete_range) nested(w, 3, m.request_delete_range, writeDeleteRangeRequest);
}

export function readRequestOp(r: Reader, end: number): RequestOp {
  const m: RequestOp = {};
  while (r.pos < end) {
    const t = r.uint32();
    switch (t >>> 3) {
      case 1: m.request_range = readRangeRequest(r, subEnd(r)); break;
      case 2: m.request_put = readPutRequest(r, subEnd(r)); break;
      case 3: m.request_delete_range = readDeleteRangeRequest(r, subEnd(r)); break;
      default: r.skipType(t & 7);
    }
  }
  return m;
}

export function writeResponseOp(w: Writer, m: ResponseOp): void {
  if (m.response_range) nested(w, 1, m.response_range, writeRangeResponse);
  else if (m.response_put) nested(w, 2, m.response_put, writePutResponse);
  else if (m.response_delete_range) nested(w, 3, m.response_delete_range, writeDeleteRangeResponse);
}

export function readResponseOp(r: Reader, end: number): ResponseOp {
  const m: ResponseOp = {};
  while (r.pos < end) {
    const t = r.uint32();
    switch (t >>> 3) {
      case 1: m.response_range = readRangeResponse(r, subEnd(r)); break;
      case 2: m.response_put = readPutResponse(r, subEnd(r)); break;
      case 3: m.response_delete_range = readDeleteRangeResponse(r, subEnd(r)); break;
      default: r.skipType(t & 7);
    }
  }
  return m;
}

export interface TxnRequest {
  compare: Compare[];
  success: RequestOp[];
  failure: RequestOp[];
}

export interface TxnResponse {
  header: ResponseHeader;
  succeeded: boolean;
  responses: ResponseOp[];
}

export function writeTxnRequest(w: Writer, m: TxnRequest): void {
  for (const c of m.compare) nested(w, 1, c, writeCompare);
  for (const op of m.success) nested(w, 2, op, writeRequestOp);
  for (const op of m.failure) nested(w, 3, op, writeRequestOp);
}

export function readTxnRequest(r: Reader, end: number): TxnRequest {
  const m: TxnRequest = { compare: [], success: [], failure: [] };
  while (r.pos < end) {
    const t = r.uint32();
    switch (t >>> 3) {
      case 1: m.compare.push(readCompare(r, subEnd(r))); break;
      case 2: m.success.push(readRequestOp(r, subEnd(r))); break;
      case 3: m.failure.push(readRequestOp(r, subEnd(r))); break;
      default: r.skipType(t & 7);
    }
  }
  return m;
}

export function writeTxnResponse(w: Writer, m: TxnResponse): void {
  nested(w, 1, m.header, writeResponseHeader);
  if (m.succeeded) writeBool(w, 2);
  for (const op of m.responses) nested(w, 3, op, writeResponseOp);
}

export function readTxnResponse(r: Reader, end: number): TxnResponse {
  const m: TxnResponse = { header: NO_HEADER, succeeded: false, responses: [] };
  while (r.pos < end) {
    const t = r.uint32();
    switch (t >>> 3) {
      case 1: m.header = header(r); break;
      case 2: m.succeeded = r.bool(); break;
      case 3: m.responses.push(readResponseOp(r, subEnd(r))); break;
      default: r.skipType(t & 7);
    }
  }
  return m;
}

export interface CompactionRequest {
  revision: number;
  physical?: boolean;
}

export interface CompactionResponse {
  header: ResponseHeader;
}

export function writeCompactionRequest(w: Writer, m: CompactionRequest): void {
  if (m.revision) writeInt64(w, 1, m.revision);
  if (m.physical) writeBool(w, 2);
}

export function readCompactionRequest(r: Reader, end: number): CompactionRequest {
  const m: CompactionRequest = { revision: 0 };
  while (r.pos < end) {
    const t = r.uint32();
    switch (t >>> 3) {
      case 1: m.revision = readInt64(r); break;
      case 2: m.physical = r.bool(); break;
      default: r.skipType(t & 7);
    }
  }
  return m;
}

export function writeCompactionResponse(w: Writer, m: CompactionResponse): void {
  nested(w, 1, m.header, writeResponseHeader);
}

export function readCompactionResponse(r: Reader, end: number): CompactionResponse {
  const m: CompactionResponse = { header: NO_HEADER };
  while (r.pos < end) {
    const t = r.uint32();
    if (t >>> 3 === 1) m.header = header(r);
    else r.skipType(t & 7);
  }
  return m;
}

export interface WatchCreateRequest {
  key: Uint8Array;
  range_end?: Uint8Array;
  start_revision?: number;
  progress_notify?: boolean;
  prev_kv?: boolean;
}

/** A oneof: exactly one of the three is set. */
export interface WatchRequest {
  create_request?: WatchCreateRequest;
  cancel_request?: { watch_id: number };
  progress_request?: Record<string, never>;
}

export interface WatchResponse {
  header: ResponseHeader;
  watch_id: number;
  created: boolean;
  canceled: boolean;
  compact_revision: number;
  cancel_reason: string;
  events: Event[];
}

function writeWatchCreateRequest(w: Writer, m: WatchCreateRequest): void {
  if (m.key.length) writeBytes(w, 1, m.key);
  if (m.range_end?.length) writeBytes(w, 2, m.range_end);
  if (m.start_revision) writeInt64(w, 3, m.start_revision);
  if (m.progress_notify) writeBool(w, 4);
  if (m.prev_kv) writeBool(w, 6);
}

function readWatchCreateRequest(r: Reader, end: number): WatchCreateRequest {
  const m: WatchCreateRequest = { key: EMPTY };
  while (r.pos < end) {
    const t = r.uint32();
    switch (t >>> 3) {
      case 1: m.key = readBytes(r); break;
      case 2: m.range_end = readBytes(r); break;
      case 3: m.start_revision = readInt64(r); break;
      case 4: m.progress_notify = r.bool(); break;
      case 6: m.prev_kv = r.bool(); break;
      default: r.skipType(t & 7);
    }
  }
  return m;
}

export function writeWatchRequest(w: Writer, m: WatchRequest): void {
  if (m.create_request) nested(w, 1, m.create_request, writeWatchCreateRequest);
  else if (m.cancel_request) {
    w.uint32(tag(2, LEN)).fork();
    if (m.cancel_request.watch_id) writeInt64(w, 1, m.cancel_request.watch_id);
    w.ldelim();
  } else if (m.progress_request) w.uint32(tag(3, LEN)).uint32(0);
}

export function readWatchRequest(r: Reader, end: number): WatchRequest {
  const m: WatchRequest = {};
  while (r.pos < end) {
    const t = r.uint32();
    switch (t >>> 3) {
      case 1: m.create_request = readWatchCreateRequest(r, subEnd(r)); break;
      case 2: {
        const e = subEnd(r);
        m.cancel_request = { watch_id: 0 };
        while (r.pos < e) {
          const t2 = r.uint32();
          if (t2 >>> 3 === 1) m.cancel_request.watch_id = readInt64(r);
          else r.skipType(t2 & 7);
        }
        break;
      }
      case 3: r.pos = subEnd(r); m.progress_request = {}; break;
      default: r.skipType(t & 7);
    }
  }
  return m;
}

export function writeWatchResponse(w: Writer, m: WatchResponse): void {
  nested(w, 1, m.header, writeResponseHeader);
  if (m.watch_id) writeInt64(w, 2, m.watch_id);
  if (m.created) writeBool(w, 3);
  if (m.canceled) writeBool(w, 4);
  if (m.compact_revision) writeInt64(w, 5, m.compact_revision);
  if (m.cancel_reason) w.uint32(tag(6, LEN)).string(m.cancel_reason);
  for (const ev of m.events) nested(w, 11, ev, writeEvent);
}

export function readWatchResponse(r: Reader, end: number): WatchResponse {
  const m: WatchResponse = { header: NO_HEADER, watch_id: 0, created: false, canceled: false, compact_revision: 0, cancel_reason: '', events: [] };
  while (r.pos < end) {
    const t = r.uint32();
    switch (t >>> 3) {
      case 1: m.header = header(r); break;
      case 2: m.watch_id = readInt64(r); break;
      case 3: m.created = r.bool(); break;
      case 4: m.canceled = r.bool(); break;
      case 5: m.compact_revision = readInt64(r); break;
      case 6: m.cancel_reason = r.string(); break;
      case 11: m.events.push(readEvent(r, subEnd(r))); break;
      default: r.skipType(t & 7);
    }
  }
  return m;
}

// ---- gRPC framing ----

/**
 * Encodes one message as a gRPC length-prefixed frame: a compressed flag (0) and a
 * 4-byte big-endian length, reserved through the Writer so the frame is one buffer.
 */
export function frame<T>(write: (w: Writer, m: T) => void, m: T): Buffer {
  const w = protobuf.Writer.create();
  w.bool(false).fixed32(0);
  write(w, m);
  const buf = w.finish() as Buffer;
  buf.writeUInt32BE(buf.length - 5, 1);
  return buf;
}

/** Encodes a bare message (no frame); for tests and tools. */
export function encode<T>(write: (w: Writer, m: T) => void, m: T): Buffer {
  const w = protobuf.Writer.create();
  write(w, m);
  return w.finish() as Buffer;
}

/** Decodes the message in buf[start, end). */
export function decode<T>(read: (r: Reader, end: number) => T, buf: Buffer, start = 0, end = buf.length): T {
  const r = protobuf.Reader.create(buf);
  r.pos = start;
  r.len = end;
  return read(r, end);
}
