// One request's audit.k8s.io/v1 Event while it is served: what the filters and
// handlers learn is recorded here, and each stage is written as a full Event line.
// Request and response bodies are kept only when the level needs them: at
// Metadata a request object is only looked at for its name, and a response only
// for its Status; nothing is copied or serialised on that path.
import { userInfoOf, type ReviewUserInfo, type UserInfo } from '../../auth/user.js';
import { levelAtLeast, type RequestAuditConfig } from './evaluator.js';
import type { Level, Stage } from './policy.js';

type AuditUser = ReviewUserInfo | Record<string, never>;

/** audit.k8s.io/v1 ObjectReference, in upstream's field order. */
export interface ObjectReference {
  resource?: string;
  namespace?: string;
  name?: string;
  uid?: string;
  apiGroup?: string;
  apiVersion?: string;
  resourceVersion?: string;
  subresource?: string;
}

/** The metav1.Status of responseStatus: code always, the rest for a Status answer. */
export interface ResponseStatus {
  metadata: Record<string, never>;
  status?: string;
  message?: string;
  reason?: string;
  details?: unknown;
  code?: number;
}

/** What the event was made from (the filters' request info). */
export interface EventRequest {
  auditID: string;
  requestURI: string;
  verb: string;
  user?: UserInfo;
  sourceIPs: string[];
  userAgent?: string;
  objectRef?: ObjectReference;
  receivedAt: number;
}

const MAX_USER_AGENT = 1024;

/** The user as events carry it; an empty object for a request nobody was authenticated for. */
function auditUser(u: UserInfo | undefined): AuditUser {
  return u ? userInfoOf(u) : {};
}

/** metav1.MicroTime: RFC 3339 with microseconds. */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/Z$/, '000Z');
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !Buffer.isBuffer(v);
}

/** The object without metadata.managedFields, as a shallow copy (the object itself is shared). */
function withoutManagedFields(obj: Record<string, unknown>): Record<string, unknown> {
  const meta = obj.metadata;
  if (!isPlainObject(meta) || meta.managedFields === undefined) return obj;
  return { ...obj, metadata: { ...meta, managedFields: undefined } };
}

/** A response without managedFields anywhere upstream drops them: the object, a list's items, a Table's rows. */
function responseWithoutManagedFields(obj: Record<string, unknown>): Record<string, unknown> {
  let out = withoutManagedFields(obj);
  if (Array.isArray(out.items)) out = { ...out, items: out.items.map((i: unknown) => (isPlainObject(i) ? withoutManagedFields(i) : i)) };
  if (obj.kind === 'Table' && Array.isArray(out.rows)) {
    out = {
      ...out,
      rows: out.rows.map((r: unknown) => (isPlainObject(r) && isPlainObject(r.object) ? { ...r, object: withoutManagedFields(r.object) } : r)),
    };
  }
  return out;
}

export class AuditEvent {
  readonly level: Level;
  readonly omitStages: readonly Stage[];
  readonly omitManagedFields: boolean;
  readonly auditID: string;
  stage: Stage = 'RequestReceived';
  impersonatedUser?: UserInfo;
  responseStatus?: ResponseStatus;
  /** audit annotations (authorization.k8s.io/decision, pod-security.kubernetes.io/…); keys are the writers'. */
  readonly annotations = new Map<string, string>();
  private readonly userAgent?: string;
  private readonly user: AuditUser;
  private requestObject?: string;
  private responseObject?: string;

  constructor(
    private readonly req: EventRequest,
    config: RequestAuditConfig,
  ) {
    this.level = config.level;
    this.omitStages = config.omitStages;
    this.omitManagedFields = config.omitManagedFields;
    this.auditID = req.auditID;
    this.user = auditUser(req.user);
    const ua = req.userAgent;
    if (ua) this.userAgent = ua.length > MAX_USER_AGENT ? `${ua.slice(0, MAX_USER_AGENT)}...TRUNCATED` : ua;
  }

  /** upstream's AddAuditAnnotation: the first value of a key stays. */
  addAnnotation(key: string, value: string): void {
    if (!this.annotations.has(key)) this.annotations.set(key, value);
  }

