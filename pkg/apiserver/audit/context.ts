// A request's audit event, for the code after the audit filter: handlers record
// the request and response objects, admission adds annotations. Kept on the request
// and its response (sendObject sees only the response) under a symbol no client can
// name; a request that is not audited has none, and every call is then a no-op.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AuditEvent } from './event.js';

/** What the audit filter does for a request at the points only later code sees. */
export interface RequestAudit {
  readonly event: AuditEvent;
  /** The connection is taken over (exec, attach, port-forward): the response has started, as 101. */
  hijacked(): void;
  /** The request failed with an unexpected error (upstream: a panic): the Panic stage replaces ResponseComplete. */
  panicked(err: unknown): void;
}

const AUDIT = Symbol('timonel.audit');

interface WithAudit {
  [AUDIT]?: RequestAudit;
}

export function setRequestAudit(req: IncomingMessage, res: ServerResponse, audit: RequestAudit): void {
  (req as WithAudit)[AUDIT] = audit;
  (res as WithAudit)[AUDIT] = audit;
}

export function requestAudit(reqOrRes: object): RequestAudit | undefined {
  return (reqOrRes as WithAudit)[AUDIT];
}

/** The decoded body of a create, update or delete (its name; the requestObject at Request level and above). */
export function auditRequestObject(req: object, obj: unknown): void {
  requestAudit(req)?.event.logRequestObject(obj);
}

/** The decoded body of a patch. */
export function auditRequestPatch(req: object, patch: unknown): void {
  requestAudit(req)?.event.logRequestPatch(patch);
}

/** The object answered (a Status too). */
export function auditResponseObject(res: object, obj: unknown): void {
  requestAudit(res)?.event.logResponseObject(obj);
}

/** An answer already serialised as a JSON object. */
export function auditResponseJSON(res: object, text: string): void {
  requestAudit(res)?.event.logResponseJSON(text);
}

/** How admission adds an audit annotation (upstream's audit.AddAuditAnnotation); undefined when the request is not audited. */
export function auditAnnotator(req: object): ((key: string, value: string) => void) | undefined {
  const audit = requestAudit(req);
  return audit && ((key, value) => audit.event.addAnnotation(key, value));
}
