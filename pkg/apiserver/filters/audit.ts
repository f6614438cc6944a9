// The audit filter (k8s.io/apiserver's WithAudit and WithFailedAuthenticationAudit):
// after authentication, the policy decides the request's level; below None an
// audit.k8s.io/v1 Event is written at each stage the policy does not omit:
// RequestReceived at once, ResponseStarted when a long-running request (watch,
// logs, exec, proxy) starts its answer, then ResponseComplete, or Panic when it
// failed unexpectedly. A request that fails authentication gets one event, at
// ResponseStarted. Without a policy nothing is audited, as upstream.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { UserInfo } from '../../auth/user.js';
import type { RequestInfo } from '../requestinfo.js';
import { setRequestAudit, type RequestAudit } from '../audit/context.js';
import { PolicyRuleEvaluator, type PolicyAttributes } from '../audit/evaluator.js';
import { AuditEvent, type ObjectReference } from '../audit/event.js';
import type { LogBackend } from '../audit/log.js';
import type { Policy } from '../audit/policy.js';
import { sourceIPs } from '../audit/sourceips.js';

/** What the audit filter keeps of a request between receipt and authentication. */
export interface AuditRequest {
  auditID: string;
  receivedAt: number;
  info: RequestInfo;
  longRunning: boolean;
}

function objectRef(info: RequestInfo): ObjectReference | undefined {
  if (!info.isResourceRequest) return undefined;
  const ref: ObjectReference = {};
  if (info.resource) ref.resource = info.resource;
  if (info.namespace) ref.namespace = info.namespace;
  if (info.name) ref.name = info.name;
  if (info.apiGroup) ref.apiGroup = info.apiGroup;
  if (info.apiVersion) ref.apiVersion = info.apiVersion;
  if (info.subresource) ref.subresource = info.subresource;
  return ref;
}

function attributes(info: RequestInfo, user: UserInfo | undefined): PolicyAttributes {
  return {
    user,
    verb: info.verb,
    isResourceRequest: info.isResourceRequest,
    path: info.path,
    apiGroup: info.apiGroup,
    namespace: info.namespace,
    resource: info.resource,
    subresource: info.subresource,
    name: info.name,
  };
}

// A client may name its request (Audit-ID); a name too long for a log line is replaced.
const MAX_CLIENT_AUDIT_ID = 128;

export class AuditFilter {
  private readonly evaluator: PolicyRuleEvaluator;

  constructor(
    policy: Policy,
    private readonly backend: LogBackend,
  ) {
    this.evaluator = new PolicyRuleEvaluator(policy);
  }

  /** At receipt (upstream's WithAuditInit): the request's Audit-ID, answered on every response. */
  init(req: IncomingMessage, res: ServerResponse, info: RequestInfo, longRunning: boolean): AuditRequest {
    const sent = req.headers['audit-id'];
    const auditID = typeof sent === 'string' && sent && sent.length <= MAX_CLIENT_AUDIT_ID ? sent : randomUUID();
    res.setHeader('Audit-Id', auditID);
    return { auditID, receivedAt: Date.now(), info, longRunning };
  }

  private newEvent(req: IncomingMessage, a: AuditRequest, user: UserInfo | undefined): AuditEvent | undefined {
    const config = this.evaluator.evaluate(attributes(a.info, user));
    if (config.level === 'None') return undefined;
    return new AuditEvent(
      {
        auditID: a.auditID,
        requestURI: req.url ?? '/',
        verb: a.info.verb,
        user,
        sourceIPs: sourceIPs(req),
        userAgent: typeof req.headers['user-agent'] === 'string' ? req.headers['user-agent'] : undefined,
        objectRef: objectRef(a.info),
        receivedAt: a.receivedAt,
      },
      config,
    );
  }

  private process(ev: AuditEvent): void {
    const line = ev.line(Date.now());
    if (line !== undefined) this.backend.write(line);
  }

