// Upstream's InstallDefaultHandlers, as far as this kubelet serves them:
// /healthz (served without a client certificate: it tells nothing but "up")
// and /pods, the pods bound to this node.
import { sendText, type Handler } from './handler.js';

export const healthz: Handler = async (_ctx, _req, res) => sendText(res, 200, 'ok');

export const getPods: Handler = async (ctx, _req, res) => {
  const items = ctx.pods ? await ctx.pods() : [];
  res.writeHead(200, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify({ kind: 'PodList', apiVersion: 'v1', metadata: {}, items }));
};
