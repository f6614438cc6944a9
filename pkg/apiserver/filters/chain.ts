// The filters every request passes before it is served, whichever way it is then
// routed (the fast path for resource requests, express, upgrade requests), in
// kube-apiserver's order: request info, authentication (401), audit (audit.ts),
// impersonation, authorization (403). The user a request acts as is then set for
// the handlers (context.ts).
//
// A request whose credentials and authorizer answer synchronously (static tokens,
// client certificates, anonymous; an authorizer without I/O) goes on in the same
// turn: the fast path stays as cheap as it was.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Response } from 'express';
import { StatusError } from '../../../api/meta/v1/status.js';
import type { Authorizer, AuthorizerResult } from '../../auth/authorizer.js';
import type { UserInfo } from '../../auth/user.js';
import type { RequestAuthenticator } from '../authentication/authenticator.js';
import type { AuthenticationResult } from '../authentication/result.js';
import { attributesOf, newRequestInfo, type RequestInfo } from '../requestinfo.js';
import { splitURL } from '../resourcerequest.js';
import { sendError } from '../responses.js';
import type { AuditEvent } from '../audit/event.js';
import { isLongRunning } from '../maxinflight.js';
import type { AuditFilter, AuditRequest } from './audit.js';
import { authorize, forbiddenError } from './authorization.js';
import { setRequestUser } from './context.js';
import { ImpersonationError, impersonate, impersonationErrorText, wantsImpersonation } from './impersonation.js';

export interface FilterOptions {
  authenticator: RequestAuthenticator;
  authorizer: Authorizer;
  audit?: AuditFilter;
  /** Sees every request first, with what it asks for (the request metrics). */
  monitor?: (req: IncomingMessage, res: ServerResponse, info: RequestInfo, query: string, longRunning: boolean) => void;
  log: (msg: string) => void;
}

// NewUnauthorized("Unauthorized"): the body says nothing about why.
const UNAUTHORIZED = new StatusError(401, 'Unauthorized', 'Unauthorized');

function answer(req: IncomingMessage, res: ServerResponse, err: unknown, log?: (msg: string) => void): void {
  // The body, if any, is not read: let it drain so the connection stays usable.
  req.resume();
  sendError(res as unknown as Response, err, log);
}

export class RequestFilters {
  constructor(private readonly opts: FilterOptions) {}

  /** Calls next once the request may be served; otherwise answers it (401, 403, 500). */
  handle(req: IncomingMessage, res: ServerResponse, next: () => void): void {
    const { path, query } = splitURL(req.url ?? '/');
    const info = newRequestInfo(req.method ?? 'GET', path, query);
    const longRunning = this.opts.audit || this.opts.monitor ? isLongRunning(path, query) : false;
    this.opts.monitor?.(req, res, info, query, longRunning);
    const audit = this.opts.audit?.init(req, res, info, longRunning);
    let authn: AuthenticationResult | Promise<AuthenticationResult>;
    try {
      authn = this.opts.authenticator.authenticate(req);
    } catch (err) {
      authn = Promise.reject(err);
    }
    if (authn instanceof Promise) {
      authn.then(
        (r) => this.authenticated(req, res, info, audit, r, next),
        (err: unknown) => answer(req, res, err, this.opts.log),
      );
    } else this.authenticated(req, res, info, audit, authn, next);
  }

  private authenticated(
    req: IncomingMessage,
    res: ServerResponse,
    info: RequestInfo,
    audit: AuditRequest | undefined,
    r: AuthenticationResult,
    next: () => void,
  ): void {
    if ('error' in r) {
      this.opts.log(`unable to authenticate ${req.method} ${req.url}: ${r.error}`);
      if (audit) this.opts.audit?.failedAuthentication(req, res, audit);
      return answer(req, res, UNAUTHORIZED);
    }
    const event = audit && this.opts.audit?.authenticated(req, res, audit, r.user);
    // The credentials go no further (a proxied request must not carry them).
    req.headers.authorization = undefined;
    if (!wantsImpersonation(req)) return this.authorizeAs(req, res, info, event, r.user, next);
    impersonate(req, r.user, this.opts.authorizer).then(
      (u) => {
        if (u instanceof StatusError) return answer(req, res, u);
        if (event) event.impersonatedUser = u;
        this.authorizeAs(req, res, info, event, u, next);
      },
      (err: unknown) => {
        if (!(err instanceof ImpersonationError)) return answer(req, res, err, this.opts.log);
        req.resume();
        res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' });
        res.end(impersonationErrorText(req.url ?? '/', err));
      },
    );
  }

  private authorizeAs(req: IncomingMessage, res: ServerResponse, info: RequestInfo, event: AuditEvent | undefined, user: UserInfo, next: () => void): void {
    setRequestUser(req, user);
    const attrs = attributesOf(info, user);
    const decided = (d: AuthorizerResult) => {
      event?.addAnnotation('authorization.k8s.io/decision', d.decision === 'Allow' ? 'allow' : 'forbid');
      event?.addAnnotation('authorization.k8s.io/reason', d.reason);
      if (d.decision === 'Allow') return next();
      answer(req, res, forbiddenError(attrs, d.reason));
    };
    const d = authorize(this.opts.authorizer, attrs);
    if (d instanceof Promise) d.then(decided, (err: unknown) => answer(req, res, err, this.opts.log));
    else decided(d);
  }
}
