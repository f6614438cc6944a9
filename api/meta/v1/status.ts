// metav1.Status errors: every failure the apiserver reports is one of these, with
// the HTTP code and reason Kubernetes uses for the same situation.

export type StatusReason =
  | 'BadRequest'
  | 'Unauthorized'
  | 'Forbidden'
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Gone'
  | 'Expired'
  | 'Invalid'
  | 'ServerTimeout'
  | 'Timeout'
  | 'TooManyRequests'
  | 'MethodNotAllowed'
  | 'NotAcceptable'
  | 'RequestEntityTooLarge'
  | 'UnsupportedMediaType'
  | 'InternalError'
  | 'ServiceUnavailable'
  | '';

export interface StatusCause {
  /** e.g. FieldValueRequired, FieldValueInvalid, FieldValueNotSupported, FieldValueDuplicate, FieldValueForbidden, FieldValueTooLong */
  reason: string;
  message: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: StatusReason;
  details?: StatusDetails;
  code: number;
}

export class StatusError extends Error {
  constructor(
    readonly code: number,
    readonly reason: StatusReason,
    message: string,
    readonly details?: StatusDetails,
  ) {
    super(message);
    this.name = 'StatusError';
  }

  toStatus(): Status {
    const s: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: this.message, reason: this.reason, code: this.code };
    if (this.details) s.details = this.details;
    return s;
  }
}

/** Identifies an object in messages: `deployments.apps "web"`. */
export interface ResourceRef {
  group: string;
  resource: string;
  kind?: string;
  name?: string;
}

function qualified(ref: ResourceRef): string {
  return ref.group ? `${ref.resource}.${ref.group}` : ref.resource;
}

function refDetails(ref: ResourceRef): StatusDetails {
  const d: StatusDetails = { name: ref.name, group: ref.group || undefined, kind: ref.resource };
  return JSON.parse(JSON.stringify(d)) as StatusDetails;
}

export function newNotFound(ref: ResourceRef): StatusError {
  return new StatusError(404, 'NotFound', `${qualified(ref)} "${ref.name ?? ''}" not found`, refDetails(ref));
}

export function newAlreadyExists(ref: ResourceRef): StatusError {
  return new StatusError(409, 'AlreadyExists', `${qualified(ref)} "${ref.name ?? ''}" already exists`, refDetails(ref));
}

export function newConflict(ref: ResourceRef, why: string): StatusError {
  return new StatusError(409, 'Conflict', `Operation cannot be fulfilled on ${qualified(ref)} "${ref.name ?? ''}": ${why}`, refDetails(ref));
}

/** 422 with one cause per offending field, worded like Kubernetes' field errors. */
export function newInvalid(kind: string, group: string, name: string, causes: StatusCause[]): StatusError {
  const summary = causes.map((c) => (c.field ? `${c.field}: ${c.message}` : c.message));
  const what = group ? `${kind}.${group}` : kind;
  const message = `${what} "${name}" is invalid: ${summary.length === 1 ? summary[0] : `[${summary.join(', ')}]`}`;
  return new StatusError(422, 'Invalid', message, { name, group: group || undefined, kind, causes });
}

export function newBadRequest(message: string): StatusError {
  return new StatusError(400, 'BadRequest', message);
}

export function newGone(message: string): StatusError {
  return new StatusError(410, 'Expired', message);
}

export function newMethodNotSupported(resource: string, verb: string): StatusError {
  return new StatusError(405, 'MethodNotAllowed', `${verb} is not supported on resources of kind "${resource}"`);
}

export function newUnsupportedMediaType(contentType: string): StatusError {
  return new StatusError(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/apply-patch+yaml, application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json (got ${JSON.stringify(contentType)})`,
  );
}

export function newNotAcceptable(accept: string): StatusError {
  return new StatusError(
    406,
    'NotAcceptable',
    `only the following media types are accepted: application/json, application/yaml, application/json;as=Table;v=v1;g=meta.k8s.io (got ${JSON.stringify(accept)})`,
  );
}

export function newRequestEntityTooLarge(limitBytes: number): StatusError {
  return new StatusError(413, 'RequestEntityTooLarge', `the request body exceeds the limit of ${limitBytes} bytes`);
}

export function newForbidden(ref: ResourceRef, why: string): StatusError {
  return new StatusError(403, 'Forbidden', `${qualified(ref)} "${ref.name ?? ''}" is forbidden: ${why}`, refDetails(ref));
}

export function newInternalError(err: unknown): StatusError {
  const msg = err instanceof Error ? err.message : String(err);
  return new StatusError(500, 'InternalError', `Internal error occurred: ${msg}`);
}

export function newTimeout(message: string): StatusError {
  return new StatusError(504, 'Timeout', message);
}

/**
 * storage.NewTooLargeResourceVersionError: a resourceVersion ahead of what the store has seen is
 * 504 with a Retry-After (errors.NewTimeoutError), so clients try again once it has caught up.
 */
export function newTooLargeResourceVersion(requested: number, current: number, retryAfterSeconds = 1): StatusError {
  return new StatusError(504, 'Timeout', `Timeout: Too large resource version: ${requested}, current: ${current}`, {
    causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }],
    retryAfterSeconds,
  });
}

export function toStatusError(err: unknown): StatusError {
  return err instanceof StatusError ? err : newInternalError(err);
}

/** True for StatusErrors (or watch ERROR Statuses) with that code. */
export function isStatus(err: unknown, code: number): boolean {
  return err instanceof StatusError && err.code === code;
}
