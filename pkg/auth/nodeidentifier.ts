// Which node a user is: upstream's pkg/auth/nodeidentifier. A node's kubelet is
// system:node:<name> in the group system:nodes; both are needed.
import { NODES_GROUP, NODE_USER_PREFIX, type UserInfo } from './user.js';

/** The node's name ('' when the user is a node whose name is empty), or undefined for anyone else. */
export function nodeIdentity(user: UserInfo | undefined): string | undefined {
  if (!user || !user.name.startsWith(NODE_USER_PREFIX) || !user.groups.includes(NODES_GROUP)) return undefined;
  return user.name.slice(NODE_USER_PREFIX.length);
}
