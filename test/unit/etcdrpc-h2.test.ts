// The HTTP/2 client under the etcd client: HPACK against RFC 7541 Appendix C,
// the Huffman code, frame encoding, and a connection against an in-process peer
// built from the same frames module (flow control, GOAWAY, RST_STREAM, PING).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import net from 'node:net';
import { EOS, HUFFMAN_CODES, HUFFMAN_LENGTHS, huffmanDecode, huffmanEncode } from '../../pkg/storage/etcdrpc/h2/huffman.js';
import { HpackDecoder, decodeInteger, encodeHeaders, encodeInteger, type HeaderMap } from '../../pkg/storage/etcdrpc/h2/hpack.js';
import {
  CLIENT_PREFACE, ErrorCode, Flags, FrameReader, FrameType, Setting, continuationFrame, dataFrameHeader, dataPayload, frame,
  goawayFrame, headersBlock, headersFrameWith, headersFrames, paddedDataFrame, parseGoaway, parseSettings, pingFrame,
  readFrameHeader, rstStreamFrame, settingsFrame, windowUpdateFrame,
} from '../../pkg/storage/etcdrpc/h2/frames.js';
import { H2Connection, H2Error, type StreamHandlers } from '../../pkg/storage/etcdrpc/h2/connection.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

describe('Huffman code (RFC 7541 Appendix B)', () => {
  it('is the canonical code for its lengths, complete and prefix-free', () => {
    assert.equal(HUFFMAN_CODES.length, 257);
    const order = [...HUFFMAN_CODES.keys()].sort((a, b) => HUFFMAN_LENGTHS[a] - HUFFMAN_LENGTHS[b] || a - b);
    let code = 0;
    let len = HUFFMAN_LENGTHS[order[0]];
    let kraft = 0;
    for (let i = 0; i < order.length; i++) {
      const sym = order[i];
      if (i > 0) {
        code = (code + 1) * 2 ** (HUFFMAN_LENGTHS[sym] - len);
        len = HUFFMAN_LENGTHS[sym];
      }
      assert.equal(HUFFMAN_CODES[sym], code, `code of symbol ${sym}`);
      kraft += 2 ** -len;
    }
    assert.equal(kraft, 1);
    assert.equal(HUFFMAN_CODES[EOS], 0x3fffffff);
    assert.equal(HUFFMAN_LENGTHS[EOS], 30);
  });

  it('round-trips every byte value, alone and together', () => {
    const all = String.fromCharCode(...Array.from({ length: 256 }, (_, i) => i));
    for (let i = 0; i < 256; i++) {
      const s = String.fromCharCode(i);
      const enc = huffmanEncode(s);
      assert.equal(enc.length, Math.ceil(HUFFMAN_LENGTHS[i] / 8));
      assert.equal(huffmanDecode(enc, 0, enc.length), s, `byte ${i}`);
    }
    const enc = huffmanEncode(all);
    assert.equal(huffmanDecode(enc, 0, enc.length), all);
    const rev = [...all].reverse().join('');
    const enc2 = huffmanEncode(rev);
    assert.equal(huffmanDecode(enc2, 0, enc2.length), rev);
  });

  it('rejects EOS and padding that is too long or not all ones', () => {
    assert.throws(() => huffmanDecode(hex('ffffffff'), 0, 4), /EOS/);
    // 'a' is 00011 (5 bits): padded with 000 instead of 111.
    assert.throws(() => huffmanDecode(Buffer.from([0b00011000]), 0, 1), /padding/);
    // a full octet of padding after a complete symbol
    assert.throws(() => huffmanDecode(Buffer.from([0b00011111, 0xff]), 0, 2), /padding/);
    assert.equal(huffmanDecode(Buffer.from([0b00011111]), 0, 1), 'a');
  });
});