  /** A request that failed authentication: one event, at ResponseStarted, with the 401's status. */
  failedAuthentication(req: IncomingMessage, res: ServerResponse, a: AuditRequest): void {
    const ev = this.newEvent(req, a, undefined);
    if (!ev) return;
    ev.responseStatus = { metadata: {}, message: authenticationFailure(req) };
    setRequestAudit(req, res, { event: ev, hijacked: () => undefined, panicked: () => undefined });
    res.once('close', () => {
      ev.stage = 'ResponseStarted';
      ev.responseStatus = { ...(ev.responseStatus ?? { metadata: {} }), code: res.statusCode };
      this.process(ev);
    });
  }

  /** An authenticated request: its event (undefined at level None), RequestReceived written. */
  authenticated(req: IncomingMessage, res: ServerResponse, a: AuditRequest, user: UserInfo): AuditEvent | undefined {
    const ev = this.newEvent(req, a, user);
    if (!ev) return undefined;
    this.process(ev);
    let started = false;
    let panicked = false;
    const responseStarted = (code: number) => {
      if (started) return;
      started = true;
      ev.stage = 'ResponseStarted';
      ev.responseStatus = { ...(ev.responseStatus ?? { metadata: {} }), code };
      this.process(ev);
    };
    if (a.longRunning) {
      // Node writes every response's head through writeHead (res.write, end and flushHeaders too).
      const writeHead = res.writeHead;
      res.writeHead = function (this: ServerResponse, ...args: Parameters<ServerResponse['writeHead']>) {
        responseStarted(typeof args[0] === 'number' ? args[0] : res.statusCode);
        return writeHead.apply(this, args);
      } as ServerResponse['writeHead'];
    }
    const audit: RequestAudit = {
      event: ev,
      hijacked: () => responseStarted(101),
      panicked: (err) => {
        if (panicked) return;
        panicked = true;
        ev.stage = 'Panic';
        ev.responseStatus = {
          metadata: {},
          status: 'Failure',
          message: `APIServer panic'd: ${err instanceof Error ? err.message : String(err)}`,
          reason: 'InternalError',
          code: 500,
        };
        this.process(ev);
      },
    };
    setRequestAudit(req, res, audit);
    res.once('close', () => {
      if (panicked) return;
      // A request gone before any answer: upstream fakes a success ("Connection closed early").
      const answered = res.headersSent || started;
      if (a.longRunning && !started) {
        if (!answered) ev.responseStatus = { metadata: {}, status: 'Success', message: 'Connection closed early', code: 200 };
        responseStarted(answered ? res.statusCode : 200);
      }
      ev.stage = 'ResponseComplete';
      if (!answered) ev.responseStatus = { metadata: {}, status: 'Success', message: 'Connection closed early', code: 200 };
      else if (!a.longRunning || !started) ev.responseStatus = { ...(ev.responseStatus ?? { metadata: {} }), code: res.statusCode };
      this.process(ev);
    });
    return ev;
  }

  close(): Promise<void> {
    return this.backend.close();
  }
}

/** The message upstream's failed-authentication audit gives: which credentials were tried. */
function authenticationFailure(req: IncomingMessage): string {
  const methods: string[] = [];
  const auth = String(req.headers.authorization ?? '').trim();
  if (/^basic\s/i.test(auth)) methods.push('basic');
  const parts = auth.split(' ');
  if (parts.length > 1 && parts[0].toLowerCase() === 'bearer') methods.push('bearer');
  if (/[?&]access_token=[^&]/.test(req.url ?? '')) methods.push('access_token');
  const socket = req.socket as { getPeerCertificate?: () => { raw?: Buffer } };
  if (socket.getPeerCertificate?.()?.raw) methods.push('x509');
  return methods.length ? `Authentication failed, attempted: ${methods.join(', ')}` : 'Authentication failed, no credentials provided';
}
