// The authentication and authorization of a component's secure port (kube-controller-
// manager's and kube-scheduler's 10257 and 10259), delegated to the apiserver as
// k8s.io/apiserver's DelegatingAuthenticationOptions and DelegatingAuthorizationOptions
// do: a client certificate from the client CA, else a bearer token through TokenReview,
// else anonymous; then a SubjectAccessReview of the non-resource path and verb. Paths
// in alwaysAllowPaths (/healthz, /readyz, /livez, as upstream's default) take neither.
import type { IncomingMessage } from 'node:http';
import type { Client } from '../rest.js';
import { DelegatingAuthenticator, WebhookTokenAuthenticator, type AuthenticatedUser } from './authenticator.js';
import { SubjectAccessReviewAuthorizer } from './authorizer.js';
import { clientSubjectAccessReviewer, clientTokenReviewer, type SubjectAccessReviewSpec } from './reviews.js';

export type AuthCheck = { allowed: true } | { allowed: false; code: 401 | 403 | 500; body: string };

export interface DelegatedAuthOptions {
  /** The component's client: the reviews are created with its credentials. */
  client: Client;
  /** --client-ca-file was given: the server asks for client certificates signed by it. */
  clientCA?: boolean;
  /** Requests without credentials are system:anonymous (then authorised like anyone); default true, as upstream. */
  anonymous?: boolean;
  /** --authorization-always-allow-paths. */
  alwaysAllowPaths?: string[];
  log?: (msg: string) => void;
}

const DEFAULT_ALWAYS_ALLOW = ['/healthz', '/readyz', '/livez'];

function status(code: number, reason: string, message: string): string {
  return JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code });
}

function specFor(user: AuthenticatedUser, verb: string, path: string): SubjectAccessReviewSpec {
  const spec: SubjectAccessReviewSpec = { nonResourceAttributes: { path, verb }, user: user.name, groups: user.groups };
  if (user.uid) spec.uid = user.uid;
  if (user.extra?.size) {
    const extra = Object.create(null) as { [key: string]: string[] }; // keys came from a review
    for (const [k, v] of user.extra) extra[k] = v;
    spec.extra = extra;
  }
  return spec;
}

/** Whether path is one of the patterns ("/healthz", or "/prefix/*"). */
function matchesPath(path: string, patterns: string[]): boolean {
  return patterns.some((p) => (p.endsWith('*') ? path.startsWith(p.slice(0, -1)) : path === p));
}

export class DelegatedAuth {
  private readonly authenticator: DelegatingAuthenticator;
  private readonly authorizer: SubjectAccessReviewAuthorizer;
  private readonly alwaysAllow: string[];

  constructor(private readonly o: DelegatedAuthOptions) {
    const tokens = new WebhookTokenAuthenticator(clientTokenReviewer(o.client), { cacheTTLMs: 10_000 });
    this.authenticator = new DelegatingAuthenticator({ x509: !!o.clientCA, tokens, anonymous: o.anonymous ?? true });
    this.authorizer = new SubjectAccessReviewAuthorizer(clientSubjectAccessReviewer(o.client), { authorizedTTLMs: 10_000, unauthorizedTTLMs: 10_000 });
    this.alwaysAllow = o.alwaysAllowPaths ?? DEFAULT_ALWAYS_ALLOW;
  }

  async check(req: IncomingMessage, path: string): Promise<AuthCheck> {
    if (matchesPath(path, this.alwaysAllow)) return { allowed: true };
    const authn = await this.authenticator.authenticate(req);
    if ('error' in authn) {
      this.o.log?.(`unable to authenticate ${req.method} ${path}: ${authn.error}`);
      return { allowed: false, code: 401, body: status(401, 'Unauthorized', 'Unauthorized') };
    }
    const verb = (req.method ?? 'GET').toLowerCase();
    try {
      const d = await this.authorizer.authorize(specFor(authn.user, verb, path));
      if (d.decision === 'Allow') return { allowed: true };
      const why = d.reason ? `: ${d.reason}` : '';
      return { allowed: false, code: 403, body: status(403, 'Forbidden', `forbidden: User "${authn.user.name}" cannot ${verb} path "${path}"${why}`) };
    } catch (err) {
      this.o.log?.(`authorization error (user=${authn.user.name}, verb=${verb}, path=${path}): ${(err as Error).message}`);
      return { allowed: false, code: 500, body: status(500, 'InternalError', `Internal error occurred: ${(err as Error).message}`) };
    }
  }
}
