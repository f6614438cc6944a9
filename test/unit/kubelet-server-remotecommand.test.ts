// The WebSocket remote command protocols (channel.k8s.io family) between a
// client and the kubelet, over a real loopback WebSocket with a stand-in for
// the runtime's session.
import { describe, it, afterAll } from '@jest/globals';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { PassThrough } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import {
  Channel,
  bridgeRemoteCommand,
  chooseProtocol,
  codecFor,
  decodeMessage,
  encodeMessage,
  legacyStatusText,
  WEBSOCKET_REMOTE_COMMAND_PROTOCOLS,
} from '../../pkg/kubelet/server/remotecommand.js';
import type { RemoteCommandSession } from '../../pkg/kubelet/server/cristreaming.js';

/** Polls cond every 10 ms until it holds, for at most ms. */
async function waitFor(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('channel codecs', () => {
  it('binary protocols prefix a channel byte; base64 ones an ASCII digit', () => {
    const v5 = codecFor('v5.channel.k8s.io');
    assert.deepEqual(v5, { binary: true, jsonStatus: true, closeSignal: true });
    assert.deepEqual(codecFor('v4.channel.k8s.io'), { binary: true, jsonStatus: true, closeSignal: false });
    assert.deepEqual(codecFor('base64.channel.k8s.io'), { binary: false, jsonStatus: false, closeSignal: false });
    assert.deepEqual(encodeMessage(v5, 1, Buffer.from('hi')), Buffer.from([1, 0x68, 0x69]));
    const b64 = codecFor('v4.base64.channel.k8s.io');
    assert.equal(encodeMessage(b64, 2, Buffer.from('hi')), '2aGk=');
    assert.deepEqual(decodeMessage(b64, Buffer.from('0aGk=')), { channel: 0, data: Buffer.from('hi') });
    assert.deepEqual(decodeMessage(v5, Buffer.from([255, 0])), { channel: 255, data: Buffer.from([0]) });
    assert.equal(decodeMessage(v5, Buffer.alloc(0)), undefined);
  });

  it('picks the first offered protocol the server speaks', () => {
    assert.equal(chooseProtocol(['v5.channel.k8s.io', 'v4.channel.k8s.io'], WEBSOCKET_REMOTE_COMMAND_PROTOCOLS), 'v5.channel.k8s.io');
    assert.equal(chooseProtocol(['v9.channel.k8s.io', 'channel.k8s.io'], WEBSOCKET_REMOTE_COMMAND_PROTOCOLS), 'channel.k8s.io');
    assert.equal(chooseProtocol(['nope'], WEBSOCKET_REMOTE_COMMAND_PROTOCOLS), undefined);
    assert.equal(chooseProtocol([], WEBSOCKET_REMOTE_COMMAND_PROTOCOLS), '');
  });

  it('pre-v4 protocols get the message of a failure and nothing on success', () => {
    assert.equal(legacyStatusText(Buffer.from('{"status":"Success"}')).length, 0);
    assert.equal(legacyStatusText(Buffer.from('{"status":"Failure","message":"boom"}')).toString(), 'boom');
  });
});

/** A runtime session stand-in: echoes stdin to stdout upper-cased, records resizes, finishes with the given status. */
function fakeSession(status: string) {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const resize = new PassThrough();
  const resizes: string[] = [];
  let closed = false;
  resize.on('data', (d: Buffer) => resizes.push(d.toString()));
  stdin.on('data', (d: Buffer) => stdout.write(d.toString().toUpperCase()));
  const finished = new Promise<Buffer>((resolve) => {
    stdin.on('end', () => {
      stderr.write('bye\n');
      stdout.end();
      stderr.end();
      resolve(Buffer.from(status));
    });
  });
  const session: RemoteCommandSession = { stdin, stdout, stderr, resize, finished, close: () => (closed = true) };
  return { session, resizes, wasClosed: () => closed };
}

describe('bridging a WebSocket client to a runtime session', () => {
  let server: Server | undefined;
  let port = 0;
  const sessions: ReturnType<typeof fakeSession>[] = [];
  const failure = JSON.stringify({ metadata: {}, status: 'Failure', reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: '3' }] } });

  const start = async () => {
    const wss = new WebSocketServer({ noServer: true, handleProtocols: (p) => chooseProtocol([...p], WEBSOCKET_REMOTE_COMMAND_PROTOCOLS) ?? false });
    server = createServer();
    server.on('upgrade', (req, socket, head) => {
      wss.handleUpgrade(req, socket, head, (ws) => {
        const f = fakeSession(failure);
        sessions.push(f);
        void bridgeRemoteCommand(ws, ws.protocol, f.session);
      });
    });
    await new Promise<void>((r) => server?.listen(0, '127.0.0.1', () => r()));
    port = (server.address() as { port: number }).port;
  };
  afterAll(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

  function client(protocol: string): Promise<{ messages: Buffer[]; code: number; ws: WebSocket }> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/`, [protocol]);
      const messages: Buffer[] = [];
      ws.on('message', (m: Buffer) => messages.push(Buffer.from(m)));
      ws.on('open', () => {
        ws.send(Buffer.from([Channel.RESIZE, ...Buffer.from('{"Width":80,"Height":24}')]));
        ws.send(Buffer.from([Channel.STDIN, ...Buffer.from('hello')]));
        // v5: "stdin is closed"; the session ends when its stdin does.
        ws.send(Buffer.from([Channel.CLOSE, Channel.STDIN]));
      });
      ws.on('close', (code) => resolve({ messages, code, ws }));
      ws.on('error', reject);
    });
  }

  it('v5: stdin, close signal, resize, output on its channels, the Status on the error channel, then a normal close', async () => {
    await start();
    const { messages, code } = await client('v5.channel.k8s.io');
    assert.equal(code, 1000);
    const byChannel = (ch: number) => Buffer.concat(messages.filter((m) => m[0] === ch).map((m) => m.subarray(1))).toString();
    assert.equal(byChannel(Channel.STDOUT), 'HELLO');
    assert.equal(byChannel(Channel.STDERR), 'bye\n');
    assert.deepEqual(JSON.parse(byChannel(Channel.ERROR)), JSON.parse(failure));
    // The error channel comes last.
    assert.equal(messages[messages.length - 1][0], Channel.ERROR);
    assert.deepEqual(sessions[0].resizes, ['{"Width":80,"Height":24}']);
    assert.equal(sessions[0].wasClosed(), false, 'a session that finished is not torn down');
  });

  it('v4 knows no close signal: stdin stays open until the client goes away, which drops the session', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/`, ['v4.channel.k8s.io']);
    const out: Buffer[] = [];
    ws.on('message', (m: Buffer) => out.push(Buffer.from(m)));
    await new Promise((r) => ws.on('open', r));
    ws.send(Buffer.from([Channel.STDIN, ...Buffer.from('abc')]));
    ws.send(Buffer.from([Channel.CLOSE, Channel.STDIN]));
    const f = sessions[sessions.length - 1];
    const stdout = () => Buffer.concat(out.filter((m) => m[0] === Channel.STDOUT).map((m) => m.subarray(1))).toString();
    await waitFor(() => stdout() === 'ABC', 'the echo of stdin');
    assert.equal(f.wasClosed(), false);
    ws.close();
    await new Promise((r) => ws.on('close', r));
    await waitFor(() => f.wasClosed(), 'the session dropped');
  });
});
