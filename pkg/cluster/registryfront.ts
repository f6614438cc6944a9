// The front of the local image registry. docker-registry (CNCF distribution)
// listens on a unix socket only; this HTTP server is what containerd, the
// catalogue builder and `timonel images import` talk to. It adds the two things
// distribution cannot do itself:
//
// - Tags. A catalogue image answers for any tag a manifest names
//   (`nginx:1.26`, `mysql:8.0`), because every tag is the one Debian build
//   anyway. Pushing tags on demand is impossible at pull time (containerd asks
//   the mirror, nothing builds), and containerd's hosts.toml cannot rewrite a
//   tag, so the front does: a manifest GET/HEAD by tag that the registry
//   answers 404 for, in a catalogue repository, is answered with the
//   manifest of the catalogue's own tag (for readers; the users who write see
//   the registry as it is). A tag someone pushed (an import of a real
//   nginx:1.26) is found first and wins.
// - Who may write. Passwords are distribution's own htpasswd auth (bcrypt):
//   the front passes the client's Basic credentials through, the registry
//   checks them. The front adds per-repository policy htpasswd lacks: reads
//   need no credentials (the front reads as the `pull` user, so nodes in any
//   network namespace pull), writes need a user, `pull` never writes, and the
//   catalogue's own tags can only be written or deleted by `catalogue`.
//   `GET /v2/` without credentials is answered with the Basic challenge, so
//   docker sends its login when it pushes; pulls by name need none.
//   A second listener can require credentials for reads too (a private registry).
import { request, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';

export const CATALOGUE_USER = 'catalogue';
export const PULL_USER = 'pull';
export const PUSH_USER = 'push';

export interface Credentials {
  username: string;
  password: string;
}

/** One catalogue repository: the tag the build is pushed under first, and which other tags it answers for. */
export interface CatalogueRepository {
  canonicalTag: string;
  /** Tags the builder pushes; only `catalogue` may rewrite them. */
  tags: string[];
  answers(tag: string): boolean;
}

export interface RegistryFrontOptions {
  /** docker-registry's unix socket. */
  backendSocket: string;
  /** Repository path on the mirror (`library/nginx`) → its catalogue entry. */
  catalogue: Map<string, CatalogueRepository>;
  /** Used for reads without credentials; unset: reads need credentials too. */
  anonymousReadAs?: Credentials;
}

export function basicAuthorization(c: Credentials): string {
  return `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}`;
}

/** The user name of a Basic Authorization header (its password is the registry's to check), or undefined. */
export function basicUser(header: string | undefined): string | undefined {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!m) return undefined;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon > 0 ? decoded.slice(0, colon) : undefined;
}

export interface RegistryRoute {
  repository: string;
  kind: 'manifests' | 'blobs' | 'tags';
  /** Tag or digest (manifests), digest or `uploads/…` (blobs), `list` (tags). */
  rest: string;
}

/** `/v2/library/nginx/manifests/1.26` → its parts; undefined for `/v2/`, `/v2/_catalog` and anything else. */
export function parseRegistryPath(path: string): RegistryRoute | undefined {
  const m = /^\/v2\/(.+?)\/(manifests|blobs|tags)\/(.+)$/.exec(path.split('?')[0]);
  if (!m) return undefined;
  return { repository: m[1], kind: m[2] as RegistryRoute['kind'], rest: m[3] };
}

export type Verdict = { allow: true } | { allow: false; status: 401 | 403; code: string; message: string };

const READS = new Set(['GET', 'HEAD']);

