// The hand-written etcd v3 codec: every message survives a round trip, and fixed
// byte sequences (worked out by hand from rpc.proto / kv.proto) pin the field numbers.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CompareResult, CompareTarget, EventType, decode, encode, frame,
  readCompactionRequest, readCompactionResponse, readCompare, readDeleteRangeRequest, readDeleteRangeResponse, readEvent,
  readKeyValue, readPutRequest, readPutResponse, readRangeRequest, readRangeResponse, readRequestOp, readResponseHeader,
  readResponseOp, readTxnRequest, readTxnResponse, readWatchRequest, readWatchResponse,
  writeCompactionRequest, writeCompactionResponse, writeCompare, writeDeleteRangeRequest, writeDeleteRangeResponse, writeEvent,
  writeKeyValue, writePutRequest, writePutResponse, writeRangeRequest, writeRangeResponse, writeRequestOp, writeResponseHeader,
  writeResponseOp, writeTxnRequest, writeTxnResponse, writeWatchRequest, writeWatchResponse,
  type KeyValue, type TxnRequest,
} from '../../pkg/storage/etcdrpc/messages.js';

const b = (s: string): Buffer => Buffer.from(s);
const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

function kv(key: string, value: string, mod: number): KeyValue {
  return { key: b(key), create_revision: mod - 1, mod_revision: mod, version: 2, value: b(value), lease: 0 };
}

const header = { revision: 2 ** 40 + 3, raft_term: 7 };

// Each case: a writer, a reader, and a message with every modelled field set.
const cases: Array<[string, (w: never, m: never) => void, (r: never, end: number) => unknown, unknown]> = [
  ['ResponseHeader', writeResponseHeader, readResponseHeader, header],
  ['KeyValue', writeKeyValue, readKeyValue, { key: b('/registry/pods/a/b'), create_revision: 10, mod_revision: 2 ** 52, version: 3, value: b('{"x":1}'), lease: 99 }],
  ['Event (delete with prev)', writeEvent, readEvent, { type: EventType.DELETE, kv: kv('k', '', 9), prev_kv: kv('k', 'old', 8) }],
  ['Event (put)', writeEvent, readEvent, { type: EventType.PUT, kv: kv('k', 'v', 9) }],
  ['RangeRequest', writeRangeRequest, readRangeRequest, { key: b('/a/'), range_end: b('/a0'), limit: 500, revision: 12345678901, count_only: true }],
  ['RangeResponse', writeRangeResponse, readRangeResponse, { header, kvs: [kv('a', '1', 4), kv('b', '2', 5)], more: true, count: 1000 }],
  ['PutRequest', writePutRequest, readPutRequest, { key: b('k'), value: b('v'), lease: 5, prev_kv: true }],
  ['PutResponse', writePutResponse, readPutResponse, { header, prev_kv: kv('k', 'v0', 3) }],
  ['DeleteRangeRequest', writeDeleteRangeRequest, readDeleteRangeRequest, { key: b('a'), range_end: b('b'), prev_kv: true }],
  ['DeleteRangeResponse', writeDeleteRangeResponse, readDeleteRangeResponse, { header, deleted: 2, prev_kvs: [kv('a', '1', 4), kv('a1', '2', 5)] }],
  ['Compare (mod)', writeCompare, readCompare, { result: CompareResult.NOT_EQUAL, target: CompareTarget.MOD, key: b('k'), mod_revision: 17, range_end: b('l') }],
  ['Compare (version)', writeCompare, readCompare, { result: CompareResult.GREATER, target: CompareTarget.VERSION, key: b('k'), version: 2 }],
  ['Compare (create)', writeCompare, readCompare, { result: CompareResult.LESS, target: CompareTarget.CREATE, key: b('k'), create_revision: 4 }],
  ['Compare (value)', writeCompare, readCompare, { result: CompareResult.EQUAL, target: CompareTarget.VALUE, key: b('k'), value: b('v') }],
  ['RequestOp (range)', writeRequestOp, readRequestOp, { request_range: { key: b('k'), limit: 1 } }],
  ['RequestOp (put)', writeRequestOp, readRequestOp, { request_put: { key: b('k'), value: b('v') } }],
  ['RequestOp (delete)', writeRequestOp, readRequestOp, { request_delete_range: { key: b('k') } }],
  ['ResponseOp (range)', writeResponseOp, readResponseOp, { response_range: { header, kvs: [kv('k', 'v', 3)], more: false, count: 1 } }],
  ['ResponseOp (put)', writeResponseOp, readResponseOp, { response_put: { header } }],
  ['ResponseOp (delete)', writeResponseOp, readResponseOp, { response_delete_range: { header, deleted: 1, prev_kvs: [] } }],
  ['TxnRequest', writeTxnRequest, readTxnRequest, {
    compare: [{ result: CompareResult.EQUAL, target: CompareTarget.MOD, key: b('k'), mod_revision: 0 }],
    success: [{ request_put: { key: b('k'), value: b('v') } }, { request_delete_range: { key: b('j') } }],
    failure: [{ request_range: { key: b('k') } }],
  }],
  ['TxnResponse', writeTxnResponse, readTxnResponse, { header, succeeded: true, responses: [{ response_put: { header } }, { response_range: { header, kvs: [], more: false, count: 0 } }] }],
  ['CompactionRequest', writeCompactionRequest, readCompactionRequest, { revision: 1234, physical: true }],
  ['CompactionResponse', writeCompactionResponse, readCompactionResponse, { header }],
  ['WatchRequest (create)', writeWatchRequest, readWatchRequest, { create_request: { key: b('/registry/'), range_end: b('/registry0'), start_revision: 42, progress_notify: true, prev_kv: true } }],
  ['WatchRequest (cancel)', writeWatchRequest, readWatchRequest, { cancel_request: { watch_id: 3 } }],
  ['WatchRequest (progress)', writeWatchRequest, readWatchRequest, { progress_request: {} }],
  ['WatchResponse', writeWatchResponse, readWatchResponse, {
    header, watch_id: 1, created: true, canceled: true, compact_revision: 40, cancel_reason: 'mvcc: required revision has been compacted',
    events: [{ type: EventType.PUT, kv: kv('a', '1', 41) }, { type: EventType.DELETE, kv: kv('a', '', 42) }],
  }],
];

