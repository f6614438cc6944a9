// exec and attach over WebSocket, the remote command subprotocols kubectl and
// other clients speak: every binary message starts with a channel byte
// (0 stdin, 1 stdout, 2 stderr, 3 error, 4 resize); v4 and v5 send a JSON
// metav1.Status on the error channel (exit codes in details.causes); v5 adds
// 255 <channel> as "this channel is closed" (how kubectl closes stdin); the
// base64 variants send text messages with an ASCII channel digit. The session
// behind it is the runtime's (cristreaming.ts).
import type { WebSocket } from 'ws';
import type { RemoteCommandSession } from './cristreaming.js';

export const STREAM_PROTOCOL_V5 = 'v5.channel.k8s.io';
export const STREAM_PROTOCOL_V4 = 'v4.channel.k8s.io';
export const STREAM_PROTOCOL_V4_BASE64 = 'v4.base64.channel.k8s.io';
export const CHANNEL_PROTOCOL = 'channel.k8s.io';
export const BASE64_CHANNEL_PROTOCOL = 'base64.channel.k8s.io';

/** In the server's order of preference among what a client offers (the client's own order decides first). */
export const WEBSOCKET_REMOTE_COMMAND_PROTOCOLS = [
  STREAM_PROTOCOL_V5,
  STREAM_PROTOCOL_V4,
  STREAM_PROTOCOL_V4_BASE64,
  CHANNEL_PROTOCOL,
  BASE64_CHANNEL_PROTOCOL,
];

export const Channel = { STDIN: 0, STDOUT: 1, STDERR: 2, ERROR: 3, RESIZE: 4, CLOSE: 255 } as const;

/** The first protocol the client offers that we speak ('' when the client offered none). */
export function chooseProtocol(offered: string[], supported: string[]): string | undefined {
  if (offered.length === 0) return '';
  return offered.find((p) => supported.includes(p));
}

export interface ChannelCodec {
  binary: boolean;
  /** Status as JSON (v4, v5) rather than a plain message on failure only. */
  jsonStatus: boolean;
  /** Understands 255 <channel> close messages (v5). */
  closeSignal: boolean;
}

export function codecFor(protocol: string): ChannelCodec {
  return {
    binary: !protocol.includes('base64'),
    jsonStatus: protocol === STREAM_PROTOCOL_V5 || protocol.startsWith('v4.'),
    closeSignal: protocol === STREAM_PROTOCOL_V5,
  };
}

export function encodeMessage(codec: ChannelCodec, channel: number, data: Buffer): Buffer | string {
  if (codec.binary) return Buffer.concat([Buffer.from([channel]), data]);
  return String.fromCharCode(0x30 + channel) + data.toString('base64');
}

export function decodeMessage(codec: ChannelCodec, msg: Buffer): { channel: number; data: Buffer } | undefined {
  if (msg.length === 0) return undefined;
  if (codec.binary) return { channel: msg[0], data: msg.subarray(1) };
  return { channel: msg[0] - 0x30, data: Buffer.from(msg.subarray(1).toString('latin1'), 'base64') };
}

/** What the pre-v4 protocols put on the error channel: nothing on success, the message otherwise. */
export function legacyStatusText(statusJSON: Buffer): Buffer {
  try {
    const s = JSON.parse(statusJSON.toString()) as { status?: string; message?: string };
    if (s.status === 'Success') return Buffer.alloc(0);
    return Buffer.from(s.message ?? 'error executing remote command');
  } catch {
    return statusJSON;
  }
}

/**
 * Joins an accepted WebSocket to a runtime session until the command ends:
 * output to the client, then the status on the error channel, then a normal
 * close. A client that goes away drops the session.
 */
export function bridgeRemoteCommand(ws: WebSocket, protocol: string, session: RemoteCommandSession, log?: (msg: string) => void): Promise<void> {
  const codec = codecFor(protocol);
  const send = (channel: number, data: Buffer) => {
    if (ws.readyState === ws.OPEN) ws.send(encodeMessage(codec, channel, data), { binary: codec.binary });
  };
  // Tells the client the streams are up, as the kubelet always has (clients ignore the empty message).
  if (session.stdout) send(Channel.STDOUT, Buffer.alloc(0));
  else if (session.stderr) send(Channel.STDERR, Buffer.alloc(0));
  // A client slower than the command: stop reading the runtime until the socket's buffer drains.
  let waiting: NodeJS.Timeout | undefined;
  const throttle = () => {
    if (waiting || ws.bufferedAmount < 1 << 20) return;
    session.stdout?.pause();
    session.stderr?.pause();
    waiting = setInterval(() => {
      if (ws.readyState === ws.OPEN && ws.bufferedAmount >= 1 << 18) return;
      clearInterval(waiting);
      waiting = undefined;
      session.stdout?.resume();
      session.stderr?.resume();
    }, 10);
  };
  session.stdout?.on('data', (d: Buffer) => {
    send(Channel.STDOUT, d);
    throttle();
  });
  session.stderr?.on('data', (d: Buffer) => {
    send(Channel.STDERR, d);
    throttle();
  });

  ws.on('message', (raw: Buffer | ArrayBuffer | Buffer[]) => {
    const buf = Array.isArray(raw) ? Buffer.concat(raw) : Buffer.isBuffer(raw) ? raw : Buffer.from(raw);
    const m = decodeMessage(codec, buf);
    if (!m) return;
    if (m.channel === Channel.STDIN) {
      if (m.data.length) session.stdin?.write(m.data);
    } else if (m.channel === Channel.RESIZE) {
      session.resize?.write(m.data);
    } else if (m.channel === Channel.CLOSE && codec.closeSignal) {
      if (m.data[0] === Channel.STDIN) session.stdin?.end();
    }
  });

  return new Promise<void>((resolve) => {
    let over = false;
    ws.on('close', () => {
      if (waiting) clearInterval(waiting);
      if (!over) session.close();
      resolve();
    });
    ws.on('error', (err) => log?.(`exec websocket: ${err.message}`));
    session.finished.then(
      (status) => {
        over = true;
        if (status.length) {
          const body = codec.jsonStatus ? status : legacyStatusText(status);
          if (body.length) send(Channel.ERROR, body);
        }
        ws.close(1000);
      },
      (err: Error) => {
        over = true;
        const msg = `error executing command in container: ${err.message}`;
        send(Channel.ERROR, codec.jsonStatus ? Buffer.from(JSON.stringify(internalErrorStatus(msg))) : Buffer.from(msg));
        ws.close(1000);
      },
    );
  });
}

export function internalErrorStatus(message: string): object {
  return {
    metadata: {},
    status: 'Failure',
    message: `Internal error occurred: ${message}`,
    reason: 'InternalError',
    details: { causes: [{ message }] },
    code: 500,
  };
}