describe('HPACK (RFC 7541 Appendix C)', () => {
  it('C.1 integers', () => {
    assert.deepEqual(encodeInteger(0, 5, 10), Buffer.from([0x0a]));
    assert.deepEqual(encodeInteger(0xe0, 5, 1337), Buffer.from([0xff, 0x9a, 0x0a]));
    assert.deepEqual(encodeInteger(0, 8, 42), Buffer.from([42]));
    assert.equal(decodeInteger(Buffer.from([0xea]), 5), 10);
    assert.equal(decodeInteger(Buffer.from([0x1f, 0x9a, 0x0a]), 5), 1337);
    assert.equal(decodeInteger(Buffer.from([42]), 8), 42);
  });

  it('C.2 header field representations', () => {
    let d = new HpackDecoder();
    assert.deepEqual(d.decodeList(hex('400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572')), [['custom-key', 'custom-header']]);
    assert.deepEqual(d.entries(), [['custom-key', 'custom-header']]);
    assert.equal(d.size, 55);

    d = new HpackDecoder();
    assert.deepEqual(d.decodeList(hex('040c 2f73 616d 706c 652f 7061 7468')), [[':path', '/sample/path']]);
    assert.equal(d.length, 0);

    d = new HpackDecoder();
    assert.deepEqual(d.decodeList(hex('1008 7061 7373 776f 7264 0673 6563 7265 74')), [['password', 'secret']]);
    assert.equal(d.length, 0);

    d = new HpackDecoder();
    assert.deepEqual(d.decodeList(hex('82')), [[':method', 'GET']]);
    assert.equal(d.length, 0);
  });

  const requests: Array<[string, string, Array<[string, string]>, Array<[string, string]>, number]> = [
    ['8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d', '8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff',
      [[':method', 'GET'], [':scheme', 'http'], [':path', '/'], [':authority', 'www.example.com']],
      [[':authority', 'www.example.com']], 57],
    ['8286 84be 5808 6e6f 2d63 6163 6865', '8286 84be 5886 a8eb 1064 9cbf',
      [[':method', 'GET'], [':scheme', 'http'], [':path', '/'], [':authority', 'www.example.com'], ['cache-control', 'no-cache']],
      [['cache-control', 'no-cache'], [':authority', 'www.example.com']], 110],
    ['8287 85bf 400a 6375 7374 6f6d 2d6b 6579 0c63 7573 746f 6d2d 7661 6c75 65',
      '8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf',
      [[':method', 'GET'], [':scheme', 'https'], [':path', '/index.html'], [':authority', 'www.example.com'], ['custom-key', 'custom-value']],
      [['custom-key', 'custom-value'], ['cache-control', 'no-cache'], [':authority', 'www.example.com']], 164],
  ];

  for (const [label, col] of [['C.3 requests without Huffman', 0], ['C.4 requests with Huffman', 1]] as const) {
    it(label, () => {
      const d = new HpackDecoder();
      for (const r of requests) {
        assert.deepEqual(d.decodeList(hex(r[col])), r[2]);
        assert.deepEqual(d.entries(), r[3]);
        assert.equal(d.size, r[4]);
      }
    });
  }

  const date1 = 'Mon, 21 Oct 2013 20:13:21 GMT';
  const date2 = 'Mon, 21 Oct 2013 20:13:22 GMT';
  const loc = 'https://www.example.com';
  const cookie = 'foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1';
  const responses: Array<[string, string, Array<[string, string]>, Array<[string, string]>, number]> = [
    ['4803 3330 3258 0770 7269 7661 7465 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3120 474d 546e 1768 7474 7073 3a2f 2f77 7777 2e65 7861 6d70 6c65 2e63 6f6d',
      '4882 6402 5885 aec3 771a 4b61 96d0 7abe 9410 54d4 44a8 2005 9504 0b81 66e0 82a6 2d1b ff6e 919d 29ad 1718 63c7 8f0b 97c8 e9ae 82ae 43d3',
      [[':status', '302'], ['cache-control', 'private'], ['date', date1], ['location', loc]],
      [['location', loc], ['date', date1], ['cache-control', 'private'], [':status', '302']], 222],
    ['4803 3330 37c1 c0bf', '4883 640e ffc1 c0bf',
      [[':status', '307'], ['cache-control', 'private'], ['date', date1], ['location', loc]],
      [[':status', '307'], ['location', loc], ['date', date1], ['cache-control', 'private']], 222],
    ['88c1 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3220 474d 54c0 5a04 677a 6970 7738 666f 6f3d 4153 444a 4b48 514b 425a 584f 5157 454f 5049 5541 5851 5745 4f49 553b 206d 6178 2d61 6765 3d33 3630 303b 2076 6572 7369 6f6e 3d31',
      '88c1 6196 d07a be94 1054 d444 a820 0595 040b 8166 e084 a62d 1bff c05a 839b d9ab 77ad 94e7 821d d7f2 e6c7 b335 dfdf cd5b 3960 d5af 2708 7f36 72c1 ab27 0fb5 291f 9587 3160 65c0 03ed 4ee5 b106 3d50 07',
      [[':status', '200'], ['cache-control', 'private'], ['date', date2], ['location', loc], ['content-encoding', 'gzip'], ['set-cookie', cookie]],
      [['set-cookie', cookie], ['content-encoding', 'gzip'], ['date', date2]], 215],
  ];

  for (const [label, col] of [['C.5 responses without Huffman (256-octet table, evictions)', 0], ['C.6 responses with Huffman (256-octet table, evictions)', 1]] as const) {
    it(label, () => {
      const d = new HpackDecoder(256);
      for (const r of responses) {
        assert.deepEqual(d.decodeList(hex(r[col])), r[2]);
        assert.deepEqual(d.entries(), r[3]);
        assert.equal(d.size, r[4]);
      }
    });
  }

  it('applies dynamic table size updates and evicts on them', () => {
    const d = new HpackDecoder(4096);
    d.decodeList(hex('400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572')); // 55 octets
    d.decodeList(hex('4003 6162 6303 7879 7a')); // abc: xyz, 38 octets
    assert.equal(d.size, 93);
    // Size update to 60: the older entry goes; the field after it still decodes.
    assert.deepEqual(d.decodeList(Buffer.concat([encodeInteger(0x20, 5, 60), hex('be')])), [['abc', 'xyz']]);
    assert.deepEqual(d.entries(), [['abc', 'xyz']]);
    assert.equal(d.maxSize, 60);
    // Entries larger than the table empty it without being added.
    d.decodeList(hex(`4003 6162 631e ${'78'.repeat(30)}`)); // 3 + 30 + 32 = 65 octets > 60
    assert.equal(d.length, 0);
    assert.equal(d.size, 0);
    // Size update to 0 then back up within the limit; beyond the limit, or after a field, is an error.
    assert.deepEqual(d.decodeList(Buffer.concat([encodeInteger(0x20, 5, 0), encodeInteger(0x20, 5, 4096), hex('82')])), [[':method', 'GET']]);
    assert.throws(() => d.decodeList(encodeInteger(0x20, 5, 4097)), /exceeds the limit/);
    assert.throws(() => d.decodeList(Buffer.concat([hex('82'), encodeInteger(0x20, 5, 100)])), /after a header field/);
    assert.throws(() => d.decodeList(hex('80')), /index 0/);
    assert.throws(() => d.decodeList(hex('ff00')), /beyond the dynamic table/);
  });

  it('encodes without indexing: exact static matches as one octet, the rest as literals', () => {
    const fields: Array<[string, string]> = [
      [':method', 'POST'], [':scheme', 'http'], [':authority', '127.0.0.1:2379'], [':path', '/etcdserverpb.KV/Range'],
      ['content-type', 'application/grpc'], ['te', 'trailers'], ['grpc-timeout', '30000m'],
    ];
    const block = encodeHeaders(fields);
    assert.equal(block[0], 0x83);
    assert.equal(block[1], 0x86);
    const d = new HpackDecoder();
    assert.deepEqual(d.decodeList(block), fields);
    assert.equal(d.length, 0, 'nothing is added to the peer table');
  });
});

