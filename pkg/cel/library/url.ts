// The Kubernetes URL library (k8s.io/apiserver/pkg/cel/library/urls.go): url()
// parses an absolute URI or an absolute path (as Go's url.ParseRequestURI) and
// its accessors return the parts as Go's net/url does.
import type { Environment } from '@marcbachmann/cel-js';
import { evalError } from './errors.js';

export class CelURL {
  constructor(
    readonly scheme: string,
    /** host[:port] as written (an IPv6 address in brackets). */
    readonly host: string,
    readonly escapedPath: string,
    readonly rawQuery: string,
  ) {}

  hostname(): string {
    const h = this.host;
    if (h.startsWith('[')) {
      const end = h.indexOf(']');
      return end < 0 ? h.slice(1) : h.slice(1, end);
    }
    const colon = h.lastIndexOf(':');
    return colon < 0 ? h : h.slice(0, colon);
  }

  port(): string {
    const h = this.host;
    const from = h.startsWith('[') ? h.indexOf(']') + 1 : 0;
    const colon = h.indexOf(':', from);
    return colon < 0 ? '' : h.slice(colon + 1);
  }

  query(): Map<string, string[]> {
    const out = new Map<string, string[]>();
    if (this.rawQuery === '') return out;
    for (const part of this.rawQuery.split('&')) {
      if (part === '') continue;
      const eq = part.indexOf('=');
      const k = decode(eq < 0 ? part : part.slice(0, eq));
      const v = eq < 0 ? '' : decode(part.slice(eq + 1));
      if (k === undefined || v === undefined) continue;
      const list = out.get(k) ?? [];
      list.push(v);
      out.set(k, list);
    }
    return out;
  }
}

function decode(s: string): string | undefined {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}

const URI_RE = /^([A-Za-z][A-Za-z0-9+.-]*):(\/\/([^/?#]*))?([^?#]*)(?:\?([^#]*))?$/;

/** url.ParseRequestURI: an absolute URI, or an absolute path; no fragment. */
export function parseURL(s: string): CelURL | undefined {
  if (s === '' || /[\x00-\x20\x7f]/.test(s) || s.includes('#')) return undefined;
  if (s.startsWith('/')) {
    const q = s.indexOf('?');
    return new CelURL('', '', q < 0 ? s : s.slice(0, q), q < 0 ? '' : s.slice(q + 1));
  }
  const m = URI_RE.exec(s);
  if (!m) return undefined;
  const [, scheme, authority, host = '', path, query = ''] = m;
  if (authority === undefined && path !== '' && !path.startsWith('/')) return undefined; // opaque: mailto:x is refused by ParseRequestURI
  if (host.includes('@')) {
    const at = host.lastIndexOf('@');
    return new CelURL(scheme.toLowerCase(), host.slice(at + 1), path, query);
  }
  return new CelURL(scheme.toLowerCase(), host, path, query);
}

const T = 'kubernetes.URL';

export function registerURL(env: Environment): void {
  env
    .registerType(T, CelURL)
    .registerFunction(`url(string): ${T}`, (s: string) => {
      const u = parseURL(s);
      if (!u) throw evalError(`URL parse error during conversion from string: parse "${s}": invalid URI for request`);
      return u;
    })
    .registerFunction('isURL(string): bool', (s: string) => parseURL(s) !== undefined)
    .registerFunction(`${T}.getScheme(): string`, (u: CelURL) => u.scheme)
    .registerFunction(`${T}.getHost(): string`, (u: CelURL) => u.host)
    .registerFunction(`${T}.getHostname(): string`, (u: CelURL) => u.hostname())
    .registerFunction(`${T}.getPort(): string`, (u: CelURL) => u.port())
    .registerFunction(`${T}.getEscapedPath(): string`, (u: CelURL) => u.escapedPath)
    .registerFunction(`${T}.getQuery(): map<string, list<string>>`, (u: CelURL) => u.query());
}