describe('etcdrpc messages', () => {
  for (const [name, write, read, msg] of cases) {
    it(`round-trips ${name}`, () => {
      const bytes = encode(write as never, msg as never);
      assert.deepEqual(decode(read as never, bytes), msg);
    });
  }

  it('encodes the create transaction byte for byte', () => {
    const k = b('k');
    const txn: TxnRequest = {
      compare: [{ key: k, target: CompareTarget.MOD, result: CompareResult.EQUAL, mod_revision: 0 }],
      success: [{ request_put: { key: k, value: b('v') } }],
      failure: [{ request_range: { key: k } }],
    };
    // compare=1 { target=2: MOD(2), key=3: "k", mod_revision=6: 0 (a oneof: written although 0) }
    // success=2 { request_put=2 { key=1: "k", value=2: "v" } }
    // failure=3 { request_range=1 { key=1: "k" } }
    const want = hex('0a07 1002 1a016b 3000  1208 1206 0a016b 120176  1a05 0a03 0a016b');
    assert.deepEqual(encode(writeTxnRequest, txn), want);
  });

  it('encodes a range request byte for byte, including an int64 above 2^32', () => {
    // key=1 "a", range_end=2 "b", limit=3 300, revision=4 2^40, count_only=9 true
    const want = hex('0a0161 120162 18ac02 20808080808020 4801');
    assert.deepEqual(encode(writeRangeRequest, { key: b('a'), range_end: b('b'), limit: 300, revision: 2 ** 40, count_only: true }), want);
  });

  it('decodes a watch response from bytes', () => {
    // header=1 { revision=3: 5 }, created=3, compact_revision=5: 7, cancel_reason=6 "x",
    // events=11 { type=1 DELETE, kv=2 { key=1 "k", mod_revision=3: 5 } }, then an unknown field 15 (varint) to skip.
    const bytes = hex('0a021805 1801 2807 320178 5a09 0801 1205 0a016b 1805 7801');
    const res = decode(readWatchResponse, bytes);
    assert.equal(res.header.revision, 5);
    assert.equal(res.created, true);
    assert.equal(res.canceled, false);
    assert.equal(res.compact_revision, 7);
    assert.equal(res.cancel_reason, 'x');
    assert.equal(res.events.length, 1);
    assert.equal(res.events[0].type, EventType.DELETE);
    assert.equal(res.events[0].kv.key.toString(), 'k');
    assert.equal(res.events[0].kv.mod_revision, 5);
    assert.equal(res.events[0].kv.value.length, 0);
  });

  it('frames a message with a zero flag and a big-endian length', () => {
    const f = frame(writeCompactionRequest, { revision: 300 });
    assert.deepEqual(f, hex('00 00000003 08ac02'));
    assert.deepEqual(decode(readCompactionRequest, f, 5), { revision: 300 });
  });

  it('decodes a message inside a larger buffer without reading past its end', () => {
    const msg = encode(writePutRequest, { key: b('k'), value: b('v') });
    const buf = Buffer.concat([hex('ffff'), msg, hex('0a0178')]);
    assert.deepEqual(decode(readPutRequest, buf, 2, 2 + msg.length), { key: b('k'), value: b('v') });
  });
});
