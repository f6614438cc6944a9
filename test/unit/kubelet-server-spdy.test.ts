// The SPDY/3.1 framing and session used for the runtime's streaming server:
// frames and header blocks round-trip, and a client and a server session talk
// over a real loopback socket (streams, data both ways, FIN, RST, PING, GOAWAY).
import { describe, it, afterAll } from '@jest/globals';
import assert from 'node:assert/strict';
import { createServer, connect, type Server, type Socket } from 'node:net';
import zlib from 'node:zlib';
import {
  FLAG_FIN,
  FrameType,
  decodeHeaderBlock,
  encodeControl,
  encodeData,
  encodeHeaderBlock,
  parseFrames,
  pingPayload,
} from '../../pkg/kubelet/server/spdy/frames.js';
import { SPDY3_DICTIONARY } from '../../pkg/kubelet/server/spdy/dictionary.js';
import { SpdyConnection, type SpdyStream } from '../../pkg/kubelet/server/spdy/connection.js';

describe('SPDY frames', () => {
  it('the header dictionary is the 1423 bytes of SPDY/3', () => {
    assert.equal(SPDY3_DICTIONARY.length, 1423);
    assert.deepEqual([...SPDY3_DICTIONARY.subarray(0, 11)], [0, 0, 0, 7, ...Buffer.from('options')]);
    assert.equal(SPDY3_DICTIONARY.subarray(-6).toString(), 'enq=0.');
  });

  it('header blocks round-trip, names lowercased, several values NUL-joined on read', () => {
    const block = encodeHeaderBlock({ StreamType: 'error', port: '8080', requestID: '0' });
    assert.equal(block.readUInt32BE(0), 3);
    assert.deepEqual(decodeHeaderBlock(block), { streamtype: 'error', port: '8080', requestid: '0' });
    const twice = Buffer.concat([Buffer.from([0, 0, 0, 2]), encodeHeaderBlock({ a: '1' }).subarray(4), encodeHeaderBlock({ a: '2' }).subarray(4)]);
    assert.deepEqual(decodeHeaderBlock(twice), { a: '1\u00002' });
    assert.throws(() => decodeHeaderBlock(Buffer.from([0, 0, 0, 1, 0, 0, 0, 9, 0x61])), /truncated/);
  });

  it('parseFrames splits control and data frames and keeps a partial frame for later', () => {
    const ping = encodeControl(FrameType.PING, 0, pingPayload(7));
    const data = encodeData(3, FLAG_FIN, Buffer.from('hello'));
    assert.deepEqual([...ping.subarray(0, 4)], [0x80, 0x03, 0x00, 0x06]);
    const both = Buffer.concat([ping, data]);
    const { frames, rest } = parseFrames(both.subarray(0, both.length - 2));
    assert.equal(frames.length, 1);
    assert.equal(rest.length, data.length - 2);
    const all = parseFrames(both).frames;
    assert.equal(all.length, 2);
    assert.ok(all[0].control && all[0].type === FrameType.PING && all[0].payload.readUInt32BE(0) === 7);
    assert.ok(!all[1].control && all[1].streamId === 3 && all[1].flags === FLAG_FIN && all[1].data.toString() === 'hello');
    const v2 = Buffer.from(ping);
    v2.writeUInt16BE(0x8002, 0);
    assert.throws(() => parseFrames(v2), /unsupported SPDY version 2/);
  });
});

/** A client session and a server session over a loopback TCP connection. */
async function sessionPair(): Promise<{ client: SpdyConnection; server: SpdyConnection; serverSocket: Socket; close: () => Promise<void> }> {
  let srv: Server | undefined;
  const accepted = new Promise<Socket>((resolve) => {
    srv = createServer((s) => resolve(s));
  });
  await new Promise<void>((r) => srv?.listen(0, '127.0.0.1', () => r()));
  const port = (srv?.address() as { port: number }).port;
  const clientSocket = connect(port, '127.0.0.1');
  const serverSocket = await accepted;
  const client = new SpdyConnection(clientSocket, { role: 'client' });
  const server = new SpdyConnection(serverSocket, { role: 'server' });
  return {
    client,
    server,
    serverSocket,
    close: async () => {
      client.destroy();
      server.destroy();
      await new Promise<void>((r) => srv?.close(() => r()));
    },
  };
}

function readAll(s: SpdyStream): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    s.on('data', (d: Buffer) => (out += d.toString()));
    s.on('end', () => resolve(out));
    s.on('error', reject);
  });
}