  /**
   * The decoded request object (LogRequestObject): it names the object when the path
   * does not (a create), and at Request level and above it is the event's requestObject.
   * Serialised now: the handlers go on to change it.
   */
  logRequestObject(obj: unknown): void {
    if (!isPlainObject(obj)) return;
    const ref = this.req.objectRef;
    const meta = obj.metadata;
    if (ref && isPlainObject(meta)) {
      if (!ref.namespace && typeof meta.namespace === 'string' && meta.namespace) ref.namespace = meta.namespace;
      if (!ref.name && typeof meta.name === 'string' && meta.name) ref.name = meta.name;
      if (!ref.uid && typeof meta.uid === 'string' && meta.uid) ref.uid = meta.uid;
      if (!ref.resourceVersion && typeof meta.resourceVersion === 'string' && meta.resourceVersion) ref.resourceVersion = meta.resourceVersion;
    }
    if (!levelAtLeast(this.level, 'Request')) return;
    this.requestObject = JSON.stringify(this.omitManagedFields ? withoutManagedFields(obj) : obj);
  }

  /** A patch as sent (LogRequestPatch): the requestObject at Request level and above, when it is a JSON object. */
  logRequestPatch(patch: unknown): void {
    if (isPlainObject(patch) && levelAtLeast(this.level, 'Request')) this.requestObject = JSON.stringify(patch);
  }

  /** The object answered (LogResponseObject): a Status becomes responseStatus; at RequestResponse it is the responseObject. */
  logResponseObject(obj: unknown): void {
    if (!isPlainObject(obj)) return;
    if (obj.kind === 'Status' && obj.apiVersion === 'v1') this.logStatus(obj);
    if (this.level !== 'RequestResponse') return;
    this.responseObject = JSON.stringify(this.omitManagedFields ? responseWithoutManagedFields(obj) : obj);
  }

  /** A response already serialised (a list written from cached JSON); only kept at RequestResponse. */
  logResponseJSON(text: string): void {
    if (this.level !== 'RequestResponse') return;
    this.responseObject = this.omitManagedFields ? JSON.stringify(responseWithoutManagedFields(JSON.parse(text) as Record<string, unknown>)) : text;
  }

  private logStatus(s: Record<string, unknown>): void {
    const status: ResponseStatus = { metadata: {} };
    if (typeof s.status === 'string' && s.status) status.status = s.status;
    if (typeof s.message === 'string' && s.message) status.message = s.message;
    if (typeof s.reason === 'string' && s.reason) status.reason = s.reason;
    if (s.details !== undefined) status.details = s.details;
    if (typeof s.code === 'number') status.code = s.code;
    this.responseStatus = status;
  }

  /** The event at its current stage as one JSON line, or undefined when the policy omits the stage. */
  line(now: number): string | undefined {
    if (this.omitStages.includes(this.stage)) return undefined;
    const r = this.req;
    const head: Record<string, unknown> = {
      kind: 'Event',
      apiVersion: 'audit.k8s.io/v1',
      level: this.level,
      auditID: this.auditID,
      stage: this.stage,
      requestURI: r.requestURI,
      verb: r.verb,
      user: this.user,
    };
    if (this.impersonatedUser) head.impersonatedUser = auditUser(this.impersonatedUser);
    if (r.sourceIPs.length) head.sourceIPs = r.sourceIPs;
    if (this.userAgent) head.userAgent = this.userAgent;
    if (r.objectRef) head.objectRef = r.objectRef;
    if (this.responseStatus && this.stage !== 'RequestReceived') head.responseStatus = this.responseStatus;
    let text = JSON.stringify(head).slice(0, -1);
    // The objects are kept as JSON text and spliced in, not parsed again.
    if (this.requestObject !== undefined && this.stage !== 'RequestReceived') text += `,"requestObject":${this.requestObject}`;
    if (this.responseObject !== undefined && this.stage === 'ResponseComplete') text += `,"responseObject":${this.responseObject}`;
    const tail: Record<string, unknown> = {
      requestReceivedTimestamp: microTime(r.receivedAt),
      stageTimestamp: microTime(this.stage === 'RequestReceived' ? r.receivedAt : now),
    };
    if (this.annotations.size) {
      const annotations = Object.create(null) as Record<string, string>; // keys are the writers'
      for (const [k, v] of this.annotations) annotations[k] = v;
      tail.annotations = annotations;
    }
    return `${text},${JSON.stringify(tail).slice(1)}`;
  }
}
