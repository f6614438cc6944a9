// Who did what (--audit-log-path): one audit.k8s.io/v1 Event per request at the
// Metadata level, written as a JSON line when the response is complete, with the
// fields upstream's log backend writes: user, impersonatedUser, verb, requestURI,
// objectRef, responseStatus.code, the authorization decision. There is no policy
// file: every request is logged.
import { randomUUID } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { UserInfo } from '../../auth/user.js';
import type { RequestInfo } from '../requestinfo.js';

interface AuditUser {
  username?: string;
  uid?: string;
  groups?: string[];
  extra?: Record<string, string[]>;
}

interface ObjectReference {
  resource?: string;
  namespace?: string;
  name?: string;
  apiGroup?: string;
  apiVersion?: string;
  subresource?: string;
}

/** What the filters learn about one request, written once it is answered. */
export interface AuditEvent {
  auditID: string;
  user?: UserInfo;
  impersonatedUser?: UserInfo;
  decision?: 'allow' | 'forbid';
  reason?: string;
}

function auditUser(u: UserInfo | undefined): AuditUser {
  if (!u) return {};
  const out: AuditUser = { username: u.name };
  if (u.uid) out.uid = u.uid;
  if (u.groups.length) out.groups = u.groups;
  if (u.extra?.size) {
    const extra = Object.create(null) as Record<string, string[]>; // keys are the client's
    for (const [k, v] of u.extra) extra[k] = v;
    out.extra = extra;
  }
  return out;
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

/** metav1.MicroTime: RFC 3339 with microseconds. */
function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/Z$/, '000Z');
}

export class AuditLog {
  private readonly out: WriteStream;

  constructor(path: string) {
    this.out = createWriteStream(path, { flags: 'a', mode: 0o600 });
  }

  /** Starts the event of a request; its line is written when the response is complete or the connection gone. */
  begin(req: IncomingMessage, res: ServerResponse, info: RequestInfo): AuditEvent {
    const event: AuditEvent = { auditID: randomUUID() };
    const received = Date.now();
    res.setHeader('Audit-Id', event.auditID);
    res.once('close', () => this.write(req, res, info, event, received));
    return event;
  }

  private write(req: IncomingMessage, res: ServerResponse, info: RequestInfo, event: AuditEvent, received: number): void {
    const line: Record<string, unknown> = {
      kind: 'Event',
      apiVersion: 'audit.k8s.io/v1',
      level: 'Metadata',
      auditID: event.auditID,
      stage: 'ResponseComplete',
      requestURI: req.url,
      verb: info.verb,
      user: auditUser(event.user),
    };
    if (event.impersonatedUser) line.impersonatedUser = auditUser(event.impersonatedUser);
    line.sourceIPs = req.socket.remoteAddress ? [req.socket.remoteAddress] : [];
    if (req.headers['user-agent']) line.userAgent = req.headers['user-agent'];
    const ref = objectRef(info);
    if (ref) line.objectRef = ref;
    line.responseStatus = { metadata: {}, code: res.statusCode };
    line.requestReceivedTimestamp = microTime(received);
    line.stageTimestamp = microTime(Date.now());
    if (event.decision) line.annotations = { 'authorization.k8s.io/decision': event.decision, 'authorization.k8s.io/reason': event.reason ?? '' };
    this.out.write(`${JSON.stringify(line)}\n`);
  }

  /** Flushes what is written and closes the file. */
  close(): Promise<void> {
    return new Promise((resolve) => this.out.end(resolve));
  }
}
