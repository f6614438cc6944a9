// What every kubelet server route handler gets, and the small pieces they share:
// an error that carries its HTTP code, plain-text answers, query parameters, and
// CRI errors as the HTTP codes the kubelet maps them to.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { GrpcStatus, grpcCode, type CRIClient } from '../../cri/client.js';
import type { ContainerLocator } from './types.js';
import type { WebSocketAcceptor } from './websocket.js';
import type { KubeletMetrics } from '../metrics/metrics.js';
import type { StatsProvider } from '../stats/provider.js';

/** The server's view of the kubelet: the runtime, where pods' containers are, and the pods it runs. */
export interface ServerContext {
  cri: CRIClient;
  locator: ContainerLocator;
  /** The pods bound to this node, for /pods. */
  pods?: () => Promise<unknown[]> | unknown[];
  log: (msg: string) => void;
  websockets: WebSocketAcceptor;
  /** /metrics and /metrics/probes; 404 without. */
  metrics?: KubeletMetrics;
  /** /metrics/cadvisor, /metrics/resource and /stats/summary; 404 without. */
  stats?: StatsProvider;
}

/** A plain request: seg is the path below the route's first segment, decoded. */
export type Handler = (ctx: ServerContext, req: IncomingMessage, res: ServerResponse, seg: string[], q: URLSearchParams) => Promise<void>;

/** An upgrade request (exec, attach, port-forward): the handler owns the socket. */
export type UpgradeHandler = (ctx: ServerContext, req: IncomingMessage, socket: Duplex, head: Buffer, seg: string[], q: URLSearchParams) => Promise<void>;

export class HTTPError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

export function parseBool(v: string | null): boolean {
  return v === '1' || v === 'true';
}

/** Non-negative integer query parameter, or undefined when absent. */
export function intParam(q: URLSearchParams, name: string, min: number): number | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  if (!/^-?\d+$/.test(v) || Number(v) < min) throw new HTTPError(400, `invalid ${name} ${JSON.stringify(v)}: must be an integer >= ${min}`);
  return Number(v);
}

export function sendText(res: ServerResponse, code: number, text: string): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(code, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(text.endsWith('\n') ? text : `${text}\n`);
}

/** The HTTP code for a failed CRI call, as the kubelet maps runtime errors. */
export function criErrorCode(err: unknown): number {
  switch (grpcCode(err)) {
    case GrpcStatus.NOT_FOUND:
      return 404;
    case GrpcStatus.INVALID_ARGUMENT:
    case GrpcStatus.FAILED_PRECONDITION:
      return 400;
    case GrpcStatus.UNAVAILABLE:
      return 503;
    default:
      return 500;
  }
}

export function criMessage(err: unknown): string {
  const e = err as { details?: string; message?: string };
  return e.details || e.message || String(err);
}
