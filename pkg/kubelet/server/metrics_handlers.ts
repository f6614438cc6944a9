// The kubelet server's monitoring paths (upstream server.go's InstallDefaultHandlers):
// /metrics (the kubelet's own), /metrics/cadvisor, /metrics/resource, /metrics/probes and
// /stats/summary (the Summary API). Authorised as nodes/metrics and nodes/stats (auth/).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { cadvisorMetrics } from '../metrics/cadvisor.js';
import { EXPOSITION_CONTENT_TYPE } from '../metrics/exposition.js';
import { resourceMetrics } from '../metrics/resource.js';
import { summaryOf } from '../stats/summary.js';
import { HTTPError, type Handler } from './handler.js';

function sendExposition(res: ServerResponse, contentType: string, text: string): void {
  res.writeHead(200, { 'Content-Type': contentType });
  res.end(text);
}

function onlyGet(req: IncomingMessage): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') throw new HTTPError(405, `${req.method} not allowed`);
}

export const getMetrics: Handler = async (ctx, req, res, seg) => {
  onlyGet(req);
  if (seg.length > 1) throw new HTTPError(404, '404 page not found');
  const which = seg[0] ?? '';
  if (which === '' || which === 'probes') {
    const m = ctx.metrics;
    if (!m) throw new HTTPError(404, '404 page not found');
    const registry = which === '' ? m.registry : m.probesRegistry;
    return sendExposition(res, registry.contentType, await registry.metrics());
  }
  if (which !== 'cadvisor' && which !== 'resource') throw new HTTPError(404, '404 page not found');
  if (!ctx.stats) throw new HTTPError(404, '404 page not found');
  if (which === 'resource') {
    // A runtime that does not answer is resource_scrape_error 1, not a failed scrape.
    const snap = await ctx.stats.snapshot().catch((err: unknown) => {
      ctx.log(`resource metrics: ${(err as Error).message}`);
      return undefined;
    });
    return sendExposition(res, EXPOSITION_CONTENT_TYPE, resourceMetrics(snap));
  }
  sendExposition(res, EXPOSITION_CONTENT_TYPE, cadvisorMetrics(await ctx.stats.snapshot()));
};

export const getStats: Handler = async (ctx, req, res, seg) => {
  onlyGet(req);
  if (seg.length !== 1 || seg[0] !== 'summary' || !ctx.stats) throw new HTTPError(404, '404 page not found');
  const summary = summaryOf(ctx.stats.nodeName, await ctx.stats.snapshot());
  res.writeHead(200, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(summary, null, 2));
};