describe('HTTP/2 frames', () => {
  it('writes and reads frame headers', () => {
    const f = frame(FrameType.HEADERS, Flags.END_HEADERS | Flags.END_STREAM, 0x7fffffff, Buffer.from('abc'));
    assert.deepEqual(readFrameHeader(f, 0), { length: 3, type: FrameType.HEADERS, flags: 5, streamId: 0x7fffffff });
    assert.deepEqual(dataFrameHeader(3, 70000, true), hex('011170 00 01 00000003'));
    assert.deepEqual(rstStreamFrame(5, ErrorCode.CANCEL), hex('000004 03 00 00000005 00000008'));
    assert.deepEqual(windowUpdateFrame(0, 1 << 24), hex('000004 08 00 00000000 01000000'));
    assert.deepEqual(pingFrame(hex('0102030405060708'), true), hex('000008 06 01 00000000 0102030405060708'));
    assert.deepEqual(settingsFrame([[Setting.ENABLE_PUSH, 0], [Setting.INITIAL_WINDOW_SIZE, 1 << 24]]), hex('00000c 04 00 00000000 0002 00000000 0004 01000000'));
    assert.deepEqual(parseSettings(hex('0002 00000000 0004 01000000')), [[2, 0], [4, 1 << 24]]);
    const g = goawayFrame(7, ErrorCode.ENHANCE_YOUR_CALM, Buffer.from('slow'));
    const p = parseGoaway(g.subarray(9));
    assert.equal(p.lastStreamId, 7);
    assert.equal(p.code, ErrorCode.ENHANCE_YOUR_CALM);
    assert.equal(p.debug.toString(), 'slow');
  });

  it('splits a large header block into HEADERS + CONTINUATION', () => {
    const block = Buffer.alloc(40_000, 1);
    const buf = headersFrames(1, block, true, 16_384);
    const frames: Array<[number, number, number, number]> = [];
    new FrameReader().push(buf, (type, flags, id, payload) => frames.push([type, flags, id, payload.length]));
    assert.deepEqual(frames, [
      [FrameType.HEADERS, Flags.END_STREAM, 1, 16_384],
      [FrameType.CONTINUATION, 0, 1, 16_384],
      [FrameType.CONTINUATION, Flags.END_HEADERS, 1, 40_000 - 2 * 16_384],
    ]);
  });

  it('strips padding and priority from HEADERS and padding from DATA', () => {
    const block = Buffer.from('hpack-block');
    const f = headersFrameWith(3, block, { padLength: 4, priority: { exclusive: true, dependency: 1, weight: 16 }, endStream: true });
    const h = readFrameHeader(f, 0);
    assert.equal(h.flags, Flags.PADDED | Flags.PRIORITY | Flags.END_STREAM | Flags.END_HEADERS);
    const payload = f.subarray(9);
    const [s, e] = headersBlock(payload, h.flags);
    assert.deepEqual(payload.subarray(s, e), block);
    const d = paddedDataFrame(3, Buffer.from('data'), 10, false);
    assert.deepEqual(dataPayload(d.subarray(9), readFrameHeader(d, 0).flags), Buffer.from('data'));
    assert.throws(() => dataPayload(hex('05 00'), Flags.PADDED), /padding/);
  });

  it('reads frames split across chunks at every boundary', () => {
    const stream = Buffer.concat([
      settingsFrame([[Setting.MAX_FRAME_SIZE, 32_768]]),
      paddedDataFrame(1, Buffer.from('hello'), 3, true),
      pingFrame(hex('0000000000000001'), false),
    ]);
    for (let cut = 1; cut < stream.length; cut++) {
      const seen: string[] = [];
      const r = new FrameReader();
      const on = (type: number, flags: number, id: number, p: Buffer): void => void seen.push(`${type}/${flags}/${id}/${p.toString('hex')}`);
      r.push(stream.subarray(0, cut), on);
      r.push(stream.subarray(cut), on);
      assert.equal(seen.length, 3, `cut at ${cut}`);
    }
    const seen: number[] = [];
    const r = new FrameReader();
    for (let i = 0; i < stream.length; i++) r.push(stream.subarray(i, i + 1), (type) => seen.push(type));
    assert.deepEqual(seen, [FrameType.SETTINGS, FrameType.DATA, FrameType.PING]);
  });
});

