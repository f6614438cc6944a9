// Acting as someone else: k8s.io/apiserver's WithImpersonation. The headers
// Impersonate-User, Impersonate-Group (repeatable), Impersonate-Uid and
// Impersonate-Extra-<key> each need the requestor to be allowed the verb
// `impersonate` on what they name: users, groups or serviceaccounts in the core
// group, uids and userextras/<key> in authentication.k8s.io. The request then
// goes on as the impersonated user.
import type { IncomingMessage } from 'node:http';
import type { Attributes, Authorizer } from '../../auth/authorizer.js';
import { ALL_AUTHENTICATED, ALL_UNAUTHENTICATED, ANONYMOUS_USER, type UserInfo } from '../../auth/user.js';
import { goQuote } from '../../util/goquote.js';
import { makeGroupNames, makeUsername, splitUsername } from '../../util/serviceaccount/username.js';
import { forbiddenError } from './authorization.js';
import type { StatusError } from '../../../api/meta/v1/status.js';

const USER_HEADER = 'impersonate-user';
const GROUP_HEADER = 'impersonate-group';
const UID_HEADER = 'impersonate-uid';
const EXTRA_PREFIX = 'impersonate-extra-';
const AUTHENTICATION_GROUP = 'authentication.k8s.io';

/** One thing to impersonate (upstream keeps these as ObjectReferences). */
interface ImpersonationRequest {
  kind: 'User' | 'ServiceAccount' | 'Group' | 'UserExtra' | 'UID';
  namespace: string;
  name: string;
  apiVersion: string;
  /** The extra key, for UserExtra. */
  fieldPath: string;
}

/** Go's %v of the ObjectReference, for the message upstream gives a malformed request. */
function describe(r: ImpersonationRequest): string {
  return `{${r.kind} ${r.namespace} ${r.name}  ${r.apiVersion}  ${r.fieldPath}}`;
}

/** url.PathUnescape, the raw key when malformed. */
function unescapeExtraKey(key: string): string {
  try {
    return decodeURIComponent(key);
  } catch {
    return key;
  }
}

/** Whether a request asks to impersonate anyone: the common case costs a few header lookups. */
export function wantsImpersonation(req: IncomingMessage): boolean {
  const h = req.headers;
  if (h[USER_HEADER] !== undefined || h[GROUP_HEADER] !== undefined || h[UID_HEADER] !== undefined) return true;
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i];
    // Most headers are told apart by length and first letter without lower-casing them.
    if (name.length > EXTRA_PREFIX.length && (name.charCodeAt(0) | 0x20) === 0x69 && name.toLowerCase().startsWith(EXTRA_PREFIX)) return true;
  }
  return false;
}

export class ImpersonationError extends Error {}

/** The impersonation requests of the headers; throws ImpersonationError for groups, extras or a uid without a user. */
export function impersonationRequests(req: IncomingMessage): ImpersonationRequest[] {
  const out: ImpersonationRequest[] = [];
  const headers = req.headersDistinct;
  const requestedUser = headers[USER_HEADER]?.[0] ?? '';
  if (requestedUser !== '') {
    const sa = splitUsername(requestedUser);
    if (sa) out.push({ kind: 'ServiceAccount', namespace: sa.namespace, name: sa.name, apiVersion: '', fieldPath: '' });
    else out.push({ kind: 'User', namespace: '', name: requestedUser, apiVersion: '', fieldPath: '' });
  }
  let others = false;
  for (const group of headers[GROUP_HEADER] ?? []) {
    others = true;
    out.push({ kind: 'Group', namespace: '', name: group, apiVersion: '', fieldPath: '' });
  }
  for (const [header, values] of Object.entries(headers)) {
    if (!header.startsWith(EXTRA_PREFIX) || !values) continue;
    others = true;
    const key = unescapeExtraKey(header.slice(EXTRA_PREFIX.length));
    for (const value of values) out.push({ kind: 'UserExtra', namespace: '', name: value, apiVersion: `${AUTHENTICATION_GROUP}/v1`, fieldPath: key });
  }
  const uid = headers[UID_HEADER]?.[0] ?? '';
  if (uid !== '') {
    others = true;
    out.push({ kind: 'UID', namespace: '', name: uid, apiVersion: `${AUTHENTICATION_GROUP}/v1`, fieldPath: '' });
  }
  if (others && requestedUser === '') throw new ImpersonationError(`requested [${out.map(describe).join(' ')}] without impersonating a user`);
  return out;
}

function attributesFor(requestor: UserInfo, r: ImpersonationRequest): Attributes {
  const base = { user: requestor, verb: 'impersonate', isResourceRequest: true, path: '', namespace: r.namespace, name: r.name, subresource: '' };
  switch (r.kind) {
    case 'ServiceAccount':
      return { ...base, apiGroup: '', apiVersion: 'v1', resource: 'serviceaccounts' };
    case 'User':
      return { ...base, apiGroup: '', apiVersion: 'v1', resource: 'users' };
    case 'Group':
      return { ...base, apiGroup: '', apiVersion: 'v1', resource: 'groups' };
    case 'UserExtra':
      return { ...base, apiGroup: AUTHENTICATION_GROUP, apiVersion: 'v1', resource: 'userextras', subresource: r.fieldPath };
    case 'UID':
      return { ...base, apiGroup: AUTHENTICATION_GROUP, apiVersion: 'v1', resource: 'uids' };
  }
}

/**
 * The user a request impersonates, once each request is allowed; a StatusError (403) for the
 * first that is not. The impersonation headers are removed from the request.
 */
export async function impersonate(req: IncomingMessage, requestor: UserInfo, authorizer: Authorizer): Promise<UserInfo | StatusError> {
  const requests = impersonationRequests(req);
  const groupsSpecified = (req.headersDistinct[GROUP_HEADER]?.length ?? 0) > 0;
  let name = '';
  let uid = '';
  let groups: string[] = [];
  const extra = new Map<string, string[]>(); // keys are the client's
  for (const r of requests) {
    const attrs = attributesFor(requestor, r);
    switch (r.kind) {
      case 'ServiceAccount':
        name = makeUsername(r.namespace, r.name);
        // A service account's groups follow from its name unless the request names them.
        if (!groupsSpecified) groups = makeGroupNames(r.namespace);
        break;
      case 'User':
        name = r.name;
        break;
      case 'Group':
        groups.push(r.name);
        break;
      case 'UserExtra':
        extra.set(r.fieldPath, [...(extra.get(r.fieldPath) ?? []), r.name]);
        break;
      case 'UID':
        uid = r.name;
        break;
    }
    const { decision, reason } = await authorizer.authorize(attrs);
    if (decision !== 'Allow') return forbiddenError(attrs, reason);
  }
  if (name !== ANONYMOUS_USER) {
    if (!groups.some((g) => g === ALL_AUTHENTICATED || g === ALL_UNAUTHENTICATED)) groups.push(ALL_AUTHENTICATED);
  } else if (!groups.includes(ALL_UNAUTHENTICATED)) groups.push(ALL_UNAUTHENTICATED);
  for (const header of Object.keys(req.headers)) if (header.startsWith('impersonate-')) delete req.headers[header];
  const user: UserInfo = { name, groups };
  if (uid) user.uid = uid;
  if (extra.size) user.extra = extra;
  return user;
}

/** The 500 upstream answers a malformed impersonation request with (responsewriters.InternalError). */
export function impersonationErrorText(requestURI: string, err: Error): string {
  return `Internal Server Error: ${goQuote(requestURI)}: ${err.message}\n`;
}
