// What authenticating a request gives: a user, or why the credentials it
// brought are refused (a 401, never anonymous).
import { ALL_AUTHENTICATED, ALL_UNAUTHENTICATED, ANONYMOUS_USER, type UserInfo } from '../../auth/user.js';

/** audiences: for a token reviewed for some audiences, those of them it is valid for. */
export type AuthenticationResult = { user: UserInfo; audiences?: string[] } | { error: string };

/** The user of a request without credentials (--anonymous-auth). */
export const ANONYMOUS: UserInfo = Object.freeze({ name: ANONYMOUS_USER, groups: Object.freeze([ALL_UNAUTHENTICATED]) as string[] });

/**
 * AuthenticatedGroupAdder: every authenticated user is also in system:authenticated,
 * unless it names system:authenticated or system:unauthenticated itself. Authenticators
 * apply it once when they make a user, so a request reuses the user it finds.
 */
export function withAuthenticatedGroup(user: UserInfo): UserInfo {
  if (user.name === ANONYMOUS_USER) return user;
  if (user.groups.some((g) => g === ALL_AUTHENTICATED || g === ALL_UNAUTHENTICATED)) return user;
  return { ...user, groups: [...user.groups, ALL_AUTHENTICATED] };
}
