// What the filters learn about a request, for the handlers after them: the user
// (after impersonation) that every RequestContext carries. Kept on the request
// object, which the fast path and express share, under a symbol no client can name.
import type { IncomingMessage } from 'node:http';
import type { UserInfo } from '../../auth/user.js';

const USER = Symbol('timonel.user');

interface WithUser {
  [USER]?: UserInfo;
}

export function setRequestUser(req: IncomingMessage, user: UserInfo): void {
  (req as WithUser)[USER] = user;
}

/** The user a request acts as; undefined only for a request the filters have not seen. */
export function requestUser(req: IncomingMessage): UserInfo | undefined {
  return (req as WithUser)[USER];
}
