// /run/{namespace}/{pod}/{container}?cmd=...: runs a command in the container
// and answers its output (stdout, then stderr) in one response.
import { HTTPError, criErrorCode, criMessage, type Handler } from './handler.js';
import { isLocateError } from './types.js';

export const getRun: Handler = async (ctx, _req, res, seg, q) => {
  const [ns, pod, container] = seg;
  const found = await ctx.locator.find(ns, pod, container);
  if (isLocateError(found)) throw new HTTPError(found.code, found.error);
  const cmd = (q.get('cmd') ?? '').split(/\s+/).filter(Boolean);
  if (!cmd.length) throw new HTTPError(400, 'cmd is required');
  const out = await ctx.cri.runtime.execSync({ containerId: found.containerId, cmd, timeout: 0 }).catch((err: unknown) => {
    throw new HTTPError(criErrorCode(err), criMessage(err));
  });
  res.writeHead(200, { 'Content-Type': 'text/plain' });
  res.end(Buffer.concat([out.stdout, out.stderr]));
};