describe('SPDY sessions', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const c of cleanups) await c();
  });

  it('a client opens streams, the server replies, data flows both ways and FIN half-closes', async () => {
    const p = await sessionPair();
    cleanups.push(p.close);
    // Echo server: upper-cases what it reads, ends its side after the client's FIN.
    p.server.on('stream', (s: SpdyStream) => {
      void s.reply({});
      s.on('data', (d: Buffer) => s.write(Buffer.from(`${s.headers.streamtype}:${d.toString().toUpperCase()}`)));
      s.on('end', () => s.end());
    });
    const ids: number[] = [];
    // Several streams in a row: the header compression contexts must stay in step.
    for (const kind of ['error', 'stdin', 'stdout', 'stderr', 'resize']) {
      const s = await p.client.createStream({ streamtype: kind, port: '80', requestid: '1' });
      ids.push(s.id);
      assert.equal(s.replied, true);
      const got = readAll(s);
      s.write('abc');
      s.end();
      assert.equal(await got, `${kind}:ABC`);
    }
    assert.deepEqual(ids, [1, 3, 5, 7, 9], 'client streams are odd and increasing');
  });

  it('large data arrives whole and in order', async () => {
    const p = await sessionPair();
    cleanups.push(p.close);
    const big = Buffer.alloc(3 * 1024 * 1024 + 17);
    for (let i = 0; i < big.length; i++) big[i] = (i * 31) & 0xff;
    p.server.on('stream', (s: SpdyStream) => {
      void s.reply({}).then(() => s.end(big));
    });
    const s = await p.client.createStream({ streamtype: 'stdout' });
    const chunks: Buffer[] = [];
    s.on('data', (d: Buffer) => chunks.push(d));
    await new Promise((r) => s.on('end', r));
    assert.ok(Buffer.concat(chunks).equals(big));
  });

  it('RST_STREAM refuses an open and ends a stream; PING is echoed; GOAWAY is reported', async () => {
    const p = await sessionPair();
    cleanups.push(p.close);
    p.server.on('stream', (s: SpdyStream) => {
      if (s.headers.streamtype === 'refuse') s.reset();
      else void s.reply({}).then(() => s.reset());
    });
    await assert.rejects(p.client.createStream({ streamtype: 'refuse' }), /refused \(RST_STREAM status 5\)/);
    const s = await p.client.createStream({ streamtype: 'data' });
    s.resume();
    await new Promise((r) => s.once('end', r));

    // A raw PING from the "server" side (even id) must come back unchanged.
    const echoed = new Promise<number>((resolve) => {
      p.serverSocket.on('data', (b: Buffer) => {
        const f = parseFrames(b).frames.find((x) => x.control && x.type === FrameType.PING);
        if (f && f.control) resolve(f.payload.readUInt32BE(0));
      });
    });
    p.serverSocket.write(encodeControl(FrameType.PING, 0, pingPayload(42)));
    assert.equal(await echoed, 42);

    const goaway = new Promise((r) => p.client.once('goaway', r));
    p.server.close();
    await goaway;
    await assert.rejects(p.client.createStream({ streamtype: 'late' }), /closed/);
  });

  it('header blocks from another implementation decompress (zlib with the dictionary, sync-flushed)', async () => {
    const p = await sessionPair();
    cleanups.push(p.close);
    const got = new Promise<Record<string, string>>((resolve) => p.client.once('stream', (s: SpdyStream) => resolve(s.headers)));
    // A server-initiated stream (even id) whose header block comes from a separate deflater.
    const deflate = zlib.createDeflate({ dictionary: SPDY3_DICTIONARY });
    const compressed = await new Promise<Buffer>((resolve) => {
      const out: Buffer[] = [];
      deflate.on('data', (c: Buffer) => out.push(c));
      deflate.write(encodeHeaderBlock({ streamtype: 'data', port: '9090' }));
      deflate.flush(zlib.constants.Z_SYNC_FLUSH, () => resolve(Buffer.concat(out)));
    });
    const prefix = Buffer.alloc(10);
    prefix.writeUInt32BE(2, 0);
    p.serverSocket.write(encodeControl(FrameType.SYN_STREAM, 0, Buffer.concat([prefix, compressed])));
    assert.deepEqual(await got, { streamtype: 'data', port: '9090' });
    deflate.close();
  });
});
