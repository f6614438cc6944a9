// kube-apiserver's overload protection for requests that end soon:
//   - --max-requests-inflight / --max-mutating-requests-inflight (WithMaxInFlightLimit):
//     past the limit a request is answered 429 with Retry-After at once, not queued;
//   - --request-timeout (WithTimeoutForNonLongRunningRequests): a request still unanswered
//     after it is answered 504, and whatever its handler writes later is dropped.
// Long-running requests (watches, logs, exec, attach, port-forward, proxy) take neither.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { queryBool } from '../util/queryparams.js';

const LONG_RUNNING_SUBRESOURCES = new Set(['log', 'exec', 'attach', 'portforward', 'proxy']);

/** Whether the request is long-running, as kube-apiserver's BasicLongRunningRequestCheck finds it. */
export function isLongRunning(path: string, query: string): boolean {
  const segs = path.split('/');
  if (segs.includes('watch') && /^\/(api|apis)\//.test(path)) return true;
  if (/(^|&)watch(=|&|$)/.test(query) && queryBool(new URLSearchParams(query).get('watch'))) return true;
  const last = segs[segs.length - 1];
  if (LONG_RUNNING_SUBRESOURCES.has(last) || segs.includes('proxy')) return true;
  return false;
}

/** Verbs that only read (get, list, watch): the rest count against the mutating limit. */
export function isMutating(method: string | undefined): boolean {
  return method !== 'GET';
}

export class MaxInFlight {
  private readonly inFlight = { readOnly: 0, mutating: 0 };

  /** limit 0 = unlimited, as kube-apiserver's flags. */
  constructor(
    private readonly readOnlyLimit: number,
    private readonly mutatingLimit: number,
  ) {}

  /** Takes a seat; undefined when the request's kind is at its limit. The release is idempotent. */
  acquire(mutating: boolean): (() => void) | undefined {
    const kind = mutating ? 'mutating' : 'readOnly';
    const limit = mutating ? this.mutatingLimit : this.readOnlyLimit;
    if (limit > 0 && this.inFlight[kind] >= limit) return undefined;
    this.inFlight[kind]++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.inFlight[kind]--;
    };
  }

  get current(): { readOnly: number; mutating: number } {
    return { ...this.inFlight };
  }
}

/** maxinflight.go's tooManyRequests: plain text through http.Error, Retry-After 1. */
export function tooManyRequests(res: ServerResponse): void {
  res.writeHead(429, { 'Retry-After': '1', 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' });
  res.end('Too many requests, please try again later.\n');
}

/**
 * After ms, runs onTimeout (which answers the request) unless the response has ended; from
 * then on the handler's own writes go nowhere, as Go's timeoutWriter drops them.
 */
export function withRequestTimeout(req: IncomingMessage, res: ServerResponse, ms: number, onTimeout: () => void): void {
  if (ms <= 0) return;
  const timer = setTimeout(() => {
    if (res.writableEnded || res.headersSent) return;
    // A body still arriving is not waited for: the connection ends with the answer.
    const unread = !req.complete;
    if (unread) res.setHeader('Connection', 'close');
    onTimeout();
    if (unread) res.once('finish', () => req.socket.destroy());
    const noop = function (this: ServerResponse): ServerResponse {
      return this;
    };
    // The handler still runs; nothing it writes may reach the client.
    Object.assign(res, { setHeader: noop, writeHead: noop, write: () => true, end: noop, removeHeader: () => undefined });
    req.resume();
  }, ms);
  res.once('close', () => clearTimeout(timer));
}