interface Got {
  type: number;
  flags: number;
  id: number;
  payload: Buffer;
}

/** An HTTP/2 server peer on loopback that records the frames it receives and sends what a test tells it. */
class FakePeer {
  readonly frames: Got[] = [];
  socket?: net.Socket;
  private server = net.createServer((s) => this.accept(s));
  private waiters: Array<() => void> = [];
  readonly decoder = new HpackDecoder();
  chunks = 0;

  async listen(): Promise<number> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    return (this.server.address() as net.AddressInfo).port;
  }

  private accept(s: net.Socket): void {
    this.socket = s;
    const reader = new FrameReader();
    let preface = Buffer.alloc(0);
    s.on('data', (chunk: Buffer) => {
      this.chunks++;
      if (preface.length < CLIENT_PREFACE.length) {
        preface = Buffer.concat([preface, chunk]);
        if (preface.length < CLIENT_PREFACE.length) return;
        assert.deepEqual(preface.subarray(0, CLIENT_PREFACE.length), CLIENT_PREFACE);
        chunk = preface.subarray(CLIENT_PREFACE.length);
      }
      reader.push(chunk, (type, flags, id, payload) => {
        this.frames.push({ type, flags, id, payload: Buffer.from(payload) });
        for (const w of this.waiters.splice(0)) w();
      });
    });
    s.on('error', () => undefined);
  }

  send(...bufs: Buffer[]): void {
    this.socket!.write(Buffer.concat(bufs));
  }

  of(type: number, id?: number): Got[] {
    return this.frames.filter((f) => f.type === type && (id === undefined || f.id === id));
  }

  dataBytes(id: number): number {
    return this.of(FrameType.DATA, id).reduce((n, f) => n + f.payload.length, 0);
  }

  async until(pred: () => boolean, ms = 2000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!pred()) {
      if (Date.now() > deadline) assert.fail(`peer condition not met; frames: ${this.frames.map((f) => `${f.type}/${f.flags}/${f.id}/${f.payload.length}`).join(' ')}`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 20);
      });
    }
  }

  /** Settles briefly so frames that should not arrive would have. */
  settle(ms = 50): Promise<void> {
    return new Promise((r) => setTimeout(r, ms));
  }

  close(): Promise<void> {
    this.socket?.destroy();
    return new Promise((r) => this.server.close(() => r()));
  }
}

