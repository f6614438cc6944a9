// /exec and /attach/{namespace}/{pod}[/{uid}]/{container}: the node end of
// `kubectl exec` and `attach`. SPDY upgrades go through to the runtime's
// streaming server as they are; WebSocket ones (remotecommand v4/v5) are bridged
// onto the runtime's session here (remotecommand.ts).
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { openRemoteCommand } from './cristreaming.js';
import { HTTPError, criErrorCode, criMessage, parseBool, type ServerContext, type UpgradeHandler } from './handler.js';
import { WEBSOCKET_REMOTE_COMMAND_PROTOCOLS, bridgeRemoteCommand, chooseProtocol } from './remotecommand.js';
import { isLocateError } from './types.js';
import { proxyUpgrade } from './upgradeproxy.js';
import { isWebSocket, offeredProtocols } from './websocket.js';

/** {ns}/{pod}/{container} or {ns}/{pod}/{uid}/{container}. */
function podAndContainer(seg: string[]): { ns: string; pod: string; uid?: string; container: string } {
  if (seg.length === 3) return { ns: seg[0], pod: seg[1], container: seg[2] };
  if (seg.length === 4) return { ns: seg[0], pod: seg[1], uid: seg[2], container: seg[3] };
  throw new HTTPError(404, 'path must be /{verb}/{namespace}/{pod}[/{uid}]/{container}');
}

async function serveRemoteCommand(
  verb: 'exec' | 'attach',
  ctx: ServerContext,
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  seg: string[],
  q: URLSearchParams,
): Promise<void> {
  const { ns, pod, uid, container } = podAndContainer(seg);
  const tty = parseBool(q.get('tty'));
  const stdin = parseBool(q.get('input'));
  const stdout = parseBool(q.get('output'));
  // A terminal carries stderr on stdout; the runtime refuses both.
  const stderr = parseBool(q.get('error')) && !tty;
  if (!stdin && !stdout && !stderr) throw new HTTPError(400, 'you must specify at least 1 of stdin, stdout, stderr');
  const command = q.getAll('command');
  if (verb === 'exec' && command.length === 0) throw new HTTPError(400, 'you must specify a command to run');
  const found = await ctx.locator.find(ns, pod, container);
  if (isLocateError(found)) throw new HTTPError(found.code, found.error);
  if (uid && uid !== found.podUID) throw new HTTPError(404, `pod "${pod}" with UID ${uid} not found`);
  let url: string;
  try {
    ({ url } =
      verb === 'exec'
        ? await ctx.cri.runtime.exec({ containerId: found.containerId, cmd: command, tty, stdin, stdout, stderr })
        : await ctx.cri.runtime.attach({ containerId: found.containerId, tty, stdin, stdout, stderr }));
  } catch (err) {
    throw new HTTPError(criErrorCode(err), `unable to ${verb} in container "${container}" of pod "${pod}": ${criMessage(err)}`);
  }
  if (!isWebSocket(req)) {
    await proxyUpgrade(req, socket, head, url);
    return;
  }
  const protocol = chooseProtocol(offeredProtocols(req), WEBSOCKET_REMOTE_COMMAND_PROTOCOLS);
  if (protocol === undefined)
    throw new HTTPError(
      400,
      `requested protocol(s) are not supported: ${offeredProtocols(req).join(', ')}; supports ${WEBSOCKET_REMOTE_COMMAND_PROTOCOLS.join(', ')}`,
    );
  const session = await openRemoteCommand(url, { stdin, stdout, stderr, tty });
  const ws = await ctx.websockets.accept(req, socket, head, protocol);
  await bridgeRemoteCommand(ws, protocol || 'channel.k8s.io', session, ctx.log);
}

export const getExec: UpgradeHandler = (ctx, req, socket, head, seg, q) => serveRemoteCommand('exec', ctx, req, socket, head, seg, q);

export const getAttach: UpgradeHandler = (ctx, req, socket, head, seg, q) => serveRemoteCommand('attach', ctx, req, socket, head, seg, q);
