// Requests for resources (/api/v1/<...>, /apis/<group>/<version>/<...>) are the
// apiserver's hot path: every create, binding, get and watch. They skip express:
// its router walk, prototype swaps and body-parser cost about 90 µs a request on
// this path, as much as the HTTPS request itself. The handlers still see the small
// part of express's Request/Response they use (get, path, query, body, status,
// type, send); everything else (discovery, OpenAPI, health, nodes/proxy, upgrades)
// stays on express.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseQuery } from 'node:querystring';
import type { Request, Response } from 'express';

export interface ResourceRequestTarget {
  path: string;
  group: string;
  version: string;
  /** The path after the group version, starting with '/'. */
  rest: string;
}

const RESOURCE_PATH = /^\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))(\/[^/].*)$/;

/** Where a resource request goes; undefined for any other request (express serves it). */
export function resourceTarget(path: string): ResourceRequestTarget | undefined {
  const m = RESOURCE_PATH.exec(path);
  if (!m) return undefined;
  return m[1] ? { path, group: '', version: 'v1', rest: m[4] } : { path, group: m[2], version: m[3], rest: m[4] };
}

/** The path and query of a request URL (express's req.path and, with the 'simple' query parser, req.query). */
export function splitURL(url: string): { path: string; query: string } {
  const q = url.indexOf('?');
  return q < 0 ? { path: url, query: '' } : { path: url.slice(0, q), query: url.slice(q + 1) };
}

/**
 * Whether a request path has a '%' not followed by two hex digits. Go's URL parser refuses
 * such a request line before kube-apiserver sees it: the answer is a bare 400 (badRequest).
 */
export function hasMalformedEscape(path: string): boolean {
  return /%(?![0-9A-Fa-f]{2})/.test(path);
}

/** The answer Go's HTTP server gives a request it cannot parse. */
export function badRequest(res: ServerResponse): void {
  res.writeHead(400, { 'Content-Type': 'text/plain; charset=utf-8', Connection: 'close' });
  res.end('400 Bad Request');
}

/**
 * A path segment unescaped as Go's url.PathUnescape does it: every %XX is a byte, and the bytes
 * need not be UTF-8 (%c0%ae is a name, one no object has). The escapes are well-formed
 * (hasMalformedEscape is checked first).
 */
export function unescapeSegment(seg: string): string {
  if (!seg.includes('%')) return seg;
  return Buffer.from(
    seg.replace(/%([0-9A-Fa-f]{2})|[^%]+/g, (m, hex: string | undefined) =>
      hex ? String.fromCharCode(parseInt(hex, 16)) : Buffer.from(m, 'utf8').toString('latin1'),
    ),
    'latin1',
  ).toString('utf8');
}

/** Reads the whole body, at most limit bytes; undefined when it is larger (the rest is discarded). */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) {
      req.resume();
      resolve(undefined);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        chunks.length = 0;
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(size > limit ? undefined : chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size)));
    req.on('error', reject);
  });
}

// express's res.set adds a charset to text/* and JSON types that lack one (mime.charsets.lookup).
function withCharset(type: string): string {
  if (/;\s*charset\s*=/i.test(type)) return type;
  return /^text\/|^application\/(javascript|json)/.test(type.split(';')[0]) ? `${type}; charset=utf-8` : type;
}

/** Gives node's request and response the express methods the resource handlers use. */
export function asExpress(req: IncomingMessage, res: ServerResponse, path: string, query: string, body: Buffer): { req: Request; res: Response } {
  const r = req as unknown as Request;
  const s = res as unknown as Response;
  Object.assign(r, {
    body,
    path,
    originalUrl: req.url,
    query: query ? parseQuery(query) : {},
    get: (name: string) => {
      const key = name.toLowerCase();
      const v = req.headers[key === 'referrer' ? 'referer' : key];
      return Array.isArray(v) ? v.join(', ') : v;
    },
  });
  Object.assign(s, {
    status: (code: number) => {
      res.statusCode = code;
      return s;
    },
    type: (type: string) => {
      res.setHeader('Content-Type', withCharset(type));
      return s;
    },
    send: (data: string | Buffer) => {
      if (!res.hasHeader('Content-Type')) res.setHeader('Content-Type', typeof data === 'string' ? 'text/html; charset=utf-8' : 'application/octet-stream');
      res.setHeader('Content-Length', Buffer.byteLength(data));
      res.end(data);
      return s;
    },
  });
  return { req: r, res: s };
}