/** Records what a stream's handlers saw. */
function recorder() {
  const r = {
    headers: undefined as HeaderMap | undefined,
    headersEnd: false,
    data: [] as Buffer[],
    trailers: undefined as HeaderMap | undefined,
    ended: false,
    err: undefined as H2Error | undefined,
  };
  const handlers: StreamHandlers = {
    onHeaders: (h, end) => {
      r.headers = h;
      r.headersEnd = end;
    },
    onData: (d) => void r.data.push(Buffer.from(d)),
    onTrailers: (h) => void (r.trailers = h),
    onEnd: (err) => {
      assert.equal(r.ended, false, 'onEnd runs once');
      r.ended = true;
      r.err = err;
    },
  };
  return { r, handlers };
}

const REQUEST = encodeHeaders([[':method', 'POST'], [':scheme', 'http'], [':authority', 'x'], [':path', '/p'], ['content-type', 'application/grpc']]);
const OK = encodeHeaders([[':status', '200'], ['content-type', 'application/grpc']]);
const TRAILERS = encodeHeaders([['grpc-status', '0'], ['grpc-message', '']]);

describe('H2Connection against a fake peer', () => {
  let peer: FakePeer;
  let conn: H2Connection;

  async function connect(opts?: ConstructorParameters<typeof H2Connection>[2], settings: Array<[number, number]> = []): Promise<void> {
    peer = new FakePeer();
    const port = await peer.listen();
    conn = new H2Connection(net.connect(port, '127.0.0.1'), {}, opts);
    await peer.until(() => peer.of(FrameType.SETTINGS).length > 0);
    peer.send(settingsFrame(settings));
    await peer.until(() => peer.of(FrameType.SETTINGS).some((f) => f.flags & Flags.ACK));
  }

  async function teardown(): Promise<void> {
    conn.destroy();
    await peer.close();
  }

  it('starts with SETTINGS (push off, big window) and a connection WINDOW_UPDATE, and ACKs the peer settings', async () => {
    await connect();
    try {
      const s = peer.of(FrameType.SETTINGS)[0];
      assert.deepEqual(parseSettings(s.payload), [[Setting.ENABLE_PUSH, 0], [Setting.INITIAL_WINDOW_SIZE, 16 << 20]]);
      const wu = peer.of(FrameType.WINDOW_UPDATE, 0)[0];
      assert.equal(wu.payload.readUInt32BE(0), (32 << 20) - 65_535);
      assert.equal(peer.of(FrameType.SETTINGS).filter((f) => f.flags & Flags.ACK).length, 1);
    } finally {
      await teardown();
    }
  });

  it('runs a request/response with padded, prioritised and continued header blocks', async () => {
    await connect();
    try {
      const { r, handlers } = recorder();
      const s = conn.open(REQUEST, handlers);
      s.write(Buffer.from('body'), true);
      await peer.until(() => peer.of(FrameType.DATA, 1).some((f) => f.flags & Flags.END_STREAM));
      const h = peer.of(FrameType.HEADERS, 1)[0];
      assert.equal(peer.decoder.decodeList(h.payload)[3][1], '/p');
      assert.equal(peer.dataBytes(1), 4);
      const tr = TRAILERS;
      peer.send(
        headersFrameWith(1, OK, { padLength: 7, priority: { exclusive: false, dependency: 0, weight: 256 } }),
        paddedDataFrame(1, Buffer.from('one'), 5, false),
        frame(FrameType.DATA, 0, 1, Buffer.from('two')),
        headersFrameWith(1, tr.subarray(0, 2), { endStream: true, endHeaders: false }),
        continuationFrame(1, tr.subarray(2), true),
      );
      await peer.until(() => r.ended);
      assert.equal(r.headers?.[':status'], '200');
      assert.equal(r.headersEnd, false);
      assert.equal(Buffer.concat(r.data).toString(), 'onetwo');
      assert.deepEqual({ ...r.trailers }, { 'grpc-status': '0', 'grpc-message': '' });
      assert.equal(r.err, undefined);
      assert.equal(conn.activeStreams, 0);
    } finally {
      await teardown();
    }
  });

  it('reports a headers-only response (gRPC trailers-only) with endStream', async () => {
    await connect();
    try {
      const { r, handlers } = recorder();
      conn.open(REQUEST, handlers).write(Buffer.from('x'), true);
      await peer.until(() => peer.of(FrameType.DATA, 1).length > 0);
      peer.send(headersFrames(1, encodeHeaders([[':status', '200'], ['grpc-status', '3'], ['grpc-message', 'bad']]), true));
      await peer.until(() => r.ended);
      assert.equal(r.headersEnd, true);
      assert.equal(r.headers?.['grpc-status'], '3');
    } finally {
      await teardown();
    }
  });

  it('holds a body larger than the stream window until WINDOW_UPDATE, and keeps frames within MAX_FRAME_SIZE', async () => {
    await connect(undefined, [[Setting.INITIAL_WINDOW_SIZE, 100]]);
    try {
      const { r, handlers } = recorder();
      conn.open(REQUEST, handlers).write(Buffer.alloc(250, 7), true);
      await peer.until(() => peer.dataBytes(1) === 100);
      await peer.settle();
      assert.equal(peer.dataBytes(1), 100);
      peer.send(windowUpdateFrame(1, 100));
      await peer.until(() => peer.dataBytes(1) === 200);
      await peer.settle();
      assert.equal(peer.dataBytes(1), 200);
      assert.equal(peer.of(FrameType.DATA, 1).some((f) => f.flags & Flags.END_STREAM), false);
      peer.send(windowUpdateFrame(1, 1000));
      await peer.until(() => peer.of(FrameType.DATA, 1).some((f) => f.flags & Flags.END_STREAM));
      assert.equal(peer.dataBytes(1), 250);
      assert.equal(r.ended, false);
    } finally {
      await teardown();
    }
  });

  it('holds a body larger than the connection window until a connection WINDOW_UPDATE', async () => {
    await connect(undefined, [[Setting.INITIAL_WINDOW_SIZE, 1 << 20]]);
    try {
      const { handlers } = recorder();
      conn.open(REQUEST, handlers).write(Buffer.alloc(100_000, 1), true);
      await peer.until(() => peer.dataBytes(1) === 65_535);
      await peer.settle();
      assert.equal(peer.dataBytes(1), 65_535);
      assert.ok(peer.of(FrameType.DATA, 1).every((f) => f.payload.length <= 16_384));
      peer.send(windowUpdateFrame(0, 50_000));
      await peer.until(() => peer.of(FrameType.DATA, 1).some((f) => f.flags & Flags.END_STREAM));
      assert.equal(peer.dataBytes(1), 100_000);
    } finally {
      await teardown();
    }
  });

  it('replenishes receive windows in batches, not per frame', async () => {
    await connect({ streamWindow: 4000, connectionWindow: 8000 });
    try {
      const { r, handlers } = recorder();
      conn.open(REQUEST, handlers).write(Buffer.from('x'), true);
      await peer.until(() => peer.of(FrameType.HEADERS, 1).length > 0);
      peer.send(headersFrames(1, OK, false));
      for (let i = 0; i < 40; i++) peer.send(frame(FrameType.DATA, 0, 1, Buffer.alloc(100)));
      await peer.until(() => r.data.length === 40);
      await peer.settle();
      const stream = peer.of(FrameType.WINDOW_UPDATE, 1).map((f) => f.payload.readUInt32BE(0));
      // 8000 is below the initial 65,535, so no WINDOW_UPDATE went out at the start.
      const connection = peer.of(FrameType.WINDOW_UPDATE, 0).map((f) => f.payload.readUInt32BE(0));
      assert.deepEqual(stream, [1000, 1000, 1000, 1000]);
      assert.deepEqual(connection, [2000, 2000]);
    } finally {
      await teardown();
    }
  });

  it('GOAWAY fails only the streams above last_stream_id, retryably; earlier ones finish', async () => {
    await connect();
    try {
      const calls = [recorder(), recorder(), recorder()];
      for (const c of calls) conn.open(REQUEST, c.handlers).write(Buffer.from('x'), true);
      await peer.until(() => peer.of(FrameType.HEADERS).length === 3);
      peer.send(goawayFrame(3, ErrorCode.NO_ERROR));
      await peer.until(() => calls[2].r.ended);
      assert.ok(calls[2].r.err instanceof H2Error);
      assert.equal(calls[2].r.err.retryable, true);
      assert.equal(calls[0].r.ended || calls[1].r.ended, false);
      assert.equal(conn.available, false);
      assert.throws(() => conn.open(REQUEST, recorder().handlers), /going away/);
      for (const id of [1, 3]) peer.send(headersFrames(id, OK, false), frame(FrameType.DATA, 0, id, Buffer.from('ok')), headersFrames(id, TRAILERS, true));
      await peer.until(() => calls[0].r.ended && calls[1].r.ended);
      assert.equal(calls[0].r.err, undefined);
      assert.equal(calls[1].r.err, undefined);
      await peer.until(() => conn.closed, 1000);
    } finally {
      await teardown();
    }
  });

  it('RST_STREAM fails that stream only', async () => {
    await connect();
    try {
      const a = recorder();
      const b = recorder();
      conn.open(REQUEST, a.handlers).write(Buffer.from('x'), true);
      conn.open(REQUEST, b.handlers).write(Buffer.from('y'), true);
      await peer.until(() => peer.of(FrameType.DATA).length === 2);
      peer.send(rstStreamFrame(1, ErrorCode.REFUSED_STREAM));
      await peer.until(() => a.r.ended);
      assert.equal(a.r.err?.code, ErrorCode.REFUSED_STREAM);
      assert.match(a.r.err?.message ?? '', /REFUSED_STREAM/);
      assert.equal(b.r.ended, false);
      peer.send(headersFrames(3, OK, false), headersFrames(3, TRAILERS, true));
      await peer.until(() => b.r.ended);
      assert.equal(b.r.err, undefined);
    } finally {
      await teardown();
    }
  });

  it('a reset from our side sends RST_STREAM and calls no handler', async () => {
    await connect();
    try {
      const a = recorder();
      const s = conn.open(REQUEST, a.handlers);
      s.write(Buffer.from('x'));
      s.reset();
      await peer.until(() => peer.of(FrameType.RST_STREAM, 1).length === 1);
      assert.equal(peer.of(FrameType.RST_STREAM, 1)[0].payload.readUInt32BE(0), ErrorCode.CANCEL);
      peer.send(headersFrames(1, OK, true));
      await peer.settle();
      assert.equal(a.r.ended, false);
      assert.equal(a.r.headers, undefined);
    } finally {
      await teardown();
    }
  });

  it('answers PING and sees its own PINGs answered', async () => {
    await connect();
    try {
      peer.send(pingFrame(hex('0102030405060708'), false));
      await peer.until(() => peer.of(FrameType.PING).some((f) => f.flags & Flags.ACK));
      assert.deepEqual(peer.of(FrameType.PING).find((f) => f.flags & Flags.ACK)?.payload, hex('0102030405060708'));
      let acked = false;
      assert.equal(conn.ping(() => (acked = true)), true);
      await peer.until(() => peer.of(FrameType.PING).some((f) => !(f.flags & Flags.ACK)));
      assert.equal(acked, false);
      peer.send(pingFrame(peer.of(FrameType.PING).find((f) => !(f.flags & Flags.ACK))!.payload, true));
      await peer.until(() => acked);
    } finally {
      await teardown();
    }
  });

  it('writes everything produced in one tick with one socket write', async () => {
    await connect();
    try {
      const before = peer.chunks;
      let writes = 0;
      const orig = conn.socket.write.bind(conn.socket);
      conn.socket.write = ((...args: Parameters<typeof orig>) => {
        writes++;
        return orig(...args);
      }) as typeof conn.socket.write;
      for (let i = 0; i < 20; i++) conn.open(REQUEST, recorder().handlers).write(Buffer.from(`req-${i}`), true);
      await peer.until(() => peer.of(FrameType.DATA).length === 20);
      assert.equal(writes, 1);
      assert.ok(peer.chunks - before <= 2);
    } finally {
      await teardown();
    }
  });

  it('fails every open stream when the socket closes', async () => {
    await connect();
    try {
      const a = recorder();
      const b = recorder();
      conn.open(REQUEST, a.handlers).write(Buffer.from('x'), true);
      conn.open(REQUEST, b.handlers);
      await peer.until(() => peer.of(FrameType.HEADERS).length === 2);
      peer.socket!.destroy();
      await peer.until(() => a.r.ended && b.r.ended);
      assert.ok(a.r.err && b.r.err);
      assert.equal(conn.closed, true);
    } finally {
      await teardown();
    }
  });

  it('reports stream ids running out', async () => {
    await connect({ firstStreamId: 0x7fffffff - 2 });
    try {
      assert.equal(conn.streamIdsLeft, 2);
      conn.open(REQUEST, recorder().handlers);
      conn.open(REQUEST, recorder().handlers);
      assert.equal(conn.streamIdsLeft, 0);
      assert.equal(conn.available, false);
      assert.throws(() => conn.open(REQUEST, recorder().handlers), /stream ids/);
      await peer.until(() => peer.of(FrameType.HEADERS, 0x7fffffff).length === 1);
    } finally {
      await teardown();
    }
  });

  it('queues streams beyond the peer MAX_CONCURRENT_STREAMS', async () => {
    await connect(undefined, [[Setting.MAX_CONCURRENT_STREAMS, 1]]);
    try {
      const a = recorder();
      const b = recorder();
      conn.open(REQUEST, a.handlers).write(Buffer.from('a'), true);
      conn.open(REQUEST, b.handlers).write(Buffer.from('b'), true);
      await peer.until(() => peer.of(FrameType.DATA, 1).length === 1);
      await peer.settle();
      assert.equal(peer.of(FrameType.HEADERS, 3).length, 0);
      peer.send(headersFrames(1, OK, false), headersFrames(1, TRAILERS, true));
      await peer.until(() => peer.of(FrameType.DATA, 3).length === 1);
      assert.equal(a.r.ended, true);
    } finally {
      await teardown();
    }
  });
});

