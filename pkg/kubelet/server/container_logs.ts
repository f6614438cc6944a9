// /containerLogs/{namespace}/{pod}/{container}: the node end of `kubectl logs`,
// streamed from the container's CRI log file (logs.ts) with the kubelet's query
// parameters (follow, previous, timestamps, tailLines, limitBytes, since*, stream).
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { HTTPError, intParam, parseBool, type Handler } from './handler.js';
import { streamContainerLog, type ContainerLogOptions } from './logs.js';
import { isLocateError } from './types.js';

export function logOptionsFromQuery(q: URLSearchParams, now = Date.now()): ContainerLogOptions & { previous: boolean } {
  // "tail" is the kubelet's older name for tailLines; "all" means no tail.
  const tail = q.get('tail');
  if (tail !== null && !q.has('tailLines') && tail !== 'all') q.set('tailLines', tail);
  const sinceSeconds = intParam(q, 'sinceSeconds', 1);
  const sinceTime = q.get('sinceTime');
  if (sinceSeconds !== undefined && sinceTime) throw new HTTPError(400, 'at most one of `sinceTime` or `sinceSeconds` may be specified');
  let sinceMs: number | undefined;
  if (sinceSeconds !== undefined) sinceMs = now - sinceSeconds * 1000;
  if (sinceTime) {
    sinceMs = Date.parse(sinceTime);
    if (Number.isNaN(sinceMs)) throw new HTTPError(400, `invalid sinceTime ${JSON.stringify(sinceTime)}: must be RFC 3339`);
  }
  const stream = q.get('stream') ?? undefined;
  if (stream !== undefined && !['All', 'Stdout', 'Stderr'].includes(stream))
    throw new HTTPError(400, `invalid stream ${JSON.stringify(stream)}: must be All, Stdout or Stderr`);
  return {
    follow: parseBool(q.get('follow')),
    previous: parseBool(q.get('previous')),
    timestamps: parseBool(q.get('timestamps')),
    tailLines: intParam(q, 'tailLines', 0),
    limitBytes: intParam(q, 'limitBytes', 1),
    sinceMs,
    stream: stream as ContainerLogOptions['stream'],
  };
}

export const getContainerLogs: Handler = async (ctx, _req, res, seg, q) => {
  const [ns, pod, container] = seg;
  if (!ns || !pod || !container) throw new HTTPError(400, 'path must be /containerLogs/{namespace}/{pod}/{container}');
  const o = logOptionsFromQuery(q);
  const found = await ctx.locator.find(ns, pod, container);
  if (isLocateError(found)) throw new HTTPError(found.code, found.error);
  let path = found.logPath;
  if (o.previous) {
    if (!found.previousLogPath) throw new HTTPError(400, `previous terminated container "${container}" in pod "${pod}" not found`);
    path = found.previousLogPath;
  }
  const abort = new AbortController();
  res.on('close', () => abort.abort());
  const stillRunning = async () => {
    if (o.previous) return false;
    try {
      const { status } = await ctx.cri.runtime.containerStatus({ containerId: found.containerId });
      return status?.state === 'CONTAINER_RUNNING';
    } catch {
      return false;
    }
  };
  try {
    await access(path, constants.R_OK);
  } catch {
    throw new HTTPError(400, `failed to open log file "${path}" of container "${container}" in pod "${pod}": no such file`);
  }
  res.writeHead(200, { 'Content-Type': 'text/plain', 'Transfer-Encoding': 'chunked' });
  // Followers of a quiet container must see the answer start before the first line.
  res.flushHeaders();
  try {
    await streamContainerLog(path, o, res, { signal: abort.signal, stillRunning: o.follow ? stillRunning : undefined });
  } catch (err) {
    // The status line is out; all that is left is to end the body.
    ctx.log(`containerLogs ${ns}/${pod}/${container}: ${(err as Error).message}`);
  }
  res.end();
};
