// /portForward/{namespace}/{pod}[/{uid}]?port=...: the node end of `kubectl
// port-forward`. SPDY and the WebSocket port-forward protocols go through to the
// runtime's streaming server; SPDY tunneled in WebSocket messages (kubectl 1.31+)
// is unwrapped onto a SPDY upgrade there.
import { PORT_FORWARD_PROTOCOL, upgradeRequest } from './cristreaming.js';
import { HTTPError, criErrorCode, criMessage, type UpgradeHandler } from './handler.js';
import { isLocateError } from './types.js';
import { proxyUpgrade, tunnelWebSocket } from './upgradeproxy.js';
import { isWebSocket, offeredProtocols } from './websocket.js';

/** kubectl port-forward (1.31+) tunnels its SPDY session in WebSocket messages under this subprotocol. */
export const PORT_FORWARD_TUNNEL_PROTOCOL = 'SPDY/3.1+portforward.k8s.io';

export const getPortForward: UpgradeHandler = async (ctx, req, socket, head, seg, q) => {
  if (seg.length < 2 || seg.length > 3) throw new HTTPError(404, 'path must be /portForward/{namespace}/{pod}[/{uid}]');
  const [ns, pod, uid] = seg;
  const found = await ctx.locator.findSandbox(ns, pod);
  if (isLocateError(found)) throw new HTTPError(found.code, found.error);
  if (uid && uid !== found.podUID) throw new HTTPError(404, `pod "${pod}" with UID ${uid} not found`);
  const ports = (q.get('port') ?? q.get('ports') ?? '').split(',').filter(Boolean).map(Number);
  if (ports.some((p) => !Number.isInteger(p) || p < 1 || p > 65535))
    throw new HTTPError(400, `invalid port in ${JSON.stringify(q.get('port') ?? q.get('ports'))}`);
  let url: string;
  try {
    ({ url } = await ctx.cri.runtime.portForward({ podSandboxId: found.podSandboxId, port: ports }));
  } catch (err) {
    throw new HTTPError(criErrorCode(err), `unable to port-forward to pod "${pod}": ${criMessage(err)}`);
  }
  if (isWebSocket(req) && offeredProtocols(req).includes(PORT_FORWARD_TUNNEL_PROTOCOL)) {
    const up = await upgradeRequest(url, 'SPDY/3.1', [PORT_FORWARD_PROTOCOL]);
    if (up.head.length) up.socket.unshift(up.head);
    const ws = await ctx.websockets.accept(req, socket, head, PORT_FORWARD_TUNNEL_PROTOCOL);
    await tunnelWebSocket(ws, up.socket);
    return;
  }
  // SPDY, and the WebSocket port-forward protocols, the runtime speaks itself.
  await proxyUpgrade(req, socket, head, url);
};