describe('H2Connection against node:http2 (nghttp2)', () => {
  let server: http2.Http2Server;
  let port: number;
  const printable = String.fromCharCode(...Array.from({ length: 95 }, (_, i) => 0x20 + i)).trim();

  before(async () => {
    server = http2.createServer();
    server.on('stream', (stream, headers) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        stream.respond({ ':status': 200, 'x-echo-path': String(headers[':path']), 'x-all': printable }, { waitForTrailers: true });
        stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0', 'x-len': String(Buffer.concat(chunks).length) }));
        stream.end(Buffer.concat(chunks));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as net.AddressInfo).port;
  });
  after(async () => {
    await new Promise((r) => server.close(r));
  });

  it('exchanges many requests, large bodies both ways, Huffman-coded and indexed headers', async () => {
    const conn = new H2Connection(net.connect(port, '127.0.0.1'));
    try {
      const run = (path: string, body: Buffer) => new Promise<{ h: HeaderMap; body: Buffer; t: HeaderMap }>((resolve, reject) => {
        const data: Buffer[] = [];
        let h: HeaderMap = {};
        let t: HeaderMap = {};
        conn.open(encodeHeaders([[':method', 'POST'], [':scheme', 'http'], [':authority', 'x'], [':path', path]]), {
          onHeaders: (x) => void (h = x),
          onData: (d) => void data.push(d),
          onTrailers: (x) => void (t = x),
          onEnd: (err) => (err ? reject(err) : resolve({ h, body: Buffer.concat(data), t })),
        }).write(body, true);
      });
      const big = Buffer.alloc(3 << 20, 'z');
      const results = await Promise.all([run('/big', big), ...Array.from({ length: 200 }, (_, i) => run(`/p/${i}`, Buffer.from(`b${i}`)))]);
      assert.equal(results[0].body.length, big.length);
      assert.equal(results[0].t['x-len'], String(big.length));
      for (let i = 1; i <= 200; i++) {
        assert.equal(results[i].h['x-echo-path'], `/p/${i - 1}`);
        assert.equal(results[i].h['x-all'], printable);
        assert.equal(results[i].body.toString(), `b${i - 1}`);
        assert.equal(results[i].t['grpc-status'], '0');
      }
    } finally {
      conn.close();
    }
  });
});
