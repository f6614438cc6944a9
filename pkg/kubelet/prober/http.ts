// HTTP probes (pkg/probe/http): GET with the probe's headers, 200–399 is a
// success. Redirects are followed only while they stay on the same host (up to
// 10); a redirect elsewhere ends the probe as a success with a warning.
import http from 'node:http';
import https from 'node:https';
import { dialError, joinHostPort } from './tcp.js';
import type { ProbeOutcome } from './types.js';

/** The body is read up to 10 KiB (upstream's maxRespBodyLength). */
const MAX_BODY = 10 * 1024;
const MAX_REDIRECTS = 10;

export interface HTTPProbeParams {
  scheme?: string;
  host: string;
  port: number;
  path: string;
  headers: Array<{ name: string; value: string }>;
  timeoutS: number;
  userAgent: string;
}

/** formatURL: scheme://host:port + the path (which may carry a query). */
export function probeURL(scheme: string | undefined, host: string, port: number, path: string): URL {
  const s = (scheme || 'http').toLowerCase();
  const p = path.startsWith('/') ? path : `/${path}`;
  return new URL(`${s}://${joinHostPort(host, port)}${p}`);
}

/** newProbeRequest's headers: User-Agent and Accept: *\/* unless the probe sets them; an empty Accept removes it. */
export function probeHeaders(list: Array<{ name: string; value: string }>, userAgent: string): Record<string, string | string[]> {
  // Header names are the pod's ("__proto__" too): no prototype to collide with.
  const out = Object.create(null) as Record<string, string[]>;
  for (const h of list) {
    // Header names are canonicalised as Go's http.Header does (case-insensitive).
    const k = h.name.toLowerCase();
    (out[k] ??= []).push(h.value);
  }
  if (!out['user-agent']) out['user-agent'] = [userAgent];
  if (!out.accept) out.accept = ['*/*'];
  else if (out.accept[0] === '') delete out.accept;
  const flat = Object.create(null) as Record<string, string | string[]>;
  for (const [k, v] of Object.entries(out)) flat[k] = k === 'host' ? v[0] : v.length === 1 ? v[0] : v;
  return flat;
}

interface Response {
  status: number;
  location?: string;
  body: string;
}

function get(url: URL, headers: Record<string, string | string[]>, signal: AbortSignal): Promise<Response> {
  const mod = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.request(url, {
      method: 'GET',
      headers,
      signal,
      agent: false,
      // Probes check liveness, not identity: upstream skips certificate verification too.
      rejectUnauthorized: false,
    } as https.RequestOptions);
    // on, not once: a reset after the answer must not become an unhandled 'error'.
    req.on('error', reject);
    req.once('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const done = () => {
        res.destroy();
        resolve({ status: res.statusCode ?? 0, location: res.headers.location, body: Buffer.concat(chunks).subarray(0, MAX_BODY).toString('utf8') });
      };
      res.on('data', (c: Buffer) => {
        chunks.push(c);
        size += c.length;
        if (size >= MAX_BODY) done();
      });
      res.once('end', done);
      res.on('error', reject);
    });
    req.end();
  });
}

export async function httpProbe(p: HTTPProbeParams): Promise<ProbeOutcome> {
  const first = probeURL(p.scheme, p.host, p.port, p.path);
  if (first.protocol !== 'http:' && first.protocol !== 'https:') return { result: 'failure', output: '', error: `unsupported scheme ${p.scheme}` };
  let headers = probeHeaders(p.headers, p.userAgent);
  const ac = new AbortController();
  let timedOut = false;
  // Like http.Client.Timeout: one budget for the whole exchange, redirects included.
  const timer = setTimeout(() => {
    timedOut = true;
    ac.abort();
  }, p.timeoutS * 1000);
  let url = first;
  try {
    for (let redirects = 0; ; redirects++) {
      let res: Response;
      try {
        res = await get(url, headers, ac.signal);
      } catch (err) {
        const addr = joinHostPort(url.hostname.replace(/^\[|\]$/g, ''), Number(url.port) || (url.protocol === 'https:' ? 443 : 80));
        const why = timedOut ? 'context deadline exceeded (Client.Timeout exceeded while awaiting headers)' : dialError(addr, err as Error);
        return { result: 'failure', output: `Get "${url.href}": ${why}` };
      }
      if (res.status >= 300 && res.status < 400 && res.location) {
        const next = new URL(res.location, url);
        if (next.hostname !== first.hostname) {
          return { result: 'success', output: `Probe terminated redirects, Response body: ${res.body}`, warning: true };
        }
        if (redirects + 1 >= MAX_REDIRECTS) return { result: 'failure', output: `Get "${next.href}": stopped after ${MAX_REDIRECTS} redirects` };
        // A custom Host header survives only relative redirects (Go's net/http, issue 22233).
        if (headers.host !== undefined && /^[a-z][a-z0-9+.-]*:/i.test(res.location)) {
          const { host: _host, ...rest } = headers;
          headers = rest;
        }
        url = next;
        continue;
      }
      if (res.status >= 200 && res.status < 400) {
        if (res.status >= 300) return { result: 'success', output: `Probe terminated redirects, Response body: ${res.body}`, warning: true };
        return { result: 'success', output: res.body };
      }
      // Upstream keeps the response body out of the user-facing message (issue 99425).
      return { result: 'failure', output: `HTTP probe failed with statuscode: ${res.status}` };
    }
  } finally {
    clearTimeout(timer);
  }
}
