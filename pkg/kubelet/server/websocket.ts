// Accepting WebSocket upgrades once a handler has chosen the subprotocol, and
// reading what the client offered.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';

export function isWebSocket(req: IncomingMessage): boolean {
  return (req.headers.upgrade ?? '').toLowerCase() === 'websocket';
}

export function offeredProtocols(req: IncomingMessage): string[] {
  return (req.headers['sec-websocket-protocol'] ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
}

export class WebSocketAcceptor {
  private readonly chosenProtocol = new WeakMap<IncomingMessage, string>();
  private readonly wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    handleProtocols: (_offered, req) => this.chosenProtocol.get(req) ?? false,
  });

  /** Completes the upgrade with the given subprotocol. */
  accept(req: IncomingMessage, socket: Duplex, head: Buffer, protocol: string): Promise<WebSocket> {
    this.chosenProtocol.set(req, protocol);
    // ws checks offered subprotocols against RFC 7230 token syntax, which "SPDY/3.1+portforward.k8s.io"
    // fails ('/'); the choice is already made, so it only needs to see a well-formed header.
    if (req.headers['sec-websocket-protocol'] !== undefined) req.headers['sec-websocket-protocol'] = 'chosen';
    return new Promise((resolve) => this.wss.handleUpgrade(req, socket, head, (ws) => resolve(ws)));
  }

  /** Drops every accepted connection. */
  terminateAll(): void {
    for (const c of this.wss.clients) c.terminate();
  }

  close(): void {
    this.wss.close();
  }
}