/** The front's policy for one request; passwords are checked later by the registry itself. */
export function authorize(method: string, route: RegistryRoute | undefined, user: string | undefined, catalogue: Map<string, CatalogueRepository>): Verdict {
  if (READS.has(method)) return { allow: true };
  if (!user) return { allow: false, status: 401, code: 'UNAUTHORIZED', message: 'pushing to this registry needs credentials (timonel up writes them)' };
  if (user === PULL_USER) return { allow: false, status: 403, code: 'DENIED', message: `user ${PULL_USER} may only pull` };
  const entry = route && catalogue.get(route.repository);
  if (!entry || user === CATALOGUE_USER) return { allow: true };
  // Blobs are content-addressed: uploading one cannot change what a catalogue tag names.
  const catalogueTag = route.kind === 'manifests' && entry.tags.includes(route.rest);
  if (catalogueTag || method === 'DELETE')
    return {
      allow: false,
      status: 403,
      code: 'DENIED',
      message: `${route.repository}:${route.rest} belongs to the image catalogue; only its builder may change it`,
    };
  return { allow: true };
}

function isDigest(ref: string): boolean {
  return /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/.test(ref) && ref.includes(':');
}

/** The tag a manifest request falls back to, when the registry lacks the one asked for. */
export function fallbackTag(method: string, route: RegistryRoute | undefined, catalogue: Map<string, CatalogueRepository>): string | undefined {
  if (!READS.has(method) || !route || route.kind !== 'manifests' || isDigest(route.rest)) return undefined;
  const entry = catalogue.get(route.repository);
  if (!entry || route.rest === entry.canonicalTag || !entry.answers(route.rest)) return undefined;
  return entry.canonicalTag;
}

function registryError(res: ServerResponse, status: number, code: string, message: string, challenge: boolean): void {
  const body = JSON.stringify({ errors: [{ code, message, detail: null }] });
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    'Docker-Distribution-Api-Version': 'registry/2.0',
    ...(challenge ? { 'WWW-Authenticate': 'Basic realm="timonel registry"' } : {}),
  });
  res.end(body);
}

/** The request handler of one listener. */
export function registryFront(opts: RegistryFrontOptions): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    const route = parseRegistryPath(url);
    const headers: IncomingHttpHeaders = { ...req.headers };
    let user = basicUser(headers.authorization);
    if (headers.authorization && !user) return registryError(res, 401, 'UNAUTHORIZED', 'only Basic credentials are accepted', true);
    if (!headers.authorization && READS.has(method) && opts.anonymousReadAs) {
      headers.authorization = basicAuthorization(opts.anonymousReadAs);
      user = opts.anonymousReadAs.username;
    }
    // The version check (`GET /v2/`) without credentials gets the challenge, as registries that allow anonymous
    // pulls answer it: a client (docker) learns there that it should send its credentials when it writes.
    if (!req.headers.authorization && (url === '/v2/' || url === '/v2')) {
      req.resume();
      return registryError(res, 401, 'UNAUTHORIZED', 'authentication required', true);
    }
    const verdict = authorize(method, route, headers.authorization ? user : undefined, opts.catalogue);
    if (!verdict.allow) {
      req.resume();
      return registryError(res, verdict.status, verdict.code, verdict.message, verdict.status === 401);
    }
    const forward = (path: string, onResponse: (up: IncomingMessage) => void): void => {
      const up = request({ socketPath: opts.backendSocket, method, path, headers }, onResponse);
      up.on('error', (err) => {
        if (!res.headersSent) registryError(res, 502, 'UNAVAILABLE', `registry unreachable: ${err.message}`, false);
        else res.destroy(err);
      });
      if (READS.has(method)) up.end();
      else req.pipe(up);
    };
    const reply = (up: IncomingMessage): void => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    };
    // Writers see the registry as it is: the builder pushes every tag it lists, an import knows what it replaces.
    const fallback = user === CATALOGUE_USER || user === PUSH_USER ? undefined : fallbackTag(method, route, opts.catalogue);
    forward(url, (up) => {
      if (up.statusCode !== 404 || !fallback || !route) return reply(up);
      up.resume();
      const query = url.includes('?') ? url.slice(url.indexOf('?')) : '';
      forward(`/v2/${route.repository}/manifests/${fallback}${query}`, reply);
    });
  };
}
