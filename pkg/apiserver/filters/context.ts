// What the filters learn about a request, for the handlers after them: the user
// (after impersonation) that every RequestContext carries. Kept by request
// object, which the fast path and express share.
import type { IncomingMessage } from 'node:http';
import type { UserInfo } from '../../auth/user.js';

const users = new WeakMap<IncomingMessage, UserInfo>();

export function setRequestUser(req: IncomingMessage, user: UserInfo): void {
  users.set(req, user);
}

/** The user a request acts as; undefined only for a request the filters have not seen. */
export function requestUser(req: IncomingMessage): UserInfo | undefined {
  return users.get(req);
}
